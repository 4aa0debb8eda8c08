"""Atomic builds: Pelican writes into a fresh folder; `output/` changes only on success.

Run as `python -m sitekit.build [--settings FILE] [--output DIR]` from the project root
(tasks.py does). Each build runs in its own process because Pelican plugins,
pelican-i18n-subsites among them, keep module-level state that a failed build leaves.

Warnings are fatal: a build that logged a warning or an error fails and lists them all.
When the build succeeds, `output/` is brought up to date from the new folder: files
whose bytes changed are moved in, files that vanished are removed, identical files are
left alone (their mtime stays, so rsync and publishing see only real changes).

Fast by default (`--plain` turns it off, for comparison): each Markdown source is
parsed once per build for all languages, on every core, and kept between builds
(sitekit.markdown_cache); a build whose inputs and output did not change since the last
successful one is skipped whole (sitekit.build_state). Builds of one output folder take
turns through a lock file, so two started at once cannot mix their files or caches.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import filecmp
import logging
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitekit import build_state
from sitekit.languages import own_language_only
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
    skipped: bool = False  # nothing changed since the last build: nothing ran
    sources: int = 0  # Markdown sources of the site
    parses: int = 0  # Markdown conversions this build made


# Warnings that say nothing is wrong in our setup. Pelican groups translations per
# subsite: in the German subsite a page that exists in Dutch and French but not yet in
# German has two "originals", and Pelican warns; pelican-i18n-subsites then removes both
# from that subsite, and the language switcher says the page is not translated.
EXPECTED_WARNINGS = ("There are %s original (not translated) items %s: ",)
# Loggers whose warnings concern our caches, not the site: shown, never fatal.
CACHE_LOGGERS = (
    "sitekit.markdown_cache",
    "sitekit.template_cache",
    "sitekit.documents.cache",
)
# What `--plain` leaves out: with them gone, the build is stock Pelican.
FAST_PLUGINS = (
    "sitekit.markdown_cache",
    "sitekit.parallel_writer",
    "sitekit.template_cache",
)


class _Collector(logging.Handler):
    """Keeps every warning and error so the build can fail with the full list."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in CACHE_LOGGERS and record.levelno < logging.ERROR:
            return
        if not str(record.msg).startswith(EXPECTED_WARNINGS):
            self.records.append(record)


@contextlib.contextmanager
def _fatal_warnings() -> Iterator[None]:
    """Turn every exception, warning or error logged inside into one BuildError."""
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    try:
        yield
    except BuildError:
        raise
    except Exception as error:  # Pelican and plugins raise many kinds; all end here
        raise BuildError(describe_error(error)) from error
    finally:
        logging.getLogger().removeHandler(collector)
    if collector.records:
        lines = "\n".join(f"  - {record.getMessage()}" for record in collector.records)
        raise BuildError(
            f"the build logged {len(collector.records)} warning(s) or error(s), "
            f"each of which would be visible on the site:\n{lines}"
        )


def load_settings(settings_file: Path, overrides: dict | None = None) -> dict:
    """Read the settings file the way Pelican does, with `overrides` applied."""
    from pelican.settings import read_settings

    # Settings files import `sitekit`, so the project's root must be importable.
    project = str(settings_file.resolve().parent)
    if project not in sys.path:
        sys.path.insert(0, project)
    with _fatal_warnings():
        return read_settings(str(settings_file), override=overrides or {})


class _ReadCounter:
    """Counts the files Pelican reads: stock Pelican converts each one per read."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self, sender, **kwargs) -> None:
        self.reads += 1


def run_pelican(settings: dict, output: Path) -> int:
    """Build the site into the folder `output`; return how many files were read.

    Raises BuildError when Pelican fails or logs any warning or error.
    """
    from pelican import Pelican, signals

    settings = {**settings, "OUTPUT_PATH": str(output)}
    counter = _ReadCounter()
    signals.article_generator_preread.connect(counter)
    signals.page_generator_preread.connect(counter)
    try:
        with _fatal_warnings():
            Pelican(settings).run()
    finally:
        signals.article_generator_preread.disconnect(counter)
        signals.page_generator_preread.disconnect(counter)
    return counter.reads


def describe_error(error: Exception) -> str:
    """The error as a person needs it: for a template, its file and line first."""
    from jinja2 import TemplateSyntaxError

    from sitekit.content_checks import ContentError
    from sitekit.i18n import CatalogError
    from sitekit.parallel_writer import PageWriteError

    if isinstance(error, ContentError | CatalogError | PageWriteError):
        return str(error)  # written for people already: file, line, what, how
    if isinstance(error, TemplateSyntaxError) and error.filename:
        return (
            f"{_shown(error.filename)}:{error.lineno}: template syntax error: "
            f"{error.message} — fix the tag on that line of the template"
        )
    # Jinja puts each template's file and line into the traceback: the innermost
    # template frame is where rendering failed.
    frames = traceback.extract_tb(error.__traceback__)
    templates = [
        frame for frame in frames if frame.filename.endswith((".html", ".xml", ".j2"))
    ]
    if templates:
        frame = templates[-1]
        return (
            f"{_shown(frame.filename)}:{frame.lineno}: {type(error).__name__} while "
            f"rendering the template: {error} — fix that line of the template"
        )
    return f"{type(error).__name__}: {error}"


def _shown(filename: str) -> str:
    """A file name relative to the current folder when it is below it."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return filename


def sync_tree(source: Path, target: Path) -> SyncReport:
    """Make `target` hold exactly the files of `source`, rewriting only changed ones.

    Files are moved with os.replace, which is atomic on one file system, so a visitor
    or a publishing job never reads a half-written file.
    """
    report = SyncReport()
    if not target.exists():  # a first build: the new folder becomes the output
        report.written = sorted(
            path.relative_to(source).as_posix()
            for path in source.rglob("*")
            if path.is_file()
        )
        source.replace(target)
        return report
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


