"""The ISA compiler's own tests: the real descriptions compile, and each kind of
broken description is rejected with a file:line message that says what is
wrong. Run: python3 -m unittest discover -s codegen/tests"""

import os
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "codegen"))

from silica_isa.compile import compile_isa  # noqa: E402
from silica_isa.emit_dbt import emit_dbt  # noqa: E402
from silica_isa.emit_disasm import emit_disasm  # noqa: E402
from silica_isa.emit_gdb import emit_gdb  # noqa: E402
from silica_isa.emit_interp import emit_interp  # noqa: E402
from silica_isa.emit_tables import emit_tables  # noqa: E402
from silica_isa.errors import IsaError  # noqa: E402

RISCV = [os.path.join(ROOT, "isa", "riscv", f) for f in (
    "base.isa", "rv_i.isa", "rv_m.isa", "rv_a.isa", "rv_f.isa", "rv_d.isa", "rv_c.isa",
    "zicsr.isa", "zifencei.isa", "priv.isa")]

BASE = """\
isa toy
xlen 32 64
regfile X ux zero=0
  names zero ra sp gp
class alu cycles=1
field rd  reg 11:7
field rs1 reg 19:15
field rs2 reg 24:20
field imm simm 31:20
format R rd rs1 rs2
format I rd rs1 imm
format N
extension T
"""

# An instruction whose semantics call a helper of the description's own.
POKE = """\
    helper poke(value: ux)
    insn poke I ............ ..... 000 ..... 0001011 alu
         asm "poke {rs1}"
         { poke(X[rs1]); }
    """


class Case(unittest.TestCase):
    def compile_text(self, body):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "toy.isa")
            with open(path, "w") as f:
                f.write(BASE + textwrap.dedent(body))
            return compile_isa([path])

    def assert_error(self, body, line, *fragments):
        """`line` counts from the first line of `body`."""
        with self.assertRaises(IsaError) as ctx:
            self.compile_text(body)
        message = str(ctx.exception)
        self.assertIn(f"toy.isa:{BASE.count(chr(10)) + line}:", message)
        for fragment in fragments:
            self.assertIn(fragment, message)


class RealDescriptions(Case):
    def test_riscv_compiles_and_knows_its_instructions(self):
        isa = compile_isa(RISCV)
        names = {i.name for i in isa.instructions}
        for expected in ("add", "lw", "jalr", "mulh", "amoadd.w", "lr.d", "c.addi16sp",
                         "csrrw", "fence.i", "mret", "wfi", "ecall"):
            self.assertIn(expected, names)
        self.assertEqual(isa.extensions,
                         ["I", "M", "A", "F", "D", "C", "Zicsr", "Zifencei", "Sm"])

    def test_flags_follow_from_semantics(self):
        isa = compile_isa(RISCV)
        by_name = {i.name: i for i in isa.instructions}
        self.assertTrue(by_name["beq"].ends_block)
        self.assertFalse(by_name["add"].ends_block)
        self.assertTrue(by_name["csrrw"].serializing)
        self.assertTrue(by_name["lw"].may_trap)
        self.assertFalse(by_name["add"].may_trap)
        self.assertEqual(by_name["add"].reads, ["rs1", "rs2"])
        self.assertEqual(by_name["add"].writes, ["rd"])
        self.assertEqual(by_name["sd"].xlens, (64,))
        self.assertEqual(by_name["c.jal"].fixed_writes, [1])
        self.assertEqual(by_name["c.addi16sp"].fixed_writes, [2])

    def test_generated_code_names_its_source_lines(self):
        isa = compile_isa(RISCV)
        text = emit_interp(isa, RISCV, "silica::riscv", "riscv_isa.h", "cores/riscv/hart.h")
        self.assertRegex(text, r"// from .*rv_i\.isa:\d+")
        tables = emit_tables(isa, RISCV, "silica::riscv")
        self.assertIn("InsnId::c_addi16sp", tables)
        # C++ keywords are mangled, not emitted raw.
        self.assertIn("xor_,", tables)


