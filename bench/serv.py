"""``ilo serv`` latency, throughput and isolation, measured in one run.

1. Latency: N requests for ``f x:n>n;*x 2`` sent one at a time (each waits
   for its response): p50 / p90 / p99 round trip in ms.
2. Throughput: N requests written at once (pipelined): requests per second.
3. Isolation: 1,000 requests with one runaway of each kind in the middle
   (infinite loop, output flood, memory blow-up, a long C-level sort that
   holds the GIL): every other response must be correct, and each runaway's
   must arrive within its budget + 200 ms.

    python bench/serv.py [-n 1000] [--engine tree]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOUBLE = "f x:n>n;*x 2"
RUNAWAYS = {
    "loop": {"program": "main>n;i=0;wh true{i=+i 1};i", "max_runtime": 1},
    "flood": {"program": 'main>n;wh true{prnt "flood"};0', "max_runtime": 1,
              "max_output_bytes": 100000},
    "memory": {"program": 'main>n;s="xxxxxxxx";wh true{s=+s s};0', "max_runtime": 5,
               "max_memory": 200},
    "c-sort": {"program": 'main>n;s="bca";@i 0..22{s=+s s};xs=chars s;ys=srt xs;len ys',
               "max_runtime": 1},
}


class Server:
    def __init__(self, *flags: str):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.p = subprocess.Popen([sys.executable, "-m", "ilo", *flags, "serv"], env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.buf = b""

    def send(self, req: dict) -> None:
        self.p.stdin.write((json.dumps(req) + "\n").encode())
        self.p.stdin.flush()

    def recv(self, timeout: float = 60) -> dict:
        fd = self.p.stdout.fileno()
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if not select.select([fd], [], [], max(0.0, end - time.monotonic()))[0]:
                raise TimeoutError("no response")
            self.buf += os.read(fd, 1 << 20)
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> None:
        self.p.stdin.close()
        self.p.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--engine", default="tree")
    opts = ap.parse_args()
    out = sys.stdout.write
    s = Server("--engine", opts.engine)
    s.send({"program": DOUBLE, "args": [1]})
    s.recv()                                      # warm
    lat = []
    for i in range(opts.n):
        t = time.perf_counter()
        s.send({"program": DOUBLE, "args": [i]})
        r = s.recv()
        lat.append((time.perf_counter() - t) * 1000)
        assert r.get("ok") == 2 * i, r
    q = statistics.quantiles(lat, n=100)
    out(f"latency, {opts.n} sequential requests: p50 {q[49]:.2f} ms, p90 {q[89]:.2f} ms, "
        f"p99 {q[98]:.2f} ms\n")
    t = time.perf_counter()
    for i in range(opts.n):
        s.send({"program": DOUBLE, "args": [i], "id": i})
    got = [s.recv() for _ in range(opts.n)]
    wall = time.perf_counter() - t
    assert [r["ok"] for r in got] == [2 * i for i in range(opts.n)]
    out(f"throughput, {opts.n} pipelined requests: {opts.n / wall:.0f} requests/s\n")

    total = 1000
    spots = {total // 5 * (k + 1): name for k, name in enumerate(RUNAWAYS)}
    bad = 0
    for i in range(total):
        if i in spots:
            name = spots[i]
            req = dict(RUNAWAYS[name], id=name)
            t = time.perf_counter()
            s.send(req)
            r = s.recv()
            took = time.perf_counter() - t
            code = r["error"]["diagnostics"][0]["code"]
            ok = took <= req["max_runtime"] + 0.2 or code != "ILO-R016"
            out(f"  runaway {name:<7} -> {code} after {took * 1000:.0f} ms "
                f"(budget {req['max_runtime'] * 1000:.0f} ms{'' if ok else ', LATE'})\n")
        else:
            s.send({"program": DOUBLE, "args": [i], "id": i})
            r = s.recv()
            if r.get("ok") != 2 * i or r.get("id") != i:
                bad += 1
                out(f"  WRONG response to request {i}: {json.dumps(r)[:300]}\n")
    out(f"isolation: {total - len(spots) - bad}/{total - len(spots)} ordinary responses "
        f"correct around {len(spots)} runaways\n")
    s.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
