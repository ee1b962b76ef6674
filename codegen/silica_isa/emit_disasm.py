"""Emits <name>_disasm.h: a disassembler built from each instruction's asm
template. Placeholders: {op} (registers by ABI name, from the register file
the semantics index with the operand, immediates in decimal, CSRs by name),
{op:x} hex, {op:pcrel} the absolute target pc+op in hex, {op:hi} bits 31:12
of the value in hex (lui/auipc style), {op:rm} a rounding mode (rne, rtz,
rdn, rup, rmm, dyn)."""

import re

from .emit_common import cxx_string, header
from .errors import IsaError
from .slots import assign_slots

PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _operand_code(isa, insn, name, style, slots):
    ops = {op.name: op for op in insn.fmt.operands}
    if name not in ops:
        raise IsaError(insn.where, f"asm of '{insn.name}' names unknown operand '{name}'")
    kind, k = slots[name]
    raw = f"d.r[{k}]" if kind == "r" else "d.imm"
    fkind = ops[name].field.kind
    if style is None:
        style = {"reg": "reg", "csr": "csr", "simm": "dec", "uimm": "dec"}[fkind]
    if style not in ("reg", "csr", "dec", "x", "pcrel", "hi", "rm"):
        raise IsaError(insn.where, f"asm of '{insn.name}': unknown format '{{{name}:{style}}}'")
    regfile = insn.operand_files.get(name, next(iter(isa.regfiles)))
    return {"reg": f"out += reg_name_{regfile}({raw});",
            "rm": f"out += rounding_mode({raw});",
            "csr": f"out += csr_name(uint32_t({raw}));",
            "dec": f"out += std::to_string(int64_t({raw}));",
            "x": f"out += hex(uint64_t({raw}));",
            "pcrel": f"out += hex(d.pc + uint64_t({raw}));",
            "hi": f"out += hex((uint64_t({raw}) >> 12) & 0xfffff);"}[style]


def emit_disasm(isa, sources, ns, tables_header):
    out = header(sources)
    out += ["#pragma once", "", "#include <cstdio>", "#include <string>", "",
            f'#include "{tables_header}"', "", f"namespace {ns} {{", "",
            "namespace disasm_detail {"]
    for rf in isa.regfiles.values():
        out += [f"inline std::string reg_name_{rf.name}(unsigned r) {{",
                f"  return r < {len(rf.names)} ? k{rf.name}RegisterNames[r] : \"?\";",
                "}"]
    out += ["inline std::string rounding_mode(int64_t rm) {",
            "  static const char* const kNames[] = {\"rne\", \"rtz\", \"rdn\", \"rup\", \"rmm\",",
            "                                      \"rm5\", \"rm6\", \"dyn\"};",
            "  return kNames[rm & 7];",
            "}",
            "inline std::string hex(uint64_t v) {",
            "  char buf[24];",
            "  std::snprintf(buf, sizeof buf, \"0x%llx\", static_cast<unsigned long long>(v));",
            "  return buf;",
            "}",
            "inline std::string csr_name(uint32_t number) {",
            "  for (const CsrInfo& c : kCsrInfo) {",
            "    if (c.number == number) return c.name;",
            "  }",
            "  return hex(number);",
            "}",
            "}  // namespace disasm_detail", "",
            "// Disassembles one decoded instruction (pc is used for branch targets).",
            "inline std::string disassemble(const DecodedInsn& d) {",
            "  using namespace disasm_detail;",
            "  std::string out;",
            "  switch (InsnId(d.id)) {"]
    for insn in isa.instructions:
        slots = assign_slots(insn)
        code, pos = [], 0
        for m in PLACEHOLDER.finditer(insn.asm):
            if m.start() > pos:
                code.append(f"out += {cxx_string(insn.asm[pos:m.start()])};")
            code.append(_operand_code(isa, insn, m.group(1), m.group(2), slots))
            pos = m.end()
        if pos < len(insn.asm):
            code.append(f"out += {cxx_string(insn.asm[pos:])};")
        out.append(f"    case InsnId::{insn.cname}:")
        out += ["      " + c for c in code]
        out.append("      break;")
    out += ["    default:",
            "      out = \"unknown \" + hex(d.raw);",
            "      break;",
            "  }",
            "  return out;",
            "}", "",
            "// Decodes and disassembles one instruction word.",
            "template <unsigned XLEN>",
            "inline std::string disassemble(uint32_t raw, uint64_t pc) {",
            "  DecodedInsn d{};",
            "  d.pc = pc;",
            "  d.raw = raw;",
            "  d.id = uint16_t(decode<XLEN>(raw));",
            "  extract_operands(InsnId(d.id), raw, d);",
            "  return disassemble(d);",
            "}", "", f"}}  // namespace {ns}", ""]
    return "\n".join(out)
