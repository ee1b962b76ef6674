#!/usr/bin/env python3
"""Time Linux booting on silica's engines and on QEMU, same kernel, same initramfs.

The guest is the one the boot tests use (scripts/guest-image.py: Debian's
riscv64 kernel, a busybox initramfs whose /init prints a marker and powers
off with silica.test=poweroff), under Debian's OpenSBI fw_jump.  For each
simulator and hart count it starts the machine --runs times and reports the
median wall-clock seconds from start to:

    shell   "silica-boot: shell ready", the first line /init prints, after
            busybox --install, the mounts and two insmods
    off     the process exit after poweroff

(`quiet` hides the kernel's own "Run /init" line, so the marker stands for it.)

    bench/boot_linux.py --silica build/silica --guest build/tests/boot/guest --runs 3
    bench/boot_linux.py ... --smp 1 --smp 4 --markdown >> docs/PERFORMANCE.md

The kernel command line is `quiet cryptomgr.notests` plus what /init needs,
as the issue's reference timing uses.  Standard library only.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
APPEND = "console=ttyS0 quiet cryptomgr.notests silica.test=poweroff"
MARKS = [("shell", b"silica-boot: shell ready")]


def boot_once(cmd, timeout):
    """Seconds from start to each mark and to the exit; None where not reached."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    seen = {}
    tail = b""
    os.set_blocking(proc.stdout.fileno(), False)
    while True:
        chunk = proc.stdout.read()
        if chunk:
            tail = (tail + chunk)[-4096:]
            for name, pattern in MARKS:
                if name not in seen and pattern in tail:
                    seen[name] = time.monotonic() - start
        if proc.poll() is not None:
            rest = proc.stdout.read() or b""
            tail = (tail + rest)[-4096:]
            for name, pattern in MARKS:
                if name not in seen and pattern in tail:
                    seen[name] = time.monotonic() - start
            seen["off"] = time.monotonic() - start
            return seen, proc.returncode, tail
        if time.monotonic() - start > timeout:
            proc.kill()
            proc.wait()
            return seen, None, tail
        time.sleep(0.005)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silica", help="silica executable (omit to time QEMU only)")
    ap.add_argument("--qemu", default="qemu-system-riscv64", help="'' to skip QEMU")
    ap.add_argument("--guest", required=True, help="directory with Image and initramfs.cpio.gz")
    ap.add_argument("--core", action="append", help="silica engines (default: interp, dbt)")
    ap.add_argument("--smp", action="append", type=int, help="hart counts (default: 1 and 4)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    kernel = os.path.join(args.guest, "Image")
    initrd = os.path.join(args.guest, "initramfs.cpio.gz")
    for path in (kernel, initrd, OPENSBI):
        if not os.path.exists(path):
            sys.exit(f"boot_linux.py: {path} not found (build the guest: scripts/guest-image.py)")

    machines = []
    for smp in args.smp or [1, 4]:
        if args.qemu:
            machines.append((f"qemu smp{smp}", [
                args.qemu, "-M", "virt", "-m", "512M", "-nographic", "-smp", str(smp),
                "-bios", OPENSBI, "-kernel", kernel, "-initrd", initrd, "-append", APPEND]))
        if args.silica:
            for core in args.core or ["interp", "dbt"]:
                machines.append((f"silica {core} smp{smp}", [
                    args.silica, "run", "--core", core, "--no-progress", "-m", "512M",
                    "--smp", str(smp), "--bios", OPENSBI, "--kernel", kernel,
                    "--initrd", initrd, "--append", APPEND]))

    results = {}
    failed = False
    for name, cmd in machines:
        times = {"shell": [], "off": []}
        for _ in range(args.runs):
            seen, code, tail = boot_once(cmd, args.timeout)
            if code != 0 or "shell" not in seen:
                failed = True
                print(f"{name}: boot failed (exit {code}); console tail:\n"
                      + tail.decode(errors="replace"), file=sys.stderr)
                break
            for key in times:
                times[key].append(seen.get(key))
        results[name] = {k: statistics.median(v) if v and None not in v else None
                         for k, v in times.items()}
        r = results[name]
        print(f"{name:22} " + "  ".join(
            f"{k} {r[k]:6.2f} s" if r[k] is not None else f"{k}   -   " for k in times),
            file=sys.stderr)

    if args.markdown:
        print(f"| machine (median of {args.runs}) | to the shell marker | to the exit after "
              "power-off |")
        print("|---|---:|---:|")
        for name, r in results.items():
            cells = [f"{r[k]:.2f} s" if r[k] is not None else "–" for k in ("shell", "off")]
            print(f"| {name} | " + " | ".join(cells) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
