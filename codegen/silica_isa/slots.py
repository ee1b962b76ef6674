"""Where each operand lives in the generated DecodedInsn: small unsigned
fields (register numbers, shift amounts, flags) in byte slots r[0..5], at most
one wide field (an immediate or CSR number) in the 64-bit imm slot."""

from .errors import IsaError

SMALL_SLOTS = 6


def assign_slots(insn):
    """Returns {operand name: ('r', k) | ('imm', None)}."""
    out, small = {}, 0
    wide = None
    for op in insn.fmt.operands:
        f = op.field
        max_value = (1 << f.width) - 1 + f.offset
        if f.kind in ("reg", "uimm") and max_value < 256:
            if small == SMALL_SLOTS:
                raise IsaError(insn.where, f"'{insn.name}' has more than {SMALL_SLOTS} small "
                                           "operands; widen DecodedInsn in codegen/slots.py")
            out[op.name] = ("r", small)
            small += 1
        else:
            if wide is not None:
                raise IsaError(insn.where, f"'{insn.name}' has two wide operands ({wide} and "
                                           f"{op.name}); widen DecodedInsn in codegen/slots.py")
            wide = op.name
            out[op.name] = ("imm", None)
    return out


def extract_expr(field, word="w"):
    """C++ expression extracting `field` from the instruction word."""
    parts, shift = [], 0
    for s in reversed(field.slices):          # least significant slice first
        if s.zeros:
            shift += s.zeros
            continue
        mask = (1 << s.width) - 1
        piece = f"(({word} >> {s.lo}) & 0x{mask:x}u)" if s.lo else f"({word} & 0x{mask:x}u)"
        parts.append(f"({piece} << {shift})" if shift else piece)
        shift += s.width
    value = " | ".join(parts)
    if field.signed:
        return f"sign_extend(uint64_t({value}), {field.width})"
    if field.offset:
        return f"({value}) + {field.offset}"
    return value
