"""Host checks for the HTTP builtins.

An ``--allow-net`` entry is ``host``, ``host:port`` or ``*.domain`` (any
sub-domain, not the domain itself).  Hosts are compared after URL parsing
and canonicalisation: lower case, no trailing dot, IDNA for non-ASCII names,
and IP literals in any spelling the resolver accepts (``2130706433``,
``0x7f.1``, ``127.1``, ``[::ffff:127.0.0.1]``) turned into their one
canonical form, so ``http://allowed@evil/`` or a decimal IP cannot pass for
another host.

The check runs twice: on the URL before a request (clean diagnostic), and
on the host urllib actually connects to, for the first request and every
redirect (an opener with only HTTP(S) handlers, no proxies, and a redirect
handler that refuses a denied target).
"""

from __future__ import annotations

import ipaddress
import re
import socket

from ilo.diagnostics.errors import IloUsageError
from ilo.sandbox import ALL, current, denied, python_checks

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
HOST_RE = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")


def canonical_host(host: str) -> str:
    """One spelling per host; numeric forms become the IP they resolve to."""
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        ip = None
    if ip is None and host and all(c in "0123456789abcdefx." for c in host):
        try:                                   # inet_aton: 127.1, 0x7f000001, 017700000001
            ip = ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            ip = None
    if ip is not None:
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return str(ip)
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def parse_allowed(item: str) -> tuple[str, int | None]:
    """``"api.x.com:8080"`` -> ``("api.x.com", 8080)``; usage error when malformed."""
    host, port = item, None
    if item.startswith("["):
        end = item.find("]")
        host, rest = item[1:end], item[end + 1:]
        if end < 0 or (rest and not rest.startswith(":")):
            raise _bad(item)
        port_text = rest[1:] if rest else None
    elif item.count(":") == 1:
        host, port_text = item.split(":")
    else:
        port_text = None
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise _bad(item)
        port = int(port_text)
    wild = host.startswith("*.")
    name = canonical_host(host[2:] if wild else host)
    if not HOST_RE.match(name) and ":" not in name:
        raise _bad(item)
    return ("*." + name if wild else name), port


def _bad(item: str) -> IloUsageError:
    return IloUsageError("ILO-U002", f"--allow-net: '{item}' is not a host",
                         hint="give host, host:port or *.domain, e.g. `--allow-net api.example.com`")


def host_allowed(host: str, port: int) -> bool:
    allowed = current().net
    if allowed is ALL:
        return True
    name = canonical_host(host)
    for pattern, want_port in allowed:
        if want_port is not None and want_port != port:
            continue
        if pattern == name or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False


def check_url(op: str, url: str) -> None:
    """Raise the R609 diagnostic unless ``url`` is http(s) to an allowed host."""
    if not python_checks() or current().net is ALL:
        return
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise denied("net", op, url) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not host:
        raise denied("net", op, url)
    if not host_allowed(host, port or DEFAULT_PORTS[scheme]):
        raise denied("net", op, url)


def opener():
    """An urllib opener that re-checks each connection's real host, or None
    (the default opener) when the network is not restricted."""
    if not python_checks() or current().net is ALL:
        return None
    from ilo.sandbox import _urllib_guard

    return _urllib_guard.build()
