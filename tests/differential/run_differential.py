#!/usr/bin/env python3
"""Run bare-metal RISC-V ELFs on silica and on QEMU and compare what they do.

For each ELF both simulators run the program on a QEMU-virt-shaped machine;
the UART output (stdout) and the exit code (from the SiFive test finisher)
must be identical.  Any difference is reported with a diff of the two
outputs, and the script exits non-zero.

    run_differential.py --silica build/silica --qemu qemu-system-riscv64 a.elf b.elf
    run_differential.py --qemu-only a.elf       # just show what QEMU does

rv32 ELFs (ELF class 32) run on the matching qemu-system-riscv32, found next
to the given rv64 binary unless --qemu32 names it.  Standard library only.
"""
import argparse
import difflib
import os
import shlex
import shutil
import subprocess
import sys
import time

EM_RISCV = 243


def elf_xlen(path):
    """32 or 64 from the ELF header; raises ValueError if not a RISC-V ELF."""
    with open(path, "rb") as f:
        hdr = f.read(20)
    if len(hdr) < 20 or hdr[:4] != b"\x7fELF":
        raise ValueError(f"{path}: not an ELF file")
    if int.from_bytes(hdr[18:20], "little") != EM_RISCV:
        raise ValueError(f"{path}: not a RISC-V ELF")
    return {1: 32, 2: 64}[hdr[4]]


class Result:
    """What one simulator did with one program."""

    def __init__(self, cmd, output=b"", stderr=b"", exit_code=None, seconds=0.0, error=None):
        self.cmd, self.output, self.stderr = cmd, output, stderr
        self.exit_code, self.seconds, self.error = exit_code, seconds, error

    def describe(self):
        if self.error:
            return self.error
        return f"exit code {self.exit_code}, {len(self.output)} bytes of output"


def run(cmd, timeout):
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return Result(cmd, e.stdout or b"", e.stderr or b"",
                      error=f"timed out after {timeout} s", seconds=timeout)
    except OSError as e:
        return Result(cmd, error=f"could not run {cmd[0]}: {e}")
    return Result(cmd, p.stdout, p.stderr, p.returncode, time.monotonic() - start)


def qemu_command(qemu, elf, memory):
    # -nographic alone would put the monitor on stdio too; keep stdio for the
    # UART only, so stdout is exactly what the guest wrote.
    return [qemu, "-M", "virt", "-bios", "none", "-m", memory, "-nographic",
            "-monitor", "none", "-serial", "stdio", "-kernel", elf]


def silica_command(args, elf):
    cmd = [args.silica, "run"] + shlex.split(args.silica_args or "")
    if args.core:
        cmd += ["--core", args.core]
    if args.max_insns:
        cmd += ["--max-insns", str(args.max_insns)]
    return cmd + [elf]


def qemu32_for(qemu64):
    """qemu-system-riscv32 next to (or named like) the given rv64 binary."""
    return qemu64.replace("riscv64", "riscv32")


def show(text):
    return text.decode("utf-8", errors="replace")


def report_difference(name, silica, qemu):
    print(f"MISMATCH {name}")
    print(f"  silica: {silica.describe()}   ({' '.join(silica.cmd)})")
    print(f"  qemu:   {qemu.describe()}   ({' '.join(qemu.cmd)})")
    if silica.output != qemu.output:
        diff = difflib.unified_diff(
            show(qemu.output).splitlines(keepends=True),
            show(silica.output).splitlines(keepends=True),
            fromfile=f"qemu/{name}", tofile=f"silica/{name}")
        for line in diff:
            print("    " + line.rstrip("\n"))
    if silica.stderr:
        print("  silica stderr:")
        for line in show(silica.stderr).splitlines()[-20:]:
            print("    " + line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", help="path of the silica executable")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--qemu32", help="qemu for rv32 ELFs (default: derived from --qemu)")
    ap.add_argument("--core", help="silica --core to use (default: silica's own)")
    ap.add_argument("--silica-args", metavar="ARGS",
                    help="more `silica run` options in one word, e.g. "
                         "--silica-args='--core dbt --dbt-hot 1'")
    ap.add_argument("--max-insns", type=int, default=0, help="silica --max-insns (0: not passed)")
    ap.add_argument("--memory", default="128M", help="QEMU -m")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run")
    ap.add_argument("--qemu-only", action="store_true",
                    help="only run QEMU and print its output and exit code")
    ap.add_argument("elfs", nargs="+", metavar="ELF")
    args = ap.parse_args()
    if not args.qemu_only and not args.silica:
        ap.error("--silica is required (or use --qemu-only)")
    qemu = {64: args.qemu, 32: args.qemu32 or qemu32_for(args.qemu)}
    for q in qemu.values():
        if not shutil.which(q):
            print(f"error: {q} not found (Debian: apt-get install qemu-system-misc)")
            return 2

    failures = 0
    for elf in args.elfs:
        name = os.path.basename(elf)
        try:
            xlen = elf_xlen(elf)
        except (OSError, ValueError, KeyError) as e:
            print(f"ERROR {name}: {e}")
            failures += 1
            continue
        q = run(qemu_command(qemu[xlen], elf, args.memory), args.timeout)
        if args.qemu_only:
            print(f"--- {name} (rv{xlen}) on QEMU: {q.describe()}, {q.seconds:.2f} s")
            sys.stdout.write(show(q.output))
            if q.error:
                failures += 1
            continue
        if q.error:     # the reference itself failed: nothing to compare with
            print(f"ERROR {name}: QEMU {q.error}")
            failures += 1
            continue
        s = run(silica_command(args, elf), args.timeout)
        if s.error or s.exit_code != q.exit_code or s.output != q.output:
            report_difference(name, s, q)
            failures += 1
        else:
            print(f"same     {name}: exit code {q.exit_code}, "
                  f"{len(q.output)} bytes of output "
                  f"(silica {s.seconds:.2f} s, qemu {q.seconds:.2f} s)")

    total = len(args.elfs)
    print(f"{total - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
