"""Errors in a description, always reported as file:line."""


class IsaError(Exception):
    def __init__(self, where, message):
        super().__init__(f"{where}: error: {message}")
        self.where = where
        self.message = message


class Where:
    """A position in a description file, printed as path:line."""

    __slots__ = ("path", "line")

    def __init__(self, path, line):
        self.path = path
        self.line = line

    def __str__(self):
        return f"{self.path}:{self.line}"
