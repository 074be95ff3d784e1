"""Diagnostics as exceptions: one class per phase, each carrying a stable code.

Every user-facing failure is one of these; the CLI renders it (text or JSON)
and picks the exit code from ``exit_code`` (2 for parse/verify/usage, 1 for
runtime).
"""

from __future__ import annotations


class Span:
    """Half-open character offsets into the original source: immutable, compared by value.

    A plain class, not a dataclass: it is on every run's start-up path."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r}: a Span is immutable")

    def __delattr__(self, name):
        raise AttributeError(f"cannot delete field {name!r}: a Span is immutable")

    def __eq__(self, other):
        if type(other) is not Span:
            return NotImplemented
        return self.start == other.start and self.end == other.end

    def __hash__(self):
        return hash((self.start, self.end))

    def __repr__(self):
        return f"Span(start={self.start!r}, end={self.end!r})"

    def __reduce__(self):
        return (Span, (self.start, self.end))


class IloError(Exception):
    exit_code = 1
    severity = "error"

    def __init__(self, code: str, message: str, *, hint: str | None = None,
                 span: Span | None = None, notes: list[str] | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.span = span
        self.notes = list(notes or [])
        self.extra = dict(extra or {})

    def __str__(self):
        return f"{self.code}: {self.message}"


class IloUsageError(IloError):
    """Bad command line: unknown flag, bad flag value, missing file."""
    exit_code = 2


class IloParseError(IloError):
    """Lexer (ILO-L) and parser (ILO-P) errors."""
    exit_code = 2


class IloCheckError(IloError):
    """Static verification errors (ILO-T and friends)."""
    exit_code = 2


class IloRuntimeError(IloError):
    """Errors raised while a program runs (ILO-R)."""
    exit_code = 1
