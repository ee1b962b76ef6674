"""Reads .isa files into an Isa model. Declarations are line based; an
instruction's semantics is a brace-delimited block that may span lines.
Everything wrong is reported as path:line."""

import re

from .errors import IsaError, Where
from .model import (Csr, Field, Format, Helper, InsnClass, Instruction, Isa, Operand, RegFile,
                    Slice)
from .types import parse_type

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
FIELD_KINDS = ("reg", "simm", "uimm", "csr")


def _strip_comment(text):
    out, in_string = [], False
    for ch in text:
        if ch == '"':
            in_string = not in_string
        if ch == "#" and not in_string:
            break
        out.append(ch)
    return "".join(out).rstrip()


def _int(text, where, what):
    try:
        return int(text, 0)
    except ValueError:
        raise IsaError(where, f"{what}: '{text}' is not a number") from None


class _Lines:
    """The lines of one file, comments removed, with 1-based numbers."""

    def __init__(self, path, text):
        self.path = path
        self.lines = [_strip_comment(l) for l in text.split("\n")]
        self.index = 0

    def where(self, index=None):
        return Where(self.path, (self.index if index is None else index) + 1)

    def next_nonblank(self):
        while self.index < len(self.lines) and not self.lines[self.index].strip():
            self.index += 1
        return self.index < len(self.lines)


