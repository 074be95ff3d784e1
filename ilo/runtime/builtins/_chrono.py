"""UTC calendar maths and strftime with the conventions of Rust's chrono crate.

Python's ``time.strftime`` is platform C and limited to years 1..9999, while
upstream uses chrono: years from -262143 to 262142, ``%Y`` signs years
outside 0..9999, parsing skips whitespace before numbers, and failures carry
chrono's fixed messages (``input contains invalid characters`` ...).
"""

from __future__ import annotations

MIN_YEAR, MAX_YEAR = -262143, 262142

OUT_OF_RANGE = "input is out of range"
IMPOSSIBLE = "no possible date and time matching input"
NOT_ENOUGH = "input is not enough for unique date and time"
INVALID = "input contains invalid characters"
TOO_SHORT = "premature end of input"
TOO_LONG = "trailing input"
BAD_FORMAT = "bad or unsupported format string"

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_UNICODE_WS = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class ChronoError(Exception):
    pass


# ── calendar arithmetic (proleptic Gregorian, any year) ─────────────────────

def days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def month_len(y: int, m: int) -> int:
    return [31, 29 if is_leap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]


class Moment:
    """A UTC instant broken into calendar fields (whole seconds)."""

    def __init__(self, ts: int):
        days, secs = divmod(ts, 86400)
        self.ts = ts
        self.days = days
        self.year, self.month, self.day = civil_from_days(days)
        self.hour, rem = divmod(secs, 3600)
        self.minute, self.second = divmod(rem, 60)
        self.ordinal = days - days_from_civil(self.year, 1, 1) + 1
        self.weekday0 = (days + 3) % 7  # Monday = 0

    def iso_week(self) -> tuple[int, int]:
        week = (self.ordinal - (self.weekday0 + 1) + 10) // 7
        year = self.year
        if week < 1:
            year -= 1
            week = _weeks_in(year)
        elif week > _weeks_in(year):
            year, week = year + 1, 1
        return year, week


def _weeks_in(y: int) -> int:
    jan1 = (days_from_civil(y, 1, 1) + 3) % 7  # Monday = 0
    return 53 if jan1 == 3 or (jan1 == 2 and is_leap(y)) else 52


