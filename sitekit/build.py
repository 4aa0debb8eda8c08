"""Atomic builds: Pelican writes into a fresh folder; `output/` changes only on success.

Run as `python -m sitekit.build [--settings FILE] [--output DIR]` from the project root
(tasks.py does). Each build runs in its own process because Pelican plugins,
pelican-i18n-subsites among them, keep module-level state that a failed build leaves.

Warnings are fatal: a build that logged a warning or an error fails and lists them all.
When the build succeeds, `output/` is brought up to date from the new folder: files
whose bytes changed are moved in, files that vanished are removed, identical files are
left alone (their mtime stays, so rsync and publishing see only real changes).
"""

from __future__ import annotations

import argparse
import filecmp
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitekit.search import SearchIndexError, index_site

LOG = logging.getLogger("sitekit.build")
ROOT = Path(__file__).resolve().parent.parent


class BuildError(Exception):
    """The build failed; the message says why. `output/` was not touched."""


@dataclass
class SyncReport:
    """What bringing `output/` up to date changed."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


# Warnings that say nothing is wrong in our setup. Pelican groups translations per
# subsite: in the German subsite a page that exists in Dutch and French but not yet in
# German has two "originals", and Pelican warns; pelican-i18n-subsites then removes both
# from that subsite, and the language switcher says the page is not translated.
EXPECTED_WARNINGS = ("There are %s original (not translated) items %s: ",)


class _Collector(logging.Handler):
    """Keeps every warning and error so the build can fail with the full list."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not str(record.msg).startswith(EXPECTED_WARNINGS):
            self.records.append(record)


def run_pelican(
    settings_file: Path, output: Path, overrides: dict | None = None
) -> dict:
    """Build the site described by `settings_file` into the folder `output`.

    Returns the main site's settings. Raises BuildError when Pelican fails or logs
    any warning or error.
    """
    from pelican import Pelican
    from pelican.settings import read_settings

    # Settings files import `sitekit`, so the project's root must be importable.
    project = str(settings_file.resolve().parent)
    if project not in sys.path:
        sys.path.insert(0, project)

    collector = _Collector()
    logging.getLogger().addHandler(collector)
    try:
        settings = read_settings(
            str(settings_file),
            override={"OUTPUT_PATH": str(output), **(overrides or {})},
        )
        Pelican(settings).run()
    except Exception as error:  # Pelican and plugins raise many kinds; all end here
        raise BuildError(f"{type(error).__name__}: {error}") from error
    finally:
        logging.getLogger().removeHandler(collector)
    if collector.records:
        lines = "\n".join(f"  - {record.getMessage()}" for record in collector.records)
        raise BuildError(
            f"the build logged {len(collector.records)} warning(s) or error(s), "
            f"each of which would be visible on the site:\n{lines}"
        )
    return settings


def sync_tree(source: Path, target: Path) -> SyncReport:
    """Make `target` hold exactly the files of `source`, rewriting only changed ones.

    Files are moved with os.replace, which is atomic on one file system, so a visitor
    or a publishing job never reads a half-written file.
    """
    report = SyncReport()
    target.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        destination = target / relative
        if path.is_dir():
            if destination.exists() and not destination.is_dir():
                destination.unlink()
            destination.mkdir(exist_ok=True)
            wanted.add(relative)
            continue
        wanted.add(relative)
        if destination.is_file() and filecmp.cmp(path, destination, shallow=False):
            report.unchanged += 1
            continue
        if destination.is_dir():
            shutil.rmtree(destination)
        path.replace(destination)
        report.written.append(relative.as_posix())
    # Deepest first, so folders are empty by the time they are removed.
    for path in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        relative = path.relative_to(target)
        if relative in wanted:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        report.removed.append(relative.as_posix())
    return report


def build(
    settings_file: Path, output: Path, overrides: dict | None = None
) -> SyncReport:
    """Build into a fresh folder beside `output`; on success, update `output`."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{output.name}-building-", dir=output.parent)
    )
    try:
        settings = run_pelican(settings_file, staging, overrides)
        try:
            index_site(staging, settings)  # the search index, one per language
        except SearchIndexError as error:
            raise BuildError(str(error)) from error
        return sync_tree(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Build the site from the command line; exit non-zero on failure."""
    parser = argparse.ArgumentParser(
        prog="python -m sitekit.build", description=__doc__
    )
    parser.add_argument("--settings", type=Path, default=ROOT / "pelicanconf.py")
    parser.add_argument("--output", type=Path, default=ROOT / "output")
    parser.add_argument(
        "--content", type=Path, help="another content folder (tests use fixtures)"
    )
    args = parser.parse_args(argv)
    overrides = {"PATH": str(args.content.resolve())} if args.content else None

    from pelican.log import init as init_pelican_logging

    init_pelican_logging(level=logging.WARNING)
    started = time.perf_counter()
    try:
        report = build(args.settings, args.output, overrides)
    except BuildError as error:
        print(f"Build failed: {error}", file=sys.stderr)
        print(f"Nothing in {args.output} was changed.", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(
        f"Built {args.output} in {seconds:.1f} s: {len(report.written)} file(s) "
        f"written, {len(report.removed)} removed, {report.unchanged} unchanged."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
