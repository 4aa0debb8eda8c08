"""The fast build: same bytes as stock Pelican, never stale, robust caches."""

from __future__ import annotations

import fnmatch
import os
import time

import pytest


def test_a_failed_build_stops_the_writers_still_running(tmp_path):
    # A language's pages are written by a child while the main process goes on;
    # when the build fails meanwhile, the child must not write on.
    from types import SimpleNamespace

    from sitekit.fast import parallel_writer

    def slow_write(writer, *arguments, **options):
        (tmp_path / "started").touch()
        time.sleep(60)

    writer = SimpleNamespace(output_path=str(tmp_path))
    job = (writer, slow_write, (), {"path": "page.html"})
    parallel_writer._fork(iter([job]))
    pid = parallel_writer._CHILDREN[0][0]
    deadline = time.monotonic() + 10
    while not (tmp_path / "started").exists():  # the child is writing: stop it
        assert time.monotonic() < deadline, "the writer never started"
        time.sleep(0.01)
    started = time.monotonic()

    parallel_writer.stop_children()

    assert time.monotonic() - started < 10
    assert parallel_writer._CHILDREN == []
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already collected: no process left behind


@pytest.mark.parametrize(
    "patterns",
    [
        (),
        (".*",),
        (".*", "*.fr.md", "*.de.md", "*.en.md", "*.ar.md", "*.ro.md"),
        ("*~", "#*#", "[ab]?.md", "[!x]*.MD", "a*b?c"),
    ],
)
def test_ignore_files_joined_answer_as_fnmatch_does(patterns):
    from sitekit.fast.ignore_files import ignored_by

    names = [
        "statuut.nl.md", "statut.fr.md", ".hidden", "notes~", "#draft#", "ab.md",
        "a1.md", "b.md", "x.de.md.bak", "UPPER.MD", "axxbyc", "a\nb.fr.md", "",
    ]  # fmt: skip
    for name in names:
        expected = any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
        assert ignored_by(patterns)(name) == expected, (name, patterns)
