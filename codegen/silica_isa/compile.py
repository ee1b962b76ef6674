"""The whole front end: parse, check encodings, type-check semantics."""

from .encoding import check_encodings
from .errors import IsaError, Where
from .parser import parse_files
from .semantics import check_instruction
from .slots import assign_slots


def compile_isa(paths):
    isa = parse_files(paths)
    if not isa.xlens:
        raise IsaError(Where(paths[0], 1), "no 'xlen' declaration")
    if not isa.regfiles:
        raise IsaError(Where(paths[0], 1), "no 'regfile' declaration")
    check_encodings(isa)
    for insn in isa.instructions:
        assign_slots(insn)
        check_instruction(isa, insn)
    return isa
