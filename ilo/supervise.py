"""Process supervision: the hard backstop behind :mod:`ilo.runtime_guard`.

The in-process watchdog cannot stop a program that sits inside one long C
call holding the GIL, and nothing inside a process survives a segfault in
native code.  So the program runs in a forked child, in its own session and
process group; the parent only waits:

* the child ends normally -> its exit code is returned;
* the child has not ended by ``deadline + grace`` -> the parent writes the
  same ILO-R016 diagnostic the child would have written and SIGKILLs the
  child's whole process group (likewise ILO-R602 when the child's resident
  memory stays over ``--max-memory`` and ILO-R601 when its stdout counter
  stops moving for ``--max-idle + grace``);
* the child is killed by a signal (SIGSEGV in native code, the OOM killer's
  SIGKILL, ...) -> ILO-R603 "engine crashed: SIGSEGV", exit 1;
* SIGINT / SIGTERM / SIGHUP to the parent -> the child's group is killed,
  then the parent dies of the same signal (exit status 128 + signal).  The
  termination signals are blocked across ``fork`` so one that arrives before
  the child has its own session is not lost: the parent handles it once the
  child exists, and kills the child by pid as well as by group.
* Ctrl-Z (SIGTSTP) to the parent stops the child's group too and then the
  parent; ``fg`` (SIGCONT) resumes both.  Time spent stopped is not counted
  against ``--max-runtime`` or ``--max-idle`` (the parent records it in the
  status page the child's guard reads).
* the child's guard has stopped the program and is still handing pending
  output to a slow but live reader -> the parent waits while bytes keep
  moving (``--drain-timeout``), instead of killing it at its backstop.
* the parent dies any other way (even SIGKILL) -> the kernel kills the
  child's whole process group: the child holds the read end of a "lifeline"
  pipe armed with O_ASYNC / F_SETOWN(-group) / F_SETSIG(SIGKILL); when the
  parent's write end closes, SIGKILL goes to every process in the group,
  even one stuck in native code.  No orphan, ever.

Exactly one diagnostic: a one-byte "claim" pipe is shared by parent and
child; whoever reads the byte reports, the other stays silent.

Reusable pieces for a parallel ``ilo test`` runner or ``ilo serv``:
:func:`spawn_in_session`, :func:`wait_with_deadline`, :func:`kill_group`,
:func:`reap`, :func:`signal_to_diagnostic`.  ``ILO_NO_FORK=1`` runs the
target in-process (only the in-process watchdog then).
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import select
import signal
import struct
import sys
import threading
import time

from ilo.plain import Factory, plain
from ilo import runtime_guard, sink
from ilo.diagnostics.errors import IloError, IloRuntimeError

GRACE_S = 0.5
WATCH_EVERY_S = 0.1          # parent's sampling period for memory / idle backstops
#: the signals that end a run; blocked across fork (see spawn_in_session)
TERM_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_lifelines: set[int] = set()  # write ends held for live children (closed in siblings)

_SIGNAL_TEXT = {
    "SIGSEGV": "segmentation fault in native code",
    "SIGBUS": "bus error in native code",
    "SIGILL": "illegal instruction in native code",
    "SIGFPE": "arithmetic fault in native code",
    "SIGABRT": "aborted by native code",
    "SIGKILL": "killed, most often by the system's out-of-memory killer",
    "SIGTERM": "terminated by another process",
    "SIGXCPU": "CPU time limit (ulimit -t) exceeded",
    "SIGXFSZ": "file size limit (ulimit -f) exceeded",
    "SIGSYS": "bad system call",
}


@plain
class Child:
    """A program running in a forked child (its own session and process group)."""

    pid: int
    claim_fd: int                 # shared one-byte claim pipe (read end, non-blocking)
    status: mmap.mmap | None      # shared status page (runtime_guard.STATUS_SIZE)
    out_buffer: mmap.mmap | None = None  # the child's shared stdout buffer (sink)
    pidfd: int = -1
    lifeline: int = -1            # write end of the lifeline pipe (closing it kills the group)
    started: float = Factory(time.monotonic)
    exit_status: int | None = None  # raw waitpid status once reaped

    @property
    def pgid(self) -> int:
        return self.pid           # session leader == group leader

    def out_bytes(self) -> int:
        return struct.unpack_from("<Q", self.status, 0)[0] if self.status is not None else 0

    def phase(self) -> str | None:
        return runtime_guard.status_phase(self.status) if self.status is not None else None

    def drain_progress(self) -> int:
        """0, or 1 + bytes the child's stop has handed to stdout so far."""
        return runtime_guard.status_drain(self.status) if self.status is not None else 0

    def add_pause(self, seconds: float) -> None:
        if self.status is not None:
            struct.pack_into("<d", self.status, 16,
                             runtime_guard.status_paused(self.status) + seconds)

    def paused(self) -> float:
        return runtime_guard.status_paused(self.status) if self.status is not None else 0.0

    def rss_bytes(self) -> int:
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as fh:
                return int(fh.read().split()[1]) * runtime_guard._PAGE
        except (OSError, ValueError, IndexError):
            return 0

    def close(self) -> None:
        """Release the parent's handles (after :func:`reap`)."""
        _lifelines.discard(self.lifeline)
        for fd in (self.claim_fd, self.pidfd, self.lifeline):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.claim_fd = self.pidfd = self.lifeline = -1
        for name in ("status", "out_buffer"):
            mm = getattr(self, name)
            if mm is not None:
                try:
                    mm.close()
                except BufferError:
                    pass
                setattr(self, name, None)

    def rescue_output(self, window: float) -> None:
        """Write what the dead child had buffered for stdout but not written,
        for as long as the reader keeps taking it (``window``: see
        ``--drain-timeout``)."""
        if self.out_buffer is not None:
            data = sink.rescue(self.out_buffer)
            if data:
                sink.write_fd_draining(1, data, window)


