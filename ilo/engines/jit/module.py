"""State shared by every function of one native module: globals, callbacks, tables.

The tables (error sites, statement spans, text literals, fallback callees)
are indexed by small integers baked into the code; the bridge uses them to
turn an error id into the same IloRuntimeError the tree engine raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from llvmlite import ir

from ilo.engines.jit.lowering import DOUBLE, I32, I64, LIST, L, N, B

PTR = ir.PointerType()
PRINT_SYMBOL = "ilo_cb_print"
CALL_SYMBOL = "ilo_cb_call"
POLL_SYMBOL = "ilo_cb_poll"
OOM_SYMBOL = "ilo_cb_out_of_memory"
PRINT_LIST_SYMBOL = "ilo_cb_print_list"


@dataclass(frozen=True)
class ErrorSite:
    code: str
    message: str
    hint: str | None
    span: object
    python_error: type | None = None     # raise this Python exception instead (tree parity)
    # ``{a}``/``{b}`` in the message are filled from ilo_err_a/ilo_err_b (run-time integers)


def symbol(index: int) -> str:
    return f"ilo_fn{index}"


def declared_kinds(t):
    """The kinds a declared type admits natively: n, b, ``L n``; None for anything else."""
    if not t:
        return None
    if t[0] == "L":
        return L if t[1] is not None and t[1][0] == "n" else None
    return {"n": N, "b": B}.get(t[0])


def abi_type(kinds):
    return LIST if kinds == L else DOUBLE


class ModuleContext:
    """One LLVM module under construction for a set of native candidates."""

    def __init__(self, program, native: dict, result_kinds: dict, max_depth: int):
        self.program = program
        self.native = native                  # name -> FnDecl compiled here
        self.result_kinds = result_kinds      # name -> frozenset of kinds it may return
        self.max_depth = max_depth
        self.module = ir.Module(name="ilo")
        self.err = self._global("ilo_err")
        self.depth = self._global("ilo_depth")
        self.err_a = self._global("ilo_err_a", I64)
        self.err_b = self._global("ilo_err_b", I64)
        self.print_fn = ir.Function(self.module, ir.FunctionType(I32, [DOUBLE]), PRINT_SYMBOL)
        self.call_fn = ir.Function(self.module, ir.FunctionType(DOUBLE, [I32, I32, PTR]), CALL_SYMBOL)
        self.poll_fn = ir.Function(self.module, ir.FunctionType(I32, []), POLL_SYMBOL)
        self.print_list_fn = ir.Function(self.module, ir.FunctionType(I32, [PTR, I64]), PRINT_LIST_SYMBOL)
        self.functions = {}
        self.symbols = {}
        for i, (name, decl) in enumerate(native.items()):
            params = [abi_type(declared_kinds(p.type)) for p in decl.params]
            fnty = ir.FunctionType(abi_type(result_kinds[name]), params)
            self.symbols[name] = symbol(i)
            self.functions[name] = ir.Function(self.module, fnty, symbol(i))
        self.sites: list[ErrorSite] = []
        self.stmt_spans: list = []
        self.texts: dict[str, int] = {}
        self.callees: dict[str, int] = {}
        from ilo.engines.jit.lists import emit_runtime

        emit_runtime(self)

    def _global(self, name, ty=I32):
        g = ir.GlobalVariable(self.module, ty, name)
        g.initializer = ir.Constant(ty, 0)
        return g

    def site(self, code, message, hint=None, span=None, python_error=None) -> int:
        self.sites.append(ErrorSite(code, message, hint, span, python_error))
        return len(self.sites)                # 0 means "no error"

    def stmt_id(self, span) -> int:
        self.stmt_spans.append(span)
        return len(self.stmt_spans) - 1

    def text_id(self, text: str) -> int:
        return self.texts.setdefault(text, len(self.texts))

    def callee_id(self, name: str) -> int:
        return self.callees.setdefault(name, len(self.callees))
