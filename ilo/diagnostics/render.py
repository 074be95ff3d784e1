"""Render a diagnostic as one JSON line or as human text.

JSON shape (always one line)::

    {"error": {"code": "ILO-T005", "message": "...", "hint": "...",
               "severity": "error", "labels": [...], "notes": [...],
               "suggestion": "did you mean 'x'?" (only when there is one), ...extra}}

``code``, ``message`` and ``hint`` are always present (``hint`` may be null
only when nothing useful can be said), so a harness can parse any failure
the same way.
"""

from __future__ import annotations


from ilo.diagnostics.errors import IloError


def line_col(source: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    start = source.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def to_dict(err: IloError, source: str | None = None) -> dict:
    body = {
        "code": err.code,
        "message": err.message,
        "hint": err.hint,
        "severity": err.severity,
        "labels": [],
        "notes": list(err.notes),
    }
    if err.span is not None:
        label = {"start": err.span.start, "end": err.span.end, "primary": True}
        if source is not None:
            label["line"], label["col"] = line_col(source, err.span.start)
        body["labels"].append(label)
    body.update(err.extra)
    return {err.severity: body}


def render_json(err: IloError, source: str | None = None) -> str:
    import json

    return json.dumps(to_dict(err, source), ensure_ascii=False, separators=(",", ":"))


def render_text(err: IloError, source: str | None = None) -> str:
    lines = [f"{err.severity}[{err.code}]: {err.message}"]
    if err.span is not None and source is not None:
        line_no, col = line_col(source, err.span.start)
        src_lines = source.split("\n")
        text = src_lines[line_no - 1] if line_no - 1 < len(src_lines) else ""
        width = max(1, min(err.span.end, len(source)) - err.span.start)
        width = min(width, max(1, len(text) - col + 1))
        gutter = " " * len(str(line_no))
        lines += [
            f"{gutter}--> {line_no}:{col}",
            f"{gutter} |",
            f"{line_no} | {text}",
            f"{gutter} | {' ' * (col - 1)}{'^' * width}",
        ]
    for note in err.notes:
        lines.append(f"  = note: {note}")
    if err.extra.get("suggestion"):
        lines.append(f"  = suggestion: {err.extra['suggestion']}")
    if err.hint:
        lines.append(f"  hint: {err.hint}")
    return "\n".join(lines)


_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "hint": "\x1b[36m", "caret": "\x1b[31m"}
_RESET = "\x1b[0m"


def render_ansi(err: IloError, source: str | None = None) -> str:
    """The text form with the severity, carets and hint in colour (``--ansi``)."""
    lines = render_text(err, source).split("\n")
    sev = _COLOURS.get(err.severity, _COLOURS["error"])
    head, _, rest = lines[0].partition(":")
    lines[0] = f"{sev}{head}{_RESET}:{rest}"
    for k, line in enumerate(lines[1:], 1):
        if line.startswith("  hint:"):
            lines[k] = f"  {_COLOURS['hint']}hint{_RESET}:{line[7:]}"
        else:
            bar, sep, carets = line.partition(" | ")
            if sep and not bar.strip() and set(carets.strip()) == {"^"}:
                lines[k] = f"{bar} | {_COLOURS['caret']}{carets}{_RESET}"
    return "\n".join(lines)


def render(err: IloError, mode: str, source: str | None = None) -> str:
    """``mode`` is ``"json"``, ``"text"`` or ``"ansi"`` (text in colour); the
    result has no trailing newline."""
    if mode == "json":
        return render_json(err, source)
    return render_ansi(err, source) if mode == "ansi" else render_text(err, source)
