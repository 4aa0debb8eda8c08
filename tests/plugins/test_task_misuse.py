"""Every task's likeliest misuses give one message for people, never a traceback.

Run as an editor runs them: `invoke <task> …` in a fresh process from the project.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.support import ROOT


def invoke(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


MISUSES = {
    "new without a kind": (
        ("new",),
        "did not receive required positional arguments: 'kind'",
    ),
    "new without a title": (("new", "page"), "the --title is missing (required)"),
    "new with a wrong kind": (("new", "pag", "--title", "X"), "'pag' is not a kind"),
    "new with a 262-character title": (
        ("new", "page", "--title", "x" * 262),
        "the title is 262 characters long; the limit is 120",
    ),
    "new in an unknown language": (
        ("new", "page", "--title", "X", "--lang", "nl-be"),
        "--lang 'nl-be' is not a language of this site",
    ),
    "serve on a port that is not a number": (
        ("serve", "--port", "abc"),
        "--port 'abc' is not a port number",
    ),
    "livereload on a port out of range": (
        ("livereload", "--port", "70000"),
        "--port '70000' is not a port number",
    ),
}


@pytest.mark.parametrize("case", list(MISUSES))
def test_a_misuse_is_one_message_not_a_traceback(case):
    args, message = MISUSES[case]
    result = invoke(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert message in result.stdout + result.stderr
    assert not (ROOT / "content" / "pages" / "x.nl.md").exists()


@pytest.mark.parametrize("task", ["serve", "livereload"])
def test_a_busy_port_names_the_port_and_the_flag(task):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke(task, "--port", str(port))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"Port {port} on 127.0.0.1 is already in use (another `invoke serve` or "
        f"`invoke livereload`?) — stop that server, or choose another port: "
        f"--port {port + 1}"
    )


def test_every_task_shows_its_help_with_dash_h(tmp_path):
    reports = ROOT / "reports" / "translations.html"
    before = reports.stat().st_mtime_ns if reports.exists() else None
    for task in invoke("--complete").stdout.split():
        result = invoke(task, "-h", timeout=30)
        assert result.returncode == 0, (task, result.stderr)
        assert result.stdout.startswith(f"Usage: inv[oke] [--core-opts] {task}"), task
    # -h used to be --html: it wrote the report instead of showing the help.
    after = reports.stat().st_mtime_ns if reports.exists() else None
    assert after == before


def test_new_help_is_invokes_not_the_inner_command():
    result = invoke("new", "--help")
    assert result.returncode == 0
    assert "--content" not in result.stdout
    assert "--title" in result.stdout


PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]


def test_a_missing_browser_stops_the_test_run_with_one_message(tmp_path):
    """As `invoke test` runs pytest (with workers): no test runs, no INTERNALERROR."""
    result = subprocess.run(
        [*PYTEST, "-n", "2", "tests/browser/test_phone.py"],
        cwd=ROOT,
        env={
            **os.environ,
            "CHROMIUM": str(tmp_path / "no-chromium"),
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert "The tests need tools that are not installed" in output, output
    assert f"Chromium ({tmp_path / 'no-chromium'}): $CHROMIUM names no file" in output
    assert "INTERNALERROR" not in output and "Traceback" not in output, output
    assert " passed" not in output and " failed" not in output, output
