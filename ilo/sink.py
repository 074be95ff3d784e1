"""The one stdout sink.

Every byte a program sends to stdout (``prnt``, the final value, any future
writer such as a JIT callback) goes through :func:`write_stdout`, which
charges the runtime guard *before* writing. Tools that print their own
reports (``ilo test``, ``--explain``) use :func:`write_report`, which is not
charged. Diagnostics go to stderr through :func:`write_stderr`.

Buffering: when ``sys.stdout`` is the process's real stdout, output is kept
in a private buffer and handed to file descriptor 1 with ``os.write``:

* whenever the buffer passes 64 KiB, on every write when stdout is a
  terminal, on every watchdog tick (:func:`tick_flush`, ~10 times a second,
  never blocking) and at :func:`flush`;
* to a pipe, socket or terminal only in chunks of at most PIPE_BUF bytes
  after ``poll`` says there is room, so the write itself never blocks and the
  guard can always interrupt a program stuck on a pipe nobody reads (it waits
  in ``poll``, where the watchdog may stop it);
* the exit path (:func:`drain` with a deadline) flushes what it can within a
  time bound and gives up on the rest rather than hang;
* the buffer is an anonymous *shared* mapping: when the supervisor has to
  SIGKILL a child stuck in native code (where no tick can run), it reads the
  bytes the child buffered but never wrote (:func:`rescue`) and writes them
  before its diagnostic, so the program's last lines are not lost.

Writes are buffered whole, so a flush always ends where a write ended
(``prnt`` writes whole lines: stdout ends on a whole line).

When ``sys.stdout`` has been replaced (pytest's capsys, ``contextlib.redirect_stdout``)
writes go straight to the replacement, unbuffered.
"""

from __future__ import annotations

import mmap
import os
import select
import stat
import sys
import time

from ilo import runtime_guard
from ilo.diagnostics.errors import IloRuntimeError

FLUSH_AT = 1 << 16      # buffered bytes that trigger a flush
CAPACITY = 1 << 17      # buffer size; a bigger single write bypasses the buffer
CHUNK = 4096            # PIPE_BUF on Linux: a write this small never blocks after POLLOUT
BROKEN_PIPE_EXIT = 141  # exit status when the reader of stdout goes away (128 + SIGPIPE)
HEADER = 16             # [0:8] end offset, [8:16] start (flushed) offset
STDOUT_FAILED = "ILO-R606"

# The buffer is an anonymous shared mapping so that a supervising parent can
# rescue bytes still buffered in a child it had to kill (see rescue()).
_mm = None
_dv = None              # memoryview of the data area
_hdr = None             # memoryview of the header as two unsigned 64-bit ints
_start = 0              # bytes of the buffer already handed to the kernel
_end = 0                # bytes in the buffer
_fast_out = object()    # sys.stdout object whose fd we write to (sentinel: not bound)
_fd = -1
_limit = FLUSH_AT       # flush when pending > _limit (0: write-through, terminals)
_chunked = True         # the fd can block (pipe, socket, terminal)
_poller = None
_in_write = False       # a chunk is in os.write / its bookkeeping
_big = None             # the unwritten rest of a write too big for the buffer


def new_buffer() -> mmap.mmap:
    """A fresh shared buffer (the supervisor makes one per child)."""
    return mmap.mmap(-1, HEADER + CAPACITY)


def attach_buffer(mm: mmap.mmap) -> None:
    """Use ``mm`` as the stdout buffer (the current one must be empty)."""
    global _mm, _dv, _hdr, _start, _end
    _mm = mm
    _dv = memoryview(mm)[HEADER:]
    _hdr = memoryview(mm)[:HEADER].cast("Q")
    _hdr[0] = _hdr[1] = 0
    _start = _end = 0


def rescue(mm: mmap.mmap) -> bytes:
    """Bytes a (dead) child had buffered but not yet written."""
    hdr = memoryview(mm)[:HEADER].cast("Q")
    end, start = hdr[0], hdr[1]
    hdr.release()
    if start >= end or end > CAPACITY:
        return b""
    return mm[HEADER + start:HEADER + end]


def write_stdout(text: str) -> None:
    """Charge the output budget, then write program output to stdout."""
    data = text.encode("utf-8", "surrogateescape")
    n = len(data)
    runtime_guard.record_output(n)
    if sys.stdout is not _fast_out:
        _slow_write(text, data)
        return
    _append(data)


