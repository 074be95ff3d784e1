"""Runtime guard: ilo stops a runaway program itself and says why.

An agent's program that loops forever or floods stdout must not hang the
harness or fill its disk.  This module enforces four budgets inside the
process that runs the program:

=====================  ==========  =========  ===================================
flag                   default     code       what is measured
=====================  ==========  =========  ===================================
``--max-runtime S``    60          ILO-R016   wall clock since :func:`install`
``--max-output-bytes`` 104857600   ILO-R017   bytes charged by ``sink.write_stdout``
``--max-memory MB``    4096        ILO-R602   resident memory (MiB)
``--max-idle S``       0 (off)     ILO-R601   time since stdout last grew
=====================  ==========  =========  ===================================

``0`` disables a budget.  Every stop goes through :func:`abort_with`, the one
exit path: it flushes the program's stdout (bounded in time, so a pipe nobody
reads cannot hang it), writes exactly one diagnostic to stderr (one JSON line,
or ``error[CODE]: message`` / ``  hint: ...`` text) and ``os._exit(1)``.

Watchdog design: no engine calls anything per iteration.  A one-shot
``ITIMER_REAL`` timer raises SIGALRM; CPython runs the Python-level handler in
the main thread between bytecodes, so a pure-Python loop is stopped within a
millisecond or so of the deadline (the timer is aimed at the deadline itself).
Between deadlines the handler also ticks every :data:`TICK_S` seconds to check
memory and idleness and to flush buffered stdout.  A program stuck inside one
long C call that holds the GIL cannot be interrupted this way; that case is
covered by the supervising parent process (:mod:`ilo.supervise`).

Output accounting: :func:`record_output` is called by ``sink.write_stdout``
*before* it writes; a write that would take the total past the cap is not
done, so stdout holds the longest prefix of whole writes within the cap
(``prnt`` writes whole lines, so stdout ends on a whole line).
"""

from __future__ import annotations

import _thread
import math
import os
import re
import signal
import struct
import sys
import threading
import time

from ilo.plain import plain
from ilo.diagnostics.errors import IloRuntimeError, IloUsageError

# --------------------------------------------------------------------------
# limits and flag parsing

DEFAULT_MAX_RUNTIME = 60.0
DEFAULT_MAX_OUTPUT_BYTES = 104_857_600
DEFAULT_MAX_MEMORY_MB = 4096
DEFAULT_MAX_IDLE = 0.0
DEFAULT_MAX_WRITE_BYTES = 1 << 30
DEFAULT_DRAIN_TIMEOUT = 5.0

#: Longest accepted time budget: the platform's longest timed wait
#: (``threading.TIMEOUT_MAX``, about 292 years on Linux).  Longer values are a
#: usage error; anything shorter works, timers re-arm in steps.
MAX_SECONDS = min(threading.TIMEOUT_MAX, 9.2e9)
#: Smallest accepted memory budget (MiB); smaller positive values would round
#: to "no limit" in bytes or pages, so they are refused.
MIN_MEMORY_MB = 1.0

#: Code used for a bad guard-flag value (IloUsageError, exit 2).
USAGE_CODE = "ILO-U002"

R_RUNTIME = "ILO-R016"
R_OUTPUT = "ILO-R017"
R_IDLE = "ILO-R601"
R_MEMORY = "ILO-R602"
R_CRASH = "ILO-R603"
R_WRITE = "ILO-R605"

#: Seconds between periodic checks (memory, idle, stdout flush, parent alive).
TICK_S = 0.1
#: How long the exit path may spend flushing stdout / writing the diagnostic.
ABORT_FLUSH_S = 0.25


@plain(frozen=True)
class GuardLimits:
    """The four budgets; ``0`` disables one."""

    max_runtime: float = DEFAULT_MAX_RUNTIME        # seconds (decimals allowed)
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES  # bytes of program stdout
    max_memory_mb: float = DEFAULT_MAX_MEMORY_MB    # resident memory, MiB
    max_idle: float = DEFAULT_MAX_IDLE              # seconds without stdout output
    max_write_bytes: int = DEFAULT_MAX_WRITE_BYTES  # bytes written to files (wr, wrl)
    drain_timeout: float = DEFAULT_DRAIN_TIMEOUT    # stop: give a stalled reader this long

    @classmethod
    def disabled(cls) -> "GuardLimits":
        return cls(0.0, 0, 0, 0.0, 0, DEFAULT_DRAIN_TIMEOUT)

    def with_flag(self, flag: str, text) -> "GuardLimits":
        """A copy with one flag applied; ``text`` as typed on the command line."""
        return self.replace(**{GUARD_FLAGS[flag]: parse_limit(flag, text)})


