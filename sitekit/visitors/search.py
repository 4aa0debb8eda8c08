"""Search: the Pagefind index of the built site, one index per language.

The build runner calls `index_site` on the freshly built folder, after Pelican and
before `output/` is updated, so a failed indexing leaves the last good site in place.
Pagefind reads each page's `<html lang>` and writes one index per language into
`pagefind/`: the search page of a language loads only that language's index.
Only the part of a page marked `data-pagefind-body` (the main content; not the
navigation, the footer, the search page or the site map) is indexed.

Pagefind indexes each language apart, so it runs once per language, on that
language's pages alone, and the bundles are put together: the same files as one run
over the whole site (tests/plugins check this). A language whose pages did not change
since the last build takes its part of the bundle from the cache folder: a build after
one edit indexes one language, not all.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NoReturn

from pagefind_bin import get_executable

from sitekit.errors import SiteError
from sitekit.lifetime import become_helper, ctrl_c_held

LOG = logging.getLogger(__name__)
CACHE_LOG = logging.getLogger("sitekit.cache")  # shown, never fatal (a cache rebuilt)
LOG_PREFIX = "[sitekit.visitors.search]"
BUNDLE = "pagefind"  # folder below the site's root; the templates link to it
# Pagefind 1.5.2 exits 0 when the disk fills, leaving truncated files. Its scripts and
# styles are the same on every site: their sizes, per Pagefind version, show a whole
# file (tests/unit/test_hostile_build.py checks the pinned version is listed).
ASSET_SIZES = {
    "1.5.2": {
        "pagefind-component-ui.css": 41830,
        "pagefind-component-ui.js": 175488,
        "pagefind-highlight.js": 44352,
        "pagefind-modular-ui.css": 7336,
        "pagefind-modular-ui.js": 14634,
        "pagefind-ui.css": 14482,
        "pagefind-ui.js": 119987,
        "pagefind-worker.js": 41255,
        "pagefind.js": 45555,
    }
}
# Index, fragments, filters, metadata and WebAssembly are gzip streams: a truncated
# one does not decompress.
COMPRESSED = (".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta", ".pagefind")
# Pagefind also writes its ready-made interfaces (about 400 kB) and a highlighter;
# our search page uses its search API (pagefind.js, the worker, the WASM, the index
# and the fragments) with our own markup, so no page loads these: not published.
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


class SearchIndexError(SiteError):
    """Pagefind could not index the site; the message has its output."""


def index_site(
    output_dir: Path, settings: dict, meanwhile: Callable[[], None] | None = None
) -> None:
    """Write the Pagefind bundle (index per language and search UI) into `output_dir`.

    `settings` are the main site's Pelican settings; a site with no SEARCH_PAGE
    setting has no search, and nothing is indexed. SEARCH_INDEX = False leaves the
    index out of a build that has a search page (the benchmark compares Pelican
    builds without it). `meanwhile` is called once, while Pagefind runs (or at once
    when it does not), with the files outside `pagefind/` final: the build compares
    them with the last release then.
    """
    meanwhile = _once(meanwhile)
    if not settings.get("SEARCH_PAGE"):
        LOG.debug("%s no SEARCH_PAGE setting: no search index", LOG_PREFIX)
        meanwhile()
        return
    if not settings.get("SEARCH_INDEX", True):
        LOG.debug("%s SEARCH_INDEX = False: no search index", LOG_PREFIX)
        meanwhile()
        return
    cache = None  # the last build's index of each language
    if settings.get("CACHE_PATH"):
        cache = Path(settings["CACHE_PATH"]) / "search"
    groups = _groups(output_dir)
    if not groups:  # no page marks its content: Pagefind decides (and explains) alone
        process = _start_pagefind(output_dir)
        try:
            meanwhile()
        finally:
            _finish_pagefind(process, output_dir)
        verify_bundle(output_dir / BUNDLE)
    else:
        try:
            _index_by_language(output_dir, groups, cache, meanwhile)
            verify_bundle(output_dir / BUNDLE)  # the parts taken from the cache too
        except SearchIndexError as error:
            if cache is None or not cache.exists():
                raise
            # A damaged part in the cache: index every language again, without it.
            CACHE_LOG.warning("%s %s; indexing again", LOG_PREFIX, error)
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(output_dir / BUNDLE, ignore_errors=True)
            _index_by_language(output_dir, groups, cache, meanwhile)
            verify_bundle(output_dir / BUNDLE)
    _sort_entry_file(output_dir)
    _remove_unused(output_dir)
    languages = indexed_languages(output_dir)
    if not languages:
        raise SearchIndexError(
            f"Pagefind indexed no page of {output_dir}: the build wrote no HTML page "
            "with content (templates/base.html marks <main> data-pagefind-body)"
        )
    LOG.info(
        "%s indexed %s",
        LOG_PREFIX,
        ", ".join(f"{code}: {count} pages" for code, count in languages.items()),
    )


# --- One Pagefind run per language ---------------------------------------------------
HTML_LANG = re.compile(rb"<html\b[^>]*?\slang=[\"']?([^\"'\s>]*)", re.IGNORECASE)
MARKED = re.compile(rb"<[a-z][^>]*\sdata-pagefind-body[\s=/>]", re.IGNORECASE)


@dataclass
class _Group:
    """The pages of one `<html lang>`: Pagefind makes that language's index of them."""

    pages: list[str] = field(default_factory=list)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    marked: bool = False  # a page marks its content (else Pagefind skips them all)


