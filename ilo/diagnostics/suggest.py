""""Did you mean" suggestions: the closest known name by edit distance.

A suggestion travels in the diagnostic's ``suggestion`` key (JSON) and a
``= suggestion:`` line (text), apart from the hint, so a harness can read it
without parsing prose.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloError


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute), two rows of memory."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def closest(name: str, pool) -> str | None:
    """The nearest candidate within a distance that still looks like a typo (at most 3)."""
    limit = min(3, max(1, len(name) - 1))
    best, best_d = None, limit + 1
    for cand in dict.fromkeys(pool):
        if cand == name or cand.startswith("__") or abs(len(cand) - len(name)) > limit:
            continue
        d = levenshtein(name, cand)
        if d < best_d:
            best, best_d = cand, d
    return best


def suggestion_text(name: str, pool) -> str | None:
    best = closest(name, pool)
    return f"did you mean '{best}'?" if best else None


def with_suggestion(err: IloError, name: str, pool) -> IloError:
    """Attach the closest name in ``pool`` to ``err`` (if any) and return it."""
    text = suggestion_text(name, pool)
    if text:
        err.extra["suggestion"] = text
    return err