#: command-line flag -> GuardLimits field
GUARD_FLAGS = {
    "--max-runtime": "max_runtime",
    "--max-output-bytes": "max_output_bytes",
    "--max-memory": "max_memory_mb",
    "--max-idle": "max_idle",
    "--max-write-bytes": "max_write_bytes",
    "--drain-timeout": "drain_timeout",
}

_FLAG_UNITS = {
    "--max-runtime": "seconds",
    "--max-output-bytes": "bytes",
    "--max-memory": "megabytes",
    "--max-idle": "seconds",
    "--max-write-bytes": "bytes",
    "--drain-timeout": "seconds",
}
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def parse_limit(flag: str, text) -> float | int:
    """Validate one guard flag value; raise IloUsageError (exit 2) if bad.

    Byte flags take a whole number, the others a plain decimal number
    (``1.5``, ``2e3``).  Refused: anything else (signs, ``nan``, ``inf``,
    ``0x10``, digit separators, non-ASCII digits), time budgets past
    :data:`MAX_SECONDS`, and memory budgets between 0 and
    :data:`MIN_MEMORY_MB`.  ``0`` means "no limit"; a huge byte or memory
    value is accepted and means "effectively unlimited".
    """
    if flag not in GUARD_FLAGS:
        raise IloUsageError(USAGE_CODE, f"unknown guard flag {flag}")
    unit = _FLAG_UNITS[flag]
    whole = unit == "bytes"
    want = "a whole number" if whole else "a number"
    zero = "" if flag == "--drain-timeout" else " (0 disables the limit)"
    hint = (f"{flag} takes {want} of {unit} >= 0{zero}, "
            f"e.g. {flag} {'1048576' if whole else '5'}")
    if text is None:
        raise IloUsageError(USAGE_CODE, f"{flag} needs a value", hint=hint)
    raw = str(text).strip()

    def bad(why: str = ""):
        return IloUsageError(USAGE_CODE, f"invalid value for {flag}: {str(text)!r}{why}",
                             hint=hint, extra={"flag": flag})

    if not (_WHOLE if whole else _DECIMAL).fullmatch(raw):
        raise bad()
    value = int(raw) if whole else float(raw)
    if not whole and not math.isfinite(value):
        raise bad()
    if unit == "seconds" and value > MAX_SECONDS:
        raise bad(f" (past the platform's time range, {int(MAX_SECONDS)} s)")
    if flag == "--max-memory" and 0 < value < MIN_MEMORY_MB:
        raise bad(f" (below the smallest budget, {fmt_num(MIN_MEMORY_MB)} MB)")
    return value


def limits_from_flags(values: dict | None = None, base: GuardLimits | None = None) -> GuardLimits:
    """Build limits from ``{"--max-runtime": "0.5", ...}`` (unset flags keep defaults)."""
    limits = base or GuardLimits()
    for flag, text in (values or {}).items():
        limits = limits.with_flag(flag, text)
    return limits


def diag_mode(json_flag: bool, stream=None) -> str:
    """``"json"`` with ``--json`` or when stderr is not a terminal, else ``"text"``."""
    if json_flag:
        return "json"
    stream = sys.stderr if stream is None else stream
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError, OSError):
        return "json"


# --------------------------------------------------------------------------
# diagnostics (shared with ilo.supervise so both sides say the same thing)

#: Where a run can be when a budget runs out.  The budget covers the whole
#: run; the phase tells a harness whether the program ever started.
PHASES = ("start-up", "check", "run")

