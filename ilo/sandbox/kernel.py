"""The kernel layer: a Landlock ruleset built from the policy.

Our own small ctypes binding (three syscalls and ``prctl``), not a PyPI
package: the candidates in the package lists are a pre-release (``landlock``
1.0.0.dev5) or months-old single-author projects, and none is needed for
three fixed syscalls whose numbers (444-446) are the same on every Linux
architecture.  Layout of the structs follows ``linux/landlock.h``.

What the ruleset allows (read-only unless named in ``--allow-write``):

* the ``--allow-read`` folders (read) and ``--allow-write`` folders (write);
* what ilo itself must still read once the program runs: the Python
  installation (``sys.base_prefix`` / ``sys.prefix`` trees holding the
  standard library and site-packages), the ``ilo`` package, the shared
  libraries a lazy import may load, the time-zone database, the program
  file, ``/proc/self/statm|status`` (the memory guard) and
  ``/dev/null|urandom``; with the network allowed also the resolver and
  certificate files under ``/etc``.
* TCP connect/bind (ABI >= 4) only when ``--allow-net`` is given (host
  names cannot be told apart in the kernel: the Python layer filters them).

The ruleset binds the calling thread and its future threads/children; it is
applied in the forked child right before the program is loaded.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys

SYS_CREATE, SYS_ADD_RULE, SYS_RESTRICT = 444, 445, 446
PR_SET_NO_NEW_PRIVS = 38
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX = 1 << 0

#: rights that may be granted on a file (the rest only on a folder)
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ = READ_FILE | READ_DIR
WRITE = (WRITE_FILE | TRUNCATE | MAKE_REG | MAKE_DIR | REMOVE_FILE | REMOVE_DIR)
SYSTEM_READ = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib",
               "/usr/share/zoneinfo", "/etc/localtime", "/dev/null", "/dev/urandom")
NET_READ = ("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf",
            "/etc/host.conf", "/etc/ssl", "/etc/pki", "/usr/share/ca-certificates",
            "/etc/ca-certificates")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = None
_abi: int | None = None
_why = ""


def _syscall():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    return _libc.syscall


def abi() -> int:
    """The kernel's Landlock ABI version, 0 when there is none."""
    global _abi, _why
    if _abi is None:
        _abi = 0
        if not sys.platform.startswith("linux"):
            _why = f"Landlock is Linux-only (this is {sys.platform})"
        else:
            try:
                v = _syscall()(SYS_CREATE, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)
            except (OSError, AttributeError) as exc:
                v, _why = -1, f"cannot call into libc: {exc}"
            if v > 0:
                _abi = int(v)
            elif not _why:
                err = ctypes.get_errno()
                _why = (f"Landlock is not available in this kernel ({os.strerror(err)}); "
                        "it needs Linux 5.13+ with CONFIG_SECURITY_LANDLOCK and landlock in lsm=")
    return _abi


def available() -> bool:
    return abi() > 0


def why_unavailable() -> str:
    abi()
    return _why


def describe() -> dict:
    version = abi()
    return {"landlock_abi": version, "available": version > 0,
            "net": version >= 4, **({} if version else {"reason": _why})}


def fs_rights(version: int) -> int:
    rights = (1 << 13) - 1
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def ilo_read_paths(program_file: str | None, with_net: bool) -> list[str]:
    """What ilo itself must still read after the ruleset is applied."""
    import ilo

    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.abspath(ilo.__file__)), *SYSTEM_READ,
             "/proc/self/statm", "/proc/self/status"}
    if with_net:
        paths.update(NET_READ)
    if program_file:
        paths.add(program_file)
    return sorted(paths)


def build_rules(policy, program_file: str | None, extra_read=()) -> list[tuple[str, int]]:
    """``(path, rights)`` pairs: the allowed folders and ilo's own needs
    (``extra_read``: more read-only paths, e.g. an ``ilo test`` worker's case folders)."""
    net_ok = policy.net != ()
    rules = [(p, READ) for p in ilo_read_paths(program_file, net_ok)]
    rules += [(p, READ) for p in extra_read]
    rules += [(p, READ) for p in (("/",) if policy.read is None else policy.read)]
    rules += [(p, WRITE) for p in (("/",) if policy.write is None else policy.write)]
    return rules


def apply(policy, program_file: str | None = None, extra_read=()) -> bool:
    """Apply the ruleset to this thread; False when Landlock is unavailable.

    Paths that do not exist are skipped.  An error after the ruleset was
    created but before it was enforced leaves the process unrestricted and
    is raised (the caller turns it into a diagnostic)."""
    version = abi()
    if not version:
        return False
    handled = fs_rights(version)
    attr = _RulesetAttr(handled, 0, 0)
    size = 8
    if version >= 4 and policy.net is not None:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP if policy.net == () \
            else NET_BIND_TCP        # a host list: the Python layer filters connects
        size = 16
    if version >= 6 and policy.net == ():
        attr.scoped = SCOPE_ABSTRACT_UNIX
        size = 24
    call = _syscall()
    ruleset = call(SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for path, rights in build_rules(policy, program_file, extra_read):
            _add_path_rule(call, ruleset, path, rights & handled)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if call(SYS_RESTRICT, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return True


def _add_path_rule(call, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except (OSError, ValueError):
        return                                   # not on this machine: nothing to allow
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        if not rights:
            return
        rule = _PathBeneath(rights, fd)
        if call(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
