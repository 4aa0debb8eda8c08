"""Helpers for tests: running the real build, and reading the pages it wrote."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from sitekit import release_manifest
from sitekit.builder.cli import build_command
from sitekit.languages import DEFAULT_LANG, LANGUAGE_CODES

ROOT = Path(__file__).resolve().parent.parent
# CI tests the release it then publishes: SITE_RELEASE names its site folder, and the
# built-output tests read it (checked against its manifest) instead of building.
RELEASE = os.environ.get("SITE_RELEASE", "")
SITEURL = (
    release_manifest.read(Path(RELEASE)).siteurl
    if RELEASE
    else "https://www.example.org"  # reserved for examples (RFC 2606)
)


def page(body: str = "Tekst.", **fields: str | None) -> str:
    """A Dutch fixture page; each keyword sets (or, with None, drops) a metadata key."""
    metadata = {
        "Title": "Statuut",
        "Lang": "nl",
        "Slug": "statuut",
        "Description": "D.",
    }
    metadata.update(fields)
    lines = [f"{key}: {value}" for key, value in metadata.items() if value is not None]
    return "\n".join(lines) + "\n\n" + body + "\n"


# A documentation entry with every field right (content/documents/<key>.md).
GOOD_ENTRY = {
    "Type": "annual-report",
    "Year": "2006",
    "Languages": "nl, fr",
    "Title_nl": "Verslag",
    "Title_fr": "Rapport",
    "Description": "Een verslag.",
    "Publisher": "Het Centrum",
    "File": "files/verslag.txt",
}


def entry(**changes: str | None) -> str:
    """A fixture document entry; each keyword sets (or, with None, drops) a field."""
    fields = {**GOOD_ENTRY, **changes}
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write fixture files (path below `root` → text or bytes)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


def page_language(relative: str) -> str:
    """The language of a built page, from its folder: /fr/… is French, / is Dutch."""
    first = relative.split("/", 1)[0]
    return first if first in LANGUAGE_CODES and "/" in relative else DEFAULT_LANG


@dataclass
class Page:
    """One built HTML page."""

    path: Path
    relative: str  # e.g. "fr/statut.html"

    @cached_property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.path.read_text(encoding="utf-8"), "html.parser")

    @property
    def lang(self) -> str:
        return page_language(self.relative)

    @property
    def url(self) -> str:
        """The page's public URL: folders end in '/', as links write them."""
        relative = self.relative.removesuffix("index.html")
        return f"{SITEURL}/{relative}"

    def text(self) -> str:
        """The visible text, white space folded."""
        return " ".join(self.soup.get_text(" ").split())


class Site:
    """The built output folder."""

    def __init__(self, output: Path, log: str = "") -> None:
        self.output = output
        self.log = log  # what the build printed on stdout, when it was built here

    @cached_property
    def pages(self) -> list[Page]:
        return [
            Page(path, path.relative_to(self.output).as_posix())
            for path in sorted(self.output.rglob("*.html"))
        ]

    def page(self, relative: str) -> Page:
        return next(page for page in self.pages if page.relative == relative)

    def local_path(self, url: str, base: Page) -> Path | None:
        """The output file a URL on `base` points at, or None for another host."""
        absolute = urljoin(base.url, urldefrag(url)[0])
        if not absolute.startswith(SITEURL + "/"):
            return None  # another host, or tel: / mailto:
        path = unquote(urlsplit(absolute).path)
        target = self.output / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        return target


def run_build(
    output: Path,
    *,
    settings: str = "publishconf.py",
    content: Path | None = None,
    siteurl: str = SITEURL,
    cache: Path | None = None,
    plain: bool = False,
    theme: Path | None = None,
    search_index: bool = True,
) -> subprocess.CompletedProcess:
    """Run the real build command in a new process, as `invoke build` does.

    The process is a fork of a Python that has the build's modules imported (see
    tests/build_server.py), as `invoke livereload`'s rebuilds are: the same build,
    without a new interpreter's imports. The cache lives beside the output unless
    given, so tests never share one.
    """
    command = build_command(
        ROOT / settings,
        output,
        content=content,
        cache=cache or output.parent / f"{output.name}-cache",
        theme=theme,
        plain=plain,
        search_index=search_index,
    )
    return run_build_command(command, siteurl)


def run_build_command(
    command: list[str], siteurl: str = SITEURL
) -> subprocess.CompletedProcess:
    """Run a `build_command` as `run_build` does; stdout and stderr as text."""
    with start_build_command(command, siteurl) as build:
        return build.wait()


def start_build_command(
    command: list[str], siteurl: str = SITEURL, stderr: Path | None = None
) -> StartedBuild:
    """Start a `build_command` as `run_build` does, and return at once.

    Use it as a context manager (a build still running at its end is killed).
    `stderr`: a file of the caller's to write the build's stderr into, to read it
    while the build runs. One build at a time per test process.
    """
    return _BUILD_SERVER.start(command, {**BUILD_ENV, "SITEURL": siteurl}, stderr)


# COLUMNS: Pelican's log handler wraps lines at the terminal width; keep them whole.
BUILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}


