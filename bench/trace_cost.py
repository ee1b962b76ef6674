#!/usr/bin/env python3
"""What tracing costs: each ELF untraced and with each kind of trace, on
one engine, wall clock of the whole process, median of --runs.

    bench/trace_cost.py --silica build/silica --runs 3 --markdown build/bench/*.elf
    bench/trace_cost.py ... --boot GUEST_DIR     # also a Linux boot (boot_linux.py's)

Modes, each against the untraced run of the same length:
  replay   --trace-format replay: the inputs of the run (traces/REPLAY.md),
           on the engine under test;
  expand   `silica replay LOG --trace FILE --trace-format bin`: the full
           binary trace of that run rebuilt on the interpreter, offline;
  bin      --trace-format bin during the run (the engine falls back to the
           interpreter, which writes every record);
  text     --trace-format text during the run, to /dev/null (CPU cost only).
The kernels run whole untraced and for `replay`, whose cost is the ratio of
the two wall times. The modes that write every record run the first
--prefix instructions only (their files would reach gigabytes); their cost
is the untraced run's rate over theirs (instructions per second, start-up
included on both sides). For the Linux boot that sets early boot against
the whole boot's average, which overstates it.

With --qemu, each kernel also runs on QEMU (`-M virt -bios none`) untraced
and with `-singlestep -d exec,nochain` (one log line per instruction) for
--qemu-seconds, its log counted through a pipe: QEMU's cost is its
untraced rate over its traced one. Trace files go to --tmp. Standard
library only.
"""
import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import time

INSNS_RE = re.compile(r"silica: instructions: (\d+)")
FW_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"


def timed(cmd):
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    wall = time.monotonic() - start
    if p.returncode not in (0, 124):
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    m = INSNS_RE.search(p.stderr.decode(errors="replace"))
    return wall, int(m.group(1)) if m else None


def median_run(cmd, runs):
    results = [timed(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), results[0][1]


def qemu_command(qemu, elf):
    return [qemu, "-M", "virt", "-bios", "none", "-m", "128M", "-nographic", "-monitor", "none",
            "-serial", "null", "-kernel", elf]


def qemu_exec_log_rate(qemu, elf, seconds):
    """Instructions per second QEMU logs with -singlestep -d exec,nochain."""
    cmd = qemu_command(qemu, elf) + ["-singlestep", "-d", "exec,nochain", "-D", "/dev/stdout"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    lines = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        chunk = p.stdout.read1(1 << 20)
        if not chunk:
            break  # the program ended early
        lines += chunk.count(b"\n")
    elapsed = time.monotonic() - start
    p.kill()
    p.wait()
    return lines / elapsed


def measure_qemu(elf, row, args):
    runs = args.runs
    untraced = statistics.median(timed(qemu_command(args.qemu, elf))[0] for _ in range(runs))
    row["qemu_mips"] = row["insns"] / untraced / 1e6
    row["qemu_exec_mips"] = statistics.median(
        qemu_exec_log_rate(args.qemu, elf, args.qemu_seconds) for _ in range(runs)) / 1e6


def measure(name, run_args, args, rows):
    silica, tmp = args.silica, args.tmp
    base = [silica, "run", "--core", args.core, "--no-progress", "--stats"]
    log = os.path.join(tmp, "trace-cost.replay")
    untraced, insns = median_run(base + run_args, args.runs)
    replay, _ = median_run(base + run_args + ["--trace", log, "--trace-format", "replay"],
                           args.runs)
    log_bytes = os.path.getsize(log)
    row = {"name": name, "insns": insns, "untraced": untraced, "replay": replay,
           "log_bytes": log_bytes}
    if args.prefix:
        prefix = ["--max-insns", str(args.prefix)]
        row["prefix_untraced"], row["prefix_insns"] = median_run(base + prefix + run_args,
                                                                 args.runs)
        row["bin"], _ = median_run(base + prefix + run_args +
                                   ["--trace", os.path.join(tmp, "trace-cost.bin"),
                                    "--trace-format", "bin"], args.runs)
        row["text"], _ = median_run(base + prefix + run_args +
                                    ["--trace", "/dev/null", "--trace-format", "text"],
                                    args.runs)
        plog = os.path.join(tmp, "trace-cost-prefix.replay")
        timed(base + prefix + run_args + ["--trace", plog, "--trace-format", "replay"])
        row["expand"], _ = median_run([silica, "replay", plog, "--trace",
                                       os.path.join(tmp, "trace-cost-expanded.bin"),
                                       "--trace-format", "bin"], args.runs)
    rows.append(row)
    print(f"{name}: {row}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("elfs", nargs="*")
    ap.add_argument("--silica", default="build/silica")
    ap.add_argument("--core", default="dbt", choices=["dbt", "interp"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--prefix", type=int, default=50_000_000,
                    help="instructions for the modes that write every record (0: skip them)")
    ap.add_argument("--boot", help="guest directory (Image, initramfs.cpio.gz): add a Linux boot")
    ap.add_argument("--qemu", help="qemu-system-riscv64: also time QEMU on the kernels")
    ap.add_argument("--qemu-seconds", type=float, default=5.0,
                    help="how long QEMU's -d exec log is counted")
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    elfs = args.elfs or sorted(glob.glob("build/bench/*.elf"))
    rows = []
    for elf in elfs:
        measure(os.path.basename(elf).removesuffix(".elf"), [elf], args, rows)
        if args.qemu:
            measure_qemu(elf, rows[-1], args)
            print(f"  qemu: {rows[-1]['qemu_mips']:.0f} MIPS untraced, "
                  f"{rows[-1]['qemu_exec_mips']:.2f} MIPS with -d exec", file=sys.stderr)
    if args.boot:
        boot = ["-m", "512M", "--bios", FW_JUMP, "--kernel", os.path.join(args.boot, "Image"),
                "--initrd", os.path.join(args.boot, "initramfs.cpio.gz"), "--append",
                "console=ttyS0 quiet cryptomgr.notests silica.test=poweroff"]
        measure("linux boot", boot, args, rows)

    print(f"engine {args.core}, median of {args.runs} runs; × = the untraced rate over the "
          "traced one\n")
    head = "| workload | instructions | untraced s | MIPS | replay log s | × | log bytes/M insns |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if args.prefix:
        head += " bin MIPS | × | text MIPS | × | expand MIPS | × |"
        rule += "---:|" * 6
    if args.qemu:
        head += " QEMU MIPS | QEMU -d exec MIPS | × |"
        rule += "---:|" * 3
    print(head)
    print(rule)
    for r in rows:
        mips = r["insns"] / r["untraced"] / 1e6
        line = (f"| {r['name']} | {r['insns']:,} | {r['untraced']:.2f} | {mips:.0f} | "
                f"{r['replay']:.2f} | {r['replay'] / r['untraced']:.2f} | "
                f"{r['log_bytes'] / r['insns'] * 1e6:.0f} |")
        if args.prefix:
            for mode in ("bin", "text", "expand"):
                traced = r["prefix_insns"] / r[mode] / 1e6
                line += f" {traced:.1f} | {mips / traced:.0f} |"
        if args.qemu and "qemu_mips" in r:
            line += (f" {r['qemu_mips']:.0f} | {r['qemu_exec_mips']:.2f} | "
                     f"{r['qemu_mips'] / r['qemu_exec_mips']:.0f} |")
        print(line)

if __name__ == "__main__":
    main()
