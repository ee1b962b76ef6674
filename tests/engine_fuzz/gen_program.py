#!/usr/bin/env python3
"""Random valid RISC-V programs for the differential engine fuzzer.

The instruction set comes from the ISA descriptions (isa/riscv/*.isa), read by
the project's own description compiler (codegen/silica_isa): every encoding's
fixed bits and operand fields are taken from there, each generated word is
decoded back with the descriptions' mask/match (group priority included) and
must name the instruction it was built for. What the descriptions cannot say
is how to keep a random program inside itself; that is the conventions below.

Program image (little-endian, loaded at RAM_BASE, pc starts at its first byte):

  prologue   mtvec := handler; base registers := scratch addresses;
             data registers := values from a pool in the scratch area;
             mstatus.FS := Initial, frm := a random mode (invalid ones too),
             f0-f31 := NaN-boxed singles, doubles and badly boxed values
             from a second pool (on a hart without F or D these trap and
             are skipped, like any other illegal instruction)
  handler    the trap handler: mepc += length of the instruction at mepc; mret
  body       random snippets, then the terminator `j .` (jal x0, 0)
  scratch    SCRATCH_SIZE bytes of random data and edge values, page aligned

Register conventions (the body never writes the reserved ones):

  sp gp s0 s1   base registers, aligned, pointing into the scratch area
  tp            a misaligned base (scratch + odd offset)
  s10           a base that points at nothing (address 0): access faults
  s11           loop counter      t3  self-modifying-code value
  t4            jump-target temp  t5 t6  trap handler temps
  the rest      data registers, most picks from a small favourite set

Control flow only goes forward: branch and jump targets are later snippet
starts (never the middle of a snippet), except the back edge of bounded
loops, whose bodies only branch within themselves. Self-modifying snippets
store a new instruction over a plain one and run fence.i; inside a loop they
mostly patch an instruction the loop already ran. Register jumps (jalr,
c.jr, c.jalr) and mret get their target from an auipc/addi snippet. Traps
(illegal encodings, misaligned or faulting accesses, ecall, ebreak, CSR
rules, misaligned jump targets without C) are expected: the handler skips the
trapping instruction. wfi parks the hart; the harness wakes it.

Usage:
  gen_program.py --xlen 64 --seed 7 --count 300 -o prog.bin [--listing]
  gen_program.py --xlen 64 --seeds 1:20 --count 300 --out-dir DIR --prefix rv64
  gen_program.py --xlen 64 --seeds 1:20 --count 300 --coverage
"""

import argparse
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "codegen"))

from silica_isa.compile import compile_isa  # noqa: E402
from silica_isa.errors import IsaError  # noqa: E402

# The same files, in the same order, as cores/CMakeLists.txt compiles.
DEFAULT_ISA_FILES = [os.path.join(ROOT, "isa", "riscv", f) for f in (
    "base.isa", "rv_i.isa", "rv_m.isa", "rv_a.isa", "rv_f.isa", "rv_d.isa", "rv_c.isa",
    "zicsr.isa", "zifencei.isa", "priv.isa", "smode.isa", "umode.isa", "sstc.isa")]

RAM_BASE = 0x80000000
SCRATCH_SIZE = 0x4000
TERMINATOR = 0x0000006F  # jal x0, 0: the harness stops when pc reaches it

ZERO, RA, SP, GP, TP = 0, 1, 2, 3, 4
S0, S1, S10, S11, T3, T4, T5, T6 = 8, 9, 26, 27, 28, 29, 30, 31
# Aligned bases and where in the scratch area they point. Immediates reach
# +-2 KiB around gp/s0/s1, sp moves by up to 496 bytes inside c.addi16sp pairs;
# every access stays within the scratch area.
BASE_OFFSETS = {GP: 0x1000, S0: 0x2000, S1: 0x2800, SP: 0x3000}
MISALIGNED_BASE, MISALIGNED_OFFSET = TP, 0x1801
FAULT_BASE = S10
LOOP_COUNTER, SMC_VALUE, JUMP_TEMP = S11, T3, T4
HANDLER_TEMPS = (T5, T6)
RESERVED = {SP, GP, TP, S0, S1, S10, S11, T3, T4, T5, T6}
DATA_REGS = [RA, 5, 6, 7] + list(range(10, 26))
FAVOURITE_REGS = [RA, 5, 6, 10, 11, 12, 13, 14, 15]
POOL_OFFSET = 0x800  # the data registers' initial values, 8 bytes each, in the scratch area
FP_POOL_OFFSET = 0x900  # f0-f31's initial values
MSTATUS_FS_INITIAL = 0x2000
# Floating-point instructions are many; each is drawn less often, so the
# others keep their share of every program.
FP_WEIGHT = 0.5
# How often a snippet picks an instruction this program has not used yet
# (uniformly among them), so that each program covers much of the ISA.
UNSEEN_SHARE = 0.1

