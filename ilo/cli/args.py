"""Command-line parsing for ``ilo``.

Flags may stand before the program and right after it; everything after the
program's own positional arguments begin is data for the program (so ``-5``
or ``--x`` can be passed through as arguments).
"""

from __future__ import annotations

import os
import sys
import re

from ilo.plain import Factory, plain
from ilo.diagnostics.errors import IloUsageError
from ilo.runtime.values import IloMap, Record

IDENT_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# flag -> (dest, takes_value)
FLAGS = {
    "--json": ("mode", "json"), "-j": ("mode", "json"),
    "--text": ("mode", "text"), "-t": ("mode", "text"),
    "--ansi": ("mode", "ansi"), "-a": ("mode", "ansi"),
    "--no-hints": ("no_hints", True), "-nh": ("no_hints", True), "-n": ("no_hints", True),
    "--silent": ("silent", True), "-s": ("silent", True),
    "--run-tree": ("engine", "tree"), "--run-vm": ("engine", "vm"), "--vm": ("engine", "vm"),
    "--run-cranelift": ("engine", "jit"), "--run-jit": ("engine", "jit"), "--jit": ("engine", "jit"),
    "--ast": ("ast", True),
    "--run": ("run", True),
    "--dense": ("layout", "dense"), "-d": ("layout", "dense"), "--fmt": ("layout", "dense"),
    "--expanded": ("layout", "expanded"), "-e": ("layout", "expanded"),
    "--fmt-expanded": ("layout", "expanded"),
    "--require-kernel-sandbox": ("require_kernel_sandbox", True),
    "--jit-report": ("jit_report", True),
}
VALUE_FLAGS = {
    "--engine": "engine", "--max-runtime": "max_runtime", "--max-output-bytes": "max_output_bytes",
    "--max-memory": "max_memory", "--max-idle": "max_idle", "--tools": "tools",
    "--max-write-bytes": "max_write_bytes", "--drain-timeout": "drain_timeout",
    "--allow-read": "allow_read", "--allow-write": "allow_write", "--allow-net": "allow_net",
    "--allow-env": "allow_env",
    "--max-ast-depth": "max_ast_depth",
}
ENGINE_NAMES = ("tree", "vm", "jit")

FLAG_EXAMPLES = {"--engine": "tree", "--tools": "tools.json", "--max-ast-depth": "256"}


@plain
class Options:
    mode: str | None = None          # "json" | "text" | "ansi" | None (auto)
    explicit_json: bool = False
    engine: str = "vm"               # the default: see README, Engines
    engine_flag: str | None = None   # the flag that chose the engine (to spot conflicts)
    no_hints: bool = False
    silent: bool = False             # program stdout is discarded; stderr untouched
    ast: bool = False
    layout: str | None = None        # "dense" | "expanded": reformat instead of running
    max_ast_depth: str | None = None
    run: bool = False                # upstream's `--run` spelling: run (the default action)
    jit_report: bool = False         # --jit-report: one stderr line per function, native or not
    tools: str | None = None
    max_runtime: str | None = None
    max_output_bytes: str | None = None
    max_memory: str | None = None
    max_idle: str | None = None
    max_write_bytes: str | None = None
    drain_timeout: str | None = None
    allow_read: str | None = None    # --allow-*: comma lists (paths made absolute), "*" = all
    allow_write: str | None = None
    allow_net: str | None = None
    allow_env: str | None = None
    require_kernel_sandbox: bool = False
    passthrough: list = Factory(list)   # guard/engine flags as given, for `ilo test`


