"""The editors' tools: `invoke new`, `invoke translations`, serve and livereload."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

from sitekit.builder.cli import build_command
from sitekit.tools.scaffold import new_content
from sitekit.tools.serve import rebuild, rebuild_forked
from tests.support import ROOT, start_livereload

HOME = (
    "Title: Start\nLang: nl\nSlug: index\nSave_as: index.html\nURL:\nTemplate: home\n"
    "Description: D.\n\nTekst.\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_stubs_build_but_only_the_source_is_published(build_fixture, tmp_path):
    content = tmp_path / "content"
    for kind in ("page", "article"):
        new_content(kind, "Veelgestelde vragen", "nl", True, content)
    for path in content.glob("*/veelgestelde-vragen.nl.md"):
        path.write_text(
            path.read_text()
            .replace("TODO: one or two", "Een of twee")
            .replace("TODO: write the text.", "Tekst.")
        )
    result, output = build_fixture({"pages/home.nl.md": HOME})

    assert result.returncode == 0, result.stderr
    published = sorted(
        p.relative_to(output).as_posix() for p in output.rglob("*veelgestelde*")
    )
    assert published == ["nieuws/veelgestelde-vragen.html", "veelgestelde-vragen.html"]
    assert not list(output.rglob("drafts")), "a draft was written"
    french_news = (output / "fr" / "actualites" / "index.html").read_text()
    assert "veelgestelde" not in french_news


def test_a_failing_rebuild_is_reported_and_does_not_raise(tmp_path, capfd):
    content = tmp_path / "content"
    write(content / "pages" / "home.nl.md", HOME.replace("Lang: nl", "Lang: nl-be"))
    command = build_command(ROOT / "pelicanconf.py", tmp_path / "out", content=content)

    assert rebuild(command, ROOT) is False
    err = capfd.readouterr().err
    assert "content/pages/home.nl.md:2: Lang 'nl-be' is not a language" in err
    assert "*** The build failed (see above); the browser still shows" in err

    assert rebuild([str(tmp_path / "no-such-python")], ROOT) is False
    assert "Could not run the build" in capfd.readouterr().err

    write(content / "pages" / "home.nl.md", HOME)
    assert rebuild(command, ROOT) is True


def test_a_forked_rebuild_reports_failure_and_then_builds(tmp_path, capfd):
    content = tmp_path / "content"
    write(content / "pages" / "home.nl.md", HOME.replace("Lang: nl", "Lang: nl-be"))
    command = build_command(ROOT / "pelicanconf.py", tmp_path / "out", content=content)
    command += ["--cache", str(tmp_path / "cache")]

    assert rebuild_forked(command) is False
    err = capfd.readouterr().err
    assert "content/pages/home.nl.md:2: Lang 'nl-be' is not a language" in err
    assert "*** The build failed (see above)" in err

    write(content / "pages" / "home.nl.md", HOME)
    assert rebuild_forked(command) is True
    assert (tmp_path / "out" / "index.html").is_file()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(log: Path, text: str, count: int = 1, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count(text) >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared:\n{log.read_text()}")


def test_livereload_keeps_serving_the_last_good_site_after_a_failed_build(tmp_path):
    content = tmp_path / "content"
    page = write(content / "pages" / "home.nl.md", HOME)
    output, log, port = tmp_path / "out", tmp_path / "log.txt", free_port()
    server = start_livereload(content, output, log, port)
    try:
        wait_for(log, "Ctrl-C stops the server.")
        assert f"  Français    http://127.0.0.1:{port}/fr/" in log.read_text()
        url = f"http://127.0.0.1:{port}/"
        good = urllib.request.urlopen(url, timeout=5).read()
        assert b"Tekst." in good

        page.write_text(HOME.replace("Lang: nl", "Lang: nl-be"), encoding="utf-8")
        wait_for(log, "*** The build failed")
        assert "content/pages/home.nl.md:2: Lang 'nl-be'" in log.read_text()
        assert server.poll() is None, "the server stopped"
        assert urllib.request.urlopen(url, timeout=5).read() == good

        page.write_text(HOME.replace("Tekst.", "Hersteld."), encoding="utf-8")
        wait_for(log, "Built ", count=2)
        deadline = time.monotonic() + 10
        while b"Hersteld." not in urllib.request.urlopen(url, timeout=5).read():
            assert time.monotonic() < deadline, "the fixed page was not served"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_browser_that_goes_away_mid_answer_prints_no_traceback(tmp_path, capfd):
    """A reload or a closed tab while a large file is sent: the server stays quiet."""
    import functools
    import struct
    import threading
    from http.server import ThreadingHTTPServer

    from sitekit.tools.serve import _Handler

    (tmp_path / "big.bin").write_bytes(b"x" * 20_000_000)
    handler = functools.partial(_Handler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            client = socket.create_connection(server.server_address)
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(1024)
            # Close with a reset (linger 0), as a browser dropping the request does.
            client.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            client.close()
        time.sleep(0.5)
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err