class StartedBuild:
    """A build running in a fork of the build server (see tests/build_server.py).

    Its process is the server's child, reaped only by an order that finds it ended
    (`poll`, `wait`, `kill`): while `poll` says None, `pid` names this build and no
    other process (a zombie at worst).
    """

    def __init__(
        self,
        server: _BuildServer,
        command: list[str],
        folder: tempfile.TemporaryDirectory,
        stdout: Path,
        stderr: Path,
    ) -> None:
        self.server, self.command = server, command
        self.folder, self.stdout, self.stderr = folder, stdout, stderr
        self.pid: int = server.answer()
        self.returncode: int | None = None
        self.finished = False  # ended, and the server free for the next build

    def poll(self) -> int | None:
        """The exit code, or None while the build runs."""
        if self.returncode is None:
            self.returncode = self.server.order("poll")
        return self.returncode

    def _end(self, order: str) -> int:
        if not self.finished:
            self.returncode = self.server.order(order)
            self.finished = True
            self.server.lock.release()
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> int:
        """SIGKILL the build if it still runs; return its exit code."""
        return self._end("kill")

    def wait(self, timeout: float | None = None) -> subprocess.CompletedProcess:
        """Wait for the end of the build: its exit code, stdout and stderr.

        After `timeout` seconds the build is killed and TimeoutExpired raised.
        """
        if timeout is not None:
            deadline = time.monotonic() + timeout
            while self.poll() is None:
                if time.monotonic() > deadline:
                    self.kill()
                    raise subprocess.TimeoutExpired(self.command, timeout)
                time.sleep(0.02)
        code = self._end("wait")
        return subprocess.CompletedProcess(
            self.command,
            code,
            self.stdout.read_text(encoding="utf-8", errors="replace"),
            self.stderr.read_text(encoding="utf-8", errors="replace"),
        )

    def __enter__(self) -> StartedBuild:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()  # a no-op once it has ended
        self.folder.cleanup()


class _BuildServer:
    """tests/build_server.py, started at the first build of this test process."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def start(
        self, command: list[str], env: dict[str, str], stderr: Path | None = None
    ) -> StartedBuild:
        module = command.index("sitekit.builder")
        assert command[module - 1 : module] == ["-m"], command
        self.lock.acquire()  # released by the build's wait or kill
        try:
            folder = tempfile.TemporaryDirectory()
            stdout = Path(folder.name, "stdout")
            stderr = stderr or Path(folder.name, "stderr")
            request = {
                "argv": command[module + 1 :],
                "env": env,
                "cwd": str(ROOT),
                "stdout": str(stdout),
                "stderr": str(stderr),
            }
            process = self._started()
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            return StartedBuild(self, command, folder, stdout, stderr)
        except BaseException:
            self.lock.release()
            raise

    def answer(self):
        line = self.process.stdout.readline()
        assert line, "tests/build_server.py stopped; see the output above"
        return json.loads(line)

    def order(self, order: str) -> int | None:
        self.process.stdin.write(order + "\n")
        self.process.stdin.flush()
        return self.answer()

    def _started(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.build_server"],
                cwd=ROOT,
                env={**BUILD_ENV, "SITEURL": SITEURL},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        return self.process


_BUILD_SERVER = _BuildServer()


def run_main(
    main: Callable[[list[str]], int], argv: list[str | Path]
) -> subprocess.CompletedProcess:
    """Call a command's `main` in this process, as its `python -m` would run it.

    Returns what a subprocess would: the exit code and the text written to stdout
    and stderr. In-process, so the unit tests start no Python.
    """
    out, err = io.StringIO(), io.StringIO()
    arguments = [str(argument) for argument in argv]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(arguments)
        except SystemExit as exit_:  # argparse's --help and usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(arguments, code, out.getvalue(), err.getvalue())


def built_once(base: Path, name: str, **options) -> Site:
    """The real site built once per test run, shared by every pytest-xdist worker.

    `base` is pytest's temporary folder of this run (tmp_path_factory.getbasetemp());
    workers have one each below a common parent, where the build is kept.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / f"built-{name}"
    folder.mkdir(exist_ok=True)
    output = folder / "output"
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds, the others wait
        if not (folder / ".built").exists():
            result = run_build(output, **options)
            assert result.returncode == 0, result.stdout + result.stderr
            # Kept, so a test can read the cold build's summary (its parse count).
            (folder / ".built").write_text(result.stdout, encoding="utf-8")
    return Site(output, (folder / ".built").read_text(encoding="utf-8"))


def start_livereload(
    content: Path, output: Path, log: Path, port: int
) -> subprocess.Popen:
    """`invoke livereload` on a content folder, as a process writing into `log`."""
    script = (
        "import sys; from pathlib import Path; "
        "from sitekit.tools.serve import livereload; "
        "livereload(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), "
        "'127.0.0.1', int(sys.argv[4]), Path(sys.argv[5]))"
    )
    arguments = [ROOT, ROOT / "pelicanconf.py", output, port, content]
    with log.open("w") as log_file:
        return subprocess.Popen(
            [sys.executable, "-u", "-c", script, *map(str, arguments)],
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