_PHASE_HINTS = {
    "start-up": "the budget ran out while ilo itself was still starting (loading its "
                "modules and reading the program), before the program ran: the budget "
                "is smaller than ilo's own start-up on this machine; raise {flag}",
    "check": "the budget ran out while ilo was parsing and checking the program, "
             "before it ran: the machine is loaded or the program is very large; "
             "raise {flag}",
}


def _phase_hint(phase, flag: str, run_hint: str) -> str:
    return _PHASE_HINTS[phase].format(flag=flag) if phase in _PHASE_HINTS else run_hint


def fmt_num(x) -> str:
    """``1`` for 1.0, ``0.5`` for 0.5 -- as a user would have typed it."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def runtime_error(limit_s: float, elapsed_s: float, engine=None, phase=None,
                  **extra) -> IloRuntimeError:
    ms = fmt_num(round(limit_s * 1000, 3))
    return IloRuntimeError(
        R_RUNTIME,
        f"wall-clock runtime exceeded {ms} ms (--max-runtime {fmt_num(limit_s)})",
        hint=_phase_hint(
            phase, "--max-runtime",
            "an infinite loop is the most common cause: check that loop variables "
            "increment and that recursion has a base case; pass --max-runtime N "
            "(seconds, 0 disables) if a legitimate program needs longer"),
        extra=_extra(limit=limit_s, unit="s", elapsed_ms=int(elapsed_s * 1000),
                     engine=engine, phase=phase, **extra))


def _bytes_error(code, what, flag, hint, limit_bytes, written, refused, elapsed_s, engine,
                 extra) -> IloRuntimeError:
    return IloRuntimeError(
        code, f"{what} exceeded {limit_bytes} bytes ({flag} {limit_bytes})", hint=hint,
        extra=_extra(limit=limit_bytes, unit="bytes", bytes=written, refused_bytes=refused,
                     elapsed_ms=int(elapsed_s * 1000), engine=engine, **extra))


def output_error(limit_bytes: int, written: int, refused: int, elapsed_s: float,
                 engine=None, **extra) -> IloRuntimeError:
    return _bytes_error(
        R_OUTPUT, "stdout output", "--max-output-bytes",
        "a loop that prints without end is the most common cause: check the "
        "loop's exit condition and print less (a summary, not every step); pass "
        "--max-output-bytes N (0 disables) if the output is legitimate",
        limit_bytes, written, refused, elapsed_s, engine, extra)


def write_error(limit_bytes: int, written: int, refused: int, elapsed_s: float,
                engine=None, **extra) -> IloRuntimeError:
    return _bytes_error(
        R_WRITE, "file writes", "--max-write-bytes",
        "a loop that writes files without end is the most common cause: check "
        "the loop's exit condition and write less; pass --max-write-bytes N "
        "(0 disables) if the program legitimately writes more",
        limit_bytes, written, refused, elapsed_s, engine, extra)


def idle_error(limit_s: float, idle_s: float, written: int, elapsed_s: float,
               engine=None, phase=None, **extra) -> IloRuntimeError:
    return IloRuntimeError(
        R_IDLE,
        f"no stdout output for {fmt_num(round(limit_s * 1000, 3))} ms "
        f"(--max-idle {fmt_num(limit_s)})",
        hint=_phase_hint(
            phase, "--max-idle",
            "the program is stalled or looping silently: check loop exit conditions "
            "and waits; pass --max-idle N (seconds, 0 disables) if long silent "
            "phases are expected"),
        extra=_extra(limit=limit_s, unit="s", idle_ms=int(idle_s * 1000), bytes=written,
                     elapsed_ms=int(elapsed_s * 1000), engine=engine, phase=phase, **extra))


def memory_error(limit_mb: float, rss_bytes: int, elapsed_s: float, engine=None,
                 phase=None, **extra) -> IloRuntimeError:
    run_hint = ("unbounded growth is the most common cause: a list, map or text built up "
                "in a loop that never ends; pass --max-memory MB (0 disables) if the "
                "program legitimately needs more")
    if phase in ("start-up", "check"):
        run_hint = ("the budget is smaller than ilo needs to load and check the program "
                    "(the program never ran); raise --max-memory")
    return IloRuntimeError(
        R_MEMORY,
        f"resident memory exceeded {fmt_num(limit_mb)} MB (--max-memory {fmt_num(limit_mb)})",
        hint=run_hint,
        extra=_extra(limit=limit_mb, unit="MB", rss_mb=round(rss_bytes / 1048576, 1),
                     elapsed_ms=int(elapsed_s * 1000), engine=engine, phase=phase, **extra))


def _extra(**kw) -> dict:
    return {k: v for k, v in kw.items() if v is not None}


# --------------------------------------------------------------------------
# the status page shared with a supervising parent (see ilo.supervise)
#
#   [0:8]   stdout bytes charged so far (child; idle backstop)
#   [8:16]  phase index into PHASES (child)
#   [16:24] seconds the run spent stopped by Ctrl-Z (parent; a double)
#   [24:32] 0, or 1 + bytes handed to stdout while a stop drains (child)

STATUS_SIZE = 32
_ST_OUT, _ST_PHASE, _ST_PAUSED, _ST_DRAIN = 0, 8, 16, 24


def status_phase(status) -> str:
    i = struct.unpack_from("<Q", status, _ST_PHASE)[0]
    return PHASES[i] if i < len(PHASES) else "run"


def status_paused(status) -> float:
    return struct.unpack_from("<d", status, _ST_PAUSED)[0]


def status_drain(status) -> int:
    return struct.unpack_from("<Q", status, _ST_DRAIN)[0]


# --------------------------------------------------------------------------
# state (module globals: the hot path reads them without attribute lookups)

_NO_CAP = 1 << 62

_installed = False
_limits = GuardLimits.disabled()
_mode = "json"
_engine = None
_phase = "start-up"
_start = 0.0
_deadline = 0.0            # monotonic; 0.0 = none
_out_bytes = 0             # bytes charged (== bytes accepted for writing)
_out_cap = _NO_CAP
_file_bytes = 0            # bytes written to files
_file_cap = _NO_CAP
_idle_s = 0.0
_idle_seen = 0
_idle_mark = 0.0
_mem_limit = 0             # bytes; 0 = none
_statm_fd = -1
_timer_on = False
_prev_alarm = None
_watchdog = None           # the watchdog thread (see _Watchdog), one per process
_watchdog_pid = 0
#: held while a check runs and while budgets change, so the watchdog thread
#: never acts on a half-installed (or just uninstalled) guard
_state_lock = threading.RLock()

_abort_lock = _thread.allocate_lock()
_abort_owner = None

# where the program is: set by the running engine, asked only when a stop
# is reported (so it costs nothing until the guard fires)
_locator = None            # () -> Span | None
_source = None             # the program text the spans point into

#: codes whose diagnostic names the statement that was running
_LOCATED = (R_RUNTIME, R_IDLE, R_MEMORY, R_OUTPUT, R_WRITE)

# bound by ilo.supervise in a supervised child
_claim_fd = -1
_status = None             # shared mmap, see STATUS_SIZE
_parent_pid = 0

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

#: The watchdog thread steps in this long after a deadline the main thread's
#: SIGALRM handler has not acted on (the main thread is in native code).
THREAD_SLACK_S = 0.03


def _exit(code: int) -> None:           # replaced by in-process tests
    os._exit(code)


class GuardStop(BaseException):
    """Raised instead of exiting when the guard is installed ``contained``
    (one case of ``ilo test`` in a long-lived worker): it unwinds the case,
    and :func:`take_stop` gives the diagnostic that is the case's verdict.
    A BaseException, so the program's own error handling cannot catch it."""