# Instructions never generated, with the reason. Every other described
# instruction has a safe way in (see kind_of); an instruction the generator
# does not know how to keep safe is an error, not a silent omission.
EXCLUDED = {
    "sret": "returns to sepc in the mode of mstatus.SPP; the body never sets either up "
            "(mret covers trap return)",
    "sfence.vma": "only drops cached translations, which M-mode programs with satp Bare "
                  "cannot observe (tests/programs covers it under translation)",
}

# Operand-less system instructions whose effect is a trap (skipped by the
# handler) or a wait (woken by the harness).
SAFE_SYSTEM = {"ecall", "ebreak", "c.ebreak", "wfi"}
# CSR instructions that write the CSR whatever their source operand is; the
# others (csrrs/csrrc/csrrsi/csrrci) write only when it is non-zero.
CSR_ALWAYS_WRITES = {"csrrw", "csrrwi"}
# CSRs the body may read but never write: the handler address, and the
# counters the harness synchronises the two engines on.
CSR_NO_WRITE = {"mtvec", "mcycle", "mcycleh", "minstret", "minstreth"}

EDGE_VALUES = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
               0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000,
               0xFFFFFFFFFFFFFFFF, 0xFFFFFFFF80000000, 0xFFFFFFFFFFFFFFFE]
# Binary32 and binary64 values floating point is hard on: signed zeros,
# infinities, quiet and signalling NaNs, subnormals, the overflow threshold,
# integer conversion limits (2^31, 2^63), ties (0.5, 2.5).
F32_EDGES = [0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000,
             0x7FC00000, 0x7F800001, 0xFFC00001, 0x00000001, 0x807FFFFF, 0x00800000,
             0x7F7FFFFF, 0x4F000000, 0xCF000000, 0x5F000000, 0x3F000000, 0x40200000,
             0x33800000, 0x3F800001]
F64_EDGES = [0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000,
             0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0x7FF0000000000001,
             0x0000000000000001, 0x800FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF,
             0x41E0000000000000, 0xC1E0000000000000, 0x43E0000000000000, 0x3FE0000000000000,
             0x4004000000000000, 0x3CA0000000000000, 0x3FF0000000000001, 0x47EFFFFFE0000000]


class GenError(Exception):
    pass


# -- encodings, straight from the descriptions ---------------------------------------

def field_range(f):
    """(lowest, highest, step) of the values field f can encode."""
    zeros = 0
    for s in reversed(f.slices):
        if not s.zeros:
            break
        zeros += s.zeros
    w = f.width
    if f.signed:
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - (1 << zeros)
    else:
        lo, hi = 0, (1 << w) - (1 << zeros)
    return lo + f.offset, hi + f.offset, 1 << zeros


def field_encode(f, value):
    lo, hi, step = field_range(f)
    if not (lo <= value <= hi) or (value - f.offset) % step:
        raise GenError(f"{value} does not fit field {f.name}")
    v = (value - f.offset) & ((1 << f.width) - 1)
    word, shift = 0, 0
    for s in reversed(f.slices):  # least significant slice first
        if s.zeros:
            shift += s.zeros
            continue
        word |= ((v >> shift) & ((1 << s.width) - 1)) << s.lo
        shift += s.width
    return word


def field_decode(f, word):
    v, shift = 0, 0
    for s in reversed(f.slices):
        if s.zeros:
            shift += s.zeros
            continue
        v |= ((word >> s.lo) & ((1 << s.width) - 1)) << shift
        shift += s.width
    if f.signed and v >> (f.width - 1):
        v -= 1 << f.width
    return v + f.offset


class Encoder:
    def __init__(self, isa, xlen, compressed):
        self.isa = isa
        self.xlen = xlen
        # Decoding considers every instruction of this XLEN, in description
        # order: encodings only overlap inside groups, where the first wins.
        self.all = [i for i in isa.instructions if xlen in i.xlens]
        self.insns = [i for i in self.all if compressed or i.extension != "C"]
        self.by_name = {i.name: i for i in self.insns}
        self.csrs = [c for c in isa.csrs if xlen in c.xlens]

    def decode(self, word):
        length = 4 if word & 3 == 3 else 2
        if length == 2:
            word &= 0xFFFF
        for i in self.all:
            if i.length == length and word & i.mask == i.match:
                return i
        return None

    def operand_bits(self, insn):
        bits = 0
        for op in insn.fmt.operands:
            bits |= op.field.bit_mask()
        return bits

    def encode(self, insn, values, reserved_bits=0):
        word = insn.match
        for op in insn.fmt.operands:
            word |= field_encode(op.field, values[op.name])
        free = ((1 << (8 * insn.length)) - 1) & ~insn.mask & ~self.operand_bits(insn)
        return word | (reserved_bits & free)

    def check(self, insn, word, values):
        """The word decodes to insn, with these operand values."""
        got = self.decode(word)
        if got is not insn:
            return False
        return all(field_decode(op.field, word) == values[op.name] for op in insn.fmt.operands)


# -- what each instruction needs to stay inside the program ----------------------------

def pcrel_operands(insn):
    return [op.name for op in insn.fmt.operands if "{%s:pcrel}" % op.name in insn.asm]


