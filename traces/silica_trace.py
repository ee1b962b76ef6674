#!/usr/bin/env python3
"""Read silica binary traces (traces/FORMAT.md) from Python.

    import silica_trace
    with silica_trace.open_trace("run.trace") as trace:
        print(trace.header.isa, trace.header.xlen)
        for rec in trace:
            if isinstance(rec, silica_trace.Retired):
                print(hex(rec.pc), trace.header.class_name(rec.insn_class))

Records are Retired, Trap and Bus objects with the fields of
traces/trace_record.h. open_trace() also takes a replay log (`silica run
--trace-format replay`, traces/REPLAY.md): `silica replay` expands it into
a temporary binary trace first, which close() removes. A damaged file
raises TraceError (after the records before the damage were yielded).
Needs the standard library and Debian's python3-zstandard.

As a script it prints a trace as Spike --log-commits text, the same bytes as
`silica-trace text`:

    python3 traces/silica_trace.py text run.trace
"""
import os
import struct
import subprocess
import sys
import tempfile

try:
    import zstandard
except ImportError:  # reported when a trace is opened, so `import` always works
    zstandard = None

MAGIC = b"SILTRACE"
VERSION_MAJOR = 1
MAX_RAW_BLOCK = 16 * 1024 * 1024
INSN_CACHE_ENTRIES = 4096
MASK64 = (1 << 64) - 1

TAG_PC_JUMP = 0x01
TAG_NEW_INSN = 0x02
TAG_EXTENDED = 0x40
TAG_TRAP = 0x80
TAG_BUS = 0x81
TAG_HART = 0x82
TAG_END = 0x83
TAG_FIRST_EXTENSION = 0xC0
EXT_INSTRET_JUMP = 0x01
EXT_MODE = 0x02
REG_ESCAPE = 0xE0


class TraceError(Exception):
    """A trace that cannot be read: the message names the file."""


class Header:
    def __init__(self, version, xlen, isa, class_names):
        self.version = version  # (major, minor)
        self.xlen = xlen
        self.isa = isa
        self.class_names = class_names

    def class_name(self, insn_class):
        if insn_class < len(self.class_names):
            return self.class_names[insn_class]
        return f"class{insn_class}"


class Retired:
    __slots__ = ("instret", "pc", "raw", "hart", "priv", "len", "xlen", "insn_class",
                 "writes", "mem")

    def __init__(self, instret, pc, raw, hart, priv, length, xlen, insn_class, writes, mem):
        self.instret, self.pc, self.raw, self.hart = instret, pc, raw, hart
        self.priv, self.len, self.xlen, self.insn_class = priv, length, xlen, insn_class
        self.writes = writes  # [(file, index, value)]: file 0 = x, 1 = f
        self.mem = mem        # [(addr, value, size, write)]

    def __repr__(self):
        return (f"Retired(instret={self.instret}, pc={self.pc:#x}, raw={self.raw:#x}, "
                f"hart={self.hart}, priv={self.priv}, writes={self.writes}, mem={self.mem})")


class Trap:
    __slots__ = ("instret", "epc", "cause", "tval", "handler", "hart", "from_priv", "to_priv",
                 "interrupt")

    def __init__(self, instret, epc, cause, tval, handler, hart, from_priv, to_priv, interrupt):
        self.instret, self.epc, self.cause, self.tval = instret, epc, cause, tval
        self.handler, self.hart = handler, hart
        self.from_priv, self.to_priv, self.interrupt = from_priv, to_priv, interrupt

    def __repr__(self):
        return (f"Trap(instret={self.instret}, epc={self.epc:#x}, cause={self.cause:#x}, "
                f"handler={self.handler:#x}, interrupt={self.interrupt})")


class Bus:
    __slots__ = ("time_ps", "addr", "value", "size", "write", "ok", "initiator")

    def __init__(self, time_ps, addr, value, size, write, ok, initiator):
        self.time_ps, self.addr, self.value, self.size = time_ps, addr, value, size
        self.write, self.ok, self.initiator = write, ok, initiator

    def __repr__(self):
        return (f"Bus(time_ps={self.time_ps}, addr={self.addr:#x}, value={self.value:#x}, "
                f"size={self.size}, write={self.write}, ok={self.ok})")


class _Hart:
    """What the decoder remembers per hart inside a block (FORMAT.md, "State")."""
    __slots__ = ("next_pc", "next_instret", "last_mem_addr", "priv", "xlen", "regs")

    def __init__(self, xlen):
        self.next_pc = 0
        self.next_instret = 0
        self.last_mem_addr = 0
        self.priv = 3
        self.xlen = xlen
        self.regs = [[0] * 32, [0] * 32]


