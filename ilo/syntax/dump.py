"""``--ast``: the parsed program as plain JSON-able data."""

from __future__ import annotations

from ilo.syntax import ast as A


def to_json(node):
    if isinstance(node, A.Program):
        return {"declarations": [to_json(d) for d in node.decls]}
    if isinstance(node, A.Node):
        out = {"node": type(node).__name__}
        for f in node._fields:
            out[f] = to_json(getattr(node, f))
        if node.span is not None:
            out["span"] = [node.span.start, node.span.end]
        return out
    if isinstance(node, (list, tuple)):
        return [to_json(x) for x in node]
    return node
