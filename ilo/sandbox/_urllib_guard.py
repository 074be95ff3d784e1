"""The guarded urllib opener (imported on first restricted request: urllib
and ssl cost start-up time).  See :mod:`ilo.sandbox.net`."""

from __future__ import annotations

import http.client
import urllib.request

from ilo.sandbox import denied
from ilo.sandbox.net import check_url, host_allowed


def _checked(base):
    """The connection class, refusing a denied host right before connecting
    (the diagnostic is not an OSError, so urllib lets it through)."""
    class Checked(base):
        def connect(self):
            if not host_allowed(self.host, self.port):
                raise denied("net", "http", f"{self.host}:{self.port}")
            super().connect()

    return Checked


_HTTP = _checked(http.client.HTTPConnection)
_HTTPS = _checked(http.client.HTTPSConnection)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPS, req, context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url("redirect", newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def build():
    director = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler({}), urllib.request.UnknownHandler(),
                    _HTTPHandler(), _HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    _Redirects(), urllib.request.HTTPErrorProcessor()):
        director.add_handler(handler)
    return director

