"""The ctypes boundary between native code and the fallback engine.

Calls in: a native function is wrapped as ``fn(args_list)`` and put in the
fallback engine's ``native_functions``; the wrapper checks the argument
kinds (anything else runs the function on the fallback engine), keeps the
call depth shared, and turns the error id native code left in ``ilo_err``
into the same IloRuntimeError the tree engine raises.

Calls out: two process-wide ``CFUNCTYPE`` trampolines (print, call a
fallback function) dispatch to the runtime of the innermost native call.
CFUNCTYPE, not PYFUNCTYPE: every native call releases the GIL, so the
guard's watchdog thread can run while a native loop spins.
"""

from __future__ import annotations

import ctypes
import os

from ilo.diagnostics.errors import IloRuntimeError
from ilo.engines.jit.boxing import FALSE, TRUE, Unboxable, box, unbox
from ilo.engines.jit.lists import HEADER_WORDS, MIN_CAP
from ilo.engines.jit.lowering import L, N
from ilo.engines.jit.module import (CALL_SYMBOL, OOM_SYMBOL, POLL_SYMBOL, PRINT_LIST_SYMBOL,
                                    PRINT_SYMBOL)
from ilo.runtime import builtins as B
from ilo.runtime.values import display, type_name

_current = None          # the NativeRuntime of the innermost native call
_DATA = 8 * HEADER_WORDS


class ListArg(ctypes.Structure):
    """A native list value: buffer and length (two registers in the C ABI)."""
    _fields_ = [("buf", ctypes.c_void_p), ("len", ctypes.c_int64)]


class NativeRuntime:
    def __init__(self, engine, ctx, code, max_depth: int):
        self.engine = engine
        self.err = ctypes.c_int32.from_address(code.global_address("ilo_err"))
        self.depth = ctypes.c_int32.from_address(code.global_address("ilo_depth"))
        self.sites = ctx.sites
        self.stmt_spans = ctx.stmt_spans
        self.text_ids = dict(ctx.texts)
        self.texts = sorted(ctx.texts, key=ctx.texts.get)
        functions = ctx.program.functions
        self.callees = [_callee(functions, key, engine) for key in sorted(ctx.callees, key=ctx.callees.get)]
        self.max_depth = max_depth
        self.pending = None
        self.code = code
        self.err_a = ctypes.c_int64.from_address(code.global_address("ilo_err_a"))
        self.err_b = ctypes.c_int64.from_address(code.global_address("ilo_err_b"))
        self.arena = ctypes.c_void_p.from_address(code.global_address("ilo_arena"))
        self.alloc = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int64)(code.function_address("ilo_list_alloc"))
        self.release = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(code.function_address("ilo_arena_release"))

    # ---- errors ----
    def fail(self, exc: BaseException, stmt: int) -> None:
        if isinstance(exc, IloRuntimeError) and exc.span is None and stmt >= 0:
            exc.span = self.stmt_spans[stmt]
        self.pending = exc
        self.err.value = -1

    def raise_error(self):
        site_id = self.err.value
        self.err.value = 0
        if site_id < 0:
            exc, self.pending = self.pending, None
            raise exc
        site = self.sites[site_id - 1]
        if site.python_error is not None:
            raise site.python_error(site.message)
        message = site.message.replace("{a}", str(self.err_a.value)).replace("{b}", str(self.err_b.value))
        raise IloRuntimeError(site.code, message, hint=site.hint, span=site.span)

    # ---- lists ----
    def to_native(self, xs: list) -> ListArg:
        n = len(xs)
        buf = self.alloc(max(n, MIN_CAP))
        if n:
            ctypes.memmove(buf + _DATA, (ctypes.c_double * n)(*xs), 8 * n)
        ctypes.c_int64.from_address(buf + 8).value = n
        return ListArg(buf, n)

    @staticmethod
    def from_native(lst: ListArg) -> list:
        return list((ctypes.c_double * lst.len).from_address(lst.buf + _DATA)) if lst.len else []

    # ---- calls in ----
    def wrap(self, decl, address: int, param_kinds, result_kinds):
        """``fn(args)`` for the fallback engine's ``native_functions``."""
        nparams = len(decl.params)
        lists = L in param_kinds or result_kinds == L
        cfunc = ctypes.CFUNCTYPE(ListArg if result_kinds == L else ctypes.c_double,
                                 *[ListArg if k == L else ctypes.c_double for k in param_kinds])(address)
        wanted = tuple(float if k == N else list if k == L else bool for k in param_kinds)
        engine = self.engine
        texts = self.texts
        numeric = result_kinds == N

        def fits(a, t):
            return type(a) is t and (t is not list or all(type(x) is float for x in a))

        def native(args):
            global _current
            if len(args) != nparams or not all(fits(a, t) for a, t in zip(args, wanted)):
                return run_on_fallback(engine, decl.name, args)   # the fallback runs it (or reports)
            d = engine.depth
            if d >= self.max_depth:
                return run_on_fallback(engine, decl.name, args)   # raises the same ILO-R604
            outer, _current = _current, self
            saved = self.depth.value
            mark = self.arena.value
            self.depth.value = engine.depth = d + 1
            try:
                r = cfunc(*[a if type(a) is float else self.to_native(a) if type(a) is list
                            else (TRUE if a else FALSE) for a in args])
                if self.err.value:
                    self.raise_error()
                if lists and result_kinds == L:
                    return self.from_native(r)
            finally:
                if lists:
                    self.release(mark)
                self.depth.value = saved
                engine.depth = d
                _current = outer
            return r if numeric else unbox(r, texts)

        native.__name__ = f"native_{decl.name}"
        return native

    # ---- calls out ----
    def call_fallback(self, callee: int, stmt: int, argv) -> float:
        name, nparams, want, run = self.callees[callee]
        args = [unbox(argv[i], self.texts) for i in range(nparams)]
        engine = self.engine
        saved = engine.depth
        engine.depth = self.depth.value
        try:
            result = run(args)
        finally:
            engine.depth = saved
        if type(result) is not want:
            raise IloRuntimeError("ILO-R004", f"'{name}' returned {type_name(result)}, "
                                  f"declared {'n' if want is float else 'b'}",
                                  hint="make the function return its declared type on every path")
        return box(result, self.text_ids)

    def print_value(self, x: float) -> None:
        self.engine.write_stdout(display(unbox(x, self.texts)) + "\n")


