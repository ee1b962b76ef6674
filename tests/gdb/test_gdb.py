#!/usr/bin/env python3
"""gdb against silica's gdbstub, end to end: real gdb-multiarch, driven
through its machine interface, debugging a real program on a real run.

    test_gdb.py --server silica --silica build/silica --gdb gdb-multiarch \\
        --elf build/tests/gdb/gdb_debuggee.elf --hello-elf build/tests/programs/hello.elf \\
        [--case NAME ...]

Each case starts the stub on a free loopback port (silica run --gdb PORT
--wait-gdb ELF), connects gdb, and checks what a person at gdb would see.
--server qemu runs the same cases against qemu-system-riscv64's gdbstub
(-S -gdb tcp:127.0.0.1:PORT) as a reference, which shows the scripts
themselves are right.  Standard library only; prints "N passed, N failed".
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdb_mi import GdbMi, MiError, run_cases  # noqa: E402
from ports import free_port, listening  # noqa: E402

# What the debuggee's main() returns when nothing disturbed it (debuggee.c).
DEBUGGEE_EXIT = 7
# CTest's SKIP_RETURN_CODE for these tests: silica without a gdbstub yet.
EXIT_SKIP = 77
PATTERN = ["0x11223344", "0x55667788", "0x99aabbcc", "0xddeeff00"]


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


class Stub:
    """The simulator under test, waiting for gdb on a free port."""

    def __init__(self, args, elf, workdir):
        self.out_path = os.path.join(workdir, "stub.out")
        self.err_path = os.path.join(workdir, "stub.err")
        for attempt in range(5):
            self.port = free_port()
            if args.server == "silica":
                cmd = [args.silica, "run", "--core", args.core, "--gdb", str(self.port),
                       "--wait-gdb", elf]
            else:
                cmd = [args.qemu, "-M", "virt", "-bios", "none", "-nographic",
                       "-monitor", "none", "-serial", "stdio",
                       "-S", "-gdb", f"tcp:127.0.0.1:{self.port}", "-kernel", elf]
            self.cmd = cmd
            with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=err)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.proc.poll() is None:
                if listening(self.port):
                    return
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.kill()
                raise Failure(f"{' '.join(cmd)}: not listening on port {self.port} after 20 s")
            # Exited: most likely someone took the port in between; try another.
        raise Failure(f"{' '.join(self.cmd)} exited at once: {self.stderr()}")

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait(self, timeout):
        """The exit status, or None if still running after `timeout` s."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Session:
    """One stub plus one gdb connected to it, stopped where the stub starts."""

    def __init__(self, args, elf, workdir, log):
        self.args = args
        self.elf = elf
        self.log = log
        self.stub = Stub(args, elf, workdir)
        self.connect()

    def connect(self):
        """A new gdb, attached to the stub."""
        self.gdb = GdbMi(self.args.gdb, [self.elf], log=self.log)
        try:
            for setting in ("confirm off", "pagination off", "mi-async on",
                            "architecture riscv:rv64", "remotetimeout 20"):
                self.gdb.command(f"-gdb-set {setting}")
            self.gdb.command(f"-target-select remote 127.0.0.1:{self.stub.port}", timeout=30)
            # gdb reports where the halted machine is; that stop is not a
            # test's business.
            try:
                self.gdb.wait_stopped(timeout=5)
            except MiError:
                pass
            self.gdb.pending.clear()
        except Exception:
            self.close()
            raise

    def run_to(self, location):
        """Breakpoint at `location`, continue, check it is hit; returns the frame."""
        bkpt = self.gdb.command(f"-break-insert {location}")[1]["bkpt"]
        self.gdb.command("-exec-continue")
        stop = self.gdb.wait_stopped()
        expect(stop.get("reason") == "breakpoint-hit" and stop.get("bkptno") == bkpt["number"],
               f"expected breakpoint {bkpt['number']} at {location}, got {stop}")
        return stop["frame"]

    def continue_to_exit(self, code):
        """Continue; the guest must exit with `code` and gdb must be told so."""
        self.gdb.command("-exec-continue")
        if self.args.server == "qemu":
            # QEMU 7.2's finisher exits the process without sending gdb a
            # 'W' packet: gdb only sees the connection close.
            self.gdb.wait_async("thread-group-exited", timeout=60)
            return
        stop = self.gdb.wait_stopped(timeout=60)
        if code == 0:
            expect(stop.get("reason") == "exited-normally", f"expected a normal exit, got {stop}")
        else:
            expect(stop.get("reason") == "exited" and int(stop.get("exit-code", "-1"), 8) == code,
                   f"expected exit code {code}, got {stop}")

    def close(self):
        self.gdb.close()
        # The stub ends by itself once gdb has killed, detached or seen the
        # exit; give it a moment, then make sure.
        if self.stub.wait(10) is None:
            self.stub.kill()