def take_flag(argv: list[str], i: int, opts: Options) -> int:
    """Consume the flag at ``argv[i]`` if it is one; return the next index (or i)."""
    a = argv[i]
    name, eq, val = a.partition("=")
    if name in VALUE_FLAGS:
        if eq:
            value = val
            nxt = i + 1
        else:
            if i + 1 >= len(argv):
                raise IloUsageError("ILO-U002", f"{name} needs a value",
                                    hint=f"e.g. `{name} {FLAG_EXAMPLES.get(name, '5')}`")
            value = argv[i + 1]
            nxt = i + 2
        check_value(name, value)
        if name.startswith("--allow-"):
            value = allow_value(name, value, getattr(opts, VALUE_FLAGS[name]))
        if name == "--engine":
            choose_engine(opts, name, value)
        setattr(opts, VALUE_FLAGS[name], value)
        opts.passthrough += [name, value]
        return nxt
    if a in FLAGS:
        dest, value = FLAGS[a]
        if dest == "engine":
            choose_engine(opts, a, value)
        setattr(opts, dest, value)
        if a in ("--json", "-j"):
            opts.explicit_json = True
        if dest == "engine":
            opts.passthrough += ["--engine", value]
        elif dest == "require_kernel_sandbox":
            opts.passthrough.append(a)
        return i + 1
    return i


def choose_engine(opts: Options, flag: str, engine: str) -> None:
    """``--vm --jit`` (or ``--engine tree --vm``) asks for two engines: refuse it."""
    if opts.engine_flag is not None and opts.engine != engine:
        raise IloUsageError("ILO-U002", f"conflicting engine flags: {opts.engine_flag} and {flag}",
                            hint="pick one engine: --engine tree|vm|jit, --vm (--run-vm) or --jit")
    opts.engine_flag = flag


def max_ast_depth(opts: Options) -> int:
    from ilo.syntax.depth import DEFAULT_MAX_DEPTH

    return int(opts.max_ast_depth) if opts.max_ast_depth is not None else DEFAULT_MAX_DEPTH


def check_value(flag: str, value: str) -> None:
    """Refuse a bad flag value where it is typed (exit 2), whatever command
    follows: ``ilo --max-runtime abc test DIR`` is a usage error, not a
    test run whose every case fails."""
    from ilo import runtime_guard

    if flag in runtime_guard.GUARD_FLAGS:
        runtime_guard.parse_limit(flag, value)
    elif flag == "--engine" and value not in ENGINE_NAMES:
        raise IloUsageError("ILO-U002", f"unknown engine '{value}'",
                            hint=f"engines: {', '.join(ENGINE_NAMES)}")
    elif flag == "--max-ast-depth" and not (value.isdigit() and int(value) > 0):
        raise IloUsageError("ILO-U002", f"--max-ast-depth needs a positive whole number, got '{value}'",
                            hint="e.g. `--max-ast-depth 256` (the default)")


def allow_value(flag: str, value: str, before: str | None) -> str:
    """An ``--allow-*`` value checked, made absolute, merged with an earlier one."""
    from ilo import sandbox

    value = sandbox.check_flag(flag, value)
    if before is None or value == "*" or before == "*":
        return value if before != "*" else before
    return before + "," + value


def sandbox_policy(opts: Options):
    """The capability policy of the ``--allow-*`` flags (usage errors exit 2)."""
    from ilo import sandbox

    return sandbox.from_flags({flag: getattr(opts, dest) for flag, dest in VALUE_FLAGS.items()
                               if flag.startswith("--allow-")}, opts.require_kernel_sandbox)


def guard_flags(opts: Options) -> dict:
    """The guard flags given, as ``{"--max-runtime": "2", ...}``."""
    from ilo import runtime_guard

    return {flag: getattr(opts, VALUE_FLAGS[flag]) for flag in runtime_guard.GUARD_FLAGS
            if getattr(opts, VALUE_FLAGS[flag]) is not None}


def looks_like_flag(a: str) -> bool:
    return a.startswith("-") and not re.match(r"^-[0-9.]", a) and a != "-"