_contained = False         # stops raise GuardStop instead of ending the process
_stop = None               # the diagnostic of a contained stop


def install(limits: GuardLimits | None = None, mode: str = "json", engine=None,
            phase: str = "start-up", contained: bool = False) -> None:
    """Start guarding this process.  Call once, in the main thread, right
    before the program starts (in a supervised child: first thing in the
    target).  Calling again replaces the previous installation.
    ``contained``: a stop raises :class:`GuardStop` in the main thread
    instead of ending the process (see :func:`take_stop`)."""
    with _state_lock:
        _install(limits, mode, engine, phase, contained)


def _install(limits, mode, engine, phase, contained) -> None:
    global _installed, _limits, _mode, _engine, _start, _deadline, _out_bytes, _out_cap
    global _idle_s, _idle_seen, _idle_mark, _mem_limit, _statm_fd, _prev_alarm, _timer_on
    global _file_bytes, _file_cap, _contained, _stop
    if _installed:
        _uninstall()
    _contained, _stop = contained, None
    limits = limits or GuardLimits()
    _limits, _mode, _engine = limits, mode, engine
    set_phase(phase)
    _start = time.monotonic()
    _deadline = _start + limits.max_runtime if limits.max_runtime > 0 else 0.0
    _out_bytes = _file_bytes = 0
    _out_cap = int(limits.max_output_bytes) if limits.max_output_bytes > 0 else _NO_CAP
    _file_cap = int(limits.max_write_bytes) if limits.max_write_bytes > 0 else _NO_CAP
    _idle_s = float(limits.max_idle)
    _idle_seen, _idle_mark = 0, _start
    _mem_limit = int(limits.max_memory_mb * 1048576) if limits.max_memory_mb > 0 else 0
    if _mem_limit and _statm_fd < 0:
        try:
            _statm_fd = os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            _statm_fd = -1
    _installed = True
    timed = _deadline or _idle_s > 0 or _mem_limit
    if not timed:
        return
    _ensure_watchdog()
    if hasattr(signal, "setitimer"):
        try:
            _prev_alarm = signal.signal(signal.SIGALRM, _on_alarm)
        except ValueError:
            return          # not the main thread: the watchdog thread alone
        _timer_on = True
        _arm(time.monotonic())