# --- the cases ---------------------------------------------------------------

def case_break_continue(s):
    """Breakpoints on symbols stop where gdb says they are."""
    frame = s.run_to("main")
    expect(frame.get("func") == "main", f"stopped in {frame}")
    frame = s.run_to("add")
    expect(frame.get("func") == "add", f"stopped in {frame}")
    args = {a["name"]: a["value"] for a in frame.get("args", [])}
    expect(args == {"a": "0", "b": "1"}, f"first add() call has a=0, b=1, got {args}")
    # The same breakpoint again: the loop calls add() four times.
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    args = {a["name"]: a["value"] for a in stop["frame"].get("args", [])}
    expect(args == {"a": "1", "b": "2"}, f"second add() call has a=1, b=2, got {args}")
    s.gdb.command("-break-delete")
    s.continue_to_exit(DEBUGGEE_EXIT)


def case_registers(s):
    """Read and write registers, one at a time and all together."""
    # At add()'s first instruction, before its prologue saves a0/a1 (-O0).
    s.run_to("*add")
    expect(s.gdb.evaluate("$a0") == "0" and s.gdb.evaluate("$a1") == "1",
           "a0/a1 hold add()'s arguments 0 and 1")
    pc = int(s.gdb.evaluate("$pc").split()[0], 16)
    add = int(s.gdb.evaluate("(long)&add"))
    expect(pc == add, f"pc {pc:#x} is add() at {add:#x}")
    # x0..x31 and pc (gdb numbers 0..32); what else a stub describes varies.
    regnos = " ".join(str(n) for n in range(33))
    values = s.gdb.command(f"-data-list-register-values x {regnos}")[1]["register-values"]
    expect(len(values) == 33, f"x0..x31 and pc, got {len(values)} registers")
    expect(values[0]["value"] == "0x0", f"x0 reads 0, got {values[0]}")
    info = s.gdb.console("info registers general")
    for name in ("ra", "sp", "gp", "a0", "pc"):
        expect(re.search(rf"^{name}\s+0x", info, re.M), f"'info registers' shows {name}:\n{info}")
    # Writes: a temporary, then the argument add() is about to use.
    s.gdb.console("set $t0 = 0x1234")
    expect(s.gdb.evaluate("$t0") == "4660", "t0 reads back what was written")
    s.gdb.console("set $a1 = 100")
    s.gdb.command("-exec-finish")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "function-finished" and stop.get("return-value") == "100",
           f"add(0, 100) returns 100 after the register write, got {stop}")
    threads = s.gdb.command("-thread-info")[1]
    expect(len(threads["threads"]) >= 1 and threads.get("current-thread-id") == "1",
           f"hart 0 is thread 1: {threads}")
    s.gdb.console("kill")


def case_fpu(s):
    """The FPU registers (org.gnu.gdb.riscv.fpu): f0-f31 as 64-bit values, fcsr."""
    s.run_to("*add")
    s.gdb.console("set $ft0 = 1.5")
    info = s.gdb.console("info registers ft0")
    expect("0x3ff8000000000000" in info, f"ft0 holds 1.5 as a double:\n{info}")
    s.gdb.console("set $fa7 = -2.0")
    info = s.gdb.console("info registers fa7")
    expect("0xc000000000000000" in info, f"fa7 holds -2.0:\n{info}")
    if s.args.server == "silica":  # QEMU 7.2 leaves fcsr out of its description
        info = s.gdb.console("info registers fcsr")
        expect(re.search(r"^fcsr\s+0x", info, re.M), f"'info registers fcsr':\n{info}")
    s.gdb.console("kill")


def case_step(s):
    """next/step/finish by source line, stepi/nexti by instruction."""
    frame = s.run_to("main")
    line = int(frame["line"])
    s.gdb.command("-exec-next")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "end-stepping-range" and int(stop["frame"]["line"]) > line,
           f"next moves to a later line of main: {stop}")
    # Step until we are inside add() (the for statement may take a step).
    for _ in range(4):
        s.gdb.command("-exec-step")
        stop = s.gdb.wait_stopped()
        expect(stop.get("reason") == "end-stepping-range", f"step ends a range: {stop}")
        if stop["frame"].get("func") == "add":
            break
    expect(stop["frame"].get("func") == "add", f"step enters add(): {stop}")
    s.gdb.command("-exec-finish")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "function-finished" and stop["frame"].get("func") == "main",
           f"finish returns to main: {stop}")
    for command in ("-exec-step-instruction", "-exec-next-instruction"):
        before = int(s.gdb.evaluate("$pc").split()[0], 16)
        s.gdb.command(command)
        stop = s.gdb.wait_stopped()
        after = int(s.gdb.evaluate("$pc").split()[0], 16)
        expect(stop.get("reason") == "end-stepping-range", f"{command}: {stop}")
        expect(after != before, f"{command} moves pc (still {after:#x})")
    s.gdb.console("kill")