# --------------------------------------------------------------------------
# low-level pieces

def _pipe(nonblock: bool = False) -> tuple[int, int]:
    if hasattr(os, "pipe2"):
        return os.pipe2(os.O_CLOEXEC | (os.O_NONBLOCK if nonblock else 0))
    r, w = os.pipe()                               # (not Linux) already non-inheritable
    if nonblock:
        os.set_blocking(r, False)
        os.set_blocking(w, False)
    return r, w


def no_fork() -> bool:
    """``ILO_NO_FORK=1`` (any value but empty or 0): run in-process."""
    return os.environ.get("ILO_NO_FORK", "") not in ("", "0") or not hasattr(os, "fork")


def spawn_in_session(target: Callable[[], int], *, child_signals: bool = True) -> Child:
    """Fork; the child runs ``target()`` in a new session and ``os._exit``s
    with its return value (flushing stdout/stderr first).  Never returns in
    the child."""
    sink.flush()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
    claim_r, claim_w = _pipe(nonblock=True)
    os.write(claim_w, b"!")
    os.close(claim_w)
    life_r, life_w = _pipe()
    status = mmap.mmap(-1, runtime_guard.STATUS_SIZE)
    out_buffer = sink.new_buffer()
    parent = os.getpid()
    # A termination signal arriving while the child has no session of its own
    # yet would kill or miss it: keep them pending until each side is ready.
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, TERM_SIGNALS)
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        for fd in (claim_r, life_r, life_w):
            os.close(fd)
        status.close()
        out_buffer.close()
        raise
    if pid == 0:                                   # ---- child
        sink.attach_buffer(out_buffer)
        _child_main(target, claim_r, status, parent, life_r, life_w, child_signals,
                    old_mask)
    signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)   # pending ones run now
    os.close(life_r)
    _lifelines.add(life_w)
    child = Child(pid, claim_r, status, out_buffer, lifeline=life_w)
    try:
        child.pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        child.pidfd = -1
    return child


