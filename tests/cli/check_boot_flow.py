#!/usr/bin/env python3
"""The QEMU-style boot flow end to end: --bios and --kernel as raw binaries
(assembled here), the reset vector in the ROM, a0/a1/a2 as OpenSBI's
fw_dynamic expects them, the device tree at the top of RAM, a guest reset
through the finisher (0x7777) that reloads every image, and --smp with every
hart starting at the same entry with its own hart id.

    check_boot_flow.py --silica build/silica --gcc riscv64-unknown-elf-gcc \
        --objcopy riscv64-unknown-elf-objcopy
"""
import argparse
import subprocess
import sys
import tempfile

from raw_image import assemble

# The firmware checks what the reset vector handed it and exits through the
# finisher with a distinct code per failed check; hart 1 (with --smp 2) only
# raises a flag that hart 0 waits for. It then jumps to fw_dynamic_info's
# next_addr (in M-mode: this checks the flow, not S-mode).
FIRMWARE = r"""
    .equ FINISHER, 0x100000
    .globl _start
_start:
    bnez a0, other_hart
    li t0, 0x87e00000          /* the device tree: top of 128 MiB RAM - 2 MiB */
    li t6, 2
    bne a1, t0, fail
    lwu t1, 0(a1)
    li t0, 0xedfe0dd0          /* FDT magic 0xd00dfeed, big-endian */
    li t6, 3
    bne t1, t0, fail
    li t0, 0x1028              /* fw_dynamic_info after the reset vector */
    li t6, 4
    bne a2, t0, fail
    ld t1, 0(a2)
    li t0, 0x4942534f
    li t6, 5
    bne t1, t0, fail
    ld t1, 24(a2)              /* next_mode: S */
    li t6, 6
    li t0, 1
    bne t1, t0, fail
    ld t2, 16(a2)              /* next_addr: the kernel */
    li t0, 0x80200000
    li t6, 8
    bne t2, t0, fail
    la t3, hart1_flag
    li t4, SMP
    beqz t4, go
    li t5, 100000
wait:
    lw t1, 0(t3)
    bnez t1, go
    addi t5, t5, -1
    bnez t5, wait
    li t6, 9
    j fail
go:
    jr t2
other_hart:
    li t0, 1
    li t6, 10
    bne a0, t0, fail
    la t3, hart1_flag
    sw t0, 0(t3)
park:                          /* asleep in WFI: a machine reset must wake it */
    wfi
    j park
fail:
    slli t6, t6, 16
    li t0, 0x3333
    or t6, t6, t0
    li t0, FINISHER
    sw t6, 0(t0)
    j fail
    .balign 8
hart1_flag:
    .word 0
"""

# The kernel: the first boot marks RAM and resets the machine; the second
# finds the mark (RAM survives a reset, as on QEMU) and exits with code 7,
# which shows the reset vector and both images were loaded again.
KERNEL = r"""
    .globl _start
_start:
    li t0, 0x80100000
    lw t1, 0(t0)
    li t2, 0x5e5e
    beq t1, t2, second
    sw t2, 0(t0)
    li t0, 0x100000
    li t1, 0x7777
    sw t1, 0(t0)
1:  j 1b
second:
    li t0, 0x100000
    li t1, (7 << 16) | 0x3333
    sw t1, 0(t0)
1:  j 1b
"""


def run(silica, args):
    proc = subprocess.run([silica, "run", "--no-progress", "--max-insns", "2000000"] + args,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", required=True)
    ap.add_argument("--gcc", required=True)
    ap.add_argument("--objcopy", required=True)
    args = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        fw1 = assemble(args.gcc, args.objcopy, FIRMWARE, "fw1", tmp, defines=["-DSMP=0"])
        fw2 = assemble(args.gcc, args.objcopy, FIRMWARE, "fw2", tmp, defines=["-DSMP=1"])
        kernel = assemble(args.gcc, args.objcopy, KERNEL, "kernel", tmp)
        cases = [
            ("bios + kernel, reset, interp", ["--core", "interp", "--bios", fw1, "--kernel", kernel]),
            ("bios + kernel, reset, dbt", ["--core", "dbt", "--bios", fw1, "--kernel", kernel]),
            ("two harts", ["--smp", "2", "--bios", fw2, "--kernel", kernel]),
        ]
        for name, argv in cases:
            code, err = run(args.silica, argv)
            if code == 7:
                print(f"ok   {name}")
            else:
                failed += 1
                print(f"FAIL {name}: exit status {code}, expected 7\n  stderr: {err.strip()}")
        print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
