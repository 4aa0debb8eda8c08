"""Search: the Pagefind index of the built site, one index per language.

The build runner calls `index_site` on the freshly built folder, after Pelican and
before `output/` is updated, so a failed indexing leaves the last good site in place.
Pagefind reads each page's `<html lang>` and writes one index per language into
`pagefind/`: the search page of a language loads only that language's index.
Only the part of a page marked `data-pagefind-body` (the main content; not the
navigation, the footer, the search page or the site map) is indexed.
"""

from __future__ import annotations

import errno
import gzip
import json
import logging
import os
import shutil
import subprocess
import zlib
from pathlib import Path
from typing import NoReturn

from pagefind_bin import get_executable

from sitekit.errors import SiteError

LOG = logging.getLogger(__name__)
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


def index_site(output_dir: Path, settings: dict) -> None:
    """Write the Pagefind bundle (index per language and search UI) into `output_dir`.

    `settings` are the main site's Pelican settings; a site with no SEARCH_PAGE
    setting has no search, and nothing is indexed. SEARCH_INDEX = False leaves the
    index out of a build that has a search page (the benchmark compares Pelican
    builds without it).
    """
    if not settings.get("SEARCH_PAGE"):
        LOG.debug("%s no SEARCH_PAGE setting: no search index", LOG_PREFIX)
        return
    if not settings.get("SEARCH_INDEX", True):
        LOG.debug("%s SEARCH_INDEX = False: no search index", LOG_PREFIX)
        return
    command = [
        str(get_executable()),  # the binary in the pinned PyPI package pagefind-bin
        "--site",
        str(output_dir),
        "--output-subdir",
        BUNDLE,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(
            f"Pagefind failed (exit {result.returncode}) on {output_dir}:\n"
            f"{result.stdout}{result.stderr}"
        )
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