def write_report(text: str) -> None:
    """A tool's own output (not program output): not charged."""
    data = text.encode("utf-8", "surrogateescape")
    if sys.stdout is not _fast_out:
        _slow_write(text, data)
        return
    _append(data)


def write_stderr(text: str) -> None:
    """Diagnostics and warnings.  A closed, full or broken stderr loses the
    text but never raises: the exit code must not depend on it."""
    err = sys.stderr
    if err is None:
        return
    try:
        buf = getattr(err, "buffer", None)
        if buf is not None:
            buf.write(text.encode("utf-8", "surrogateescape"))
        else:
            err.write(text)
        err.flush()
    except (OSError, ValueError, AttributeError):
        _forget_stderr()


def _forget_stderr() -> None:
    """Stderr failed: drop what Python still buffers for it, so the flush at
    interpreter exit cannot fail again and print a traceback."""
    try:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    except OSError:
        sys.stderr = None


def flush() -> None:
    """Write out everything buffered (blocks while the reader is slow)."""
    drain()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError, OSError, AttributeError):
        pass


def in_write() -> bool:
    return _in_write


def stdout_is_terminal() -> bool:
    """For tools that draw a live progress line."""
    try:
        return bool(sys.stdout is not None and sys.stdout.isatty())
    except (AttributeError, ValueError):
        return False


def wait_write_done(timeout: float) -> None:
    """Wait (from another thread) until no chunk is inside ``os.write``."""
    end = time.monotonic() + timeout
    while _in_write and time.monotonic() < end:
        time.sleep(0.001)


def classify_fd(fd: int) -> str | None:
    """What an open file really is, by device and inode, not by its name:
    ``"stdout"`` (the same file as fd 1: ``/dev/stdout``, ``/proc/self/fd/1``,
    a hard link to the output file), ``"stderr"``, ``"tty"``, or None."""
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    for other, name in ((1, "stdout"), (2, "stderr")):
        try:
            ost = os.fstat(other)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (ost.st_dev, ost.st_ino):
            return name
    return "tty" if os.isatty(fd) else None


def pending() -> int:
    """Bytes buffered and not yet handed to the kernel."""
    return _end - _start


def reset() -> None:
    """Forget the buffer and the binding (for in-process tests)."""
    global _fast_out, _fd, _poller, _in_write, _start, _end
    _start = _end = 0
    if _hdr is not None:
        _hdr[0] = _hdr[1] = 0
    _fast_out, _fd, _poller, _in_write = object(), -1, None, False


# --------------------------------------------------------------------------

def _bind() -> bool:
    """Bind to the current sys.stdout; True when it is the real fd-backed stdout."""
    global _fast_out, _fd, _limit, _chunked, _poller
    out = sys.stdout
    fd = -1
    if out is not None and out is sys.__stdout__:
        try:
            fd = out.fileno()
            st = os.fstat(fd)
        except (AttributeError, ValueError, OSError):
            fd = -1
    if fd < 0:
        _fast_out = object()
        return False
    try:
        out.flush()                     # anything print()ed before us goes first
    except (ValueError, OSError):
        pass
    if _mm is None:
        attach_buffer(new_buffer())
    tty = os.isatty(fd)
    _fd = fd
    _limit = 0 if tty else FLUSH_AT
    # regular files and /dev/null never block; pipes, sockets and terminals can
    _chunked = tty or not (stat.S_ISREG(st.st_mode) or stat.S_ISCHR(st.st_mode))
    _poller = select.poll()
    _poller.register(fd, select.POLLOUT)
    _fast_out = out
    return True


def _slow_write(text: str, data: bytes) -> None:
    if _end > _start:
        drain()                         # keep order across a rebinding
    if _bind():
        _append(data)
        return
    out = sys.stdout
    if out is None:
        _stdout_failed(None)
    try:
        out.write(text)
    except BrokenPipeError:
        _broken_pipe()
    except (OSError, ValueError) as exc:
        _stdout_failed(exc)


def _append(data: bytes) -> None:
    global _end
    n = len(data)
    e = _end
    if e + n > CAPACITY:
        _overflow(data)
        return
    _dv[e:e + n] = data
    _end = e = e + n
    _hdr[0] = e
    if e - _start > _limit:
        drain()


