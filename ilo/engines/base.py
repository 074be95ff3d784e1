"""What every engine shares: the builtin context protocol and name dispatch."""

from __future__ import annotations

import sys

from ilo import sink
from ilo.diagnostics.errors import IloRuntimeError
from ilo.runtime import builtins as B
from ilo.runtime.values import FnVal, Ok, type_name


def program_frames():
    """The Python frames of the running program, innermost first: the caller's
    own stack when the guard asks from the main thread (its SIGALRM handler
    or a print), the main thread's when it asks from a watchdog thread."""
    import threading

    if threading.current_thread() is threading.main_thread():
        f = sys._getframe(2)
    else:
        f = sys._current_frames().get(threading.main_thread().ident)
    while f is not None:
        yield f
        f = f.f_back


class EngineBase:
    """Subclasses define ``call_function(name, args)`` for the program's own functions."""

    def __init__(self, program, tools=None):
        self.program = program
        self.functions = program.functions
        self.tool_decls = program.tools
        self.record_types = program.types
        self.tools = tools
        self.depth = 0

    def field_names(self) -> set:
        """Every field name of the program's record types (cached)."""
        cached = getattr(self, "_field_names", None)
        if cached is None:
            cached = self._field_names = {f.name for t in self.record_types.values() for f in t.fields}
        return cached

    def call(self, fn, args: list):
        """Call a function value (used by higher-order builtins)."""
        if isinstance(fn, FnVal):
            return self.call_named(fn.name, list(args) + list(fn.captures))
        if isinstance(fn, str) and (fn in self.functions or B.lookup(fn)):
            return self.call_named(fn, list(args))
        raise IloRuntimeError("ILO-R009", f"expected a function, got {type_name(fn)}",
                              hint="pass a function name or an inline lambda like (x:n>n;*x 2)")

    def write_stdout(self, text: str) -> None:
        sink.write_stdout(text)

    def call_named(self, name: str, args: list):
        if name in self.functions:
            return self.call_function(name, args)
        tool = self.tool_decls.get(name)
        if tool is not None:
            return self.call_tool(tool, args)
        if B.lookup(name) is not None:
            return B.call(name, self, args)
        raise IloRuntimeError("ILO-R002", f"undefined function '{name}'")

    def call_tool(self, tool, args):
        if self.tools is None:
            return Ok(None)
        return self.tools.call(tool, args)
