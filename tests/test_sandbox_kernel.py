"""The kernel layer alone holds: with the Python checks switched off by the
test-only hook, Landlock refuses what they would have refused, and the
refusal is the same clean R6xx diagnostic (``"layer": "kernel"``)."""

from __future__ import annotations

import json
import socket

import pytest

from conftest import run_ilo
from sandbox_helpers import diag, make_box
from ilo import sandbox
from ilo.sandbox import kernel

pytestmark = pytest.mark.skipif(
    not kernel.available(), reason=f"no Landlock here: {kernel.why_unavailable()}")

HOOK = {sandbox.PY_CHECKS_ENV: "1"}


def kernel_refusal(proc, code: str) -> None:
    assert proc.returncode == 1, proc.stdout
    err = diag(proc)
    assert err["code"] == code and err["layer"] == "kernel", err


@pytest.fixture
def box(tmp_path):
    return make_box(tmp_path)


def run(box, *args):
    return run_ilo(*args, cwd=box, env=HOOK)


def test_reading_outside_is_refused_by_the_kernel(box):
    kernel_refusal(run(box, "--allow-read", "data", 'main>R t t;rd "secret.txt"'), "ILO-R607")


def test_following_a_symlink_out_is_refused_by_the_kernel(box):
    kernel_refusal(run(box, "--allow-read", "data", 'main>R t t;rd "data/link"'), "ILO-R607")


def test_writing_outside_is_refused_by_the_kernel(box):
    kernel_refusal(run(box, "--allow-write", "out", 'main>R t t;wr "x.txt" "pwned"'), "ILO-R608")
    assert not (box / "x.txt").exists()


def test_tcp_connect_without_allow_net_is_refused_by_the_kernel(box):
    if not kernel.describe()["net"]:
        pytest.skip("Landlock ABI < 4: no TCP rules")
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        proc = run(box, "--allow-read", "data", f'main>R t t;get "http://127.0.0.1:{port}/"')
    kernel_refusal(proc, "ILO-R609")


def test_allowed_paths_still_work_under_the_kernel_layer(box):
    proc = run(box, "--allow-read", "data", "--allow-write", "out",
               'main>t;c=rd!! "data/a.txt";wr!! "out/b.txt" c;"done"')
    assert proc.returncode == 0, proc.stderr
    assert (box / "out" / "b.txt").read_text() == "hello"


def test_version_reports_the_layers_and_require_passes(box):
    proc = run_ilo("--version", "--json")
    info = json.loads(proc.stdout)["sandbox"]
    assert info["python"] is True and info["kernel"]["available"] is True
    assert info["kernel"]["landlock_abi"] >= 1
    proc = run(box, "--require-kernel-sandbox", "--allow-read", "data", "main>n;7")
    assert proc.returncode == 0 and proc.stdout.strip() == "7", proc.stderr
