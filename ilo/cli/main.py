"""``ilo`` command line: run code or files, ``test``, ``--explain``.

Output contract of a run: an Ok value prints bare on stdout (exit 0); an Err
prints ``^e`` on stderr (exit 1); any diagnostic is rendered once on stderr
(JSON when ``--json`` or when stderr is not a terminal) with exit 2 for
parse/verify/usage errors and 1 for runtime errors.
"""

from __future__ import annotations

import json
import os
import sys

from ilo import sink
from ilo.cli.args import IDENT_RE, Options, coerce_for_param, diag_mode, looks_like_flag, take_flag
from ilo.diagnostics.errors import IloError, IloRuntimeError, IloUsageError
from ilo.diagnostics.render import render

USAGE = """usage:
  ilo [flags] 'code' [func] [args...]     run inline code
  ilo [flags] FILE.ilo [func] [args...]   run a file (default: main, or its only function)
  ilo test [PATH] [-v]                    run the -- run:/-- out: cases of .ilo files
  ilo dis FILE.ilo [func...]              print the VM bytecode of each function
  ilo --explain CODE                      explain a diagnostic code
flags:
  --engine tree|vm|jit   --json | --text   --no-hints
  --max-runtime SECS (60)   --max-output-bytes BYTES (104857600)
  --max-memory MB (4096)    --max-idle SECS (0 = off)
"""


def report(err: IloError, opts: Options, source: str | None = None) -> int:
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
        if a == "--version":
            from ilo import __version__

            sink.write_report(f"ilo {__version__}\n")
            return 0
        if a == "--explain":
            return explain(argv[i + 1:], opts)
        j = take_flag(argv, i, opts)
        if j == i:
            raise IloUsageError("ILO-U001", f"unknown flag '{a}'", hint="run `ilo --help` for the flags")
        i = j
    rest = argv[i:]
    if not rest:
        raise IloUsageError("ILO-U001", "no program given", hint=USAGE.splitlines()[1].strip())
    if rest[0] == "test":
        from ilo.tools import testrunner

        return testrunner.main(rest[1:], opts.passthrough)
    if rest[0] == "dis":
        from ilo.engines.vm.dis import main as dis_main

        return dis_main(rest[1:])
    if rest[0] == "help":
        sink.write_report(USAGE)
        return 0
    if rest[0] == "--explain":
        return explain(rest[1:], opts)
    program_arg = rest[0]
    k = 1
    while k < len(rest) and looks_like_flag(rest[k]):
        j = take_flag(rest, k, opts)
        if j == k:
            break
        k = j
    return run_guarded(program_arg, late_flags(rest[k:], opts), opts)


def late_flags(args: list[str], opts: Options) -> list[str]:
    """Long flags (``--json``, ``--engine tree``...) may also follow the
    program's arguments; short ones there are data (``-t`` may be a value)."""
    data: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and a != "--":
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
    from ilo import runtime_guard, supervise

    flags = {flag: getattr(opts, name) for flag, name in (
        ("--max-runtime", "max_runtime"), ("--max-output-bytes", "max_output_bytes"),
        ("--max-memory", "max_memory"), ("--max-idle", "max_idle"))
        if getattr(opts, name) is not None}
    limits = runtime_guard.limits_from_flags(flags)

    def body() -> int:
        try:
            return run(program_arg, args, opts)
        except IloError as err:
            return report(err, opts)
        except KeyboardInterrupt:
            sink.flush()
            return 130
        except Exception as exc:
            return internal_error(exc, opts)

    return supervise.run_guarded(body, limits, diag_mode(opts), opts.engine)


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
    """Return (source, filename); a path-like argument must be a readable UTF-8 file."""
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
    try:
        return data.decode("utf-8"), arg
    except UnicodeDecodeError as exc:
        raise IloUsageError("ILO-U004", f"{arg} is not valid UTF-8 (byte {exc.start})",
                            hint="save the file as UTF-8") from None


def run(program_arg: str, args: list[str], opts: Options) -> int:
    from ilo import api

    source, filename = read_program(program_arg)
    try:
        program = api.load_program(source, filename)
    except IloError as err:
        return report(err, opts, source)
    from ilo.checks.warnings import find_warnings

    for warning in find_warnings(program):
        sink.write_stderr(render(warning, diag_mode(opts), source) + "\n")
    if opts.ast:
        from ilo.syntax.dump import to_json

        sink.write_report(json.dumps(to_json(program)) + "\n")
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
        engine = api.make_engine(program, opts.engine)
        from ilo.cli.runner import execute

        return execute(engine, program, name, values, opts, source, report)
    except IloError as err:
        return report(err, opts, source)


def _t(t):
    from ilo.syntax.ast import type_str

    return type_str(t)


if __name__ == "__main__":
    raise SystemExit(main())