def uninstall() -> None:
    """Stop the watchdog and forget all budgets (for in-process tests and
    per-request reuse).  Buffered stdout is left to ``sink.flush``."""
    with _state_lock:
        _uninstall()


def _uninstall() -> None:
    global _installed, _timer_on, _prev_alarm, _out_cap, _deadline, _mem_limit, _idle_s
    global _out_bytes, _statm_fd, _abort_owner, _file_bytes, _file_cap
    global _contained, _locator, _source
    _locator = _source = None
    if _contained:
        _contained = False
        import ctypes  # noqa: PLC0415 -- drop a stop the thread sent too late
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(threading.main_thread().ident), None)
    if _timer_on:
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            signal.signal(signal.SIGALRM, _prev_alarm if _prev_alarm is not None
                          else signal.SIG_DFL)
        except (TypeError, ValueError):
            pass
        _timer_on = False
        _prev_alarm = None
    if _statm_fd >= 0:
        try:
            os.close(_statm_fd)
        except OSError:
            pass
        _statm_fd = -1
    _installed = False
    _out_cap, _deadline, _mem_limit, _idle_s, _out_bytes = _NO_CAP, 0.0, 0, 0.0, 0
    _file_cap, _file_bytes = _NO_CAP, 0
    if _abort_lock.locked():
        _abort_lock.release()
    _abort_owner = None


def set_phase(phase: str) -> None:
    """Say where the run is (``start-up``, ``check``, ``run``); a stop names it.

    Entering ``run`` checks memory once, synchronously: a budget that loading
    and checking already exceeded stops here, in the phase that spent it,
    however fast the start-up was (the periodic sample may not have come yet);
    and re-sizes the hard data limit now that the engine is loaded."""
    global _phase
    if phase == "run" and _installed and _mem_limit and _abort_owner is None:
        rss = _rss_bytes()
        if rss > _mem_limit:
            abort_error(memory_error(_limits.max_memory_mb, rss, time.monotonic() - _start, _engine,
                                     _phase))
            return
        if _hard_limit_mb:
            # the engine is loaded now (llvmlite for jit): size the data limit
            # again, so its library pages come off the allowance too
            hard_memory_limit(_hard_limit_mb)
    _phase = phase
    if _status is not None:
        struct.pack_into("<Q", _status, _ST_PHASE, PHASES.index(phase))


def phase() -> str:
    return _phase


def set_locator(locator, source: str | None = None) -> None:
    """Register ``locator() -> Span | None``: the span of the statement the
    engine is running now (or of the print being made).  A guard stop puts
    it in its diagnostic, with a caret under it in text mode.  Pass ``None``
    to forget it."""
    global _locator, _source
    _locator, _source = locator, source