def _unzigzag(v):
    return (v >> 1) ^ -(v & 1)


class _Corrupt(Exception):
    pass


class TraceReader:
    """Iterates the records of one binary trace file."""

    def __init__(self, path):
        self.path = str(path)
        self._expanded_from = None  # the replay log, when path is its expansion
        self.totals = None  # (retired, traps, bus) from the end record
        try:
            self._file = open(self.path, "rb")
        except OSError as e:
            raise TraceError(f"{self.path}: cannot open trace: {e.strerror}") from None
        try:
            self.header = self._read_header()
        except BaseException:
            self._file.close()
            raise
        if zstandard is None:
            self._file.close()
            raise TraceError(f"{self.path}: reading traces needs the zstandard module "
                             "(apt-get install python3-zstandard)")
        self._dctx = zstandard.ZstdDecompressor()
        self._offset = 16 + self._fields_size

    def close(self):
        self._file.close()
        if self._expanded_from is not None:
            os.unlink(self.path)
            self._expanded_from = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read_header(self):
        pre = self._file.read(16)
        if pre[:8] == b"SILREPLY":
            raise TraceError(f"{self.path}: a replay log, not a silica binary trace: "
                             f"'silica replay {self.path} --trace OUT --trace-format bin' "
                             "writes its silica binary trace")
        if len(pre) < 8 or pre[:8] != MAGIC:
            raise TraceError(f"{self.path}: not a silica binary trace (no SILTRACE magic)")
        if len(pre) < 16:
            raise TraceError(f"{self.path}: truncated in the file header")
        major, minor, size = struct.unpack_from("<HHI", pre, 8)
        if major != VERSION_MAJOR:
            raise TraceError(f"{self.path}: unsupported trace format version {major}.{minor} "
                             f"(this reader reads {VERSION_MAJOR}.x)")
        if size > 1 << 20:
            raise TraceError(f"{self.path}: corrupt file header")
        fields = self._file.read(size)
        if len(fields) != size:
            raise TraceError(f"{self.path}: truncated in the file header")
        self._fields_size = size
        try:
            pos = 0

            def varint():
                nonlocal pos
                v = shift = 0
                while True:
                    b = fields[pos]
                    pos += 1
                    v |= (b & 0x7F) << shift
                    if b < 0x80:
                        return v
                    shift += 7
                    if shift >= 64:
                        raise IndexError

            def string():
                nonlocal pos
                n = varint()
                if pos + n > len(fields):
                    raise IndexError
                s = fields[pos:pos + n].decode("utf-8", "replace")
                pos += n
                return s

            xlen, compression = fields[0], fields[1]
            pos = 2
            isa = string()
            n = varint()
            if n > 256:
                raise IndexError
            names = [string() for _ in range(n)]
        except IndexError:
            raise TraceError(f"{self.path}: corrupt file header") from None
        if xlen not in (32, 64) or compression != 1:
            raise TraceError(f"{self.path}: corrupt file header")
        return Header((major, minor), xlen, isa, names)

    def _blocks(self):
        """Yields the raw bytes of each block."""
        while True:
            head = self._file.read(8)
            start = self._offset
            if not head:
                return
            if len(head) < 8:
                raise TraceError(f"{self.path}: truncated: block header at byte {start} "
                                 "is cut short")
            raw_size, stored = struct.unpack("<II", head)
            # Looser than zstd's worst case (ZSTD_compressBound): larger is never valid.
            bound = raw_size + raw_size // 128 + 1024
            if raw_size == 0 or raw_size > MAX_RAW_BLOCK or stored > bound:
                raise TraceError(f"{self.path}: corrupt block at byte {start}: "
                                 "impossible block sizes")
            frame = self._file.read(stored)
            if len(frame) != stored:
                raise TraceError(f"{self.path}: truncated: block at byte {start} is cut short")
            self._offset += 8 + stored
            try:
                raw = self._dctx.decompress(frame, max_output_size=raw_size)
            except zstandard.ZstdError as e:
                raise TraceError(f"{self.path}: corrupt block at byte {start}: zstd: {e}") from None
            if len(raw) != raw_size:
                raise TraceError(f"{self.path}: corrupt block at byte {start}: block holds "
                                 "fewer bytes than its header says")
            yield start, raw

    def __iter__(self):
        counted = [0, 0, 0]
        start = 0
        try:
            for start, block in self._blocks():
                for rec in self._decode_block(block, counted):
                    yield rec
                if self.totals is not None:
                    break
        except _Corrupt as e:
            raise TraceError(f"{self.path}: corrupt block at byte {start}: {e}") from None
        if self.totals is None:
            raise TraceError(f"{self.path}: truncated: no end record after {counted[0]} "
                             "instructions (the run did not finish writing the trace)")
        if self._file.read(1):
            raise TraceError(f"{self.path}: corrupt: data after the end of the trace at byte "
                             f"{self._offset}")
        if tuple(counted) != self.totals:
            raise TraceError(f"{self.path}: corrupt block at byte {start}: the end record "
                             f"counts {self.totals[0]} instructions, {counted[0]} were read")

    def _decode_block(self, buf, counted):
        """Yields the records of one block; mirrors TraceReader in trace_reader.cpp."""
        end = len(buf)
        pos = 0
        xlen0 = self.header.xlen
        harts = {0: _Hart(xlen0)}
        hart_id = 0
        h = harts[0]
        cache_pc = [None] * INSN_CACHE_ENTRIES
        cache_insn = [None] * INSN_CACHE_ENTRIES
        last_bus_time = 0

        def u8():
            nonlocal pos
            if pos >= end:
                raise _Corrupt("record runs past the end of the block")
            b = buf[pos]
            pos += 1
            return b

        def varint():
            nonlocal pos
            v = shift = 0
            while True:
                if pos >= end:
                    raise _Corrupt("record runs past the end of the block")
                b = buf[pos]
                pos += 1
                v |= (b & 0x7F) << shift
                if b < 0x80:
                    return v
                shift += 7
                if shift >= 64:
                    raise _Corrupt("overlong number")

        while pos < end:
            tag = u8()
            if tag < TAG_TRAP:
                n_writes = (tag >> 2) & 3
                n_mem = (tag >> 4) & 3
                if n_writes > 2 or n_mem > 2:
                    raise _Corrupt("retired record with more than 2 writes or accesses")
                if tag & TAG_EXTENDED:
                    e = u8()
                    if e & ~(EXT_INSTRET_JUMP | EXT_MODE):
                        raise _Corrupt(f"unknown retired-record flags {e:#x}")
                    if e & EXT_INSTRET_JUMP:
                        h.next_instret = (h.next_instret + _unzigzag(varint())) & MASK64
                    if e & EXT_MODE:
                        h.priv = u8()
                        h.xlen = u8()
                pc = h.next_pc
                if tag & TAG_PC_JUMP:
                    pc = (pc + _unzigzag(varint())) & MASK64
                slot = (pc >> 1) & (INSN_CACHE_ENTRIES - 1)
                if tag & TAG_NEW_INSN:
                    length = u8()
                    insn_class = u8()
                    raw = varint()
                    if raw > 0xFFFFFFFF:
                        raise _Corrupt("instruction encoding wider than 32 bits")
                    cache_pc[slot] = pc
                    cache_insn[slot] = (raw, length, insn_class)
                elif cache_pc[slot] != pc:
                    raise _Corrupt(f"instruction at {pc:#x} refers to an encoding never given")
                raw, length, insn_class = cache_insn[slot]
                writes = []
                for _ in range(n_writes):
                    b = u8()
                    if b == REG_ESCAPE:
                        rfile = u8()
                        index = u8()
                        value = varint()
                    elif b > REG_ESCAPE:
                        raise _Corrupt(f"register byte {b:#x}")
                    else:
                        rfile, index = b >> 5, b & 31
                        if rfile < 2:
                            regs = h.regs[rfile]
                            value = (regs[index] + _unzigzag(varint())) & MASK64
                            regs[index] = value
                        else:
                            value = varint()
                    writes.append((rfile, index, value))
                mem = []
                for _ in range(n_mem):
                    flags = u8()
                    size = flags >> 2
                    h.last_mem_addr = (h.last_mem_addr + _unzigzag(varint())) & MASK64
                    if flags & 2:
                        if not writes:
                            raise _Corrupt("memory value refers to a register write that is "
                                           "not there")
                        value = writes[0][2]
                        if size < 8:
                            value &= (1 << (8 * size)) - 1
                    else:
                        value = varint()
                    mem.append((h.last_mem_addr, value, size, bool(flags & 1)))
                instret = h.next_instret
                h.next_pc = (pc + length) & MASK64
                h.next_instret = (instret + 1) & MASK64
                counted[0] += 1
                yield Retired(instret, pc, raw, hart_id, h.priv, length, h.xlen, insn_class,
                              writes, mem)
            elif tag == TAG_TRAP:
                flags = u8()
                if flags >> 5:
                    raise _Corrupt(f"unknown trap flags {flags:#x}")
                instret = (h.next_instret + _unzigzag(varint())) & MASK64
                epc = (h.next_pc + _unzigzag(varint())) & MASK64
                cause = varint()
                tval = varint()
                handler = (epc + _unzigzag(varint())) & MASK64
                h.next_pc = handler
                counted[1] += 1
                yield Trap(instret, epc, cause, tval, handler, hart_id, (flags >> 1) & 3,
                           (flags >> 3) & 3, bool(flags & 1))
            elif tag == TAG_BUS:
                flags = u8()
                if flags >> 2:
                    raise _Corrupt(f"unknown bus flags {flags:#x}")
                size = u8()
                initiator = varint()
                if initiator > 0xFFFF:
                    raise _Corrupt(f"bus initiator {initiator}")
                last_bus_time = (last_bus_time + _unzigzag(varint())) & MASK64
                addr = varint()
                value = varint()
                counted[2] += 1
                yield Bus(last_bus_time, addr, value, size, bool(flags & 1), bool(flags & 2),
                          initiator)
            elif tag == TAG_HART:
                hart_id = varint()
                if hart_id > 0xFFFF:
                    raise _Corrupt(f"hart id {hart_id}")
                h = harts.get(hart_id)
                if h is None:
                    h = harts[hart_id] = _Hart(xlen0)
            elif tag == TAG_END:
                self.totals = (varint(), varint(), varint())
                if pos != end:
                    raise _Corrupt("data after the end record")
                return
            elif tag >= TAG_FIRST_EXTENSION:  # a later minor version's record
                n = varint()
                if n > end - pos:
                    raise _Corrupt("extension record runs past the block")
                pos += n
            else:
                raise _Corrupt(f"unknown record tag {tag:#x}")


