"""Emits <name>_interp.h: one C++ function per instruction, compiled from its
typed semantics. Functions return false when the instruction trapped (the
trap helper has already redirected the hart), true when it retired.

Calls that may trap are hoisted into temporaries ahead of the statement that
uses them, so evaluation order is the description's and nothing after a trap
runs. The hart type provides: a register array per regfile (h.x, h.f), a
write function per regfile (write_x(), write_f()), config.has(Extension) for
instructions that need further extensions, and the memory, jump and helper
functions named in the generated calls.

Each function is a template on Fast and Forwarded, and takes `last` and
`result` besides the hart and the decoded instruction.

Fast = true is the fast variant, emitted for instructions whose only
fallible steps are plain loads, stores, jumps and illegal-instruction
checks, with no register, memory or pc write before any of them. Its memory
accesses and jumps take only their inline fast paths and, where the full
semantics would leave them (or raise illegal-instruction), it returns false
with nothing changed, so the engine can retry with the full semantics.
Having no out-of-line calls, a fast variant needs no stack frame, which
keeps the threaded handlers built on it down to their few useful
instructions.

Forwarded serves register forwarding: its bits 0 and 1 make the reads of
the first and second integer register slot take `last` (what the latest
register-writing instruction before it wrote, held in a host register)
instead of the register file;
every write to an integer register named by a slot also leaves the value in
`result`. kForwarding tells the engine which slots those are, and which
register an instruction always leaves in `result`."""

from .emit_common import header, where_comment
from .errors import IsaError
from .slots import assign_slots

TYPE_ALIASES = {"u1": "bool"}


def ctype(ty):
    return TYPE_ALIASES.get(ty.name, ty.name)


def _wide_unsigned(ty):
    return not ty.signed and (ty.width == "X" or ty.width >= 32)


def _direct_slot(index, slots):
    """The byte slot a register index expression names directly, else None."""
    if index.kind != "var" or index.local:
        return None
    kind, k = slots[index.name]
    return k if kind == "r" else None


