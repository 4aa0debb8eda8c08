"""Pelican plugin: parse each Markdown source once per build, on every core.

The results are kept between builds.

Stock pelican-i18n-subsites runs one Pelican per language, and each one reads and
converts every source: 4 languages, 4 parses of each file (DESIGN.md measured 5,409
parses for 1,803 files). Here, before anything is read (the build runner starts it
even before Pelican), a process pool converts the sources that changed since the last
build, language by language in the order the sites read them; every subsite then
takes the HTML and the raw metadata from memory. The metadata is still processed by each
subsite's reader, because processed values (dates, categories) depend on its settings.

The cache on disk maps a file's SHA-256 to its parse and that parse's checksum, under
a fingerprint of the Markdown settings and library versions, so an edited file,
another Markdown setting, another library version or a damaged entry can never be
served from it. A cache that cannot be read is rebuilt with a warning.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from markdown import Markdown
from pelican import signals
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader

from sitekit.fast import contract
from sitekit.fast.inline_fastpath import speed_up
from sitekit.fast.options import fast_build_options
from sitekit.languages import DEFAULT_LANG
from sitekit.lifetime import become_helper, ctrl_c_held

LOG = logging.getLogger(__name__)
CACHE_LOG = logging.getLogger("sitekit.cache")  # never fatal: see builder.runner
LOG_PREFIX = "[sitekit.fast.markdown_cache]"
CACHE_FORMAT = 3  # 3: a checksum of the whole file, then JSON with one per entry
CACHE_FILE = "markdown-cache.json"
PARSE_NICENESS = 10  # how far the pool steps back for the main process
Parsed = tuple[str, dict[str, list[str]]]  # HTML, raw metadata (Markdown's `Meta`)


@dataclass
class BuildStats:
    """What the last build parsed; `sitekit.builder.runner` prints it."""

    sources: int = 0
    parsed: int = 0
    from_cache: int = 0


STATS = BuildStats()
_PARSED: dict[str, Parsed] = {}  # by absolute path: this build's parses from the cache
_PENDING: Parses | None = None  # this build's parses still coming in
# Fields whose processed value is immutable and the same in every subsite (a date is
# parsed by dateutil, which is slow): processed once, shared by the four subsites.
IMMUTABLE_FIELDS = frozenset({"date", "modified"})
_PROCESSED: dict[tuple[str, str], object] = {}


def markdown_settings(settings: dict) -> dict:
    """The Markdown options of Pelican's MarkdownReader (it adds the meta extension)."""
    options = {**settings["MARKDOWN"]}
    configs = options.get("extension_configs", {})
    extensions = list(options.get("extensions", []))
    for extension in [*configs, "markdown.extensions.meta"]:
        if extension not in extensions:
            extensions.append(extension)
    options["extensions"] = extensions
    options.setdefault("extension_configs", {})
    return options


