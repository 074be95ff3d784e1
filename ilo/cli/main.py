"""``ilo`` command line: the bare run form, and the subcommands in SUBCOMMANDS.

Output contract of a run: an Ok value prints bare on stdout (exit 0); an Err
prints ``^e`` on stderr (exit 1); any diagnostic is rendered once on stderr
(JSON when ``--json`` or when stderr is not a terminal) with exit 2 for
parse/verify/usage errors and 1 for runtime errors.
"""

from __future__ import annotations

import contextlib
import os
import sys

from ilo import sink
from ilo.cli.args import IDENT_RE, Options, coerce_for_param, diag_mode, looks_like_flag, take_flag
from ilo.cli.usage import NOT_OFFERED, USAGE, subcommand_help
from ilo.diagnostics.errors import IloError, IloRuntimeError, IloUsageError
from ilo.diagnostics.render import render


def report(err: IloError, opts: Options, source: str | None = None) -> int:
    from ilo import runtime_guard
    from ilo.diagnostics.runtime_stamp import stamp_runtime

    stamp_runtime(err, opts.engine, runtime_guard.elapsed())
    sink.flush()
    sink.write_stderr(render(err, diag_mode(opts), source) + "\n")
    return err.exit_code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = Options()
    try:
        code = _main(argv, opts)
        sink.flush()
        return code
    except IloError as err:
        return report(err, opts)
    except KeyboardInterrupt:
        sink.flush()
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        return internal_error(exc, opts)


def internal_error(exc: Exception, opts: Options) -> int:
    """A bug in ilo itself still ends in one clean diagnostic (ILO_DEBUG=1 re-raises)."""
    if os.environ.get("ILO_DEBUG"):
        raise exc
    return report(IloRuntimeError(
        "ILO-R013", f"internal error: {type(exc).__name__}: {exc}",
        hint="this is a bug in ilo, not in your program; set ILO_DEBUG=1 for the Python traceback"), opts)


# subcommand -> "module:function"; imported on use so `ilo 'code'` starts light
SUBCOMMANDS = {
    "run": "ilo.cli.main:run_command",
    "check": "ilo.cli.check:main",
    "test": "ilo.cli.main:test_command",
    "explain": "ilo.cli.docs:explain_command",
    "version": "ilo.cli.docs:version_command",
    "spec": "ilo.cli.docs:spec_command",
    "help": "ilo.cli.docs:help_command",
    "skill": "ilo.cli.docs:skill_command",
    "repl": "ilo.cli.repl:main",
    "graph": "ilo.cli.graph:main",
    "dis": "ilo.cli.main:dis_command",
    "serv": "ilo.serve.server:main",
    "mcp": "ilo.serve.mcp:main",
}


def _main(argv: list[str], opts: Options) -> int:
    i = 0
    while i < len(argv) and looks_like_flag(argv[i]):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if a in ("-h", "--help"):
            sink.write_report(USAGE)
            return 0
        if a in ("--version", "-V"):
            from ilo.cli.docs import version_command

            return version_command(argv[i + 1:], opts)
        if a == "--explain":
            return explain(argv[i + 1:], opts)
        if a == "-ai":
            from ilo.cli.docs import spec_command

            return spec_command(["ai"], opts)
        j = take_flag(argv, i, opts)
        if j == i:
            raise IloUsageError("ILO-U001", f"unknown flag '{a}'", hint="run `ilo --help` for the flags")
        i = j
    rest = argv[i:]
    if not rest:
        raise IloUsageError("ILO-U001", "no program given", hint=USAGE.splitlines()[1].strip())
    if rest[0] in SUBCOMMANDS:
        if rest[0] != "run" and wants_help(rest[1:]):
            sink.write_report(subcommand_help(rest[0]))
            return 0
        module, _, func = SUBCOMMANDS[rest[0]].partition(":")
        import importlib

        return getattr(importlib.import_module(module), func)(rest[1:], opts)
    if rest[0] == "--explain":
        return explain(rest[1:], opts)
    refuse_subcommand(rest[0])
    return run_source_args(rest, opts)


def wants_help(args: list[str]) -> bool:
    for a in args:
        if a == "--":
            return False
        if a in ("-h", "--help"):
            return True
    return False