class _Body:
    def __init__(self, isa, insn, ns):
        # Hart-side functions are called fully qualified: inside Semantics an
        # unqualified name could be an instruction's own function (fence_i).
        self.q = f"::{ns}::"
        self.isa = isa
        self.insn = insn
        self.slots = assign_slots(insn)
        self.lines = []
        self.temps = 0
        self.indent = 1
        # Whether a failed memory access or jump can be retried by the full
        # semantics: no register, memory or pc write precedes it and no other
        # helper runs (see "fast variant" in the module comment).
        self.retryable = True
        self.state_written = False
        # Forwarding (see the module comment): the slots whose integer
        # register reads may come from `last`, bit 0 and bit 1 of Forwarded.
        self.primary = next(iter(isa.regfiles))
        read_slots = [self.slots[name][1] for name in insn.reg_reads.get(self.primary, [])
                      if self.slots[name][0] == "r"]
        self.forward_slots = sorted(set(read_slots))[:2]
        self.primary_written = False

    def emit(self, text):
        self.lines.append("  " * self.indent + text)

    # -- expressions: return a C++ expression; hoisted lines go to `pre` ---------
    def expr(self, node, pre):
        return getattr(self, "x_" + node.kind)(node, pre)

    def literal(self, value, ty):
        if ty.is_bool:
            return "true" if value else "false"
        suffix = "ULL" if value > 0x7FFFFFFF else ""
        return f"{ctype(ty)}({value}{suffix})" if value >= 0 else f"{ctype(ty)}({value}LL)"

    def x_lit(self, node, pre):
        return self.literal(node.value, node.ty)

    def x_len(self, node, pre):
        return self.literal(node.value, node.ty)

    def x_xlen(self, node, pre):
        return f"{ctype(node.ty)}(XLEN)"

    def x_pc(self, node, pre):
        return "ux(d.pc)"

    def x_var(self, node, pre):
        if node.local:
            return f"v_{node.name}"
        kind, k = self.slots[node.name]
        raw = f"d.r[{k}]" if kind == "r" else "d.imm"
        return raw if node.ty.name == "u8" and kind == "r" else f"{ctype(node.ty)}({raw})"

    def x_reg(self, node, pre):
        read = f"h.{node.file.lower()}[{self.expr(node.index, pre)}]"
        k = _direct_slot(node.index, self.slots)
        # After the instruction's own register write, memory is the one place
        # that holds the current value.
        if node.file != self.primary or k not in self.forward_slots or self.primary_written:
            return read
        bit = 1 << self.forward_slots.index(k)
        return f"((Forwarded & {bit}u) != 0 ? last : {read})"

    def x_unary(self, node, pre):
        a = self.expr(node.a, pre)
        if node.op == "!":
            return f"!{a}"
        if node.op == "-":
            return f"sem::neg({a})"
        return f"{ctype(node.ty)}(~{a})"

    def x_binary(self, node, pre):
        op = node.op
        a = self.expr(node.a, pre)
        if op in ("&&", "||", "?"):
            b_pre = []
            b = self.expr(node.b, b_pre)
            if b_pre:
                raise IsaError(node.where, f"{self.insn.name}: a call that may trap cannot be "
                                           f"the right operand of '{op}'")
            return f"({a} {op} {b})"
        b = self.expr(node.b, pre)
        if op in ("<<", ">>"):
            return f"sem::{'shl' if op == '<<' else 'shr'}({a}, {b})"
        if op in ("/", "%"):
            return f"sem::{'div' if op == '/' else 'rem'}({a}, {b})"
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return f"({a} {op} {b})"
        ty = node.ty
        if ty.is_bool:
            return f"bool({a} {op} {b})"
        if _wide_unsigned(ty):
            return f"({a} {op} {b})"
        name = {"+": "add", "-": "sub", "*": "mul", "&": "bit_and", "|": "bit_or",
                "^": "bit_xor"}[op]
        return f"sem::{name}({a}, {b})"

    def x_cond(self, node, pre):
        c = self.expr(node.cond, pre)
        branch_pre = []
        a = self.expr(node.a, branch_pre)
        b = self.expr(node.b, branch_pre)
        if branch_pre:
            raise IsaError(node.where, f"{self.insn.name}: a call that may trap cannot be a "
                                       "branch of '?:'; use if/else")
        return f"{ctype(node.ty)}({c} ? {a} : {b})"

    def x_cast(self, node, pre):
        return f"{ctype(node.to)}({self.expr(node.a, pre)})"

    def x_call(self, node, pre):
        args = [self.expr(a, pre) for a in node.args]
        name = node.name
        if name in ("sext", "zext"):
            return f"sem::{name}<ux>({args[0]})"
        if name.startswith("mulh_"):
            return f"sem::{name}({', '.join(args)})"
        call = self.call_text(node, args)
        if not node.traps:
            return call
        if node.ty is None:
            raise IsaError(node.where, f"{self.insn.name}: {name} returns nothing")
        temp = f"t{self.temps}"
        self.temps += 1
        pre.append(f"{ctype(node.ty)} {temp};")
        pre.append(f"if (!{call[:-1]}, {temp})) return false;")
        return temp

    def call_text(self, node, args):
        name = node.name
        self.note_call(name)
        if name.startswith("load_u") or name.startswith("amo_load_u"):
            width = name.rsplit("_u", 1)[1]
            if name.startswith("load"):
                return f"{self.q}mem_load<u{width}, Fast>(h, d, {args[0]})"
            return f"{self.q}mem_amo_load<u{width}>(h, d, {args[0]})"
        if name.startswith("store_u"):
            return f"{self.q}mem_store<u{name[7:]}, Fast>(h, d, {', '.join(args)})"
        if name == "jump":
            return f"{self.q}jump<Fast>(h, d, {args[0]})"
        return f"{self.q}{name}({', '.join(['h', 'd'] + args)})"

    def illegal_return(self):
        """Raising illegal-instruction: a fast variant declines instead, which
        it can do only while nothing has been written."""
        self.retryable &= not self.state_written
        return f"return Fast ? false : {self.q}illegal_instruction(h, d);"

    def note_call(self, name):
        """Tracks whether the instruction stays retryable past this call."""
        if name.startswith("load_u"):
            self.retryable &= not self.state_written
        elif name.startswith("store_u") or name == "jump":
            self.retryable &= not self.state_written
            self.state_written = True
        else:
            self.retryable = False

    # -- statements -------------------------------------------------------------
    def flush(self, pre):
        for line in pre:
            self.emit(line)

    def block(self, statements):
        for s in statements:
            getattr(self, "s_" + s.kind)(s)

    def s_let(self, node):
        pre = []
        value = self.expr(node.value, pre)
        self.flush(pre)
        self.emit(f"{ctype(node.ty)} v_{node.name} = {value};")

    def s_assign(self, node):
        pre = []
        value = self.expr(node.value, pre)
        target = node.target
        if target.kind == "reg":
            index = self.expr(target.index, pre)
            self.state_written = True
            self.flush(pre)
            if target.file == self.primary:
                self.primary_written = True
                if _direct_slot(target.index, self.slots) is not None:
                    value = f"result = ux({value})"
            self.emit(f"h.write_{target.file.lower()}({index}, {value});")
        else:
            self.flush(pre)
            self.emit(f"v_{target.name} = {value};")

    def s_if(self, node):
        pre = []
        cond = self.expr(node.cond, pre)
        self.flush(pre)
        self.emit(f"if ({cond}) {{")
        self.indent += 1
        self.block(node.then)
        self.indent -= 1
        if node.other:
            self.emit("} else {")
            self.indent += 1
            self.block(node.other)
            self.indent -= 1
        self.emit("}")

    def s_expr(self, node):
        call = node.value
        pre = []
        args = [self.expr(a, pre) for a in call.args]
        self.flush(pre)
        if call.name == "illegal":
            self.emit(self.illegal_return())
        elif call.traps:
            self.emit(f"if (!{self.call_text(call, args)}) return false;")
        else:
            self.emit(f"{self.call_text(call, args)};")


