"""Diagnostics as exceptions: one class per phase, each carrying a stable code.

Every user-facing failure is one of these; the CLI renders it (text or JSON)
and picks the exit code from ``exit_code`` (2 for parse/verify/usage, 1 for
runtime).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Half-open character offsets into the original source."""

    start: int
    end: int


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
