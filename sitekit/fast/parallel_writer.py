"""Pelican plugin: render and write the pages of every language on every core.

Pelican renders each page in turn, in one process. This writer records each page and
feed it is asked to write and renders them in forked children, with Pelican's own
`Writer.write_file` and `Writer.write_feed`: a child for each language subsite as
soon as it is done, while the main process finishes the others, and one per core for
the rest once the main site is done. The children share the parent's memory
(copy-on-write), so nothing is pickled.

What a child logs at WARNING or above is passed to the parent and logged there, so
the build's "warnings are fatal" rule still holds; an exception in a child fails the
build with its message. Paginated listings and small sites are written in the parent,
exactly as stock Pelican does. Pelican's `content_written`, `feed_generated` and
`feed_written` signals fire in the child that wrote the file: a plugin that needs them
in the main process would see nothing (none of ours does).

Pages not rendered again: while a page is rendered, every page or news item whose body
it reads (`content`, `summary`, or `_content` itself) is noted, and the build runner
keeps that record. When
the next build's inputs differ only in some bodies (sitekit.builder.state), a page that
read none of them is the same as last time: it is linked from the last release instead
of rendered. A body read outside the rendering of a page counts as read by every page.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import logging
import multiprocessing
import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Content
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from sitekit.errors import SiteError, describe_error
from sitekit.fast import contract
from sitekit.fast.options import fast_build_options
from sitekit.languages import DEFAULT_LANG
from sitekit.lifetime import become_helper, ctrl_c_held

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.fast.parallel_writer]"
RUNS_PER_WORKER = 8  # the pages are cut into this many runs per child

# A deferred write: the writer, the stock Writer method, its arguments.
Job = tuple["ParallelWriter", Callable[..., Any], tuple, dict]


class PageWriteError(SiteError):
    """A page could not be written in a child; the message says where and why."""


_WRITERS: list[ParallelWriter] = []


class ParallelWriter(Writer):
    """A Pelican Writer that defers plain page writes to `write_deferred()`."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.jobs: list[Job] = []
        _WRITERS.append(self)

    def write_file(
        self,
        name,
        template,
        context,
        relative_urls=False,
        paginated=None,
        template_name=None,
        override_output=False,
        url=None,
        **kwargs,
    ):
        """Record a page, or write it now when Pelican would paginate it."""
        if not name:
            return None
        if paginated is None:  # the test stock Writer.write_file makes
            paginated = {k: v for k, v in kwargs.items() if k in {"articles", "dates"}}
        paginates = paginated and template_name in self.settings["PAGINATED_TEMPLATES"]
        if paginates and self._pages_per_listing(template_name):
            # Several pages with names of Pelican's making: written here, at once.
            return super().write_file(
                name,
                template,
                context,
                relative_urls=relative_urls,
                paginated=paginated,
                template_name=template_name,
                override_output=override_output,
                url=url,
                **kwargs,
            )
        path = sanitised_join(self.output_path, name)
        if not self._claim(path, override_output) or _kept(path):
            return None
        options = {
            "relative_urls": relative_urls,
            "paginated": paginated,
            "template_name": template_name,
            "override_output": override_output,
            "url": url,
        }
        # Copy now, as stock write_file does: the generator may change it later.
        arguments = (name, template, context.copy())
        self.jobs.append((self, Writer.write_file, arguments, {**options, **kwargs}))
        return None

    def write_feed(
        self,
        elements,
        context,
        path=None,
        url=None,
        feed_type="atom",
        override_output=False,
        feed_title=None,
    ):
        """Record a feed file (its items are rendered in the children too)."""
        options = {
            "path": path,
            "url": url,
            "feed_type": feed_type,
            "override_output": override_output,
            "feed_title": feed_title,
        }
        if not path:  # only the feed object is wanted: build it now
            return super().write_feed(elements, context, **options)
        target = sanitised_join(self.output_path, path)
        if not self._claim(target, override_output) or _kept(target):
            return None
        arguments = (list(elements), context.copy())
        self.jobs.append((self, Writer.write_feed, arguments, options))
        return None

    def _pages_per_listing(self, template_name: str) -> int:
        """How many items a listing page holds; 0: one page with them all."""
        per_page = self.settings["PAGINATED_TEMPLATES"][template_name]
        return per_page or self.settings["DEFAULT_PAGINATION"] or 0

    def _claim(self, path: str, override: bool) -> bool:
        """Apply Writer._open_w's rules now, in call order; False: skip the page."""
        if path in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{path}" a second time '
                    "(was previously overwritten)"
                )
            return False
        if path in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{path}" as Pelican has already '
                "written to it previously (set `override=True` if intended)"
            )
        if override:
            self._overridden_files.add(path)
        self._written_files.add(path)
        return True