def _overflow(data: bytes) -> None:
    """The buffer cannot take ``data``: empty it, then buffer or write directly."""
    drain()
    if len(data) <= CAPACITY:
        _append(data)
        return
    _write_all(memoryview(data))


def _write_all(view: memoryview) -> None:
    """Write a chunk too big for the buffer; the rest stays visible in
    ``_big`` so a stop in the middle can still hand it on (drain_on_stop)."""
    global _in_write, _big
    _big = view
    try:
        while _big:
            if _chunked:
                if not _wait_writable(None):
                    continue
                _in_write = True
                n = os.write(_fd, _big[:CHUNK])
            else:
                _in_write = True
                n = os.write(_fd, _big)
            _big = _big[n:]
            _in_write = False
    except BrokenPipeError:
        _broken_pipe()
    except OSError as exc:
        _stdout_failed(exc)
    finally:
        _in_write = False
        _big = None


def _line_stop() -> int:
    """End of the next chunk of the buffer: at most CHUNK bytes, cut after
    its last newline when it has one, so a reader that stops taking output
    is left with whole lines."""
    stop = min(_end, _start + CHUNK)
    if stop < _end:
        cut = _mm.rfind(b"\n", HEADER + _start, HEADER + stop)
        if cut >= 0:
            return cut - HEADER + 1
    return stop


def _wait_writable(timeout_ms, fresh: bool = False) -> bool:
    """Wait for room in stdout.  ``fresh``: use a new poll object, for calls
    that may run inside the watchdog's signal handler while the main path is
    itself waiting in ``_poller.poll`` (a poll object is not re-entrant)."""
    poller = _poller
    if fresh:
        poller = select.poll()
        poller.register(_fd, select.POLLOUT)
    if timeout_ms is not None:
        timeout_ms = min(timeout_ms, 1 << 30)   # poll takes a C int
    for _fd_, ev in poller.poll(timeout_ms):
        if ev:
            return True
    return False


def drain(deadline: float | None = None) -> bool:
    """Hand the buffer to the kernel.  ``deadline`` (time.monotonic) bounds the
    time spent waiting for a slow reader; returns False if bytes are left."""
    global _in_write, _start, _end
    if _end <= _start:
        if sys.stdout is not _fast_out and deadline is None:
            out = sys.stdout
            try:
                if out is not None:
                    out.flush()
            except (ValueError, OSError):
                pass
        return True
    try:
        while _start < _end:
            if _chunked:
                if deadline is None:
                    if not _wait_writable(None):
                        continue
                else:
                    left = deadline - time.monotonic()
                    if left <= 0 or not _wait_writable(max(1, int(left * 1000)), True):
                        return False
                _in_write = True
                n = os.write(_fd, _dv[_start:_line_stop()])
            else:
                _in_write = True
                n = os.write(_fd, _dv[_start:_end])
            _start += n
            _hdr[1] = _start
            _in_write = False
        _in_write = True            # reset offsets as one step for the watchdog
        _end = _start = 0
        _hdr[0] = 0
        _hdr[1] = 0
    except BrokenPipeError:
        _broken_pipe()
    except BlockingIOError:             # someone made the fd non-blocking
        _in_write = False
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(0.001)
        return drain(deadline)
    except OSError as exc:
        _stdout_failed(exc)
    finally:
        _in_write = False
    return True


def drain_on_stop(window: float, progress=None) -> int:
    """The exit path's flush: hand on everything pending (the rest of a big
    write, then the buffer) while the reader keeps taking it; give up once
    it has taken nothing for ``window`` seconds.  Chunks end on a newline
    where one exists, so what was written ends on a whole line.  Returns
    the bytes dropped; ``progress(n)`` is told the bytes written so far (the
    supervising parent watches it and does not kill a child still draining)."""
    global _start, _end, _big
    if sys.stdout is not _fast_out or _fd < 0:
        try:
            if sys.stdout is not None:
                sys.stdout.flush()
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    done = 0
    views = [_big if _big is not None else memoryview(b""), _dv[_start:_end]]
    _big = None
    for i, view in enumerate(views):
        while view:
            try:
                n = _write_stalled(view, window)
            except OSError:                    # the reader left, or stdout failed
                n = -1
            if n < 0:
                return sum(len(v) for v in views[i + 1:]) + len(view)
            view = view[n:]
            done += n
            if i == 1:
                _start += n
                _hdr[1] = _start
            if progress is not None:
                progress(done)
    _start = _end = 0
    _hdr[0] = _hdr[1] = 0
    return 0


