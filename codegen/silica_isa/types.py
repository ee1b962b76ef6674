"""The semantics language's integer types: u1 (bool), u8..u64, s8..s64, and
ux/sx whose width is the XLEN the code is generated for."""

import re

from .errors import IsaError


class Type:
    __slots__ = ("signed", "width")

    def __init__(self, signed, width):
        self.signed = signed
        self.width = width          # an int, or "X" for XLEN

    def resolve(self, xlen):
        return (self.signed, xlen if self.width == "X" else self.width)

    def same(self, other, xlens):
        """True when the two types are the same for every XLEN in xlens."""
        return all(self.resolve(x) == other.resolve(x) for x in xlens)

    def bits(self, xlen):
        return self.resolve(xlen)[1]

    @property
    def is_bool(self):
        return self.width == 1

    @property
    def name(self):
        if self.width == 1:
            return "u1"
        return ("s" if self.signed else "u") + ("x" if self.width == "X" else str(self.width))

    def __eq__(self, other):
        return isinstance(other, Type) and (self.signed, self.width) == (other.signed, other.width)

    def __hash__(self):
        return hash((self.signed, self.width))

    def __repr__(self):
        return self.name


BOOL = Type(False, 1)
UX = Type(False, "X")
SX = Type(True, "X")
U8 = Type(False, 8)
U32 = Type(False, 32)

_TYPE = re.compile(r"^(u|s)(1|8|16|32|64|x)$")


def is_type_name(text):
    m = _TYPE.match(text)
    return bool(m) and not (m.group(1) == "s" and m.group(2) == "1")


def parse_type(text, where):
    if not is_type_name(text):
        raise IsaError(where, f"unknown type '{text}' (types: u1 u8 u16 u32 u64 s8 s16 s32 s64 "
                              "ux sx)")
    m = _TYPE.match(text)
    width = "X" if m.group(2) == "x" else int(m.group(2))
    return Type(m.group(1) == "s", width)
