"""An unlucky machine: killed builds, damaged caches, read-only folders, full disks.

Each test runs the real build command on a generated corpus (four languages, small
thresholds so the Markdown pool and the forked page writers are used) and requires
either a correct site or "Build failed: cannot write <path>: <reason>" with the last
good `output/` unchanged. Folders are made read-only or full with real mounts (a
size-limited tmpfs, read-only remounts): root ignores file permissions. Where mounts
are not allowed the test is skipped, except under CI, where it fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from sitekit.builder.cli import build_command
from sitekit.dev.corpus import write_corpus
from sitekit.fast.markdown_cache import CACHE_FILE
from tests.support import run_build_command, start_build_command

# Each builds a generated corpus, some many times: `invoke test --quick` skips them.
pytestmark = pytest.mark.slow

ARTICLES = 40  # per language: a build of about 2 s here
FAST = 'FAST_BUILD = {"workers": 2, "parse_pool_from": 1, "fork_writers_from": 1}\n'


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, Path, dict[str, bytes]]:
    """One clean build of the corpus, kept to restore (see `restored`).

    Returns the settings file, the corpus, the folder of the build and the output.
    The folder holds a copy of the corpus (content/) and the build (project/out,
    its releases and project/out-cache); a copy of it all is kept beside it.
    """
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root / "content", ARTICLES)
    settings = root / "hostileconf.py"
    settings.write_text(f"from publishconf import *\n{FAST}")
    work = root / "work"
    shutil.copytree(root / "content", work / "content")
    result = run(settings, work / "content", work / "project" / "out")
    assert result.returncode == 0, result.stderr
    shutil.copytree(work, root / "snapshot", symlinks=True)
    return settings, root / "content", work, tree(work / "project" / "out")


@pytest.fixture(scope="module")
def corpus(built) -> tuple[Path, Path, dict[str, bytes]]:
    """The corpus, a settings file, and the output of one clean build of it."""
    settings, content, _, reference = built
    return settings, content, reference


@contextlib.contextmanager
def restored(built, size: str | None = None):
    """The folder of the clean build (see `built`) as that build left it.

    Same files, mtimes and paths (the build's state records them), so the next
    build there goes on from a clean build, without making one (~1 CPU-s). With
    `size`, project/ is first mounted as a tmpfs of that size.
    """
    work = built[2]
    snapshot = work.parent / "snapshot"
    shutil.rmtree(work)
    shutil.copytree(snapshot / "content", work / "content")
    (work / "project").mkdir()
    with tmpfs(work / "project", size) if size else contextlib.nullcontext():
        shutil.copytree(
            snapshot / "project", work / "project", symlinks=True, dirs_exist_ok=True
        )
        yield work


def command(settings: Path, content: Path, output: Path) -> list[str]:
    cache = output.parent / f"{output.name}-cache"
    return build_command(settings, output, content=content, cache=cache)


def run(settings: Path, content: Path, output: Path) -> subprocess.CompletedProcess:
    """One build to its end (forked from the test's build server, see run_build)."""
    return run_build_command(command(settings, content, output))


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                for child in children.read_text().split():
                    found.add(int(child))
                    todo.append(int(child))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("after", [0.1, 0.4, 0.8, 1.2])
def test_a_build_killed_at_any_point_never_blocks_the_next(corpus, tmp_path, after):
    settings, content, reference = corpus
    output = tmp_path / "out"
    helpers: set[int] = set()
    # A fork of the build server: the build starts at once, not after a new
    # Python's imports, so every delay falls inside the build's own work.
    with start_build_command(command(settings, content, output)) as build:
        deadline = time.monotonic() + after
        while time.monotonic() < deadline and build.poll() is None:
            helpers |= descendants(build.pid)
            time.sleep(0.05)
        build.kill()  # SIGKILL
    # Helpers die with the build (PR_SET_PDEATHSIG), within a moment.
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if alive(pid)], "helpers outlived the build"

    started = time.monotonic()
    again = run(settings, content, output)

    assert again.returncode == 0, again.stderr
    assert time.monotonic() - started < 60
    assert tree(output) == reference
    assert not list(tmp_path.glob(".out-building-*")), "a staging folder was left"
    assert oct(output.stat().st_mode & 0o777) == oct(0o755)


def test_ctrl_c_while_the_pool_parses_stops_the_build_at_once(built, tmp_path):
    """Ctrl-C reaches the build and its helpers (the terminal's process group).

    A parse worker stopped while it sent a result used to keep the pool's lock: the
    build then waited for ever, with tracebacks from the workers.
    """
    settings, content = built[0], built[1]
    # On a busy machine this test may look too late and find the build done: then it
    # builds again (a fresh output each time), a few times at most.
    for attempt in range(3):
        output = tmp_path / f"out-{attempt}"
        with start_build_command(command(settings, content, output)) as build:
            helpers: set[int] = set()
            deadline = time.monotonic() + 30
            while len(helpers) < 2 and build.poll() is None:  # the pool's workers
                assert time.monotonic() < deadline, "no parse pool started"
                helpers = descendants(build.pid)
                time.sleep(0.005)
            if build.poll() is None:  # still running (else its pid may be reused)
                for pid in [build.pid, *helpers]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGINT)
                result = build.wait(timeout=30)
                break
            result = build.wait(timeout=30)
            assert result.returncode == 0, result.stderr  # it ended: it must be whole
    else:
        pytest.fail("three builds ended before Ctrl-C could be sent")

    assert result.returncode == 130, (
        f"attempt {attempt + 1}: Ctrl-C sent to the build and {len(helpers)} "
        f"helpers; it ended with {result.returncode}\n{result.stdout}{result.stderr}"
    )
    assert result.stderr.strip().endswith("shows the last complete build."), (
        result.stderr
    )
    assert "Traceback" not in result.stderr, result.stderr
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if alive(pid)], "helpers outlived the build"
    assert run(settings, content, output).returncode == 0  # the next one builds


