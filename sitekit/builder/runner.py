"""Atomic builds: Pelican writes into a fresh folder; `output/` changes only on success.

Run as `python -m sitekit.builder [--settings FILE] [--output DIR]` (`invoke build`
does; `sitekit.builder.cli`). Each build runs in its own process because Pelican
plugins, pelican-i18n-subsites among them, keep module-level state that a failed
build leaves.

The content checks run first, once (`sitekit.content.check`, cached by the digest of
what they read): errors stop the build, warnings are printed.

Warnings are fatal: a build that logged a warning or an error fails and lists them all.
When the build succeeds, the new folder becomes a release and `output/` switches to
it atomically (sitekit.builder.release): identical files are hard links to the last
release's, so their mtime stays and rsync and publishing see only real changes.

Fast by default (`--plain` turns it off, for comparison): each Markdown source is
parsed once per build for all languages, on every core, and kept between builds
(sitekit.fast); a build whose inputs and output did not change since the last
successful one is skipped whole (sitekit.builder.state). Builds of one output folder
take turns through a lock file, so two started at once cannot mix their files or caches.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitekit.builder import release
from sitekit.builder import state as build_state
from sitekit.content.check import check_site, errors_of
from sitekit.errors import ContentError, SiteError, describe_error
from sitekit.fast import contract
from sitekit.fast.options import own_language_only, without_fast_plugins
from sitekit.lifetime import become_helper, ctrl_c_held
from sitekit.settings import read_site_settings
from sitekit.visitors.search import BUNDLE, index_site

LOG = logging.getLogger("sitekit.builder")


class BuildError(SiteError):
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
    warnings: list = field(default_factory=list)  # the content checks' warnings
    rendered: int = 0  # pages (and feeds) rendered
    kept: int = 0  # pages kept from the last build: they read no changed text


# Warnings that say nothing is wrong in our setup. Pelican groups translations per
# subsite: in the German subsite a page that exists in Dutch and French but not yet in
# German has two "originals", and Pelican warns; pelican-i18n-subsites then removes both
# from that subsite, and the language switcher says the page is not translated.
EXPECTED_WARNINGS = ("There are %s original (not translated) items %s: ",)
# Our caches log under this name: a damaged cache is rebuilt, so its warnings are
# shown but never fatal. A fixed name, so that moving a module cannot change it.
CACHE_LOGGER = "sitekit.cache"
# A folder the build writes is read-only, forbidden or full.
WRITE_ERRORS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EFBIG,
}
_WRITING: list[Path] = []  # the staging folder, for errors that name no file


class _Collector(logging.Handler):
    """Keeps every warning and error so the build can fail with the full list."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == CACHE_LOGGER and record.levelno < logging.ERROR:
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
    except SiteError:
        raise
    except OSError as error:
        if error.errno not in WRITE_ERRORS:
            raise BuildError(describe_error(error)) from error
        raise BuildError(
            cannot_write(error, _WRITING[-1] if _WRITING else None)
        ) from error
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
    with _fatal_warnings():
        return read_site_settings(settings_file, overrides)


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


_HELD: list[int] = []  # the lock's descriptor while this process builds


def _close_lock_in_child() -> None:
    # A forked helper must not keep the lock alive after the build dies.
    for descriptor in _HELD:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_lock_in_child)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


@contextlib.contextmanager
def _turn(output: Path) -> Iterator[None]:
    """Builds of one output folder take turns: the second waits for the first.

    The holder writes its pid into the lock file and empties it when done: a pid
    left there means its build was killed (the kernel released the lock itself).
    """
    lock_path = output.parent / f".{output.name}.lock"
    descriptor = _open_for_writing(lock_path, os.O_RDWR | os.O_CREAT)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(descriptor)
            who = f"pid {holder}" if holder else "another process"
            if holder and not _pid_alive(holder):
                who += " (gone; a helper it started still holds the lock)"
            _note(f"Waiting for the build of {who} ({output}) to finish…")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        stale = _read_pid(descriptor)
        if stale and stale != os.getpid():
            _note(
                f"Note: taking over the lock of build pid {stale}, which ended "
                "without releasing it (killed?)."
            )
        _write_pid(descriptor, str(os.getpid()))
        _HELD.append(descriptor)
        try:
            yield
        finally:
            _HELD.clear()
            with contextlib.suppress(OSError):
                _write_pid(descriptor, "")
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _note(line: str) -> None:
    # One line for the person waiting, before the build's own output.
    print(line, file=sys.stderr, flush=True)


def _read_pid(descriptor: int) -> int:
    text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else 0


def _write_pid(descriptor: int, text: str) -> None:
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, text.encode(), 0)


def _open_for_writing(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags, 0o644)
    except OSError as error:
        raise BuildError(cannot_write(error, path)) from error


