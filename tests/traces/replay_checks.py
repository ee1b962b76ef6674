#!/usr/bin/env python3
"""End-to-end checks of record and replay (traces/REPLAY.md), CTest labels
"trace" and "boot":

    replay_checks.py equal      --silica S --core C [--smp N] [--window A:B] ELF
        records ELF under engine C, replays the log into a text and a binary
        trace, and compares them with the traces of a direct run on the
        interpreter: byte for byte. With --window both keep only that
        stretch (--trace-window), which the replay reaches untraced.
    replay_checks.py replayable --silica S [--expect RE] -- RUN-ARGS...
        records `silica run --core dbt RUN-ARGS` and replays it without a
        trace: the replay must retire as many instructions as the recording
        (for guests whose direct runs differ, such as ones that read the
        host's clock, and for Linux boots).
    replay_checks.py changed    --silica S --platform P ELF OTHER-ELF
        replaying after the program, or the .platform file P, changed is
        refused, naming the file.
    replay_checks.py tampered   --silica S ELF
        a log whose first run ends elsewhere than the program goes is
        reported as a divergence.
    replay_checks.py readers    --silica S --silica-trace T ELF
        silica-trace and the Python reader read a replay log as its binary
        trace: their text equals a direct interpreted run's text trace, and
        a damaged log is an error naming it.

Standard library, plus python3-zstandard for `tampered`.
"""
import argparse
import functools
import os
import re
import shutil
import sys
import tempfile

import trace_checks
from trace_checks import fail, first_difference


# The helpers trace_checks.py has (this script's neighbour); a replay of a
# Linux boot may take longer than its default timeout.
run = functools.partial(trace_checks.run, timeout=600)


def text(p):
    return p.stderr.decode(errors="replace") + p.stdout.decode(errors="replace")


def record(silica, run_args, log):
    """Runs with --trace-format replay; returns the instructions retired."""
    cmd = [silica, "run", "--no-progress", "--stats", *run_args, "--trace", log,
           "--trace-format", "replay"]
    p = run(cmd)
    if p.returncode == 2 or p.returncode < 0 or not os.path.exists(log):
        fail(f"recording: {' '.join(cmd)}: exit {p.returncode}: {text(p)}")
    m = re.search(r"silica: instructions: (\d+)", text(p))
    if not m:
        fail(f"recording: no instruction count in: {text(p)}")
    return int(m.group(1)), p


def replay(silica, log, *trace_args):
    return run([silica, "replay", log, *trace_args])


def replayed_instructions(p, log):
    if p.returncode != 0:
        fail(f"silica replay {log}: exit {p.returncode}: {text(p)}")
    m = re.search(r"replayed (\d+) instructions", text(p))
    if not m:
        fail(f"silica replay {log}: no count in: {text(p)}")
    return int(m.group(1))


def check_equal(args):
    run_args = ["--max-insns", "100000000"] + (["--smp", str(args.smp)] if args.smp else [])
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "run.replay")
        recorded, _ = record(args.silica, ["--core", args.core, *run_args, args.elf], log)
        window = ["--trace-window", args.window] if args.window else []
        for fmt, ext in (("text", "txt"), ("bin", "bin")):
            replayed_path = os.path.join(tmp, "replayed." + ext)
            direct_path = os.path.join(tmp, "direct." + ext)
            p = replay(args.silica, log, "--trace", replayed_path, "--trace-format", fmt, *window)
            if replayed_instructions(p, log) != recorded:
                fail(f"the replay retired a different count than the recording's {recorded}")
            cmd = [args.silica, "run", "--core", "interp", *run_args, "--trace", direct_path,
                   "--trace-format", fmt, *window, args.elf]
            p = run(cmd)
            if p.returncode == 2 or p.returncode < 0:
                fail(f"{' '.join(cmd)}: exit {p.returncode}: {text(p)}")
            with open(replayed_path, "rb") as f:
                replayed = f.read()
            with open(direct_path, "rb") as f:
                direct = f.read()
            if not direct:
                fail(f"the direct {fmt} trace is empty")
            if replayed != direct:
                if fmt == "text":
                    a, b = direct.decode().splitlines(), replayed.decode().splitlines()
                    i = first_difference(a, b)
                    fail(f"the replayed text trace differs at line {i + 1}:\n"
                         f"  direct:   {a[i] if i < len(a) else '(end)'}\n"
                         f"  replayed: {b[i] if i < len(b) else '(end)'}")
                fail(f"the replayed binary trace differs at byte "
                     f"{first_difference(direct, replayed)}")
    print(f"ok: {recorded} instructions recorded under {args.core}; the replayed text and "
          f"binary traces equal the direct ones")


def check_replayable(args):
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "run.replay")
        recorded, p = record(args.silica, ["--core", "dbt", *args.run_args], log)
        if args.expect and not re.search(args.expect, text(p)):
            fail(f"the recorded run did not print {args.expect!r}: {text(p)[-2000:]}")
        p = replay(args.silica, log)
        replayed = replayed_instructions(p, log)
        if replayed != recorded:
            fail(f"the replay retired {replayed} instructions, the recording {recorded}")
        size = os.path.getsize(log)
    print(f"ok: {recorded} instructions recorded and replayed ({size} byte log, "
          f"{size * 8 / recorded:.4f} bits per instruction)")