def cache_fingerprint(options: dict) -> str:
    """What a cached parse depends on besides the file: options and library versions."""
    parts = [
        f"format={CACHE_FORMAT}",
        f"markdown={version('markdown')}",
        f"pelican={version('pelican')}",
        repr(sorted(options.items(), key=lambda item: item[0])),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# --- Parsing, in worker processes or in this one --------------------------------------
_WORKER_MARKDOWN: Markdown | None = None


def _start_worker(options: dict) -> None:
    global _WORKER_MARKDOWN  # one converter per worker process
    _WORKER_MARKDOWN = speed_up(Markdown(**options))


def _start_pool_worker(options: dict, parent: int) -> None:
    become_helper(parent)  # Ctrl-C and a killed build are the build's to handle
    # The main process reads, checks and builds each subsite in turn: the build
    # waits on it, so it goes first; the pool parses with the CPU time left over.
    os.nice(PARSE_NICENESS)
    _start_worker(options)


def file_digest(data: bytes) -> str:
    """The cache key of a source: the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def _parse(path: str) -> tuple[str, Parsed]:
    """Convert one file exactly as Pelican's MarkdownReader.read does.

    Returns the digest of the very bytes converted, with the parse: a file edited
    during the build can never be cached under the digest of other content.
    """
    converter = _WORKER_MARKDOWN
    assert converter is not None
    converter.reset()
    data = Path(path).read_bytes()
    # Decoded as pelican_open reads a file: open(..., encoding="utf-8-sig").
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()
    html = converter.convert(text)
    return file_digest(data), (html, dict(getattr(converter, "Meta", {})))


def _parse_chunk(paths: list[str]) -> list[tuple[str, Parsed]]:
    return [_parse(path) for path in paths]


class Parses:
    """The parses of one build, taken in order as they come in.

    With a process pool, the checks and Pelican's start run while the pool parses,
    and the reader waits only for the file it needs. Chunks are handed to the pool a
    few at a time, as earlier ones finish, so a build that fails early leaves little
    parsing behind to wait for.
    """

    def __init__(self, paths: list[str], options: dict, workers: int, pool_from: int):
        self.paths = paths
        self.position = {path: index for index, path in enumerate(paths)}
        self.taken: dict[str, Parsed] = {}
        self.digests: dict[str, str] = {}  # of the bytes each parse was made from
        self.pool: ProcessPoolExecutor | None = None
        if len(paths) < pool_from or workers < 2:
            _start_worker(options)  # parse here, when a file is first read
            return
        size = max(1, len(paths) // (workers * 16))
        self.waiting = deque(paths[i : i + size] for i in range(0, len(paths), size))
        self.in_flight: deque[tuple[list[str], Future]] = deque()
        self.depth = workers * 2
        self.lock = threading.RLock()  # a finished future calls back at once
        with ctrl_c_held():  # the first hand-out forks the workers
            self.pool = ProcessPoolExecutor(
                workers, initializer=_start_pool_worker, initargs=(options, os.getpid())
            )
            self._hand_out()

    def _hand_out(self, _finished: Future | None = None) -> None:
        """Keep `depth` chunks queued (also called from the pool's thread)."""
        with self.lock:
            while self.pool and self.waiting and self._queued() < self.depth:
                chunk = self.waiting.popleft()
                try:
                    future = self.pool.submit(_parse_chunk, chunk)
                except RuntimeError:  # the interpreter is exiting: stop handing out
                    return
                self.in_flight.append((chunk, future))
                future.add_done_callback(self._hand_out)

    def _queued(self) -> int:
        return sum(not future.done() for _, future in self.in_flight)

    def get(self, path: str) -> Parsed:
        """The parse of `path`, waiting for the pool if it is not in yet."""
        if self.pool is None and path not in self.taken:
            self._take([path], [_parse(path)])
        while path not in self.taken:
            with self.lock:
                chunk, future = self.in_flight.popleft()
            self._take(chunk, future.result())
            self._hand_out()
        if self.pool is not None and len(self.taken) == len(self.paths):
            self.pool.shutdown()
            self.pool = None
        return self.taken[path]

    def _take(self, paths: list[str], results: list[tuple[str, Parsed]]) -> None:
        for path, (digest, parsed) in zip(paths, results, strict=True):
            self.digests[path] = digest
            self.taken[path] = parsed

    def all(self) -> dict[str, Parsed]:
        """Every parse, once the pool has finished."""
        for path in self.paths:
            self.get(path)
        return self.taken


# --- The cache on disk ----------------------------------------------------------------
def entry_checksum(digest: str, parsed: Parsed) -> str:
    """The checksum stored with a cached parse: a damaged entry is never served.

    It covers the key too, so a damaged key cannot file a parse under another source.
    """
    html, meta = parsed
    text = json.dumps([digest, html, meta], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def load_cache(path: Path, fingerprint: str) -> dict[str, Parsed]:
    """Cached parses by file digest; empty (with a warning) when unusable.

    Every entry carries the checksum of its parse: an entry whose bytes changed on
    disk (one flipped bit turned `tel:112` into `tel:113`) is dropped with a warning
    and parsed again. The first line is the SHA-256 of the rest: when it matches,
    nothing changed since the file was written and the entries' own checksums need
    not be computed again (a tenth of a second per 2,400 sources).
    """
    _CHECKSUMS.clear()
    if not path.exists():
        return {}
    try:
        whole, _, text = path.read_bytes().partition(b"\n")
        intact = whole == hashlib.sha256(text).hexdigest().encode()
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            raise ValueError("written by another version")
        stored = data["entries"]
        if not isinstance(stored, dict):
            raise ValueError("no entries")
    except Exception as error:  # any damage: a half-written or foreign file
        CACHE_LOG.warning(
            "%s the cache %s could not be used (%s); rebuilding it",
            LOG_PREFIX,
            path,
            error or type(error).__name__,
        )
        return {}
    if data.get("fingerprint") != fingerprint:
        LOG.info("%s Markdown settings or versions changed: parsing all", LOG_PREFIX)
        return {}
    entries: dict[str, Parsed] = {}
    damaged = 0
    for digest, entry in stored.items():
        try:
            checksum, html, meta = entry
            parsed = (html, meta)
            if (
                isinstance(html, str)
                and isinstance(meta, dict)
                and (intact or checksum == entry_checksum(digest, parsed))
            ):
                entries[digest] = parsed
                _CHECKSUMS[digest] = (checksum, parsed)
                continue
        except (TypeError, ValueError):
            pass
        damaged += 1
    if damaged:
        CACHE_LOG.warning(
            "%s %d entr%s of the cache %s did not match %s checksum; parsing again",
            LOG_PREFIX,
            damaged,
            "y" if damaged == 1 else "ies",
            path,
            "its" if damaged == 1 else "their",
        )
    return entries


# The entries last loaded with their checksums: saving the same parse again does not
# compute its checksum again.
_CHECKSUMS: dict[str, tuple[str, Parsed]] = {}


def save_cache(path: Path, fingerprint: str, entries: dict[str, Parsed]) -> None:
    """Write atomically: a reader sees the old file or the new one, never half."""
    stored = {
        digest: [_checksum(digest, parsed), *parsed]
        for digest, parsed in entries.items()
    }
    data = {"format": CACHE_FORMAT, "fingerprint": fingerprint, "entries": stored}
    write_stored(path, data)


def write_stored(path: Path, data: dict) -> None:
    """Write the cache file: the JSON's SHA-256 on the first line, then the JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(hashlib.sha256(text).hexdigest().encode() + b"\n" + text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_stored(path: Path) -> dict:
    """The cache file's JSON, unverified (the tests look inside and damage it)."""
    return json.loads(path.read_bytes().partition(b"\n")[2])


def _checksum(digest: str, parsed: Parsed) -> str:
    checksum, loaded = _CHECKSUMS.get(digest, ("", None))
    return checksum if loaded is parsed else entry_checksum(digest, parsed)


def markdown_sources(settings: dict) -> list[str]:
    """Absolute paths of the Markdown files Pelican will read as pages or articles."""
    root = Path(settings["PATH"])
    folders = [*settings["PAGE_PATHS"], *settings["ARTICLE_PATHS"]]
    suffixes = {f".{extension}" for extension in MarkdownReader.file_extensions}
    found = {
        os.path.abspath(path)  # noqa: PTH100 (Pelican's key: symlinks unresolved)
        for folder in folders
        for path in (root / folder).rglob("*")
        if path.suffix in suffixes and path.is_file()
    }
    return sorted(found)


def reading_order(settings: dict) -> Callable[[str], tuple[int, str]]:
    """Sort key: the files of the language Pelican reads first come first.

    The main site reads first, then pelican-i18n-subsites builds the subsites, taking
    the last of I18N_SUBSITES first (it pops them). Parsing in that order lets each
    subsite read while the pool parses the next language, instead of every subsite
    waiting for the last file. A file named without a language code comes first.
    """
    order = [settings["DEFAULT_LANG"], *reversed(settings.get("I18N_SUBSITES", {}))]
    rank = {f".{code}": index for index, code in enumerate(order)}

    def key(path: str) -> tuple[int, str]:
        language = Path(path).suffixes[-2:-1]
        return rank.get(language[0], 0) if language else 0, path

    return key


_STARTED_EARLY: list[str] = []  # PATH of the build whose parsing began before Pelican


def start_parsing_early(settings: dict) -> None:
    """Start parsing before Pelican starts (the build runner calls it).

    The pool then parses while Pelican imports and sets up its plugins.
    """
    start_parsing(settings)
    _STARTED_EARLY[:] = [settings["PATH"]]


def forget_early_start() -> None:
    """After a build: the next one starts its own parsing.

    A pool still parsing (the build failed, or Ctrl-C stopped it) is shut down
    without waiting for the files not begun.
    """
    global _PENDING
    _STARTED_EARLY.clear()
    if _PENDING is not None and _PENDING.pool is not None:
        _PENDING.pool.shutdown(wait=False, cancel_futures=True)
        _PENDING = None


def preparse(pelican) -> None:
    """Before the main site reads anything, unless the build runner did it already."""
    settings = pelican.settings
    if settings["DEFAULT_LANG"] != DEFAULT_LANG:
        return  # a subsite of the same build: the main site did it
    if settings["PATH"] in _STARTED_EARLY:
        _STARTED_EARLY.clear()
        return
    start_parsing(settings)


def start_parsing(settings: dict) -> None:
    """Parse in a pool what changed since the last build, load the rest from cache."""
    global _PENDING
    _PARSED.clear()
    STATS.__init__()
    fast = fast_build_options(settings)
    options = markdown_settings(settings)
    fingerprint = cache_fingerprint(options)
    cache_path = Path(settings["CACHE_PATH"]) / CACHE_FILE
    cached = load_cache(cache_path, fingerprint)

    sources = markdown_sources(settings)
    # Digests are needed first only to find cached parses (none on a cold build);
    # the workers return the digest of what they parse.
    digests = (
        {path: file_digest(Path(path).read_bytes()) for path in sources}
        if cached
        else {}
    )
    missing = sorted(
        (path for path in sources if digests.get(path) not in cached),
        key=reading_order(settings),
    )
    _PENDING = Parses(missing, options, fast["workers"], fast["parse_pool_from"])
    for path in sources:
        if path not in _PENDING.position:
            _PARSED[path] = cached[digests[path]]
    STATS.sources, STATS.parsed = len(sources), len(missing)
    STATS.from_cache = len(sources) - len(missing)
    _SAVE.update(
        path=cache_path,
        fingerprint=fingerprint,
        digests={path: digests[path] for path in _PARSED},
        stale=bool(missing) or len(set(digests.values())) != len(cached),
    )
    LOG.debug(
        "%s %d to parse, %d from cache", LOG_PREFIX, len(missing), STATS.from_cache
    )


_SAVE: dict = {}  # where and what to save once every parse is in


def save_parses(settings: dict) -> None:
    """Once every site has read its files: keep this build's parses for the next."""
    global _PENDING
    if settings["DEFAULT_LANG"] != DEFAULT_LANG or not _SAVE:
        return
    if _PENDING is not None:
        _PARSED.update(_PENDING.all())
        _SAVE["digests"].update(_PENDING.digests)
        _PENDING = None
    if _SAVE["stale"]:
        entries = {_SAVE["digests"][path]: _PARSED[path] for path in _SAVE["digests"]}
        save_cache(_SAVE["path"], _SAVE["fingerprint"], entries)
    _SAVE.clear()


def _save_when_read(pelican) -> None:
    save_parses(pelican.settings)


class SharedMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, taking the parse from this build's shared results."""

    def read(self, source_path):
        """Return HTML and processed metadata, parsing only what was not pre-parsed."""
        path = os.path.abspath(source_path)  # noqa: PTH100 (Pelican's key)
        parsed = _PARSED.get(path)
        if parsed is None and _PENDING is not None and path in _PENDING.position:
            parsed = _PARSED[path] = _PENDING.get(path)
        if parsed is None:  # a file that appeared mid-build: read it the stock way
            STATS.parsed += 1
            return super().read(source_path)
        self._source_path = source_path
        html, meta = parsed
        return html, self._parse_metadata(meta)

    def _parse_metadata(self, meta):
        """Process metadata as MarkdownReader._parse_metadata does (pelican 4.12).

        The stock method needs the Markdown instance of the parse it follows; ours
        keeps one converter per reader for the rare formatted field (Summary).
        """
        formatted_fields = self.settings["FORMATTED_FIELDS"]
        output = {}
        for name, value in meta.items():
            name = name.lower()
            if name in formatted_fields:
                converter = self._formatter()
                converter.reset()
                formatted = converter.convert("\n".join(value))
                output[name] = self.process_metadata(name, formatted)
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                if len(value) > 1:
                    LOG.warning(
                        "Duplicate definition of `%s` for %s. Using first one.",
                        name,
                        self._source_path,
                    )
                output[name] = self._process(name, value[0])
            elif len(value) > 1:
                output[name] = self.process_metadata(name, value)
            else:
                output[name] = self._process(name, value[0])
        return output

    def _process(self, name: str, value: str):
        """process_metadata, done once per build for fields that allow it."""
        if name not in IMMUTABLE_FIELDS:
            return self.process_metadata(name, value)
        key = (name, value)
        if key not in _PROCESSED:
            _PROCESSED[key] = self.process_metadata(name, value)
        return _PROCESSED[key]

    def _formatter(self) -> Markdown:
        converter = getattr(self, "_field_markdown", None)
        if converter is None:
            converter = Markdown(**self.settings["MARKDOWN"])
            converter.preprocessors.deregister("meta")  # as the stock reader does
            self._field_markdown = converter
        return converter


def use_shared_reader(readers) -> None:
    """Read every Markdown extension with the shared reader."""
    for extension in SharedMarkdownReader.file_extensions:
        if extension in readers.reader_classes:
            readers.reader_classes[extension] = SharedMarkdownReader


def register() -> None:
    """Connect the plugin to Pelican's signals (none: stock path, see contract)."""
    if not contract.holds():
        return
    signals.initialized.connect(preparse)
    signals.readers_init.connect(use_shared_reader)
    # The main site finishes last (it builds the subsites from inside its run): by
    # then every site has read its files. Saving earlier would make the subsites
    # wait for the parses of all languages instead of reading their own as they come.
    signals.finalized.connect(_save_when_read)
