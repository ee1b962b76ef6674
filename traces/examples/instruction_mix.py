#!/usr/bin/env python3
"""Instruction mix and hottest pcs of a silica binary trace.

    python3 traces/examples/instruction_mix.py run.trace [--top 10]

An example of traces/silica_trace.py, written to be read top to bottom (or
pasted cell by cell into a notebook): open the trace, count, print.
"""
import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import silica_trace  # noqa: E402  (found through the path set above)

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("trace")
ap.add_argument("--top", type=int, default=10)
args = ap.parse_args()

# --- read: one pass, counting per class, per pc and per privilege level
by_class = collections.Counter()
by_pc = collections.Counter()
by_priv = collections.Counter()
traps = collections.Counter()
try:
    with silica_trace.open_trace(args.trace) as trace:
        header = trace.header
        for rec in trace:
            if isinstance(rec, silica_trace.Retired):
                by_class[rec.insn_class] += 1
                by_pc[rec.pc] += 1
                by_priv[rec.priv] += 1
            elif isinstance(rec, silica_trace.Trap):
                traps[(rec.interrupt, rec.cause)] += 1
except silica_trace.TraceError as e:
    sys.exit(f"instruction_mix.py: {e}")

total = sum(by_class.values())
share_of = total or 1  # an empty trace prints zeros, not a division error
print(f"{args.trace}: {header.isa or 'ISA not recorded'}, XLEN {header.xlen}, "
      f"{total} instructions, {sum(traps.values())} traps")

# --- the mix by instruction class, largest first
print("\ninstruction mix")
for insn_class, n in by_class.most_common():
    share = 100.0 * n / share_of
    print(f"  {header.class_name(insn_class):<10} {n:>12} {share:6.2f}%  {'#' * round(share / 2)}")

# --- privilege levels
print("\nprivilege")
for priv, n in sorted(by_priv.items()):
    print(f"  {'USHM'[priv] if priv < 4 else priv:<10} {n:>12} {100.0 * n / share_of:6.2f}%")

# --- the pcs that retired most often
print(f"\nhottest pcs (top {args.top})")
for pc, n in by_pc.most_common(args.top):
    print(f"  {pc:#018x} {n:>12} {100.0 * n / share_of:6.2f}%")
