"""Run an entry function and apply the top-level output contract.

Ok values print bare on stdout (exit 0); Err values print ``^e`` on stderr
(exit 1); with ``--json`` the value is wrapped as ``{"ok": v}`` or
``{"error": ...}`` on stdout. A body ending in a loop (with no early return)
prints nothing for its tail value: the loop's own ``prnt`` output is the
program's output.
"""

from __future__ import annotations


from ilo import sink
from ilo.cli.args import diag_mode
from ilo.diagnostics.errors import IloError, IloRuntimeError
from ilo.runtime.values import Err, Ok, display
from ilo.syntax import ast as A


def execute(engine, program, name, values, opts, source, report) -> int:
    try:
        result = engine.run(name, values)
        try:
            emit_result(result, opts.explicit_json, suppress_tail(program, name))
        except RecursionError:
            raise IloRuntimeError("ILO-R604", "the result is nested too deeply to print",
                                  hint="flatten the value, or print a summary of it") from None
    except IloError as err:
        return report(err, opts, source)
    sink.flush()
    if isinstance(result, Err):
        return 1
    if not opts.no_hints:
        emit_hints(program, diag_mode(opts))
    return 0


def emit_hints(program, mode: str) -> None:
    from ilo.checks.hints import idiom_hints

    hints = idiom_hints(program)
    if not hints:
        return
    if mode == "json":
        import json

        sink.write_stderr(json.dumps({"hints": hints}, ensure_ascii=False) + "\n")
    else:
        sink.write_stderr("".join(f"hint: {h}\n" for h in hints))


def suppress_tail(program, name) -> bool:
    decl = program.functions.get(name)
    if decl is None or not decl.body:
        return False
    last = decl.body[-1]
    return isinstance(last, (A.ForEach, A.ForRange, A.While)) and not body_has_early_return(decl.body)


def emit_result(result, as_json: bool, suppress: bool) -> None:
    if as_json:
        import json

        from ilo.runtime.builtins.json_ import from_ilo

        if isinstance(result, Err):
            payload = {"error": {"phase": "program", "value": from_ilo(result.value)}}
        else:
            payload = {"ok": from_ilo(result.value if isinstance(result, Ok) else result)}
        sink.write_stdout(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    if isinstance(result, Err):
        sink.flush()
        sink.write_stderr(display(result) + "\n")
        return
    if suppress:
        return
    if isinstance(result, Ok):
        result = result.value
    sink.write_stdout(display(result) + "\n")


def body_has_early_return(stmts) -> bool:
    """Does the body return early anywhere (`ret`, a braceless guard)?"""
    for s in stmts:
        if isinstance(s, A.Return) or (isinstance(s, A.Guard) and s.braceless):
            return True
        for f in ("body", "else_body"):
            sub = getattr(s, f, None) if f in getattr(s, "_fields", ()) else None
            if sub and body_has_early_return(sub):
                return True
        if isinstance(s, A.MatchS) and any(body_has_early_return(a.body) for a in s.arms):
            return True
    return False