def _groups(site: Path) -> dict[str, _Group]:
    """The site's HTML pages by language; {} when no page marks its content."""
    groups: dict[str, _Group] = {}
    for key in _files_below(site, ".html"):
        if key.startswith(f"{BUNDLE}/"):
            continue
        data = (site / key).read_bytes()
        found = HTML_LANG.search(data, 0, 4096)
        lang = found[1].decode("ascii", "replace") if found else ""
        group = groups.setdefault(lang, _Group())
        group.pages.append(key)
        group.digest.update(key.encode() + b"\0" + hashlib.sha256(data).digest())
        group.marked = group.marked or MARKED.search(data) is not None
    if not any(group.marked for group in groups.values()):
        return {}
    # In one run over the whole site, pages of a language that marks nothing are
    # skipped (another language marks its content): the same here.
    return {lang: group for lang, group in groups.items() if group.marked}


def _files_below(root: Path, suffix: str = "") -> list[str]:
    """The files below `root` ending in `suffix`, as sorted posix paths."""
    found = []
    for folder, _folders, files in os.walk(root):
        prefix = os.path.relpath(folder, root)
        prefix = "" if prefix == "." else prefix.replace(os.sep, "/") + "/"
        found += [prefix + name for name in files if name.endswith(suffix)]
    return sorted(found)