def test_a_stale_lock_is_taken_over_with_a_note(corpus, tmp_path):
    settings, content, reference = corpus
    gone = subprocess.Popen(["true"])  # a pid that has just ended
    gone.wait()
    (tmp_path / ".out.lock").write_text(str(gone.pid))
    (tmp_path / ".out-building-left").mkdir()  # as a killed build leaves it
    (tmp_path / ".out-building-left" / "index.html").write_text("half")

    result = run(settings, content, tmp_path / "out")

    assert result.returncode == 0, result.stderr
    assert f"taking over the lock of build pid {gone.pid}" in result.stderr
    assert not (tmp_path / ".out-building-left").exists()
    assert tree(tmp_path / "out") == reference


def test_a_live_lock_makes_the_next_build_wait_naming_its_holder(corpus, tmp_path):
    settings, content, reference = corpus
    with (tmp_path / ".out.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write(str(os.getpid()))
        lock.flush()
        log = tmp_path / "stderr.txt"
        waiting = start_build_command(
            command(settings, content, tmp_path / "out"), stderr=log
        )
        with waiting:
            # Until the build says it waits (no fixed sleep), then a second more.
            message = f"Waiting for the build of pid {os.getpid()}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (
                not log.is_file() or message not in log.read_text()
            ):
                assert waiting.poll() is None, "the build did not wait for the lock"
                time.sleep(0.1)
            time.sleep(1)
            assert waiting.poll() is None, "the build did not wait for the lock"
            assert not (tmp_path / "out").exists()
            lock.seek(0)
            lock.truncate()
            lock.flush()
            fcntl.flock(lock, fcntl.LOCK_UN)
            assert waiting.wait(timeout=120).returncode == 0, log.read_text()
    assert message in log.read_text()
    assert tree(tmp_path / "out") == reference


def test_a_damaged_markdown_cache_never_changes_a_page(built):
    settings, _, _, reference = built
    with restored(built) as work:  # a clean build there
        content, output = work / "content", work / "project" / "out"
        cache = work / "project" / "out-cache" / CACHE_FILE
        data = cache.read_bytes()
        # Inside a parse's HTML: a digit, as `tel:112` became `tel:113` before.
        position = data.index(b"<p>") + 3
        for offset in (0, 7, 19):
            damaged = bytearray(data)
            damaged[position + offset] ^= 1
            cache.write_bytes(bytes(damaged))
            output.unlink()  # the link to the release: so the build is not skipped

            again = run(settings, content, output)

            assert again.returncode == 0, again.stderr
            assert "did not match its checksum" in again.stdout + again.stderr
            assert tree(output) == reference


def test_two_clean_builds_are_byte_identical_search_index_included(corpus, tmp_path):
    settings, content, reference = corpus
    copy = tmp_path / "content"
    # Another checkout: new mtimes, files created in the opposite order.
    for path in sorted(content.rglob("*.md"), reverse=True):
        target = copy / path.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())

    assert run(settings, copy, tmp_path / "out").returncode == 0

    built = tree(tmp_path / "out")
    assert sorted(built) == sorted(reference)
    assert [name for name in built if built[name] != reference[name]] == []
    assert any(name.startswith("pagefind/fragment/") for name in built)