def _write_stalled(view: memoryview, window: float) -> int:
    """Write one chunk of ``view`` (up to its last newline within CHUNK)
    once stdout has room, waiting at most ``window`` s; -1 if it never had."""
    if _chunked:
        piece = view[:CHUNK]
        if len(view) > CHUNK:
            cut = bytes(piece).rfind(b"\n")
            if cut >= 0:
                piece = view[:cut + 1]
        ms = max(1, int(window * 1000)) if window > 0 else 0
        if not _wait_writable(ms, True):
            return -1
    else:
        piece = view
    while True:
        try:
            return os.write(_fd, piece)
        except BlockingIOError:              # someone made the fd non-blocking
            if not _wait_writable(max(1, int(window * 1000)), True):
                return -1
        except InterruptedError:
            continue


def tick_flush() -> None:
    """Flush what can be written right now without blocking (watchdog tick).
    Only advances the start offset; resetting the buffer is left to drain()."""
    global _in_write, _start
    if _in_write or _end <= _start or sys.stdout is not _fast_out:
        return
    try:
        while _start < _end:
            if _chunked and not _wait_writable(0, True):
                return
            _in_write = True
            stop = _line_stop() if _chunked else _end
            n = os.write(_fd, _dv[_start:stop])
            _start += n
            _hdr[1] = _start
            _in_write = False
    except BrokenPipeError:
        _broken_pipe()
    except OSError:
        pass
    finally:
        _in_write = False


def _stdout_failed(exc: OSError | None) -> None:
    """Stdout cannot take output (closed, full disk, I/O error): the run ends
    in one runtime diagnostic, exit 1, instead of losing output silently."""
    global _start, _end
    _start = _end = 0
    if _hdr is not None:
        _hdr[0] = _hdr[1] = 0
    why = "it is closed" if exc is None else (getattr(exc, "strerror", None) or str(exc))
    raise IloRuntimeError(
        STDOUT_FAILED, f"cannot write the program's output to stdout: {why}",
        hint="give ilo a writable stdout (a file on a disk with room, a pipe, or "
             "/dev/null to discard the output)")


def _broken_pipe() -> None:
    """The reader of stdout went away (``ilo prog | head``): stop quietly, as a
    process killed by SIGPIPE would (exit :data:`BROKEN_PIPE_EXIT`).  Exiting
    here, not raising, keeps engines from turning it into a program error."""
    global _start, _end
    _start = _end = 0
    if _hdr is not None:
        _hdr[0] = _hdr[1] = 0
    try:
        sys.stderr.flush()
    except (ValueError, OSError):
        pass
    os._exit(BROKEN_PIPE_EXIT)


def write_stderr_bounded(text: str, deadline: float) -> None:
    """Write a diagnostic to stderr without blocking past ``deadline``."""
    err = sys.stderr
    if err is None:
        return
    if err is not sys.__stderr__:
        try:
            err.write(text)
            err.flush()
        except (ValueError, OSError):
            pass
        return
    try:
        err.flush()
        fd = err.fileno()
    except (AttributeError, ValueError, OSError):
        return
    write_fd_bounded(fd, text.encode("utf-8", "surrogateescape"), deadline)


def write_fd_bounded(fd: int, data: bytes, deadline: float) -> bool:
    """Write ``data`` to ``fd`` in PIPE_BUF chunks, each after POLLOUT, giving
    up at ``deadline``; True when everything was written."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    view = memoryview(data)
    try:
        while view:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(max(1, int(left * 1000))):
                return False
            n = os.write(fd, view[:CHUNK])
            view = view[n:]
    except OSError:
        return False
    return True


def write_fd_draining(fd: int, data: bytes, window: float) -> int:
    """Write ``data`` to ``fd`` while the reader keeps taking it; give up
    after ``window`` seconds without progress.  Returns the bytes dropped."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    view = memoryview(data)
    ms = min(max(1, int(window * 1000)), 1 << 30) if window > 0 else 0
    try:
        while view:
            if not poller.poll(ms):
                break
            n = os.write(fd, view[:CHUNK])
            view = view[n:]
    except OSError:
        pass
    return len(view)
