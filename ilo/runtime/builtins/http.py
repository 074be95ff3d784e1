"""HTTP builtins over urllib: ``get``, ``post``, ``get-many``.

Any response that arrives (including 4xx/5xx) is ``Ok(body)``, as with
upstream's client; transport failures and non-UTF-8 bodies are ``Err(text)``.
Header maps may hold non-text values, which are sent in their debug form.
``MINREQ_TIMEOUT`` (seconds) is honoured like upstream's client does.
"""

from __future__ import annotations

import os

from ilo import sandbox
from ilo.runtime.values import Err, IloMap, Ok

from ._core import builtin, debug, fail

MAX_PARALLEL = 10


def _timeout():
    raw = os.environ.get("MINREQ_TIMEOUT")
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def _headers(op: str, v) -> dict[str, str]:
    if not isinstance(v, IloMap):
        fail(f"{op} headers must be M t t, got {debug(v)}")
    return {str(k): (x if isinstance(x, str) else debug(x)) for k, x in v.items()}


def request(url: str, body: str | None = None, headers: dict | None = None, opener=None,
            op: str = "get"):
    """Perform one request; returns ``Ok(body_text)`` or ``Err(message)``.

    Under ``--allow-net`` the URL, the host really connected to and every
    redirect target are checked (:mod:`ilo.sandbox.net`); a refusal is the
    ILO-R609 diagnostic, also when it comes from the kernel layer."""
    import urllib.error  # imported on first use: urllib and ssl cost start-up time
    import urllib.request

    from ilo.sandbox import net   # socket, ipaddress: loaded on the first request only

    net.check_url(op, url)
    opener = opener or net.opener()
    data = None if body is None else body.encode("utf-8")
    try:
        req = urllib.request.Request(url, data=data, headers=headers or {},
                                     method="GET" if body is None else "POST")
        open_ = opener.open if opener is not None else urllib.request.urlopen
        try:
            with open_(req, timeout=_timeout()) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None)
        if sandbox.kernel_active() and isinstance(reason or e, PermissionError):
            raise sandbox.denied("net", op, url, layer="kernel") from None
        return Err(str(reason if reason is not None else e))
    try:
        return Ok(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        return Err(f"response is not valid UTF-8: {e}")


@builtin("get", (1, 2), ret="R t t", params=("t", "M t t"))
def get(ctx, args):
    url = args[0]
    if not isinstance(url, str):
        fail(f"get requires text (url), got {debug(url)}")
    headers = _headers("get", args[1]) if len(args) == 2 else {}
    return request(url, None, headers)


@builtin("post", (2, 3), ret="R t t", params=("t", "t", "M t t"))
def post(ctx, args):
    url, body = args[0], args[1]
    if not (isinstance(url, str) and isinstance(body, str)):
        fail(f"post requires (t, t), got ({debug(url)}, {debug(body)})")
    headers = _headers("post", args[2]) if len(args) == 3 else {}
    return request(url, body, headers, op="post")


@builtin("get-many", 1, ret="L (R t t)", params=("L t",))
def get_many(ctx, args):
    urls = args[0]
    if not isinstance(urls, list):
        fail(f"get-many requires L t (list of urls), got {debug(urls)}")
    for i, u in enumerate(urls):
        if not isinstance(u, str):
            fail(f"get-many requires L t (list of urls); element {i} is {debug(u)}")
    if not urls:
        return []
    from ilo.sandbox import net

    for u in urls:                 # every URL is allowed, or no request is made
        net.check_url("get-many", u)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(urls))) as pool:
        return list(pool.map(lambda u: request(u, op="get-many"), urls))
