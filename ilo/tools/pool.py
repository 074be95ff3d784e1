"""Isolated, parallel execution of test cases: forked workers, stall windows.

One Python process per case spends most of its time starting up; one
process for everything dies with the first runaway case.  Here each
*worker* is a forked child in its own session (``supervise.spawn_in_session``:
lifeline, claim pipe) that runs a *batch* of cases in-process, each under the
runtime guard installed *contained* (``supervise.contained_runs``): a case's
own R016/R017 ends the case, not the worker.  The parent forks after warming
the front end and engines, so every worker starts hot.

Results come back over a pipe, one JSON line per case (preceded by a
``start`` line, so the parent knows which case a dying worker was running);
the parent hands each to ``on_result`` the moment it arrives.

Stall window, not a hard cap: a worker holding a batch of B cases gets
B x case-timeout; every result resets the window.  A window that runs out
means a case is stuck where the in-process guard cannot reach (one C call
holding the GIL): the parent SIGKILLs the worker's whole session, halves B
(floor 1) and starts a new worker on the cases not yet recorded.  At B = 1 a
case that still stalls is recorded as a timeout (ILO-R016).  A worker that
dies (segfault, OOM kill) costs only the case it was running, recorded as
ILO-R603.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ilo import supervise

#: cases a fresh worker takes (halved after a stall)
BATCH = 8


@dataclass(frozen=True)
class Job:
    """One case on one engine; ``key`` is what the caller knows it by."""

    key: object
    path: Path              # the .ilo file
    args: tuple[str, ...]
    engine: str


@dataclass
class Outcome:
    """What running a case did, as the subprocess runner reports it."""

    returncode: int | None
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    error: str | None = None
    duration: float = 0.0
    code: str | None = None       # the guard's code when the worker was stopped for it


# --------------------------------------------------------------------------
# one case, in this process

#: bytes of a case's stdout / stderr kept (a case that floods is judged on
#: its head; the rest is counted, not stored)
CAPTURE_LIMIT = 1 << 20


class _Capture:
    """A text stream standing in for stdout / stderr of a case."""

    def __init__(self):
        import io

        class Sink(io.RawIOBase):
            def __init__(self):
                self.kept, self.dropped = bytearray(), 0

            def writable(self):
                return True

            def write(self, b):
                room = CAPTURE_LIMIT - len(self.kept)
                self.kept += bytes(b[:room]) if room > 0 else b""
                self.dropped += max(0, len(b) - max(room, 0))
                return len(b)

        self.raw = Sink()
        self.stream = io.TextIOWrapper(self.raw, encoding="utf-8", errors="surrogateescape",
                                       write_through=True)

    def text(self) -> str:
        self.stream.flush()
        text = self.raw.kept.decode("utf-8", "replace")
        if self.raw.dropped:
            text += f"\n[... {self.raw.dropped} more bytes not kept]"
        return text


def run_here(job: Job, flags: Sequence[str], timeout: float) -> Outcome:
    """Run one case in this process exactly as ``ilo --engine E FLAGS FILE
    ARGS`` would in its own: from the file's folder, stdout and stderr
    captured, under the contained guard (``timeout``: 0 = the flags' budget
    only)."""
    from ilo import sink
    from ilo.cli import main as cli

    argv = ["--engine", job.engine, *flags, job.path.name, *job.args]
    out, err = _Capture(), _Capture()
    saved = (sys.stdout, sys.stderr, os.getcwd())
    start = time.monotonic()
    sink.reset()
    try:
        os.chdir(job.path.resolve().parent)
        sys.stdout, sys.stderr = out.stream, err.stream
        with supervise.contained_runs(timeout) as state:
            code = cli.main(argv)
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        os.chdir(saved[2])
        sink.reset()
    return Outcome(code, out.text(), err.text(), timed_out=state.timed_out,
                   duration=time.monotonic() - start)


def warm_up(engines: Sequence[str]) -> None:
    """Load the front end and the engines once, before forking workers."""
    from ilo import api
    import ilo.cli.main  # noqa: F401 -- loaded once here, not in every worker
    import ilo.cli.runner  # noqa: F401
    from ilo.diagnostics.errors import IloError

    program = api.load_program("main>n;+1 2")
    for engine in engines:
        try:
            api.make_engine(program, engine).run("main", [])
        except IloError:
            pass


# --------------------------------------------------------------------------
# the worker (a forked child)

def _worker(jobs: list[tuple[int, Job]], flags, timeout, out_fd: int) -> int:
    import faulthandler
    faulthandler.disable()        # a crash is the parent's to report (ILO-R603)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)           # a case never reaches the terminal; `wr /dev/stdout`
    os.dup2(devnull, 2)           # is still the case's stdout (same file as fd 1)
    os.close(devnull)
    _sandbox(flags, [job.path for _i, job in jobs])
    for index, job in jobs:
        supervise.send_line(out_fd, {"start": index})
        try:
            o = run_here(job, flags, timeout)
            msg = {"i": index, "rc": o.returncode, "stdout": o.stdout, "stderr": o.stderr,
                   "timed_out": o.timed_out, "duration": o.duration}
        except BaseException as exc:  # noqa: BLE001 -- the case's verdict, not the worker's end
            msg = {"i": index, "rc": None, "error": f"{type(exc).__name__}: {exc}"}
        supervise.send_line(out_fd, msg)
    return 0


def _sandbox(flags, paths) -> None:
    """With ``--allow-*`` flags, restrict this worker once, for its whole
    batch: the flags' rules plus read access to the cases' own files (as a
    direct run may read its program file, and nothing else beside it)."""
    if not any(f.startswith("--allow-") or f == "--require-kernel-sandbox" for f in flags):
        return
    from ilo import sandbox
    from ilo.cli.args import Options, sandbox_policy, take_flag

    opts, i = Options(), 0
    while i < len(flags):
        j = take_flag(flags, i, opts)
        i = j if j != i else i + 1
    files = sorted({str(p.resolve()) for p in paths})
    sandbox.enter(sandbox_policy(opts), forked=True, extra_read=files)


# --------------------------------------------------------------------------
# the parent

@dataclass
class _Batch:
    jobs: list[tuple[int, Job]]
    size: int                          # B: the stall window is size x timeout
    child: supervise.Child | None = None
    fd: int = -1
    buf: bytes = b""
    running: int | None = None         # index of the case it started last
    done: set = field(default_factory=set)
    last: float = 0.0                  # when it last reported


class Pool:
    """Run ``jobs`` on ``workers`` forked workers; ``on_result(job, outcome)``
    is called in the parent, in the order results arrive."""

    def __init__(self, jobs: Sequence[Job], *, workers: int, timeout: float,
                 flags: Sequence[str] = (), on_result: Callable[[Job, Outcome], None],
                 keeper: supervise.GroupKeeper | None = None, batch: int = BATCH):
        self.jobs = list(jobs)
        self.workers = max(1, workers)
        self.timeout = timeout
        self.flags = tuple(flags)
        self.on_result = on_result
        self.keeper = keeper
        share = -(-len(self.jobs) // self.workers) if self.jobs else 1
        self.batch = max(1, min(batch, share))
        self.queue: deque[tuple[list[tuple[int, Job]], int]] = deque()
        self.live: list[_Batch] = []
        self.stalls = 0

    # -- planning
    def _plan(self) -> None:
        pending = list(enumerate(self.jobs))
        for i in range(0, len(pending), self.batch):
            self.queue.append((pending[i:i + self.batch], self.batch))

    def run(self) -> None:
        for _ in self.steps():
            pass

    def steps(self):
        """Run, yielding after each wait (results reach ``on_result`` as
        they arrive); closing the generator early kills every worker."""
        if not self.jobs:
            return
        warm_up(sorted({j.engine for j in self.jobs}))
        self._plan()
        try:
            while self.queue or self.live:
                while self.queue and len(self.live) < self.workers:
                    self._start(*self.queue.popleft())
                self._wait()
                yield
        finally:
            for b in list(self.live):
                self._kill(b)
                self._close(b)

    def _start(self, jobs, size) -> None:
        r, w = os.pipe2(os.O_CLOEXEC)
        flags, timeout = self.flags, self.timeout

        def target() -> int:
            os.close(r)
            return _worker(jobs, flags, timeout, w)

        ctx = self.keeper.starting() if self.keeper else contextlib.nullcontext()
        with ctx:
            try:
                child = supervise.spawn_in_session(target)
            finally:
                os.close(w)
            if self.keeper:
                self.keeper.add(child.pgid)
        os.set_blocking(r, False)
        self.live.append(_Batch(jobs, size, child, r, last=time.monotonic()))

    # -- waiting
    def _wait(self) -> None:
        poller = select.poll()
        by_fd = {}
        for b in self.live:
            poller.register(b.fd, select.POLLIN)
            by_fd[b.fd] = b
            if b.child.pidfd >= 0:
                poller.register(b.child.pidfd, select.POLLIN)
                by_fd[b.child.pidfd] = b
        now = time.monotonic()
        ms = 100
        if self.timeout > 0:
            soonest = min(b.last + b.size * self.timeout for b in self.live)
            ms = max(1, min(ms, int((soonest - now) * 1000) + 1))
        for fd, _ev in poller.poll(ms):
            b = by_fd[fd]
            if fd == b.fd:
                self._read(b)
        now = time.monotonic()
        for b in list(self.live):
            if supervise.wait_exit(b.child, 0):
                self._finish(b)
            elif self.timeout > 0 and now - b.last > b.size * self.timeout:
                self._stall(b)

    def _read(self, b: _Batch) -> None:
        msgs, b.buf = supervise.read_lines(b.fd, b.buf)
        for msg in msgs:
            b.last = time.monotonic()
            if "start" in msg:
                b.running = msg["start"]
                continue
            index = msg["i"]
            b.done.add(index)
            b.running = None
            self.on_result(self.jobs[index], Outcome(
                msg.get("rc"), msg.get("stdout", ""), msg.get("stderr", ""),
                timed_out=msg.get("timed_out", False), error=msg.get("error"),
                duration=msg.get("duration", 0.0)))

    def _finish(self, b: _Batch) -> None:
        """The worker ended: take its last results; a case it died in is R603."""
        self._read(b)
        status = supervise.reap(b.child)
        code, signo = supervise.exit_code_of(status)
        self._close(b)
        left = [(i, j) for i, j in b.jobs if i not in b.done]
        if not left:
            return
        if b.running is None and not b.done:
            b.running = left[0][0]         # died before its first case: blame that one
        if b.running is not None:
            why = (supervise.signal_name(signo) if signo is not None
                   else f"exit status {code}")
            err = supervise.signal_to_diagnostic(signo, b.jobs[0][1].engine) \
                if signo is not None else None
            self.on_result(self.jobs[b.running], Outcome(
                None, "", _render(err) if err else "", error=f"worker died: {why}",
                code="ILO-R603"))
            left = [(i, j) for i, j in left if i != b.running]
        if left:
            self.queue.appendleft((left, b.size))

    def _stall(self, b: _Batch) -> None:
        """No result for a whole window: kill the session, halve, retry."""
        self.stalls += 1
        self._kill(b)
        self._read(b)
        self._close(b)
        left = [(i, j) for i, j in b.jobs if i not in b.done]
        size = max(1, b.size // 2)
        if b.size == 1 and left:                # alone, and stuck again: a timeout
            index, job = left.pop(0)
            from ilo import runtime_guard
            err = runtime_guard.runtime_error(self.timeout, self.timeout, job.engine, "run",
                                              stalled=True)
            self.on_result(job, Outcome(None, "", _render(err), timed_out=True,
                                        code=runtime_guard.R_RUNTIME, duration=self.timeout))
        chunks = [left[i:i + size] for i in range(0, len(left), size)]
        for chunk in reversed(chunks):
            self.queue.appendleft((chunk, size))

    def _kill(self, b: _Batch) -> None:
        if b.child is not None and b.child.exit_status is None:
            supervise.kill_group(b.child.pgid)
            supervise.reap(b.child)

    def _close(self, b: _Batch) -> None:
        if b in self.live:
            self.live.remove(b)
        if self.keeper and b.child is not None:
            self.keeper.discard(b.child.pgid)
        if b.fd >= 0:
            os.close(b.fd)
            b.fd = -1
        if b.child is not None:
            b.child.close()


def _render(err) -> str:
    from ilo.diagnostics.render import render
    return render(err, "json") + "\n"
