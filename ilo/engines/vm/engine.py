"""VMEngine: the TreeEngine interface over compiled bytecode."""

from __future__ import annotations

from ilo import runtime_guard
from ilo.diagnostics.errors import IloRuntimeError
from ilo.engines.base import EngineBase, program_frames
from ilo.engines.vm.compiler import UNBOUND, Code, compile_function
from ilo.engines.vm.loop import MAX_DEPTH, depth_error, execute


class VMEngine(EngineBase):
    """Runs a checked program on the bytecode VM.

    ``native_functions`` maps a user function's name to a Python callable
    taking the argument list; when set (the JIT fills it), calls to that
    function run it instead of its bytecode.
    """

    name = "vm"
    unbound = UNBOUND

    def __init__(self, program, tools=None):
        super().__init__(program, tools)
        self.native_functions: dict = {}
        self.inlinable: dict = {}
        self.codes = {name: Code(name, decl) for name, decl in self.functions.items()}
        self.compiled_with: set = set()
        self.compile_all()

    def compile_all(self) -> None:
        """(Re)compile every function; functions with a native version are never inlined."""
        for code in self.codes.values():
            compile_function(self, code)
        self.compiled_with = set(self.native_functions)

    # ---- entry ----
    def run(self, name: str, args: list):
        runtime_guard.set_locator(locate, self.program.source)
        if self.compiled_with != set(self.native_functions):
            self.compile_all()
        self.depth = 0
        return self.call_named(name, list(args))

    def call_function(self, name: str, args: list):
        return self.call_code(self.codes[name], args)

    def call_code(self, code: Code, args: list):
        if len(args) != code.nparams:
            raise IloRuntimeError("ILO-R004", f"{code.name}: expected {code.nparams} args, got {len(args)}")
        depth = self.depth
        if depth >= MAX_DEPTH:
            raise depth_error(code.name)
        native = self.native_functions.get(code.name)
        if native is not None:
            return native(args)
        try:
            return execute(self, code, args + code.tail, depth + 1)
        finally:
            self.depth = depth


def frames():
    """(code, pc) of every VM call on this thread's stack, innermost first, and
    whether the innermost one is printing (the guard is asking from a print)."""
    printing = False
    out = []
    for f in program_frames():
        if f.f_code is execute.__code__:
            local = f.f_locals
            out.append((local["code"], local["pc"]))
            out.extend((code, pc) for code, _, pc, _ in reversed(local["calls"]))
        elif f.f_code.co_name == "write_stdout" and not out:
            printing = True
    return out, printing


def locate():
    """The span a guard stop names: the print that crossed the output cap, else
    the innermost loop running (the one that never ends), else the statement."""
    stack, printing = frames()
    if not stack:
        return None
    code, pc = stack[0]
    stmt, _loop, call = code.sites[max(pc - 1, 0)]
    if printing:
        return call or stmt
    for code, pc in stack:
        loop = code.sites[max(pc - 1, 0)][1]
        if loop is not None:
            return loop
    return stmt
