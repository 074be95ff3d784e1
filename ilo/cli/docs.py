"""Subcommands that print documentation: ``explain``, ``version``, ``spec``,
``help`` and ``skill``. Nothing here parses or runs a program."""

from __future__ import annotations

import json
from pathlib import Path

from ilo import sink
from ilo.cli.args import Options, command_args, expect_positionals
from ilo.diagnostics.errors import IloUsageError

ROOT = Path(__file__).resolve().parents[2]     # the project: SPEC.md and skills/ live here
SPEC_TOPICS = ("lang", "ai")


def explain_command(args: list[str], opts: Options) -> int:
    from ilo.cli.main import explain

    positional, _ = command_args(args, opts, "explain")
    expect_positionals(positional, "explain", "CODE", 1, 1)
    return explain(positional, opts)


def version_command(args: list[str], opts: Options) -> int:
    from ilo import __version__
    from ilo.api import available_engines

    positional, _ = command_args(args, opts, "version")
    expect_positionals(positional, "version", "", 0, 0)
    if not opts.explicit_json:
        sink.write_report(f"ilo {__version__}\n")
        return 0
    from ilo import sandbox

    info = {"version": __version__, "engines": available_engines(), "guards": guard_layers(opts),
            "sandbox": sandbox.layers()}
    sink.write_report(json.dumps(info, separators=(",", ":")) + "\n")
    return 0


def guard_layers(opts: Options) -> dict[str, float]:
    """The runtime guard's limits as this command line sets them (0 = off)."""
    from ilo import runtime_guard
    from ilo.cli.args import guard_flags

    limits = runtime_guard.limits_from_flags(guard_flags(opts))
    return {flag.lstrip("-"): getattr(limits, field) for flag, field in runtime_guard.GUARD_FLAGS.items()}


def spec_command(args: list[str], opts: Options) -> int:
    positional, _ = command_args(args, opts, "spec")
    expect_positionals(positional, "spec", "[lang|ai]", 0, 1)
    topic = positional[0] if positional else "lang"
    if topic not in SPEC_TOPICS:
        raise IloUsageError("ILO-U002", f"unknown spec topic '{topic}'",
                            hint="topics: lang (the full spec), ai (a compact form for agents)")
    text = read_doc(ROOT / "SPEC.md")
    sink.write_report(text if topic == "lang" else compact_spec(text))
    return 0


def help_command(args: list[str], opts: Options) -> int:
    """``ilo help`` is the overview; ``ilo help lang|ai`` is upstream's alias for ``spec``."""
    from ilo.cli.usage import USAGE

    if args:
        return spec_command(args, opts)
    sink.write_report(USAGE)
    return 0


def read_doc(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise IloUsageError("ILO-U003", f"{path.name} is not installed alongside ilo ({path})",
                            hint="the documents ship with the source tree; "
                                 "install ilo from a checkout (pip install -e .)") from None


def compact_spec(text: str) -> str:
    """SPEC.md for agents: headings, rules, tables and examples; of each
    prose paragraph only its first sentence."""
    out: list[str] = []
    in_code = False
    paragraph_started = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            out.append(line)
            continue
        if in_code:
            out.append(line)
            continue
        if not stripped or set(stripped) <= set("-=*_"):
            paragraph_started = False
            continue
        if stripped.startswith(("#", "|", "- ", "* ")) or stripped[:2].rstrip(".").isdigit():
            if not set(stripped) <= set("|-: "):
                out.append(line)
            paragraph_started = False
            continue
        if not paragraph_started:
            out.append(first_sentence(stripped))
            paragraph_started = True
    return "\n".join(out) + "\n"


def first_sentence(text: str) -> str:
    for end in (". ", ": "):
        k = text.find(end)
        if k > 0:
            return text[:k + 1]
    return text


# ---- skills ----

def skill_command(args: list[str], opts: Options) -> int:
    positional, _ = command_args(args, opts, "skill")
    if not positional or positional[0] not in ("list", "get", "path"):
        raise IloUsageError("ILO-U001", "`ilo skill` needs list, get NAME or path NAME",
                            hint="e.g. ilo skill list")
    action = positional[0]
    skills = find_skills()
    if action == "list":
        expect_positionals(positional, "skill list", "", 1, 1)
        if opts.explicit_json:
            rows = [{"name": n, "description": d, "path": str(p)} for n, (p, d) in skills.items()]
            sink.write_report(json.dumps(rows, ensure_ascii=False) + "\n")
        else:
            sink.write_report("".join(f"{n}\t{d}\n" for n, (_, d) in skills.items()))
        return 0
    expect_positionals(positional, f"skill {action}", "NAME", 2, 2)
    name = positional[1]
    if name not in skills:
        raise IloUsageError("ILO-U003", f"no skill named '{name}'",
                            hint="skills: " + (", ".join(skills) or "none installed"))
    path = skills[name][0]
    sink.write_report(f"{path}\n" if action == "path" else read_doc(path))
    return 0


def find_skills() -> dict[str, tuple[Path, str]]:
    """name -> (path of SKILL.md, description from its front matter)."""
    found = {}
    for path in sorted((ROOT / "skills").glob("*/SKILL.md")):
        found[path.parent.name] = (path, front_matter(path).get("description", ""))
    return found


def front_matter(path: Path) -> dict[str, str]:
    lines = read_doc(path).splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    fields = {}
    for line in lines[1:]:
        if line.strip() == "---":
            break
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields
