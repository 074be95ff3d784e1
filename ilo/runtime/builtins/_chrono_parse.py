"""chrono-style parsing for ``dtparse``: ``strptime(text, fmt)`` → epoch seconds.

Follows chrono's rules: literals match exactly, whitespace in the format and
before numeric fields skips input whitespace, each numeric field takes at
most its natural width (so ``%Y%m%d`` parses ``20240115``), repeated fields
must agree, and errors carry chrono's fixed reasons.
"""

from __future__ import annotations

from ._chrono import (
    BAD_FORMAT, IMPOSSIBLE, INVALID, MAX_YEAR, MIN_YEAR, MONTHS, NOT_ENOUGH, OUT_OF_RANGE,
    TOO_LONG, TOO_SHORT, WEEKDAYS, _UNICODE_WS, ChronoError, Moment, days_from_civil,
    in_range, is_leap, items, month_len,
)


# ── parsing ───────────────────────────────────────────────────────────────────

_RANGES = {"month": (1, 12), "day": (1, 31), "hour": (0, 23), "hour12": (1, 12),
           "minute": (0, 59), "second": (0, 60), "nanosecond": (0, 999_999_999),
           "ordinal": (1, 366), "yearmod": (0, 99), "year100": (0, 2 ** 31 - 1),
           "year": (-2 ** 31, 2 ** 31 - 1), "weeksun": (0, 53), "weekmon": (0, 53),
           "isoweek": (1, 53), "quarter": (1, 4), "wdsun": (0, 6), "wdmon": (1, 7)}


