"""Clock and calendar builtins: ``now``, ``sleep``, ``dtfmt``, ``dtparse``.

``dtfmt``/``dtparse`` are UTC-only and return Results; their Err texts match
upstream (``dtfmt: timestamp out of range (N)``, ``dtparse: <chrono reason>``).
The epoch is truncated toward zero to whole seconds before formatting.
"""

from __future__ import annotations

import math
import time

from ilo.runtime.values import Err, Ok, format_number

from . import _chrono
from ._core import builtin, debug, fail, is_num


@builtin("now", 0, ret="n")
def now(ctx, args):
    return time.time()


@builtin("sleep", 1, ret="_", params=("n",))
def sleep(ctx, args):
    ms = args[0]
    if not is_num(ms):
        fail(f"sleep requires a number of milliseconds, got {debug(ms)}")
    # Negative and NaN durations sleep for zero, as upstream does; a huge or
    # infinite one sleeps until the runtime guard's deadline ends the run.
    if ms > 0:
        _sleep_until(time.monotonic() + (math.floor(ms) / 1000.0 if math.isfinite(ms) else math.inf))
    return None


def _sleep_until(end: float) -> None:
    """Sleep in steps time.sleep accepts (it refuses huge values); the
    guard's timer interrupts any step at the deadline."""
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 3600.0))


@builtin("dtfmt", 2, ret="R t t", params=("n", "t"))
def dtfmt(ctx, args):
    epoch, fmt = args
    if not (is_num(epoch) and isinstance(fmt, str)):
        fail("dtfmt requires a number (epoch) and text (format)")
    if not math.isfinite(epoch):
        return Err(f"dtfmt: epoch is not finite ({format_number(epoch)})")
    if not -9.223372036854775808e18 <= epoch <= 9.223372036854775807e18:
        return Err(f"dtfmt: epoch out of range ({format_number(epoch)})")
    secs = int(epoch)
    if not _chrono.in_range(secs):
        return Err(f"dtfmt: timestamp out of range ({secs})")
    try:
        return Ok(_chrono.strftime(secs, fmt))
    except _chrono.ChronoError as e:
        fail(f"dtfmt: {e}")


@builtin("dtparse", 2, ret="R n t", params=("t", "t"))
def dtparse(ctx, args):
    text, fmt = args
    if not (isinstance(text, str) and isinstance(fmt, str)):
        fail("dtparse requires two text args")
    from . import _chrono_parse

    try:
        return Ok(float(_chrono_parse.strptime(text, fmt)))
    except _chrono.ChronoError as e:
        return Err(f"dtparse: {e}")
