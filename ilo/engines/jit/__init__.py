"""The llvmlite JIT engine (``--engine jit``); see :mod:`ilo.engines.jit.engine`.

Importing this package does not import llvmlite; :func:`JitEngine` does.
"""


def JitEngine(program, tools=None, report: bool = False):  # noqa: N802 -- a class-like factory
    from ilo.engines.jit.engine import JitEngine as _Engine

    return _Engine(program, tools=tools, report=report)