def _render(jobs: Iterable[Job]) -> None:
    """Write pages with the stock method; the claims were made in the parent."""
    cleared: set[int] = set()
    for writer, method, arguments, options in jobs:
        name = arguments[0] if method is Writer.write_file else options.get("path", "")
        path = sanitised_join(writer.output_path, name)
        _WRITING[:] = [path]
        _PAGE[:] = [_key(path)]
        _READ.setdefault(_PAGE[0], set())
        if id(writer) not in cleared:
            writer._written_files, writer._overridden_files = set(), set()
            cleared.add(id(writer))
        with contextlib.suppress(FileNotFoundError):
            info = Path(path).lstat()
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                # A kept page written again (override): writing through the link
                # would change the last release's file too.
                Path(path).unlink()
        try:
            method(writer, *arguments, **options)
        finally:
            _PAGE[:] = []


# --- Which bodies each page reads, and keeping the pages that read no changed one ----
_ROOTS: list[tuple[str, str]] = []  # this build's output and content folders
_KEEP: list[tuple[str, set[str], dict[str, list[str]]]] = []  # last release, reuse
_READ: dict[str, set[str]] = {}  # output key → bodies read ("": outside any page)
_PAGE: list[str] = []  # the output key of the page being rendered
_KEPT: list[int] = [0]
_RENDERED: list[int] = [0]


def start_build(output: str, content: str, last: str | None = None, reuse=None) -> None:
    """Called by the build runner before Pelican: where this build writes and reads.

    With `last` (the last release's folder) and `reuse` (sitekit.builder.state.Reuse),
    pages that read none of the changed bodies are linked from `last`.
    """
    _ROOTS[:] = [(os.path.abspath(output), os.path.abspath(content))]  # noqa: PTH100
    _READ.clear()
    _KEPT[0] = _RENDERED[0] = 0
    _KEEP[:] = []
    if last is not None and reuse is not None:
        _KEEP.append((last, set(reuse.changed), reuse.pages_read))
        everywhere = set(reuse.pages_read.get("", ()))
        if everywhere & reuse.changed:
            _KEEP.clear()  # a changed body was read outside the pages: render all


def pages_read() -> dict[str, list[str]]:
    """Output key → the bodies it read, in this build (for the next one)."""
    return {key: sorted(read) for key, read in sorted(_READ.items())}


def pages_kept() -> tuple[int, int]:
    """How many pages this build rendered, and how many it linked from the last one."""
    return _RENDERED[0], _KEPT[0]


def _key(path: str) -> str:
    """`path` below the output folder (both absolute and normalised: no relpath)."""
    return path[len(_ROOTS[0][0]) + 1 :] if _ROOTS else path


def _kept(path: str) -> bool:
    """Link the page at `path` from the last release when it can be kept."""
    if not _KEEP or not _ROOTS:
        return False
    last, changed, pages_read = _KEEP[0]
    key = _key(path)
    read = pages_read.get(key)
    if read is None or changed.intersection(read):
        return False
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)  # noqa: PTH103, PTH120
        os.link(os.path.join(last, key), path)  # noqa: PTH118
    except OSError:
        # Not in the last release, written twice (override), or the releases are on
        # another file system: render it.
        return False
    _READ[key] = set(read)
    _KEPT[0] += 1
    return True