@contextlib.contextmanager
def _turn(output: Path) -> Iterator[None]:
    """Builds of one output folder take turns: the second waits for the first."""
    lock_path = output.parent / f".{output.name}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(
    settings_file: Path,
    output: Path,
    overrides: dict | None = None,
    *,
    fast: bool = True,
) -> SyncReport:
    """Build into a fresh folder beside `output`; on success, update `output`.

    `fast=False` is stock Pelican with pelican-i18n-subsites: no shared parses, no
    skipping; the benchmark and the tests compare the two.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with _turn(output):
        settings = load_settings(settings_file, overrides)
        if fast:
            settings = own_language_only(settings)
        else:
            settings["PLUGINS"] = [
                p for p in settings["PLUGINS"] if p not in FAST_PLUGINS
            ]
        cache = Path(settings["CACHE_PATH"])
        fingerprint = ""
        parse_early = fast and "sitekit.markdown_cache" in settings["PLUGINS"]
        try:
            if fast:
                inputs = [settings_file, settings_file.parent / "pelicanconf.py"]
                inputs = [path for path in inputs if path.is_file()]
                recorded = build_state.state_path(cache, output).is_file()
                if parse_early and not recorded:
                    _start_parsing(settings)  # nothing to skip: parse while hashing
                fingerprint = build_state.input_fingerprint(settings, inputs)
                if recorded and build_state.is_up_to_date(cache, output, fingerprint):
                    files = len(build_state.output_manifest(output))
                    return SyncReport(unchanged=files, skipped=True)
                build_state.forget(cache, output)
                if parse_early and recorded:
                    _start_parsing(settings)
            report, reads = _build_in_staging(settings, output)
        finally:
            if parse_early:
                from sitekit.markdown_cache import forget_early_start

                forget_early_start()
        if fast:
            from sitekit.markdown_cache import STATS

            report.sources, report.parses = STATS.sources, STATS.parsed
            build_state.record(cache, output, fingerprint)
        else:
            report.sources, report.parses = reads // len(_languages(settings)), reads
        return report


def _start_parsing(settings: dict) -> None:
    """Start the parse pool now: it parses while Pelican starts."""
    from sitekit.markdown_cache import start_parsing_early

    with _fatal_warnings():
        start_parsing_early(settings)


def _build_in_staging(settings: dict, output: Path) -> tuple[SyncReport, int]:
    """Build in a fresh folder, then bring `output` up to date from it.

    Returns what changed and how many files Pelican read.
    """
    staging = Path(
        tempfile.mkdtemp(prefix=f".{output.name}-building-", dir=output.parent)
    )
    try:
        reads = run_pelican(settings, staging)
        try:
            index_site(staging, settings)  # the search index, one per language
        except SearchIndexError as error:
            raise BuildError(str(error)) from error
        return sync_tree(staging, output), reads
    finally:
        if "sitekit.parallel_writer" in settings["PLUGINS"]:
            from sitekit.parallel_writer import stop_children

            stop_children()  # after a failure, writers may still be running
        shutil.rmtree(staging, ignore_errors=True)


def preload(settings_file: Path) -> None:
    """Import Pelican and the plugins of `settings_file`, for builds forked later.

    `invoke livereload` calls it once; each rebuild then forks a child that starts
    building at once instead of spending half a second on imports.
    """
    import importlib

    import pelican.generators  # noqa: F401 (the import is the point)

    try:
        settings = load_settings(settings_file)
    except BuildError:
        return  # the first build will say what is wrong
    for plugin in settings["PLUGINS"]:
        importlib.import_module(plugin)


def _languages(settings: dict) -> list[str]:
    return [settings["DEFAULT_LANG"], *settings.get("I18N_SUBSITES", {})]


def summary(output: Path, report: SyncReport, seconds: float) -> str:
    """One line for people: what the build did and how long it took."""
    if report.skipped:
        return (
            f"Nothing changed since the last build: {output} is up to date "
            f"({report.unchanged} files, checked in {seconds:.2f} s)."
        )
    return (
        f"Built {output} in {seconds:.1f} s: {len(report.written)} file(s) written, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged; "
        f"{report.parses} Markdown parse(s) for {report.sources} source(s)."
    )


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
    parser.add_argument("--cache", type=Path, help="another cache folder")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="stock Pelican: no shared parsing, no cache, no skipping (to compare)",
    )
    parser.add_argument(
        "--theme", type=Path, help="another theme folder (tests use broken copies)"
    )
    parser.add_argument(
        "--no-search-index",
        action="store_true",
        help="leave the search index out (the benchmark times Pelican without it)",
    )
    args = parser.parse_args(argv)
    overrides = {}
    if args.no_search_index:
        overrides["SEARCH_INDEX"] = False  # a setting: a later full build runs again
    if args.content:
        overrides["PATH"] = str(args.content.resolve())
    if args.cache:
        overrides["CACHE_PATH"] = str(args.cache.resolve())
    if args.theme:
        overrides["THEME"] = str(args.theme.resolve())

    from pelican.log import init as init_pelican_logging

    init_pelican_logging(level=logging.WARNING)
    started = time.perf_counter()
    try:
        report = build(args.settings, args.output, overrides, fast=not args.plain)
    except BuildError as error:
        print(f"Build failed: {error}", file=sys.stderr)
        print(f"Nothing in {args.output} was changed.", file=sys.stderr)
        return 1
    print(summary(args.output, report, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
