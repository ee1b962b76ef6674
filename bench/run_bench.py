#!/usr/bin/env python3
"""Time the bench kernels on silica and on QEMU.

Each ELF runs --runs times on each simulator.  Per kernel the table gives
the median seconds of each (wall clock, or CPU time with --cpu), silica's
instruction count (from the `instructions: N` line that `silica run
--stats` prints on stderr, when it can be found), silica's MIPS, and the
speed ratio QEMU time / silica time (above 1: silica is faster), plus the
geometric mean of the ratios.  Both simulators are timed the same way, by
the wall clock (or CPU time) of the whole process, start-up included.  A kernel that exits non-zero
failed its self-check, and then the script exits non-zero.

    bench/run_bench.py --silica build/silica --qemu qemu-system-riscv64 --runs 3
    bench/run_bench.py --qemu qemu-system-riscv64          # QEMU only
    bench/run_bench.py ... --markdown >> docs/PERFORMANCE.md

By default the ELFs are build/bench/*.elf; pass paths to choose others.
Standard library only.
"""
import argparse
import glob
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time

# Tolerant parsers for silica's --stats lines, with or without a prefix:
# "silica: instructions: 123", "Instructions = 1,234,567",
# "silica: host seconds: 0.52", "host_seconds=0.52 s".
INSNS_RE = re.compile(r"(?i)\binstructions?\s*[:=]\s*([\d,_']+)")
SECONDS_RE = re.compile(r"(?i)\bhost[ _-]?(?:time|seconds?)\s*[:=]\s*([\d.]+)")


class Run:
    def __init__(self, wall, cpu, code, stdout, stderr):
        self.wall, self.cpu, self.code = wall, cpu, code
        self.stdout, self.stderr = stdout, stderr


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(cmd, timeout):
    start, cpu_start = time.monotonic(), children_cpu()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, text=True, errors="replace")
    except subprocess.TimeoutExpired:
        return Run(timeout, timeout, None, "", f"timed out after {timeout} s")
    return Run(time.monotonic() - start, children_cpu() - cpu_start,
               p.returncode, p.stdout, p.stderr)


def parse_stats(stderr):
    """(instructions or None, host seconds or None) from silica's stderr."""
    insns = secs = None
    m = INSNS_RE.search(stderr)
    if m:
        insns = int(re.sub(r"[,_']", "", m.group(1)))
    m = SECONDS_RE.search(stderr)
    if m:
        try:
            secs = float(m.group(1))
        except ValueError:
            pass
    return insns, secs


class Measurement:
    """N runs of one simulator on one kernel.  `seconds` is the median wall
    time (or CPU time with --cpu) of the whole process, measured the same
    way for both simulators so the ratio compares like with like."""

    def __init__(self, runs, use_cpu):
        self.runs = runs
        self.failed = [r for r in runs if r.code != 0]
        self.seconds = statistics.median(r.cpu if use_cpu else r.wall for r in runs)
        stats = [parse_stats(r.stderr) for r in runs]
        insns = [i for i, _ in stats if i is not None]
        self.insns = insns[0] if insns else None


def measure(cmd, args):
    runs = [run_once(cmd, args.timeout) for _ in range(args.runs)]
    return Measurement(runs, args.cpu)


def fmt(v, spec):
    return format(v, spec) if v is not None else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", help="silica executable (omit for QEMU only)")
    ap.add_argument("--qemu", default="qemu-system-riscv64",
                    help="QEMU for rv64 ('none' to skip QEMU)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--core", help="silica --core (e.g. interp)")
    ap.add_argument("--silica-arg", action="append", default=[],
                    help="extra argument for `silica run` (repeatable)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--cpu", action="store_true",
                    help="time by the child's user+sys CPU seconds instead of wall "
                         "time (steadier on a busy machine)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("elfs", nargs="*", metavar="ELF",
                    help="kernels to run (default: build/bench/*.elf)")
    args = ap.parse_args()

    elfs = args.elfs or sorted(glob.glob(os.path.join("build", "bench", "*.elf")))
    if not elfs:
        ap.error("no ELF given and none found in build/bench/")
    use_qemu = args.qemu and args.qemu != "none"
    if not args.silica and not use_qemu:
        ap.error("nothing to run: give --silica and/or --qemu")

    rows, bad = [], []
    for elf in elfs:
        name = os.path.splitext(os.path.basename(elf))[0]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        q = s = None
        if use_qemu:
            q = measure([args.qemu, "-M", "virt", "-bios", "none", "-m", "128M",
                         "-nographic", "-monitor", "none", "-serial", "stdio",
                         "-kernel", elf], args)
        if args.silica:
            cmd = [args.silica, "run", "--stats"]
            if args.core:
                cmd += ["--core", args.core]
            s = measure(cmd + args.silica_arg + [elf], args)
        for who, m in (("qemu", q), ("silica", s)):
            if m and m.failed:
                r = m.failed[0]
                bad.append(f"{name} on {who}: exit code {r.code}: "
                           f"{(r.stdout + r.stderr).strip()[-300:]}")
        rows.append((name, q, s))

    print_table(rows, args.markdown, args)
    for line in bad:
        print("FAILED " + line)
    return 1 if bad else 0


def print_table(rows, markdown, args):
    header = ["kernel", "qemu s", "silica s", "instructions", "silica MIPS", "qemu/silica"]
    table, ratios = [], []
    for name, q, s in rows:
        mips = ratio = None
        if s and s.insns and s.seconds > 0:
            mips = s.insns / s.seconds / 1e6
        if q and s and s.seconds > 0:
            ratio = q.seconds / s.seconds
            ratios.append(ratio)
        table.append([name, fmt(q and q.seconds, ".2f"), fmt(s and s.seconds, ".2f"),
                      fmt(s and s.insns, ",d"), fmt(mips, ".1f"), fmt(ratio, ".2f")])
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        table.append(["geomean", "", "", "", "", f"{geo:.2f}"])

    what = f"median of {args.runs} runs, {'CPU' if args.cpu else 'wall'} seconds"
    if args.core:
        what += f", silica --core {args.core}"
    if markdown:
        print(f"Bench kernels ({what}; qemu/silica > 1 means silica is faster):\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for row in table:
            print("| " + " | ".join(row) + " |")
    else:
        print(f"({what}; qemu/silica > 1 means silica is faster)")
        widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
        for row in [header] + table:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths))))


if __name__ == "__main__":
    sys.exit(main())
