#!/usr/bin/env python3
"""Check that the C-extension test program really contains every RV64C
instruction in compressed (16-bit) form.

The assembler is asked for c.* mnemonics, so it should refuse to build
otherwise; this is the independent check the brief asks for, done on the
final ELF with objdump.  Only the program's own code (main up to the trap
handler) is looked at, so runtime code compiled with rvc does not count.

usage: check_compressed.py [--objdump riscv64-unknown-elf-objdump] ELF
"""
import argparse
import re
import subprocess
import sys

# Every RV64C instruction except c.fld/c.fsd/c.fldsp/c.fsdsp (no F/D).
RV64C = """
c.addi4spn c.lw c.ld c.sw c.sd
c.nop c.addi c.addiw c.li c.addi16sp c.lui c.srli c.srai c.andi
c.sub c.xor c.or c.and c.subw c.addw c.j c.beqz c.bnez
c.slli c.lwsp c.ldsp c.jr c.mv c.ebreak c.jalr c.add c.swsp c.sdsp
""".split()

# objdump line: "    80000010:	4515                	c.li	a0,5"
LINE = re.compile(r"^\s*[0-9a-f]+:\s+([0-9a-f]+)\s+(\S+)\s*(\S*)")


def compressed_mnemonics(objdump, elf, start, stop):
    out = subprocess.run([objdump, "-d", "-M", "no-aliases", elf],
                         check=True, capture_output=True, text=True).stdout
    found, inside = set(), False
    for line in out.splitlines():
        if line.endswith(f"<{start}>:"):
            inside = True
        elif line.endswith(f"<{stop}>:"):
            inside = False
        m = LINE.match(line) if inside else None
        if not m:
            continue
        raw, mnemonic, operands = m.groups()
        if len(raw) != 4:           # a 32-bit instruction
            continue
        # With no-aliases objdump prints c.nop as "c.addi zero,0".
        if mnemonic == "c.addi" and operands == "zero,0":
            mnemonic = "c.nop"
        found.add(mnemonic)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objdump", default="riscv64-unknown-elf-objdump")
    ap.add_argument("--start", default="main", help="first symbol to scan")
    ap.add_argument("--stop", default="ctrap", help="symbol that ends the scan")
    ap.add_argument("elf")
    args = ap.parse_args()

    found = compressed_mnemonics(args.objdump, args.elf, args.start, args.stop)
    missing = [m for m in RV64C if m not in found]
    if missing:
        print("not found compressed in", args.elf + ":", " ".join(missing))
        return 1
    print(f"all {len(RV64C)} RV64C instructions present in compressed form")
    return 0


if __name__ == "__main__":
    sys.exit(main())