def _locate():
    if _locator is None:
        return None
    try:
        return _locator()
    except Exception:  # noqa: BLE001 -- never let a locator break the exit path
        return None


def installed() -> bool:
    return _installed


def output_bytes() -> int:
    """Bytes of program stdout charged so far."""
    return _out_bytes


def elapsed() -> float:
    return time.monotonic() - _start if _installed else 0.0


def _paused() -> float:
    """Seconds this run spent stopped (Ctrl-Z): they do not count."""
    return status_paused(_status) if _status is not None else 0.0


# --------------------------------------------------------------------------
# hot path: called by sink.write_stdout before every program write

def record_output(n: int) -> None:
    """Charge ``n`` bytes about to be written to stdout.  If that would take
    the total past ``--max-output-bytes`` the write must not happen: this
    flushes what was written and exits with ILO-R017 (it does not return)."""
    global _out_bytes
    total = _out_bytes + n
    if total > _out_cap:
        _output_exceeded(n)
    _out_bytes = total


def _output_exceeded(n: int) -> None:
    abort_error(output_error(_out_cap, _out_bytes, n, time.monotonic() - _start, _engine))


def record_file_write(n: int) -> None:
    """Charge ``n`` bytes about to be written to a file (``wr``, ``wrl``);
    past ``--max-write-bytes`` the write is not made: ILO-R605."""
    global _file_bytes
    total = _file_bytes + n
    if total > _file_cap:
        abort_error(write_error(_file_cap, _file_bytes, n, time.monotonic() - _start,
                                _engine))
    _file_bytes = total


def memory_exhausted() -> None:
    """A single allocation failed (the hard limit set by the supervisor, see
    :func:`hard_memory_limit`): report it as ILO-R602 and exit."""
    abort_error(memory_error(_limits.max_memory_mb or 0, _rss_bytes(),
                             time.monotonic() - _start, _engine, _phase, hard_limit=True))


_hard_limit_mb = 0.0       # the --max-memory behind RLIMIT_DATA in this process (0: none)


def hard_memory_limit(limit_mb: float) -> None:
    """Cap this process's data segment so that one huge allocation fails
    (MemoryError -> :func:`memory_exhausted`) instead of overshooting the
    periodic check.  Sized so resident memory stays within
    ``1.25 x limit + 32 MB``: file-backed pages (code, libraries) are
    resident but not data, so they come off the allowance."""
    global _hard_limit_mb
    if limit_mb <= 0:
        return
    _hard_limit_mb = limit_mb
    try:
        import resource  # noqa: PLC0415
        allowance = int(limit_mb * 1.25 * 1048576) + (32 << 20) - _rss_file_bytes()
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if allowance >= 1 << 62:
            return                   # effectively unlimited
        if hard != resource.RLIM_INFINITY:
            allowance = min(allowance, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (max(allowance, 1 << 20), hard))
    except (ImportError, ValueError, OSError, AttributeError):
        pass


def _rss_file_bytes() -> int:
    """Resident bytes backed by files or shared memory (not data)."""
    total = 0
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith((b"RssFile:", b"RssShmem:")):
                    total += int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return total


# --------------------------------------------------------------------------
# watchdog: SIGALRM in the main thread, a thread behind it for native code

def _arm(now: float) -> None:
    delay = TICK_S
    if _deadline:
        delay = min(delay, _deadline + _paused() - now)
    if _idle_s > 0:
        delay = min(delay, _idle_mark + _idle_s - now)
    signal.setitimer(signal.ITIMER_REAL, max(delay, 0.0005))