def cannot_write(error: OSError, path: Path | str | None = None) -> str:
    """The one message for a folder the build cannot write: which path, why."""
    where = error.filename or path or "a file of the build"
    return f"cannot write {where}: {error.strerror or error}"


def build(
    settings_file: Path,
    output: Path,
    overrides: dict | None = None,
    *,
    fast: bool = True,
) -> SyncReport:
    """Check, then build into a fresh folder beside `output`; on success, update it.

    `fast=False` is stock Pelican with pelican-i18n-subsites: no shared parses, no
    skipping; the benchmark and the tests compare the two. Raises a SiteError (with
    a message for people) when the build fails.
    """
    output = output.parent.resolve() / output.name  # `output` itself is a symlink
    try:
        return _build(settings_file, output, overrides, fast=fast)
    except OSError as error:
        if error.errno not in WRITE_ERRORS:
            raise
        raise BuildError(cannot_write(error, output)) from error


def _build(
    settings_file: Path, output: Path, overrides: dict | None, *, fast: bool
) -> SyncReport:
    output.parent.mkdir(parents=True, exist_ok=True)
    with _turn(output):
        _remove_stale_staging(output)
        settings = load_settings(settings_file, overrides)
        fast = fast and contract.holds()
        if fast:
            settings = own_language_only(settings)
        else:
            settings = without_fast_plugins(settings)
        settings["CONTENT_CHECKED"] = True  # tells the plugin's gate: done here
        cache = Path(settings["CACHE_PATH"])
        inputs = None
        reuse = None
        parse_early = fast and "sitekit.fast.markdown_cache" in settings["PLUGINS"]
        checks = _ChecksAside(settings)  # before any thread starts: it forks
        try:
            recorded = fast and build_state.state_path(cache, output).is_file()
            if parse_early and not recorded:
                _start_parsing(settings)  # nothing to skip: parse while checking
            if fast:
                files = [settings_file, settings_file.parent / "pelicanconf.py"]
                files = [path for path in files if path.is_file()]
                inputs = build_state.read_inputs(settings, files)
                last = build_state.last_build(cache, output) if recorded else None
                if build_state.is_up_to_date(last, inputs):
                    warnings = checks.result()
                    files = len(build_state.output_manifest(output))
                    return SyncReport(unchanged=files, skipped=True, warnings=warnings)
                reuse = build_state.reusable(last, inputs)
                if parse_early and recorded:
                    _start_parsing(settings)
            warnings = checks.result()
            if fast:
                build_state.forget(cache, output)
            report, reads = _build_in_staging(settings, output, reuse)
            report.warnings = warnings
        finally:
            checks.abandon()
            if parse_early:
                from sitekit.fast.markdown_cache import forget_early_start

                forget_early_start()
        if inputs is not None:
            from sitekit.fast.markdown_cache import STATS

            report.sources, report.parses = STATS.sources, STATS.parsed
            build_state.record(cache, output, inputs, _pages_read(settings))
        else:
            report.sources, report.parses = reads // len(_languages(settings)), reads
        return report


def _check(settings: dict) -> list:
    """The content checks, once per build: errors stop it, warnings are returned."""
    with _fatal_warnings():
        problems = check_site(settings)
    errors = errors_of(problems)
    if errors:
        raise ContentError(errors)
    return problems


def _send_outcome(writing: int, settings: dict) -> None:
    """In the checks' child: run them, write the outcome to the pipe `writing`."""
    outcome: tuple = ("failed", "the content checks stopped unexpectedly")
    try:
        outcome = ("done", _check(settings))
    except ContentError as error:
        outcome = ("errors", error.problems)
    except BaseException as error:  # every failure is told, whatever it is
        outcome = ("failed", str(error) or describe_error(error))
    # The parent may have stopped listening (it failed): then nothing is told.
    with contextlib.suppress(BaseException), os.fdopen(writing, "wb") as pipe:
        pickle.dump(outcome, pipe)