def kind_of(insn):
    """How the generator makes insn safe; GenError for an instruction it cannot."""
    reserved_fixed = [r for r in insn.fixed_writes if r in RESERVED]
    if insn.name == "mret":
        return "mret"
    if reserved_fixed:
        ops = [op.name for op in insn.fmt.operands]
        if reserved_fixed == [SP] and ops == ["imm"] and not insn.ends_block:
            return "sp_adjust"  # c.addi16sp: emitted as a pair that restores sp
        raise GenError(f"{insn.name} writes reserved register(s) {reserved_fixed}")
    if pcrel_operands(insn):
        return "pcrel"
    if insn.iclass.name == "jump":
        reg_reads = [op.name for op in insn.fmt.operands
                     if op.field.kind == "reg" and op.name in insn.reads]
        if reg_reads == ["rs1"]:
            return "regjump"
        raise GenError(f"{insn.name}: a jump whose target the generator cannot control")
    if insn.iclass.name == "system" or (insn.ends_block and not insn.serializing):
        if insn.name in SAFE_SYSTEM:
            return "simple"
        raise GenError(f"{insn.name}: unknown system/control instruction; teach "
                       "tests/engine_fuzz/gen_program.py how to keep it safe or add it "
                       "to EXCLUDED with a reason")
    if insn.name.startswith("lr."):
        return "lr"
    return "simple"


def is_memory(insn):
    return insn.iclass.name in ("load", "store", "atomic")


def reads_sp(insn):
    return "X[2]" in insn.body_text and insn.name != "c.addi16sp"


# -- program construction --------------------------------------------------------------

class Item:
    """One instruction (or an illegal word) of the program."""

    def __init__(self, insn, values=None, word=None, body=False, note=""):
        self.insn = insn
        self.values = dict(values or {})
        self.word = word
        self.addr = None
        self.resolve = None  # called after layout to fill in address-dependent operands
        self.reserved_bits = 0
        self.body = body
        self.region = None
        self.patchable = False
        self.note = note

    @property
    def length(self):
        if self.insn is not None:
            return self.insn.length
        return 4 if self.word & 3 == 3 else 2