def _index_by_language(
    site: Path,
    groups: dict[str, _Group],
    cache: Path | None,
    meanwhile: Callable[[], None],
) -> None:
    """Index each language apart (or take it from the cache), into `site`'s bundle.

    Each language's pages are linked into a folder of their own (named like the
    staging folder, so a killed build's is removed with it) and indexed there, one
    language after the other; the bundles are then put together.
    """
    bundle = site / BUNDLE
    bundle.mkdir()
    entry: dict = {}
    running = []
    keys = {lang: _cache_key(lang, group) for lang, group in groups.items()}
    for lang, group in sorted(groups.items()):
        kept = cache / keys[lang] if cache else None
        if kept is not None and _take(kept, bundle, entry):
            continue
        work = Path(tempfile.mkdtemp(prefix=f"{site.name}-search-", dir=site.parent))
        running.append((kept, work))
        for page in group.pages:
            (work / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(site / page, work / page)
    # One Pagefind at a time: each holds its language's pages in memory (0.5 GB for
    # 6,000 pages), and four at once on two cores finish no sooner.
    processes: list[subprocess.Popen] = []
    try:
        for kept, work in running:
            processes.append(_start_pagefind(work))
            meanwhile()  # the first time only
            _finish_pagefind(processes[-1], site)
            names, part = _move_bundle(work / BUNDLE, bundle, entry)
            if kept is not None:
                _keep(bundle, names, part, kept)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for _, work in running:
            shutil.rmtree(work, ignore_errors=True)
    meanwhile()  # when every language came from the cache
    entry_file = bundle / "pagefind-entry.json"
    entry_file.write_text(json.dumps(entry), encoding="utf-8")
    if cache is not None:
        _prune(cache, set(keys.values()))


def _once(action: Callable[[], None] | None) -> Callable[[], None]:
    """`action` for the first call, nothing for the others."""
    done: list[bool] = []

    def call() -> None:
        if action is not None and not done:
            done.append(True)
            action()

    return call


def _cache_key(lang: str, group: _Group) -> str:
    """A language's pages and the Pagefind that indexes them (another: index again)."""
    digest = group.digest.copy()
    pagefind = f"{metadata.version('pagefind_bin')} {get_executable()}"
    digest.update(pagefind.encode())
    return f"{lang or 'none'}-{digest.hexdigest()[:32]}"


def _start_pagefind(site: Path) -> subprocess.Popen:
    command = [
        str(get_executable()),  # the binary in the pinned PyPI package pagefind-bin
        "--site",
        str(site),
        "--output-subdir",
        BUNDLE,
    ]
    parent = os.getpid()
    with ctrl_c_held():
        return subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Killed with the build: else it writes on into a folder the next build
            # has just removed as stale.
            preexec_fn=lambda: become_helper(parent),
        )


def _finish_pagefind(process: subprocess.Popen, site: Path) -> None:
    output, _ = process.communicate()
    if process.returncode != 0:
        raise SearchIndexError(
            f"Pagefind failed (exit {process.returncode}) on {site}:\n{output}"
        )


def _move_bundle(source: Path, bundle: Path, entry: dict) -> tuple[list[str], dict]:
    """Move one language's bundle into `bundle` and merge its entry into `entry`.

    Returns its files and its own entry.
    """
    try:
        part = json.loads((source / "pagefind-entry.json").read_bytes())
        part["languages"].items()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        _incomplete(source / "pagefind-entry.json", error)  # a full disk, say
    if set(part["languages"]) & set(entry.get("languages", {})):
        raise SearchIndexError(
            f"Pagefind gave two groups of pages the language(s) "
            f"{sorted(set(part['languages']) & set(entry['languages']))}: check "
            "the lang attribute of <html> in the templates"
        )
    _merge_entry(entry, part)
    names = []
    for path in sorted(source.rglob("*")):
        name = path.relative_to(source).as_posix()
        if not path.is_file() or name == "pagefind-entry.json":
            continue
        target = bundle / name
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)  # the scripts are the same in every run: last one wins
        names.append(name)
    return names, part


def _merge_entry(entry: dict, part: dict) -> None:
    languages = {**entry.get("languages", {}), **part["languages"]}
    entry.update(part)
    entry["languages"] = languages


def _keep(bundle: Path, names: list[str], entry: dict, kept: Path) -> None:
    """Link one language's part of the bundle into the cache, for the next build."""
    part = kept.with_name(f".{kept.name}-{os.getpid()}")
    try:
        shutil.rmtree(part, ignore_errors=True)
        for name in names:
            (part / name).parent.mkdir(parents=True, exist_ok=True)
            os.link(bundle / name, part / name)
        (part / "pagefind-entry.json").write_text(json.dumps(entry), encoding="utf-8")
        shutil.rmtree(kept, ignore_errors=True)
        part.replace(kept)
    except OSError as error:  # the index is made; only the next build is slower
        LOG.info("%s cannot keep the index of %s (%s)", LOG_PREFIX, kept.name, error)
        shutil.rmtree(part, ignore_errors=True)