# --- read-only and full file systems ------------------------------------------------
def _mount(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *arguments], capture_output=True, text=True)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Path:
    """A size-limited file system at `folder`, unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    result = _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder))
    if result.returncode != 0:
        reason = f"cannot mount a tmpfs here ({result.stderr.strip()}); run as root"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextlib.contextmanager
def read_only(folder: Path):
    """`folder` read-only for everyone, root included: a read-only bind mount."""
    assert _mount("--bind", str(folder), str(folder)).returncode == 0
    try:
        result = _mount("-o", "remount,bind,ro", str(folder))
        assert result.returncode == 0, result.stderr
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def edit(content: Path, *, title: bool = False) -> None:
    """A change, so that the next build is not skipped as up to date.

    A text edit renders only the pages that read the text; a title edit (`title`)
    renders every page, so the build needs about the space of a whole site.
    """
    page = next(content.glob("news/*.nl.md"))
    text = page.read_text(encoding="utf-8")
    if title:
        text = text.replace("Title: ", "Title: Nog ", 1)
    page.write_text(text + "\nEen zin meer.\n")


# output/ is a link to a release folder that a build never writes again (it makes a
# new one), so a read-only output/ or output/pagefind/ stops nothing: the folder of
# the releases is where a build writes.
@pytest.mark.parametrize("where", ["project", "releases", "cache"])
def test_a_read_only_folder_fails_the_build_with_one_message(built, where):
    settings = built[0]
    with restored(built, "64m") as work:  # built there, on a tmpfs
        own, project = work / "content", work / "project"
        output = project / "out"
        before = tree(output)
        edit(own)
        folder = {
            "project": project,
            "cache": project / "out-cache",
            "releases": project / ".out.releases",
        }[where]
        with read_only(folder):
            result = run(settings, own, output)

        assert result.returncode == 1
        assert result.stderr.startswith("Build failed: cannot write "), result.stderr
        assert "Read-only file system" in result.stderr
        assert "Traceback" not in result.stderr
        assert tree(output) == before


def test_a_full_disk_fails_the_build_with_one_message_at_every_level(built):
    """Free space at several levels below what a build needs: a message each time."""
    settings, _, _, reference = built
    size = sum(len(data) for data in reference.values())
    # The clean build, as if made on this tmpfs (it fits: a build made it there).
    with restored(built, f"{size * 3 // 1024}k") as work:
        own, project = work / "content", work / "project"
        output = project / "out"
        before = tree(output)
        outcomes = []
        for share in (0.2, 0.5, 0.8, 0.9, 0.95, 0.99):
            edit(own, title=True)  # every page written again: the space of a site
            free = shutil.disk_usage(project).free
            ballast = project / "ballast"
            ballast.write_bytes(b"\0" * max(0, free - int(size * share)))
            result = run(settings, own, output)
            ballast.unlink()
            outcomes.append((share, result.returncode))
            assert "Traceback" not in result.stderr, result.stderr
            if result.returncode == 0:  # it fitted: then it is whole
                before = tree(output)
                assert json.loads(
                    (output / "pagefind" / "pagefind-entry.json").read_text()
                )
                continue
            assert result.returncode == 1
            assert result.stderr.startswith("Build failed: cannot write "), (
                result.stderr
            )
            assert "No space left on device" in result.stderr, result.stderr
            assert tree(output) == before
            assert not list(project.glob(".out-building-*"))
        print("full-disk outcomes", outcomes)
        assert [code for _, code in outcomes].count(1) >= 3, outcomes


def test_the_pinned_pagefind_has_recorded_asset_sizes():
    from importlib.metadata import version

    from sitekit.visitors.search import ASSET_SIZES

    assert version("pagefind_bin") in ASSET_SIZES


@pytest.mark.parametrize(
    "victim",
    ["pagefind-entry.json", "wasm.nl.pagefind", "fragment", "pagefind-worker.js"],
)
def test_a_truncated_pagefind_file_is_found(corpus, tmp_path, victim):
    from sitekit.errors import SiteError
    from sitekit.visitors.search import verify_bundle

    _, _, reference = corpus
    bundle = tmp_path / "pagefind"
    for name, data in reference.items():
        if name.startswith("pagefind/"):
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    verify_bundle(bundle)  # whole: no error
    path = bundle / victim
    if path.is_dir():
        path = sorted(path.iterdir())[0]
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])

    with pytest.raises(SiteError, match=path.name):
        verify_bundle(bundle)
