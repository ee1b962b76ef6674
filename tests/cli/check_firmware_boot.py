#!/usr/bin/env python3
"""Debian's OpenSBI (fw_dynamic.bin) boots on silica's virt as on QEMU's: it
finds the reset vector's a0/a1/a2, parses the generated device tree, prints
its banner and starts an S-mode payload at 0x80200000. The payload (assembled
here) asks for a cold reboot through SBI SRST, which OpenSBI carries out on
the test finisher (0x7777); after the reboot it asks for a shutdown (0x5555),
so silica must exit 0 having printed the banner twice.

    check_firmware_boot.py --silica build/silica --firmware .../fw_dynamic.bin \
        --gcc riscv64-unknown-elf-gcc --objcopy riscv64-unknown-elf-objcopy
"""
import argparse
import subprocess
import sys
import tempfile

from raw_image import assemble

# RAM survives the machine reset, so a mark tells the second boot apart. It
# lies between OpenSBI (0x80000000, PMP-protected from S-mode) and the payload.
PAYLOAD = r"""
    .globl _start
_start:
    li t0, 0x80100000
    lw t1, 0(t0)
    li t2, 0x5e5e
    beq t1, t2, shutdown
    sw t2, 0(t0)
    li a0, 1                /* SRST type: cold reboot */
    j srst
shutdown:
    li a0, 0                /* SRST type: shutdown */
srst:
    li a7, 0x53525354       /* SBI extension "SRST" */
    li a6, 0                /* sbi_system_reset */
    li a1, 0
    ecall
1:  j 1b
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", required=True)
    ap.add_argument("--firmware", required=True)
    ap.add_argument("--gcc", required=True)
    ap.add_argument("--objcopy", required=True)
    args = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        payload = assemble(args.gcc, args.objcopy, PAYLOAD, "pay", tmp, text_address=0x80200000)
        cases = [("one hart, interp", ["--core", "interp"], 1),
                 ("one hart, dbt", ["--core", "dbt"], 1),
                 ("two harts, dbt", ["--core", "dbt", "--smp", "2"], 2)]
        for name, extra, harts in cases:
            proc = subprocess.run(
                [args.silica, "run", "--no-progress", "--max-insns", "200000000",
                 "--bios", args.firmware, "--kernel", payload] + extra,
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
            problems = []
            if proc.returncode != 0:
                problems.append(f"exit status {proc.returncode}, expected 0")
            if proc.stdout.count("OpenSBI v") != 2:
                problems.append(f"{proc.stdout.count('OpenSBI v')} banners, expected 2")
            count = f"Platform HART Count       : {harts}"
            if count not in proc.stdout:
                problems.append(f"no '{count}'")
            if problems:
                failed += 1
                print(f"FAIL {name}: {'; '.join(problems)}\n  stdout tail: "
                      f"{proc.stdout[-600:]}\n  stderr: {proc.stderr.strip()}")
            else:
                print(f"ok   {name}")
        print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
