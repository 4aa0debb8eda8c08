"""The fast build: same bytes as stock Pelican, never stale, robust caches."""

from __future__ import annotations

import os
import time

import pytest


def test_a_failed_build_stops_the_writers_still_running():
    # A language's pages are written by a child while the main process goes on;
    # when the build fails meanwhile, the child must not write on.
    from types import SimpleNamespace

    from sitekit.fast import parallel_writer

    def slow_write(writer, *arguments, **options):
        time.sleep(60)

    job = (SimpleNamespace(), slow_write, (), {})
    parallel_writer._fork(iter([job]))
    pid = parallel_writer._CHILDREN[0][0]
    started = time.monotonic()

    parallel_writer.stop_children()

    assert time.monotonic() - started < 10
    assert parallel_writer._CHILDREN == []
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already collected: no process left behind