def _rss_bytes() -> int:
    if _statm_fd >= 0:
        try:
            return int(os.pread(_statm_fd, 96, 0).split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return 0
    try:
        import resource  # noqa: PLC0415
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    except Exception:  # noqa: BLE001
        return 0


def _check(now: float, slack: float = 0.0) -> bool:
    """Run every periodic check; end the run if a budget is spent (``slack``:
    how late a deadline must be before this caller acts).  True if it stopped."""
    global _idle_seen, _idle_mark
    if _deadline and now >= _deadline + _paused() + slack:
        abort_error(runtime_error(_limits.max_runtime, now - _start - _paused(), _engine,
                                  _phase))
        return True
    if _out_bytes != _idle_seen:
        _idle_seen, _idle_mark = _out_bytes, now
        if _status is not None:
            struct.pack_into("<Q", _status, _ST_OUT, _out_bytes)
    elif _idle_s > 0 and now - max(_idle_mark, _pause_end()) >= _idle_s + slack:
        abort_error(idle_error(_idle_s, now - _idle_mark, _out_bytes, now - _start,
                               _engine, _phase))
        return True
    if _mem_limit:
        rss = _rss_bytes()
        if rss > _mem_limit:
            abort_error(memory_error(_limits.max_memory_mb, rss, now - _start, _engine,
                                     _phase))
            return True
    if _parent_pid and os.getppid() != _parent_pid:
        _orphaned()
        return True
    return False


_resumed_at = 0.0          # monotonic time of the last resume from Ctrl-Z
_paused_seen = 0.0


def _pause_end() -> float:
    """After a Ctrl-Z pause the idle clock restarts at the resume."""
    global _resumed_at, _paused_seen
    p = _paused()
    if p != _paused_seen:
        _paused_seen, _resumed_at = p, time.monotonic()
    return _resumed_at


def _on_alarm(signum, frame) -> None:
    if not _installed or _abort_owner is not None:
        return
    from ilo import sink  # noqa: PLC0415 -- sink imports us
    if sink.in_write():
        # a stdout chunk is being handed to the kernel; its bookkeeping must
        # finish first (else the exit path could write it twice): retry soon
        signal.setitimer(signal.ITIMER_REAL, 0.002)
        return
    with _state_lock:
        if _check(time.monotonic()):
            return
    sink.tick_flush()
    _arm(time.monotonic())


class _Watchdog(threading.Thread):
    """The same checks from a thread, a little after the main thread's own
    timer would have acted.  It matters when the main thread runs native code
    (JIT-compiled loops, called through ctypes with the GIL released), where
    no Python signal handler can run.  It cannot help while a C call holds
    the GIL: that case is the supervising parent's backstop.  Started once
    per process and kept (starting a thread per run would cost every run)."""

    def __init__(self):
        super().__init__(name="ilo-guard", daemon=True)
        self._wake = threading.Event()
        self.next_wake = 0.0

    def wake(self) -> None:
        """Budgets changed: plan again if the new deadline comes before the
        planned wake-up (waking it otherwise would only cost the GIL)."""
        if _deadline and _deadline + THREAD_SLACK_S < self.next_wake:
            self._wake.set()

    def run(self) -> None:
        while True:
            timeout = TICK_S
            if _installed and _deadline:
                timeout = min(timeout, max(0.0, _deadline + _paused() + THREAD_SLACK_S
                                           - time.monotonic()))
            self.next_wake = time.monotonic() + timeout
            self._wake.wait(timeout)
            self._wake.clear()
            with _state_lock:
                if not _installed or _abort_owner is not None:
                    continue
                from ilo import sink  # noqa: PLC0415
                if not sink.in_write():
                    _check(time.monotonic(), slack=THREAD_SLACK_S)


def _ensure_watchdog() -> None:
    global _watchdog, _watchdog_pid
    if _watchdog is None or _watchdog_pid != os.getpid() or not _watchdog.is_alive():
        _watchdog, _watchdog_pid = _Watchdog(), os.getpid()
        _watchdog.start()
    else:
        _watchdog.wake()


def _orphaned() -> None:
    """The supervisor died (SIGKILL): take our whole process group down."""
    try:
        os.killpg(0, signal.SIGKILL)
    except OSError:
        pass
    _exit(1)


# --------------------------------------------------------------------------
# the single exit path

def abort_with(code: str, message: str, hint: str | None = None, **extra) -> None:
    """Flush stdout, write one diagnostic to stderr, ``os._exit(1)``.

    Idempotent: when two guards fire at once (the watchdog during a print
    site's exit, or another thread) exactly one diagnostic is written.  In a
    supervised child it first claims the right to report from the parent, so
    a parent backstop firing at the same moment stays silent (or vice versa).
    """
    if _engine is not None:
        extra.setdefault("engine", _engine)
    abort_error(IloRuntimeError(code, message, hint=hint, extra=extra))


def abort_error(err) -> None:
    """:func:`abort_with` for a ready-made IloError.

    Output printed before the stop is not lost to a slow reader: pending
    stdout keeps flowing while the reader takes it, and is given up only
    after ``--drain-timeout`` seconds in which it took nothing; the
    diagnostic then counts the bytes dropped (``dropped_bytes``)."""
    global _abort_owner
    if _contained:
        _stop_contained(err)
        return
    me = _thread.get_ident()
    if not _abort_lock.acquire(False):
        if _abort_owner == me:
            return                    # nested (signal handler during the exit path)
        while True:                   # another thread is exiting the process
            time.sleep(1)
    _abort_owner = me
    if _timer_on and me == threading.main_thread().ident:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        except (ValueError, OSError):
            pass
    if not claim_report():
        _exit(1)                      # the supervisor already reported; it kills us
        return
    try:
        _report(err)
    finally:
        _exit(1)


def _stop_contained(err) -> None:
    """End the running case, not the process: remember the first stop's
    diagnostic and raise GuardStop in the main thread (from another thread:
    asynchronously, delivered when the main thread next runs Python).  The
    timer stays armed: a case that swallows the stop is stopped again, but
    only after :data:`RESTOP_S`, so the case's own unwinding is never hit."""
    global _stop, _stop_at
    now = time.monotonic()
    if _stop is None:
        if err.span is None and err.code in _LOCATED:
            err.span = _locate()
        _stop, _stop_at = err, now
    elif now - _stop_at < RESTOP_S:
        return
    _stop_at = now
    main = threading.main_thread().ident
    if _thread.get_ident() != main:
        import ctypes  # noqa: PLC0415
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(main),
                                                   ctypes.py_object(GuardStop))
        return
    if _timer_on:
        signal.setitimer(signal.ITIMER_REAL, TICK_S)
    raise GuardStop()


