"""Capability sandbox: what a program may read, write, reach and see.

Two layers enforce one :class:`Policy` built from the ``--allow-*`` flags:

* the Python layer (:mod:`ilo.sandbox.files`, :mod:`ilo.sandbox.net`, the
  ``env`` check here) runs inside each builtin that touches the outside
  world and gives the clean diagnostic (ILO-R607..R610) naming the flag;
* the kernel layer (:mod:`ilo.sandbox.kernel`, Landlock) is applied in the
  forked child just before the program is loaded, so whatever the first
  layer misses is still refused by the kernel.

Without any ``--allow-*`` flag everything is allowed (as upstream).  Once
one is given, every dimension not named is denied.  A dimension holds
``None`` (everything) or a tuple of what is allowed (maybe empty).
"""

from __future__ import annotations

import os

from ilo.diagnostics.errors import IloRuntimeError, IloUsageError

ALL = None
#: flag -> policy field
ALLOW_FLAGS = {"--allow-read": "read", "--allow-write": "write",
               "--allow-net": "net", "--allow-env": "env"}
CODES = {"read": "ILO-R607", "write": "ILO-R608", "net": "ILO-R609", "env": "ILO-R610"}
FLAG_OF = {dim: flag for flag, dim in ALLOW_FLAGS.items()}
#: test-only hook: switches the Python checks off to prove the kernel layer alone holds
PY_CHECKS_ENV = "ILO_SANDBOX_TEST_SKIP_PY_CHECKS"


class Policy:
    """Immutable, compared by value; a plain class because it is on every run's start-up path."""

    __slots__ = ("restricted", "read", "write", "net", "env", "require_kernel")

    def __init__(self, restricted: bool = False, read: tuple | None = ALL, write: tuple | None = ALL,
                 net: tuple | None = ALL, env: tuple | None = ALL, require_kernel: bool = False):
        for name, value in zip(self.__slots__, (restricted, read, write, net, env, require_kernel)):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r}: a Policy is immutable")

    def __eq__(self, other):
        return self._values() == other._values() if type(other) is Policy else NotImplemented

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        return "Policy(" + ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self._values())) + ")"


_policy = Policy()
_kernel_active = False
_applied_pid = 0           # the process the kernel layer was applied to


def split_values(flag: str, value: str) -> list[str]:
    """The comma list of one ``--allow-*`` value; usage error when empty."""
    items = [v.strip() for v in value.split(",")]
    if not value.strip() or any(not v for v in items):
        raise IloUsageError("ILO-U002", f"{flag} needs a comma list without empty items",
                            hint=f"e.g. `{flag} {example(flag)}`, or `{flag} '*'` for all")
    if "*" in items and len(items) > 1:
        raise IloUsageError("ILO-U002", f"{flag}: `*` allows everything and stands alone",
                            hint=f"`{flag} '*'` or `{flag} {example(flag)}`")
    return items


def example(flag: str) -> str:
    return {"--allow-net": "api.example.com,*.example.org", "--allow-env": "HOME,LANG"}.get(
        flag, "data,out")


def check_flag(flag: str, value: str) -> str:
    """Validate one ``--allow-*`` value; return it with paths made absolute
    (so ``ilo test`` cases, run from their own folder, mean the same)."""
    items = split_values(flag, value)
    if items == ["*"]:
        return "*"
    if flag in ("--allow-read", "--allow-write"):
        return ",".join(os.path.abspath(os.path.expanduser(p)) for p in items)
    if flag == "--allow-net":
        from ilo.sandbox.net import parse_allowed

        for item in items:
            parse_allowed(item)
    elif flag == "--allow-env":
        for item in items:
            if "=" in item or "\0" in item:
                raise IloUsageError("ILO-U002", f"--allow-env: '{item}' is not a variable name")
    return ",".join(items)