def _take(kept: Path, bundle: Path, entry: dict) -> bool:
    """Link a language's part from the cache into `bundle`; False if it is not there."""
    try:
        part = json.loads((kept / "pagefind-entry.json").read_text(encoding="utf-8"))
        for name in _files_below(kept):
            if name == "pagefind-entry.json":
                continue
            target = bundle / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(kept / name, target)
    except (OSError, ValueError):
        return False
    _merge_entry(entry, part)
    return True


def _prune(cache: Path, used: set[str]) -> None:
    """Keep only the parts this build used: one per language."""
    if not cache.is_dir():
        return
    for path in cache.iterdir():
        if path.name not in used:
            shutil.rmtree(path, ignore_errors=True)


def verify_bundle(bundle: Path) -> None:
    """Every file Pagefind wrote is whole, or the build fails before `output/` changes.

    The entry file parses and names a metadata and a WebAssembly file per language;
    every compressed file decompresses to its end; every script and style has the
    size this Pagefind version writes.
    """
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
        version = entry["version"]
        needed = [
            name
            for language in entry["languages"].values()
            for name in (
                f"pagefind.{language['hash']}.pf_meta",
                f"wasm.{language['wasm']}.pagefind",
            )
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        _incomplete(bundle / "pagefind-entry.json", error)
    for name in needed:
        if not (bundle / name).is_file():
            _incomplete(bundle / name, "missing")
    for path in sorted(bundle.rglob("*")):
        if path.suffix in COMPRESSED:
            try:
                gzip.decompress(path.read_bytes())
            except (OSError, EOFError, zlib.error) as error:
                _incomplete(path, error)
    sizes = ASSET_SIZES.get(version)
    if sizes is None:
        LOG.info("%s no recorded sizes for Pagefind %s's scripts", LOG_PREFIX, version)
        return
    for name, size in sizes.items():
        if name in UNUSED_FILES:
            continue  # removed right after: no page loads it
        path = bundle / name
        actual = path.stat().st_size if path.is_file() else -1
        if actual != size:
            _incomplete(path, f"{actual} bytes instead of {size}")


def _incomplete(path: Path, reason: object) -> NoReturn:
    """Fail: on a full disk, say so as every other write does."""
    free = shutil.disk_usage(path.parent if path.parent.exists() else path.anchor).free
    if free < 1024 * 1024:
        reason = f"{os.strerror(errno.ENOSPC)} (Pagefind wrote it incomplete)"
        message = f"cannot write {path}: {reason}"
    else:
        message = f"Pagefind wrote {path} incomplete ({reason}): run the build again"
    raise SearchIndexError(message)


def _sort_entry_file(output_dir: Path) -> None:
    """Write Pagefind's entry file with sorted keys, so identical sites are identical.

    Pagefind 1.5 lists the languages in a different order from run to run; without
    this, every build would rewrite the file and every publish would upload it.
    """
    entry = output_dir / BUNDLE / "pagefind-entry.json"
    if entry.is_file():
        data = json.loads(entry.read_text(encoding="utf-8"))
        entry.write_text(
            json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
            encoding="utf-8",
        )


def _remove_unused(output_dir: Path) -> None:
    """Remove the Pagefind files no page loads (UNUSED_FILES)."""
    for name in UNUSED_FILES:
        (output_dir / BUNDLE / name).unlink(missing_ok=True)


def indexed_languages(output_dir: Path) -> dict[str, int]:
    """The number of indexed pages per language, from Pagefind's entry file."""
    entry = output_dir / BUNDLE / "pagefind-entry.json"
    if not entry.is_file():
        return {}
    data = json.loads(entry.read_text(encoding="utf-8"))
    return {
        code: language["page_count"]
        for code, language in sorted(data.get("languages", {}).items())
    }