def _note_read(content: Content) -> None:
    if not _ROOTS or not getattr(content, "source_path", None):
        return
    root = _ROOTS[0][1] + os.sep
    path = content.source_path
    # A text outside the content folder keeps its whole path: the next build does
    # not know it as a body, and renders every page (sitekit.builder.state).
    source = path[len(root) :] if path.startswith(root) else path
    _READ.setdefault(_PAGE[0] if _PAGE else "", set()).add(source)


def _read_text(self: Content) -> str:
    """`Content._content`, the text: noted when a page reads it (a template, say).

    Outside pages Pelican reads every text for its {static} links, and the static
    files are copied again in every build: not a read by every page.
    """
    if _PAGE:
        _note_read(self)
    try:
        return self.__dict__["_content"]
    except KeyError:
        raise AttributeError("_content") from None


def _write_text(self: Content, value: str) -> None:
    self.__dict__["_content"] = value


def _tracking(memoized_method) -> Callable[..., str]:
    """Content's memoized `get_content` or `get_summary`, noting whose body is read."""

    def read(self, siteurl):
        _note_read(self)
        return memoized_method(self, siteurl)

    read.__doc__ = memoized_method.func.__doc__
    return read


# A full or read-only disk: said as the build runner says it, with the page's path
# (an error of write() names no file).
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES}
_WRITING: list[str] = []  # the page being written
READ_REPORT = -2  # a child's last line: which bodies its pages read


class _PipeHandler(logging.Handler):
    def __init__(self, stream) -> None:
        super().__init__(level=logging.WARNING)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        message = {
            "level": record.levelno,
            "message": record.getMessage(),
            "logger": record.name,  # the cache's warnings stay non-fatal
        }
        self.stream.write(json.dumps(message) + "\n")
        self.stream.flush()


def _child(jobs: Iterable[Job], write_fd: int) -> None:
    """In a forked child: render `jobs`, report problems, never return."""
    code = 0
    try:
        with os.fdopen(write_fd, "w", encoding="utf-8") as stream:
            logging.getLogger().handlers = [_PipeHandler(stream)]
            try:
                _render(jobs)
                read = {key: sorted(sources) for key, sources in _READ.items()}
                stream.write(json.dumps({"level": READ_REPORT, "read": read}) + "\n")
            except BaseException as error:  # report everything, then exit
                message = describe_error(error)
                if isinstance(error, OSError) and error.errno in WRITE_ERRORS:
                    where = error.filename or (_WRITING[0] if _WRITING else "a page")
                    message = f"cannot write {where}: {error.strerror or error}"
                failure = {"level": -1, "message": message}
                stream.write(json.dumps(failure) + "\n")
                code = 1
    finally:
        os._exit(code)  # skip the parent's atexit handlers and buffers


def _runs_in_turn(runs: list[list[Job]], next_run: Synchronized) -> Iterator[Job]:
    """The jobs of the runs this child takes: the next free one, until none is left."""
    while True:
        with next_run.get_lock():
            index = next_run.value
            next_run.value += 1
        if index >= len(runs):
            return
        yield from runs[index]


