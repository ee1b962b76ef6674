"""Emits <name>_isa.h: the DecodedInsn layout, the instruction, class,
extension and CSR enumerations, the metadata tables and the decoder."""

from .emit_common import cxx_string, header, xlen_mask
from .encoding import switch_plan
from .slots import assign_slots, extract_expr


def _decoder(isa, out):
    out += ["// Decodes one instruction word (the low 16 bits for compressed ones).",
            "template <unsigned XLEN>",
            "inline InsnId decode(uint32_t w) {"]
    for length, key_expr in ((2, "((w >> 13) & 7) << 2 | (w & 3)"), (4, "(w >> 2) & 0x1f")):
        plan = switch_plan(isa.instructions, length)
        if length == 2:
            out.append("  if ((w & 3) != 3) {")
        else:
            out.append("  if ((w & 0x1c) == 0x1c) return InsnId::illegal;  // 48-bit and longer")
            out.append("  {")
        out.append(f"    switch ({key_expr}) {{")
        for key in sorted(plan):
            out.append(f"      case 0x{key:x}:")
            for insn in plan[key]:
                guard = "" if len(insn.xlens) == len(isa.xlens) else f"XLEN == {insn.xlens[0]} && "
                out.append(f"        if ({guard}(w & 0x{insn.mask:x}u) == 0x{insn.match:x}u) "
                           f"return InsnId::{insn.cname};")
            out.append("        return InsnId::illegal;")
        out += ["      default:", "        return InsnId::illegal;", "    }", "  }"]
    out += ["}", ""]


def _extractors(isa, out):
    """One extraction function per distinct operand layout, then a switch."""
    by_layout, names = {}, {}
    for insn in isa.instructions:
        slots = assign_slots(insn)
        key = tuple((op.field.name, slots[op.name]) for op in insn.fmt.operands)
        if key not in by_layout:
            by_layout[key] = f"extract_{len(by_layout)}"
            fn = by_layout[key]
            body = []
            for op in insn.fmt.operands:
                kind, k = slots[op.name]
                target = f"d.r[{k}]" if kind == "r" else "d.imm"
                cast = "uint8_t" if kind == "r" else "int64_t"
                body.append(f"  {target} = {cast}({extract_expr(op.field)});  // {op.name}")
            desc = ", ".join(f"{op.name}:{op.field.name}" for op in insn.fmt.operands) or "none"
            out.append(f"// operands {desc}")
            out.append(f"inline void {fn}([[maybe_unused]] uint32_t w, "
                       "[[maybe_unused]] DecodedInsn& d) {")
            out += body
            out += ["}", ""]
        names[insn.cname] = by_layout[key]
    out += ["// Fills the operand slots of an instruction decode() identified.",
            "inline void extract_operands(InsnId id, uint32_t w, DecodedInsn& d) {",
            "  switch (id) {"]
    for insn in isa.instructions:
        out.append(f"    case InsnId::{insn.cname}: {names[insn.cname]}(w, d); break;")
    out += ["    default: break;", "  }", "}", ""]


