"""Emits <name>_gdb.h: gdb target descriptions (features XML) built from the
descriptions: the integer register file and pc as org.gnu.gdb.riscv.cpu, each
further register file declared with gdb=FEATURE:REGNUM as that feature (with
the CSRs of its extension: org.gnu.gdb.riscv.fpu holds f0-f31, fflags, frm
and fcsr), and every other described CSR as org.gnu.gdb.riscv.csr at regnum
65 + its number (the numbering gdb's RISC-V port uses), so custom CSRs added
in isa/ show up in gdb without further work."""

from .emit_common import header


def _reg_type(rf, name):
    if rf.type_name in ("ux", "sx"):
        return "code_ptr" if name == "ra" else "data_ptr" if name in ("sp", "gp", "tp") else "int"
    return "ieee_double" if rf.type_name == "u64" else "ieee_single"


def _xml(isa, xlen):
    regs = next(iter(isa.regfiles.values()))
    lines = ['<?xml version="1.0"?>',
             '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
             "<target>",
             f"  <architecture>riscv:rv{xlen}</architecture>",
             '  <feature name="org.gnu.gdb.riscv.cpu">']
    for n, name in enumerate(regs.names):
        lines.append(f'    <reg name="{name}" bitsize="{xlen}" type="{_reg_type(regs, name)}" '
                     f'regnum="{n}"/>')
    lines.append(f'    <reg name="pc" bitsize="{xlen}" type="code_ptr" regnum="{len(regs.names)}"/>')
    lines.append("  </feature>")
    # Further register files with a gdb feature, each with the CSRs its
    # extension declares (the FPU's fflags, frm, fcsr).
    in_feature = set()
    for rf in list(isa.regfiles.values())[1:]:
        if rf.gdb_feature is None:
            continue
        bits = 64 if rf.type_name.endswith("64") else xlen if rf.type_name.endswith("x") else 32
        lines.append(f'  <feature name="{rf.gdb_feature}">')
        for n, name in enumerate(rf.names):
            lines.append(f'    <reg name="{name}" bitsize="{bits}" type="{_reg_type(rf, name)}" '
                         f'regnum="{rf.gdb_regnum + n}"/>')
        for c in sorted(isa.csrs, key=lambda c: c.number):
            if xlen in c.xlens and c.extension is not None and c.extension == rf.extension:
                lines.append(f'    <reg name="{c.name}" bitsize="{xlen}" type="int" '
                             f'regnum="{65 + c.number}"/>')
                in_feature.add(c.name)
        lines.append("  </feature>")
    lines.append('  <feature name="org.gnu.gdb.riscv.csr">')
    for c in sorted(isa.csrs, key=lambda c: c.number):
        if xlen in c.xlens and c.name not in in_feature:
            lines.append(f'    <reg name="{c.name}" bitsize="{xlen}" type="int" '
                         f'regnum="{65 + c.number}" group="csr"/>')
    lines += ["  </feature>", "</target>"]
    return "\n".join(lines)


def emit_gdb(isa, sources, ns):
    out = header(sources)
    out += ["#pragma once", "", f"namespace {ns} {{", "",
            "// gdb's number for the pc and for CSR n (n + kGdbCsrBase).",
            f"constexpr unsigned kGdbPcRegnum = {len(next(iter(isa.regfiles.values())).names)};",
            "constexpr unsigned kGdbCsrBase = 65;", "",
            "template <unsigned XLEN>",
            "inline const char* gdb_target_xml();", ""]
    for xlen in isa.xlens:
        out += ["template <>",
                f"inline const char* gdb_target_xml<{xlen}>() {{",
                f'  return R"xml({_xml(isa, xlen)}',
                ')xml";',
                "}", ""]
    out += [f"}}  // namespace {ns}", ""]
    return "\n".join(out)
