"""Warnings: valid code whose value is silently thrown away.

ILO-T032: a ``fmt``/``fmt2`` text built and dropped (it does not print).
ILO-T033: ``+=``, ``mset`` or ``mdel`` whose new value is dropped: they
return a new list or map, they do not change the old one.

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
            _body(d.body, tail_ok=True, in_loop=False, out=out, fn=d.name)
    return out


JUMPS = {A.Return: "ret", A.Break: "brk", A.Continue: "cnt"}


def _body(stmts, tail_ok: bool, in_loop: bool, out: list, fn: str) -> None:
    for i, st in enumerate(stmts):
        if type(st) in JUMPS and i + 1 < len(stmts):
            out.append(IloWarning("ILO-T029", f"unreachable code after `{JUMPS[type(st)]}`",
                                  span=stmts[i + 1].span, hint="delete it, or move it before the jump",
                                  notes=[f"in function '{fn}'"]))
        tail = tail_ok and not in_loop and i == len(stmts) - 1
        if isinstance(st, A.ExprS) and not tail:
            _dropped(st.expr, st.span, out, fn)
        if isinstance(st, (A.ForEach, A.ForRange, A.While)):
            _body(st.body, False, True, out, fn)
        elif isinstance(st, A.Guard):
            _body(st.body, tail or st.braceless, in_loop, out, fn)
            if st.else_body:
                _body(st.else_body, tail, in_loop, out, fn)
        elif isinstance(st, A.MatchS):
            for arm in st.arms:
                _body(arm.body, tail, in_loop, out, fn)


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