def check_changed(args):
    with tempfile.TemporaryDirectory() as tmp:
        elf = os.path.join(tmp, "program.elf")
        shutil.copy(args.elf, elf)
        log = os.path.join(tmp, "run.replay")
        record(args.silica, ["--max-insns", "100000000", elf], log)
        shutil.copy(args.other, elf)
        p = replay(args.silica, log)
        if p.returncode != 2 or f"{elf}: changed since {log} was recorded" not in text(p):
            fail(f"replaying with a changed program: exit {p.returncode}: {text(p)}")
        said = text(p).strip()
        # A platform file is an input too.
        platform = os.path.join(tmp, "board.platform")
        shutil.copy(args.platform, platform)
        record(args.silica, ["--platform", platform, "--max-insns", "100000000", args.elf], log)
        with open(platform, "a", encoding="utf-8") as f:
            f.write("# edited after the recording\n")
        p = replay(args.silica, log)
        if p.returncode != 2 or f"{platform}: changed since {log} was recorded" not in text(p):
            fail(f"replaying with a changed platform file: exit {p.returncode}: {text(p)}")
    print("ok: " + said + "; " + text(p).strip())


def varint(data, pos):
    value, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def put_varint(value):
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def check_tampered(args):
    import zstandard  # pylint: disable=import-outside-toplevel
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "run.replay")
        record(args.silica, ["--max-insns", "100000000", args.elf], log)
        with open(log, "rb") as f:
            data = f.read()
        fields = int.from_bytes(data[12:16], "little")
        head = 16 + fields
        raw_size = int.from_bytes(data[head:head + 4], "little")
        stored = int.from_bytes(data[head + 4:head + 8], "little")
        block = bytearray(zstandard.ZstdDecompressor().decompress(
            data[head + 8:head + 8 + stored], max_output_size=raw_size))
        # The first record is a run: tag, hart, cycles, wires, flags,
        # end instret, end pc, ... Move its end pc two bytes on.
        if block[0] != 0x01:
            fail(f"the log's first record has tag {block[0]:#x}, not a run")
        pos = 1
        for _ in range(3):
            _, pos = varint(block, pos)
        pos += 1
        _, pos = varint(block, pos)
        pc, end = varint(block, pos)
        block[pos:end] = put_varint(pc + 2)
        frame = zstandard.ZstdCompressor().compress(bytes(block))
        rest = data[head + 8 + stored:]
        with open(log, "wb") as f:
            f.write(data[:head] + len(block).to_bytes(4, "little") +
                    len(frame).to_bytes(4, "little") + frame + rest)
        p = replay(args.silica, log)
        if p.returncode != 2 or "the replay diverged in run 1" not in text(p):
            fail(f"replaying a tampered log: exit {p.returncode}: {text(p)}")
    print("ok: " + text(p).strip())


def check_readers(args):
    import silica_trace  # pylint: disable=import-outside-toplevel
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "run.replay")
        recorded, _ = record(args.silica, ["--core", "dbt", args.elf], log)
        direct_path = os.path.join(tmp, "direct.txt")
        p = run([args.silica, "run", "--core", "interp", "--trace", direct_path, args.elf])
        if p.returncode == 2 or p.returncode < 0:
            fail(f"the direct run: exit {p.returncode}: {text(p)}")
        with open(direct_path, encoding="ascii") as f:
            direct = f.read()
        p = run([args.silica_trace, "text", log])
        if p.returncode != 0:
            fail(f"silica-trace text LOG: exit {p.returncode}: {text(p)}")
        trace_checks.compare_text(direct, p.stdout.decode(), "silica-trace text LOG")
        p = run([args.silica_trace, "stats", log])
        if p.returncode != 0 or f"instructions  {recorded}\n" not in p.stdout.decode():
            fail(f"silica-trace stats LOG: exit {p.returncode}: {text(p)}")
        with silica_trace.open_trace(log, silica=args.silica) as trace:
            lines = "".join(silica_trace.format_spike(r) for r in trace
                            if isinstance(r, silica_trace.Retired))
            expansion = trace.path
        trace_checks.compare_text(direct, lines, "the Python reader on LOG")
        if os.path.exists(expansion):
            fail(f"the Python reader left its expansion {expansion} behind")
        damaged = os.path.join(tmp, "damaged.replay")
        with open(log, "rb") as f, open(damaged, "wb") as g:
            g.write(f.read(100))
        p = run([args.silica_trace, "stats", damaged])
        if p.returncode != 2 or f"{damaged}: " not in text(p):
            fail(f"silica-trace on a damaged log: exit {p.returncode}: {text(p)}")
        try:
            silica_trace.open_trace(damaged, silica=args.silica).close()
            fail("the Python reader opened a damaged log")
        except silica_trace.TraceError as e:
            if damaged not in str(e):
                fail(f"the Python reader's error does not name the log: {e}")
    print(f"ok: {recorded} instructions; silica-trace and the Python reader read the log as "
          f"its trace")


def main():
    argv = sys.argv[1:]
    run_args = []
    if "--" in argv:
        run_args = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("check", choices=["equal", "replayable", "changed", "tampered", "readers"])
    ap.add_argument("elf", nargs="?")
    ap.add_argument("other", nargs="?")
    ap.add_argument("--silica", required=True)
    ap.add_argument("--silica-trace")
    ap.add_argument("--platform", help="changed: a .platform file to record with")
    ap.add_argument("--core", default="dbt", choices=["dbt", "interp"])
    ap.add_argument("--smp", type=int)
    ap.add_argument("--expect")
    ap.add_argument("--window", help="FIRST:LAST, as --trace-window")
    args = ap.parse_intermixed_args(argv)
    args.run_args = run_args
    if args.check != "replayable" and not args.elf:
        ap.error("give the ELF")
    if args.check == "changed" and not (args.other and args.platform):
        ap.error("give the ELF to change it into, and --platform")
    if args.check == "readers" and not args.silica_trace:
        ap.error("give --silica-trace")
    {"equal": check_equal, "replayable": check_replayable, "changed": check_changed,
     "tampered": check_tampered, "readers": check_readers}[args.check](args)


if __name__ == "__main__":
    main()
