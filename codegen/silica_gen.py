#!/usr/bin/env python3
"""silica's ISA compiler: reads isa/<arch>/*.isa and writes C++ into the build
tree (never into git):

  <out>/<name>_isa.h      decoder, operand extraction, enums, metadata tables
  <out>/<name>_interp.h   interpreter semantics, one function per instruction
  <out>/<name>_disasm.h   disassembler
  <out>/<name>_gdb.h      gdb target descriptions (registers and CSRs)
  <out>/<name>_dbt.h      the DBT front end: semantics as IR builders

Errors are printed as file:line: error: message, and the exit status is 1."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from silica_isa.compile import compile_isa  # noqa: E402
from silica_isa.emit_dbt import emit_dbt  # noqa: E402
from silica_isa.emit_disasm import emit_disasm  # noqa: E402
from silica_isa.emit_gdb import emit_gdb  # noqa: E402
from silica_isa.emit_interp import emit_interp  # noqa: E402
from silica_isa.emit_tables import emit_tables  # noqa: E402
from silica_isa.errors import IsaError  # noqa: E402


def write_if_changed(path, text):
    """Leaves unchanged outputs alone so the build does not recompile them."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="description files, base file first")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--name", default="riscv", help="output file prefix")
    ap.add_argument("--namespace", default="silica::riscv")
    ap.add_argument("--hart-header", default="cores/riscv/hart.h",
                    help="header declaring Hart<XLEN> and the helper functions")
    ap.add_argument("--include-prefix", default="",
                    help="how generated headers include each other (e.g. gen/)")
    args = ap.parse_args(argv)
    try:
        isa = compile_isa(args.files)
    except IsaError as e:
        print(e, file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{e.filename}: error: {e.strerror}", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    tables = f"{args.include_prefix}{args.name}_isa.h"
    outputs = {
        f"{args.name}_isa.h": emit_tables(isa, args.files, args.namespace),
        f"{args.name}_interp.h": emit_interp(isa, args.files, args.namespace, tables,
                                             args.hart_header),
        f"{args.name}_disasm.h": emit_disasm(isa, args.files, args.namespace, tables),
        f"{args.name}_gdb.h": emit_gdb(isa, args.files, args.namespace),
        f"{args.name}_dbt.h": emit_dbt(isa, args.files, args.namespace, tables),
    }
    for name, text in outputs.items():
        write_if_changed(os.path.join(args.out, name), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
