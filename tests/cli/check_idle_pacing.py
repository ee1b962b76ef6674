#!/usr/bin/env python3
"""--idle realtime holds simulated time to the host's clock while every hart
sleeps in WFI; --idle skip jumps ahead. tests/programs/idle.elf sleeps until
a timer 0.3 s of simulated time away: realtime must take at least 0.3 s of
host time, and both modes must retire the same instructions in the same
simulated time with the same output (pacing never changes what the guest
does).

    check_idle_pacing.py --silica build/silica --elf build/tests/programs/idle.elf
"""
import argparse
import re
import subprocess
import sys
import time

IDLE_SECONDS = 0.3  # idle.c's timer


def run(silica, mode, elf):
    start = time.monotonic()
    proc = subprocess.run([silica, "run", "--idle", mode, "--stats", elf],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    wall = time.monotonic() - start
    stats = dict(re.findall(r"silica: (instructions|simulated time): ([\d.]+)", proc.stderr))
    return proc.returncode, proc.stdout, stats, wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", required=True)
    ap.add_argument("--elf", required=True)
    args = ap.parse_args()
    problems = []
    real = run(args.silica, "realtime", args.elf)
    skip = run(args.silica, "skip", args.elf)
    for name, (code, out, stats, wall) in (("realtime", real), ("skip", skip)):
        print(f"--idle {name}: exit {code}, {wall:.3f} s host, {stats}")
        if code != 0:
            problems.append(f"--idle {name} exited {code}: {out!r}")
    if real[3] < IDLE_SECONDS:
        problems.append(f"--idle realtime took {real[3]:.3f} s of host time, "
                        f"less than the {IDLE_SECONDS} s the guest slept")
    if real[1] != skip[1] or real[2] != skip[2]:
        problems.append(f"the modes differ: realtime {real[1]!r} {real[2]}, "
                        f"skip {skip[1]!r} {skip[2]}")
    if float(real[2].get("simulated time", 0)) < IDLE_SECONDS:
        problems.append(f"simulated time {real[2]} is short of {IDLE_SECONDS} s")
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