def run_on_fallback(engine, name: str, args: list):
    """Call ``name`` on the fallback engine itself, its native version set aside meanwhile."""
    natives = engine.native_functions
    mine = natives.pop(name)
    try:
        return engine.call_named(name, args)
    finally:
        natives[name] = mine


def _callee(functions, key, engine):
    """(name, arity, Python type of the result, fn(args)) for a call-out id."""
    if isinstance(key, tuple):
        _, name, nargs = key
        spec = B.lookup(name)
        return name, nargs, float if spec.ret == "n" else bool, \
            lambda args: B.call(name, engine, args)
    decl = functions[key]
    return key, len(decl.params), float if decl.ret[0] == "n" else bool, \
        lambda args: engine.call(key, args)


@ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_double)
def _print_trampoline(x):
    rt = _current
    try:
        rt.print_value(x)
        return 0
    except BaseException as exc:  # noqa: BLE001 -- carried across the native frames, re-raised
        rt.fail(exc, -1)
        return 1


@ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_int64)
def _print_list_trampoline(buf, n):
    rt = _current
    try:
        rt.engine.write_stdout(display(rt.from_native(ListArg(buf, n))) + "\n")
        return 0
    except BaseException as exc:  # noqa: BLE001 -- carried across the native frames, re-raised
        rt.fail(exc, -1)
        return 1


@ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(ctypes.c_double))
def _call_trampoline(callee, stmt, argv):
    rt = _current
    try:
        return rt.call_fallback(callee, stmt, argv)
    except BaseException as exc:  # noqa: BLE001 -- re-raised by the wrapper
        if isinstance(exc, Unboxable):
            exc = IloRuntimeError("ILO-R004", "a value native code cannot hold came back from a call")
        rt.fail(exc, stmt)
        return 0.0


@ctypes.CFUNCTYPE(ctypes.c_int32)
def _poll_trampoline():
    # Entering Python runs the signal handlers that are pending (the guard's
    # SIGALRM tick); a stop they raise unwinds the native frames.
    try:
        _poll()
        return 0
    except BaseException as exc:  # noqa: BLE001 -- re-raised by the wrapper
        _current.fail(exc, -1)
        return 1


def _poll():
    return None


@ctypes.CFUNCTYPE(None)
def _oom_trampoline():
    # a native allocation failed at the hard data limit: end the run with
    # ILO-R602 (the one exit path); native code cannot go on without memory
    from ilo import runtime_guard
    runtime_guard.memory_exhausted()
    os._exit(1)


SYMBOLS = {
    PRINT_LIST_SYMBOL: ctypes.cast(_print_list_trampoline, ctypes.c_void_p).value,
    POLL_SYMBOL: ctypes.cast(_poll_trampoline, ctypes.c_void_p).value,
    OOM_SYMBOL: ctypes.cast(_oom_trampoline, ctypes.c_void_p).value,
    PRINT_SYMBOL: ctypes.cast(_print_trampoline, ctypes.c_void_p).value,
    CALL_SYMBOL: ctypes.cast(_call_trampoline, ctypes.c_void_p).value,
}
