#!/usr/bin/env python3
"""Boot a guest on a simulator and check its console, stage by stage.

    run_boot.py --scenario linux --smp 4 -- qemu-system-riscv64 -M virt ... -append "..."
    run_boot.py --scenario uboot -- build/silica run --bios fw_jump.bin --kernel u-boot.bin
    run_boot.py --expect 'OpenSBI v' --send 'x' --within 5 --expect '=> ' --end kill -- CMD...

The command (silica or QEMU: the same scenario runs on both, which is how
the patterns are shown to be right) gets a pseudo-terminal as its console
(stdin and stdout; --pipes uses pipes instead) and its stderr goes to a
pipe that is shown on failure.  Steps run in order: an expect waits for a
regular expression in the console output after the previous match, for at
most its own timeout, counted from the previous match; a send types text
(one character at a time, as a person or a serial line would, so a guest
polling a 16-byte UART FIFO keeps up).  After the last step the guest is
ended: --end exit waits for the command to exit with status 0 (a poweroff),
--end kill terminates it.  On failure the script names the step that failed
and prints the last 60 console lines.  Each match is printed with the time
since start, which is how docs/PERFORMANCE.md's boot times are measured.
Standard library only.
"""
import argparse
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
import tty

TAIL_LINES = 60
OPENSBI = r"OpenSBI v\d+\.\d+"
MARKER = r"silica-boot: shell ready"


def scenario_steps(name, smp):
    """The named scenarios' steps: (kind, value, timeout s) with kind expect or send.

    Timeouts are QEMU-sized with a wide margin; --timeout-scale stretches
    them for a slower simulator.
    """
    if name == "uboot":
        return [
            ("expect", OPENSBI, 30),
            ("expect", r"U-Boot \d{4}\.\d{2}", 30),
            ("expect", r"Hit any key to stop autoboot", 30),
            ("send", " ", 0),
            ("expect", r"=> ", 10),
            ("send", "version\r", 0),
            ("expect", r"U-Boot \d{4}\.\d{2}\S* \(", 10),   # the reply, not the echo
            ("expect", r"=> ", 10),
            # ${s} is expanded by U-Boot, so the reply differs from the echo.
            ("send", "setenv s silica; echo ${s}-uboot-ok\r", 0),
            ("expect", r"silica-uboot-ok", 10),
            ("expect", r"=> ", 10),
            ("send", "poweroff\r", 0),
        ]
    if name == "linux":
        return [
            ("expect", OPENSBI, 30),
            ("expect", r"Linux version \d+\.\d+\S*", 60),
            ("expect", MARKER, 120),
            ("expect", rf"silica-boot: nproc={smp} cpuinfo-harts={smp}\b", 10),
            ("expect", r"reboot: Power down", 30),
        ]
    if name == "linux-blk":
        return [
            ("expect", OPENSBI, 30),
            ("expect", r"Linux version \d+\.\d+\S*", 60),
            ("expect", r"virtio_blk virtio\d+: \[vda\]", 120),
            ("expect", MARKER, 60),
            ("expect", r"silica-boot: block=vda", 10),
            ("expect", r"silica-boot: vda says: silica-disk: hello from disk\.img", 10),
            ("expect", r"reboot: Power down", 30),
        ]
    if name == "linux-shell":
        return [
            ("expect", OPENSBI, 30),
            ("expect", r"Linux version \d+\.\d+\S*", 60),
            ("expect", MARKER, 120),
            ("expect", r"# ", 10),
            # $((6*7)) is evaluated by the guest's shell: the reply is not the echo.
            ("send", "echo silica-$((6*7))\n", 0),
            ("expect", r"silica-42", 10),
            ("expect", r"# ", 10),
            ("send", "poweroff -f\n", 0),
            ("expect", r"reboot: Power down", 30),
        ]
    raise SystemExit(f"run_boot.py: unknown scenario {name!r}")


class StepAction(argparse.Action):
    """--expect/--send in command-line order; --within sets the next expects' timeout."""

    def __call__(self, parser, ns, value, option):
        steps = getattr(ns, "steps", None) or []
        if option == "--within":
            ns.within = float(value)
        else:
            steps.append((option[2:], value, ns.within))
        ns.steps = steps


class Console:
    """Everything the guest printed, filled by a reader thread, waited on by expect()."""

    def __init__(self, fd):
        self.fd, self.text, self.pos = fd, "", 0
        self.eof = False
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = os.read(self.fd, 4096)
            except OSError:          # EIO: the pty's other side closed
                data = b""
            with self.cond:
                if not data:
                    self.eof = True
                else:
                    self.text += data.decode("latin-1").replace("\r", "")
                self.cond.notify_all()
            if not data:
                return

    def expect(self, pattern, timeout):
        """Wait for pattern after the previous match; True once it is there."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = regex.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    return False
                self.cond.wait(left)

    def tail(self, n=TAIL_LINES):
        with self.cond:
            return self.text.splitlines()[-n:]


def start(cmd, use_pty):
    """The command with a console (pty master fd, or its stdout pipe) and a stdin writer fd."""
    if use_pty:
        master, slave = pty.openpty()
        # Raw from the start: no echo or line editing by the host, whether or
        # not the simulator sets the terminal up itself (QEMU does).
        tty.setraw(slave)
        proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                                start_new_session=True)
        os.close(slave)
        return proc, master, master
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    return proc, proc.stdout.fileno(), proc.stdin.fileno()


def type_text(fd, text, char_delay):
    for ch in text.encode():
        os.write(fd, bytes([ch]))
        time.sleep(char_delay)


def stop(proc):
    """End the simulator's whole process group: SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def drain(stream, sink):
    """Keep reading the simulator's stderr, so a chatty one never blocks on a full pipe."""
    for chunk in iter(lambda: stream.read1(4096), b""):
        sink.append(chunk)


