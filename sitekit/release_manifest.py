"""A release: a built site and, beside it, the manifest that says what it is.

Ground floor: the build writes the manifest (sitekit.builder.release) and publishing
reads and checks it (sitekit.publish), and publishing may not import the builder.

    .output.releases/<id>/site/          the site's files
    .output.releases/<id>/release.json   this module's manifest
    output -> .output.releases/<id>/site a symlink, switched atomically per build

The manifest names the kind of build (preview or production), its SITEURL, the
source commit when known, each language with its page count, and every file's
size and SHA-256. Publishing refuses a release whose files differ from it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitekit.errors import SiteError
from sitekit.languages import DEFAULT_LANG, LANGUAGE_CODES

MANIFEST_NAME = "release.json"
FORMAT = 1
PRODUCTION, PREVIEW = "production", "preview"


class ReleaseError(SiteError):
    """A release is missing, damaged or not what it claims; the message says why."""


@dataclass(frozen=True)
class FileEntry:
    """One file of a release: size in bytes and SHA-256 (hex)."""

    size: int
    sha256: str


@dataclass
class Release:
    """What a manifest says about a built site."""

    kind: str
    siteurl: str
    commit: str
    languages: dict[str, int]  # language code → HTML pages
    files: dict[str, FileEntry] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The manifest document."""
        return {
            "format": FORMAT,
            "kind": self.kind,
            "siteurl": self.siteurl,
            "commit": self.commit,
            "languages": self.languages,
            "files": {
                key: [entry.size, entry.sha256]
                for key, entry in sorted(self.files.items())
            },
        }


def manifest_path(site: Path) -> Path:
    """The manifest of the site folder `site` (through the `output` symlink)."""
    return site.resolve().parent / MANIFEST_NAME


def build_lock_path(output: Path) -> Path:
    """The lock file builds of `output` take turns through (publishing takes it too)."""
    output = output.absolute()
    return output.parent / f".{output.name}.lock"


def language_of(key: str) -> str:
    """The language of a file key: 'fr/…' is French, anything else the default."""
    first = key.split("/", 1)[0]
    return first if "/" in key and first in LANGUAGE_CODES else DEFAULT_LANG


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def walk_files(site: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file below `site` as (key, path), folder by folder, sorted.

    Raises ReleaseError on a symlink or a name that is not valid UTF-8: a release
    holds only its own files, under names every store and browser can read.
    (os.scandir: the kind of each entry comes with the listing, no stat per file.)
    """
    folders = [(site, "")]
    while folders:
        folder, prefix = folders.pop(0)
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        below = []
        for entry in entries:
            key = prefix + entry.name
            try:
                key.encode("utf-8")
            except UnicodeEncodeError:
                shown = key.encode("utf-8", "surrogateescape").decode(
                    "utf-8", "replace"
                )
                raise ReleaseError(
                    f"{site}: the name {shown!r} is not valid UTF-8; rename the "
                    "source file it comes from, then build again"
                ) from None
            path = Path(entry.path)
            if entry.is_symlink():
                raise ReleaseError(
                    f"{path} is a symbolic link (to {path.readlink()}): a release "
                    "holds only its own files. Remove the link, then build again."
                )
            if entry.is_dir():
                below.append((path, key + "/"))
            elif entry.is_file():
                yield key, path
            else:
                raise ReleaseError(f"{path} is not a regular file: remove it")
        folders[:0] = below  # depth first, as os.walk goes


def count_pages(keys: Iterable[str], languages: Iterable[str] = ()) -> dict[str, int]:
    """HTML pages per language: the languages given, and every one with a page."""
    pages = dict.fromkeys(languages, 0)
    for key in keys:
        if key.endswith(".html"):
            language = language_of(key)
            pages[language] = pages.get(language, 0) + 1
    return {code: pages[code] for code in LANGUAGE_CODES if code in pages}


def home_page(code: str) -> str:
    """The key of a language's home page."""
    return "index.html" if code == DEFAULT_LANG else f"{code}/index.html"


def describe(
    site: Path,
    kind: str,
    siteurl: str,
    commit: str,
    languages: Iterable[str] = (),
    known: dict[str, FileEntry] | None = None,
    files: list[tuple[str, Path]] | None = None,
) -> Release:
    """Hash every file of `site` into a Release; `languages`: those the site has.

    `known`: entries already hashed (files linked from the previous release);
    `files`: walk_files(site), when the caller has it.
    """
    known = known or {}
    entries = {
        key: known.get(key) or FileEntry(path.stat().st_size, sha256_of(path))
        for key, path in (walk_files(site) if files is None else files)
    }
    return Release(kind, siteurl, commit, count_pages(entries, languages), entries)


def write(site: Path, release: Release) -> Path:
    """Write the manifest beside `site` (atomically); return its path."""
    target = site.parent / MANIFEST_NAME
    temporary = target.with_name(f".{MANIFEST_NAME}.{os.getpid()}")
    temporary.write_text(json.dumps(release.as_json(), indent=1), encoding="utf-8")
    temporary.replace(target)
    return target


def read(site: Path) -> Release:
    """Read the manifest of the site folder `site`; ReleaseError says what is wrong."""
    path = manifest_path(site)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReleaseError(
            f"{site} is not a release: it has no {MANIFEST_NAME} beside it. Build it "
            "with `invoke build-production` (which writes one), then publish again."
        ) from None
    except (OSError, ValueError) as error:
        raise ReleaseError(f"{path} cannot be read ({error}): build again") from error
    try:
        if document["format"] != FORMAT:
            raise ValueError(f"format {document['format']!r}, expected {FORMAT}")
        files = {
            str(key): FileEntry(int(size), str(digest))
            for key, (size, digest) in document["files"].items()
        }
        return Release(
            str(document["kind"]),
            str(document["siteurl"]),
            str(document.get("commit") or ""),
            {str(k): int(v) for k, v in document["languages"].items()},
            files,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ReleaseError(
            f"{path} is not a manifest this version can read ({error}): build again"
        ) from error


def differences(release: Release, found: dict[str, FileEntry]) -> list[str]:
    """Every file that is missing, extra or different from the manifest."""
    problems = [f"{key}: missing" for key in sorted(set(release.files) - set(found))]
    problems += [
        f"{key}: not in the manifest" for key in sorted(set(found) - set(release.files))
    ]
    for key in sorted(set(found) & set(release.files)):
        if found[key] != release.files[key]:
            problems.append(f"{key}: differs from the manifest")
    return problems


def verify(site: Path) -> Release:
    """Read the manifest of `site` and check every file against it.

    Raises ReleaseError naming the files that are missing, extra or changed.
    """
    release = read(site)
    found = describe(site.resolve(), release.kind, release.siteurl, "").files
    problems = differences(release, found)
    if problems:
        shown = "; ".join(problems[:10]) + ("; …" if len(problems) > 10 else "")
        raise ReleaseError(
            f"{site} is not the release its manifest describes ({len(problems)} "
            f"file(s): {shown}). Build it again."
        )
    return release
