"""The capability sandbox, tried as an attacker would: ``..``, symlinks,
absolute paths, URL tricks and redirects are refused on every engine with
the clean diagnostic naming the flag.  Network tests use only loopback
servers started here."""

from __future__ import annotations

import http.server
import json
import os
import threading

import pytest

from conftest import run_ilo
from sandbox_helpers import diag, make_box
from ilo import sandbox
from ilo.diagnostics.errors import IloError, IloUsageError
from ilo.sandbox import files, net
from ilo.api import available_engines

ENGINES = available_engines()


def ilo(tmp, *args, env=None):
    return run_ilo(*args, cwd=tmp, env=env)


@pytest.fixture
def box(tmp_path):
    make_box(tmp_path)
    os.symlink("..", tmp_path / "data" / "up")
    os.symlink("../secret.txt", tmp_path / "out" / "link")
    os.symlink("../nowhere.txt", tmp_path / "out" / "dangling")
    return tmp_path


@pytest.mark.parametrize("engine", ENGINES)
def test_reading_inside_the_allowed_folder_works(box, engine):
    proc = ilo(box, "--engine", engine, "--allow-read", "data", 'main>R t t;rd "data/a.txt"')
    assert proc.returncode == 0 and proc.stdout.strip() == "hello", proc.stderr


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", ["secret.txt", "data/../secret.txt", "data/link",
                                  "data/up/secret.txt", "{root}/secret.txt", "/etc/hostname"])
def test_reads_leaving_the_folder_are_refused(box, engine, path):
    code = f'main>R t t;rd "{path.format(root=box)}"'
    proc = ilo(box, "--engine", engine, "--allow-read", "data", code)
    assert proc.returncode == 1
    err = diag(proc)
    assert err["code"] == "ILO-R607" and err["flag"] == "--allow-read"
    assert "secret" not in proc.stdout


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", ["x.txt", "out/../x.txt", "out/link", "out/dangling",
                                  "{root}/x.txt", "out/.."])
def test_writes_leaving_the_folder_are_refused(box, engine, path):
    code = f'main>R t t;wr "{path.format(root=box)}" "pwned"'
    proc = ilo(box, "--engine", engine, "--allow-write", "out", code)
    assert proc.returncode == 1
    assert diag(proc)["code"] == "ILO-R608"
    assert (box / "secret.txt").read_text() == "secret"
    assert not (box / "x.txt").exists() and not (box / "nowhere.txt").exists()


def test_writing_inside_the_folder_and_to_stdout_works(box):
    proc = ilo(box, "--allow-write", "out", 'main>t;wr "out/x.txt" "hi";wr "/dev/stdout" "yo";"ok"')
    assert proc.returncode == 0, proc.stderr
    assert (box / "out" / "x.txt").read_text() == "hi"
    assert proc.stdout == "yo" + "ok\n"


def test_unnamed_dimensions_are_denied_once_one_flag_is_given(box):
    proc = ilo(box, "--allow-write", "out", 'main>R t t;rd "data/a.txt"')
    assert diag(proc)["code"] == "ILO-R607"
    proc = ilo(box, "--allow-read", "data", 'main>R t t;env "HOME"')
    assert diag(proc)["code"] == "ILO-R610"
    proc = ilo(box, "--allow-env", "HOME", 'main>R t t;env "HOME"')
    assert proc.returncode == 0 and proc.stdout.strip() == os.environ["HOME"]


def test_without_flags_everything_is_allowed(box):
    proc = ilo(box, 'main>R t t;rd "secret.txt"')
    assert proc.returncode == 0 and proc.stdout.strip() == "secret"


@pytest.mark.parametrize("flags", [["--allow-read", ""], ["--allow-read", "a,,b"],
                                   ["--allow-net", "a b"], ["--allow-net", "*,x.com"],
                                   ["--allow-net", "h:99999"], ["--allow-env", "A=B"],
                                   ["--require-kernel-sandbox"]])
def test_bad_allow_values_are_usage_errors(box, flags):
    proc = ilo(box, *flags, "main>n;1")
    assert proc.returncode == 2
    assert diag(proc)["code"] in ("ILO-U002", "ILO-U009")


def test_test_cases_run_under_the_commands_caps(box):
    (box / "t.ilo").write_text('-- run: main\n-- out: hello\nmain>R t t;rd "data/a.txt"\n'
                               '-- run: sec\n-- err: x\nsec>R t t;rd "secret.txt"\n')
    proc = ilo(box, "--allow-read", "data", "test", "t.ilo", "--json")
    cases = {c["id"]: c for c in map(json.loads, proc.stdout.splitlines()) if c["type"] == "case"}
    assert cases["t.ilo::main"]["status"] == "pass", cases
    assert "ILO-R607" in cases["t.ilo::sec"]["stderr"]


# -- network ---------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.path.split("to=", 1)[1])
            self.end_headers()
            return
        body = b"pong"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def get(tmp, allow, url, engine="tree"):
    return ilo(tmp, "--engine", engine, "--allow-net", allow, f'main>R t t;get "{url}"')


def test_allowed_host_is_reached(tmp_path, server):
    proc = get(tmp_path, f"127.0.0.1:{server}", f"http://127.0.0.1:{server}/")
    assert proc.returncode == 0 and proc.stdout.strip() == "pong", proc.stderr


