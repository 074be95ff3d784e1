"""Command-line parsing for ``ilo``.

Flags may stand before the program and right after it; everything after the
program's own positional arguments begin is data for the program (so ``-5``
or ``--x`` can be passed through as arguments).
"""

from __future__ import annotations

import json
import os
import sys
import re
from dataclasses import dataclass, field

from ilo.diagnostics.errors import IloUsageError
from ilo.runtime.values import IloMap, Record

IDENT_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# flag -> (dest, takes_value)
FLAGS = {
    "--json": ("mode", "json"), "-j": ("mode", "json"),
    "--text": ("mode", "text"), "-t": ("mode", "text"),
    "--ansi": ("mode", "text"), "-a": ("mode", "text"),
    "--no-hints": ("no_hints", True), "-nh": ("no_hints", True),
    "--run-tree": ("engine", "tree"), "--run-vm": ("engine", "vm"),
    "--run-cranelift": ("engine", "jit"), "--run-jit": ("engine", "jit"),
    "--ast": ("ast", True),
    "--run": ("run", True),
    "--dense": ("dense", True), "-d": ("dense", True),
}
VALUE_FLAGS = {
    "--engine": "engine", "--max-runtime": "max_runtime", "--max-output-bytes": "max_output_bytes",
    "--max-memory": "max_memory", "--max-idle": "max_idle", "--tools": "tools",
}

FLAG_EXAMPLES = {"--engine": "tree", "--tools": "tools.json"}


@dataclass
class Options:
    mode: str | None = None          # "json" | "text" | None (auto)
    explicit_json: bool = False
    engine: str = "vm"
    no_hints: bool = False
    ast: bool = False
    dense: bool = False
    run: bool = False                # upstream's `--run` spelling: run (the default action)
    tools: str | None = None
    max_runtime: str | None = None
    max_output_bytes: str | None = None
    max_memory: str | None = None
    max_idle: str | None = None
    passthrough: list = field(default_factory=list)   # guard/engine flags as given, for `ilo test`


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
        setattr(opts, VALUE_FLAGS[name], value)
        opts.passthrough += [name, value]
        return nxt
    if a in FLAGS:
        dest, value = FLAGS[a]
        setattr(opts, dest, value)
        if a in ("--json", "-j"):
            opts.explicit_json = True
        if dest == "engine":
            opts.passthrough += ["--engine", value]
        return i + 1
    return i


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
    if opts.mode:
        return opts.mode
    if os.environ.get("NO_COLOR"):
        return "text"
    try:
        return "text" if sys.stderr.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"