def _arm_lifeline(life_r: int) -> None:
    """Have the kernel SIGKILL our whole process group when the parent's end
    of the lifeline closes (the parent died), then check it has not already."""
    fcntl.fcntl(life_r, fcntl.F_SETOWN, -os.getpid())
    if hasattr(fcntl, "F_SETSIG"):
        fcntl.fcntl(life_r, fcntl.F_SETSIG, int(signal.SIGKILL))
    flags = fcntl.fcntl(life_r, fcntl.F_GETFL)
    fcntl.fcntl(life_r, fcntl.F_SETFL, flags | os.O_ASYNC)
    poller = select.poll()
    poller.register(life_r, select.POLLIN)
    if poller.poll(0):                             # EOF already: the parent is gone
        os._exit(1)


def _child_main(target, claim_fd, status, parent, life_r, life_w, child_signals,
                old_mask) -> None:
    code = 1
    try:
        os.setsid()
        for fd in (life_w, *_lifelines):           # siblings' lifelines are not ours
            try:
                os.close(fd)
            except OSError:
                pass
        _lifelines.clear()
        _arm_lifeline(life_r)
        if child_signals:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGTSTP, signal.SIGCONT):
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
        else:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        runtime_guard.bind_supervisor(claim_fd, status, parent)
        code = target()
    except SystemExit as exc:
        code = exc.code
    except MemoryError:
        runtime_guard.memory_exhausted()
    except BaseException as exc:  # noqa: BLE001
        code = _internal_error(exc)
    finally:
        try:
            code = _exit_code(code)
            sink.flush()
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (AttributeError, ValueError, OSError):
                    pass
        finally:
            os._exit(code if isinstance(code, int) else 1)


def _internal_error(exc: BaseException) -> int:
    """A bug in ilo reached the top of the child: one ILO-R013 diagnostic
    (the traceback too with ``ILO_DEBUG=1``), exit 1."""
    if os.environ.get("ILO_DEBUG"):
        import traceback  # noqa: PLC0415
        try:
            traceback.print_exc()
        except Exception:  # noqa: BLE001
            pass
    err = IloRuntimeError("ILO-R013", f"internal error: {type(exc).__name__}: {exc}",
                          hint="this is a bug in ilo, not in your program; set ILO_DEBUG=1 "
                               "for the Python traceback")
    if runtime_guard.claim_report():
        emit(err, runtime_guard._mode)
    return 1


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, bool):
        return int(code)
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(f"{code}\n")
    except Exception:  # noqa: BLE001
        pass
    return 1


# --------------------------------------------------------------------------
# JSON lines between a parent and its workers (ilo test's pool, ilo serv)

