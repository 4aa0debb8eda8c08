"""Each build is a release: its own folder, a manifest, one atomic switch of output/.

`output` is a symlink to `.output.releases/<id>/site`. A build's new folder becomes
a release: files whose bytes did not change are hard links to the previous release's
(so they keep their mtime and take no space), the manifest is written beside the site
(sitekit.release_manifest), and only then the symlink is replaced with os.replace,
which is atomic: a kill at any instant leaves `output` on the old release or the new
one, each whole. Old releases are pruned; the newest few stay, for a rollback by hand.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitekit import release_manifest
from sitekit.release_manifest import PREVIEW, PRODUCTION

KEEP = 3  # releases kept: the current one and the two before it
SITE = "site"


@dataclass
class Switch:
    """What a new release changed against the previous one."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def releases_of(output: Path) -> Path:
    """The folder that holds the releases of `output`."""
    output = output.absolute()
    return output.parent / f".{output.name}.releases"


def kind_of(settings: dict) -> str:
    """Production when every URL is absolute https (publishconf.py), else preview."""
    siteurl = str(settings.get("SITEURL") or "")
    absolute = siteurl.startswith("https://") and not settings.get("RELATIVE_URLS")
    return PRODUCTION if absolute else PREVIEW


def source_commit(folder: Path) -> str:
    """The commit the sources are at ('' when not known); CI names it itself."""
    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    try:
        answer = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return ""
    return answer.stdout.strip() if answer.returncode == 0 else ""


def _current(output: Path) -> Path | None:
    """The site `output` shows now; an old-style plain folder becomes a release."""
    if output.is_symlink():
        target = output.resolve()
        return target if target.is_dir() else None
    if not output.is_dir():
        return None
    # Built before releases existed: move it into a release of its own (one rename).
    legacy = releases_of(output) / f"{time.time_ns():020d}-legacy"
    legacy.mkdir(parents=True)
    output.replace(legacy / SITE)
    return legacy / SITE


@dataclass
class Comparison:
    """A built folder's files compared with the release `output` shows.

    Made by `compare` while the build still runs (Pagefind indexes), so that the
    switch itself has only the files written since to look at.
    """

    previous: Path | None
    leave_out: str  # the folder below the site not compared yet ("" for none)
    files: list[tuple[str, str]] = field(default_factory=list)  # key, how it stands
    last: release_manifest.Release | None = None
    known: dict[str, release_manifest.FileEntry] = field(default_factory=dict)


UNCHANGED, WRITTEN = "unchanged", "written"


def compare(staging: Path, output: Path, leave_out: str = "") -> Comparison | None:
    """Compare `staging`'s files (not those below `leave_out`) with the current release.

    Identical files become hard links to the current release's. None when `output`
    is not a release yet: the switch then compares everything itself.
    """
    if not output.is_symlink():
        return None
    previous = _current(output.absolute())
    comparison = Comparison(previous, leave_out, last=_manifest_of(previous))
    prefix = f"{leave_out}/" if leave_out else None
    for key, path in release_manifest.walk_files(staging):
        if prefix and key.startswith(prefix):
            continue
        comparison.files.append((key, _compare_one(path, previous, key)))
    linked = {key for key, state in comparison.files if state == UNCHANGED}
    comparison.known = _known_entries(previous, comparison.last, linked)
    return comparison  # pruning waits for the switch: the build may still fail


def _compare_one(path: Path, previous: Path | None, key: str) -> str:
    old = previous / key if previous else None
    if old is not None and _same_file(path, old):
        return UNCHANGED
    if old is not None and old.is_file() and filecmp.cmp(path, old, False):
        _link(old, path)
        return UNCHANGED
    return WRITTEN


def switch(
    staging: Path,
    output: Path,
    settings: dict,
    source: Path,
    compared: Comparison | None = None,
) -> Switch:
    """Make the built folder `staging` the release `output` shows; prune old ones.

    `compared`: what `compare` found for most of the files while the build ran.
    """
    output = output.absolute()
    previous = _current(output)
    release = releases_of(output) / f"{time.time_ns():020d}-{os.getpid()}"
    release.mkdir(parents=True)
    site = release / SITE
    staging.replace(site)
    if compared is None or compared.previous != previous:
        compared = Comparison(previous, "", last=_manifest_of(previous))
        rest = release_manifest.walk_files(site)
    else:
        below = site / compared.leave_out
        rest = (
            (f"{compared.leave_out}/{key}", path)
            for key, path in (
                release_manifest.walk_files(below) if below.is_dir() else ()
            )
        )
    states = dict(compared.files)
    compared_now = set()
    for key, path in rest:
        states[key] = _compare_one(path, previous, key)
        compared_now.add(key)
    report = Switch()
    linked = {key for key, state in states.items() if state == UNCHANGED}
    report.unchanged = len(linked)
    report.written = [key for key, state in states.items() if state == WRITTEN]
    last = compared.last
    if previous is not None:
        before = (
            last.files
            if last is not None
            else dict(release_manifest.walk_files(previous))
        )
        report.removed = sorted(key for key in before if key not in states)
    languages = [settings.get("DEFAULT_LANG"), *settings.get("I18N_SUBSITES", {})]
    manifest = release_manifest.describe(
        site,
        kind_of(settings),
        str(settings.get("SITEURL") or ""),
        source_commit(source),
        [code for code in languages if code],
        known={
            **compared.known,
            **_known_entries(previous, last, linked & compared_now),
        },
        files=[(key, site / key) for key in states],
    )
    site.chmod(0o755)  # a fresh temporary folder is private; a web server reads it
    release_manifest.write(site, manifest)
    link = output.with_name(f".{output.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(site.relative_to(output.parent))
    link.replace(output)  # the switch: atomic
    prune(output)
    return report


def _same_file(path: Path, old: Path) -> bool:
    """True when `path` is a hard link to `old` (the build linked a page it kept)."""
    try:
        return os.path.samestat(path.stat(), old.stat())
    except OSError:
        return False


def _manifest_of(previous: Path | None) -> release_manifest.Release | None:
    """The previous release's manifest, when it can be read."""
    if previous is None:
        return None
    try:
        return release_manifest.read(previous)
    except release_manifest.ReleaseError:
        return None


def _known_entries(
    previous: Path | None, last: release_manifest.Release | None, linked: set[str]
) -> dict[str, release_manifest.FileEntry]:
    """The previous manifest's entries of the files linked from it, when trustworthy.

    A file changed in place after that manifest was written has a later mtime: its
    entry is not taken (the file is hashed again).
    """
    if previous is None or last is None or not linked:
        return {}
    try:
        written = release_manifest.manifest_path(previous).stat().st_mtime_ns
    except OSError:
        return {}
    known = {}
    for key in linked:
        entry = last.files.get(key)
        try:
            stat = (previous / key).stat()
        except OSError:
            continue
        if entry and entry.size == stat.st_size and stat.st_mtime_ns <= written:
            known[key] = entry
    return known


def _link(old: Path, new: Path) -> None:
    """Replace `new` by a hard link to the identical `old` (a copy where links fail)."""
    temporary = new.with_name(f".{new.name}.link")
    try:
        os.link(old, temporary)
    except OSError:
        shutil.copy2(old, temporary)
    temporary.replace(new)


def prune(output: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest `keep` releases; never the one `output` shows."""
    folder = releases_of(output)
    current = output.resolve().parent if output.is_symlink() else None
    releases = sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True)
    removed = [p for p in releases[keep:] if p != current]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
