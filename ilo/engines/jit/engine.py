"""``--engine jit``: native code for numeric functions, the fallback engine for the rest.

The fallback engine (the VM when it is importable, else the tree engine)
runs the program; native functions are registered in its
``native_functions``, so every call to them, from the entry point or from
fallback code, goes through native code, and native code calls fallback
functions back through :mod:`bridge`.

What the fallback engine must offer (the tree engine does; the VM must too):
``native_functions`` (consulted on every call of a user function),
``depth`` (the shared call depth, read and written around native calls),
``call_named(name, args)`` (with the function's native version set aside:
wrong argument kinds, or the depth error), ``call(name, args)``,
``write_stdout``, ``functions`` and ``run``. The VM of /work/wt-vm has all of
them.

``ILO_JIT_REPORT=1`` (or ``--jit-report``) prints one stderr line per
function: native, or fallback and why. ``ILO_JIT_DUMP=1`` prints the IR
before and after optimisation.
"""

from __future__ import annotations

import os

from ilo import sink
from ilo.engines.jit import bridge
from ilo.engines.jit.module import declared_kinds
from ilo.engines.jit.planner import plan


def NativeCode(ir_text: str, symbols: dict):  # noqa: N802 -- stands for the driver's class
    """Compile: LLVM itself (llvmlite.binding, the slow import) loads only when there is code."""
    from ilo.engines.jit.driver import NativeCode as compiled

    return compiled(ir_text, symbols)


def fallback_engine_class():
    try:
        from ilo.engines.vm import VMEngine
    except ImportError:
        from ilo.engines.tree import TreeEngine

        return TreeEngine
    return VMEngine


class JitEngine:
    name = "jit"

    def __init__(self, program, tools=None, report: bool = False):
        self.fallback = fallback_engine_class()(program, tools=tools)
        self.fallback.name = "jit"
        from ilo.engines.tree import MAX_DEPTH

        self.plan = plan(program, MAX_DEPTH)
        self.native_names: list[str] = []
        if self.plan.ctx is not None:
            try:
                self._load(self.plan, MAX_DEPTH)
            except Exception as exc:  # noqa: BLE001 -- LLVM refusing our IR costs speed, never the run
                why = f"LLVM rejected the module: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                self.plan.reasons.update({name: why for name in self.plan.ctx.native})
                self.native_names = []
                self.fallback.native_functions = {}
        if report or os.environ.get("ILO_JIT_REPORT"):
            sink.write_stderr(self.report())

    def _load(self, p, max_depth):
        ctx = p.ctx
        ir_text = str(ctx.module)
        code = NativeCode(ir_text, bridge.SYMBOLS)
        if os.environ.get("ILO_JIT_DUMP"):
            sink.write_stderr(f"; ---- ilo jit: IR\n{ir_text}\n; ---- optimised\n{code.optimized_ir}\n")
        runtime = bridge.NativeRuntime(self.fallback, ctx, code, max_depth)
        natives = {}
        for name, decl in ctx.native.items():
            params = [declared_kinds(p.type) for p in decl.params]
            address = code.function_address(ctx.symbols[name])
            natives[name] = runtime.wrap(decl, address, params, p.result_kinds[name])
        self.runtime = runtime
        self.native_names = list(natives)
        self.fallback.native_functions = natives

    def report(self) -> str:
        lines = []
        for name in self.fallback.functions:
            if name in self.native_names:
                lines.append(f"jit: {name}: native\n")
            else:
                lines.append(f"jit: {name}: fallback ({self.plan.reasons.get(name, 'not compiled')})\n")
        return "".join(lines)

    def run(self, name: str, args: list):
        return self.fallback.run(name, args)

    def __getattr__(self, attr):
        return getattr(self.fallback, attr)