#: a contained stop is repeated if the case is still running this much later
RESTOP_S = 1.0
_stop_at = 0.0


def take_stop():
    """The diagnostic of the last contained stop (and forget it), or None."""
    global _stop
    err, _stop = _stop, None
    return err


def _drain_progress(n: int) -> None:
    """Tell the supervising parent the stop's drain is moving (see STATUS_SIZE)."""
    struct.pack_into("<Q", _status, _ST_DRAIN, 1 + n)


def _report(err) -> None:
    from ilo import sink  # noqa: PLC0415
    from ilo.diagnostics.render import render  # noqa: PLC0415
    if err.span is None and err.code in _LOCATED:
        err.span = _locate()
    if _thread.get_ident() != threading.main_thread().ident:
        sink.wait_write_done(0.1)      # the main thread may be inside os.write
    if _status is not None:
        struct.pack_into("<Q", _status, _ST_DRAIN, 1)
    dropped = sink.drain_on_stop(_limits.drain_timeout,
                                 _drain_progress if _status is not None else None)
    if dropped:
        err.extra["dropped_bytes"] = dropped
        err.notes.append(f"{dropped} bytes of output were dropped: the reader of stdout "
                         f"took nothing for {fmt_num(_limits.drain_timeout)} s")
    try:
        text = render(err, _mode, _source)
    except Exception:  # noqa: BLE001 -- e.g. MemoryError: say it plainly
        text = f'{{"error":{{"code":"{err.code}","message":"{err.code}"}}}}'
    sink.write_stderr_bounded(text + "\n", time.monotonic() + 1.0)


# --------------------------------------------------------------------------
# supervisor binding (used by ilo.supervise in the forked child)

def bind_supervisor(claim_fd: int, status=None, parent_pid: int = 0) -> None:
    global _claim_fd, _status, _parent_pid
    _claim_fd, _status, _parent_pid = claim_fd, status, parent_pid


def unbind_supervisor() -> None:
    bind_supervisor(-1, None, 0)


def claim_report() -> bool:
    """Take the right to report (always True unsupervised)."""
    if _claim_fd < 0:
        return True
    try:
        return os.read(_claim_fd, 1) == b"!"
    except (BlockingIOError, OSError):
        return False
