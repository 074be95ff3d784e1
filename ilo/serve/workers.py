"""Warm worker processes for ``ilo serv`` and the Python API.

Each worker is a forked child in its own session (``supervise.spawn_in_session``)
that reads request lines on one pipe and writes response lines on another,
running each request in-process under the contained guard
(:func:`ilo.serve.core.execute`).  The parent forks after loading the front
end and engines, so a worker answers its first request warm.

The parent holds every worker to its request's budget: no response by
``max_runtime + BACKSTOP_S`` (one C call holding the GIL, where the
worker's own guard cannot act) means the worker's whole session is killed,
the request answered with ILO-R016, and a fresh worker started.  A worker
that dies (segfault, OOM kill) answers its request with ILO-R603 and is
replaced; one whose request hit the memory cap retires after answering.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import time
from collections import deque
from dataclasses import dataclass, field

from ilo import runtime_guard, supervise
from ilo.serve import core

#: how long after a request's budget the parent steps in
BACKSTOP_S = 0.1


def _worker(req_fd: int, resp_fd: int, base, engine, policy=None) -> int:
    import faulthandler
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    reader = os.fdopen(req_fd, "rb", buffering=1 << 16)
    if policy is not None and policy.restricted:
        from ilo import sandbox     # the command's --allow-* rules, both layers, for good
        sandbox.enter(policy, forked=True)
    for line in reader:
        try:
            req = json.loads(line)
        except ValueError:
            req = None
        resp = core.execute(req, base, engine)
        supervise.send_line(resp_fd, resp)
        if _memory_stop(resp):
            return 0                  # its heap is bloated: let a fresh one take over
    return 0


def _memory_stop(resp: dict) -> bool:
    diags = resp.get("error", {}).get("diagnostics") or []
    return any(d.get("code") == runtime_guard.R_MEMORY for d in diags)


@dataclass
class _Worker:
    child: supervise.Child
    req_fd: int
    resp_fd: int
    buf: bytes = b""
    job: tuple | None = None          # (token, request, deadline or None)
    started: float = field(default_factory=time.monotonic)


class Workers:
    """``n`` warm workers; :meth:`submit` requests, :meth:`wait` for responses."""

    def __init__(self, n: int = 1, base: runtime_guard.GuardLimits | None = None,
                 engine: str = "tree", keeper: supervise.GroupKeeper | None = None,
                 policy=None):
        self.n = max(1, n)
        self.base = base or runtime_guard.GuardLimits()
        self.engine = engine
        self.keeper = keeper
        self.policy = policy            # sandbox policy of the command (requests cannot widen it)
        self.idle: list[_Worker] = []
        self.busy: list[_Worker] = []
        self.queue: deque = deque()
        self.done: deque = deque()
        self.warm = False

    # -- life cycle
    def _spawn(self) -> _Worker:
        if not self.warm:
            _warm_up(self.engine)
            self.warm = True
        req_r, req_w = os.pipe2(os.O_CLOEXEC)
        resp_r, resp_w = os.pipe2(os.O_CLOEXEC)
        base, engine, policy = self.base, self.engine, self.policy

        def target() -> int:
            os.close(req_w)
            os.close(resp_r)
            return _worker(req_r, resp_w, base, engine, policy)

        with (self.keeper.starting() if self.keeper else contextlib.nullcontext()):
            try:
                child = supervise.spawn_in_session(target, child_signals=True)
            finally:
                os.close(req_r)
                os.close(resp_w)
            if self.keeper:
                self.keeper.add(child.pgid)
        os.set_blocking(resp_r, False)
        return _Worker(child, req_w, resp_r)

    def _retire(self, w: _Worker) -> None:
        if w in self.busy:
            self.busy.remove(w)
        if w in self.idle:
            self.idle.remove(w)
        if self.keeper:
            self.keeper.discard(w.child.pgid)
        supervise.kill_group(w.child.pgid)
        supervise.reap(w.child)
        for fd in (w.req_fd, w.resp_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        w.child.close()

    def close(self) -> None:
        for w in self.idle + self.busy:
            self._retire(w)

    # -- requests
    def submit(self, token, req: dict) -> None:
        """Queue ``req``; its response comes back from :meth:`wait` with ``token``."""
        budget = _limits(req, self.base).max_runtime   # a bad cap: the worker answers "request"
        self.queue.append((token, req, budget))
        self._dispatch()

    def pending(self) -> int:
        return len(self.queue) + len(self.busy) + len(self.done)

    def _dispatch(self) -> None:
        while self.queue and (self.idle or len(self.busy) < self.n):
            w = self.idle.pop() if self.idle else self._spawn()
            token, req, budget = self.queue.popleft()
            deadline = time.monotonic() + budget + BACKSTOP_S if budget else None
            w.job = (token, req, deadline)
            w.started = time.monotonic()
            self.busy.append(w)
            try:
                supervise.send_line(w.req_fd, req)
            except OSError:
                self._lost(w, None)

    def next_deadline_in(self, cap: float) -> float:
        """Seconds until the nearest request's backstop (at most ``cap``)."""
        deadlines = [w.job[2] for w in self.busy if w.job and w.job[2]]
        if not deadlines:
            return cap
        return max(0.0, min(cap, min(deadlines) - time.monotonic()))

    def fds(self) -> list[int]:
        return [w.resp_fd for w in self.busy] + \
            [w.child.pidfd for w in self.busy if w.child.pidfd >= 0]

    def wait(self, timeout: float | None) -> list[tuple[object, dict]]:
        """Responses that arrived within ``timeout`` seconds (``(token, resp)``)."""
        if not self.done and self.busy:
            poller = select.poll()
            for fd in self.fds():
                poller.register(fd, select.POLLIN)
            now = time.monotonic()
            deadlines = [w.job[2] for w in self.busy if w.job and w.job[2]]
            if deadlines:
                left = max(0.0, min(deadlines) - now)
                timeout = left if timeout is None else min(timeout, left)
            poller.poll(None if timeout is None else int(timeout * 1000 + 0.999))
            self.service()
        out = list(self.done)
        self.done.clear()
        return out

    def service(self) -> None:
        """Read what workers wrote; kill overdue or dead ones; refill."""
        now = time.monotonic()
        for w in list(self.busy):
            self._read(w)
            if w.job is None:
                continue
            if supervise.wait_exit(w.child, 0):
                self._read(w)
                if w.job is not None:
                    status = supervise.reap(w.child)
                    code, signo = supervise.exit_code_of(status)
                    self._lost(w, signo, code)
            elif w.job[2] is not None and now >= w.job[2]:
                self._overdue(w)
        self._dispatch()

    def _read(self, w: _Worker) -> None:
        msgs, w.buf = supervise.read_lines(w.resp_fd, w.buf)
        for resp in msgs:
            if w.job is None:
                continue
            token = w.job[0]
            w.job = None
            self.done.append((token, resp))
            self.busy.remove(w)
            if _memory_stop(resp) or supervise.wait_exit(w.child, 0):
                self._retire(w)               # it retires after a memory stop
            else:
                self.idle.append(w)

    def _overdue(self, w: _Worker) -> None:
        token, req, _deadline = w.job
        limits = _limits(req, self.base)
        err = runtime_guard.runtime_error(limits.max_runtime,
                                          time.monotonic() - w.started, self._engine(req),
                                          "run", backstop=True)
        self._answer_and_replace(w, token, req, err)

    def _lost(self, w: _Worker, signo, code=None) -> None:
        token, req, _deadline = w.job
        if signo is not None:
            err = supervise.signal_to_diagnostic(signo, self._engine(req))
        else:
            from ilo.diagnostics.errors import IloRuntimeError
            err = IloRuntimeError("ILO-R603", "engine process ended without answering "
                                  f"(exit status {code})",
                                  hint="this is a bug in ilo; try another engine and report it",
                                  extra={"exit_status": code})
        self._answer_and_replace(w, token, req, err)

    def _answer_and_replace(self, w, token, req, err) -> None:
        resp = {"id": req["id"]} if isinstance(req, dict) and "id" in req else {}
        resp.update({"engine": self._engine(req),
                     "error": {"phase": "runtime", "diagnostics": [core.diag(err)]},
                     "stdout": "", "ms": int((time.monotonic() - w.started) * 1000)})
        w.job = None
        self._retire(w)
        self.done.append((token, resp))

    def _engine(self, req) -> str:
        return (req.get("engine") if isinstance(req, dict) else None) or self.engine

    def call(self, req: dict) -> dict:
        """Submit one request and wait for its response (the Python API)."""
        token = object()
        self.submit(token, req)
        while True:
            for t, resp in self.wait(None):
                if t is token:
                    return resp


def _limits(req, base):
    try:
        return core.limits_for(req, base)
    except core.RequestError:
        return base


def _warm_up(engine: str) -> None:
    core.execute({"program": "main>n;+1 2"}, runtime_guard.GuardLimits(), engine)