def refuse_subcommand(word: str) -> None:
    """A bare word that is no file is a subcommand, not a program: an ilo
    program always has a header (`name>type`), so nothing is lost."""
    if word in NOT_OFFERED:
        raise IloUsageError("ILO-U008", f"`ilo {word}` is not offered by this implementation",
                            hint=NOT_OFFERED[word])
    if IDENT_RE.match(word) and not os.path.exists(word):
        import difflib

        close = difflib.get_close_matches(word, list(SUBCOMMANDS), n=1)
        raise IloUsageError("ILO-U001", f"unknown subcommand '{word}'",
                            hint=(f"did you mean `ilo {close[0]}`? " if close else "")
                            + f"subcommands: {', '.join(SUBCOMMANDS)}; inline code needs a header, "
                              "e.g. ilo 'main>n;42'")


def run_command(args: list[str], opts: Options) -> int:
    """``ilo run SRC [func] [args]``: the bare form, spelled out."""
    i = 0
    while i < len(args) and looks_like_flag(args[i]):
        if args[i] in ("-h", "--help"):
            sink.write_report(subcommand_help("run"))
            return 0
        if args[i] == "--":
            i += 1
            break
        j = take_flag(args, i, opts)
        if j == i:
            raise IloUsageError("ILO-U001", f"unknown flag '{args[i]}' for `ilo run`",
                                hint="run `ilo run --help` for its flags")
        i = j
    if i >= len(args):
        raise IloUsageError("ILO-U001", "`ilo run` needs a program: a file, inline code, or - for stdin",
                            hint="e.g. ilo run prog.ilo, or ilo run 'main>n;42'")
    return run_source_args(args[i:], opts)


def dis_command(args: list[str], opts: Options) -> int:
    from ilo.engines.vm.dis import main as dis_main

    return dis_main(args)


def test_command(args: list[str], opts: Options) -> int:
    from ilo.tools import testrunner

    return testrunner.main(args, opts.passthrough)


def run_source_args(rest: list[str], opts: Options) -> int:
    """``SRC [flags] [func] [args] [long flags]``, then run it under the guard."""
    program_arg = rest[0]
    k = 1
    while k < len(rest) and looks_like_flag(rest[k]) and rest[k] != "--":
        j = take_flag(rest, k, opts)
        if j == k:
            break
        k = j
    return run_guarded(program_arg, late_flags(rest[k:], opts), opts)


def late_flags(args: list[str], opts: Options) -> list[str]:
    """Long flags (``--json``, ``--engine tree``...) may also follow the
    program's arguments; short ones there are data (``-t`` may be a value),
    and so is everything after ``--``."""
    data: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":               # everything after it is data
            return data + args[i + 1:]
        if a.startswith("--"):
            j = take_flag(args, i, opts)
            if j != i:
                i = j
                continue
        data.append(a)
        i += 1
    return data


def run_guarded(program_arg: str, args: list[str], opts: Options) -> int:
    """Run under the runtime guard, in a supervised child (see ilo.supervise).

    The parent stays light (no engine imported) so the fork is cheap; the
    child loads, checks and runs the program inside the runtime budget."""
    from ilo import runtime_guard, sandbox, supervise
    from ilo.cli.args import guard_flags, sandbox_policy

    limits = runtime_guard.limits_from_flags(guard_flags(opts))
    policy, parent = sandbox_policy(opts), os.getpid()

    def body() -> int:
        try:
            sandbox.enter(policy, forked=os.getpid() != parent, program_file=program_arg)
            with discarded_stdout(opts.silent):
                code = run(program_arg, args, opts)
                sink.flush()     # here, so an unwritable stdout is ILO-R606, not an internal error
            return code
        except IloError as err:
            return report(err, opts)
        except KeyboardInterrupt:
            sink.flush()
            return 130
        except MemoryError:
            runtime_guard.memory_exhausted()
            return 1
        except Exception as exc:
            return internal_error(exc, opts)

    return supervise.run_guarded(body, limits, diag_mode(opts), opts.engine)


@contextlib.contextmanager
def discarded_stdout(silent: bool):
    """``--silent``: the program's stdout goes to /dev/null (stderr untouched)."""
    if not silent:
        yield
        return
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    try:
        yield
    finally:
        sink.flush()
        os.dup2(saved, 1)
        os.close(saved)


