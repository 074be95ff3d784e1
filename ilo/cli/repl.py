"""``ilo repl``: an interactive session.

The session lives in this (parent) process as source text: the declarations
entered so far, and the entries that bound names. Each new entry is checked
here (parse and verify need no guard), then run in a supervised child under
the runtime guard, exactly like ``ilo run``: the child replays the earlier
binding entries with stdout muted, so their names have their values, and then
runs the new entry. A runaway entry is stopped (ILO-R016) and only that
child dies; the session goes on. Only entries that succeed are kept.

Replaying means an earlier binding entry's other effects (files written,
requests sent) happen again on each later entry; entries without a binding
are never replayed. The REPL uses the tree engine, which can resume a frame.
"""

from __future__ import annotations

import sys

from ilo import sink
from ilo.cli.args import Options, command_args, diag_mode, expect_positionals, max_ast_depth
from ilo.diagnostics.errors import IloError, Span
from ilo.diagnostics.render import render

ENTRY = "ilo-repl-entry"         # the synthetic function holding the session's statements
PROMPT, MORE = "ilo> ", "...> "
COMMANDS = """commands:
  :help    this text
  :defs    the declarations kept in this session
  :reset   forget every declaration and binding
  :quit    leave (also end of input, Ctrl-D)
"""


def main(args: list[str], opts: Options) -> int:
    positional, _ = command_args(args, opts, "repl")
    expect_positionals(positional, "repl", "", 0, 0)
    interactive = sys.stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass
        sink.write_report("ilo repl: declarations and bindings are kept; :help for commands\n")
    session = Session(opts)
    while True:
        entry = read_entry(interactive)
        if entry is None:
            break
        if entry.strip() in (":q", ":quit", ":exit"):
            break
        session.handle(entry.strip())
    sink.flush()
    return 0


def read_entry(interactive: bool) -> str | None:
    """One entry; lines are joined while brackets or braces are still open."""
    lines: list[str] = []
    while True:
        prompt = (MORE if lines else PROMPT) if interactive else ""
        try:
            line = input(prompt)
        except EOFError:
            if interactive:
                sink.write_report("\n")
            return "\n".join(lines) if lines else None
        except KeyboardInterrupt:
            sink.write_report("\n")
            lines = []
            continue
        lines.append(line)
        if open_brackets("\n".join(lines)) <= 0:
            return "\n".join(lines)


def open_brackets(text: str) -> int:
    from ilo.syntax.lexer import string_end

    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i = string_end(text, i)
            continue
        if text.startswith("--", i):
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        depth += (c in "([{") - (c in ")]}")
        i += 1
    return depth


