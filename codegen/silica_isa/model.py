"""The parsed ISA: plain data, filled by parser.py, checked by encoding.py and
semantics.py, read by the emitters."""

from dataclasses import dataclass, field
from typing import Optional


CXX_RESERVED = {
    "and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or", "or_eq", "xor", "xor_eq",
    "auto", "break", "case", "char", "const", "continue", "default", "delete", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "int", "long", "new", "register",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "class", "private", "public", "this", "throw",
    "try", "catch", "template", "typename", "virtual", "friend", "operator", "inline", "bool",
    "true", "false", "count", "illegal",
}


@dataclass
class Slice:
    """Bits hi..lo of the instruction word, or `zeros` appended zero bits."""
    hi: int = 0
    lo: int = 0
    zeros: int = 0

    @property
    def width(self):
        return self.zeros if self.zeros else self.hi - self.lo + 1


@dataclass
class Field:
    name: str
    kind: str          # reg | simm | uimm | csr
    slices: list
    offset: int        # added after extraction (x8..x15 for compressed registers)
    where: object

    @property
    def width(self):
        return sum(s.width for s in self.slices)

    @property
    def signed(self):
        return self.kind == "simm"

    def bit_mask(self):
        """The instruction bits this field reads."""
        mask = 0
        for s in self.slices:
            if not s.zeros:
                mask |= ((1 << s.width) - 1) << s.lo
        return mask


@dataclass
class Operand:
    name: str          # the name semantics use
    field: Field


@dataclass
class Format:
    name: str
    operands: list
    where: object


@dataclass
class InsnClass:
    name: str
    cycles: int
    index: int
    where: object


@dataclass
class Helper:
    name: str
    params: list       # [(name, Type)]
    result: Optional[object]
    traps: bool
    serializing: bool
    where: object


@dataclass
class Csr:
    number: int
    name: str
    access: str        # mrw, mro, uro, ...
    xlens: tuple
    where: object
    extension: Optional[str] = None  # the extension it is declared under, if any


@dataclass
class Instruction:
    name: str
    fmt: Format
    length: int        # bytes
    mask: int
    match: int
    iclass: InsnClass
    xlens: tuple
    extension: str
    asm: str
    body_text: str
    body_where: object
    where: object
    group: Optional[int] = None   # index of the priority group, if any
    needs: list = field(default_factory=list)  # further extensions it requires (needs=D)
    body: list = field(default_factory=list)  # typed statements (semantics.py)
    ends_block: bool = False
    serializing: bool = False
    may_trap: bool = False
    reads: list = field(default_factory=list)   # operand names read as a register index
    writes: list = field(default_factory=list)  # operand names written as a register index
    reg_reads: dict = field(default_factory=dict)   # register file -> operand names read
    reg_writes: dict = field(default_factory=dict)  # register file -> operand names written
    operand_files: dict = field(default_factory=dict)  # operand name -> the file it indexes
    fixed_writes: list = field(default_factory=list)  # first file's registers written as X[2]

    @property
    def cname(self):
        """The C++ identifier: dots become underscores; C++ keywords and
        alternative operator tokens (and, or, xor, ...) get a trailing _."""
        name = self.name.replace(".", "_")
        return name + "_" if name in CXX_RESERVED else name


@dataclass
class RegFile:
    name: str
    type_name: str
    zero: Optional[int]
    names: list
    where: object
    extension: Optional[str] = None    # the extension that declares it, if any
    gdb_feature: Optional[str] = None  # gdb target-description feature (gdb=FEATURE:REGNUM)
    gdb_regnum: int = 0                # gdb's number for register 0


@dataclass
class Isa:
    name: str = ""
    xlens: tuple = ()
    regfiles: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    formats: dict = field(default_factory=dict)
    helpers: dict = field(default_factory=dict)
    csrs: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    instructions: list = field(default_factory=list)
    groups: int = 0