def parse_cli_arg(s: str):
    """Coerce one CLI argument: lists, quoted text, nil, numbers, bools, else text."""
    if s.startswith("[") and s.endswith("]"):
        inner = s[1:-1].strip()
        return [] if not inner else [parse_cli_arg(p.strip()) for p in split_top_level_commas(inner)]
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return s[1:-1]
    if s.startswith("{") and s.endswith("}"):
        import json

        try:
            return json_to_value(json.loads(s))
        except ValueError:
            return s
    if "," in s:
        return [parse_cli_arg(p.strip()) for p in split_top_level_commas(s)]
    if s == "nil":
        return None
    if s == "true":
        return True
    if s == "false":
        return False
    try:
        n = float(s)
        if n == n and n not in (float("inf"), float("-inf")) and s.strip().lower() not in ("nan", "inf"):
            return n
    except ValueError:
        pass
    return s


def json_to_value(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [json_to_value(x) for x in v]
    if isinstance(v, dict):
        return Record("json", {k: json_to_value(x) for k, x in v.items()})
    return v


def split_top_level_commas(s: str) -> list[str]:
    parts, depth, cur, quoted = [], 0, [], False
    for ch in s:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "[{":
            depth += 1
        elif not quoted and ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0 and not quoted:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def coerce_for_param(raw: str, ptype):
    """Type-aware coercion: ``t`` params keep the raw text; ``L`` params wrap scalars."""
    if ptype is not None and ptype[0] in ("t", "S"):
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            return raw[1:-1]
        return raw
    v = parse_cli_arg(raw)
    if ptype is not None and ptype[0] == "L" and not isinstance(v, list):
        v = [v]
    if ptype is not None and ptype[0] == "L" and ptype[1] is not None and ptype[1][0] == "t":
        v = [str(x) if isinstance(x, str) else _raw_text(x) for x in v]
    if ptype is not None and ptype[0] == "M" and isinstance(v, Record):
        v = IloMap(v.fields)
    return v


def _raw_text(x):
    from ilo.runtime.values import display

    return display(x)


def diag_mode(opts: Options) -> str:
    """``--json`` / ``--text`` / ``--ansi`` if given, else JSON unless stderr is
    a terminal, where it is text in colour unless ``NO_COLOR`` is set.
    (``NO_COLOR`` is about colour only: it never changes the format.)"""
    if opts.mode:
        return opts.mode
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        return "json"
    return "text" if os.environ.get("NO_COLOR") else "ansi"


def command_args(args: list[str], opts: Options, command: str,
                 own: dict[str, bool] | None = None) -> tuple[list[str], dict[str, object]]:
    """Split a subcommand's arguments into positionals and its own flags
    (``own`` maps a flag to whether it takes a value); global flags may
    stand anywhere, an unknown flag is ILO-U001, ``--`` ends the flags."""
    own = own or {}
    positional: list[str] = []
    found: dict[str, object] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            positional += args[i + 1:]
            break
        name, eq, val = a.partition("=")
        if name in own:
            if not own[name]:
                found[name] = True
                i += 1
                continue
            if not eq and i + 1 >= len(args):
                raise IloUsageError("ILO-U002", f"{name} needs a value",
                                    hint=f"run `ilo {command} --help` for its flags")
            found[name] = val if eq else args[i + 1]
            i += 1 if eq else 2
            continue
        j = take_flag(args, i, opts)
        if j != i:
            i = j
            continue
        if looks_like_flag(a):
            raise IloUsageError("ILO-U001", f"unknown flag '{a}' for `ilo {command}`",
                                hint=f"run `ilo {command} --help` for its flags")
        positional.append(a)
        i += 1
    return positional, found


def expect_positionals(positional: list[str], command: str, names: str, least: int, most: int) -> None:
    """Usage error unless ``least <= len(positional) <= most``."""
    if least <= len(positional) <= most:
        return
    msg = (f"`ilo {command}` needs {names}" if len(positional) < least
           else f"`ilo {command}` got an unexpected argument '{positional[most]}'")
    raise IloUsageError("ILO-U001", msg, hint=f"usage: ilo {command} {names}; see `ilo {command} --help`")