def case_memory(s):
    """x/4xw, x/s, x/i $pc, MI memory reads, and writes through variables."""
    s.run_to("main")
    words = s.gdb.console("x/4xw &pattern")
    expect(all(w in words for w in PATTERN), f"x/4xw &pattern shows the pattern:\n{words}")
    text = s.gdb.console("x/s greeting")
    expect('"debuggee says hello"' in text, f"x/s greeting:\n{text}")
    insn = s.gdb.console("x/i $pc")
    pc = int(s.gdb.evaluate("$pc").split()[0], 16)
    expect(re.search(rf"=>\s*0x0*{pc:x}\s+<main\+\d+>:\s+\S+", insn),
           f"x/i $pc disassembles the instruction at pc {pc:#x}:\n{insn}")
    memory = s.gdb.command("-data-read-memory-bytes &pattern 16")[1]["memory"][0]
    expect(memory["contents"] == "4433221188776655ccbbaa9900ffeedd",
           f"-data-read-memory-bytes &pattern 16: {memory}")
    # Writes: a variable, then raw bytes, each read back.
    s.gdb.console("set var watched = 0x55")
    expect(s.gdb.evaluate("watched") == "85", "watched reads back 0x55")
    s.gdb.command("-data-write-memory-bytes &watched 0102030405060708")
    expect(s.gdb.evaluate("watched") == str(0x0807060504030201),
           "watched reads back bytes written little-endian")
    # A larger read than one small packet, across the text section.
    big = s.gdb.command("-data-read-memory-bytes main 4096")[1]["memory"]
    expect(sum(len(m["contents"]) for m in big) == 8192, "4 KiB read in one go")
    s.gdb.console("kill")


def case_watch(s):
    """A write watchpoint, then a read watchpoint, on the same variable."""
    s.run_to("main")
    s.gdb.console("watch watched")
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "watchpoint-trigger", f"write watchpoint triggers: {stop}")
    expect(stop.get("value", {}).get("new") == "10", f"watched becomes 10: {stop}")
    expect(stop["frame"].get("func") == "bump", f"the write is in bump(): {stop}")
    s.gdb.command("-break-delete")
    s.gdb.console("rwatch watched")
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "read-watchpoint-trigger", f"read watchpoint triggers: {stop}")
    expect(stop["frame"].get("func") == "main", f"the read is in main(): {stop}")
    s.gdb.command("-break-delete")
    s.continue_to_exit(DEBUGGEE_EXIT)


def case_interrupt(s):
    """Ctrl-C (-exec-interrupt sends 0x03) stops a spinning guest."""
    s.run_to("main")
    s.gdb.console("set var spin_forever = 1")
    s.gdb.command("-exec-continue")
    s.gdb.wait_async("running")
    time.sleep(1.0)
    s.gdb.command("-exec-interrupt")
    stop = s.gdb.wait_stopped(timeout=20)
    expect(stop.get("reason") == "signal-received" and stop.get("signal-name") == "SIGINT",
           f"stopped by SIGINT: {stop}")
    expect(stop["frame"].get("func") == "spin", f"the guest was spinning in spin(): {stop}")
    # The session goes on: let the guest finish normally.
    s.gdb.console("set var keep_spinning = 0")
    s.continue_to_exit(DEBUGGEE_EXIT)


def case_exit(s):
    """The guest's exit reaches gdb with its code, and the stub ends with it."""
    s.continue_to_exit(DEBUGGEE_EXIT)
    status = s.stub.wait(15)
    expect(status == DEBUGGEE_EXIT, f"the simulator exits with the guest's code, got {status}")
    expect("debuggee: done" in s.stub.stdout(), "the guest's output reached the console")


def case_kill(s):
    """kill ends the simulation."""
    s.run_to("add")
    s.gdb.console("kill")
    status = s.stub.wait(15)
    expect(status is not None, "the simulator ends after kill")
    expect("debuggee: done" not in s.stub.stdout(), "the guest did not run on after kill")


def case_detach(s):
    """detach removes breakpoints and lets the guest run to its end."""
    s.run_to("main")
    s.gdb.command("-break-insert add")
    s.gdb.console("watch watched")
    s.gdb.command("-target-detach")
    status = s.stub.wait(30)
    expect(status == DEBUGGEE_EXIT, f"the guest ran to its end after detach, status {status}")
    expect("debuggee: done" in s.stub.stdout(), "the guest's output after detach")


