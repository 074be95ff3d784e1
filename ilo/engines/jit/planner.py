"""Decide which functions compile natively, and what kinds each returns.

Kind inference runs by compiling: every candidate is lowered with the
current guess of each function's result kinds (its declared ``n``/``b`` to
start); a function whose lowering raises Unsupported leaves the set with its
reason, a result that differs from the guess updates the guess, and the
round repeats until nothing changes. Rounds are cheap (IR building only).
"""

from __future__ import annotations

from ilo.engines.jit.codegen import FunctionCodegen
from ilo.engines.jit.lowering import Unsupported
from ilo.engines.jit.module import ModuleContext, declared_kinds

ANY = frozenset({"n", "b", "nil", "t"})
MAX_ROUNDS = 8


class Plan:
    def __init__(self, ctx, result_kinds: dict, reasons: dict):
        self.ctx = ctx                    # ModuleContext of the final round (None: nothing native)
        self.result_kinds = result_kinds  # native name -> kinds
        self.reasons = reasons            # fallback name -> why


def plan(program, max_depth: int) -> Plan:
    native = dict(program.functions)
    reasons: dict[str, str] = {}
    guess = {name: declared_kinds(d.ret) or ANY for name, d in native.items()}
    for _ in range(MAX_ROUNDS):
        if not native:
            break
        ctx = ModuleContext(program, native, guess, max_depth)
        computed, failed = {}, {}
        for name, decl in native.items():
            try:
                computed[name] = FunctionCodegen(ctx, decl).build()
            except Unsupported as why:
                failed[name] = str(why)
            except RecursionError:
                failed[name] = "nested too deeply to compile"
            except Exception as exc:  # noqa: BLE001 -- a codegen bug costs speed, never the run
                failed[name] = f"internal codegen error: {type(exc).__name__}: {exc}"
        if failed:
            reasons.update(failed)
            native = {n: d for n, d in native.items() if n not in failed}
            continue
        if all(computed[n] == guess[n] for n in native):
            return Plan(ctx, computed, reasons)
        guess = {**guess, **computed}
    for name in native:
        reasons.setdefault(name, "result kinds did not settle")
    return Plan(None, {}, reasons)
