"""Idiomatic hints: valid code that has a shorter canonical form.

Printed to stderr after a successful run (never for a failing one), at
most one per kind, and silenced with ``--no-hints``.
"""

from __future__ import annotations

from ilo.runtime import builtins as B
from ilo.syntax import ast as A

MISLEADING_PAIRS = {("*", "/"), ("/", "*"), ("+", "-"), ("-", "+")}


def idiom_hints(program: A.Program) -> list[str]:
    hints: list[str] = []
    alias = None
    pair = None
    users = set(program.functions)
    for node in program_nodes(program):
        if alias is None and isinstance(node, (A.Call, A.Ref)) and node.name in B.ALIASES \
                and node.name not in users:
            alias = node.name
        if pair is None and isinstance(node, A.BinOp) and isinstance(node.left, A.BinOp) \
                and (node.op, node.left.op) in MISLEADING_PAIRS and node.span is not None \
                and program.source[node.span.start:node.span.start + 2] == node.op + node.left.op:
            pair = (node.op, node.left.op)
    if alias:
        hints.append(f"`{alias}` → `{B.ALIASES[alias]}` (canonical short form)")
    if pair:
        outer, inner = pair
        hints.append(f"`{outer}{inner}a b c` means (a {inner} b) {outer} c: the inner operator groups first")
    return hints


def program_nodes(program):
    """Every AST node under the program's functions (order does not matter)."""
    stack = [d for d in program.decls if isinstance(d, A.FnDecl)]
    while stack:
        n = stack.pop()
        yield n
        for f in n._fields:
            v = getattr(n, f)
            if isinstance(v, A.Node):
                stack.append(v)
            elif isinstance(v, list):
                for item in v:
                    if isinstance(item, A.Node):
                        stack.append(item)
                    elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], A.Node):
                        stack.append(item[1])