def in_range(ts: int) -> bool:
    y = civil_from_days(ts // 86400)[0]
    return MIN_YEAR <= y <= MAX_YEAR


# ── format string items ──────────────────────────────────────────────────────

_COMPOSITE = {"D": "%m/%d/%y", "x": "%m/%d/%y", "F": "%Y-%m-%d", "v": "%e-%b-%Y",
              "R": "%H:%M", "T": "%H:%M:%S", "X": "%H:%M:%S", "r": "%I:%M:%S %p",
              "c": "%a %b %e %H:%M:%S %Y", "h": "%b"}
# spec -> (field, width, default pad)
_NUMERIC = {"Y": ("year", 4, "0"), "C": ("year100", 2, "0"), "y": ("yearmod", 2, "0"),
            "G": ("isoyear", 4, "0"), "g": ("isoyearmod", 2, "0"), "V": ("isoweek", 2, "0"),
            "m": ("month", 2, "0"), "d": ("day", 2, "0"), "e": ("day", 2, " "),
            "q": ("quarter", 1, "0"), "U": ("weeksun", 2, "0"), "W": ("weekmon", 2, "0"),
            "w": ("wdsun", 1, "0"), "u": ("wdmon", 1, "0"), "j": ("ordinal", 3, "0"),
            "H": ("hour", 2, "0"), "k": ("hour", 2, " "), "I": ("hour12", 2, "0"),
            "l": ("hour12", 2, " "), "M": ("minute", 2, "0"), "S": ("second", 2, "0"),
            "f": ("nanosecond", 9, "0"), "s": ("timestamp", 1, "0")}
_FIXED = {"b": "monabbr", "B": "month", "a": "dayabbr", "A": "dayname", "p": "AMPM",
          "P": "ampm", "Z": "tzname", "z": "tz", "+": "rfc3339", "t": "\t", "n": "\n", "%": "%"}


def items(fmt: str) -> list[tuple]:
    """Tokenise a format string: ('lit', s) / ('space', s) / ('num', field, width, pad) / ('fix', name)."""
    out, i, n = [], 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            j = i
            space = c in _UNICODE_WS
            while j < n and fmt[j] != "%" and (fmt[j] in _UNICODE_WS) == space:
                j += 1
            out.append(("space" if space else "lit", fmt[i:j]))
            i = j
            continue
        i += 1
        pad = None
        if i < n and fmt[i] in "-_0":
            pad = {"-": "", "_": " ", "0": "0"}[fmt[i]]
            i += 1
        if i >= n:
            out.append(("error",))
            break
        spec = fmt[i]
        i += 1
        if spec in _COMPOSITE:
            out.extend(items(_COMPOSITE[spec]))
        elif spec in _NUMERIC:
            field, width, default = _NUMERIC[spec]
            out.append(("num", field, width, default if pad is None else pad))
        elif spec in _FIXED:
            name = _FIXED[spec]
            out.append(("lit", name) if name in ("\t", "\n", "%") else ("fix", name))
        elif spec == "." and fmt[i:i + 1] == "f":
            out.append(("fix", "dotnano"))
            i += 1
        elif spec == "." and fmt[i:i + 2] in ("3f", "6f", "9f"):
            out.append(("fix", f"dotnano{fmt[i]}"))
            i += 2
        elif spec in "369" and fmt[i:i + 1] == "f":
            out.append(("fix", f"nano{spec}"))
            i += 1
        elif spec == ":":
            colons = 1
            while fmt[i:i + 1] == ":":
                colons += 1
                i += 1
            if fmt[i:i + 1] == "z" and colons <= 3:
                out.append(("fix", "tz" + ":" * colons))
                i += 1
            else:
                out.append(("error",))
        elif spec == "#" and fmt[i:i + 1] == "z":
            out.append(("fix", "tz#"))
            i += 1
        else:
            out.append(("error",))
    return out


# ── formatting ────────────────────────────────────────────────────────────────

def _num_value(mo: Moment, field: str) -> int:
    if field == "year100":
        return mo.year // 100
    if field == "yearmod":
        return mo.year % 100
    if field == "isoyear":
        return mo.iso_week()[0]
    if field == "isoyearmod":
        return mo.iso_week()[0] % 100
    if field == "isoweek":
        return mo.iso_week()[1]
    if field == "quarter":
        return (mo.month - 1) // 3 + 1
    if field == "weeksun":
        return (mo.ordinal - (mo.weekday0 + 1) % 7 + 6) // 7
    if field == "weekmon":
        return (mo.ordinal - mo.weekday0 + 6) // 7
    if field == "wdsun":
        return (mo.weekday0 + 1) % 7
    if field == "wdmon":
        return mo.weekday0 + 1
    if field == "hour12":
        return (mo.hour + 11) % 12 + 1
    if field == "nanosecond":
        return 0
    if field == "timestamp":
        return mo.ts
    return getattr(mo, field)


def _pad_num(v: int, width: int, pad: str, signed_year: bool) -> str:
    if signed_year and not 0 <= v < 10000:
        if pad == "":
            return f"{v:+d}"
        return format(v, ("+0" if pad == "0" else "+") + str(width + 1) + "d")
    if pad == "":
        return str(v)
    return format(v, ("0" if pad == "0" else "") + str(width) + "d")


def strftime(ts: int, fmt: str) -> str:
    mo = Moment(ts)
    out = []
    for item in items(fmt):
        kind = item[0]
        if kind in ("lit", "space"):
            out.append(item[1])
        elif kind == "num":
            _, field, width, pad = item
            out.append(_pad_num(_num_value(mo, field), width, pad, field in ("year", "isoyear")))
        elif kind == "fix":
            out.append(_fixed(mo, item[1]))
        else:
            raise ChronoError(BAD_FORMAT)
    return "".join(out)


def _fixed(mo: Moment, name: str) -> str:
    if name == "monabbr":
        return MONTHS[mo.month - 1][:3]
    if name == "month":
        return MONTHS[mo.month - 1]
    if name == "dayabbr":
        return WEEKDAYS[mo.weekday0][:3]
    if name == "dayname":
        return WEEKDAYS[mo.weekday0]
    if name in ("AMPM", "ampm"):
        s = "PM" if mo.hour >= 12 else "AM"
        return s if name == "AMPM" else s.lower()
    if name == "tzname":
        return "UTC"
    if name in ("tz", "tz:", "tz::", "tz:::"):
        return {"tz": "+0000", "tz:": "+00:00", "tz::": "+00:00:00", "tz:::": "+00"}[name]
    if name == "dotnano":
        return ""
    if name.startswith("dotnano"):
        return "." + "0" * int(name[-1])
    if name.startswith("nano"):
        return "0" * int(name[-1])
    if name == "rfc3339":
        return strftime(mo.ts, "%Y-%m-%dT%H:%M:%S+00:00")
    raise ChronoError(BAD_FORMAT)
