#!/usr/bin/env python3
"""Run a command and check both its exit code and its output.

CTest's PASS_REGULAR_EXPRESSION ignores the exit code, so the programs whose
output matters (hello, htif) and the one that must exit non-zero (exitcode)
go through this wrapper instead.

usage: check_run.py [--exit-code N] [--expect REGEX] -- COMMAND...
"""
import argparse
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exit-code", type=int, default=0)
    ap.add_argument("--expect", help="regular expression the stdout must match")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("no command given")

    result = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
    out = result.stdout.decode(errors="replace")
    sys.stdout.write(out)
    sys.stderr.write(result.stderr.decode(errors="replace"))

    ok = True
    if result.returncode != args.exit_code:
        print(f"check_run: exit code {result.returncode}, expected {args.exit_code}")
        ok = False
    if args.expect and not re.search(args.expect, out, re.DOTALL):
        print(f"check_run: output does not match {args.expect!r}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