def write_in_parallel(jobs: list[Job], workers: int) -> None:
    """Fork `workers` children that take runs of pages in turn; wait for all.

    Runs of neighbouring pages, not every n-th page: the pages come grouped by
    language and folder, and two processes creating files in one folder wait on its
    lock in the kernel. Taken in turn, not a fixed share each, so that no child
    idles while another still has pages to write.
    """
    size = max(1, -(-len(jobs) // (workers * RUNS_PER_WORKER)))  # rounded up
    runs = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    next_run = multiprocessing.get_context("fork").Value("i", 0)
    # A subsite's writer may still be at work: fork the others as cores free up, so
    # that no more than `workers` write at once (each child's RSS counts the whole
    # parent) and no core idles while runs are left.
    forked = 0
    while forked < workers and (not forked or next_run.value < len(runs)):
        if forked and _running_children() >= workers:
            time.sleep(0.005)  # a few syscalls each time; a core freed is used at once
            continue
        _fork(_runs_in_turn(runs, next_run))
        forked += 1
    wait_for_children()


_CHILDREN: list[tuple[int, int]] = []  # this build's writers: pid, read end of pipe


def _fork(jobs: Iterable[Job]) -> None:
    """Start a child that writes `jobs`; `wait_for_children` collects it."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    # Frozen, the parent's objects are never scanned by a child's garbage collector,
    # which would otherwise write to (and so copy) every page of the shared heap.
    gc.freeze()
    with ctrl_c_held():
        pid = os.fork()
        if not pid:
            become_helper(parent)  # a killed build leaves no writer behind
    if pid:
        gc.unfreeze()
    else:
        os.close(read_fd)
        _child(jobs, write_fd)
    os.close(write_fd)
    _CHILDREN.append((pid, read_fd))


def wait_for_children() -> None:
    """Wait for every writer child; log what they logged, raise what failed."""
    children, _CHILDREN[:] = list(_CHILDREN), []
    failures = []
    for pid, read_fd in children:
        with os.fdopen(read_fd, encoding="utf-8") as stream:
            for line in stream:
                report = json.loads(line)
                if report["level"] == READ_REPORT:
                    for key, sources in report["read"].items():
                        _READ.setdefault(key, set()).update(sources)
                elif report["level"] < 0:
                    failures.append(report["message"])
                else:
                    logger = logging.getLogger(report.get("logger", LOG.name))
                    logger.log(report["level"], "%s", report["message"])
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 and not failures:
            failures.append(f"a page-writing process ended with status {status}")
    if failures:
        raise PageWriteError(failures[0])


def stop_children() -> None:
    """After a failed build: stop the writers still running, so none writes on."""
    children, _CHILDREN[:] = list(_CHILDREN), []
    for pid, read_fd in children:
        os.close(read_fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


def provide_writer(pelican) -> type[Writer]:
    """Every Pelican of the build (main site and subsites) writes with ours."""
    return ParallelWriter


def write_deferred(pelican) -> None:
    """Write what a site recorded once it is done; after the main site, wait for all.

    pelican-i18n-subsites finishes the subsites one after the other, then the main
    site, in one process: while it does, a subsite that is done has its pages written
    by a child of its own, on the core that would be idle. The main site, the last,
    hands what is left to one child per core and waits for every child.
    """
    options = fast_build_options(pelican.settings)
    workers = options["workers"]
    recorded = sum(len(writer.jobs) for writer in _WRITERS)
    if pelican.settings["DEFAULT_LANG"] != DEFAULT_LANG:
        # One writer at most while this process still builds: it has a core too.
        busy = _running_children() >= workers - 1
        if workers >= 2 and recorded >= options["fork_writers_from"] and not busy:
            _fork(_take_jobs())
        return
    jobs = _take_jobs()
    _WRITERS.clear()
    if len(jobs) < options["fork_writers_from"] or workers < 2:
        _render(jobs)
        wait_for_children()
    else:
        write_in_parallel(jobs, workers)
    LOG.debug("%s wrote %d pages with %d process(es)", LOG_PREFIX, len(jobs), workers)


def _running_children() -> int:
    """Writers still at work (WNOWAIT: wait_for_children still reaps them)."""
    return sum(_running(pid) for pid, _ in _CHILDREN)


def _running(pid: int) -> bool:
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:  # reaped by someone else: not running
        return False


def _take_jobs() -> list[Job]:
    jobs = [job for writer in _WRITERS for job in writer.jobs]
    for writer in _WRITERS:
        writer.jobs = []
    _RENDERED[0] += len(jobs)
    return jobs


def register() -> None:
    """Connect the plugin to Pelican's signals (none: stock path, see contract)."""
    if not contract.holds():
        return
    for name in ("get_content", "get_summary"):
        method = Content.__dict__[name]
        if hasattr(method, "func"):  # not wrapped yet (a plugin registers per site)
            setattr(Content, name, _tracking(method))
    if not isinstance(Content.__dict__.get("_content"), property):
        Content._content = property(_read_text, _write_text)
    signals.get_writer.connect(provide_writer)
    signals.finalized.connect(write_deferred)
