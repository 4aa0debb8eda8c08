"""The build runner: atomic replacement of output/, untouched identical files."""

from __future__ import annotations

import os

from sitekit.builder.runner import sync_tree


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_sync_moves_changed_files_keeps_identical_ones_and_removes_vanished(tmp_path):
    new, output = tmp_path / "new", tmp_path / "output"
    write(output / "same.html", "same")
    write(output / "changed.html", "old")
    write(output / "gone" / "old.html", "gone")
    os.utime(output / "same.html", ns=(1, 1))
    write(new / "same.html", "same")
    write(new / "changed.html", "new")
    write(new / "fr" / "added.html", "added")

    report = sync_tree(new, output)

    assert sorted(report.written) == ["changed.html", "fr/added.html"]
    assert sorted(report.removed) == ["gone", "gone/old.html"]
    assert report.unchanged == 1
    assert (output / "same.html").stat().st_mtime_ns == 1
    assert (output / "changed.html").read_text() == "new"
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*")) == [
        "changed.html",
        "fr",
        "fr/added.html",
        "same.html",
    ]