def send_line(fd: int, obj) -> None:
    """Write ``obj`` as one JSON line to a pipe (all of it, blocking)."""
    import json  # noqa: PLC0415
    data = (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_lines(fd: int, buf: bytes) -> tuple[list, bytes]:
    """Read what a non-blocking pipe holds now; return the whole JSON lines
    it completes (decoded) and the partial rest."""
    import json  # noqa: PLC0415
    try:
        while True:
            data = os.read(fd, 1 << 16)
            if not data:
                break
            buf += data
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        return [], buf
    *lines, buf = buf.split(b"\n")
    return [json.loads(x.decode("utf-8", "surrogateescape")) for x in lines if x.strip()], buf


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Signal a whole process group and its leader by pid (a child forked a
    moment ago may not lead its group yet); anything already gone is fine."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def wait_exit(child: Child, timeout: float | None, wake_fd: int = -1) -> bool:
    """Wait (without reaping) until the child has exited; False on timeout or
    when ``wake_fd`` became readable first."""
    if child.exit_status is not None:
        return True
    if child.pidfd >= 0:
        poller = select.poll()
        poller.register(child.pidfd, select.POLLIN)
        if wake_fd >= 0:
            poller.register(wake_fd, select.POLLIN)
        ms = None if timeout is None else min(max(0, int(timeout * 1000 + 0.999)), 1 << 30)
        for fd, _ev in poller.poll(ms):
            if fd == child.pidfd:
                return True
        return False
    # no pidfd (old kernel / not Linux): poll waitpid with a short sleep
    end = None if timeout is None else time.monotonic() + timeout
    step = 0.0005
    while True:
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid:
            child.exit_status = status
            return True
        if wake_fd >= 0 and select.select([wake_fd], [], [], 0)[0]:
            return False
        if end is not None and time.monotonic() >= end:
            return False
        time.sleep(step)
        step = min(step * 2, 0.02)


def reap(child: Child) -> int:
    """Kill whatever is left of the child's process group (grandchildren),
    then collect the child's raw wait status.  The group is signalled while
    the child is still an unreaped zombie, so its id cannot have been reused."""
    kill_group(child.pgid, signal.SIGKILL)
    if child.exit_status is None:
        while True:
            try:
                _pid, status = os.waitpid(child.pid, 0)
                break
            except ChildProcessError:
                status = 0
                break
            except InterruptedError:
                continue
        child.exit_status = status
    return child.exit_status


def claim(child: Child) -> bool:
    """Take the right to report (see :func:`runtime_guard.claim_report`)."""
    try:
        return os.read(child.claim_fd, 1) == b"!"
    except (BlockingIOError, OSError):
        return False


def signal_name(signo: int) -> str:
    try:
        return signal.Signals(signo).name
    except ValueError:
        return f"signal {signo}"


def signal_to_diagnostic(signo: int, engine=None) -> IloRuntimeError:
    """ILO-R603 for a child that died of a signal."""
    name = signal_name(signo)
    why = _SIGNAL_TEXT.get(name, "killed by a signal")
    if name == "SIGKILL":
        hint = ("the engine process was killed from outside, most often by the "
                "out-of-memory killer; lower the program's memory use or set "
                "--max-memory MB so ilo stops it with a clear diagnostic")
    else:
        hint = (f"the engine process died of {name} ({why}); this is a bug in ilo "
                "or in native code it loads, not in your program: try another "
                "--engine and report it")
    return IloRuntimeError(runtime_guard.R_CRASH, f"engine crashed: {name}", hint=hint,
                           extra=runtime_guard._extra(signal=name, signo=signo,
                                                      engine=engine))


def exit_code_of(status: int) -> tuple[int | None, int | None]:
    """(exit code, None) for a normal exit, (None, signal) for a killed child."""
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status), None
    return 1, None


def emit(err: IloError, mode: str) -> None:
    """Write one diagnostic to stderr (bounded: a blocked stderr cannot hang us)."""
    from ilo.diagnostics.render import render  # noqa: PLC0415
    sink.write_stderr_bounded(render(err, mode) + "\n", time.monotonic() + 1.0)


# --------------------------------------------------------------------------
# parent signal handling

class _Stopper:
    """SIGINT/SIGTERM/SIGHUP to the parent: remember it and wake the wait.
    SIGTSTP (Ctrl-Z): wake the wait so it can pause the child (see _pause)."""

    def __init__(self):
        self.signo = 0
        self.tstp = False
        self.r, self.w = _pipe(nonblock=True)
        self.saved = {}

    def __enter__(self):
        try:
            for sig in (*TERM_SIGNALS, signal.SIGTSTP):
                self.saved[sig] = signal.signal(sig, self._handler)
        except ValueError:          # not the main thread: the caller handles signals
            pass
        return self

    def _handler(self, signo, frame):
        if signo == signal.SIGTSTP:
            self.tstp = True
        elif not self.signo:
            self.signo = signo
        try:
            os.write(self.w, b"s")
        except OSError:
            pass

    def woken(self) -> bool:
        """Empty the wake pipe; True if anything is to be done."""
        try:
            while os.read(self.r, 64):
                pass
        except OSError:
            pass
        return bool(self.signo) or self.tstp

    def __exit__(self, *exc):
        for sig, old in self.saved.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
        os.close(self.r)
        os.close(self.w)
        return False


