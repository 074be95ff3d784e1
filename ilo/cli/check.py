"""``ilo check SRC [--strict]``: parse and verify, never run.

Nothing runs, so the runtime guard is not installed; parsing is bounded by
``--max-ast-depth`` instead. Silence and exit 0 mean the program is fine.
"""

from __future__ import annotations

from ilo import sink
from ilo.cli.args import Options, command_args, diag_mode, expect_positionals, max_ast_depth
from ilo.diagnostics.errors import IloError
from ilo.diagnostics.render import render

STRICT_FAILURE = 1      # warnings under --strict: the check fails, as upstream's does


def main(args: list[str], opts: Options) -> int:
    from ilo import api
    from ilo.checks.warnings import find_warnings
    from ilo.cli.main import read_program, report

    positional, own = command_args(args, opts, "check", {"--strict": False})
    expect_positionals(positional, "check", "SRC", 1, 1)
    source, filename = read_program(positional[0])
    try:
        program = api.load_program(source, filename, max_depth=max_ast_depth(opts))
    except IloError as err:
        return report(err, opts, source)
    warnings = find_warnings(program)
    for warning in warnings:
        sink.write_stderr(render(warning, diag_mode(opts), source) + "\n")
    return STRICT_FAILURE if warnings and own.get("--strict") else 0
