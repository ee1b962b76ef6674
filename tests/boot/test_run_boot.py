#!/usr/bin/env python3
"""Self-test of run_boot.py against fake simulators (small Python programs).

Why: a boot test is only worth something if the harness fails when the
console is wrong.  These cases check that a wrong hart count, a missing
pattern, a bad exit status and a hung guest each fail with the step named,
and that typed input reaches the guest, over a pty and over pipes.
Standard library only; takes a few seconds.
"""
import os
import subprocess
import sys
import unittest

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_boot.py")

LINUX_CONSOLE = ("OpenSBI v1.1\\n[0.0] Linux version 6.12.0 (x)\\n"
                 "silica-boot: shell ready\\nsilica-boot: nproc=2 cpuinfo-harts=2\\n"
                 "[1.8] reboot: Power down\\n")


def fake(body):
    """A command line running body as a Python program (the fake simulator)."""
    return [sys.executable, "-c", "import sys, time\n" + body]


def harness(options, command):
    return subprocess.run([sys.executable, HARNESS, *options, "--", *command],
                          capture_output=True, text=True, timeout=60)


class RunBootTest(unittest.TestCase):
    def test_linux_scenario_passes(self):
        for transport in ([], ["--pipes"]):
            r = harness(["--scenario", "linux", "--smp", "2", *transport],
                        fake(f"print('{LINUX_CONSOLE}', end='', flush=True)"))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("matched /silica-boot: shell ready/", r.stdout)

    def test_wrong_hart_count_fails_at_that_step(self):
        r = harness(["--scenario", "linux", "--smp", "4"],
                    fake(f"print('{LINUX_CONSOLE}', end='', flush=True)"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("FAIL: step 4: /silica-boot: nproc=4", r.stderr)
        self.assertIn("| silica-boot: nproc=2 cpuinfo-harts=2", r.stderr)   # the tail

    def test_bad_exit_status_fails(self):
        r = harness(["--scenario", "linux", "--smp", "2"],
                    fake(f"print('{LINUX_CONSOLE}', end='', flush=True); "
                         "sys.stderr.write('boom'); sys.exit(3)"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("exited with status 3", r.stderr)
        self.assertIn("boom", r.stderr)

    def test_missing_pattern_times_out(self):
        r = harness(["--within", "1", "--expect", "never-printed"],
                    fake("print('something else', flush=True); time.sleep(30)"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("FAIL: step 1: /never-printed/ not seen within 1 s", r.stderr)
        self.assertIn("| something else", r.stderr)

    def test_typed_input_reaches_the_guest(self):
        body = ("print('ready', flush=True); line = sys.stdin.readline().strip(); "
                "print('pong:' + line[::-1], flush=True)")
        for transport in ([], ["--pipes"]):
            r = harness(["--expect", "ready", "--send", "ping\\n", "--expect", "pong:gnip",
                         *transport], fake(body))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_kill_ends_a_guest_that_keeps_running(self):
        r = harness(["--expect", "up", "--end", "kill"],
                    fake("print('up', flush=True); time.sleep(60)"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("stopped the simulator", r.stdout)


if __name__ == "__main__":
    unittest.main()
