"""Emits <name>_dbt.h: for each instruction, a function that appends the
instruction's semantics to a block of the DBT's typed IR (cores/dbt/ir.h).

The function is generated from the same checked AST as the interpreter. It
returns false when this particular instance cannot be expressed in IR (for
example a compressed encoding that is reserved for this operand value, so
the instruction must raise illegal-instruction); the translator then calls
the interpreter's function for it instead. Instructions whose semantics call
description-declared helpers (CSRs, LR/SC, environment calls, floating
point) or AMO loads, touch a second register file, or need a further
extension (needs=) have no IR function at all (nullptr in the table) and
always take that path.

Every subexpression is bound to its own local in evaluation order, so the IR
has the description's order regardless of C++'s argument evaluation order.
Conditions that depend only on operand fields fold to constants while the IR
is built, so `if (imm == 0) { illegal(); }` costs nothing at run time."""

from .emit_common import header, where_comment
from .errors import IsaError
from .slots import assign_slots

_BINARY = {"+": "kAdd", "-": "kSub", "*": "kMul", "&": "kAnd", "|": "kOr", "^": "kXor",
           "&&": "kAnd", "||": "kOr"}
_COMPARE = {"==": ("kEq", False), "!=": ("kNe", False), "<": ("kLt", False),
            "<=": ("kLe", False), ">": ("kLt", True), ">=": ("kLe", True)}


def bits(ty):
    return "XLEN" if ty.width == "X" else str(ty.width)


class Unsupported(Exception):
    """The instruction has no IR form: the translator calls the interpreter."""


class _Body:
    def __init__(self, insn, guest_regfile):
        self.insn = insn
        # The IR names one register file (the first the ISA declares); an
        # instruction touching another one is left to the interpreter.
        self.guest_regfile = guest_regfile
        self.slots = assign_slots(insn)
        self.lines = []
        self.temps = 0
        self.indent = 2

    def emit(self, text):
        self.lines.append("  " * self.indent + text)

    def value(self, text):
        name = f"t{self.temps}"
        self.temps += 1
        self.emit(f"const dbt::Value {name} = {text};")
        return name

    # -- expressions: each returns the name of a dbt::Value local ---------------
    def expr(self, node):
        return getattr(self, "x_" + node.kind)(node)

    def x_lit(self, node):
        return self.value(f"b.constant(uint64_t({node.value}LL), {bits(node.ty)})")

    x_len = x_lit

    def x_xlen(self, node):
        return self.value(f"b.constant(XLEN, {bits(node.ty)})")

    def x_pc(self, node):
        return self.value(f"b.constant(d.pc, {bits(node.ty)})")

    def x_var(self, node):
        if node.local:
            return f"v_{node.name}"
        kind, k = self.slots[node.name]
        raw = f"d.r[{k}]" if kind == "r" else "d.imm"
        return self.value(f"b.constant(uint64_t({raw}), {bits(node.ty)})")

    def reg_index(self, index_node):
        index = self.expr(index_node)
        self.emit(f"if (!b.is_constant({index})) return false;")
        return f"unsigned(b.constant_value({index}))"

    def x_reg(self, node):
        if node.file != self.guest_regfile:
            raise Unsupported(f"register file {node.file}")
        return self.value(f"b.get_reg({self.reg_index(node.index)})")

    def x_unary(self, node):
        a = self.expr(node.a)
        op = {"!": "kBoolNot", "-": "kNeg", "~": "kNot"}[node.op]
        return self.value(f"b.unary(dbt::Op::{op}, {bits(node.ty)}, {a})")

    def x_binary(self, node):
        a = self.expr(node.a)
        b = self.expr(node.b)
        op = node.op
        if op in _COMPARE:
            name, swap = _COMPARE[op]
            if name in ("kLt", "kLe"):
                name += "S" if node.a.ty.signed else "U"
            if swap:
                a, b = b, a
            return self.value(f"b.binary(dbt::Op::{name}, {bits(node.a.ty)}, {a}, {b})")
        if op in ("<<", ">>"):
            name = "kShl" if op == "<<" else ("kSar" if node.ty.signed else "kShr")
        elif op in ("/", "%"):
            name = ("kDiv" if op == "/" else "kRem") + ("S" if node.ty.signed else "U")
        else:
            name = _BINARY[op]
        return self.value(f"b.binary(dbt::Op::{name}, {bits(node.ty)}, {a}, {b})")

    def x_cond(self, node):
        c = self.expr(node.cond)
        a = self.expr(node.a)
        b = self.expr(node.b)
        return self.value(f"b.select({bits(node.ty)}, {c}, {a}, {b})")

    def x_cast(self, node):
        a = self.expr(node.a)
        src, dst = node.a.ty, node.to
        return self.convert(a, src, dst)

    def convert(self, a, src, dst):
        # Values are kept zero-extended from their width, so widening an
        # unsigned value and same-width conversions cost nothing.
        return self.value(f"b.convert({a}, {bits(src)}, {'true' if src.signed else 'false'}, "
                          f"{bits(dst)})")

    def x_call(self, node):
        name = node.name
        if name in ("sext", "zext"):
            a = self.expr(node.args[0])
            src = node.args[0].ty
            signed = "true" if name == "sext" else "false"
            return self.value(f"b.convert({a}, {bits(src)}, {signed}, XLEN)")
        if name.startswith("mulh_"):
            a, b = (self.expr(x) for x in node.args)
            op = {"mulh_ss": "kMulHSS", "mulh_su": "kMulHSU", "mulh_uu": "kMulHUU"}[name]
            return self.value(f"b.binary(dbt::Op::{op}, XLEN, {a}, {b})")
        if name.startswith("load_u"):
            addr = self.expr(node.args[0])
            return self.value(f"b.load({int(name[6:]) // 8}, {addr})")
        raise Unsupported(name)

    # -- statements -------------------------------------------------------------
    def block(self, statements):
        for s in statements:
            getattr(self, "s_" + s.kind)(s)

    def s_let(self, node):
        value = self.expr(node.value)
        self.emit(f"dbt::Value v_{node.name} = {value};")

    def s_assign(self, node):
        value = self.expr(node.value)
        target = node.target
        if target.kind == "reg":
            if target.file != self.guest_regfile:
                raise Unsupported(f"register file {target.file}")
            self.emit(f"b.set_reg({self.reg_index(target.index)}, {value});")
        else:
            self.emit(f"v_{target.name} = {value};")

    def s_if(self, node):
        cond = self.expr(node.cond)
        self.emit(f"if (b.is_constant({cond})) {{")
        self.indent += 1
        self.emit(f"if (b.constant_value({cond}) != 0) {{")
        self.nested(node.then)
        self.emit("} else {")
        self.nested(node.other)
        self.emit("}")
        self.indent -= 1
        self.emit("} else {")
        self.indent += 1
        self.dynamic_if(cond, node)
        self.indent -= 1
        self.emit("}")

    def nested(self, statements):
        self.indent += 1
        self.block(statements)
        self.indent -= 1

    def dynamic_if(self, cond, node):
        """A condition known only at run time: the IR is a straight line, so
        the one shape it takes is a conditional branch out of the block."""
        then = node.then
        is_branch = (not node.other and len(then) == 1 and then[0].kind == "expr"
                     and then[0].value.name == "jump")
        if not is_branch:
            self.emit("return false;")
            return
        target = self.expr(then[0].value.args[0])
        self.emit(f"if (!b.exit_if({cond}, {target})) return false;")

    def s_expr(self, node):
        call = node.value
        name = call.name
        if name == "illegal":
            self.emit("return false;  // the interpreter raises illegal-instruction")
        elif name == "jump":
            target = self.expr(call.args[0])
            self.emit(f"if (!b.jump({target})) return false;")
        elif name.startswith("store_u"):
            addr, value = (self.expr(a) for a in call.args)
            self.emit(f"b.store({int(name[7:]) // 8}, {addr}, {value});")
        else:
            raise Unsupported(name)


