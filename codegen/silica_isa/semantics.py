"""The semantics language: tokenizer, parser and type checker.

A block is a list of statements over typed integer expressions:

    let NAME [: TYPE] = EXPR;      X[EXPR] = EXPR;      NAME = EXPR;
    if (EXPR) { ... } else { ... }                      CALL(ARGS);

Operators follow C precedence. Both operands of a binary operator have the
same type; an untyped literal (or XLEN, LEN) takes the type of the other side.
Shift amounts are taken modulo the width of the shifted value; / and % are
total and behave as RISC-V's divide instructions. TYPE(EXPR) converts as C
does (truncate, or sign/zero extend by the source's signedness); sext/zext
extend to XLEN. The checker annotates every expression with .ty and records
what the emitters need: which operands are read or written as registers,
whether the instruction may trap, and whether it ends a decoded block.
"""

import re

from .errors import IsaError, Where
from .types import BOOL, U8, U32, UX, Type, is_type_name, parse_type

TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d+)|([A-Za-z_]\w*)|"
                   r"(<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^~!<>?:=()\[\]{};,]))")


class Node:
    """An AST node. kind is one of: lit, xlen, len, pc, var, reg, unary, binary,
    cond, cast, call, let, assign, if, expr."""

    def __init__(self, kind, where, **attrs):
        self.kind = kind
        self.where = where
        self.ty = None
        self.__dict__.update(attrs)

    def __repr__(self):
        return f"Node({self.kind})"


def tokenize(text, where):
    tokens, pos, line = [], 0, where.line
    while True:
        while pos < len(text) and text[pos].isspace():
            line += text[pos] == "\n"
            pos += 1
        if pos >= len(text):
            break
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise IsaError(Where(where.path, line), f"unexpected character '{text[pos]}'")
        kind = "num" if m.group(1) else "name" if m.group(2) else "op"
        tokens.append((kind, m.group(1) or m.group(2) or m.group(3), Where(where.path, line)))
        pos = m.end()
    tokens.append(("eof", "", Where(where.path, line)))
    return tokens