def _pause(child: Child, stopper: _Stopper) -> None:
    """Ctrl-Z: stop the child's group, then ourselves; on ``fg`` resume it
    and record the stopped time so the child's budgets do not count it."""
    stopper.tstp = False
    kill_group(child.pgid, signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        # SIGSTOP, not SIGTSTP: the kernel drops SIGTSTP for a process group
        # without a parent in the session (ilo started by a harness in a
        # session of its own), and the child is already stopped
        os.kill(os.getpid(), signal.SIGSTOP)     # returns after SIGCONT
    finally:
        child.add_pause(time.monotonic() - t0)
        kill_group(child.pgid, signal.SIGCONT)


def die_of(signo: int) -> None:
    """Exit the way a process killed by ``signo`` does (shells see 128+signo)."""
    sink.drain(time.monotonic() + 0.5)
    signal.signal(signo, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signo])
    os.kill(os.getpid(), signo)
    os._exit(128 + signo)


class GroupKeeper:
    """The process groups a command started (``ilo test`` cases, ``ilo serv``
    workers).  Used as a context manager in the main thread: SIGINT, SIGTERM
    or SIGHUP kills every group (including one being started that very
    moment, see :meth:`starting`), then the command dies of the same signal
    (exit status 128 + signal).  Without it, a killed runner would leave its
    cases running, each in its own session, until their own budgets ran out.
    """

    START_WAIT_S = 1.0        # how long a signal waits for starts in progress

    def __init__(self):
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self._starting = 0
        self.closing = 0          # the signal being handled, once one came
        self._saved = {}

    def __enter__(self):
        try:
            for sig in TERM_SIGNALS:
                self._saved[sig] = signal.signal(sig, self._on_signal)
        except ValueError:        # not the main thread
            pass
        return self

    def __exit__(self, *exc):
        for sig, old in self._saved.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
        self._saved.clear()
        return False

    @contextlib.contextmanager
    def starting(self):
        """Wrap the start of a process: a signal arriving meanwhile waits
        for it to be added (and killed)."""
        with self._lock:
            self._starting += 1
        try:
            yield
        finally:
            with self._lock:
                self._starting -= 1

    def add(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)
            closing = self.closing
        if closing:
            kill_group(pgid)

    def discard(self, pgid: int) -> None:
        with self._lock:
            self._groups.discard(pgid)

    def kill_all(self) -> None:
        with self._lock:
            groups = list(self._groups)
        for pgid in groups:
            kill_group(pgid)

    def _on_signal(self, signo, frame) -> None:
        if self.closing:
            return
        self.closing = signo
        self.kill_all()
        end = time.monotonic() + self.START_WAIT_S
        while self._starting and time.monotonic() < end:
            time.sleep(0.005)
        self.kill_all()
        die_of(signo)


# --------------------------------------------------------------------------
# the whole thing

def wait_with_deadline(child: Child, *, deadline_s: float | None, grace_s: float = GRACE_S,
                       max_memory_mb: float = 0, max_idle: float = 0,
                       wake_fd: int = -1, stop: Callable[[], bool] | None = None,
                       stopper: _Stopper | None = None):
    """Wait for ``child``, enforcing the backstops.

    Returns ``(reason, detail)`` *without reaping*: ``("exited", None)``,
    ``("runtime", elapsed_s)``, ``("memory", rss_bytes)``, ``("idle", idle_s)``
    or ``("stopped", None)`` when ``wake_fd`` fired and ``stop()`` said so.
    With ``stopper`` its pipe wakes the wait, Ctrl-Z pauses the child and a
    termination signal returns ``("stopped", None)``.  Time the child spent
    paused is added to every budget.
    """
    if stopper is not None:
        wake_fd, stop = stopper.r, stopper.woken
    start = child.started
    watch = bool(max_memory_mb) or bool(max_idle)
    mem_limit = int(max_memory_mb * 1048576) if max_memory_mb else 0
    over_since = None
    seen, seen_at = child.out_bytes(), start
    while True:
        now = time.monotonic()
        hard = start + deadline_s + grace_s + child.paused() if deadline_s else None
        timeout = None if hard is None else max(0.0, hard - now)
        if watch:
            timeout = WATCH_EVERY_S if timeout is None else min(timeout, WATCH_EVERY_S)
        if wait_exit(child, timeout, wake_fd):
            return "exited", None
        now = time.monotonic()
        if stop is not None and stop():
            if stopper is None or stopper.signo:
                return "stopped", None
            _pause(child, stopper)
            seen_at = time.monotonic()
            continue
        if hard is not None and now >= hard:
            return "runtime", now - start - child.paused()
        if mem_limit:
            rss = child.rss_bytes()
            if rss > mem_limit:
                if over_since is None:
                    over_since = now
                elif now - over_since >= min(grace_s, 0.2):
                    return "memory", rss
            else:
                over_since = None
        if max_idle:
            cur = child.out_bytes()
            if cur != seen:
                seen, seen_at = cur, now
            elif now - seen_at >= max_idle + grace_s:
                return "idle", now - seen_at