def fail(why, console, proc, log):
    stop(proc)
    time.sleep(0.1)
    stderr = b"".join(proc.stderr_chunks).decode(errors="replace").strip()
    print(f"FAIL: {why}", file=sys.stderr)
    print(f"--- last {TAIL_LINES} console lines ---", file=sys.stderr)
    for line in console.tail():
        print(f"  | {line}", file=sys.stderr)
    if stderr:
        print("--- simulator stderr ---", file=sys.stderr)
        print(stderr[-4000:], file=sys.stderr)
    save_log(log, console)
    return 1


def save_log(path, console):
    if path:
        with open(path, "w") as f:
            f.write(console.text)


def run(args):
    steps = args.steps or []
    if args.scenario:
        steps = scenario_steps(args.scenario, args.smp) + steps
    if not steps:
        raise SystemExit("run_boot.py: no --scenario and no --expect steps")
    print("run_boot.py: " + " ".join(args.command), flush=True)
    t0 = time.monotonic()
    try:
        proc, console_fd, input_fd = start(args.command, not args.pipes)
    except OSError as e:
        print(f"FAIL: cannot start {args.command[0]}: {e}", file=sys.stderr)
        return 1
    console = Console(console_fd)
    proc.stderr_chunks = []
    threading.Thread(target=drain, args=(proc.stderr, proc.stderr_chunks), daemon=True).start()
    for i, (kind, value, timeout) in enumerate(steps, 1):
        if kind == "send":
            type_text(input_fd, value, args.char_delay)
            print(f"  [{time.monotonic() - t0:7.2f} s] sent {value!r}", flush=True)
            continue
        timeout *= args.timeout_scale
        if not console.expect(value, timeout):
            status = proc.poll()
            why = (f"step {i}: /{value}/ not seen within {timeout:g} s"
                   + (f" (the simulator exited with status {status})" if status is not None
                      else " (console closed)" if console.eof else ""))
            return fail(why, console, proc, args.log)
        print(f"  [{time.monotonic() - t0:7.2f} s] matched /{value}/", flush=True)
    if args.end == "exit":
        try:
            status = proc.wait(args.exit_timeout * args.timeout_scale)
        except subprocess.TimeoutExpired:
            return fail(f"the guest did not end the simulator within "
                        f"{args.exit_timeout * args.timeout_scale:g} s", console, proc, args.log)
        if status != 0:
            return fail(f"the simulator exited with status {status}, not 0", console, proc,
                        args.log)
        print(f"  [{time.monotonic() - t0:7.2f} s] exited with status 0")
    else:
        stop(proc)
        print(f"  [{time.monotonic() - t0:7.2f} s] stopped the simulator")
    save_log(args.log, console)
    print("PASS")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 usage="%(prog)s [options] -- COMMAND [ARG...]")
    ap.add_argument("--scenario", choices=["uboot", "linux", "linux-blk", "linux-shell"],
                    help="a built-in list of steps (run before any --expect/--send)")
    ap.add_argument("--smp", type=int, default=1, help="harts the linux scenarios expect")
    ap.add_argument("--expect", action=StepAction, metavar="REGEX", help="wait for REGEX")
    ap.add_argument("--send", action=StepAction, metavar="TEXT", help="type TEXT")
    ap.add_argument("--within", action=StepAction, metavar="S",
                    help="timeout of the --expect steps that follow (default 30)")
    ap.add_argument("--end", choices=["exit", "kill"], default="exit",
                    help="after the last step: wait for exit status 0, or kill (default exit)")
    ap.add_argument("--exit-timeout", type=float, default=30)
    ap.add_argument("--timeout-scale", type=float,
                    default=float(os.environ.get("SILICA_BOOT_TIMEOUT_SCALE", "1")),
                    help="multiply every timeout (a slower simulator)")
    ap.add_argument("--char-delay", type=float, default=0.02, help="seconds between typed chars")
    ap.add_argument("--pipes", action="store_true", help="pipes instead of a pseudo-terminal")
    ap.add_argument("--log", help="write the whole console output here")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    ap.set_defaults(within=30.0, steps=None)
    args = ap.parse_args()
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        ap.error("no command after --")
    args.steps = [(k, v.encode().decode("unicode_escape") if k == "send" else v, t)
                  for k, v, t in (args.steps or [])]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