class Parser:
    def __init__(self, isa=None):
        self.isa = isa or Isa()
        self.extension = None

    # -- entry points ---------------------------------------------------------
    def parse_file(self, path):
        with open(path, encoding="utf-8") as f:
            self.parse_text(path, f.read())

    def parse_text(self, path, text):
        self.extension = None
        src = _Lines(path, text)
        group = None
        while src.next_nonblank():
            where = src.where()
            line = src.lines[src.index].strip()
            words = line.split()
            src.index += 1
            head = words[0]
            if head == "group":
                if words[1:] != ["{"]:
                    raise IsaError(where, "expected 'group {'")
                if group is not None:
                    raise IsaError(where, "groups do not nest")
                group = self.isa.groups
                self.isa.groups += 1
                continue
            if head == "}":
                if group is None:
                    raise IsaError(where, "'}' without an open group")
                group = None
                continue
            handler = {
                "isa": self._isa, "xlen": self._xlen, "regfile": self._regfile,
                "class": self._class, "field": self._field, "format": self._format,
                "helper": self._helper, "csr": self._csr, "extension": self._extension,
            }.get(head)
            if head == "insn":
                self._insn(src, where, line, group)
            elif handler is None:
                raise IsaError(where, f"unknown declaration '{head}'")
            else:
                handler(src, where, words)
        if group is not None:
            raise IsaError(src.where(len(src.lines) - 1), "group is not closed with '}'")

    # -- declarations ---------------------------------------------------------
    def _isa(self, src, where, words):
        if len(words) != 2:
            raise IsaError(where, "expected 'isa NAME'")
        self.isa.name = words[1]

    def _xlen(self, src, where, words):
        xlens = tuple(_int(w, where, "xlen") for w in words[1:])
        if not xlens or any(x not in (32, 64) for x in xlens):
            raise IsaError(where, "xlen takes 32 and/or 64")
        self.isa.xlens = xlens

    def _extension(self, src, where, words):
        if len(words) != 2 or not NAME.match(words[1]):
            raise IsaError(where, "expected 'extension NAME'")
        if words[1] in self.isa.extensions:
            raise IsaError(where, f"extension {words[1]} is described twice")
        self.extension = words[1]
        self.isa.extensions.append(words[1])

    def _regfile(self, src, where, words):
        # regfile X ux zero=0  (then a 'names ...' line)
        # regfile F u64 gdb=org.gnu.gdb.riscv.fpu:33
        if len(words) < 3:
            raise IsaError(where, "expected 'regfile NAME TYPE [zero=N] [gdb=FEATURE:REGNUM]'")
        if words[1] in self.isa.regfiles:
            raise IsaError(where, f"register file '{words[1]}' is declared twice")
        zero, gdb_feature, gdb_regnum = None, None, 0
        for w in words[3:]:
            if w.startswith("zero="):
                zero = _int(w[5:], where, "zero")
            elif w.startswith("gdb="):
                gdb_feature, _, regnum = w[4:].rpartition(":")
                if not gdb_feature:
                    raise IsaError(where, "expected gdb=FEATURE:REGNUM")
                gdb_regnum = _int(regnum, where, "gdb register number")
            else:
                raise IsaError(where, f"unknown regfile attribute '{w}'")
        parse_type(words[2], where)
        names = []
        if src.next_nonblank() and src.lines[src.index].split()[0] == "names":
            names = src.lines[src.index].split()[1:]
            src.index += 1
        self.isa.regfiles[words[1]] = RegFile(words[1], words[2], zero, names, where,
                                              self.extension, gdb_feature, gdb_regnum)

    def _class(self, src, where, words):
        if len(words) != 3 or not words[2].startswith("cycles="):
            raise IsaError(where, "expected 'class NAME cycles=N'")
        name = words[1]
        if name in self.isa.classes:
            raise IsaError(where, f"class '{name}' is declared twice")
        cycles = _int(words[2][7:], where, "cycles")
        if not 0 < cycles < 256:
            raise IsaError(where, "cycles must be 1..255")
        self.isa.classes[name] = InsnClass(name, cycles, len(self.isa.classes), where)

    def _field(self, src, where, words):
        if len(words) < 4:
            raise IsaError(where, "expected 'field NAME KIND BITS...'")
        name, kind = words[1], words[2]
        if name in self.isa.fields:
            raise IsaError(where, f"field '{name}' is declared twice "
                                  f"(first at {self.isa.fields[name].where})")
        if kind not in FIELD_KINDS:
            raise IsaError(where, f"unknown field kind '{kind}' (known: {', '.join(FIELD_KINDS)})")
        slices, offset, used = [], 0, 0
        for w in words[3:]:
            if w.startswith("+"):
                offset = _int(w[1:], where, "offset")
            elif w.startswith("0:"):
                slices.append(Slice(zeros=_int(w[2:], where, "zero bits")))
            else:
                hi, _, lo = w.partition(":")
                hi = _int(hi, where, "bit")
                lo = _int(lo, where, "bit") if lo else hi
                if lo > hi or hi > 31:
                    raise IsaError(where, f"bad bit range '{w}' (write hi:lo, bits 0..31)")
                s = Slice(hi, lo)
                bits = ((1 << s.width) - 1) << lo
                if bits & used:
                    raise IsaError(where, f"field '{name}' uses bit range {w} twice")
                used |= bits
                slices.append(s)
        f = Field(name, kind, slices, offset, where)
        if f.width > 32 or not used:
            raise IsaError(where, f"field '{name}' must read 1..32 bits")
        self.isa.fields[name] = f

    def _format(self, src, where, words):
        if len(words) < 2:
            raise IsaError(where, "expected 'format NAME OPERANDS...'")
        name = words[1]
        if name in self.isa.formats:
            raise IsaError(where, f"format '{name}' is declared twice")
        operands, seen = [], set()
        for w in words[2:]:
            op, _, fname = w.partition(":")
            fname = fname or op
            if fname not in self.isa.fields:
                raise IsaError(where, f"unknown field '{fname}'")
            if op in seen:
                raise IsaError(where, f"operand '{op}' appears twice")
            seen.add(op)
            operands.append(Operand(op, self.isa.fields[fname]))
        self.isa.formats[name] = Format(name, operands, where)

    def _helper(self, src, where, words):
        line = " ".join(words[1:])
        m = re.match(r"^([A-Za-z_]\w*)\s*\(([^)]*)\)\s*(->\s*(\w+))?\s*(.*)$", line)
        if not m:
            raise IsaError(where, "expected 'helper NAME(PARAM: TYPE, ...) [-> TYPE] [traps] "
                                  "[serializing]'")
        name = m.group(1)
        params = []
        for p in filter(None, (x.strip() for x in m.group(2).split(","))):
            pname, _, ptype = p.partition(":")
            if not ptype:
                raise IsaError(where, f"parameter '{p}' needs a type")
            params.append((pname.strip(), parse_type(ptype.strip(), where)))
        result = parse_type(m.group(4), where) if m.group(4) else None
        attrs = m.group(5).split()
        for a in attrs:
            if a not in ("traps", "serializing"):
                raise IsaError(where, f"unknown helper attribute '{a}'")
        if name in self.isa.helpers:
            raise IsaError(where, f"helper '{name}' is declared twice")
        self.isa.helpers[name] = Helper(name, params, result, "traps" in attrs,
                                        "serializing" in attrs, where)

    def _csr(self, src, where, words):
        if len(words) < 4:
            raise IsaError(where, "expected 'csr NUMBER NAME ACCESS [xlen=N]'")
        number = _int(words[1], where, "csr number")
        if not 0 <= number < 4096:
            raise IsaError(where, "CSR numbers are 12 bits")
        xlens = self.isa.xlens
        for w in words[4:]:
            if w.startswith("xlen="):
                xlens = (_int(w[5:], where, "xlen"),)
            else:
                raise IsaError(where, f"unknown csr attribute '{w}'")
        for c in self.isa.csrs:
            if c.number == number and set(c.xlens) & set(xlens):
                raise IsaError(where, f"CSR 0x{number:03x} is already '{c.name}' ({c.where})")
        self.isa.csrs.append(Csr(number, words[2], words[3], xlens, where, self.extension))

    # -- instructions ---------------------------------------------------------
    def _insn(self, src, where, line, group):
        if self.extension is None:
            raise IsaError(where, "instructions must follow an 'extension NAME' line")
        words = line.split()
        if len(words) < 4:
            raise IsaError(where, "expected 'insn NAME FORMAT PATTERN CLASS [xlen=N] "
                                  "[needs=EXT,...]'")
        name, fmt_name = words[1], words[2]
        if fmt_name not in self.isa.formats:
            raise IsaError(where, f"unknown format '{fmt_name}'")
        fmt = self.isa.formats[fmt_name]
        # The pattern is every following word made only of 0 1 . - characters.
        rest = words[3:]
        pattern = ""
        while rest and re.fullmatch(r"[01.\-]+", rest[0]):
            pattern += rest.pop(0)
        if len(pattern) not in (16, 32):
            raise IsaError(where, f"pattern of '{name}' has {len(pattern)} bits; "
                                  "expected 16 or 32")
        if not rest:
            raise IsaError(where, f"'{name}' needs an instruction class")
        cname = rest.pop(0)
        if cname not in self.isa.classes:
            raise IsaError(where, f"unknown instruction class '{cname}' "
                                  f"(known: {', '.join(self.isa.classes)})")
        xlens = self.isa.xlens
        needs = []
        for w in rest:
            if w.startswith("xlen="):
                xlens = (_int(w[5:], where, "xlen"),)
                if xlens[0] not in self.isa.xlens:
                    raise IsaError(where, f"xlen={xlens[0]} is not an xlen of this ISA")
            elif w.startswith("needs="):
                needs = [n for n in w[6:].split(",") if n]
                if not needs or not all(NAME.match(n) for n in needs):
                    raise IsaError(where, "expected needs=EXTENSION[,EXTENSION...]")
            else:
                raise IsaError(where, f"unknown instruction attribute '{w}'")
        mask = match = 0
        for i, ch in enumerate(reversed(pattern)):
            if ch in "01":
                mask |= 1 << i
                match |= (ch == "1") << i
        width = len(pattern)
        for op in fmt.operands:
            bits = op.field.bit_mask()
            if bits >> width:
                raise IsaError(where, f"field '{op.field.name}' reads bits beyond the "
                                      f"{width}-bit encoding")
            if bits & mask:
                raise IsaError(where, f"field '{op.field.name}' overlaps fixed bits of "
                                      f"the pattern")
        if width == 32 and (match & 3) != 3:
            raise IsaError(where, "32-bit encodings must end in 11")
        if width == 16 and (mask & 3) != 3 or width == 16 and (match & 3) == 3:
            raise IsaError(where, "16-bit encodings must fix bits 1:0 to 00, 01 or 10")
        asm, body, body_where = self._insn_tail(src, name)
        for existing in self.isa.instructions:
            if existing.name == name:
                raise IsaError(where, f"instruction '{name}' is described twice "
                                      f"(first at {existing.where})")
        self.isa.instructions.append(Instruction(
            name=name, fmt=fmt, length=width // 8, mask=mask, match=match,
            iclass=self.isa.classes[cname], xlens=xlens, extension=self.extension,
            asm=asm, body_text=body, body_where=body_where, where=where, group=group,
            needs=needs))

    def _insn_tail(self, src, name):
        asm = name
        if src.next_nonblank() and src.lines[src.index].strip().startswith("asm"):
            where = src.where()
            m = re.fullmatch(r'asm\s+"([^"]*)"', src.lines[src.index].strip())
            if not m:
                raise IsaError(where, 'expected asm "TEXT"')
            asm = m.group(1)
            src.index += 1
        if not src.next_nonblank() or not src.lines[src.index].strip().startswith("{"):
            raise IsaError(src.where(min(src.index, len(src.lines) - 1)),
                           f"'{name}' needs a semantics block {{ ... }}")
        body_where = src.where()
        depth, parts = 0, []
        while src.index < len(src.lines):
            text = src.lines[src.index]
            src.index += 1
            for i, ch in enumerate(text):
                depth += ch == "{"
                depth -= ch == "}"
                if ch == "}" and depth == 0:
                    if text[i + 1:].strip():
                        raise IsaError(src.where(src.index - 1),
                                       "text after the end of the semantics block")
                    parts.append(text[:i + 1])
                    body = "\n".join(parts).strip()
                    return asm, body[1:-1], body_where
            parts.append(text)
        raise IsaError(body_where, f"semantics block of '{name}' is not closed")


def parse_files(paths):
    parser = Parser()
    for p in paths:
        parser.parse_file(p)
    return parser.isa