def from_flags(values: dict[str, str | None], require_kernel: bool = False) -> Policy:
    """Build the policy from ``{"--allow-read": "a,b", ...}`` (None = not given)."""
    given = {flag: v for flag, v in values.items() if v is not None}
    if not given:
        if require_kernel:
            raise IloUsageError("ILO-U009", "--require-kernel-sandbox needs an --allow-* flag",
                                hint="name what the program may use, e.g. `--allow-read data`")
        return Policy()
    dims = {}
    for flag, dim in ALLOW_FLAGS.items():
        raw = given.get(flag)
        if raw is None:
            dims[dim] = ()
            continue
        items = split_values(flag, raw)
        if items == ["*"]:
            dims[dim] = ALL
        elif dim in ("read", "write"):
            dims[dim] = tuple(sorted({os.path.realpath(os.path.abspath(p)) for p in items}))
        elif dim == "net":
            from ilo.sandbox.net import parse_allowed

            dims[dim] = tuple(parse_allowed(i) for i in items)
        else:
            dims[dim] = tuple(items)
    policy = Policy(True, require_kernel=require_kernel, **dims)
    if require_kernel:
        from ilo.sandbox import kernel

        if not kernel.available():
            raise IloUsageError("ILO-U009", "--require-kernel-sandbox: Landlock is not available",
                                hint=kernel.why_unavailable())
    return policy


def current() -> Policy:
    return _policy


def enter(policy: Policy, *, forked: bool, program_file: str | None = None,
          extra_read=()) -> None:
    """Make ``policy`` the one the builtins check; with a restricting policy,
    also apply the kernel layer (nothing is undone): in the forked child that
    runs the program, or in this very process when the kernel layer is
    required and there is no child (``ILO_NO_FORK``, fork failed).  Once per
    process: an ``ilo test`` worker applies it for its whole batch (with the
    cases' folders in ``extra_read``), and each case then only sets the policy."""
    global _policy, _kernel_active, _applied_pid
    _policy = policy
    if _applied_pid == os.getpid():
        return
    _kernel_active = False
    if not policy.restricted or not (forked or policy.require_kernel):
        return
    _applied_pid = os.getpid()
    from ilo import api
    from ilo.sandbox import kernel

    api.load_program("main>n;1")     # the parsers' tables (ilo/syntax/tables.py) are read now
    try:
        _kernel_active = kernel.apply(policy, program_file, extra_read)
        why = "" if _kernel_active else kernel.why_unavailable()
    except OSError as exc:
        why = str(exc)
    if policy.require_kernel and not _kernel_active:
        raise IloRuntimeError("ILO-R611", f"the kernel sandbox could not be applied: {why}",
                              hint="run without --require-kernel-sandbox to rely on "
                                   "the Python checks alone")


def kernel_active() -> bool:
    return _kernel_active


def python_checks() -> bool:
    """Whether the first layer checks (off only under the test hook)."""
    return _policy.restricted and os.environ.get(PY_CHECKS_ENV) != "1"


def denied(dim: str, op: str, what: str, layer: str = "python") -> IloRuntimeError:
    """The one diagnostic for a blocked call, naming the flag that would allow it."""
    flag = FLAG_OF[dim]
    allowed = getattr(_policy, dim) or ()
    shown = ", ".join(shown_entry(a) for a in allowed) if allowed else "nothing"
    verb = {"read": "reading", "write": "writing", "net": "connecting to", "env": "reading env var"}
    return IloRuntimeError(
        CODES[dim], f"{op}: {verb[dim]} '{what}' is not allowed",
        hint=f"allowed by {flag}: {shown}; to allow it run with `{flag} {hint_value(dim, what)}`",
        extra={"flag": flag, "target": what, "layer": layer})


def shown_entry(entry) -> str:
    """A policy entry as the flag spells it (``host:port`` for a net entry)."""
    if isinstance(entry, tuple):
        host, port = entry
        host = f"[{host}]" if ":" in host else host
        return host if port is None else f"{host}:{port}"
    return entry


def hint_value(dim: str, what: str) -> str:
    if dim in ("read", "write"):
        return os.path.dirname(what) or "."
    if dim == "net":
        from urllib.parse import urlsplit

        try:
            return urlsplit(what).hostname or what
        except ValueError:
            return what
    return what


def check_env(name: str) -> None:
    """``env NAME`` under the policy: raise the R610 diagnostic when denied."""
    allowed = _policy.env
    if python_checks() and allowed is not ALL and name not in allowed:
        raise denied("env", "env", name)


def layers() -> dict:
    """The sandbox layers this run has, for ``--version --json`` / doctor."""
    from ilo.sandbox import kernel

    return {"python": True, "kernel": kernel.describe(),
            "active": {"policy": _policy.restricted, "kernel": _kernel_active}}