class _ChecksAside:
    """The content checks, run in a forked child while this process gets ready.

    Reading the build's state and the Markdown cache takes about as long as the
    checks (0.1 to 0.2 s each on 2,400 sources): on two cores they overlap.
    `result()` waits for them, before Pelican reads a single file, so content the
    checks reject (a file too large, say) is never handed to Pelican.
    """

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.pid = 0
        reading, writing = os.pipe()
        parent = os.getpid()
        try:
            with ctrl_c_held():
                self.pid = os.fork()
                if self.pid == 0:
                    become_helper(parent)
        except OSError:  # no fork here: run them in this process when asked
            os.close(reading)
            os.close(writing)
            return
        if self.pid == 0:  # the child: check, send the outcome, leave
            try:
                os.close(reading)
                _send_outcome(writing, settings)
            finally:
                os._exit(0)  # never back into the build: that is the parent's
        os.close(writing)
        self.reading = reading

    def result(self) -> list:
        """The checks' warnings; raises ContentError or BuildError like `_check`."""
        if not self.pid:
            return _check(self.settings)
        with os.fdopen(self.reading, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        self.pid = 0
        try:
            kind, value = pickle.loads(data)
        except (pickle.UnpicklingError, EOFError, ValueError):
            return _check(self.settings)  # the child died: check here instead
        if kind == "errors":
            raise ContentError(value)
        if kind == "failed":
            raise BuildError(value)
        return value

    def abandon(self) -> None:
        """The build stopped before asking: do not leave the child behind."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.close(self.reading)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


def _start_parsing(settings: dict) -> None:
    """Start the parse pool now: it parses while Pelican starts."""
    from sitekit.fast.markdown_cache import start_parsing_early

    with _fatal_warnings():
        start_parsing_early(settings)


def _tracks_pages(settings: dict) -> bool:
    return "sitekit.fast.parallel_writer" in settings["PLUGINS"] and contract.holds()


def _count_pages(settings: dict, report: SyncReport) -> None:
    if _tracks_pages(settings):
        from sitekit.fast.parallel_writer import pages_kept

        report.rendered, report.kept = pages_kept()


def _pages_read(settings: dict) -> dict[str, list[str]] | None:
    """Which bodies each page read, when the page writer noted it (else None)."""
    if not _tracks_pages(settings):
        return None
    from sitekit.fast.parallel_writer import pages_read

    return pages_read()


def _build_in_staging(
    settings: dict, output: Path, reuse: build_state.Reuse | None = None
) -> tuple[SyncReport, int]:
    """Build in a fresh folder, then bring `output` up to date from it.

    With `reuse`, pages that read no changed body are linked from the last release.
    Returns what changed and how many files Pelican read.
    """
    staging = Path(
        tempfile.mkdtemp(prefix=f".{output.name}-building-", dir=output.parent)
    )
    staging.chmod(0o755)  # mkdtemp makes it 0700, and a first build renames it
    _WRITING.append(staging)
    try:
        if _tracks_pages(settings):
            from sitekit.fast.parallel_writer import start_build

            last = output.resolve() if output.is_symlink() else None
            start_build(str(staging), settings["PATH"], last and str(last), reuse)
        reads = run_pelican(settings, staging)
        compared: list[release.Comparison | None] = []

        def compare() -> None:  # on this core, while Pagefind runs on the others
            compared.append(release.compare(staging, output, leave_out=BUNDLE))

        index_site(staging, settings, compare)  # the search index, one per language
        done = release.switch(
            staging, output, settings, Path(settings["PATH"]), *compared
        )
        report = SyncReport(done.written, done.removed, done.unchanged)
        _count_pages(settings, report)
        return report, reads
    finally:
        if "sitekit.fast.parallel_writer" in settings["PLUGINS"]:
            from sitekit.fast.parallel_writer import stop_children

            stop_children()  # after a failure, writers may still be running
        _WRITING.remove(staging)
        shutil.rmtree(staging, ignore_errors=True)


def _remove_stale_staging(output: Path) -> None:
    """Staging folders of killed builds (we hold the lock: none is in use)."""
    for stale in output.parent.glob(f".{output.name}-building-*"):
        if stale.is_dir() and not stale.is_symlink():
            LOG.info("removing %s, left by a build that was stopped", stale)
            shutil.rmtree(stale, ignore_errors=True)


def preload(settings_file: Path) -> None:
    """Import Pelican and the plugins of `settings_file`, for builds forked later.

    `invoke livereload` calls it once; each rebuild then forks a child that starts
    building at once instead of spending half a second on imports and reading
    Babel's data of our languages.
    """
    import importlib

    import pelican.generators  # noqa: F401 (the import is the point)
    from babel import localedata

    from sitekit.languages import LANGUAGES

    try:
        settings = load_settings(settings_file)
    except BuildError:
        return  # the first build will say what is wrong
    for plugin in settings["PLUGINS"]:
        importlib.import_module(plugin)
    # Babel's data of each language, with its parents (nl_BE reads nl and root):
    # 14 files, about 0.09 s of every build otherwise.
    for language in LANGUAGES:
        localedata.load(language.code)
        localedata.load(language.locale)


def _languages(settings: dict) -> list[str]:
    return [settings["DEFAULT_LANG"], *settings.get("I18N_SUBSITES", {})]


def summary(output: Path, report: SyncReport, seconds: float) -> str:
    """One line for people: what the build did and how long it took."""
    if report.skipped:
        return (
            f"Nothing changed since the last build: {output} is up to date "
            f"({report.unchanged} files, checked in {seconds:.2f} s)."
        )
    kept = (
        f"; {report.rendered} page(s) rendered, {report.kept} kept (they read no "
        "changed text)"
        if report.kept
        else ""
    )
    return (
        f"Built {output} in {seconds:.1f} s: {len(report.written)} file(s) written, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged; "
        f"{report.parses} Markdown parse(s) for {report.sources} source(s){kept}."
    )