class InterpreterVariants(Case):
    """The fast variants and register forwarding the interpreter builds on."""

    def emit(self, body):
        isa = self.compile_text(body)
        return emit_interp(isa, ["toy.isa"], "toy", "toy_isa.h", "hart.h")

    def line_of(self, text, table, name):
        block = text[text.index(table):]
        return next(l for l in block.splitlines() if l.endswith(f"// {name}"))

    def test_loads_retry_and_forward_their_result(self):
        text = self.emit("""\
            insn ld I ............ ..... 011 ..... 0000011 alu
                 asm "ld {rd}, {imm}({rs1})"
                 { X[rd] = sext(load_u32(X[rs1] + imm)); }
            """)
        self.assertIn("mem_load<u32, Fast>", text)
        self.assertIn("((Forwarded & 1u) != 0 ? last : h.x[d.r[1]])", text)
        self.assertIn("result = ux(", text)
        self.assertIn("true,  // ld", self.line_of(text, "kHasFastVariant", "ld"))
        self.assertIn("{{1, kNoSlot}, 0},", self.line_of(text, "kForwarding[]", "ld"))

    def test_a_write_before_a_load_is_not_retryable(self):
        text = self.emit("""\
            insn ldinc I ............ ..... 011 ..... 0000011 alu
                 asm "ldinc {rd}, {imm}({rs1})"
                 { X[rs1] = X[rs1] + 8; X[rd] = sext(load_u32(X[rs1])); }
            """)
        self.assertIn("false,", self.line_of(text, "kHasFastVariant", "ldinc"))
        # Two writes leave no single result; the read after the first write
        # comes from the register file, not from the forwarded value.
        self.assertIn("kNoSlot},  // ldinc", self.line_of(text, "kForwarding[]", "ldinc"))
        self.assertIn("mem_load<u32, Fast>(h, d, h.x[d.r[1]], t0)", text)

    def test_a_conditional_write_forwards_nothing_unless_the_other_path_traps(self):
        text = self.emit("""\
            insn maybe I ............ ..... 000 ..... 0001011 alu
                 asm "maybe {rd}, {rs1}, {imm}"
                 { if (imm != 0) { X[rd] = X[rs1]; } }
            insn must I ............ ..... 001 ..... 0001011 alu
                 asm "must {rd}, {rs1}, {imm}"
                 { if (imm == 0) { illegal(); } else { X[rd] = X[rs1]; } }
            """)
        self.assertIn("{{1, kNoSlot}, kNoSlot},", self.line_of(text, "kForwarding[]", "maybe"))
        self.assertIn("{{1, kNoSlot}, 0},", self.line_of(text, "kForwarding[]", "must"))
        # The illegal path declines to the full semantics: still a fast variant.
        self.assertIn("true,", self.line_of(text, "kHasFastVariant", "must"))

    def test_helpers_have_no_fast_variant(self):
        text = self.emit(POKE)
        self.assertIn("false,", self.line_of(text, "kHasFastVariant", "poke"))


