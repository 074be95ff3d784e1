"""Records that are only ever read field by field: one register per field.

``p=pt x:i y:yv;s=+s +p.x p.y`` needs no record at all. When a local is
bound exactly once, to a record literal, and every later use of it is a
read of one of that literal's fields, the compiler keeps each field in a
register of its own: building the record is a few moves and ``p.x`` is
that register (scalar replacement). Nothing can tell the difference: the
record is never passed, returned, compared, printed or captured.

Conservative on purpose: every use must sit in the statements after the
binding in the same statement list (so the binding always ran first, on
every engine's reading of scopes), and the name may have no other binder
anywhere in the function.
"""

from __future__ import annotations

from ilo.engines.vm.expressions import _walk as _nodes
from ilo.syntax import ast as A


def scalar_records(body: list) -> set[str]:
    """Names in this function body that the compiler may keep as fields."""
    binders: dict[str, int] = {}
    refs: dict[str, int] = {}
    called = set()
    for node in _nodes(body):
        for name in _bound_names(node):
            binders[name] = binders.get(name, 0) + 1
        if type(node) is A.Ref:
            refs[node.name] = refs.get(node.name, 0) + 1
        elif type(node) is A.Call:
            called.add(node.name)
    found = set()
    for stmts, k, let in _lets(body):
        name = let.name
        if type(let.value) is not A.RecordE or binders.get(name) != 1 or name in called:
            continue
        fields = {f for f, _ in let.value.fields}
        reads = [n for n in _nodes(stmts[k + 1:])
                 if type(n) is A.Field and type(n.obj) is A.Ref and n.obj.name == name]
        if all(n.name in fields for n in reads) and refs.get(name, 0) == len(reads):
            found.add(name)
    return found


def _bound_names(node) -> tuple:
    t = type(node)
    if t in (A.Let, A.ForEach, A.ForRange, A.Param):
        return (node.name,)
    if t is A.Destructure:
        return tuple(node.names)
    if t is A.Pattern and node.binding:
        return (node.binding,)
    return ()


def _lets(x):
    """(statement list, index, Let) for every Let statement under x."""
    if isinstance(x, list):
        for k, y in enumerate(x):
            if type(y) is A.Let:
                yield x, k, y
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from _lets(y)
    elif isinstance(x, A.Node):
        for f in x._fields:
            yield from _lets(getattr(x, f))