def _uses_unsupported(insn, guest_regfile):
    if insn.needs:
        return f"needs={','.join(insn.needs)}", None
    try:
        body = _Body(insn, guest_regfile)
        body.block(insn.body)
        return None, body
    except Unsupported as e:
        return str(e), None


def emit_dbt(isa, sources, ns, tables_header):
    out = header(sources)
    out += ["#pragma once", "", '#include "cores/dbt/ir_builder.h"',
            f'#include "{tables_header}"', "",
            f"namespace {ns} {{", "",
            "// Appends one instruction's semantics to the IR; false: use the interpreter.",
            "using IrFrontFn = bool (*)(dbt::IrBuilder&, const DecodedInsn&);", "",
            "template <unsigned XLEN>",
            "struct IrFront {"]
    table = []
    guest_regfile = next(iter(isa.regfiles))
    for insn in isa.instructions:
        reason, body = _uses_unsupported(insn, guest_regfile)
        if reason is not None:
            table.append(f"    nullptr,  // {insn.name}: uses {reason}")
            continue
        table.append(f"    &IrFront<XLEN>::{insn.cname},")
        out.append(f"  {where_comment(insn.where)}")
        out.append(f"  static bool {insn.cname}([[maybe_unused]] dbt::IrBuilder& b, "
                   "[[maybe_unused]] const DecodedInsn& d) {")
        if len(insn.xlens) != len(isa.xlens):
            out.append(f"    if constexpr (XLEN != {insn.xlens[0]}) {{")
            out.append("      return false;")
            out.append("    } else {")
            out += ["  " + line for line in body.lines]
            out += ["      return true;", "    }", "  }", ""]
        else:
            out += body.lines
            out += ["    return true;", "  }", ""]
    out += ["};", "",
            "// Indexed by InsnId; nullptr: the instruction always runs in the interpreter.",
            "template <unsigned XLEN>",
            "inline constexpr IrFrontFn kIrFront[] = {",
            "    nullptr,  // illegal"]
    out += table
    out += ["};", "", f"}}  // namespace {ns}", ""]
    return "\n".join(out)


__all__ = ["emit_dbt", "IsaError"]