class Session:
    def __init__(self, opts: Options):
        self.opts = opts
        self.mode = diag_mode(opts)
        self.decls: dict[tuple, str] = {}     # names declared -> their source
        self.bindings: list[str] = []         # entries that bound names, in order

    # ---- commands and classification ----
    def handle(self, entry: str) -> None:
        if not entry:
            return
        if entry.startswith(":"):
            self.command(entry)
            return
        names = declared_names(self.prelude(self.decls), entry)
        if names:
            self.declare(names, entry)
        else:
            self.run_entry(entry)
        sink.flush()

    def command(self, entry: str) -> None:
        if entry == ":help":
            sink.write_report(COMMANDS)
        elif entry == ":defs":
            sink.write_report("".join(src + "\n" for src in self.decls.values()))
        elif entry == ":reset":
            self.decls.clear()
            self.bindings.clear()
        else:
            sink.write_stderr(f"unknown command {entry}; :help lists them\n")

    # ---- the session as one program ----
    @staticmethod
    def prelude(decls: dict) -> str:
        return "".join(src + "\n" for src in decls.values())

    def source(self, decls: dict, statements: list[str]) -> tuple[str, int]:
        """(program text, offset where the last statement, indented, starts)."""
        head = self.prelude(decls) + f"{ENTRY}>_\n"
        body = "".join(indent(s) + "\n" for s in statements[:-1])
        return head + body + indent(statements[-1]) + "\n", len(head) + len(body)

    def load(self, decls: dict, statements: list[str], entry: str):
        from ilo import api

        text, offset = self.source(decls, statements)
        try:
            return api.load_program(text, None, max_depth=max_ast_depth(self.opts)), offset
        except IloError as err:
            self.report(err, entry, offset)
            return None, offset

    def declare(self, names: tuple, entry: str) -> None:
        decls = {k: v for k, v in self.decls.items() if not set(k) & set(names)}
        decls[names] = entry
        program, _ = self.load(decls, self.bindings + ["nil"], entry)
        if program is not None:
            self.decls = decls
            sink.write_report(f"defined {', '.join(names)}\n")

    def run_entry(self, entry: str) -> None:
        from ilo import runtime_guard, supervise
        from ilo.cli.args import guard_flags

        statements = self.bindings + [entry]
        program, offset = self.load(self.decls, statements, entry)
        if program is None:
            return
        body = program.functions[ENTRY].body
        before, _ = self.load(self.decls, self.bindings + ["nil"], entry)
        if before is None:
            return
        kept = len(before.functions[ENTRY].body) - 1
        replay, fresh = body[:kept], body[kept:]

        def child() -> int:
            return self.execute(program, replay, fresh, entry, offset)

        limits = runtime_guard.limits_from_flags(guard_flags(self.opts))
        code = supervise.run_guarded(child, limits, self.mode, "tree")
        if code == 0 and any(binds(st) for st in fresh):
            self.bindings.append(entry)
        elif code >= 128:
            sink.write_stderr("interrupted\n")

    def execute(self, program, replay, fresh, entry: str, offset: int) -> int:
        """In the guarded child: replay earlier bindings muted, run the entry, show its value."""
        from ilo.engines.tree import Frame, ReturnSignal, TreeEngine
        from ilo.runtime.values import Err, Ok, display
        from ilo.syntax import ast as A

        from ilo import runtime_guard

        runtime_guard.set_phase("run")
        engine = TreeEngine(program)
        frame = Frame({})
        try:
            engine.write_stdout = lambda text: None
            engine.exec_body(replay, frame)
            del engine.write_stdout
            try:
                value = engine.exec_body(fresh, frame)
            except ReturnSignal as r:
                value = r.value
        except IloError as err:
            self.report(err, entry, offset)
            return err.exit_code
        if isinstance(value, Err):
            sink.flush()
            sink.write_stderr(display(value) + "\n")
            return 1
        last = fresh[-1] if fresh else None
        if isinstance(last, A.ExprS) and not prints(last.expr):
            sink.write_stdout(display(value.value if isinstance(value, Ok) else value) + "\n")
        return 0

    def report(self, err: IloError, entry: str, offset: int) -> None:
        """Show the diagnostic against the entry as typed (carets under it)."""
        shown = indent(entry)
        err.notes = [n for n in err.notes if ENTRY not in n]
        span = err.span
        if span is not None and offset <= span.start <= offset + len(shown):
            err.span = Span(span.start - offset, max(span.start, span.end) - offset)
        else:
            err.span = None
        sink.flush()
        sink.write_stderr(render(err, self.mode, shown) + "\n")


def indent(statement: str) -> str:
    return "  " + statement.replace("\n", "\n  ")


def declared_names(prelude: str, entry: str) -> tuple:
    """The names an entry declares, or () when it is statements to run.
    Read after the session's declarations, whose arities shape the parse."""
    from ilo.syntax import ast as A
    from ilo.syntax.parser import parse

    try:
        program = parse(prelude + entry + "\n")
    except (IloError, RecursionError):
        return ()
    new = [d for d in program.decls if not getattr(d, "lifted", False)
           and d.span is not None and d.span.start >= len(prelude)]
    names = tuple(d.name for d in new if isinstance(d, (A.FnDecl, A.TypeDecl, A.ToolDecl, A.AliasDecl)))
    return names if new and len(names) == len(new) else ()


def binds(statement) -> bool:
    from ilo.syntax import ast as A

    return isinstance(statement, (A.Let, A.Destructure))


def prints(expr) -> bool:
    """`prnt x` as the entry's value would show x twice."""
    from ilo.syntax import ast as A

    return isinstance(expr, A.Call) and expr.name in ("prnt", "prnv", "print")
