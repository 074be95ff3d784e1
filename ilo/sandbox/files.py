"""Race-free path checks for the file builtins.

The file that is checked is the file that gets opened: a path is first
opened with ``O_PATH`` (symlinks resolved by the kernel, no side effect on
devices or FIFOs), the folder it really lies in is read back from
``/proc/self/fd/N`` and checked against the allowed roots, and only then is
the same inode reopened through that descriptor.  A symlink swapped in
between cannot redirect the open.  A new file is created with ``openat``
relative to its checked parent folder and ``O_NOFOLLOW``.

The program's own stdout and stderr are never file-system escapes: naming
them (``/dev/stdout``, ``/proc/self/fd/2``) is allowed whatever the policy.
"""

from __future__ import annotations

import errno
import os

from ilo import sink
from ilo.sandbox import ALL, current, denied, kernel_active, python_checks

O_PATH = getattr(os, "O_PATH", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NOCTTY = getattr(os, "O_NOCTTY", 0)
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | CLOEXEC | NOCTTY


def within(path: str, roots) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def real_path(fd: int) -> str:
    """Where the open file really is (Linux: the kernel's own answer)."""
    return os.readlink(f"/proc/self/fd/{fd}")


def reopen(fd: int, flags: int) -> int:
    """Open the very inode ``fd`` (an ``O_PATH`` descriptor) refers to."""
    return os.open(f"/proc/self/fd/{fd}", flags | CLOEXEC)


def _checks_paths(dim: str) -> bool:
    return python_checks() and getattr(current(), dim) is not ALL


def _open_resolved(op: str, path: str, dim: str, flags: int) -> int:
    """Without ``O_PATH`` (not Linux): resolve, check, then open the resolved
    path with ``O_NOFOLLOW``; a folder swapped in between can still race,
    which the Linux path above rules out."""
    real = os.path.realpath(path)
    if not within(real, getattr(current(), dim)):
        raise denied(dim, op, real)
    return os.open(real, flags | os.O_NOFOLLOW | CLOEXEC, 0o666)


def open_read(op: str, path: str) -> int:
    """A read-only descriptor for ``path``, if the policy allows it."""
    if not _checks_paths("read"):
        return _kernel_mapped(op, path, "read", lambda: os.open(path, os.O_RDONLY | CLOEXEC))
    if not O_PATH:
        return _open_resolved(op, path, "read", os.O_RDONLY)
    pfd = os.open(path, O_PATH | CLOEXEC)
    try:
        real = real_path(pfd)
        if not within(real, current().read):
            raise denied("read", op, real)
        return _kernel_mapped(op, real, "read", lambda: reopen(pfd, os.O_RDONLY))
    finally:
        os.close(pfd)


def open_write(op: str, path: str) -> int:
    """A write descriptor for ``path`` (created if missing, not truncated),
    if the policy allows it; the process's stdout/stderr are always allowed."""
    if not _checks_paths("write"):
        return _kernel_mapped(op, path, "write", lambda: os.open(path, WRITE_FLAGS, 0o666))
    if not O_PATH:
        return _open_resolved(op, path, "write", WRITE_FLAGS)
    try:
        pfd = os.open(path, O_PATH | CLOEXEC)
    except FileNotFoundError:
        return _create(op, path)
    try:
        kind = sink.classify_fd(pfd)
        if kind in ("stdout", "stderr"):
            return os.dup(1 if kind == "stdout" else 2)
        real = real_path(pfd)
        if not within(real, current().write):
            raise denied("write", op, real)
        return _kernel_mapped(op, real, "write", lambda: reopen(pfd, os.O_WRONLY | NOCTTY))
    finally:
        os.close(pfd)


def _create(op: str, path: str) -> int:
    """Create ``path`` inside its checked parent folder, never through a link."""
    folder, base = os.path.split(path)
    dfd = os.open(folder or ".", O_PATH | os.O_DIRECTORY | CLOEXEC)
    try:
        real = os.path.join(real_path(dfd), base)
        if base in ("", ".", "..") or not within(real, current().write):
            raise denied("write", op, real)
        try:
            return _kernel_mapped(op, real, "write", lambda: os.open(
                base, WRITE_FLAGS | os.O_NOFOLLOW, 0o666, dir_fd=dfd))
        except OSError as exc:
            if exc.errno == errno.ELOOP:      # a symlink appeared (or dangles) there
                raise denied("write", op, real) from None
            raise
    finally:
        os.close(dfd)


def _kernel_mapped(op: str, path: str, dim: str, opener) -> int:
    """Run ``opener``; a refusal by the kernel layer becomes the same
    diagnostic as the Python layer's.  Landlock answers EACCES where plain
    permissions (``access(2)``, which Landlock does not restrict) say yes."""
    try:
        return opener()
    except PermissionError as exc:
        if kernel_active() and _permitted(path, dim, exc):
            raise denied(dim, op, os.path.abspath(path), layer="kernel") from None
        raise


def _permitted(path: str, dim: str, exc: OSError) -> bool:
    mode = os.R_OK if dim == "read" else os.W_OK
    try:
        if os.path.exists(path):
            return os.access(path, mode)
        return os.access(os.path.dirname(os.path.abspath(path)), os.W_OK | os.X_OK)
    except (OSError, ValueError):
        return False
