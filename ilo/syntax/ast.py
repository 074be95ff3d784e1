"""AST node classes. Every node carries ``span`` (a diagnostics Span or None).

Types are plain tuples: ``("n",)``, ``("t",)``, ``("b",)``, ``("_",)``,
``("L", T)``, ``("O", T)``, ``("R", OK, ERR)``, ``("M", K, V)``,
``("S", (variants...))``, ``("F", (params...), RET)``, ``("named", name)``.
"""

from __future__ import annotations


class Node:
    __slots__ = ("span",)
    _fields: tuple = ()

    def __repr__(self):
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"


def _node(name: str, *fields: str):
    def __init__(self, *args, span=None):
        for f, a in zip(fields, args):
            setattr(self, f, a)
        self.span = span

    return type(name, (Node,), {"__slots__": fields, "_fields": fields, "__init__": __init__})


# expressions
Lit = _node("Lit", "value")
Ref = _node("Ref", "name")
Field = _node("Field", "obj", "name", "safe")
Index = _node("Index", "obj", "index", "safe")
Call = _node("Call", "name", "args", "unwrap")        # unwrap: "" | "!" | "!!"
BinOp = _node("BinOp", "op", "left", "right")          # op: + - * / = != > < >= <= & | +=
Not = _node("Not", "operand")
Neg = _node("Neg", "operand")
OkE = _node("OkE", "inner")
ErrE = _node("ErrE", "inner")
ListE = _node("ListE", "items")
RecordE = _node("RecordE", "type_name", "fields")       # fields: list[(name, expr)]
MatchE = _node("MatchE", "subject", "arms")
Coalesce = _node("Coalesce", "value", "default")
Ternary = _node("Ternary", "cond", "then", "other")
With = _node("With", "obj", "updates")
MakeClosure = _node("MakeClosure", "fn_name", "captures")  # captures: list[Ref]

# statements
Let = _node("Let", "name", "value")
Destructure = _node("Destructure", "names", "value")
Guard = _node("Guard", "cond", "negated", "body", "else_body", "braceless")
MatchS = _node("MatchS", "subject", "arms")
ForEach = _node("ForEach", "name", "coll", "body")
ForRange = _node("ForRange", "name", "start", "stop", "body")
While = _node("While", "cond", "body")
Return = _node("Return", "value")
Break = _node("Break", "value")
Continue = _node("Continue")
ExprS = _node("ExprS", "expr")

# match arms: pattern kinds "lit" (value), "ok"/"err" (binding), "type" (letter, binding), "wild"
Pattern = _node("Pattern", "kind", "value", "binding")
Arm = _node("Arm", "pattern", "body")

# declarations
Param = _node("Param", "name", "type")
FnDecl = _node("FnDecl", "name", "params", "ret", "body", "lifted")
TypeDecl = _node("TypeDecl", "name", "fields")
ToolDecl = _node("ToolDecl", "name", "description", "params", "ret", "timeout", "retry")
UseDecl = _node("UseDecl", "path", "names")
AliasDecl = _node("AliasDecl", "name", "target")


class Program:
    """Parsed program: declarations in source order plus lifted lambdas."""

    __slots__ = ("decls", "source", "filename")

    def __init__(self, decls, source="", filename=None):
        self.decls = decls
        self.source = source
        self.filename = filename

    @property
    def functions(self) -> dict:
        return {d.name: d for d in self.decls if isinstance(d, FnDecl)}

    @property
    def types(self) -> dict:
        return {d.name: d for d in self.decls if isinstance(d, TypeDecl)}

    @property
    def tools(self) -> dict:
        return {d.name: d for d in self.decls if isinstance(d, ToolDecl)}


def type_str(t) -> str:
    """Render a type tuple back to ilo syntax (for messages)."""
    if t is None:
        return "_"
    k = t[0]
    if k in ("n", "t", "b", "_"):
        return k
    if k == "named":
        return t[1]
    if k in ("L", "O"):
        inner = type_str(t[1])
        return f"{k} {inner}" if " " not in inner else f"{k} ({inner})"
    if k in ("R", "M"):
        return f"{k} {_wrap(type_str(t[1]))} {_wrap(type_str(t[2]))}"
    if k == "S":
        return "S " + " ".join(t[1])
    if k == "F":
        return "F " + " ".join(_wrap(type_str(p)) for p in t[1]) + " " + _wrap(type_str(t[2]))
    return str(t)


def _wrap(s: str) -> str:
    return f"({s})" if " " in s else s