def case_reattach(s):
    """After a detach the guest runs on, and another gdb can attach and stop it."""
    s.run_to("main")
    s.gdb.console("set var spin_forever = 1")
    s.gdb.command("-target-detach")
    s.gdb.close()
    time.sleep(0.5)
    expect(s.stub.wait(0) is None, "the guest spins on after detach")
    s.connect()
    frame = s.gdb.evaluate("$pc")
    where = s.gdb.console("info symbol $pc")
    # It stopped in main; only by running on after the detach is it in spin().
    expect("spin" in where, f"the second gdb stopped the guest spinning: pc {frame}, {where!r}")
    s.gdb.console("set var keep_spinning = 0")
    s.continue_to_exit(DEBUGGEE_EXIT)


def case_hello(s):
    """The tests/programs hello.elf: break in main, run to the end."""
    frame = s.run_to("main")
    expect(frame.get("func") == "main", f"stopped in {frame}")
    s.gdb.command("-break-delete")
    s.continue_to_exit(0)
    expect(s.stub.wait(15) == 0, "hello exits 0")
    expect("Hello from silica" in s.stub.stdout(), "hello's greeting on the console")


def case_monitor(s):
    """silica's monitor commands: statistics, physical memory, quit."""
    s.run_to("main")
    stats = s.gdb.console("monitor stats")
    expect("instructions" in stats and "simulated time" in stats, f"monitor stats said {stats!r}")
    pc = int(s.gdb.evaluate("$pc").split()[0], 0)
    dump = s.gdb.console(f"monitor xp {pc:#x} 4")
    word = s.gdb.console(f"x/4xb {pc:#x}")
    want = " ".join(b[2:] for b in word.split(":")[1].split())
    expect(want in dump, f"monitor xp {pc:#x} shows {dump!r}, x/4xb shows {word!r}")
    expect("nothing mapped" in s.gdb.console("monitor xp 0x0 4"), "xp reports unmapped memory")
    s.gdb.console("monitor quit")
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped(timeout=60)
    expect(stop.get("reason") == "exited-normally", f"quit ends the run with status 0: {stop}")
    expect(s.stub.wait(15) == 0, "the simulator exits 0 after monitor quit")


CASES = {
    "break_continue": case_break_continue,
    "registers": case_registers,
    "fpu": case_fpu,
    "step": case_step,
    "memory": case_memory,
    "watch": case_watch,
    "interrupt": case_interrupt,
    "exit": case_exit,
    "kill": case_kill,
    "detach": case_detach,
    "reattach": case_reattach,
    "hello": case_hello,
    "monitor": case_monitor,
}


def run_case(args, name):
    elf = args.hello_elf if name == "hello" else args.elf
    transcript = []
    with tempfile.TemporaryDirectory(prefix="silica-gdb-") as workdir:
        session = None
        try:
            session = Session(args, elf, workdir, log=transcript.append)
            CASES[name](session)
            return True
        except (Failure, MiError, OSError, KeyError, ValueError) as e:
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            if not isinstance(e, (Failure, MiError)):
                traceback.print_exc(file=sys.stdout)
            print("  gdb transcript (last 40 lines):")
            for line in transcript[-40:]:
                print("    " + line)
            if session:
                print(f"  stub: {' '.join(session.stub.cmd)}")
                print("  stub stderr: " + session.stub.stderr()[-2000:].replace("\n", "\n    "))
            # Again at the end: a CI log often shows only the tail.
            print(f"  failure: {type(e).__name__}: {e}")
            return False
        finally:
            if session:
                session.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", choices=["silica", "qemu"], default="silica")
    ap.add_argument("--silica", help="path of the silica executable")
    ap.add_argument("--core", default="interp", help="silica's execution engine")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--gdb", default="gdb-multiarch")
    ap.add_argument("--elf", required=True, help="the debuggee (tests/gdb/debuggee.c)")
    ap.add_argument("--hello-elf", help="tests/programs hello.elf (for the hello case)")
    ap.add_argument("--case", action="append", choices=sorted(CASES),
                    help="run only this case (repeatable; default: all)")
    args = ap.parse_args()
    if args.server == "silica" and not args.silica:
        ap.error("--silica is required with --server silica")
    for tool in (args.gdb, args.silica if args.server == "silica" else args.qemu):
        if not shutil.which(tool):
            print(f"error: {tool} not found")
            return 2
    if args.server == "silica":
        usage = subprocess.run([args.silica, "run", "--help"], capture_output=True, text=True)
        if "--gdb" not in usage.stdout + usage.stderr:
            print(f"skipped: {args.silica} run has no --gdb option yet")
            return EXIT_SKIP
    cases = args.case or [c for c in CASES if c != "hello" or args.hello_elf]
    if "hello" in cases and not args.hello_elf:
        ap.error("the hello case needs --hello-elf")

    return run_cases(cases, lambda name: run_case(args, name), args.server)


if __name__ == "__main__":
    sys.exit(main())