class DbtFrontEnd(Case):
    """The DBT's IR builders come from the same semantics as the interpreter."""

    def emit(self, body):
        isa = self.compile_text(body)
        return emit_dbt(isa, ["toy.isa"], "toy", "toy_isa.h")

    def test_operations_become_ir(self):
        text = self.emit("""\
            insn add R 0000000 ..... ..... 000 ..... 0110011 alu
                 asm "add {rd}, {rs1}, {rs2}"
                 { X[rd] = X[rs1] + X[rs2]; }
            """)
        self.assertIn("b.binary(dbt::Op::kAdd, XLEN", text)
        self.assertIn("b.set_reg(", text)
        self.assertIn("&IrFront<XLEN>::add,", text)

    def test_helper_calls_go_to_the_interpreter(self):
        text = self.emit(POKE)
        self.assertIn("nullptr,  // poke: uses poke", text)
        self.assertNotIn("static bool poke(", text)

    def test_other_register_files_go_to_the_interpreter(self):
        text = self.emit("""\
            regfile F u64
            insn fmv R 0000000 ..... ..... 000 ..... 1010011 alu
                 asm "fmv {rd}, {rs1}"
                 { F[rd] = u64(X[rs1]); }
            """)
        self.assertIn("nullptr,  // fmv: uses register file F", text)

    def test_field_conditions_fold_and_register_conditions_branch(self):
        text = self.emit("""\
            insn chk I ............ ..... 000 ..... 0001011 alu
                 asm "chk {rd}, {rs1}, {imm}"
                 { if (imm == 0) { illegal(); } else { X[rd] = X[rs1]; } }
            insn brz I ............ ..... 001 ..... 0001011 alu
                 asm "brz {rs1}, {imm}"
                 { if (X[rs1] == 0) { jump(PC + imm); } }
            """)
        self.assertIn("if (b.is_constant(", text)
        self.assertIn("the interpreter raises illegal-instruction", text)
        self.assertIn("b.exit_if(", text)

    def test_the_real_descriptions_translate_without_helpers(self):
        isa = compile_isa(RISCV)
        text = emit_dbt(isa, RISCV, "silica::riscv", "riscv_isa.h")
        for name in ("add", "lw", "sd", "beq", "jalr", "c_addi16sp", "mulh", "divu"):
            self.assertIn(f"&IrFront<XLEN>::{name},", text)
        for name in ("csrrw", "ecall", "lr.w", "amoadd.w", "mret"):
            self.assertIn(f"nullptr,  // {name}: uses", text)


class SecondRegisterFile(Case):
    """A register file besides X (RISC-V's F): operands know which file they
    index, and an instruction may need a second extension."""

    FP = """\
        regfile F u64 gdb=org.gnu.gdb.riscv.fpu:33
          names ft0 ft1 ft2 ft3
        csr 0x001 fflags urw
        extension U
        csr 0x300 mstatus mrw
        insn fmv.x R 0000000 ..... ..... 000 ..... 1010011 alu
             asm "fmv.x {rd}, {rs1}"
             { X[rd] = ux(F[rs1]); }
        insn flw I ............ ..... 010 ..... 0000111 alu needs=T2
             asm "flw {rd}, {imm}({rs1})"
             { F[rd] = u64(load_u32(X[rs1] + imm)); }
        extension T2
        """

    def test_operands_know_their_register_file(self):
        isa = self.compile_text(self.FP)
        fmv, flw = isa.instructions
        self.assertEqual(fmv.operand_files, {"rd": "X", "rs1": "F"})
        self.assertEqual(fmv.reg_reads, {"F": ["rs1"]})
        self.assertEqual(fmv.reg_writes, {"X": ["rd"]})
        self.assertEqual(flw.needs, ["T2"])
        disasm = emit_disasm(isa, ["toy.isa"], "toy", "toy_isa.h")
        self.assertIn("out += reg_name_F(d.r[1]);", disasm)
        self.assertIn("out += reg_name_X(d.r[0]);", disasm)
        tables = emit_tables(isa, ["toy.isa"], "toy")
        self.assertIn("uint8_t writes_F;", tables)
        interp = emit_interp(isa, ["toy.isa"], "toy", "toy_isa.h", "hart.h")
        self.assertIn("if (!h.config.has(Extension::T2)) return Fast ? false : ::toy::illegal_instruction", interp)
        self.assertIn("h.write_f(d.r[0]", interp)
        dbt = emit_dbt(isa, ["toy.isa"], "toy", "toy_isa.h")
        self.assertIn("nullptr,  // flw: uses needs=T2", dbt)

    def test_gdb_feature_holds_the_file_and_its_extension_csrs(self):
        isa = self.compile_text(self.FP)
        xml = emit_gdb(isa, ["toy.isa"], "toy")
        fpu = xml[xml.index("org.gnu.gdb.riscv.fpu"):xml.index("org.gnu.gdb.riscv.csr")]
        self.assertIn('<reg name="ft0" bitsize="64" type="ieee_double" regnum="33"/>', fpu)
        self.assertIn('name="fflags"', fpu)
        self.assertNotIn('name="mstatus"', fpu)
        self.assertEqual(xml.count('name="fflags"'), 2)  # once per XLEN, in the fpu feature

    def test_an_operand_indexes_one_file(self):
        self.assert_error("""\
            regfile F u64
            insn bad R 0000000 ..... ..... 000 ..... 1010011 alu
                 asm "bad"
                 { F[rd] = F[rs1]; X[rd] = X[rs2]; }
            """, 4, "operand 'rd' indexes both F[] and X[]")

    def test_needs_names_a_described_extension(self):
        self.assert_error("""\
            insn bad R 0000000 ..... ..... 000 ..... 1010011 alu needs=Q
                 asm "bad"
                 { X[rd] = X[rs1]; }
            """, 1, "needs extension 'Q'")


