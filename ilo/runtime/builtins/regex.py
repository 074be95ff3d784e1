"""Regex builtins on RE2 with the Rust ``regex`` crate's observable behaviour.

* Matching runs on UTF-8 bytes and iterates like Rust: an empty match that
  starts where the previous match ended is skipped.
* ``\\d``, ``\\w``, ``\\s`` (and negations outside classes) are widened to
  their Unicode meaning, which Rust uses by default and RE2 does not.
* ``rgxsub`` expands ``$1``, ``${1}``, ``$name``, ``${name}`` and ``$$`` with
  Rust's rules (``$1a`` names a group ``1a``; missing groups expand empty).
"""

from __future__ import annotations

from ._core import builtin, debug, fail

_W = r"\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\x{200C}\x{200D}"
_S = r"\t\n\x0B\f\r \x{85}\p{Z}"
_OUTSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": f"[{_W}]", "W": f"[^{_W}]",
            "s": f"[{_S}]", "S": f"[^{_S}]"}
_INSIDE = {"d": r"\p{Nd}", "w": _W, "s": _S}


def unicode_classes(pattern: str) -> str:
    """Rewrite Perl classes to Unicode-aware equivalents RE2 understands."""
    out, i, n, depth = [], 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            table = _INSIDE if depth else _OUTSIDE
            out.append(table.get(nxt, c + nxt))
            i += 2
            continue
        if c == "[":
            if depth == 0:
                depth = 1
                out.append(c)
                i += 1
                # A leading ']' (after optional '^') is a literal member.
                if i < n and pattern[i] == "^":
                    out.append("^")
                    i += 1
                if i < n and pattern[i] == "]":
                    out.append("]")
                    i += 1
                continue
            if pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                if end > 0:
                    out.append(pattern[i:end + 2])
                    i = end + 2
                    continue
        elif c == "]" and depth:
            depth = 0
        out.append(c)
        i += 1
    return "".join(out)


def compile_pattern(op: str, pattern: str):
    import re2

    try:
        return re2.compile(unicode_classes(pattern))
    except re2.error as e:
        fail(f"{op}: invalid regex pattern: {e}")


def _next_boundary(data: bytes, i: int) -> int:
    i += 1
    while i < len(data) and (data[i] & 0xC0) == 0x80:
        i += 1
    return i


def matches(rx, data: bytes):
    """All non-overlapping matches with Rust's empty-match rule."""
    start, last, n = 0, None, len(data)
    while start <= n:
        m = rx.search(data, start)
        if m is None:
            return
        s, e = m.span()
        if s == e and e == last:
            retry = _next_boundary(data, s)
            if retry > n:
                return
            m = rx.search(data, retry)
            if m is None:
                return
            s, e = m.span()
        yield m
        start = last = e


def _text(b) -> str:
    return b.decode("utf-8", "surrogatepass")


def _groups(m, count: int) -> list[str]:
    """Captured groups that participated, in order (absent ones are skipped)."""
    return [_text(g) for g in (m.group(i) for i in range(1, count + 1)) if g is not None]


def _args(op: str, args):
    pat, subject = args
    if not isinstance(pat, str):
        fail(f"{op}: first arg must be a string pattern, got {debug(pat)}")
    if not isinstance(subject, str):
        fail(f"{op}: second arg must be a string, got {debug(subject)}")
    return compile_pattern(op, pat), subject.encode("utf-8", "surrogatepass")


@builtin("rgx", 2, ret="L t", params=("t", "t"), parse=2)
def rgx(ctx, args):
    rx, data = _args("rgx", args)
    if rx.groups:
        m = rx.search(data)
        return [] if m is None else _groups(m, rx.groups)
    return [_text(m.group(0)) for m in matches(rx, data)]


@builtin("rgxall", 2, ret="L (L t)", params=("t", "t"), parse=2)
def rgxall(ctx, args):
    rx, data = _args("rgxall", args)
    if rx.groups:
        return [_groups(m, rx.groups) for m in matches(rx, data)]
    return [[_text(m.group(0))] for m in matches(rx, data)]


@builtin("rgxall1", 2, ret="L t", params=("t", "t"), parse=2)
def rgxall1(ctx, args):
    rx, data = _args("rgxall1", args)
    if rx.groups >= 2:
        fail(
            f"rgxall1: pattern has {rx.groups} capture groups; rgxall1 only supports 0 or 1. "
            "Use rgxall for L (L t) with every group preserved."
        )
    if rx.groups == 1:
        return [_text(m.group(1)) for m in matches(rx, data) if m.group(1) is not None]
    return [_text(m.group(0)) for m in matches(rx, data)]


def _cap_ref(rep: str, i: int):
    """Parse a capture reference at ``rep[i] == '$'``: (name-or-index, end) or None."""
    if i + 1 >= len(rep):
        return None
    if rep[i + 1] == "{":
        close = rep.find("}", i + 2)
        if close < 0:
            return None
        name = rep[i + 2:close]
        end = close + 1
    else:
        j = i + 1
        while j < len(rep) and (rep[j].isascii() and (rep[j].isalnum() or rep[j] == "_")):
            j += 1
        if j == i + 1:
            return None
        name, end = rep[i + 1:j], j
    body = name[1:] if name.startswith("+") else name
    if body.isascii() and body.isdigit():
        return int(body), end
    return name, end


def expand(rep: str, m, rx) -> str:
    out, i = [], 0
    while True:
        j = rep.find("$", i)
        if j < 0:
            out.append(rep[i:])
            return "".join(out)
        out.append(rep[i:j])
        if rep.startswith("$$", j):
            out.append("$")
            i = j + 2
            continue
        ref = _cap_ref(rep, j)
        if ref is None:
            out.append("$")
            i = j + 1
            continue
        key, i = ref
        if isinstance(key, str):
            key = rx.groupindex.get(key)
        g = m.group(key) if isinstance(key, int) and key <= rx.groups else None
        if g is not None:
            out.append(_text(g))


@builtin("rgxsub", 3, ret="t", params=("t", "t", "t"), parse=3)
def rgxsub(ctx, args):
    pat, rep, subject = args
    if not isinstance(pat, str):
        fail(f"rgxsub: first arg must be a string pattern, got {debug(pat)}")
    if not isinstance(rep, str):
        fail(f"rgxsub: second arg must be a string replacement, got {debug(rep)}")
    if not isinstance(subject, str):
        fail(f"rgxsub: third arg must be a string subject, got {debug(subject)}")
    rx = compile_pattern("rgxsub", pat)
    data = subject.encode("utf-8", "surrogatepass")
    out, prev = [], 0
    for m in matches(rx, data):
        s, e = m.span()
        out.append(_text(data[prev:s]))
        out.append(expand(rep, m, rx))
        prev = e
    out.append(_text(data[prev:]))
    return "".join(out)
