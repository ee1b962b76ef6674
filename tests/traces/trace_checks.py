#!/usr/bin/env python3
"""End-to-end checks of silica's traces (CTest label "trace").

Traces come either from a real run, `silica run --trace FILE --trace-format
text|bin ELF`, or from tests/traces/trace_synth (a synthetic program written
through the same writers), so the tools are tested even where the simulator
cannot trace yet:

    trace_checks.py text-equal    SOURCE --silica-trace T    binary -> text == direct text
    trace_checks.py python-reader SOURCE                     silica_trace.py text == direct text
    trace_checks.py cfg-dot       SOURCE --silica-trace T --dot DOT [--elf ELF]
    trace_checks.py tools         SOURCE --silica-trace T    stats, bbv, the example script
    trace_checks.py qemu-pcs      --silica S --qemu Q [--qemu32 Q32] ELF
    trace_checks.py window        --silica S --core C --window A:B ELF

where SOURCE is `--synth PATH [--xlen 32]` or `--silica PATH ELF`.

qemu-pcs runs the ELF on silica (binary trace) and on QEMU with
`-singlestep -d exec,nochain`, and compares the program counters. QEMU logs
an instruction when it starts executing it (each translation block is one
instruction with -singlestep), so its list holds instructions that trapped;
silica's trace has them as Trap records (epc) instead of Retired ones, and
they are put back in for the comparison. Fetch faults are the exception:
QEMU never builds a block at a pc it cannot fetch from, so those epcs are
left out. QEMU's own reset code (the boot ROM at 0x1000) runs before the
program's entry and is skipped. Programs with timer interrupts are not
compared: QEMU's timer follows the host clock.

window checks that a --trace-window run, which runs untraced (on the DBT,
with --core dbt) up to the window, writes the same bytes as a run whose
hart is traced from its first instruction and filtered to the window: a
start trigger at the ELF's entry keeps every hart that starts there traced
all along.

Exit status 77 (CTest: skipped) when silica has no --trace option yet.
Standard library, plus python3-zstandard for the Python reader.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TRACES_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "traces"))
sys.path.insert(0, TRACES_DIR)

SKIP = 77
EM_RISCV = 243


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd, **kwargs):
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 300)
    try:
        return subprocess.run(cmd, **kwargs)
    except OSError as e:
        fail(f"cannot run {cmd[0]}: {e.strerror}")
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(cmd)}: timed out after {kwargs['timeout']} s")


def elf_xlen(path):
    with open(path, "rb") as f:
        hdr = f.read(20)
    if len(hdr) < 20 or hdr[:4] != b"\x7fELF" or int.from_bytes(hdr[18:20], "little") != EM_RISCV:
        fail(f"{path}: not a RISC-V ELF")
    return {1: 32, 2: 64}[hdr[4]]


def require_trace_option(silica):
    p = run([silica, "run", "--help"])
    if "--trace" not in p.stdout.decode(errors="replace"):
        print(f"SKIP: {silica} has no --trace option yet", file=sys.stderr)
        sys.exit(SKIP)


def make_traces(args, workdir, formats=("text", "bin")):
    """Writes the source's trace in each format; returns {format: path}."""
    paths = {fmt: os.path.join(workdir, "trace." + ("txt" if fmt == "text" else "bin"))
             for fmt in formats}
    if args.synth:
        cmd = [args.synth, "--records", str(args.records), "--xlen", str(args.xlen)]
        for fmt, path in paths.items():
            cmd += ["--text" if fmt == "text" else "--bin", path]
        p = run(cmd)
        if p.returncode != 0:
            fail(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        return paths
    require_trace_option(args.silica)
    for fmt, path in paths.items():
        cmd = [args.silica, "run", "--max-insns", "100000000", "--trace", path,
               "--trace-format", fmt, args.elf]
        p = run(cmd)
        # The guest's exit code is the program's business; 2 is silica's own error.
        if p.returncode == 2 or p.returncode < 0 or not os.path.exists(path):
            fail(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return paths


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def compare_text(expected, actual, what):
    if expected == actual:
        return
    el, al = expected.splitlines(), actual.splitlines()
    i = first_difference(el, al)
    fail(f"{what}: differs from the direct text trace at line {i + 1} "
         f"({len(el)} vs {len(al)} lines)\n  direct: {el[i] if i < len(el) else '(end)'}\n"
         f"  {what}: {al[i] if i < len(al) else '(end)'}")


def check_text_equal(args):
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_traces(args, tmp)
        p = run([args.silica_trace, "text", paths["bin"]])
        if p.returncode != 0:
            fail(f"silica-trace text: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        with open(paths["text"], "rb") as f:
            direct = f.read()
        if not direct:
            fail("the direct text trace is empty")
        compare_text(direct.decode(), p.stdout.decode(), "silica-trace text")
        lines = direct.count(b"\n")
        print(f"ok: {lines} lines identical")


def check_python_reader(args):
    import silica_trace  # pylint: disable=import-outside-toplevel
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_traces(args, tmp)
        lines = []
        with silica_trace.open_trace(paths["bin"]) as trace:
            for rec in trace:
                if isinstance(rec, silica_trace.Retired):
                    lines.append(silica_trace.format_spike(rec))
        with open(paths["text"]) as f:
            direct = f.read()
        compare_text(direct, "".join(lines), "silica_trace.py")
        # A truncated copy must raise TraceError, not crash or end quietly.
        with open(paths["bin"], "rb") as f:
            data = f.read()
        cut = os.path.join(tmp, "cut.bin")
        with open(cut, "wb") as f:
            f.write(data[:len(data) * 2 // 3])
        try:
            for _ in silica_trace.open_trace(cut):
                pass
            fail("silica_trace.py read a truncated trace without complaint")
        except silica_trace.TraceError as e:
            if cut not in str(e):
                fail(f"the error does not name the file: {e}")
        print(f"ok: {len(lines)} records read back identically")


def check_cfg_dot(args):
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_traces(args, tmp, ("bin",))
        dot_file = os.path.join(tmp, "cfg.dot")
        cmd = [args.silica_trace, "cfg", paths["bin"], "-o", dot_file]
        if args.elf_symbols:
            cmd += ["--elf", args.elf_symbols]
        p = run(cmd)
        if p.returncode != 0:
            fail(f"silica-trace cfg: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        p = run([args.dot, "-Tsvg", dot_file])
        if p.returncode != 0 or b"<svg" not in p.stdout:
            fail(f"dot -Tsvg rejected the graph: {p.stderr.decode(errors='replace')}")
        with open(dot_file) as f:
            nodes = sum(1 for line in f if re.match(r"^\d+\[label=", line))
        if nodes == 0:
            fail("the graph has no nodes")
        print(f"ok: {nodes} blocks, {len(p.stdout)} bytes of SVG")


def check_tools(args):
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_traces(args, tmp, ("bin",))
        p = run([args.silica_trace, "stats", paths["bin"]])
        out = p.stdout.decode()
        if p.returncode != 0 or not re.search(r"^instructions  \d+$", out, re.M):
            fail(f"silica-trace stats: exit {p.returncode}\n{out}{p.stderr.decode()}")
        total = int(re.search(r"^instructions  (\d+)$", out, re.M).group(1))
        interval = max(1, total // 7)
        p = run([args.silica_trace, "bbv", paths["bin"], "--interval", str(interval)])
        lines = p.stdout.decode().splitlines()
        if p.returncode != 0 or not lines:
            fail(f"silica-trace bbv: exit {p.returncode}: {p.stderr.decode()}")
        counted = 0
        for n, line in enumerate(lines):
            if not re.fullmatch(r"T(:\d+:\d+)( :\d+:\d+)*", line):
                fail(f"bbv line {n + 1} is not in .bb format: {line!r}")
            weight = sum(int(c) for c in re.findall(r":\d+:(\d+)", line))
            if n + 1 < len(lines) and weight != interval:
                fail(f"bbv interval {n + 1} holds {weight} instructions, not {interval}")
            counted += weight
        if counted != total:
            fail(f"the vectors count {counted} instructions, stats {total}")
        p = run([sys.executable, os.path.join(TRACES_DIR, "examples", "instruction_mix.py"),
                 paths["bin"]])
        if p.returncode != 0 or b"hottest pcs" not in p.stdout:
            fail(f"instruction_mix.py: exit {p.returncode}: {p.stderr.decode()}")
        print(f"ok: stats, {len(lines)} vectors, example script")


def qemu_pcs(qemu, elf, workdir):
    log = os.path.join(workdir, "qemu.log")
    cmd = [qemu, "-M", "virt", "-bios", "none", "-nographic", "-monitor", "none",
           "-serial", "stdio", "-singlestep", "-d", "exec,nochain", "-D", log, "-kernel", elf]
    p = run(cmd, timeout=120)
    # The exit status is the guest's (exitcode.elf exits 7); only a missing log is an error.
    if p.returncode < 0 or not os.path.exists(log):
        fail(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    # Trace 0: 0x7f1c2c000100 [00000000/0000000080000000/00209003/ff000201] symbol
    line_re = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
    pcs = []
    with open(log, errors="replace") as f:
        for line in f:
            m = line_re.match(line)
            if m:
                pcs.append(int(m.group(1), 16))
    return pcs


FETCH_FAULTS = (1, 12)  # instruction access fault, instruction page fault


def silica_pcs(trace_path):
    import silica_trace  # pylint: disable=import-outside-toplevel
    pcs = []
    with silica_trace.open_trace(trace_path) as trace:
        for rec in trace:
            if isinstance(rec, silica_trace.Retired):
                pcs.append(rec.pc)
            elif isinstance(rec, silica_trace.Trap):
                if not rec.interrupt and rec.cause not in FETCH_FAULTS:
                    pcs.append(rec.epc)
    return pcs


def check_qemu_pcs(args):
    qemu = args.qemu32 if elf_xlen(args.elf) == 32 else args.qemu
    if not qemu:
        print("SKIP: no qemu-system-riscv32 given", file=sys.stderr)
        sys.exit(SKIP)
    with tempfile.TemporaryDirectory() as tmp:
        theirs = qemu_pcs(qemu, args.elf, tmp)
        ours = silica_pcs(make_traces(args, tmp, ("bin",))["bin"])
    if not ours:
        fail("silica's trace holds no instructions")
    if ours[0] not in theirs:
        fail(f"QEMU never ran silica's first pc {ours[0]:#x}")
    theirs = theirs[theirs.index(ours[0]):]  # drop QEMU's boot ROM
    # QEMU logs the instruction that stops the machine before it runs; silica
    # may stop before retiring it.
    if len(theirs) == len(ours) + 1 and theirs[:-1] == ours:
        theirs = theirs[:-1]
    if ours != theirs:
        i = first_difference(ours, theirs)
        lo = max(0, i - 3)

        def show(seq):
            return " ".join(f"{pc:#x}" for pc in seq[lo:i + 4])
        fail(f"pc sequences differ at instruction {i} (silica {len(ours)}, QEMU {len(theirs)})\n"
             f"  silica: {show(ours)}\n  qemu:   {show(theirs)}")
    print(f"ok: {len(ours)} pcs identical")


def elf_entry(path):
    with open(path, "rb") as f:
        hdr = f.read(32)
    if elf_xlen(path) == 32:
        return int.from_bytes(hdr[24:28], "little")
    return int.from_bytes(hdr[24:32], "little")


def check_window(args):
    import silica_trace  # pylint: disable=import-outside-toplevel
    require_trace_option(args.silica)
    first, last = (int(x, 0) for x in args.window.split(":"))
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("bin", "text"):
            outputs = {}
            for kind, extra in (("windowed", []),
                                ("traced throughout", ["--trace-start", hex(elf_entry(args.elf))])):
                path = os.path.join(tmp, f"{kind.split()[0]}.{fmt}")
                cmd = [args.silica, "run", "--core", args.core, "--no-progress", "--trace", path,
                       "--trace-format", fmt, "--trace-window", args.window, *extra, args.elf]
                p = run(cmd)
                if p.returncode == 2 or p.returncode < 0 or not os.path.exists(path):
                    fail(f"{' '.join(cmd)}: exit {p.returncode}: "
                         f"{p.stderr.decode(errors='replace')}")
                with open(path, "rb") as f:
                    outputs[kind] = f.read()
            if outputs["windowed"] != outputs["traced throughout"]:
                if fmt == "text":
                    compare_text(outputs["traced throughout"].decode(),
                                 outputs["windowed"].decode(), "the windowed trace")
                fail(f"the windowed {fmt} trace differs from the one traced throughout")
            if fmt == "bin":
                with silica_trace.open_trace(os.path.join(tmp, "windowed.bin")) as trace:
                    counts = [r.instret for r in trace if isinstance(r, silica_trace.Retired)]
    if not counts or counts[0] != first or counts[-1] >= last:
        fail(f"the windowed trace holds instructions {counts[:1]}..{counts[-1:]}, "
             f"not from {first} to before {last}")
    print(f"ok: {len(counts)} instructions from {first}, bin and text identical")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("check", choices=["text-equal", "python-reader", "cfg-dot", "tools",
                                      "qemu-pcs", "window"])
    ap.add_argument("elf", nargs="?", help="the program to run on silica")
    ap.add_argument("--synth", help="trace_synth instead of silica")
    ap.add_argument("--records", type=int, default=100000, help="synthetic records")
    ap.add_argument("--xlen", type=int, default=64, help="synthetic program XLEN")
    ap.add_argument("--silica", help="build/silica")
    ap.add_argument("--silica-trace", help="build/silica-trace")
    ap.add_argument("--dot", default="dot")
    ap.add_argument("--elf-symbols", help="ELF for cfg labels")
    ap.add_argument("--qemu", help="qemu-system-riscv64")
    ap.add_argument("--qemu32", help="qemu-system-riscv32")
    ap.add_argument("--core", default="dbt", help="window: the engine")
    ap.add_argument("--window", help="window: FIRST:LAST, as --trace-window")
    args = ap.parse_intermixed_args()
    if not args.synth and not (args.silica and args.elf):
        ap.error("give --synth, or --silica and an ELF")
    {"text-equal": check_text_equal, "python-reader": check_python_reader,
     "cfg-dot": check_cfg_dot, "tools": check_tools, "qemu-pcs": check_qemu_pcs,
     "window": check_window}[args.check](args)


if __name__ == "__main__":
    main()
