"""Releases: each build its own folder and manifest, output/ switched atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sitekit import release_manifest
from sitekit.builder import release, runner
from sitekit.content.check import check_site, errors_of
from sitekit.errors import ContentError
from tests.support import ROOT, page, write_files

PRODUCTION = {"SITEURL": "https://www.example.org", "RELATIVE_URLS": False}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def staged(tmp_path: Path, files: dict[str, str]) -> Path:
    """A fresh build folder, as Pelican leaves it."""
    folder = tmp_path / f"staging-{len(list(tmp_path.glob('staging-*')))}"
    for key, text in files.items():
        write(folder / key, text)
    return folder


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_switch_links_identical_files_and_reports_changes(tmp_path):
    output = tmp_path / "output"
    first = {"same.html": "same", "changed.html": "old", "gone/old.html": "gone"}
    release.switch(staged(tmp_path, first), output, PRODUCTION, tmp_path)
    os.utime(output / "same.html", ns=(1, 1))
    second = {"same.html": "same", "changed.html": "new", "fr/added.html": "added"}

    report = release.switch(staged(tmp_path, second), output, PRODUCTION, tmp_path)

    assert sorted(report.written) == ["changed.html", "fr/added.html"]
    assert report.removed == ["gone/old.html"]
    assert report.unchanged == 1
    assert output.is_symlink()
    assert (output / "same.html").stat().st_mtime_ns == 1  # a hard link: same file
    assert (output / "changed.html").read_text() == "new"
    assert tree(output) == ["changed.html", "fr", "fr/added.html", "same.html"]


def test_the_manifest_describes_the_release(tmp_path):
    output = tmp_path / "output"
    files = {"index.html": "<html>nl</html>", "fr/index.html": "<html>fr</html>"}
    release.switch(staged(tmp_path, files), output, PRODUCTION, tmp_path)
    manifest = release_manifest.read(output)
    assert manifest.kind == release_manifest.PRODUCTION
    assert manifest.siteurl == "https://www.example.org"
    assert manifest.languages == {"nl": 1, "fr": 1}
    assert manifest.files["fr/index.html"] == release_manifest.FileEntry(
        15, release_manifest.sha256_of(output / "fr/index.html")
    )
    preview = {"SITEURL": "", "RELATIVE_URLS": True}
    release.switch(staged(tmp_path, files), output, preview, tmp_path)
    assert release_manifest.read(output).kind == release_manifest.PREVIEW


def test_an_old_plain_output_folder_becomes_a_release(tmp_path):
    output = tmp_path / "output"
    write(output / "index.html", "old")
    release.switch(staged(tmp_path, {"index.html": "new"}), output, {}, tmp_path)
    assert output.is_symlink() and (output / "index.html").read_text() == "new"
    assert len(list(release.releases_of(output).iterdir())) == 2


def test_old_releases_are_pruned_never_the_current_one(tmp_path):
    output = tmp_path / "output"
    for number in range(release.KEEP + 3):
        files = {"index.html": f"build {number}"}
        release.switch(staged(tmp_path, files), output, {}, tmp_path)
    kept = sorted(release.releases_of(output).iterdir())
    assert len(kept) == release.KEEP
    assert output.resolve().parent == kept[-1]
    assert (output / "index.html").read_text() == f"build {release.KEEP + 2}"


@pytest.mark.parametrize("stop_at", ["before the switch", "after the switch"])
def test_a_kill_at_any_point_leaves_one_whole_release(tmp_path, stop_at, monkeypatch):
    """The switch is one rename: output/ shows all of the old or all of the new."""
    output = tmp_path / "output"
    old = {f"page-{n}.html": "old" for n in range(20)}
    release.switch(staged(tmp_path, old), output, {}, tmp_path)
    new = {f"page-{n}.html": "new" for n in range(10, 30)}

    class Killed(Exception):
        pass

    real_replace = Path.replace

    def replace(self, target):
        if Path(target) == output and stop_at == "before the switch":
            raise Killed  # the process dies just before the rename
        result = real_replace(self, target)
        if Path(target) == output:
            raise Killed  # … or just after it
        return result

    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(Killed):
        release.switch(staged(tmp_path, new), output, {}, tmp_path)
    monkeypatch.undo()
    shown = {p.name: p.read_text() for p in output.iterdir()}
    expected = old if stop_at == "before the switch" else new
    assert shown == expected
    manifest = json.loads((output.resolve().parent / "release.json").read_text())
    assert sorted(manifest["files"]) == sorted(expected)


def test_symlinks_and_names_that_are_not_utf8_are_refused(tmp_path):
    site = tmp_path / "site"
    write(site / "index.html", "x")
    (site / "link.html").symlink_to("/etc/hostname")
    with pytest.raises(release_manifest.ReleaseError, match="symbolic link"):
        list(release_manifest.walk_files(site))
    (site / "link.html").unlink()
    (Path(os.fsdecode(bytes(site) + b"/caf\xe9.html"))).write_text("x")
    with pytest.raises(release_manifest.ReleaseError, match="not valid UTF-8"):
        list(release_manifest.walk_files(site))


def test_a_comparison_made_while_pagefind_runs_gives_the_same_release(tmp_path):
    """A comparison made ahead, while Pagefind runs, changes nothing in the release.

    What `compare` found, with the rest found at the switch, is what a switch
    comparing everything itself finds: the same report, manifest and links.
    """
    first = {"same.html": "same", "changed.html": "old", "gone.html": "gone"}
    second = {"same.html": "same", "changed.html": "new", "fr/added.html": "added"}
    bundle = {"pagefind/pagefind-entry.json": "{}", "pagefind/index/x.pf_index": "i"}
    outcomes = []
    for ahead in (False, True):
        output = tmp_path / f"output-{ahead}"
        release.switch(staged(tmp_path, {**first, **bundle}), output, {}, tmp_path)
        staging = staged(tmp_path, second)
        compared = (
            release.compare(staging, output, leave_out="pagefind") if ahead else None
        )
        if ahead:  # the comparison leaves the bundle out: it is written after it
            assert {key for key, _ in compared.files} == set(second)
        for key, text in {**bundle, "pagefind/index/y.pf_index": "j"}.items():
            write(staging / key, text)
        report = release.switch(staging, output, {}, tmp_path, compared)
        manifest = release_manifest.read(output)
        links = sorted(
            key for key in manifest.files if (output / key).stat().st_nlink > 1
        )
        outcomes.append(
            (sorted(report.written), report.removed, report.unchanged, manifest, links)
        )
    assert outcomes[0] == outcomes[1]
    written, removed, unchanged, _, links = outcomes[1]
    assert written == ["changed.html", "fr/added.html", "pagefind/index/y.pf_index"]
    assert removed == ["gone.html"]
    assert unchanged == 3 and "pagefind/index/x.pf_index" in links


@pytest.mark.parametrize(
    "trouble", ["no fork", "the child dies", "the pipe breaks", "none"]
)
def test_the_checks_beside_the_build_give_the_verdict_of_the_checks(
    tmp_path, monkeypatch, trouble
):
    """Run in a forked child, or here when forking fails or the child dies."""
    content = tmp_path / "content"
    write_files(content, {"pages/statuut.nl.md": page(Description=None)})
    overrides = {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")}
    settings = runner.load_settings(ROOT / "pelicanconf.py", overrides)
    parent = os.getpid()
    real_check = runner._check

    def check(settings: dict) -> list:
        if os.getpid() != parent:
            os._exit(3)  # the child dies without a word
        return real_check(settings)

    if trouble == "no fork":
        monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError()))
    elif trouble == "the child dies":
        monkeypatch.setattr(runner, "_check", check)
    elif trouble == "the pipe breaks":  # in the child only: the parent reads
        monkeypatch.setattr(runner.pickle, "dump", lambda *_: os.write(-1, b""))
    checks = runner._ChecksAside(settings)
    # Only this process comes back here: a child that did would write its own mark.
    (tmp_path / f"back-in-{os.getpid()}").touch()
    with pytest.raises(ContentError) as raised:
        checks.result()
    assert [problem.message for problem in raised.value.problems] == [
        problem.message for problem in errors_of(check_site(settings, use_cache=False))
    ]
    assert "Description" in str(raised.value)
    assert [mark.name for mark in tmp_path.glob("back-in-*")] == [f"back-in-{parent}"]


def test_a_comparison_removes_no_release(tmp_path):
    """The build may still fail after comparing: only a switch prunes."""
    output = tmp_path / "output"
    for number in range(release.KEEP):
        release.switch(staged(tmp_path, {"a.html": f"{number}"}), output, {}, tmp_path)
    before = sorted(release.releases_of(output).iterdir())
    assert len(before) == release.KEEP
    release.compare(staged(tmp_path, {"a.html": "next"}), output, leave_out="pagefind")
    assert sorted(release.releases_of(output).iterdir()) == before
