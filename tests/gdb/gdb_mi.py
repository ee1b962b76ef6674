"""A small driver for gdb's machine interface (GDB/MI), standard library only.

GdbMi starts gdb with --interpreter=mi3 and talks to it over pipes: each
command gets a token, the reply is the result record with that token, and
console output, async records (*running, *stopped, =...) and target output
are collected on the way.  Every wait has a timeout, so a stuck debugger or
stub fails a test instead of hanging it.
"""
import queue
import subprocess
import threading
import time


class MiError(Exception):
    """gdb answered ^error, or did not answer in time."""


# --- parsing MI output records -------------------------------------------

def _parse_cstring(text, pos):
    """A C string starting at text[pos] == '"'; returns (value, next_pos)."""
    assert text[pos] == '"'
    pos += 1
    out = []
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}
    while pos < len(text):
        c = text[pos]
        if c == '"':
            return "".join(out), pos + 1
        if c == "\\" and pos + 1 < len(text):
            n = text[pos + 1]
            if n in escapes:
                out.append(escapes[n])
                pos += 2
                continue
            if n.isdigit():  # octal escape, up to three digits
                end = pos + 1
                while end < len(text) and end < pos + 4 and text[end].isdigit():
                    end += 1
                out.append(chr(int(text[pos + 1:end], 8)))
                pos = end
                continue
            out.append(n)
            pos += 2
            continue
        out.append(c)
        pos += 1
    raise ValueError(f"unterminated string in {text!r}")


def _parse_value(text, pos):
    c = text[pos]
    if c == '"':
        return _parse_cstring(text, pos)
    if c == "{":
        return _parse_results(text, pos + 1, "}")
    if c == "[":
        pos += 1
        items = []
        if text[pos] == "]":
            return items, pos + 1
        while True:
            # A list holds either values or name=value results.
            if text[pos] in '"{[':
                value, pos = _parse_value(text, pos)
                items.append(value)
            else:
                eq = text.index("=", pos)
                name = text[pos:eq]
                value, pos = _parse_value(text, eq + 1)
                items.append({name: value})
            if text[pos] == ",":
                pos += 1
                continue
            if text[pos] == "]":
                return items, pos + 1
            raise ValueError(f"bad list at {pos} in {text!r}")
    raise ValueError(f"bad value at {pos} in {text!r}")


def _parse_results(text, pos, closer=None):
    """name=value,... up to `closer` (or the end); returns (dict, next_pos).
    A name given again is stored as name#2, name#3, ..."""
    results = {}
    if closer and text[pos] == closer:
        return results, pos + 1
    while pos < len(text):
        eq = text.index("=", pos)
        name = text[pos:eq]
        value, pos = _parse_value(text, eq + 1)
        key, n = name, 1
        while key in results:
            n += 1
            key = f"{name}#{n}"
        results[key] = value
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if closer:
            if text[pos] != closer:
                raise ValueError(f"expected {closer} at {pos} in {text!r}")
            return results, pos + 1
        return results, pos
    if closer:
        raise ValueError(f"missing {closer} in {text!r}")
    return results, pos


def parse_record(line):
    """One MI output line -> (kind, token, class_or_text, results).

    kind is one of '^' (result), '*' (exec async), '+', '=' (notify),
    '~' (console), '@' (target), '&' (log), or '(gdb)'."""
    if line.strip() == "(gdb)":
        return "(gdb)", None, None, {}
    pos = 0
    while pos < len(line) and line[pos].isdigit():
        pos += 1
    token = int(line[:pos]) if pos else None
    kind = line[pos]
    if kind in "~@&":
        text, _ = _parse_cstring(line, pos + 1)
        return kind, token, text, {}
    if kind in "^*+=":
        rest = line[pos + 1:]
        comma = rest.find(",")
        cls = rest if comma < 0 else rest[:comma]
        results = {}
        if comma >= 0:
            results, _ = _parse_results(rest, comma + 1)
        return kind, token, cls, results
    return "?", token, line, {}


# --- the session -----------------------------------------------------------

class GdbMi:
    def __init__(self, gdb, args=(), log=None):
        self.log = log or (lambda text: None)
        self.proc = subprocess.Popen(
            [gdb, "-nx", "-q", "--interpreter=mi3", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace", bufsize=1)
        self.lines = queue.Queue()
        self.pending = []      # async records not consumed yet, in order
        self.target_output = []
        self.token = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # gdb exited

    def _next_record(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise MiError("timed out waiting for gdb")
        try:
            line = self.lines.get(timeout=remaining)
        except queue.Empty:
            raise MiError("timed out waiting for gdb") from None
        if line is None:
            raise MiError("gdb exited")
        self.log("gdb> " + line)
        try:
            return parse_record(line)
        except (ValueError, IndexError):
            return "?", None, line, {}

    def command(self, text, timeout=30, check=True):
        """Runs an MI command; returns (class, results, printed_text)."""
        self.token += 1
        token = self.token
        self.log(f"gdb< {token}{text}")
        self.proc.stdin.write(f"{token}{text}\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        console = []
        while True:
            kind, tok, cls, results = self._next_record(deadline)
            if kind == "~":
                console.append(cls)
            elif kind == "@":
                # Target output ('monitor' replies among it) is part of
                # what the command printed.
                self.target_output.append(cls)
                console.append(cls)
            elif kind in "*=+":
                self.pending.append((kind, cls, results))
            elif kind == "^" and tok == token:
                if check and cls == "error":
                    raise MiError(f"{text}: {results.get('msg', results)}")
                return cls, results, "".join(console)

    def console(self, text, timeout=30, check=True):
        """A CLI command through MI; returns what it printed."""
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        return self.command(f'-interpreter-exec console "{quoted}"', timeout, check)[2]

    def evaluate(self, expression, timeout=30):
        quoted = expression.replace("\\", "\\\\").replace('"', '\\"')
        return self.command(f'-data-evaluate-expression "{quoted}"', timeout)[1]["value"]

    def wait_async(self, cls, timeout=30):
        """The next async record of class `cls` (e.g. 'stopped')."""
        deadline = time.monotonic() + timeout
        while True:
            for i, (kind, c, results) in enumerate(self.pending):
                if c == cls:
                    del self.pending[i]
                    return results
            kind, tok, c, results = self._next_record(deadline)
            if kind in "*=+":
                self.pending.append((kind, c, results))
            elif kind == "@":
                self.target_output.append(c)

    def wait_stopped(self, timeout=30):
        return self.wait_async("stopped", timeout)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("-gdb-exit\n")
                self.proc.stdin.flush()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_cases(names, run_one, label=""):
    """Runs each named case, prints one ok/FAIL line per case and the closing
    'N passed, N failed' line; returns the process exit status."""
    failed = 0
    for name in names:
        start = time.monotonic()
        ok = run_one(name)
        failed += 0 if ok else 1
        where = f"{label}, " if label else ""
        print(f"{'ok  ' if ok else 'FAIL'} {name} ({where}{time.monotonic() - start:.1f} s)")
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0