class _Parser:
    BINARY_LEVELS = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="],
                     ["<<", ">>"], ["+", "-"], ["*", "/", "%"]]

    def __init__(self, tokens, regfiles):
        self.tokens = tokens
        self.pos = 0
        self.regfiles = regfiles

    def peek(self, offset=0):
        return self.tokens[self.pos + offset]

    def take(self, value=None):
        tok = self.tokens[self.pos]
        if value is not None and tok[1] != value:
            shown = tok[1] or "end of block"
            raise IsaError(tok[2], f"expected '{value}' but found '{shown}'")
        self.pos += 1
        return tok

    def at(self, value):
        return self.peek()[1] == value and self.peek()[0] != "eof"

    def statements(self, closing=None):
        out = []
        while not (self.peek()[0] == "eof" or closing and self.at(closing)):
            out.append(self.statement())
        return out

    def block(self):
        self.take("{")
        body = self.statements("}")
        self.take("}")
        return body

    def statement(self):
        kind, value, where = self.peek()
        if value == "let" and kind == "name":
            self.take()
            name = self.take()
            if name[0] != "name":
                raise IsaError(name[2], "expected a variable name after 'let'")
            ty = None
            if self.at(":"):
                self.take()
                ty = parse_type(self.take()[1], where)
            self.take("=")
            value_expr = self.expr()
            self.take(";")
            return Node("let", where, name=name[1], declared=ty, value=value_expr)
        if value == "if" and kind == "name":
            self.take()
            self.take("(")
            cond = self.expr()
            self.take(")")
            then = self.block()
            other = []
            if self.at("else"):
                self.take()
                other = [self.statement()] if self.at("if") else self.block()
            return Node("if", where, cond=cond, then=then, other=other)
        target = self.expr()
        if self.at("="):
            self.take()
            if target.kind not in ("reg", "var"):
                raise IsaError(where, "only a register or a local variable can be assigned")
            value_expr = self.expr()
            self.take(";")
            return Node("assign", where, target=target, value=value_expr)
        self.take(";")
        if target.kind != "call":
            raise IsaError(where, "an expression statement must be a call")
        return Node("expr", where, value=target)

    def expr(self):
        cond = self.binary(0)
        if self.at("?"):
            where = self.take()[2]
            a = self.expr()
            self.take(":")
            b = self.expr()
            return Node("cond", where, cond=cond, a=a, b=b)
        return cond

    def binary(self, level):
        if level == len(self.BINARY_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in self.BINARY_LEVELS[level]:
            op, where = self.take()[1:]
            right = self.binary(level + 1)
            left = Node("binary", where, op=op, a=left, b=right)
        return left

    def unary(self):
        if self.peek()[0] == "op" and self.peek()[1] in ("-", "~", "!"):
            op, where = self.take()[1:]
            return Node("unary", where, op=op, a=self.unary())
        return self.primary()

    def primary(self):
        kind, value, where = self.take()
        if kind == "num":
            return Node("lit", where, value=int(value.replace("_", ""), 0))
        if kind == "op" and value == "(":
            e = self.expr()
            self.take(")")
            return e
        if kind != "name":
            raise IsaError(where, f"unexpected '{value or 'end of block'}'")
        if value in self.regfiles and self.at("["):
            self.take("[")
            index = self.expr()
            self.take("]")
            return Node("reg", where, file=value, index=index)
        if is_type_name(value) and self.at("("):
            self.take("(")
            e = self.expr()
            self.take(")")
            return Node("cast", where, to=parse_type(value, where), a=e)
        if self.at("("):
            self.take("(")
            args = []
            while not self.at(")"):
                args.append(self.expr())
                if not self.at(")"):
                    self.take(",")
            self.take(")")
            return Node("call", where, name=value, args=args)
        if value == "XLEN":
            return Node("xlen", where)
        if value == "LEN":
            return Node("len", where)
        if value == "PC":
            return Node("pc", where)
        return Node("var", where, name=value)


def parse_body(text, where, regfiles):
    return _Parser(tokenize(text, where), regfiles).statements()


# Built-in operations every ISA gets; the emitters know how to implement them.
# name -> (parameter types or None for "any", result type, traps, ends_block)
def _mem_builtins():
    out = {}
    for w in (8, 16, 32, 64):
        t = Type(False, w)
        out[f"load_u{w}"] = ([UX], t, True, False)
        out[f"store_u{w}"] = ([UX, t], None, True, False)
        if w >= 32:
            out[f"amo_load_u{w}"] = ([UX], t, True, False)
    return out


BUILTINS = dict(_mem_builtins())
BUILTINS.update({
    "jump": ([UX], None, True, True),
    "illegal": ([], None, True, False),
    "mulh_ss": ([UX, UX], UX, False, False),
    "mulh_su": ([UX, UX], UX, False, False),
    "mulh_uu": ([UX, UX], UX, False, False),
})
EXTENDS = ("sext", "zext")


class Checker:
    """Type-checks one instruction's body for every XLEN it exists in."""

    def __init__(self, isa, insn):
        self.isa = isa
        self.insn = insn
        self.xlens = insn.xlens
        self.scopes = [{}]
        self.operands = {op.name: op for op in insn.fmt.operands}
        self.reads, self.writes, self.fixed_writes = [], [], []
        self.reg_reads, self.reg_writes, self.operand_files = {}, {}, {}
        self.may_trap = self.ends_block = self.serializing = False

    def error(self, node, message):
        raise IsaError(node.where, f"{self.insn.name}: {message}")

    # -- types ----------------------------------------------------------------
    def operand_type(self, op):
        return {"reg": U8, "csr": U32}.get(op.field.kind, UX)

    def lookup(self, name):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def coerce(self, node, ty):
        """Gives an untyped expression type ty, or checks a typed one has it."""
        if node.ty is None:
            self.assign_type(node, ty)
        elif not node.ty.same(ty, self.xlens):
            self.error(node, f"type mismatch: expected {ty.name} but this is {node.ty.name}")

    def assign_type(self, node, ty):
        if node.kind == "lit":
            if ty.is_bool and node.value not in (0, 1):
                self.error(node, f"{node.value} is not a u1 value")
        elif node.kind == "unary":
            self.assign_type(node.a, ty)
        elif node.kind == "binary":
            self.assign_type(node.a, ty)
            if node.op not in ("<<", ">>"):
                self.assign_type(node.b, ty)
        elif node.kind == "cond":
            self.assign_type(node.a, ty)
            self.assign_type(node.b, ty)
        node.ty = ty

    def unify(self, node, a, b, what):
        if a.ty is None and b.ty is None:
            return None
        if a.ty is None:
            self.coerce(a, b.ty)
        elif b.ty is None:
            self.coerce(b, a.ty)
        elif not a.ty.same(b.ty, self.xlens):
            self.error(node, f"operands of '{what}' differ in type: {a.ty.name} and {b.ty.name}")
        return a.ty

    def require_typed(self, node, what):
        if node.ty is None:
            self.error(node, f"cannot tell the type of {what}; write a conversion like ux(...)")

    # -- expressions ----------------------------------------------------------
    def expr(self, node):
        handler = getattr(self, "expr_" + node.kind)
        handler(node)
        return node

    def expr_lit(self, node):
        pass

    def expr_xlen(self, node):
        pass

    def expr_len(self, node):
        node.value = self.insn.length

    def expr_pc(self, node):
        node.ty = UX

    def expr_var(self, node):
        local = self.lookup(node.name)
        if local is not None:
            node.local = True
            node.ty = local
            return
        op = self.operands.get(node.name)
        if op is None:
            self.error(node, f"unknown name '{node.name}'")
        node.local = False
        node.ty = self.operand_type(op)

    def expr_reg(self, node):
        rf = self.isa.regfiles[node.file]
        self.expr(node.index)
        self.coerce(node.index, U8)
        if node.index.kind == "lit" and node.index.value >= len(rf.names or range(32)):
            self.error(node, f"{node.file}[{node.index.value}] does not exist")
        node.ty = parse_type(rf.type_name, node.where)
        self.note_register(node, writing=False)

    def note_register(self, node, writing):
        """Records an operand used as a register index, and which file it indexes."""
        index = node.index
        if index.kind != "var" or index.local:
            return
        name = index.name
        known = self.operand_files.setdefault(name, node.file)
        if known != node.file:
            self.error(node, f"operand '{name}' indexes both {known}[] and {node.file}[]")
        names, per_file = (self.writes, self.reg_writes) if writing else (self.reads,
                                                                           self.reg_reads)
        if name not in names:
            names.append(name)
        per_file.setdefault(node.file, [])
        if name not in per_file[node.file]:
            per_file[node.file].append(name)

    def expr_unary(self, node):
        self.expr(node.a)
        if node.op == "!":
            self.coerce(node.a, BOOL)
            node.ty = BOOL
        else:
            node.ty = node.a.ty
            if node.ty is not None and node.ty.is_bool:
                self.error(node, f"'{node.op}' is not defined on u1")

    def expr_binary(self, node):
        op = node.op
        self.expr(node.a)
        self.expr(node.b)
        if op in ("&&", "||"):
            self.coerce(node.a, BOOL)
            self.coerce(node.b, BOOL)
            node.ty = BOOL
        elif op in ("<<", ">>"):
            if node.b.ty is None:
                self.coerce(node.b, node.a.ty or UX)
            if node.b.ty.signed or node.b.ty.is_bool:
                self.error(node, "a shift amount must be unsigned")
            node.ty = node.a.ty
        elif op in ("==", "!=", "<", "<=", ">", ">="):
            ty = self.unify(node, node.a, node.b, op)
            if ty is None:
                self.error(node, f"cannot tell the type of the comparison '{op}'")
            if ty.is_bool and op not in ("==", "!="):
                self.error(node, f"'{op}' is not defined on u1")
            node.ty = BOOL
        else:
            ty = self.unify(node, node.a, node.b, op)
            if ty is not None and ty.is_bool and op not in ("&", "|", "^"):
                self.error(node, f"'{op}' is not defined on u1")
            node.ty = ty

    def expr_cond(self, node):
        self.expr(node.cond)
        self.coerce(node.cond, BOOL)
        self.expr(node.a)
        self.expr(node.b)
        node.ty = self.unify(node, node.a, node.b, "?:")

    def expr_cast(self, node):
        self.expr(node.a)
        if node.a.ty is None:
            self.coerce(node.a, node.to)
        node.ty = node.to

    def expr_call(self, node):
        name = node.name
        for a in node.args:
            self.expr(a)
        if name in EXTENDS:
            if len(node.args) != 1:
                self.error(node, f"{name} takes one argument")
            a = node.args[0]
            self.require_typed(a, f"the argument of {name}")
            for x in self.xlens:
                if a.ty.bits(x) > x:
                    self.error(node, f"{name} of a {a.ty.name} does not fit XLEN={x}")
            node.ty = UX
            return
        if name in BUILTINS:
            params, result, traps, ends = BUILTINS[name]
            node.builtin = True
        elif name in self.isa.helpers:
            h = self.isa.helpers[name]
            params, result, traps, ends = [t for _, t in h.params], h.result, h.traps, h.serializing
            node.builtin = False
            self.serializing |= h.serializing
        else:
            self.error(node, f"unknown function '{name}'")
        if len(params) != len(node.args):
            self.error(node, f"{name} takes {len(params)} argument(s), not {len(node.args)}")
        for a, t in zip(node.args, params):
            self.coerce(a, t)
        self.may_trap |= traps
        self.ends_block |= ends
        node.traps = traps
        node.ty = result

    # -- statements -----------------------------------------------------------
    def block(self, statements):
        self.scopes.append({})
        for s in statements:
            getattr(self, "stmt_" + s.kind)(s)
        self.scopes.pop()

    def stmt_let(self, node):
        self.expr(node.value)
        if node.declared is not None:
            self.coerce(node.value, node.declared)
        self.require_typed(node.value, f"'{node.name}'")
        if self.lookup(node.name) is not None or node.name in self.operands:
            self.error(node, f"'{node.name}' is already defined")
        node.ty = node.value.ty
        self.scopes[-1][node.name] = node.ty

    def stmt_assign(self, node):
        target = node.target
        self.expr(node.value)
        if target.kind == "reg":
            self.expr(target.index)
            self.coerce(target.index, U8)
            target.ty = parse_type(self.isa.regfiles[target.file].type_name, target.where)
            self.note_register(target, writing=True)
            primary = next(iter(self.isa.regfiles))
            if (target.index.kind == "lit" and target.file == primary
                    and target.index.value not in self.fixed_writes):
                self.fixed_writes.append(target.index.value)
        else:
            if self.lookup(target.name) is None:
                self.error(target, f"'{target.name}' is not a local variable; declare it with let")
            target.ty = self.lookup(target.name)
            target.local = True
        if node.value.ty is None or target.ty is None:
            self.coerce(node.value, target.ty)
        elif not node.value.ty.same(target.ty, self.xlens):
            self.error(node, f"cannot assign a {node.value.ty.name} to a {target.ty.name}")

    def stmt_if(self, node):
        self.expr(node.cond)
        self.coerce(node.cond, BOOL)
        self.block(node.then)
        self.block(node.other)

    def stmt_expr(self, node):
        self.expr(node.value)
        if node.value.ty is not None:
            self.error(node, f"the result of {node.value.name} is not used")


def check_instruction(isa, insn):
    insn.body = parse_body(insn.body_text, insn.body_where, isa.regfiles)
    checker = Checker(isa, insn)
    checker.block(insn.body)
    insn.reads, insn.writes = checker.reads, checker.writes
    insn.reg_reads, insn.reg_writes = checker.reg_reads, checker.reg_writes
    insn.operand_files = checker.operand_files
    insn.fixed_writes = checker.fixed_writes
    insn.may_trap = checker.may_trap
    insn.serializing = checker.serializing
    insn.ends_block = checker.ends_block or checker.serializing