def test_decimal_spelling_of_an_allowed_ip_is_that_ip(tmp_path, server):
    proc = get(tmp_path, f"127.0.0.1:{server}", f"http://2130706433:{server}/")
    assert proc.stdout.strip() == "pong", proc.stderr


@pytest.mark.parametrize("url", [
    "http://localhost:{p}/",                       # another name for the same host
    "http://127.0.0.1:{p}@localhost:{p}/",         # userinfo: the host is after the @
    "http://2130706433:{p}/", "http://0x7f000001:{p}/", "http://127.1:{p}/",
    "http://[::ffff:127.0.0.1]:{p}/",
    "file:///etc/passwd", "ftp://localhost/",
    "http://127.0.0.1:{p}/redirect?to=http://localhost:{p}/",
])
@pytest.mark.parametrize("engine", ENGINES)
def test_url_tricks_are_refused(tmp_path, server, url, engine):
    proc = get(tmp_path, f"localhost.invalid,127.0.0.1:{server}" if "redirect" in url
               else "localhost.invalid", url.format(p=server), engine)
    assert proc.returncode == 1
    assert diag(proc)["code"] == "ILO-R609"


def test_get_many_makes_no_request_when_one_url_is_denied(tmp_path, server):
    urls = f'["http://127.0.0.1:{server}/","http://localhost:{server}/"]'
    proc = ilo(tmp_path, "--allow-net", f"127.0.0.1:{server}", f"main>L (R t t);get-many {urls}")
    assert proc.returncode == 1 and diag(proc)["code"] == "ILO-R609"
    proc = ilo(tmp_path, "--allow-net", f"127.0.0.1:{server}",
               f'main>L (R t t);get-many ["http://127.0.0.1:{server}/"]')
    assert proc.returncode == 0 and "pong" in proc.stdout, proc.stderr


def test_wildcard_matches_subdomains_only():
    sandbox.enter(sandbox.from_flags({"--allow-net": "*.example.org,api.x.com:8080"}),
                  forked=False)
    try:
        assert net.host_allowed("a.b.example.org", 443)
        assert not net.host_allowed("example.org", 443)
        assert not net.host_allowed("evilexample.org", 443)
        assert net.host_allowed("API.X.COM.", 8080)
        assert not net.host_allowed("api.x.com", 80)
    finally:
        sandbox.enter(sandbox.Policy(), forked=False)


@pytest.mark.parametrize("spelling", ["2130706433", "0x7f000001", "127.1", "0177.0.0.1",
                                      "[::ffff:127.0.0.1]", "127.0.0.1."])
def test_ip_spellings_canonicalise(spelling):
    assert net.canonical_host(spelling) == "127.0.0.1"


# -- in-process checks of the race-free opener ----------------------------------

@pytest.fixture
def policy(box):
    sandbox.enter(sandbox.from_flags({"--allow-read": str(box / "data"),
                                      "--allow-write": str(box / "out")}), forked=False)
    yield box
    sandbox.enter(sandbox.Policy(), forked=False)


def test_open_checks_the_file_actually_opened(policy):
    fd = files.open_read("rd", str(policy / "data" / "a.txt"))
    os.close(fd)
    with pytest.raises(IloError) as exc:
        files.open_read("rd", str(policy / "data" / "link"))
    assert exc.value.code == "ILO-R607"
    assert exc.value.extra["target"] == str(policy / "secret.txt")


def test_create_never_follows_a_link_swapped_in(policy):
    with pytest.raises(IloError):
        files.open_write("wr", str(policy / "out" / "dangling"))
    assert not (policy / "nowhere.txt").exists()


def test_flag_paths_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sandbox.check_flag("--allow-read", "a,b") == f"{tmp_path}/a,{tmp_path}/b"
    with pytest.raises(IloUsageError):
        sandbox.check_flag("--allow-write", "*,a")


def test_without_landlock_require_is_a_usage_error(monkeypatch):
    from ilo.sandbox import kernel

    monkeypatch.setattr(kernel, "_abi", 0)
    monkeypatch.setattr(kernel, "_why", "Landlock is not available in this kernel")
    assert kernel.describe()["available"] is False
    with pytest.raises(IloUsageError) as exc:
        sandbox.from_flags({"--allow-read": "."}, require_kernel=True)
    assert exc.value.code == "ILO-U009" and "Landlock" in exc.value.hint
    assert sandbox.from_flags({"--allow-read": "."}).restricted


def test_without_o_path_the_resolved_path_is_checked(policy, monkeypatch):
    monkeypatch.setattr(files, "O_PATH", 0)
    os.close(files.open_read("rd", str(policy / "data" / "a.txt")))
    for path in ("data/link", "secret.txt", "data/../secret.txt"):
        with pytest.raises(IloError) as exc:
            files.open_read("rd", str(policy / path))
        assert exc.value.code == "ILO-R607"
    with pytest.raises(IloError):
        files.open_write("wr", str(policy / "x.txt"))
    os.close(files.open_write("wr", str(policy / "out" / "new.txt")))
    assert (policy / "out" / "new.txt").exists() and not (policy / "x.txt").exists()
