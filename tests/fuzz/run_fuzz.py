#!/usr/bin/env python3
"""Run the fuzz_rsp libFuzzer binary for a bounded time, as a CTest test.

Writes the seed inputs (typical gdb sessions, in both of the fuzzer's
modes) into WORK/seeds, keeps the growing corpus in WORK/corpus (so later
runs start where earlier ones stopped) and crash reproducers in WORK/.
Exits with the fuzzer's status: non-zero when it found a crash, a leak, a
broken invariant or a hang.  Standard library only.

    run_fuzz.py --fuzzer build/tests/fuzz/fuzz_rsp --work build/tests/fuzz/work \
                --dict tests/fuzz/rsp.dict --seconds 20
"""
import argparse
import os
import re
import subprocess
import sys


def packet(payload):
    data = payload if isinstance(payload, bytes) else payload.encode("latin-1")
    return b"$" + data + b"#" + b"%02x" % (sum(data) & 0xFF)


def escape(data):
    out = bytearray()
    for byte in data:
        if byte in b"#$}*":
            out += bytes([0x7D, byte ^ 0x20])
        else:
            out.append(byte)
    return bytes(out)


def seed_sessions():
    """What gdb sends in common sessions (acks included where gdb sends them)."""
    return {
        "handshake": [
            b"+", packet("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;"
                         "vContSupported+;QThreadEvents+;no-resumed+;xmlRegisters=i386"),
            b"+", packet("vMustReplyEmpty"), b"+", packet("QStartNoAckMode"), b"+",
            packet("Hgp0.0"), packet("qXfer:features:read:target.xml:0,ffb"),
            packet("qTStatus"), packet("?"), packet("qfThreadInfo"), packet("qsThreadInfo"),
            packet("qAttached:1"), packet("Hc-1"), packet("qC"), packet("g"),
            packet("qThreadExtraInfo,1"), packet("p20"), packet("p341"),
            packet("m80000000,4"), packet("qOffsets"), packet("qSymbol::")],
        "breakpoints": [
            packet("?"), b"+", packet("Z0,80000010,4"), b"+", packet("Z1,80000020,2"), b"+",
            packet("Z2,80001000,8"), b"+", packet("Z3,80001000,4"), b"+",
            packet("Z4,80001000,1"), b"+", packet("vCont?"), b"+", packet("vCont;c"), b"+\x03",
            packet("z0,80000010,4"), b"+", packet("vCont;s:1"), b"+", packet("vCont;s:2;c"),
            b"+", packet("Hc2"), b"+", packet("s"), b"+", packet("c80000000"), b"+",
            packet("D")],
        "memory": [
            packet("m80000000,40"), b"+", packet("M80000010,4:deadbeef"), b"+",
            packet("X80000000,0:"), b"+", packet(b"X80000020,8:" + escape(b"#$}*\x03:,\x00")),
            b"+", packet("m80000ff0,20"), b"+", packet("m0,4"), b"+",
            packet("G" + "00" * 8 * 33), b"+", packet("P1=0100000000000000"), b"+",
            packet("Hg2"), b"+", packet("g"), b"+", packet("k")],
        "monitor": [
            packet("qRcmd," + b"help".hex()), b"+", packet("qRcmd," + b"big".hex()), b"+" * 8,
            packet("qRcmd," + b"nope".hex()), b"+", packet("qRcmd,zz"), b"+",
            packet("vKill;1")],
        "noise": [
            b"\x03garbage", packet("g")[:-2] + b"00", b"-", packet("g"), b"$m0,$", packet("?"),
            b"+", b"$#00", b"+", packet("qXfer:features:read:target.xml:10,5"), packet("c"),
            b"\x03\x03"],
    }


def write_seeds(directory):
    os.makedirs(directory, exist_ok=True)
    for name, parts in seed_sessions().items():
        data = b"".join(parts)
        # The first byte selects the fuzzer's mode: 0 direct, 1 socket.
        for mode in (0, 1):
            with open(os.path.join(directory, f"{name}-{mode}"), "wb") as f:
                f.write(bytes([mode]) + data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fuzzer", required=True)
    ap.add_argument("--work", required=True, help="directory for seeds, corpus and crashes")
    ap.add_argument("--dict", help="libFuzzer dictionary")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--max-len", type=int, default=20000)
    args = ap.parse_args()

    seeds = os.path.join(args.work, "seeds")
    corpus = os.path.join(args.work, "corpus")
    write_seeds(seeds)
    os.makedirs(corpus, exist_ok=True)
    cmd = [args.fuzzer, f"-max_total_time={args.seconds}", f"-max_len={args.max_len}",
           "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1",
           "-artifact_prefix=" + os.path.join(args.work, ""), corpus, seeds]
    if args.dict:
        cmd.insert(1, f"-dict={args.dict}")
    print("run_fuzz:", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace")
    lines = result.stdout.splitlines()
    # Keep the log short unless something went wrong.
    shown = lines if result.returncode != 0 else [
        l for l in lines if l.startswith(("stat::", "INFO: Seed", "Done", "#"))][-12:]
    print("\n".join(shown))
    execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", result.stdout)
    print(f"run_fuzz: {execs.group(1) if execs else '?'} executions in {args.seconds} s, "
          f"status {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
