"""Encoding checks and decoder planning.

Two encodings overlap when some instruction word matches both. That is an
error unless both sit in one `group { }`, where earlier members win; a member
that an earlier one shadows completely is an error too (it could never
decode)."""

from .errors import IsaError


def _overlap(a, b):
    common = a.mask & b.mask
    return a.length == b.length and (a.match & common) == (b.match & common)


def _shadows(earlier, later):
    """Every word matching `later` also matches `earlier`."""
    return (earlier.mask & ~later.mask) == 0 and (later.match & earlier.mask) == earlier.match


def check_encodings(isa):
    for xlen in isa.xlens:
        insns = [i for i in isa.instructions if xlen in i.xlens]
        for n, a in enumerate(insns):
            for b in insns[n + 1:]:
                if not _overlap(a, b):
                    continue
                if a.group is None or a.group != b.group:
                    raise IsaError(b.where, f"encoding of '{b.name}' overlaps '{a.name}' "
                                            f"({a.where}) for XLEN={xlen}; put both in a "
                                            "group { } to give the first priority")
                if _shadows(a, b):
                    raise IsaError(b.where, f"'{b.name}' can never decode: '{a.name}' "
                                            f"({a.where}) comes first in its group and matches "
                                            "every word it does")


# The major-opcode bits the generated decoder switches on before testing
# mask/match pairs: bits 6:2 for 32-bit words, bits 15:13 and 1:0 for 16-bit.
def major_key(insn):
    if insn.length == 4:
        return (insn.match >> 2) & 0x1F
    return ((insn.match >> 13) & 7) << 2 | (insn.match & 3)


def switch_plan(insns, length):
    """Candidates per major key, most specific (and group order) first."""
    plan = {}
    for order, insn in enumerate(insns):
        if insn.length != length:
            continue
        keybits = 0x7C if length == 4 else 0xE003
        if insn.mask & keybits != keybits:
            raise IsaError(insn.where, f"'{insn.name}' must fix its major opcode bits")
        plan.setdefault(major_key(insn), []).append((order, insn))
    for key, cands in plan.items():
        # Within a group, earlier wins; otherwise encodings are disjoint, so any
        # order is correct and more specific first keeps it readable.
        cands.sort(key=lambda oi: (-bin(oi[1].mask).count("1") if oi[1].group is None
                                   else -100, oi[0]))
        plan[key] = [i for _, i in cands]
    return plan
