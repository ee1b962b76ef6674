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
        for ext in insn.needs:
            if ext not in isa.extensions:
                raise IsaError(insn.where, f"'{insn.name}' needs extension '{ext}', which no "
                                           "description declares")
            if ext == insn.extension:
                raise IsaError(insn.where, f"'{insn.name}' is already in extension '{ext}'")
    for insn in isa.instructions:
        assign_slots(insn)
        check_instruction(isa, insn)
    return isa
