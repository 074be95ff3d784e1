"""Python API: the one pipeline source -> parse -> imports -> checks -> engine.

The CLI, ``ilo test`` and ``ilo serv`` all load and run programs
through these functions, so every front door behaves alike.
"""

from __future__ import annotations

import sys

from ilo.diagnostics.errors import IloParseError, IloUsageError
from ilo.syntax import ast as A
from ilo.syntax.parser import parse

ENGINES = ("tree", "vm", "jit")

# The front end, the engines and value printing recurse over the program's
# nesting. Some of those paths pass through C (join, list), so the limit must
# stay well inside an 8 MiB native stack: 30000 frames was measured safe,
# 50000 crashed. Deeper programs end in ILO-R604 / ILO-P003 instead.
STACK_LIMIT = 30000
sys.setrecursionlimit(STACK_LIMIT)


def load_program(source: str, filename: str | None = None, *, check: bool = True,
                 max_depth: int | None = None) -> A.Program:
    """Parse ``source``, resolve ``use`` imports, and run the static checks;
    ``max_depth`` (``--max-ast-depth``) refuses deeper trees before any check."""
    try:
        program = parse(source, filename)
        program = resolve_imports(program, filename, stack=())
        if max_depth:
            from ilo.syntax.depth import check_depth

            check_depth(program, max_depth)
        if check:
            from ilo.checks.verify import verify

            verify(program)
    except RecursionError:
        raise IloParseError("ILO-P003", "the program is nested too deeply to read",
                            hint="bind intermediate results to names instead of nesting "
                                 "thousands of levels deep") from None
    return program


def resolve_imports(program: A.Program, filename, stack) -> A.Program:
    uses = [d for d in program.decls if isinstance(d, A.UseDecl)]
    if not uses:
        return program
    from pathlib import Path

    decls = [d for d in program.decls if not isinstance(d, A.UseDecl)]
    if filename is None:
        raise IloParseError("ILO-P017", "`use` needs a file context; inline code cannot import",
                            span=uses[0].span, hint="put the program in a .ilo file and run that file")
    base = Path(filename).resolve().parent
    here = str(Path(filename).resolve())
    for use in uses:
        path = (base / use.path).resolve()
        if str(path) in stack or str(path) == here:
            raise IloParseError("ILO-P018", f"circular import of \"{use.path}\"", span=use.span,
                                hint="move the shared declarations into a third file both can use")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise IloParseError("ILO-P017", f"cannot read imported file \"{use.path}\"", span=use.span,
                                hint="paths are relative to the importing file") from None
        sub = resolve_imports(parse(text, str(path)), str(path), stack + (here,))
        wanted = sub.decls
        if use.names is not None:
            named = {getattr(d, "name", None): d for d in sub.decls}
            for n in use.names:
                if n not in named:
                    raise IloParseError("ILO-P019", f"\"{use.path}\" declares no `{n}`", span=use.span)
            keep = set(use.names)
            wanted = [d for d in sub.decls if getattr(d, "name", None) in keep
                      or (isinstance(d, A.FnDecl) and d.lifted)]
        decls.extend(wanted)
    return A.Program(decls, program.source, program.filename)


def make_engine(program: A.Program, engine: str = "tree", tools=None, *, jit_report: bool = False):
    """An engine whose runtime errors carry ``engine`` and ``elapsed_ms`` (whichever engine it is)."""
    from ilo.diagnostics.runtime_stamp import stamped_runs

    return stamped_runs(_build_engine(program, engine, tools, jit_report), engine)


def _build_engine(program: A.Program, engine: str, tools, jit_report: bool = False):
    if engine == "tree":
        from ilo.engines.tree import TreeEngine

        return TreeEngine(program, tools=tools)
    if engine == "vm":
        from ilo.engines.vm.engine import VMEngine

        return VMEngine(program, tools=tools)
    if engine == "jit":
        from ilo.engines.jit import JitEngine

        return JitEngine(program, tools=tools, report=jit_report)
    raise IloUsageError("ILO-U002", f"unknown engine '{engine}'", hint="engines: tree, vm, jit")


def available_engines() -> list[str]:
    """The engines built so far, in ENGINES order (one that answers ILO-U007
    is not)."""
    from ilo.diagnostics.errors import IloError

    program = load_program("main>n;1")
    found = []
    for name in ENGINES:
        try:
            make_engine(program, name)
        except IloError:
            continue
        found.append(name)
    return found


def run_source(source: str, func: str | None = None, args=(), *, engine: str = "tree",
               filename: str | None = None):
    """Convenience for embedding: parse, check and run; returns the ilo value."""
    program = load_program(source, filename)
    name = func or entry_function(program, None)
    return make_engine(program, engine).run(name, list(args))


def user_functions(program: A.Program) -> list[str]:
    return [d.name for d in program.decls if isinstance(d, A.FnDecl) and not d.lifted]


def entry_function(program: A.Program, explicit: str | None) -> str:
    names = user_functions(program)
    if explicit is not None:
        return explicit
    if "main" in names:
        return "main"
    if names:
        return names[0]
    raise IloUsageError("ILO-U005", "the program declares no function to run",
                        hint="declare one, e.g. `main>n;42`")