class Program:
    def __init__(self, enc, seed, count, compressed, loop_iterations=(2, 6)):
        self.enc = enc
        self.loop_iterations = loop_iterations
        self.xlen = enc.xlen
        self.rng = random.Random(seed)
        self.count = count
        self.compressed = compressed
        self.items = []
        self.emitted = set()  # names of the body's instructions so far
        self.boundaries = []  # (item index, region): where a snippet starts
        self.branches = []    # (item index, region, on_target(item_addr, target_addr))
        self.smc = []         # (auipc index, lui, addi, store, fence.i index)
        self.regions = 0
        self.scratch = None
        self.handler_addr = None
        self.kinds = {}
        for insn in enc.insns:
            if insn.name not in EXCLUDED:
                self.kinds[insn.name] = kind_of(insn)
        self.weights = [(insn, self.weight(insn)) for insn in enc.insns
                        if insn.name not in EXCLUDED]

    def weight(self, insn):
        kind = self.kinds[insn.name]
        if "F" in insn.operand_files.values() or insn.extension in ("F", "D"):
            return FP_WEIGHT
        if insn.iclass.name == "system":
            return 0.3
        if insn.iclass.name == "csr":
            return 0.6
        if kind in ("pcrel", "regjump") and insn.iclass.name == "jump":
            return 0.6  # each one skips code
        return 1.0

    # -- operands --------------------------------------------------------------
    def pick(self, choices):
        return choices[self.rng.randrange(len(choices))]

    def regs_in(self, f, pool):
        lo, hi, _ = field_range(f)
        return [r for r in pool if lo <= r <= hi]

    def reg_dest(self, f):
        r = self.rng.random()
        if r < 0.06 and self.regs_in(f, [ZERO]):
            return ZERO
        fav = self.regs_in(f, FAVOURITE_REGS)
        if r < 0.8 and fav:
            return self.pick(fav)
        return self.pick(self.regs_in(f, DATA_REGS))

    def reg_src(self, f):
        fav = self.regs_in(f, FAVOURITE_REGS)
        if self.rng.random() < 0.75 and fav:
            return self.pick(fav)
        return self.pick(self.regs_in(f, range(32)))

    def reg_base(self, f):
        r = self.rng.random()
        if r < 0.05 and self.regs_in(f, [FAULT_BASE]):
            return FAULT_BASE
        if r < 0.12 and self.regs_in(f, [MISALIGNED_BASE]):
            return MISALIGNED_BASE
        return self.pick(self.regs_in(f, list(BASE_OFFSETS)))

    def imm(self, f, name):
        lo, hi, step = field_range(f)
        r = self.rng.random()
        if name.startswith("shamt") and r < 0.85:
            return min(hi, self.rng.randrange(0, self.xlen))
        if r < 0.15:
            v = self.pick([lo, hi, 0, step, -step, f.offset])
        elif r < 0.4:
            v = self.rng.randint(-8, 8) * step
        else:
            return self.rng.randrange(lo, hi + 1, step)
        return min(hi, max(lo, v))

    def csr(self, insn):
        """A CSR number this instruction may safely use, and whether its source
        operand must be zero (so that csrrs/csrrc/... only read)."""
        names = {c.name: c for c in self.enc.csrs}
        writable = [c.number for c in self.enc.csrs if c.name not in CSR_NO_WRITE]
        read_only_use = [names[n].number for n in sorted(CSR_NO_WRITE) if n in names]
        r = self.rng.random()
        if r < 0.08:
            described = {c.number for c in self.enc.csrs}
            while True:
                n = self.rng.randrange(0, 4096)
                if n not in described:
                    return n, False  # not described: illegal whatever it does
        if r < 0.35 and insn.name not in CSR_ALWAYS_WRITES:
            return self.pick(read_only_use), True
        return self.pick(writable), False

    def operands(self, insn, fixed=None):
        """Random operand values by role; `fixed` overrides some."""
        fixed = fixed or {}
        values = {}
        zero_sources = False
        if insn.iclass.name == "csr":
            number, zero_sources = self.csr(insn)
            for op in insn.fmt.operands:
                if op.field.kind == "csr":
                    values[op.name] = number
        for op in insn.fmt.operands:
            f, name = op.field, op.name
            if name in fixed:
                values[name] = fixed[name]
            elif name in values:
                continue
            elif f.kind == "reg":
                if is_memory(insn) and name == "rs1":
                    values[name] = self.reg_base(f)
                elif name in insn.writes:
                    values[name] = self.reg_dest(f)
                elif zero_sources:
                    values[name] = 0
                else:
                    values[name] = self.reg_src(f)
            elif f.kind == "csr":
                values[name] = self.pick([c.number for c in self.enc.csrs])
            elif zero_sources:
                values[name] = 0
            else:
                values[name] = self.imm(f, name)
        return values

    def reserved_bits(self):
        """Bits outside fixed bits and operands (fence's fm/rs1/rd, ...): zero
        mostly, random sometimes; the decoder ignores them."""
        return self.rng.getrandbits(32) if self.rng.random() < 0.2 else 0

    def make(self, insn, fixed=None, body=True, note=""):
        """An Item for insn whose word decodes back to insn (retries operands
        that would decode as a higher-priority group member, e.g. c.add x0)."""
        for _ in range(100):
            values = self.operands(insn, fixed)
            item = Item(insn, values, body=body, note=note)
            item.reserved_bits = self.reserved_bits()
            word = self.enc.encode(insn, values, item.reserved_bits)
            if self.enc.check(insn, word, values):
                item.word = word
                return item
        raise GenError(f"cannot build a word that decodes as {insn.name}")

    def fixed_item(self, name, body=False, note="", **values):
        insn = self.enc.by_name[name]
        item = Item(insn, values, body=body, note=note)
        item.word = self.enc.encode(insn, values)
        if not self.enc.check(insn, item.word, values):
            raise GenError(f"{name} {values} does not encode")
        return item

    # -- emission --------------------------------------------------------------
    def emit(self, item, region, boundary=False):
        if item.body and item.insn is not None:
            self.emitted.add(item.insn.name)
        if boundary:
            self.boundaries.append((len(self.items), region))
        item.region = region
        self.items.append(item)
        return len(self.items) - 1

    def emit_branch(self, item, region, on_target, boundary=False):
        index = self.emit(item, region, boundary)
        self.branches.append((index, region, on_target))
        return index

    def set_operand(self, item, name, value):
        item.values[name] = value
        item.word = self.enc.encode(item.insn, item.values, item.reserved_bits)
        if not self.enc.check(item.insn, item.word, item.values):
            raise GenError(f"{item.insn.name} {item.values} does not encode")

    def choose_insn(self, simple_only=False, length=None):
        pool = self.weights
        if simple_only:
            pool = [(i, w) for i, w in pool if self.kinds[i.name] == "simple"
                    and not i.ends_block and (length is None or i.length == length)]
        elif self.rng.random() < UNSEEN_SHARE:
            unseen = [(i, w) for i, w in pool if i.name not in self.emitted]
            if unseen:
                return self.pick(unseen)[0]
        total = sum(w for _, w in pool)
        x = self.rng.random() * total
        for insn, w in pool:
            x -= w
            if x < 0:
                return insn
        return pool[-1][0]

    def misalign_noise(self):
        """Without C, a jump to a 2-byte aligned target raises
        instruction-address-misaligned; now and then, make one."""
        return 2 if not self.compressed and self.rng.random() < 0.05 else 0

    def snippet(self, region):
        """One snippet; returns the number of body instructions it added."""
        rng = self.rng
        r = rng.random()
        if r < 0.02:
            return self.illegal_snippet(region)
        if r < 0.05:
            return self.smc_snippet(region)
        if r < 0.08:
            return self.straight_snippet(region)
        insn = self.choose_insn()
        kind = self.kinds[insn.name]
        if kind == "pcrel":
            item = self.make(insn)
            name = pcrel_operands(insn)[0]
            noise = self.misalign_noise()

            def on_target(at, target, it=item, n=name, d=noise):
                self.set_operand(it, n, target - at + d)
            self.emit_branch(item, region, on_target, boundary=True)
            return 1
        if kind == "regjump":
            return self.regjump_snippet(insn, region)
        if kind == "mret":
            return self.mret_snippet(insn, region)
        if kind == "sp_adjust":
            return self.sp_adjust_snippet(insn, region)
        if kind == "lr" and rng.random() < 0.6:
            return self.lrsc_snippet(insn, region)
        item = self.make(insn)
        item.patchable = item.length == 4 and not insn.ends_block
        self.emit(item, region, boundary=True)
        return 1

    def straight_snippet(self, region):
        """A long run of instructions that do not end a block, for engines
        that optimise across a block's instructions."""
        n = self.rng.randint(8, 24)
        for _ in range(n):
            item = self.make(self.choose_insn(simple_only=True))
            item.patchable = item.length == 4
            self.emit(item, region, boundary=True)
        return n

    def illegal_snippet(self, region):
        rng = self.rng
        for _ in range(1000):
            if self.compressed and rng.random() < 0.5:
                word = rng.getrandbits(16)
                if word & 3 == 3:
                    continue
            else:
                word = rng.getrandbits(32) | 3
                if word & 0x1C == 0x1C:
                    continue  # 48-bit and longer encodings: length conventions differ
            if self.enc.decode(word) is None:
                self.emit(Item(None, word=word, body=True, note="illegal"), region, boundary=True)
                return 1
        raise GenError("no illegal encoding found")

    def regjump_snippet(self, insn, region):
        """auipc t4, 0; [addi t4, t4, off]; jalr/c.jr/c.jalr through t4."""
        auipc = self.fixed_item("auipc", body=True, rd=JUMP_TEMP, imm=0)
        self.emit(auipc, region, boundary=True)
        ops = [op.name for op in insn.fmt.operands]
        jump = self.make(insn, fixed={"rs1": JUMP_TEMP})
        noise = (1 if self.rng.random() < 0.3 else 0) + self.misalign_noise()
        if "imm" in ops:
            def on_target(at, target, it=jump, a=auipc, d=noise):
                self.set_operand(it, "imm", target - a.addr + d)
        else:
            addi = self.fixed_item("addi", body=True, rd=JUMP_TEMP, rs1=JUMP_TEMP, imm=0)
            self.emit(addi, region)

            def on_target(at, target, it=addi, a=auipc, d=noise):
                self.set_operand(it, "imm", target - a.addr + d)
        self.emit_branch(jump, region, on_target)
        return 2 if "imm" in ops else 3

    def mret_snippet(self, insn, region):
        """auipc t4, 0; addi t4, t4, off; csrw mepc, t4; mret."""
        mepc = next(c.number for c in self.enc.csrs if c.name == "mepc")
        auipc = self.fixed_item("auipc", body=True, rd=JUMP_TEMP, imm=0)
        addi = self.fixed_item("addi", body=True, rd=JUMP_TEMP, rs1=JUMP_TEMP, imm=0)
        csrw = self.fixed_item("csrrw", body=True, rd=ZERO, rs1=JUMP_TEMP, csr=mepc)
        mret = self.make(insn)
        self.emit(auipc, region, boundary=True)
        self.emit(addi, region)
        self.emit(csrw, region)
        noise = self.rng.random() < 0.3

        def on_target(at, target, it=addi, a=auipc, d=int(noise)):
            self.set_operand(it, "imm", target - a.addr + d)
        self.emit_branch(mret, region, on_target)
        return 4

    def sp_adjust_snippet(self, insn, region):
        """c.addi16sp sp, v; an sp-relative access; c.addi16sp sp, -v."""
        lo, hi, step = field_range(insn.fmt.operands[0].field)
        limit = min(-lo, hi) // step
        v = 0 if self.rng.random() < 0.05 else self.rng.randint(-limit, limit) * step
        self.emit(self.make(insn, fixed={"imm": v}), region, boundary=True)
        users = [i for i in self.enc.insns if reads_sp(i) and self.kinds.get(i.name) == "simple"]
        middle = self.pick(users) if users else self.choose_insn(simple_only=True)
        self.emit(self.make(middle), region)
        self.emit(self.make(insn, fixed={"imm": -v}), region)
        return 3

    def lrsc_snippet(self, insn, region):
        """lr.x rd, (b); up to two ALU instructions; sc.x rd2, rs2, (b)."""
        base = self.reg_base(next(op.field for op in insn.fmt.operands if op.name == "rs1"))
        self.emit(self.make(insn, fixed={"rs1": base}), region, boundary=True)
        n = 1
        for _ in range(self.rng.randrange(3)):
            alu = self.choose_insn(simple_only=True)
            while is_memory(alu) or alu.iclass.name in ("csr", "system", "fence"):
                alu = self.choose_insn(simple_only=True)
            self.emit(self.make(alu), region)
            n += 1
        sc = self.enc.by_name.get("sc." + insn.name.split(".", 1)[1])
        if sc is not None:
            self.emit(self.make(sc, fixed={"rs1": base}), region)
            n += 1
        return n

    def smc_snippet(self, region):
        """lui t3, hi; addi t3, t3, lo; auipc t4, 0; sw t3, off(t4); fence.i:
        replaces a plain 4-byte instruction with another one (see resolve)."""
        lui = self.fixed_item("lui", body=True, rd=SMC_VALUE, imm=0)
        addi = self.fixed_item("addi", body=True, rd=SMC_VALUE, rs1=SMC_VALUE, imm=0)
        auipc = self.fixed_item("auipc", body=True, rd=JUMP_TEMP, imm=0)
        store = self.fixed_item("sw", body=True, rs1=JUMP_TEMP, rs2=SMC_VALUE, imm=0)
        fence = self.make(self.enc.by_name["fence.i"])
        self.emit(lui, region, boundary=True)
        self.emit(addi, region)
        a = self.emit(auipc, region)
        self.emit(store, region)
        f = self.emit(fence, region)
        self.smc.append((a, lui, addi, store, f))
        return 5

    def loop(self):
        """addi s11, x0, N; body; addi s11, s11, -1; bne s11, x0, body."""
        self.regions += 1
        region = self.regions
        iterations = self.rng.randint(*self.loop_iterations)
        head = self.fixed_item("addi", body=True, rd=LOOP_COUNTER, rs1=ZERO, imm=iterations)
        self.emit(head, 0, boundary=True)
        start = len(self.items)
        n = 1
        for _ in range(self.rng.randint(2, 10)):
            n += self.snippet(region)
        dec = self.fixed_item("addi", body=True, rd=LOOP_COUNTER, rs1=LOOP_COUNTER, imm=-1)
        back = self.fixed_item("bne", body=True, rs1=LOOP_COUNTER, rs2=ZERO, imm=0)
        self.emit(dec, region, boundary=True)
        b = self.emit(back, region)
        self.backedges.append((b, start))
        return n + 2

    # -- the whole program -------------------------------------------------------
    def build(self):
        self.backedges = []
        self.prologue()
        n = 0
        while n < self.count:
            if self.rng.random() < 0.06:
                n += self.loop()
            else:
                n += self.snippet(0)
        self.emit(Item(self.enc.by_name["jal"], {"rd": 0, "imm": 0}, word=TERMINATOR,
                       note="end"), 0, boundary=True)
        self.layout()
        self.resolve()
        return self.image()

    def prologue(self):
        csr = {c.name: c.number for c in self.enc.csrs}
        items = []

        def pc_relative(rd, target_fn):
            """auipc rd, hi; addi rd, rd, lo, for an address known after layout."""
            auipc = self.fixed_item("auipc", rd=rd, imm=0)
            addi = self.fixed_item("addi", rd=rd, rs1=rd, imm=0)

            def fix(auipc=auipc, addi=addi, target_fn=target_fn):
                delta = target_fn() - auipc.addr
                lo = ((delta & 0xFFF) ^ 0x800) - 0x800
                self.set_operand(auipc, "imm", delta - lo)
                self.set_operand(addi, "imm", lo)
            addi.resolve = fix
            items.extend([auipc, addi])

        pc_relative(T5, lambda: self.handler_addr)
        items.append(self.fixed_item("csrrw", rd=ZERO, rs1=T5, csr=csr["mtvec"]))
        for reg, offset in list(BASE_OFFSETS.items()) + [(MISALIGNED_BASE, MISALIGNED_OFFSET)]:
            pc_relative(reg, lambda offset=offset: self.scratch + offset)
        load = "ld" if self.xlen == 64 else "lw"
        for k, reg in enumerate(DATA_REGS):
            items.append(self.fixed_item(load, rd=reg, rs1=GP,
                                         imm=POOL_OFFSET + 8 * k - BASE_OFFSETS[GP]))
        items.append(self.fixed_item("csrrw", rd=ZERO, rs1=5, csr=csr["mscratch"]))
        # Floating point on, a random dynamic rounding mode (5-7 are invalid:
        # instructions using them trap), the F registers from their pool.
        items.append(self.fixed_item("lui", rd=T5, imm=MSTATUS_FS_INITIAL))
        items.append(self.fixed_item("csrrs", rd=ZERO, rs1=T5, csr=csr["mstatus"]))
        items.append(self.fixed_item("csrrwi", rd=ZERO, zimm=self.rng.randrange(8),
                                     csr=csr["frm"]))
        for k in range(32):
            items.append(self.fixed_item("fld", rd=k, rs1=GP,
                                         imm=FP_POOL_OFFSET + 8 * k - BASE_OFFSETS[GP]))
        # One trap before the body: after reset mstatus.MPP reads as M but holds
        # 0, so an mret before any trap would drop a machine-only hart to U.
        items.append(self.fixed_item("ecall"))
        to_body = self.fixed_item("jal", rd=ZERO, imm=0, note="to body")
        items.append(to_body)
        for item in items:
            self.emit(item, -1)
        # The handler: skip the instruction at mepc (2 or 4 bytes) and return.
        t5, t6 = HANDLER_TEMPS
        handler = [
            self.fixed_item("csrrs", rd=t5, rs1=ZERO, csr=csr["mepc"], note="trap handler"),
            self.fixed_item("lhu", rd=t6, rs1=t5, imm=0),
            self.fixed_item("andi", rd=t6, rs1=t6, imm=3),
            self.fixed_item("addi", rd=t6, rs1=t6, imm=-3),
            self.fixed_item("bne", rs1=t6, rs2=ZERO, imm=8),
            self.fixed_item("addi", rd=t5, rs1=t5, imm=2),
            self.fixed_item("addi", rd=t5, rs1=t5, imm=2),
            self.fixed_item("csrrw", rd=ZERO, rs1=t5, csr=csr["mepc"]),
            self.fixed_item("mret"),
        ]
        first = self.emit(handler[0], -1)
        for item in handler[1:]:
            self.emit(item, -1)
        self.handler_index = first
        to_body.resolve = lambda: self.set_operand(
            to_body, "imm", self.items[self.handler_index + len(handler)].addr - to_body.addr)

    def layout(self):
        addr = RAM_BASE
        for item in self.items:
            item.addr = addr
            addr += item.length
        self.code_end = addr
        self.scratch = (addr + 0xFFF) & ~0xFFF
        self.handler_addr = self.items[self.handler_index].addr
        if self.handler_addr % 4:
            raise GenError("trap handler is not 4-byte aligned")

    def targets(self, index, region):
        """Later snippet starts of the same region (top level: loop heads and
        the terminator included; loops: their own body and tail)."""
        return [self.items[i].addr for i, r in self.boundaries if i > index and r == region]

    def resolve(self):
        rng = self.rng
        for item in self.items:
            if item.resolve is not None:
                item.resolve()
        for index, region, on_target in self.branches:
            item = self.items[index]
            fits = []
            for target in self.targets(index, region)[:8]:
                try:
                    on_target(item.addr, target)  # probing; the final call below wins
                    fits.append(target)
                except GenError:
                    pass
            if not fits:
                raise GenError(f"no branch target in range for {item.insn.name} at "
                               f"{item.addr:#x}")
            target = fits[0] if rng.random() < 0.45 else self.pick(fits[:6])
            on_target(item.addr, target)
        for b, start in self.backedges:
            item = self.items[b]
            self.set_operand(item, "imm", self.items[start].addr - item.addr)
        for a, lui, addi, store, f in self.smc:
            auipc = self.items[a]
            # In a loop, mostly an instruction earlier in the same body: it runs
            # (and gets translated) in the first iteration, then is patched,
            # then must run patched. Otherwise a later one.
            earlier = [it for it in self.items[:a - 2]
                       if it.region == auipc.region and auipc.region > 0 and it.patchable
                       and auipc.addr - it.addr <= 2048]
            later = [it for it in self.items[f + 1:f + 200]
                     if it.patchable and it.addr - auipc.addr < 2048]
            if earlier and (rng.random() < 0.75 or not later):
                later = earlier
            if later:
                target = self.pick(later)
                insn = self.choose_insn(simple_only=True, length=4)
                replacement = self.make(insn, body=False)
                word = replacement.word
                target.note = f"patched to {word:#010x} ({insn.name})"
            else:
                target, word = auipc, auipc.word  # rewrite an instruction with itself
            lo = ((word & 0xFFF) ^ 0x800) - 0x800
            hi = (word - lo) & 0xFFFFFFFF
            hi = hi - (1 << 32) if hi >> 31 else hi
            self.set_operand(lui, "imm", hi)
            self.set_operand(addi, "imm", lo)
            self.set_operand(store, "imm", target.addr - auipc.addr)
            store.note = f"smc -> {target.addr:#x}"

    def image(self):
        rng = self.rng
        size = self.scratch + SCRATCH_SIZE - RAM_BASE
        img = bytearray(size)
        for item in self.items:
            off = item.addr - RAM_BASE
            img[off:off + item.length] = item.word.to_bytes(item.length, "little")
        s = self.scratch - RAM_BASE
        mask = (1 << 64) - 1
        for k in range(SCRATCH_SIZE // 8):
            r = rng.random()
            if r < 0.2:
                v = self.pick(EDGE_VALUES)
            elif r < 0.3:
                v = self.fp_value()
            elif r < 0.45:
                v = rng.randint(-64, 64) & mask
            else:
                v = rng.getrandbits(64)
            img[s + 8 * k:s + 8 * k + 8] = struct.pack("<Q", v)
        # Data registers' initial values: edge values half the time.
        for k in range(len(DATA_REGS)):
            v = self.pick(EDGE_VALUES) if rng.random() < 0.5 else rng.getrandbits(64)
            if self.xlen == 32 and rng.random() < 0.5:
                v = self.pick([0x80000000, 0xFFFFFFFF, 0x7FFFFFFF, 1, 0]) | (v & ~0xFFFFFFFF)
            o = s + POOL_OFFSET + 8 * k
            img[o:o + 8] = struct.pack("<Q", v & mask)
        for k in range(32):
            o = s + FP_POOL_OFFSET + 8 * k
            img[o:o + 8] = struct.pack("<Q", self.fp_value())
        return bytes(img)

    def fp_value(self):
        """An F register's worth: a NaN-boxed single (mostly), a double, or
        a single whose box is broken (it reads as the canonical NaN)."""
        rng = self.rng
        r = rng.random()
        single = self.pick(F32_EDGES) if rng.random() < 0.5 else rng.getrandbits(32)
        if r < 0.45:
            return 0xFFFFFFFF00000000 | single
        if r < 0.9:
            return self.pick(F64_EDGES) if rng.random() < 0.5 else rng.getrandbits(64)
        return (rng.getrandbits(32) << 32) | single

    def listing(self):
        lines = []
        for item in self.items:
            name = item.insn.name if item.insn is not None else "(illegal)"
            ops = " ".join(f"{k}={v:#x}" if k in ("imm", "csr") else f"{k}={v}"
                           for k, v in item.values.items())
            note = f"   # {item.note}" if item.note else ""
            width = 8 if item.length == 4 else 4
            lines.append(f"{item.addr:#x}: {item.word:0{width}x}  {name} {ops}{note}")
        return "\n".join(lines)

    def body_names(self):
        """Instruction names of the body, decoded back from the words."""
        names = []
        for item in self.items:
            if not item.body:
                continue
            insn = self.enc.decode(item.word)
            if item.insn is None:
                if insn is not None:
                    raise GenError(f"illegal word {item.word:#x} decodes as {insn.name}")
                names.append("(illegal)")
                continue
            if insn is not item.insn:
                raise GenError(f"{item.addr:#x}: built {item.insn.name}, decodes as "
                               f"{insn.name if insn else 'nothing'}")
            names.append(insn.name)
        return names


def generate(enc, seed, count, compressed, loop_iterations=(2, 6)):
    prog = Program(enc, seed, count, compressed, loop_iterations)
    img = prog.build()
    prog.body_names()  # checks every word decodes as what it was built for
    return prog, img


def parse_seeds(text):
    if ":" in text:
        a, b = text.split(":")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--isa-files", nargs="+", default=DEFAULT_ISA_FILES,
                    help="description files, base file first")
    ap.add_argument("--xlen", type=int, choices=(32, 64), required=True)
    ap.add_argument("--no-compressed", action="store_true",
                    help="leave out the C extension (for a hart without it)")
    ap.add_argument("--count", type=int, default=300, help="body instructions (at least)")
    ap.add_argument("--loop-iterations", default="2:6", metavar="MIN:MAX",
                    help="iterations of each bounded loop (larger: hot code for a DBT)")
    ap.add_argument("--seed", type=int, help="one program")
    ap.add_argument("--seeds", help="several: A:B (inclusive) or A,B,C")
    ap.add_argument("-o", "--output", help="output file (with --seed)")
    ap.add_argument("--out-dir", help="output directory (with --seeds)")
    ap.add_argument("--prefix", default="prog", help="file name prefix for --out-dir")
    ap.add_argument("--listing", action="store_true", help="print the program on stdout")
    ap.add_argument("--coverage", action="store_true",
                    help="report how often each instruction was generated; exit status 1 "
                         "if any non-excluded instruction never was")
    args = ap.parse_args(argv)
    seeds = parse_seeds(args.seeds) if args.seeds else [args.seed if args.seed is not None
                                                         else 1]
    lo, _, hi = args.loop_iterations.partition(":")
    iterations = (int(lo), int(hi or lo))
    if not 1 <= iterations[0] <= iterations[1] <= 2047:
        ap.error("--loop-iterations: 1 <= MIN <= MAX <= 2047")
    try:
        isa = compile_isa(args.isa_files)
        enc = Encoder(isa, args.xlen, not args.no_compressed)
        tally = {i.name: 0 for i in enc.insns}
        tally["(illegal)"] = 0
        for seed in seeds:
            prog, img = generate(enc, seed, args.count, not args.no_compressed, iterations)
            for name in prog.body_names():
                tally[name] += 1
            if args.listing:
                print(f"# seed {seed}, xlen {args.xlen}, {len(img)} bytes")
                print(prog.listing())
            if args.output:
                with open(args.output, "wb") as f:
                    f.write(img)
            if args.out_dir:
                os.makedirs(args.out_dir, exist_ok=True)
                path = os.path.join(args.out_dir, f"{args.prefix}-seed{seed}.bin")
                with open(path, "wb") as f:
                    f.write(img)
    except (IsaError, GenError) as e:
        print(f"gen_program.py: error: {e}", file=sys.stderr)
        return 1
    if args.coverage:
        missing = [n for n, c in tally.items() if c == 0 and n not in EXCLUDED]
        print(f"# RV{args.xlen}{'' if args.no_compressed else ' with C'}: "
              f"{len(seeds)} seed(s) x {args.count} instructions")
        for name, c in sorted(tally.items(), key=lambda nc: (-nc[1], nc[0])):
            print(f"{name:14} {c}")
        for name, why in EXCLUDED.items():
            print(f"{name:14} excluded: {why}")
        if missing:
            print(f"never generated: {' '.join(missing)}", file=sys.stderr)
            return 1
        print(f"all {len(tally) - 1} instructions generated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
