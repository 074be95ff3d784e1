"""``ilo graph FILE [--fn NAME] [--reverse] [--dot]``: who calls whom.

Nodes are the program's functions and tools; an edge ``f -> g`` means the
body of ``f`` calls ``g`` or passes it as a value. Calls made inside an
inline lambda count for the function the lambda is written in. The program
is parsed (bounded by ``--max-ast-depth``) but not verified or run.
"""

from __future__ import annotations

import json
from collections import deque

from ilo import sink
from ilo.cli.args import Options, command_args, expect_positionals, max_ast_depth
from ilo.diagnostics.errors import IloError, IloUsageError
from ilo.syntax import ast as A

OWN_FLAGS = {"--fn": True, "--reverse": False, "--dot": False}


def main(args: list[str], opts: Options) -> int:
    from ilo import api
    from ilo.cli.main import read_program, report

    positional, own = command_args(args, opts, "graph", OWN_FLAGS)
    expect_positionals(positional, "graph", "FILE", 1, 1)
    if own.get("--reverse") and "--fn" not in own:
        raise IloUsageError("ILO-U001", "--reverse needs --fn NAME",
                            hint="e.g. ilo graph prog.ilo --fn helper --reverse")
    source, filename = read_program(positional[0])
    try:
        program = api.load_program(source, filename, check=False, max_depth=max_ast_depth(opts))
    except IloError as err:
        return report(err, opts, source)
    calls = call_graph(program)
    focus = own.get("--fn")
    if focus is not None:
        if focus not in calls:
            raise IloUsageError("ILO-U005", f"no function named '{focus}'",
                                hint="functions: " + ", ".join(calls))
        edges = callers(calls) if own.get("--reverse") else calls
        keep = reachable(edges, focus)
        calls = {f: [g for g in calls[f] if g in keep] for f in calls if f in keep}
    if own.get("--dot"):
        sink.write_report(to_dot(calls))
    elif opts.explicit_json:
        sink.write_report(json.dumps(to_json(calls, focus, bool(own.get("--reverse"))),
                                     separators=(",", ":")) + "\n")
    else:
        sink.write_report("".join(f"{f} -> {', '.join(gs)}\n" if gs else f"{f}\n"
                                  for f, gs in calls.items()))
    return 0


def call_graph(program: A.Program) -> dict[str, list[str]]:
    """function or tool -> the functions and tools it uses, in first-use order."""
    fns = program.functions
    names = [d.name for d in program.decls if isinstance(d, (A.FnDecl, A.ToolDecl))
             and not getattr(d, "lifted", False)]
    known = set(names)
    direct = {name: uses(decl.body) for name, decl in fns.items()}
    out: dict[str, list[str]] = {}
    for name in names:
        seen: list[str] = []
        pending, visited = deque(direct.get(name, [])), {name}
        while pending:
            g = pending.popleft()
            if g in fns and fns[g].lifted:
                if g not in visited:
                    visited.add(g)
                    pending.extend(direct[g])
            elif g in known and g not in seen:
                seen.append(g)
        out[name] = seen
    return out


def uses(body) -> list[str]:
    """Names called, referenced or closed over anywhere in ``body`` (iterative walk)."""
    found: list[str] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, A.Node):
            continue
        if isinstance(node, A.Call):
            found.append(node.name)
        elif isinstance(node, A.Ref):
            found.append(node.name)
        elif isinstance(node, A.MakeClosure):
            found.append(node.fn_name)
        for f in reversed(node._fields):
            child = getattr(node, f)
            if isinstance(child, (A.Node, list, tuple)):
                stack.append(child)
    return found


def callers(calls: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {f: [] for f in calls}
    for f, gs in calls.items():
        for g in gs:
            out[g].append(f)
    return out


def reachable(edges: dict[str, list[str]], start: str) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for g in edges[stack.pop()]:
            if g not in seen:
                seen.add(g)
                stack.append(g)
    return seen


def to_json(calls: dict[str, list[str]], focus: str | None, reverse: bool) -> dict:
    back = callers(calls)
    return {"root": focus, "reverse": reverse,
            "functions": [{"name": f, "calls": gs, "called_by": back[f]} for f, gs in calls.items()],
            "edges": [[f, g] for f, gs in calls.items() for g in gs]}


def to_dot(calls: dict[str, list[str]]) -> str:
    lines = ["digraph ilo {"]
    for f, gs in calls.items():
        lines.append(f'  "{f}";')
        lines += [f'  "{f}" -> "{g}";' for g in gs]
    return "\n".join(lines) + "\n}\n"
