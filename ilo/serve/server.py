"""``ilo serv``: JSON lines in, one JSON line out per request.

Requests are read from stdin, one JSON object per line; each response is one
line on stdout.  With one worker (the default) responses come in request
order; with ``-j N`` they come as they complete and carry the request's
``id``.  A malformed line gets a phase ``request`` error.  Nothing ends the
server but end of input (pending requests are answered first) or a signal
(every worker is killed; exit 128 + signal).
"""

from __future__ import annotations

import json
import os
import select

from ilo import runtime_guard, sink, supervise
from ilo.diagnostics.errors import IloUsageError
from ilo.serve import core
from ilo.serve.workers import Workers

USAGE = "usage: ilo [guard flags] [--engine E] serv [-j N]"


def main(argv: list[str], opts) -> int:
    from ilo.cli.args import guard_flags, sandbox_policy

    jobs = 1
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-j", "--jobs") and i + 1 < len(argv) and argv[i + 1].isdigit() \
                and int(argv[i + 1]) >= 1:
            jobs, i = int(argv[i + 1]), i + 2
        elif a in ("-h", "--help"):
            sink.write_report(__doc__.split("\n\n")[0] + "\n" + USAGE + "\n")
            return 0
        else:
            raise IloUsageError("ILO-U001", f"ilo serv: unexpected argument '{a}'", hint=USAGE)
    base = runtime_guard.limits_from_flags(guard_flags(opts))
    with supervise.GroupKeeper() as keeper:
        workers = Workers(jobs, base, opts.engine, keeper, sandbox_policy(opts))
        try:
            return _loop(workers, ordered=jobs == 1)
        finally:
            workers.close()


def _loop(workers: Workers, ordered: bool) -> int:
    buf = b""
    eof = False
    seq = 0
    ready: dict[int, dict] = {}
    next_out = 0
    while not eof or workers.pending():
        if not eof:
            poller = select.poll()
            poller.register(0, select.POLLIN)
            for fd in workers.fds():
                poller.register(fd, select.POLLIN)
            events = poller.poll(int(workers.next_deadline_in(0.05) * 1000 + 0.999))
            if any(fd == 0 for fd, _ in events):
                data = os.read(0, 1 << 16)
                if not data:
                    eof = True
                    if buf.strip():
                        data = b"\n"
                buf += data
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if not line.strip():
                        continue
                    try:
                        req = json.loads(line)
                    except ValueError as exc:
                        ready[seq] = {"error": {"phase": "request",
                                                "message": f"invalid JSON: {exc}"}}
                    else:
                        workers.submit(seq, req)
                    seq += 1
            workers.service()
            done = workers.wait(0)
        else:
            done = workers.wait(0.05)
        for token, resp in done:
            ready[token] = resp
        if ordered:
            while next_out in ready:
                _write(ready.pop(next_out))
                next_out += 1
        else:
            for token in sorted(ready):
                _write(ready.pop(token))
    for token in sorted(ready):
        _write(ready.pop(token))
    return 0


def _write(resp: dict) -> None:
    data = core.encode(resp)
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(1, view):]
    except BrokenPipeError:
        os._exit(sink.BROKEN_PIPE_EXIT)