def run_supervised(target: Callable[[], int], *, deadline_s: float | None = None,
                   grace_s: float = GRACE_S, mode: str = "json", engine=None,
                   limits: runtime_guard.GuardLimits | None = None,
                   on_timeout_diag: Callable[[float], IloError] | None = None,
                   handle_signals: bool = True) -> int:
    """Run ``target`` in a supervised child; return the exit code to use.

    ``deadline_s`` (or ``limits.max_runtime``; ``None``/0 = no deadline) is
    the budget the child enforces itself; the parent steps in at
    ``deadline_s + grace_s``.  ``limits`` also enables the memory and idle
    backstops.  ``on_timeout_diag(elapsed_s)`` may build a custom diagnostic
    for the parent's timeout.  With ``handle_signals`` (main thread only) a
    SIGINT/SIGTERM/SIGHUP to the parent kills the child's group and then the
    parent itself with the same signal, and Ctrl-Z pauses both.
    """
    limits = limits or runtime_guard.GuardLimits(
        max_runtime=deadline_s or 0, max_output_bytes=0, max_memory_mb=0)
    if deadline_s is None:
        deadline_s = limits.max_runtime
    if no_fork():
        return _run_inline(target)
    with (_Stopper() if handle_signals else contextlib.nullcontext()) as stopper:
        try:
            child = spawn_in_session(target)
        except OSError:                      # cannot fork (EAGAIN, ENOMEM): guard in-process
            return _run_inline(target)
        try:
            code = _supervise(child, deadline_s, grace_s, mode, engine, limits,
                              on_timeout_diag, stopper)
        finally:
            _cleanup(child)
    if stopper is not None and stopper.signo:
        die_of(stopper.signo)
    return code


@plain
class Contained:
    """Settings and outcome of :func:`contained_runs`."""

    cap: float = 0.0              # longest run in seconds (0: the flags' budget only)
    timed_out: bool = False       # the last run was stopped by ``cap``


_contained: Contained | None = None


@contextlib.contextmanager
def contained_runs(cap: float = 0.0):
    """Within this context :func:`run_guarded` runs its body right here, in
    this process, with the guard installed *contained*: a stop (R016, R017,
    ...) ends the body with its diagnostic on stderr and exit code 1, not
    the process.  ``cap`` bounds each run's wall clock further (a case
    timeout); ``.timed_out`` tells whether it was the cap that stopped the
    last run.  For ``ilo test`` workers, which run many cases in one process;
    the worker itself is supervised (stall window, killed session)."""
    global _contained
    prev, _contained = _contained, Contained(cap)
    try:
        yield _contained
    finally:
        _contained = prev


def _run_contained(body, limits, mode, engine, state: Contained) -> int:
    capped = state.cap > 0 and (not limits.max_runtime or state.cap < limits.max_runtime)
    if capped:
        limits = limits.replace(max_runtime=state.cap)
    runtime_guard.install(limits, mode, engine, contained=True)
    err = source = None
    try:
        try:
            code = body()
            sink.flush()
        except runtime_guard.GuardStop:
            code = 1
        except MemoryError:
            code = 1
            err = runtime_guard.memory_error(limits.max_memory_mb, runtime_guard._rss_bytes(),
                                             runtime_guard.elapsed(), engine, "run")
        err = runtime_guard.take_stop() or err
        source = runtime_guard._source
    finally:
        runtime_guard.uninstall()
    state.timed_out = bool(capped and err is not None and err.code == runtime_guard.R_RUNTIME)
    if err is not None:
        from ilo.diagnostics.render import render  # noqa: PLC0415
        sink.write_stderr(render(err, mode, source) + "\n")
        code = 1
    return code