def open_trace(path, silica=None):
    """A TraceReader for `path`; raises TraceError. A replay log is expanded
    by `silica replay` first: `silica` names the program (default: $SILICA,
    else silica on PATH)."""
    path = str(path)
    try:
        with open(path, "rb") as f:
            replay = f.read(8) == b"SILREPLY"
    except OSError:
        replay = False  # TraceReader says why it cannot be read
    if not replay:
        return TraceReader(path)
    silica = silica or os.environ.get("SILICA") or "silica"
    fd, expanded = tempfile.mkstemp(prefix="silica-replay-", suffix=".bin")
    os.close(fd)
    try:
        p = subprocess.run([silica, "replay", path, "--trace", expanded, "--trace-format", "bin"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=False)
        # The replayed guest's exit status is its own; 2 is silica's error.
        if p.returncode == 2 or p.returncode < 0:
            raise TraceError(f"{path}: '{silica} replay' could not expand the log "
                             f"(exit status {p.returncode})")
        reader = TraceReader(expanded)
    except OSError as e:
        os.unlink(expanded)
        raise TraceError(f"{path}: cannot run {silica}: {e.strerror}") from None
    except BaseException:
        os.unlink(expanded)
        raise
    reader._expanded_from = path  # pylint: disable=protected-access
    return reader


def format_spike(r):
    """The Spike --log-commits line of a Retired record (with its newline)."""
    xdigits = 8 if r.xlen == 32 else 16
    xmask = 0xFFFFFFFF if r.xlen == 32 else MASK64
    length = 4 if r.len == 0 else min(r.len, 8)
    raw = r.raw & ((1 << (8 * length)) - 1) if length < 4 else r.raw
    parts = [f"core{r.hart:4d}: {r.priv:1d} 0x{r.pc & xmask:0{xdigits}x} "
             f"(0x{raw:0{length * 2}x})"]
    for rfile, index, value in r.writes:
        if rfile > 1 or (rfile == 0 and index == 0):
            continue
        if rfile == 0:
            parts.append(f" x{index:<2d} 0x{value & xmask:0{xdigits}x}")
        else:
            parts.append(f" f{index:<2d} 0x{value:016x}")
    for addr, value, size, write in r.mem:
        if not write:
            parts.append(f" mem 0x{addr & xmask:0{xdigits}x}")
    for addr, value, size, write in r.mem:
        if write:
            digits = 2 if size == 0 else min(size * 2, 32)
            if digits < 16:
                value &= (1 << (4 * digits)) - 1
            parts.append(f" mem 0x{addr & xmask:0{xdigits}x} 0x{value:0{digits}x}")
    parts.append("\n")
    return "".join(parts)


def main(argv):
    if len(argv) != 3 or argv[1] != "text":
        print("usage: silica_trace.py text TRACE", file=sys.stderr)
        return 2
    out = sys.stdout
    batch = []
    try:
        with open_trace(argv[2]) as trace:
            for rec in trace:
                if isinstance(rec, Retired):
                    batch.append(format_spike(rec))
                    if len(batch) >= 4096:
                        out.write("".join(batch))
                        batch = []
            out.write("".join(batch))
    except TraceError as e:
        out.write("".join(batch))
        out.flush()
        print(f"silica_trace.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