def _result_slot(insn, primary, slots):
    """The slot of the one integer register every successful run of the
    instruction writes (and so leaves in `result`), else None."""
    def walk(statements, written):
        # Returns the write sets of the paths that complete, or [] if none do.
        paths = [written]
        for st in statements:
            nxt = []
            for w in paths:
                if st.kind == "assign" and st.target.kind == "reg" and st.target.file == primary:
                    nxt.append(w + [_direct_slot(st.target.index, slots)])
                elif st.kind == "if":
                    nxt += walk(st.then, w) + walk(st.other or [], w)
                elif st.kind == "expr" and st.value.name == "illegal":
                    pass  # this path raises illegal-instruction: it never completes
                else:
                    nxt.append(w)
            paths = nxt
        return paths

    outcomes = {tuple(w) for w in walk(insn.body, [])}
    if len(outcomes) == 1:
        (writes,) = outcomes
        if len(writes) == 1 and writes[0] is not None:
            return writes[0]
    return None


def emit_interp(isa, sources, ns, tables_header, hart_header):
    out = header(sources)
    out += ["#pragma once", "", "#include <array>", "#include <utility>", "",
            f'#include "{tables_header}"', f'#include "{hart_header}"', "",
            f"namespace {ns} {{", "",
            "template <unsigned XLEN>",
            "struct Semantics {",
            "  using ux = sem::uxlen<XLEN>;",
            "  using sx = sem::sxlen<XLEN>;",
            "  using HartT = Hart<XLEN>;",
            ""]
    retryable, forwarding = set(), []
    primary = next(iter(isa.regfiles))
    for insn in isa.instructions:
        body = _Body(isa, insn, ns)
        body.indent = 2
        for ext in insn.needs:
            # The decoder checks the instruction's own extension; needs=
            # names the others it requires (c.fld: C and D).
            body.emit(f"if (!h.config.has(Extension::{ext})) {body.illegal_return()}")
        body.block(insn.body)
        out.append(f"  {where_comment(insn.where)}")
        if len(insn.xlens) != len(isa.xlens):
            out.append(f"  // exists for XLEN={insn.xlens[0]} only")
        if body.retryable:
            retryable.add(insn.name)
        forwarding.append((body.forward_slots, _result_slot(insn, primary, body.slots)))
        out.append("  template <bool Fast, unsigned Forwarded>")
        out.append(f"  static bool {insn.cname}([[maybe_unused]] HartT& h, "
                   "[[maybe_unused]] const DecodedInsn& d, [[maybe_unused]] ux last, "
                   "[[maybe_unused]] ux& result) {")
        if len(insn.xlens) != len(isa.xlens):
            out.append(f"    if constexpr (XLEN == {insn.xlens[0]}) {{")
            out += ["  " + l for l in body.lines]
            out += ["    }", "    return true;", "  }", ""]
        else:
            out += body.lines
            out += ["    return true;", "  }", ""]
    out += ["};", "",
            "// Runs instruction Id's semantics; Id 0 (illegal) raises illegal-instruction.",
            "template <unsigned XLEN, size_t Id, bool Fast, unsigned Forwarded>",
            "inline bool execute_insn(Hart<XLEN>& h, const DecodedInsn& d, sem::uxlen<XLEN> last,",
            "                         sem::uxlen<XLEN>& result) {",
            "  using S = Semantics<XLEN>;",
            "  if constexpr (Id == 0) {",
            "    return illegal_instruction(h, d);"]
    for insn in isa.instructions:
        out += [f"  }} else if constexpr (Id == size_t(InsnId::{insn.cname})) {{",
                f"    return S::template {insn.cname}<Fast, Forwarded>(h, d, last, result);"]
    out += ["  } else {",
            "    static_assert(Id < size_t(InsnId::count), \"no such instruction\");",
            "    return false;",
            "  }",
            "}", "",
            "template <unsigned XLEN>",
            "using ExecFn = bool (*)(Hart<XLEN>&, const DecodedInsn&);", "",
            "template <unsigned XLEN, size_t Id>",
            "bool execute_full(Hart<XLEN>& h, const DecodedInsn& d) {",
            "  sem::uxlen<XLEN> result;",
            "  return execute_insn<XLEN, Id, false, 0>(h, d, 0, result);",
            "}", "",
            "template <unsigned XLEN, size_t... Ids>",
            "constexpr std::array<ExecFn<XLEN>, sizeof...(Ids)> make_exec_table(std::index_sequence<Ids...>) {",
            "  return {&execute_full<XLEN, Ids>...};",
            "}", "",
            "// The full semantics, indexed by InsnId.",
            "template <unsigned XLEN>",
            "inline constexpr std::array<ExecFn<XLEN>, size_t(InsnId::count)> kExec =",
            "    make_exec_table<XLEN>(std::make_index_sequence<size_t(InsnId::count)>());", "",
            "// Whether the instruction has a fast variant (Fast = true, see above).",
            "inline constexpr bool kHasFastVariant[] = {",
            "    false,"]
    out += [f"    {'true' if i.name in retryable else 'false'},  // {i.name}"
            for i in isa.instructions]
    out += ["};", "",
            "// Forwarding between consecutive instructions of a block: the byte slots",
            "// whose integer register reads bits 0 and 1 of Forwarded redirect to `last`,",
            "// and the slot of the register whose new value every successful run leaves",
            "// in `result` (kNoSlot: none).",
            "constexpr uint8_t kNoSlot = 0xff;",
            "struct Forwarding {",
            "  uint8_t read_slot[2];",
            "  uint8_t result_slot;",
            "};",
            "inline constexpr Forwarding kForwarding[] = {",
            "    {{kNoSlot, kNoSlot}, kNoSlot},"]
    def slot(k):
        return "kNoSlot" if k is None else str(k)
    for i, (reads, result) in zip(isa.instructions, forwarding):
        reads = reads + [None] * (2 - len(reads))
        out.append(f"    {{{{{slot(reads[0])}, {slot(reads[1])}}}, {slot(result)}}},  // {i.name}")
    out += ["};", "", f"}}  // namespace {ns}", ""]
    return "\n".join(out)
