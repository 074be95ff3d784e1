"""Disassembler: each function's bytecode with its source lines (``ilo dis FILE.ilo``)."""

from __future__ import annotations

from ilo.engines.vm.opcodes import NAMES, jump_target
from ilo.runtime.values import display


def main(args: list[str]) -> int:
    """``ilo dis FILE.ilo [func...]``: compile (without running) and list."""
    from ilo import api, sink
    from ilo.cli.main import read_program
    from ilo.diagnostics.errors import IloUsageError
    from ilo.engines.vm.engine import VMEngine

    if not args:
        raise IloUsageError("ILO-U001", "dis needs a program", hint="e.g. `ilo dis prog.ilo`")
    source, filename = read_program(args[0])
    engine = VMEngine(api.load_program(source, filename))
    unknown = [n for n in args[1:] if n not in engine.codes]
    if unknown:
        raise IloUsageError("ILO-U005", f"no function named '{unknown[0]}'",
                            hint="functions: " + ", ".join(engine.codes))
    sink.write_report(disassemble(engine, args[1:]))
    return 0


def disassemble(engine, names=None) -> str:
    """Text listing of the compiled functions (all, or those named)."""
    source = engine.program.source or ""
    out = []
    for name, code in engine.codes.items():
        if names and name not in names:
            continue
        out.append(disassemble_code(code, source))
    return "\n".join(out)


def disassemble_code(code, source: str = "") -> str:
    source_lines = source.splitlines()
    params = ", ".join(p.name for p in code.decl.params)
    lines = [f"function {code.name}({params})  registers={code.nparams + len(code.tail)}"]
    names = code.slot_names
    targets = {jump_target(ins) for ins in code.instrs} - {None}
    last_line = None
    for pc, ins in enumerate(code.instrs):
        span = code.sites[pc][0]
        line = source.count("\n", 0, span.start) + 1 if span is not None and source else None
        if line is not None and line != last_line and 0 < line <= len(source_lines):
            lines.append(f"  -- line {line}: {source_lines[line - 1].strip()[:100]}")
            last_line = line
        mark = ">>" if pc in targets else "  "
        lines.append(f"  {mark}{pc:4d}  {NAMES[ins[0]]:<12} {_operands(ins, names)}")
    return "\n".join(lines) + "\n"


def _reg(r, names) -> str:
    n = names.get(r)
    return f"r{r}" if n is None else f"r{r}({n})"


def _operands(ins, names) -> str:
    op, a, b, c = ins
    name = NAMES[op]
    r = lambda x: _reg(x, names)  # noqa: E731
    if name == "JUMP":
        return f"-> {a}"
    if name in ("JF", "JT", "JNOTNIL"):
        return f"{r(a)} -> {b}"
    if name.startswith(("JF_", "JT_")):
        return f"{r(a)} {r(b)} -> {c}"
    if name in ("ADD", "SUB", "MUL", "DIV"):
        return f"{r(a)} = {r(b)}, {r(c)}"
    if name in ("ADD_SELF", "APPEND_SELF", "MOVE"):
        return f"{r(a)}, {r(b)}"
    if name.startswith("CALL"):
        args = c if isinstance(c, tuple) else (c,)
        return f"{r(a)} = {b.name}(" + ", ".join(r(x) for x in args) + ")"
    if name == "UNARY":
        return f"{r(a)} = {b.__name__}({r(c)})"
    if name.startswith("BUILTIN"):
        args = c if isinstance(c, tuple) else (c,)
        return f"{r(a)} = {b.__name__}(" + ", ".join(r(x) for x in args) + ")"
    if name.startswith("STEP_"):
        return f"{r(a)}, {r(b)}; {r(c[0])} {r(c[1])} -> {c[2]}"
    if name == "ARITH_CALL1":
        return f"{r(a)} = {b.name}({NAMES[c[0]]} {r(c[1])}, {r(c[2])})"
    if name == "EXT_APPEND":
        return f"{r(a)} += {b.__name__} {_ext_operand(c[1], names)}{_inline(b, names)}"
    if name == "EXT_SKIP":
        return f"{r(a)} = {b.__name__} {_ext_operand(c[1], names)}{_inline(b, names)}"
    if name == "ARITH_ACC":
        return f"{r(a)} += {NAMES[b]} {r(c[0])}, {r(c[1])}"
    if name == "ARITH_RET":
        return f"return {NAMES[a]} {r(b)}, {r(c)}"
    if name == "RET_IF":
        return f"{r(a)} {c[1]} {r(b)}: return {r(c[2])}"
    if name == "MOVE_IF":
        return f"{r(a)} {c[1]} {r(b)}: {r(c[2])}, {r(c[3])} -> {c[4]}"
    if name == "FIELD":
        return f"{r(a)} = {r(b)}.{c[0]}" + ("?" if c[1] else "")
    if name == "RET":
        return r(a)
    if name == "EXT":
        return f"{r(a)} = {b.__name__} {_ext_operand(c, names)}"
    if name == "FOR":
        return f"{r(a)} <- {r(b)} -> {c}"
    if name == "MSET_SELF":
        return f"{r(a)} [{r(b[0])}] = {r(b[1])}"
    if name == "UNWRAP":
        return f"{r(a)} = {r(b)}! ok -> {c}"
    if name == "MATCH":
        pat = c[0]
        text = pat.kind if pat.value is None else f"{pat.kind} {display(pat.value)}"
        bind = f" bind {r(a)}" if a >= 0 else ""
        return f"{r(b)} ~ {text}{bind} else -> {c[1]}"
    return f"{a} {b} {c}"


def _inline(builder, names) -> str:
    """The producers a fused builder computes inline (builders.fused)."""
    producers = getattr(builder, "producers", ())
    if not producers:
        return ""
    return " <- " + "; ".join(f"{NAMES[ins[0]]} {_operands(ins, names)}" for ins, _ in producers)


def _ext_operand(c, names) -> str:
    if isinstance(c, int):
        return _reg(c, names)
    if isinstance(c, tuple):
        return "(" + ", ".join(_ext_operand(x, names) if isinstance(x, (int, tuple)) and not
                               isinstance(x, bool) else repr(x) for x in c) + ")"
    return repr(c)
