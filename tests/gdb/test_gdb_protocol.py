#!/usr/bin/env python3
"""The gdbstub against a real gdb, with no simulator behind it.

fake_stub (fake_stub.cpp) serves the unit tests' FakeTarget: registers and
memory in arrays, a "machine" that runs by moving pc forward over NOPs.
These cases check what gdb makes of the stub's replies -- target
description, registers, threads, memory, breakpoints, software single-step,
watchpoints, Ctrl-C, monitor, exit, detach, kill, a dropped connection --
independently of silica's own DebugTarget (test_gdb.py covers that).

    test_gdb_protocol.py --fake-stub build/tests/gdb/fake_stub --gdb gdb-multiarch [--case NAME]

Standard library only; prints "N passed, N failed".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdb_mi import GdbMi, MiError, run_cases  # noqa: E402
from ports import free_port, listening  # noqa: E402

MEM_BASE = 0x80000000
DATA = MEM_BASE + 0x2000  # past fake_stub's NOPs: FakeTarget's byte pattern


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def pattern(addr, length):
    """FakeTarget's initial memory bytes: byte i of RAM is (7 * i) & 0xff."""
    return bytes(((addr - MEM_BASE + i) * 7) & 0xFF for i in range(length))


class FakeSession:
    def __init__(self, args, workdir, log, options=(), xlen=64):
        self.out_path = os.path.join(workdir, "fake.out")
        self.err_path = os.path.join(workdir, "fake.err")
        self.port = free_port()
        self.cmd = [args.fake_stub, str(self.port), "--xlen", str(xlen), *options]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err)
        deadline = time.monotonic() + 10
        while not listening(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise Failure(f"{' '.join(self.cmd)} did not listen: {self.stderr()}")
            time.sleep(0.02)
        self.gdb = GdbMi(args.gdb, log=log)
        for setting in ("confirm off", "pagination off", "mi-async on",
                        f"architecture riscv:rv{xlen}", "remotetimeout 20"):
            self.gdb.command(f"-gdb-set {setting}")
        self.gdb.command(f"-target-select remote 127.0.0.1:{self.port}")
        try:
            self.gdb.wait_stopped(timeout=5)
        except MiError:
            pass
        self.gdb.pending.clear()

    def pc(self):
        return int(self.gdb.evaluate("$pc").split()[0], 16)

    def result(self, timeout=10):
        """What fake_stub printed once its session ended."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure("fake_stub still serving") from None
        with open(self.out_path) as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        self.gdb.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()


# --- the cases ---------------------------------------------------------------

def case_registers(s):
    expect(s.pc() == MEM_BASE, f"pc starts at {MEM_BASE:#x}")
    regnos = " ".join(str(n) for n in range(33))
    values = s.gdb.command(f"-data-list-register-values x {regnos}")[1]["register-values"]
    expect(len(values) == 33 and values[0]["value"] == "0x0", f"x0..x31, pc: {values}")
    mstatus = s.gdb.evaluate("$mstatus")
    expect("6144" in mstatus or "MPP:3" in mstatus,
           f"mstatus (a CSR at 65 + 0x300) reads through p: {mstatus}")
    s.gdb.console("set $t0 = 0x1234")
    expect(s.gdb.evaluate("$t0") == "4660", "t0 written and read back")
    s.gdb.console("set $pc = 0x80000040")
    expect(s.pc() == 0x80000040, "pc written and read back")
    info = s.gdb.console("info registers general")
    expect("ra " in info and "t6 " in info, f"info registers general:\n{info}")


def case_threads(s):
    threads = s.gdb.command("-thread-info")[1]["threads"]
    expect(len(threads) == 2, f"two harts, two threads: {threads}")
    expect("hart 1" in s.gdb.console("info threads"), "qThreadExtraInfo names the harts")
    expect(s.gdb.evaluate("$a0") == "0", "thread 1 is hart 0 (a0 = hart id)")
    s.gdb.command("-thread-select 2")
    expect(s.gdb.evaluate("$a0") == "1", "thread 2 is hart 1 (a0 = hart id)")
    s.gdb.console("set $s1 = 77")
    s.gdb.command("-thread-select 1")
    expect(s.gdb.evaluate("$s1") == "0", "a register write on hart 1 left hart 0 alone")


def case_memory(s):
    got = s.gdb.command(f"-data-read-memory-bytes {DATA:#x} 16")[1]["memory"][0]["contents"]
    expect(got == pattern(DATA, 16).hex(), f"read 16 bytes: {got}")
    s.gdb.command(f"-data-write-memory-bytes {DATA:#x} 23247d2a03")  # '#$}*' and 0x03
    got = s.gdb.command(f"-data-read-memory-bytes {DATA:#x} 5")[1]["memory"][0]["contents"]
    expect(got == "23247d2a03", f"bytes that need escaping written and read back: {got}")
    # More than one packet's worth, each way.
    big = 20000
    blocks = s.gdb.command(f"-data-read-memory-bytes {DATA + 0x100:#x} {big}")[1]["memory"]
    got = "".join(b["contents"] for b in blocks)
    expect(got == pattern(DATA + 0x100, big).hex(), "a 20000-byte read matches")
    data = bytes((i * 13 + 5) & 0xFF for i in range(big))
    s.gdb.command(f"-data-write-memory-bytes {DATA + 0x100:#x} {data.hex()}", timeout=60)
    blocks = s.gdb.command(f"-data-read-memory-bytes {DATA + 0x100:#x} {big}")[1]["memory"]
    expect("".join(b["contents"] for b in blocks) == data.hex(), "a 20000-byte write reads back")
    words = s.gdb.console(f"x/2xw {DATA + 0x100:#x}")
    expect("0x2c1f1205" in words, f"x/2xw shows little-endian words:\n{words}")
    insn = s.gdb.console("x/i $pc")
    expect("nop" in insn or "addi" in insn, f"x/i $pc decodes fake_stub's NOP:\n{insn}")
    err = s.gdb.command("-data-read-memory-bytes 0x10 4", check=False)
    expect(err[0] == "error", "unmapped memory is an error")


def case_break_step(s):
    bkpt = s.gdb.command("-break-insert *0x80000100")[1]["bkpt"]
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "breakpoint-hit" and stop.get("bkptno") == bkpt["number"],
           f"breakpoint hit: {stop}")
    expect(s.pc() == 0x80000100, "stopped at the breakpoint")
    # gdb steps RISC-V in software: a breakpoint after the instruction, continue.
    s.gdb.command("-exec-step-instruction")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "end-stepping-range" and s.pc() == 0x80000104,
           f"stepi moves one instruction: {stop}, pc {s.pc():#x}")
    s.gdb.command("-break-delete")
    bkpt = s.gdb.command("-break-insert -h *0x80000200")[1]["bkpt"]  # hbreak: Z1
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("bkptno") == bkpt["number"] and s.pc() == 0x80000200,
           f"hardware breakpoint hit: {stop}")


def case_watch(s):
    s.gdb.console(f"watch *(unsigned int *){DATA:#x}")
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "watchpoint-trigger", f"write watchpoint: {stop}")
    # FakeTarget's "store" adds one to the first watched byte.
    old = int.from_bytes(pattern(DATA, 4), "little")
    new = old + 1
    value = stop.get("value", {})
    expect(value.get("old") == str(old) and value.get("new") == str(new),
           f"old {old}, new {new}: {value}")
    s.gdb.command("-break-delete")
    s.gdb.console(f"rwatch *(unsigned char *){DATA + 8:#x}")
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "read-watchpoint-trigger", f"read watchpoint: {stop}")
    s.gdb.command("-break-delete")
    s.gdb.console(f"awatch *(unsigned char *){DATA + 16:#x}")
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "access-watchpoint-trigger", f"access watchpoint: {stop}")


def case_interrupt(s):
    s.gdb.command("-exec-continue")
    s.gdb.wait_async("running")
    time.sleep(0.5)
    s.gdb.command("-exec-interrupt")
    stop = s.gdb.wait_stopped(timeout=10)
    expect(stop.get("reason") == "signal-received" and stop.get("signal-name") == "SIGINT",
           f"Ctrl-C stops with SIGINT: {stop}")
    expect(s.pc() > MEM_BASE, "the machine had run")
    # And again: the first Ctrl-C is used up.
    s.gdb.command("-exec-continue")
    s.gdb.wait_async("running")
    time.sleep(0.2)
    s.gdb.command("-exec-interrupt")
    stop = s.gdb.wait_stopped(timeout=10)
    expect(stop.get("signal-name") == "SIGINT", f"second Ctrl-C: {stop}")


def case_monitor(s):
    out = s.gdb.console("monitor help")
    expect("reset stats quit" in out, f"monitor output comes back: {out!r}")
    big = s.gdb.console("monitor big")
    expect(big.count("z") == 40000, f"long monitor output arrives whole ({big.count('z')} bytes)")
    cls, results, out = s.gdb.command('-interpreter-exec console "monitor frobnicate"',
                                      check=False)
    expect(cls == "error", f"an unknown monitor command is an error: {cls} {results}")


def case_exit(s):
    s.gdb.command("-exec-continue")
    stop = s.gdb.wait_stopped()
    expect(stop.get("reason") == "exited" and stop.get("exit-code") == "05",
           f"exit code 5 reaches gdb: {stop}")
    expect(s.result().startswith("exited 5"), "the session ends with the exit")


def case_detach(s):
    s.gdb.command("-break-insert *0x80000100")
    s.gdb.console(f"watch *(unsigned char *){DATA:#x}")
    s.gdb.command("-target-detach")
    out = s.result()
    expect(out.startswith("detached") and "breakpoints left: 0" in out,
           f"detach ends the session and leaves no breakpoint: {out}")


def case_kill(s):
    s.gdb.command("-break-insert *0x80000100")
    s.gdb.console("kill")
    expect(s.result().startswith("killed"), "kill ends the session")


def case_disconnect(s):
    s.gdb.command("-break-insert *0x80000f00")
    s.gdb.command("-exec-continue")
    s.gdb.wait_async("running")
    s.gdb.proc.kill()  # gdb dies while the machine runs
    out = s.result()
    expect(out.startswith("disconnected") and "breakpoints left: 0" in out,
           f"a dropped connection stops the run and cleans up: {out}")


def case_rv32(s):
    expect(s.pc() == MEM_BASE, "rv32 pc")
    s.gdb.console("set $a2 = 0xfedcba98")
    expect(s.gdb.evaluate("$a2") == str(0xfedcba98 - (1 << 32)) or
           s.gdb.evaluate("(unsigned)$a2") == str(0xfedcba98), "32-bit register round trip")
    s.gdb.command("-exec-step-instruction")
    s.gdb.wait_stopped()
    expect(s.pc() == MEM_BASE + 4, "rv32 stepi")


CASES = {
    "registers": (case_registers, []),
    "threads": (case_threads, []),
    "memory": (case_memory, []),
    "break_step": (case_break_step, []),
    "watch": (case_watch, ["--watch-hit-after", "8"]),
    "interrupt": (case_interrupt, []),
    "monitor": (case_monitor, []),
    "exit": (case_exit, ["--exit-pc", "0x80000400", "--exit-code", "5"]),
    "detach": (case_detach, []),
    "kill": (case_kill, []),
    "disconnect": (case_disconnect, []),
    "rv32": (case_rv32, []),
}


def run_case(args, name):
    body, options = CASES[name]
    transcript = []
    with tempfile.TemporaryDirectory(prefix="silica-gdbstub-") as workdir:
        session = None
        try:
            session = FakeSession(args, workdir, transcript.append, options,
                                  xlen=32 if name == "rv32" else 64)
            body(session)
            return True
        except (Failure, MiError, OSError, KeyError, ValueError, IndexError) as e:
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            print("  gdb transcript (last 30 lines):")
            for line in transcript[-30:]:
                print("    " + line)
            if session:
                print("  fake_stub stderr: " + session.stderr()[-1000:])
            # Again at the end: a CI log often shows only the tail.
            print(f"  failure: {type(e).__name__}: {e}")
            return False
        finally:
            if session:
                session.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fake-stub", required=True)
    ap.add_argument("--gdb", default="gdb-multiarch")
    ap.add_argument("--case", action="append", choices=sorted(CASES))
    args = ap.parse_args()
    if not shutil.which(args.gdb):
        print(f"error: {args.gdb} not found (Debian: apt-get install gdb-multiarch)")
        return 2
    cases = args.case or list(CASES)
    return run_cases(cases, lambda name: run_case(args, name))


if __name__ == "__main__":
    sys.exit(main())
