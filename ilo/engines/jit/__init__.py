"""The llvmlite JIT engine (``--engine jit``); see :mod:`ilo.engines.jit.engine`.

Importing this package does not import llvmlite; :func:`JitEngine` does.
"""


def JitEngine(program, tools=None, report: bool = False):  # noqa: N802 -- a class-like factory
    try:
        from ilo.engines.jit.engine import JitEngine as _Engine
    except ImportError as exc:
        from ilo.diagnostics.errors import IloUsageError

        raise IloUsageError("ILO-U007", f"the jit engine needs llvmlite, which cannot be imported ({exc})",
                            hint="install llvmlite (pip install llvmlite), or use --engine tree") from None

    return _Engine(program, tools=tools, report=report)
