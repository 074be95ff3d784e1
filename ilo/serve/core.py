"""One request, run in this process under the contained runtime guard.

The shared core of ``ilo serv``, the Python API and ``ilo mcp``: a request
``{"program", "func", "args", "id", "engine", "max_runtime",
"max_output_bytes", "max_memory"}`` becomes one response dict:

* ``{"ok": VALUE, "ms": N, "stdout": "..."}``
* ``{"error": {"phase": P, "diagnostics": [...]}, ...}`` with phase
  ``request`` (bad request), ``parse``, ``verify``, ``runtime`` (a runtime
  error or a guard stop: R016, R017, R6xx), or ``program`` (the entry
  returned an Err: ``"value"`` instead of diagnostics).

Upstream's request and response shapes work unchanged; ``id`` (echoed),
``engine``, per-request caps and the captured ``stdout`` are ours.
Parsed and checked programs are cached by source hash (bounded LRU), so a
repeated program skips the front end.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import time
from collections import OrderedDict

from ilo import runtime_guard, sink
from ilo.diagnostics.errors import IloError, IloParseError, IloRuntimeError
from ilo.diagnostics.render import to_dict

CACHE_SIZE = 256
_cache: "OrderedDict[str, object]" = OrderedDict()

#: request key -> GuardLimits field (values as on the command line)
CAPS = {"max_runtime": "--max-runtime", "max_output_bytes": "--max-output-bytes",
        "max_memory": "--max-memory"}


class RequestError(Exception):
    """A request that cannot be run as given (phase ``request``)."""


def diag(err: IloError, source: str | None = None) -> dict:
    """A diagnostic as the flat object upstream's ``serv`` responses carry."""
    return next(iter(to_dict(err, source).values()))


def load(source: str):
    """The checked program for ``source`` (cached), or raise its IloError."""
    from ilo import api

    key = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
    else:
        try:
            hit = api.load_program(source)
        except IloError as err:
            hit = err
        _cache[key] = hit
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    if isinstance(hit, IloError):
        raise hit
    return hit


def limits_for(req: dict, base: runtime_guard.GuardLimits) -> runtime_guard.GuardLimits:
    """The request's caps over the server's defaults (same rules as the flags)."""
    limits = base
    for key, flag in CAPS.items():
        if req.get(key) is not None:
            value = req[key]
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise RequestError(f"{key} must be a number")
            text = repr(value) if isinstance(value, float) else str(value)
            try:
                limits = limits.with_flag(flag, text)
            except IloError as err:
                raise RequestError(f"{key}: {err.message}") from None
    return limits


def execute(req, base: runtime_guard.GuardLimits | None = None,
            default_engine: str = "tree") -> dict:
    """Run one request here, guarded; never raises (a response for everything)."""
    start = time.monotonic()
    resp: dict = {}
    if isinstance(req, dict) and "id" in req:
        resp["id"] = req["id"]
    try:
        body = _execute(req, base or runtime_guard.GuardLimits(), default_engine, resp)
    except RequestError as exc:
        body = {"error": {"phase": "request", "message": str(exc),
                          "diagnostics": [{"code": "ILO-U006", "severity": "error",
                                           "message": str(exc), "labels": [], "notes": []}]}}
    resp.update(body)
    resp.setdefault("ms", int((time.monotonic() - start) * 1000))
    return resp


def _execute(req, base, default_engine, resp) -> dict:
    if not isinstance(req, dict):
        raise RequestError("a request is a JSON object with a \"program\" string")
    source = req.get("program")
    if not isinstance(source, str):
        raise RequestError("\"program\" must be a string of ilo source")
    func = req.get("func")
    if func is not None and not isinstance(func, str):
        raise RequestError("\"func\" must be a string")
    args = req.get("args", [])
    if not isinstance(args, list):
        raise RequestError("\"args\" must be a list")
    engine = req.get("engine") or default_engine
    if engine not in ("tree", "vm", "jit"):
        raise RequestError(f"unknown engine {engine!r} (tree, vm, jit)")
    resp["engine"] = engine
    limits = limits_for(req, base)
    try:
        program = load(source)
    except IloParseError as err:
        return {"error": {"phase": "parse", "diagnostics": [diag(err, source)]}}
    except IloError as err:
        return {"error": {"phase": "verify", "diagnostics": [diag(err, source)]}}
    return _run(program, source, func, args, engine, limits)


def _run(program, source, func, args, engine, limits) -> dict:
    from ilo import api
    from ilo.cli.args import coerce_for_param, json_to_value
    from ilo.runtime.builtins.json_ import from_ilo
    from ilo.runtime.values import Err, Ok

    out = io.StringIO()
    saved = sys.stdout
    sink.reset()
    value = err = None
    runtime_guard.install(limits, "json", engine, phase="run", contained=True)
    try:
        sys.stdout = out
        try:
            name = api.entry_function(program, func)
            decl = program.functions.get(name)
            if decl is None:
                raise RequestError(f"no function named {name!r}")
            if len(args) != len(decl.params):
                raise IloRuntimeError("ILO-R004", f"{name}: expected {len(decl.params)} args, "
                                      f"got {len(args)}")
            values = [coerce_for_param(a, p.type) if isinstance(a, str) else json_to_value(a)
                      for a, p in zip(args, decl.params)]
            value = api.make_engine(program, engine).run(name, values)
            sink.flush()
        except runtime_guard.GuardStop:
            pass
        except IloError as exc:
            err = exc
        except RecursionError:
            err = IloRuntimeError("ILO-R604", "call depth exceeded the interpreter stack")
        except MemoryError:
            err = runtime_guard.memory_error(limits.max_memory_mb, 0, runtime_guard.elapsed(),
                                             engine, "run")
        err = runtime_guard.take_stop() or err
    finally:
        runtime_guard.uninstall()
        sys.stdout = saved
        sink.reset()
    body: dict = {"stdout": out.getvalue()}
    if err is not None:
        from ilo.diagnostics.runtime_stamp import stamp_runtime
        stamp_runtime(err, engine, runtime_guard.elapsed())
        body["error"] = {"phase": "runtime", "diagnostics": [diag(err, source)]}
    elif isinstance(value, Err):
        body["error"] = {"phase": "program", "value": from_ilo(value.value)}
    else:
        body["ok"] = from_ilo(value.value if isinstance(value, Ok) else value)
    return body


def check(source: str) -> list[dict]:
    """Diagnostics for ``source`` without running it (errors and warnings)."""
    from ilo.checks.warnings import find_warnings

    try:
        program = load(source)
    except IloError as err:
        return [diag(err, source)]
    return [diag(w, source) for w in find_warnings(program)]


def encode(resp: dict) -> bytes:
    return (json.dumps(resp, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
        "utf-8", "surrogateescape")
