"""``--max-ast-depth``: refuse absurdly nested programs with one clean diagnostic.

The walk is iterative, so checking a pathological tree cannot itself run out
of stack; it runs right after parsing, before any recursive pass (imports,
checks, engines) sees the tree.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloParseError
from ilo.syntax import ast as A

DEFAULT_MAX_DEPTH = 256
DEPTH_CODE = "ILO-P022"


def deepest(program: A.Program) -> tuple[int, A.Node | None]:
    """(depth, node) of the most deeply nested node; lists add no depth."""
    best, where = 0, None
    stack = [(d, 1) for d in program.decls]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend((x, depth) for x in node)
            continue
        if not isinstance(node, A.Node):
            continue
        if depth > best:
            best, where = depth, node
        for f in node._fields:
            child = getattr(node, f)
            if isinstance(child, (A.Node, list, tuple)):
                stack.append((child, depth + 1))
    return best, where


def check_depth(program: A.Program, limit: int | None) -> None:
    if not limit:
        return
    depth, node = deepest(program)
    if depth > limit:
        raise IloParseError(
            DEPTH_CODE, f"the program nests {depth} levels deep, more than --max-ast-depth {limit}",
            span=getattr(node, "span", None),
            hint="bind intermediate results to names instead of nesting; "
                 "raise --max-ast-depth only if the nesting is intended")