class _Parsed(dict):
    def set(self, field: str, value: int):
        lo, hi = _RANGES.get(field, (-2 ** 63, 2 ** 63 - 1))
        if not lo <= value <= hi:
            raise ChronoError(OUT_OF_RANGE)
        if field == "hour":
            self.set("hour_div", value // 12)
            self.set("hour_mod", value % 12)
            return
        if field == "hour12":
            self.set("hour_mod", value % 12)
            return
        if field == "wdsun":
            field, value = "weekday", (value + 6) % 7
        elif field == "wdmon":
            field, value = "weekday", value - 1
        if field in self and self[field] != value:
            raise ChronoError(IMPOSSIBLE)
        self[field] = value


def _number(s: str, lo: int, hi: int) -> tuple[str, int]:
    if len(s) < lo:
        raise ChronoError(TOO_SHORT)
    n, i = 0, 0
    while i < len(s) and i < hi:
        c = s[i]
        if not ("0" <= c <= "9"):
            if i < lo:
                raise ChronoError(INVALID)
            return s[i:], n
        n = n * 10 + ord(c) - 48
        if n > 2 ** 63 - 1:
            raise ChronoError(OUT_OF_RANGE)
        i += 1
    return s[i:], n


def _name(s: str, names: list[str], long: bool) -> tuple[str, int]:
    if len(s) < 3:
        raise ChronoError(TOO_SHORT)
    head = s[:3].lower()
    for idx, full in enumerate(names):
        if full[:3].lower() == head:
            s = s[3:]
            rest = full[3:].lower()
            if long and s[:len(rest)].lower() == rest:
                s = s[len(rest):]
            return s, idx
    raise ChronoError(INVALID)


def _nanos(s: str, digits: int | None) -> tuple[str, int]:
    before = len(s)
    s, v = _number(s, digits or 1, digits or 9)
    v *= 10 ** (9 - (before - len(s)))
    if digits is None:
        s = s.lstrip("0123456789")
    return s, v


def _offset(s: str, allow_z: bool) -> tuple[str, int]:
    s = s.lstrip(_UNICODE_WS)
    if allow_z and s[:1] in ("Z", "z"):
        return s[1:], 0
    if not s:
        raise ChronoError(TOO_SHORT)
    if s[0] not in "+-":
        raise ChronoError(INVALID)
    sign = -1 if s[0] == "-" else 1
    s, hh = _number(s[1:], 2, 2)
    if s[:1] in (":", " "):
        s = s[1:]
    mm = 0
    if s[:1].isdigit():
        s, mm = _number(s, 2, 2)
    return s, sign * (hh * 3600 + mm * 60)


def _parse_items(parsed: _Parsed, s: str, its) -> str:
    for item in its:
        kind = item[0]
        if kind == "lit":
            lit = item[1]
            if len(s.encode()) < len(lit.encode()):
                raise ChronoError(TOO_SHORT)
            if not s.startswith(lit):
                raise ChronoError(INVALID)
            s = s[len(lit):]
        elif kind == "space":
            s = s.lstrip(_UNICODE_WS)
        elif kind == "num":
            field, width = item[1], item[2]
            s = s.lstrip(_UNICODE_WS)
            if field in ("year", "isoyear") and s[:1] in ("-", "+"):
                neg = s[0] == "-"
                s, v = _number(s[1:], 1, 10 ** 9)
                v = -v if neg else v
            else:
                s, v = _number(s, 1, 10 ** 9 if field == "timestamp" else width)
            parsed.set(field, v)
        elif kind == "fix":
            s = _parse_fixed(parsed, s, item[1])
        else:
            raise ChronoError(BAD_FORMAT)
    return s


def _parse_fixed(parsed: _Parsed, s: str, name: str) -> str:
    if name in ("monabbr", "month"):
        s, m = _name(s, MONTHS, name == "month")
        parsed.set("month", m + 1)
    elif name in ("dayabbr", "dayname"):
        s, d = _name(s, WEEKDAYS, name == "dayname")
        parsed.set("weekday", d)
    elif name in ("AMPM", "ampm"):
        if len(s) < 2:
            raise ChronoError(TOO_SHORT)
        word = s[:2].lower()
        if word not in ("am", "pm"):
            raise ChronoError(INVALID)
        parsed.set("hour_div", 1 if word == "pm" else 0)
        s = s[2:]
    elif name.startswith("dotnano"):
        if s.startswith("."):  # the fraction is optional
            s, v = _nanos(s[1:], None if name == "dotnano" else int(name[-1]))
            parsed.set("nanosecond", v)
    elif name.startswith("nano"):
        digits = int(name[-1])
        if len(s) < digits:
            raise ChronoError(TOO_SHORT)
        s, v = _nanos(s, digits)
        parsed.set("nanosecond", v)
    elif name == "tzname":
        i = 0
        while i < len(s) and s[i] not in _UNICODE_WS:
            i += 1
        s = s[i:]
    elif name.startswith("tz"):
        s, off = _offset(s, name == "tz#")
        parsed.set("offset", off)
    elif name == "rfc3339":
        s = _parse_items(parsed, s, items("%Y-%m-%dT%H:%M:%S%.f"))
        s, off = _offset(s, True)
        parsed.set("offset", off)
    return s


def _resolve_year(p: _Parsed):
    y, q, r = p.get("year"), p.get("year100"), p.get("yearmod")
    if q is None and r is None:
        return y
    if y is not None:
        if y < 0 or (q is not None and q != y // 100) or (r is not None and r != y % 100):
            raise ChronoError(IMPOSSIBLE)
        return y
    if q is not None and r is not None:
        return q * 100 + r
    if r is not None:
        return r + (2000 if r < 70 else 1900)
    raise ChronoError(NOT_ENOUGH)


def _to_days(p: _Parsed) -> int:
    year = _resolve_year(p)
    if year is None:
        raise ChronoError(NOT_ENOUGH)
    if "month" in p and "day" in p:
        if not (MIN_YEAR <= year <= MAX_YEAR) or p["day"] > month_len(year, p["month"]):
            raise ChronoError(OUT_OF_RANGE)
        days = days_from_civil(year, p["month"], p["day"])
        ordinal_ok = p.get("ordinal", days - days_from_civil(year, 1, 1) + 1) == \
            days - days_from_civil(year, 1, 1) + 1
    elif "ordinal" in p:
        if not (MIN_YEAR <= year <= MAX_YEAR) or p["ordinal"] > (366 if is_leap(year) else 365):
            raise ChronoError(OUT_OF_RANGE)
        days = days_from_civil(year, 1, 1) + p["ordinal"] - 1
        m = Moment(days * 86400)
        ordinal_ok = p.get("month", m.month) == m.month and p.get("day", m.day) == m.day
    else:
        raise ChronoError(NOT_ENOUGH)
    if not ordinal_ok or ("weekday" in p and p["weekday"] != (days + 3) % 7):
        raise ChronoError(IMPOSSIBLE)
    return days


def _to_secs(p: _Parsed) -> int:
    if "hour_div" not in p or "hour_mod" not in p or "minute" not in p:
        raise ChronoError(NOT_ENOUGH)
    if "nanosecond" in p and "second" not in p:
        raise ChronoError(NOT_ENOUGH)
    second = min(p.get("second", 0), 59)
    return (p["hour_div"] * 12 + p["hour_mod"]) * 3600 + p["minute"] * 60 + second


def _parse(text: str, fmt: str) -> _Parsed:
    parsed = _Parsed()
    rest = _parse_items(parsed, text, items(fmt))
    if rest:
        raise ChronoError(TOO_LONG)
    return parsed


def _datetime(p: _Parsed) -> int:
    try:
        days, date_err = _to_days(p), None
    except ChronoError as e:
        days, date_err = None, e
    try:
        secs, time_err = _to_secs(p), None
    except ChronoError as e:
        secs, time_err = None, e
    if date_err is None and time_err is None:
        ts = days * 86400 + secs
        if "timestamp" in p and p["timestamp"] != ts:
            raise ChronoError(IMPOSSIBLE)
        return ts
    if "timestamp" in p:
        for err in (date_err, time_err):
            if err is not None and str(err) in (OUT_OF_RANGE, IMPOSSIBLE):
                raise err
        ts = p["timestamp"]
        if not in_range(ts):
            raise ChronoError(OUT_OF_RANGE)
        mo = Moment(ts)
        for field in ("year", "ordinal", "hour", "minute"):
            p.set(field, getattr(mo, field))
        return ts
    raise date_err or time_err


def strptime(text: str, fmt: str) -> int:
    """Epoch seconds for ``text``: a full date-time, else a date at midnight.

    The date-only attempt's error is the one reported, as upstream does."""
    try:
        return _datetime(_parse(text, fmt))
    except ChronoError:
        pass
    return _to_days(_parse(text, fmt)) * 86400