class GoodToy(Case):
    def test_minimal_description(self):
        isa = self.compile_text("""\
            insn add R 0000000 ..... ..... 000 ..... 0110011 alu
                 asm "add {rd}, {rs1}, {rs2}"
                 { X[rd] = X[rs1] + X[rs2]; }
            """)
        self.assertEqual(isa.instructions[0].mask, 0xFE00707F)
        self.assertEqual(isa.instructions[0].match, 0x33)

    def test_group_gives_priority_to_the_first_member(self):
        isa = self.compile_text("""\
            group {
              insn nop N 000000000000 00000 000 00000 0010011 alu
                   { }
              insn addi I ............ ..... 000 ..... 0010011 alu
                   { X[rd] = X[rs1] + imm; }
            }
            """)
        self.assertEqual([i.group for i in isa.instructions], [0, 0])


class BadToy(Case):
    def test_overlapping_encodings(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 { X[rd] = X[rs1]; }
            insn b R 0000000 ..... ..... ... ..... 0110011 alu
                 { X[rd] = X[rs2]; }
            """, 3, "overlaps 'a'")

    def test_shadowed_group_member(self):
        self.assert_error("""\
            group {
              insn wide I ............ ..... 000 ..... 0010011 alu
                   { }
              insn narrow N 000000000000 00000 000 00000 0010011 alu
                   { }
            }
            """, 4, "can never decode")

    def test_unknown_field_in_format(self):
        self.assert_error("format Q rd nosuch\n", 1, "unknown field 'nosuch'")

    def test_pattern_width(self):
        self.assert_error("""\
            insn a R 000000 ..... ..... 000 ..... 0110011 alu
                 { }
            """, 1, "31 bits")

    def test_field_overlapping_fixed_bits(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 00000 0110011 alu
                 { }
            """, 1, "field 'rd' overlaps fixed bits")

    def test_type_mismatch(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 { X[rd] = u32(X[rs1]) + X[rs2]; }
            """, 2, "differ in type: u32 and ux")

    def test_type_mismatch_only_for_one_xlen(self):
        # u64 is ux on RV64 only: an instruction existing for both XLENs fails.
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 { X[rd] = u64(X[rs1]); }
            """, 2, "cannot assign a u64 to a ux")

    def test_unknown_name_in_semantics(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 { X[rd] = X[rs3]; }
            """, 2, "unknown name 'rs3'")

    def test_unknown_function(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 { frobnicate(); }
            """, 2, "unknown function 'frobnicate'")

    def test_syntax_error_line_inside_block(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 {
                   let t = X[rs1];
                   X[rd] = t +;
                 }
            """, 4, "unexpected ';'")

    def test_unclosed_block(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 { X[rd] = X[rs1];
            """, 2, "not closed")

    def test_unknown_class(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 fpu
                 { }
            """, 1, "unknown instruction class 'fpu'")

    def test_untyped_let(self):
        self.assert_error("""\
            insn a R 0000000 ..... ..... 000 ..... 0110011 alu
                 { let t = 5; }
            """, 2, "cannot tell the type")

    def test_unused_result(self):
        self.assert_error("""\
            insn a I ............ ..... 010 ..... 0000011 alu
                 { load_u32(X[rs1]); }
            """, 2, "not used")


if __name__ == "__main__":
    unittest.main()