def emit_tables(isa, sources, ns):
    out = header(sources)
    out += ["#pragma once", "", "#include <cstdint>", "", f"namespace {ns} {{", ""]
    out += ["inline int64_t sign_extend(uint64_t value, unsigned bits) {",
            "  return int64_t(value << (64 - bits)) >> (64 - bits);", "}", ""]
    out += ["// One decoded instruction: operand slots filled by extract_operands().",
            "// Which operand lives in which slot is the generator's business",
            "// (codegen/silica_isa/slots.py); generated code is the only reader.",
            "struct DecodedInsn {",
            "  uint64_t pc;",
            "  int64_t imm;      // the wide operand (immediate, CSR number), sign-extended",
            "  uint32_t raw;     // the instruction word as fetched",
            "  uint16_t id;      // InsnId",
            "  uint8_t len;      // bytes",
            "  uint8_t cycles;   // cost charged by the class timing model",
            "  uint8_t r[6];     // small operands: register numbers, shift amounts, flags",
            "};", ""]
    out += ["enum class InsnId : uint16_t {", "  illegal = 0,"]
    out += [f"  {i.cname}," for i in isa.instructions]
    out += ["  count", "};", ""]
    out += ["enum class InsnClass : uint8_t {"]
    out += [f"  {c.name}," for c in isa.classes.values()]
    out += ["  count", "};", ""]
    out += ["enum class Extension : uint8_t {"]
    out += [f"  {e}," for e in isa.extensions]
    out += ["  count", "};", ""]
    out += ["namespace insn_flags {",
            "constexpr uint8_t ends_block = 1;   // control transfer or serializing: last in a block",
            "constexpr uint8_t serializing = 2;  // runs alone in its block (CSR access, traps, ...)",
            "constexpr uint8_t may_trap = 4;",
            "}  // namespace insn_flags", ""]
    files = list(isa.regfiles)
    out += ["struct InsnInfo {",
            "  const char* name;",
            "  Extension extension;",
            "  InsnClass iclass;",
            "  uint8_t length;",
            "  uint8_t xlen_mask;   // bit 0: RV32, bit 1: RV64",
            "  uint8_t flags;       // insn_flags",
            f"  uint8_t reads;       // bit k: r[k] (or bit 7: imm) is read as a {files[0]} register",
            "  uint8_t writes;      // likewise, written"]
    for f in files[1:]:
        out += [f"  uint8_t reads_{f};     // likewise, for register file {f}",
                f"  uint8_t writes_{f};"]
    out += ["  uint32_t needs;     // bit e: Extension(e) is required too (needs=...)",
            f"  uint32_t fixed_writes;  // bit n: {files[0]} register n written by number "
            "(X[1] = link)",
            "  uint32_t mask, match;",
            "  const char* source;  // description file:line",
            "};", ""]
    out += ["struct CsrInfo {", "  uint16_t number;", "  const char* name;",
            "  const char* access;", "  uint8_t xlen_mask;", "};", ""]
    out += ["inline constexpr const char* kClassNames[] = {"]
    out += [f"    {cxx_string(c.name)}," for c in isa.classes.values()]
    out += ["};", "inline constexpr uint8_t kClassCycles[] = {"]
    out += [f"    {c.cycles},  // {c.name}" for c in isa.classes.values()]
    out += ["};", "inline constexpr const char* kExtensionNames[] = {"]
    out += [f"    {cxx_string(e)}," for e in isa.extensions]
    out += ["};", ""]
    zeros = ", ".join(["0"] * (2 * len(files) + 7))
    out += ["inline constexpr InsnInfo kInsnInfo[] = {",
            f'    {{"illegal", Extension(0), InsnClass(0), {zeros}, ""}},']
    for i in isa.instructions:
        slots = assign_slots(i)

        def bits(names):
            v = 0
            for n in names:
                kind, k = slots[n]
                v |= 1 << (k if kind == "r" else 7)
            return v
        flags = []
        if i.ends_block:
            flags.append("insn_flags::ends_block")
        if i.serializing:
            flags.append("insn_flags::serializing")
        if i.may_trap:
            flags.append("insn_flags::may_trap")
        regs = ", ".join(f"0x{bits(i.reg_reads.get(f, [])):x}, 0x{bits(i.reg_writes.get(f, [])):x}"
                         for f in files)
        needs = sum(1 << isa.extensions.index(e) for e in i.needs)
        out.append(f"    {{{cxx_string(i.name)}, Extension::{i.extension}, "
                   f"InsnClass::{i.iclass.name}, {i.length}, {xlen_mask(i.xlens)}, "
                   f"{' | '.join(flags) or '0'}, {regs}, 0x{needs:x}u, "
                   f"0x{sum(1 << r for r in i.fixed_writes):x}u, "
                   f"0x{i.mask:x}u, 0x{i.match:x}u, {cxx_string(str(i.where))}}},")
    out += ["};", ""]
    out += ["inline constexpr CsrInfo kCsrInfo[] = {"]
    for c in sorted(isa.csrs, key=lambda c: c.number):
        out.append(f"    {{0x{c.number:03x}, {cxx_string(c.name)}, {cxx_string(c.access)}, "
                   f"{xlen_mask(c.xlens)}}},")
    out += ["};", "", "namespace csr {"]
    seen = set()
    for c in sorted(isa.csrs, key=lambda c: c.number):
        if c.name not in seen:
            out.append(f"constexpr uint16_t {c.name} = 0x{c.number:03x};")
            seen.add(c.name)
    out += ["}  // namespace csr", ""]
    for rf in isa.regfiles.values():
        out.append(f"inline constexpr const char* k{rf.name}RegisterNames[] = {{")
        out += [f"    {cxx_string(n)}," for n in rf.names]
        out += ["};", ""]
    _decoder(isa, out)
    _extractors(isa, out)
    out += [f"}}  // namespace {ns}", ""]
    return "\n".join(out)