def explain(args: list[str], opts: Options) -> int:
    from ilo.diagnostics.registry import explain as lookup

    if not args:
        raise IloUsageError("ILO-U002", "--explain needs a code", hint="e.g. `ilo --explain ILO-T005`")
    text = lookup(args[0])
    if text is None:
        raise IloUsageError("ILO-U002", f"unknown diagnostic code '{args[0]}'",
                            hint="codes look like ILO-T005, ILO-P011, ILO-R016")
    sink.write_report(text.rstrip("\n") + "\n")
    return 0


def read_program(arg: str) -> tuple[str, str | None]:
    """Return (source, filename); a path-like argument must be a readable UTF-8 file,
    and ``-`` reads the program from stdin."""
    if arg == "-":
        return decode_source(sys.stdin.buffer.read(), "<stdin>"), None
    is_file = arg.endswith(".ilo") or (os.path.sep in arg and "\n" not in arg and ";" not in arg
                                      and os.path.exists(arg))
    if not is_file and os.path.isfile(arg):
        is_file = True
    if not is_file:
        return arg, None
    try:
        with open(arg, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise IloUsageError("ILO-U003", f"file not found: {arg}",
                            hint="check the path; inline code is passed in quotes: ilo 'main>n;42'") from None
    except IsADirectoryError:
        raise IloUsageError("ILO-U003", f"{arg} is a directory, not a file",
                            hint="to run the cases in a folder use `ilo test DIR`") from None
    except OSError as exc:
        raise IloUsageError("ILO-U003", f"cannot read {arg}: {exc.strerror}") from None
    return decode_source(data, arg), arg


def decode_source(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IloUsageError("ILO-U004", f"{name} is not valid UTF-8 (byte {exc.start})",
                            hint="save the file as UTF-8") from None


def run(program_arg: str, args: list[str], opts: Options) -> int:
    from ilo import api, runtime_guard

    from ilo.cli.args import max_ast_depth

    source, filename = read_program(program_arg)
    runtime_guard.set_phase("check")
    try:
        program = api.load_program(source, filename, max_depth=max_ast_depth(opts))
    except IloError as err:
        return report(err, opts, source)
    from ilo.checks.warnings import find_warnings

    for warning in find_warnings(program):
        sink.write_stderr(render(warning, diag_mode(opts), source) + "\n")
    if opts.ast:
        import json

        from ilo.syntax.dump import to_json

        sink.write_report(json.dumps(to_json(program)) + "\n")
        return 0
    if opts.layout:
        from ilo.syntax import format as layout

        sink.write_report(getattr(layout, opts.layout)(source))
        return 0
    names = api.user_functions(program)
    func = None
    if args and IDENT_RE.match(args[0]) and (args[0] in program.functions or args[0] in program.tools):
        func, args = args[0], args[1:]
    elif args and IDENT_RE.match(args[0]) and len(names) > 1 and "main" not in names:
        import difflib

        close = difflib.get_close_matches(args[0], names, n=1)
        raise IloUsageError("ILO-U005", f"no function named '{args[0]}'",
                            hint=(f"did you mean '{close[0]}'? " if close else "")
                            + f"functions: {', '.join(names)}")
    try:
        name = api.entry_function(program, func)
        decl = program.functions.get(name)
        params = decl.params if decl is not None else []
        if decl is not None and len(args) != len(params):
            sig = " ".join(f"{p.name}:{_t(p.type)}" for p in params) or "(no parameters)"
            hint = f"{name} takes {sig}"
            stray = [a for a in args if looks_like_flag(a)]
            if stray:
                hint += (f"; `{stray[0]}` was taken as an argument: flags go before the program "
                         "or right after it")
            raise IloUsageError("ILO-R004", f"{name}: expected {len(params)} args, got {len(args)}",
                                hint=hint)
        values = [coerce_for_param(a, p.type) for a, p in zip(args, params)]
        engine = api.make_engine(program, opts.engine, jit_report=opts.jit_report)
        from ilo.cli.runner import execute

        runtime_guard.set_phase("run")
        return execute(engine, program, name, values, opts, source, report)
    except IloError as err:
        return report(err, opts, source)


def _t(t):
    from ilo.syntax.ast import type_str

    return type_str(t)


if __name__ == "__main__":
    raise SystemExit(main())
