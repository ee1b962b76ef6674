#!/usr/bin/env python3
"""Time the bench kernels on silica's engines and on QEMU, in one run.

Each ELF runs --runs times on QEMU and on silica with each --core (default:
interp and dbt).  Per kernel the table gives the median seconds of each
(wall clock, or CPU time with --cpu), silica's instruction count (from the
`instructions: N` line of `silica run --stats`), each engine's MIPS and its
speed against QEMU (QEMU time / silica time: above 1, silica is faster);
with two engines also the second's speed-up over the first; and the DBT's
translation cost and code size from its --stats lines.  Geometric means
close the table.  Every simulator is timed the same way, by the wall clock
(or CPU time) of the whole process, start-up included.  A kernel that exits
non-zero failed its self-check, and then the script exits non-zero.

    bench/run_bench.py --silica build/silica --qemu qemu-system-riscv64 --runs 3
    bench/run_bench.py --silica build/silica --core dbt     # one engine
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
DBT_US_RE = re.compile(r"dbt translation us/block:\s*([\d.]+)")
DBT_BYTES_RE = re.compile(r"dbt code bytes/guest insn:\s*([\d.]+)")
DBT_BLOCKS_RE = re.compile(r"dbt blocks translated:\s*(\d+)")


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
    way for every simulator so the ratios compare like with like."""

    def __init__(self, runs, use_cpu):
        self.runs = runs
        self.failed = [r for r in runs if r.code != 0]
        self.seconds = statistics.median(r.cpu if use_cpu else r.wall for r in runs)
        stats = [parse_stats(r.stderr) for r in runs]
        insns = [i for i, _ in stats if i is not None]
        self.insns = insns[0] if insns else None
        self.dbt = {}
        for key, regex in (("us", DBT_US_RE), ("bytes", DBT_BYTES_RE), ("blocks", DBT_BLOCKS_RE)):
            values = [float(m.group(1)) for m in (regex.search(r.stderr) for r in runs) if m]
            if values:
                self.dbt[key] = statistics.median(values)


def measure(cmd, args):
    runs = [run_once(cmd, args.timeout) for _ in range(args.runs)]
    return Measurement(runs, args.cpu)


def fmt(v, spec):
    return format(v, spec) if v is not None else "-"


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", help="silica executable (omit for QEMU only)")
    ap.add_argument("--qemu", default="qemu-system-riscv64",
                    help="QEMU for rv64 ('none' to skip QEMU)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--core", action="append",
                    help="silica --core to time (repeatable; default: interp and dbt)")
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
    args.core = args.core or ["interp", "dbt"]

    elfs = args.elfs or sorted(glob.glob(os.path.join("build", "bench", "*.elf")))
    if not elfs:
        ap.error("no ELF given and none found in build/bench/")
    use_qemu = args.qemu and args.qemu != "none"
    if not args.silica and not use_qemu:
        ap.error("nothing to run: give --silica and/or --qemu")
    cores = args.core if args.silica else []

    rows, bad = [], []
    for elf in elfs:
        name = os.path.splitext(os.path.basename(elf))[0]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        q = None
        if use_qemu:
            q = measure([args.qemu, "-M", "virt", "-bios", "none", "-m", "128M",
                         "-nographic", "-monitor", "none", "-serial", "stdio",
                         "-kernel", elf], args)
        per_core = {}
        for core in cores:
            cmd = [args.silica, "run", "--stats", "--no-progress", "--core", core]
            per_core[core] = measure(cmd + args.silica_arg + [elf], args)
        for who, m in [("qemu", q)] + [(f"silica --core {c}", m) for c, m in per_core.items()]:
            if m and m.failed:
                r = m.failed[0]
                bad.append(f"{name} on {who}: exit code {r.code}: "
                           f"{(r.stdout + r.stderr).strip()[-300:]}")
        rows.append((name, q, per_core))

    print_table(rows, cores, args)
    for line in bad:
        print("FAILED " + line)
    return 1 if bad else 0


def print_table(rows, cores, args):
    header = ["kernel", "qemu s"]
    for c in cores:
        header += [f"{c} s", f"{c} MIPS", f"qemu/{c}"]
    pair = cores[-2:] if len(cores) >= 2 else None
    if pair:
        header.append(f"{pair[0]}/{pair[1]}")
    has_dbt = "dbt" in cores
    if has_dbt:
        header += ["dbt us/block", "dbt bytes/insn"]
    table = []
    columns = {}  # ratio columns: header -> values, for the geometric means
    for name, q, per_core in rows:
        row = [name, fmt(q and q.seconds, ".2f")]
        for c in cores:
            m = per_core[c]
            mips = m.insns / m.seconds / 1e6 if m.insns and m.seconds > 0 else None
            ratio = q.seconds / m.seconds if q and m.seconds > 0 else None
            columns.setdefault(f"qemu/{c}", []).append(ratio)
            row += [fmt(m.seconds, ".2f"), fmt(mips, ".0f"), fmt(ratio, ".2f")]
        if pair:
            a, b = per_core[pair[0]], per_core[pair[1]]
            speedup = a.seconds / b.seconds if b.seconds > 0 else None
            columns.setdefault(f"{pair[0]}/{pair[1]}", []).append(speedup)
            row.append(fmt(speedup, ".2f"))
        if has_dbt:
            d = per_core["dbt"].dbt
            row += [fmt(d.get("us"), ".1f"), fmt(d.get("bytes"), ".0f")]
        table.append(row)
    if rows:
        geo = ["geomean"] + [""] * (len(header) - 1)
        for key, values in columns.items():
            g = geomean(values)
            if g is not None:
                geo[header.index(key)] = f"{g:.2f}"
        table.append(geo)

    what = f"median of {args.runs} runs, {'CPU' if args.cpu else 'wall'} seconds"
    if args.markdown:
        print(f"Bench kernels ({what}; qemu/X > 1 means silica's X is faster than QEMU):\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for row in table:
            print("| " + " | ".join(row) + " |")
    else:
        print(f"({what}; qemu/X > 1 means silica's X is faster than QEMU)")
        widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
        for row in [header] + table:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths))))


if __name__ == "__main__":
    sys.exit(main())
