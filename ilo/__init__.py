"""ilo: the token-lean prefix language for AI agents, in Python.

The Python API::

    import ilo
    r = ilo.run("f x:n>n;*x 2", args=[21], max_runtime=2)
    r.value, r.stdout, r.diagnostics, r.elapsed_ms   # 42, "", [], ...
    ilo.check("f x:n>n;+x y")                        # [{"code": "ILO-T004", ...}]

With any cap set (``max_runtime``, ``max_output_bytes``, ``max_memory``) the
program runs in a supervised worker process, started on first use and reused
across calls: a runaway program ends in its diagnostic and can never take the
host process down.  Without caps it runs right here, unguarded.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Result", "run", "check", "__version__"]


class Result:
    """What :func:`run` did.  ``ok`` is False on any error; ``phase`` then
    says where (``request``, ``parse``, ``verify``, ``runtime``, ``program``
    for an Err value, whose payload is ``value``).  Compared by value; a plain
    class because this module is imported by every ``ilo`` run."""

    __slots__ = ("ok", "value", "stdout", "diagnostics", "phase", "elapsed_ms", "response")

    def __init__(self, ok: bool, value: Any = None, stdout: str = "", diagnostics: list[dict] | None = None,
                 phase: str | None = None, elapsed_ms: int = 0, response: dict | None = None):
        self.ok = ok
        self.value = value
        self.stdout = stdout
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.phase = phase
        self.elapsed_ms = elapsed_ms
        self.response = {} if response is None else response   # the raw `ilo serv` response

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other):
        return self._values() == other._values() if type(other) is Result else NotImplemented

    __hash__ = None

    def __repr__(self):
        return "Result(" + ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self._values())) + ")"


_workers = None


def run(src: str, func: str | None = None, args: Sequence[Any] = (), *,
        engine: str | None = None, max_runtime: float | None = None,
        max_output_bytes: int | None = None, max_memory: float | None = None) -> Result:
    """Parse, check and run ``src``; ``args`` are ilo values (numbers, text,
    lists, ...) or CLI-style strings."""
    from ilo.serve import core

    req: dict[str, Any] = {"program": src, "args": list(args)}
    for key, value in (("func", func), ("engine", engine), ("max_runtime", max_runtime),
                       ("max_output_bytes", max_output_bytes), ("max_memory", max_memory)):
        if value is not None:
            req[key] = value
    guarded = any(v is not None for v in (max_runtime, max_output_bytes, max_memory))
    if guarded:
        resp = _pool().call(req)
    else:
        from ilo.runtime_guard import GuardLimits
        resp = core.execute(req, GuardLimits.disabled())
    error = resp.get("error")
    return Result(ok=error is None,
                  value=resp.get("ok") if error is None else error.get("value"),
                  stdout=resp.get("stdout", ""),
                  diagnostics=list((error or {}).get("diagnostics") or []),
                  phase=None if error is None else error.get("phase"),
                  elapsed_ms=resp.get("ms", 0), response=resp)


def check(src: str) -> list[dict]:
    """Diagnostics (errors and warnings) of ``src`` without running it."""
    from ilo.serve import core

    return core.check(src)


def _pool():
    global _workers
    if _workers is None:
        import atexit

        from ilo.runtime_guard import GuardLimits
        from ilo.serve.workers import Workers

        _workers = Workers(1, GuardLimits.disabled())
        atexit.register(_workers.close)
    return _workers