def run_guarded(body: Callable[[], int], limits: runtime_guard.GuardLimits,
                mode: str = "json", engine=None, *, grace_s: float = GRACE_S) -> int:
    """The CLI's one call: run ``body`` (parse + verify + run, writing through
    :mod:`ilo.sink`) in a supervised child with the runtime guard installed,
    and a hard data-size limit behind ``--max-memory`` (in this process,
    contained, inside :func:`contained_runs`)."""
    if _contained is not None:
        return _run_contained(body, limits, mode, engine, _contained)

    def child() -> int:
        runtime_guard.install(limits, mode, engine)
        runtime_guard.hard_memory_limit(limits.max_memory_mb)
        try:
            code = body()
        except MemoryError:
            runtime_guard.memory_exhausted()
        sink.flush()                 # still guarded: a blocked pipe ends in R016
        return code

    return run_supervised(child, deadline_s=limits.max_runtime, grace_s=grace_s,
                          mode=mode, engine=engine, limits=limits)


def _cleanup(child: Child) -> None:
    if child.exit_status is None:
        kill_group(child.pgid, signal.SIGKILL)
        reap(child)
    child.close()


def _supervise(child, deadline_s, grace_s, mode, engine, limits, on_timeout_diag,
               stopper) -> int:
    max_mem, max_idle = limits.max_memory_mb, limits.max_idle
    window = limits.drain_timeout
    reason, detail = wait_with_deadline(child, deadline_s=deadline_s or None,
                                        grace_s=grace_s, max_memory_mb=max_mem,
                                        max_idle=max_idle, stopper=stopper)
    if reason == "exited":
        code, signo = exit_code_of(reap(child))
        if signo is None:
            return code
        if claim(child):            # not after the child's own diagnostic
            child.rescue_output(window)
            emit(signal_to_diagnostic(signo, engine), mode)
        return 1
    if reason == "stopped":
        kill_group(child.pgid, signal.SIGKILL)
        reap(child)
        claim(child)
        return 128 + stopper.signo
    # a backstop fired
    if claim(child):
        kill_group(child.pgid, signal.SIGKILL)
        reap(child)
        child.rescue_output(window)
        phase = child.phase()
        elapsed = time.monotonic() - child.started - child.paused()
        if reason == "runtime":
            err = on_timeout_diag(detail) if on_timeout_diag else \
                runtime_guard.runtime_error(deadline_s, detail, engine, phase, backstop=True)
        elif reason == "memory":
            err = runtime_guard.memory_error(max_mem, detail, elapsed, engine, phase,
                                             backstop=True)
        else:
            err = runtime_guard.idle_error(max_idle, detail, child.out_bytes(), elapsed,
                                           engine, phase, backstop=True)
        emit(err, mode)
        return 1
    # the child is reporting its own stop: let it finish, however long a live
    # reader takes to accept the output it is still handing on
    _wait_reporting(child, window, stopper)
    code, _signo = exit_code_of(reap(child))
    return code if code else 1


def _wait_reporting(child: Child, window: float, stopper) -> None:
    """Wait while the child's exit path makes progress; give up (the caller
    kills it) after ``window`` plus a second with no byte moving."""
    slack = runtime_guard.ABORT_FLUSH_S * 2 + 0.5
    last, since = child.drain_progress(), time.monotonic()
    wake = stopper.r if stopper is not None else -1
    while not wait_exit(child, WATCH_EVERY_S, wake):
        if stopper is not None and stopper.woken() and stopper.signo:
            return
        now = time.monotonic()
        cur = child.drain_progress()
        if cur != last:
            last, since = cur, now
        elif now - since > (window + slack if cur else slack):
            return


def _run_inline(target: Callable[[], int]) -> int:
    try:
        code = target()
    except SystemExit as exc:
        code = exc.code
    return _exit_code(code)
