"""Warnings: valid code whose value is silently thrown away.

ILO-T032: a ``fmt``/``fmt2`` text built and dropped (it does not print).
ILO-T033: ``+=``, ``mset`` or ``mdel`` whose new value is dropped: they
return a new list or map, they do not change the old one.
ILO-W003: ``fmt`` with a literal template whose ``{}`` count differs from
the values given: unfilled ``{}`` stay in the text and extra values are
dropped (upstream's behaviour, kept).
ILO-W002: ``x == 3`` at statement start: ``==`` lexes as ``=``, so it binds
(as upstream reads it) where a comparison was probably meant.

A value is dropped when its statement is not the last of a body whose value
flows out (a function, a branch in tail position, a match arm) — and always
inside a loop body, whose values are discarded each pass.

ILO-T029: statements after an unconditional ``ret``, ``brk`` or ``cnt`` in
the same block, which can never run.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloError
from ilo.syntax import ast as A


class IloWarning(IloError):
    severity = "warning"
    exit_code = 0


def find_warnings(program: A.Program) -> list[IloWarning]:
    out: list[IloWarning] = []
    for d in program.decls:
        if isinstance(d, A.FnDecl):
            _body(d.body, tail_ok=True, in_loop=False, out=out, fn=d.name, source=program.source or "")
    out.extend(_fmt_counts(program))
    return out


JUMPS = {A.Return: "ret", A.Break: "brk", A.Continue: "cnt"}


def _fmt_counts(program: A.Program) -> list[IloWarning]:
    from ilo.checks.hints import program_nodes

    found = []
    for node in program_nodes(program):
        if not (isinstance(node, A.Call) and node.name in ("fmt", "format") and node.args
                and isinstance(node.args[0], A.Lit) and isinstance(node.args[0].value, str)):
            continue
        slots, given = node.args[0].value.count("{}"), len(node.args) - 1
        if slots != given:
            what = "stay in the text as `{}`" if slots > given else "are dropped"
            found.append(IloWarning(
                "ILO-W003", f"`fmt` template has {slots} `{{}}` but {given} value"
                f"{' follows' if given == 1 else 's follow'}: "
                f"the extra {'placeholders' if slots > given else 'values'} {what}", span=node.span,
                hint="give one value per `{}` (wrap a call in parentheses: `fmt \"{} {}\" a (f b)`)"))
    found.sort(key=lambda w: w.span.start if w.span else 0)
    return found


def _body(stmts, tail_ok: bool, in_loop: bool, out: list, fn: str, source: str = "") -> None:
    for i, st in enumerate(stmts):
        if type(st) in JUMPS and i + 1 < len(stmts):
            out.append(IloWarning("ILO-T029", f"unreachable code after `{JUMPS[type(st)]}`",
                                  span=stmts[i + 1].span, hint="delete it, or move it before the jump",
                                  notes=[f"in function '{fn}'"]))
        tail = tail_ok and not in_loop and i == len(stmts) - 1
        if isinstance(st, A.Let):
            _double_equals(st, source, out, fn)
        if isinstance(st, A.ExprS) and not tail:
            _dropped(st.expr, st.span, out, fn)
        if isinstance(st, (A.ForEach, A.ForRange, A.While)):
            _body(st.body, False, True, out, fn, source)
        elif isinstance(st, A.Guard):
            _body(st.body, tail or st.braceless, in_loop, out, fn, source)
            if st.else_body:
                _body(st.else_body, tail, in_loop, out, fn, source)
        elif isinstance(st, A.MatchS):
            for arm in st.arms:
                _body(arm.body, tail, in_loop, out, fn, source)


def _dropped(e, span, out: list, fn: str) -> None:
    note = [f"in function '{fn}'"]
    if isinstance(e, A.Call) and e.name in ("fmt", "fmt2") and not e.unwrap:
        out.append(IloWarning("ILO-T032", f"the text built by `{e.name}` is thrown away", span=span,
                              hint=f"`{e.name}` does not print: use `prnt {e.name} ...`, or bind it: "
                                   f"`s={e.name} ...`", notes=note))
    elif (isinstance(e, A.BinOp) and e.op == "+=") or (isinstance(e, A.Call) and e.name in ("mset", "mdel")):
        what = "+=" if isinstance(e, A.BinOp) else e.name
        target = e.left if isinstance(e, A.BinOp) else (e.args[0] if e.args else None)
        name = target.name if isinstance(target, A.Ref) else "x"
        fix = f"{name}=+={name} v" if what == "+=" else f"{name}={what} {name} ..."
        out.append(IloWarning("ILO-T033", f"the new value from `{what}` is thrown away", span=span,
                              hint=f"`{what}` returns a new value and leaves the old one as it was: "
                                   f"rebind it, `{fix}`", notes=note))


def _double_equals(st, source: str, out: list, fn: str) -> None:
    """`x == 3` as a statement binds x (upstream's reading): warn and show the comparison."""
    if st.span is None:
        return
    after = source[st.span.start + len(st.name):st.span.end].lstrip()
    if not after.startswith("=="):
        return
    rhs = after[2:].strip() or "v"
    out.append(IloWarning("ILO-W002", f"`{st.name} == ...` at the start of a statement binds `{st.name}`, "
                          "it does not compare", span=st.span, notes=[f"in function '{fn}'"],
                          hint=f"`==` reads as `=` here; to compare write `={st.name} {rhs}`, "
                               f"to bind write `{st.name}={rhs}`"))
