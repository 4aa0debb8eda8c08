"""Reading a content source: a Markdown file's metadata (with line numbers) and body.

Everything that reads `content/` goes through here: the checks, the documentation
index, the translation report and the scaffolding tool.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sitekit.errors import Problem

MAX_FILE_KB = 100  # CONTENT_CHECKS' default limit: real pages are 1-10 KB
# Folders below content/ that hold no `<key>.<lang>.md` files, or have their own checks.
SKIPPED_FOLDERS: list[str] = ["extra", "documents"]
# The rules of Python-Markdown's meta extension, which Pelican uses to read metadata.
METADATA_LINE = re.compile(r"^ {0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
METADATA_MORE = re.compile(r"^ {4,}(?P<value>.*)$")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M")


@dataclass
class ContentFile:
    """A Markdown source: its metadata (lower-case keys, with line numbers) and body."""

    path: Path
    shown_path: str  # as the editor knows it: relative to the project
    kind: str  # the folder below content/: pages, news, ...
    metadata: dict[str, tuple[str, int]] = field(default_factory=dict)
    written_keys: dict[str, str] = field(default_factory=dict)  # lower → as written
    body: str = ""
    body_line: int = 1  # line number of the body's first line

    def value(self, key: str) -> str:
        """The metadata value, or '' when absent."""
        return self.metadata.get(key, ("", 0))[0]

    def line_of(self, key: str) -> int:
        """Line of the metadata key, or 1 when absent (the metadata block's start)."""
        return self.metadata.get(key, ("", 1))[1]

    @property
    def key(self) -> str:
        """The `<key>` of `<key>.<lang>.md`: files sharing it are translations."""
        return self.path.name.split(".", 1)[0]

    @property
    def is_draft(self) -> bool:
        return self.value("status").lower() == "draft"


def read_content_file(
    path: Path,
    content_root: Path,
    max_bytes: int = MAX_FILE_KB << 10,
) -> tuple[ContentFile, list[Problem]]:
    """Split a Markdown file into its metadata block and its body."""
    shown = shown_path(path, content_root.parent)
    parts = path.relative_to(content_root).parts
    kind = parts[0] if len(parts) > 1 else ""
    source = ContentFile(path=path, shown_path=shown, kind=kind)
    size = path.stat().st_size
    if size > max_bytes:
        return source, [
            Problem(
                shown,
                1,
                f"the file is {size // 1024} KB, far larger than any page "
                f"(the limit is {max_bytes // 1024} KB)",
                "is it the right file? Images and PDFs go in content/extra/ and are "
                "linked with {static}; split a very long text into several pages",
            )
        ]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return source, [
            Problem(
                shown,
                text_line(data[: error.start]),
                f"the file is not UTF-8 text (byte {data[error.start]:#04x} at "
                f"position {error.start})",
                "open it in your editor and save it with the encoding UTF-8",
            )
        ]
    if "\x00" in text:
        return source, [
            Problem(
                shown,
                text_line(data[: data.index(b"\x00")]),
                "the file holds binary data (NUL bytes), not text",
                "is it the right file? A page is text: save it as UTF-8 Markdown; "
                "images and PDFs go in content/extra/",
            )
        ]
    if not text.strip():
        return source, [
            Problem(
                shown,
                1,
                "the file is empty",
                "write the metadata (Title:, Lang:, Slug:, Description:), a blank "
                "line and the text, or delete the file",
            )
        ]
    lines = text.removeprefix("\ufeff").splitlines()
    problems = []
    last_key = ""
    number = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            source.body_line = number + 1
            break
        more = METADATA_MORE.match(line)
        if more and last_key:
            value, first = source.metadata[last_key]
            source.metadata[last_key] = (f"{value} {more['value'].strip()}", first)
            continue
        match = METADATA_LINE.match(line)
        if match is None:
            source.body_line = number
            if source.metadata:
                problems.append(
                    Problem(
                        shown,
                        number,
                        "the metadata block is not followed by a blank line",
                        "put an empty line between the last `Key: value` line and "
                        "the text",
                    )
                )
            break
        last_key = match["key"].lower()
        if last_key in source.metadata:
            problems.append(
                Problem(
                    shown,
                    number,
                    f"{match['key']} appears twice (also on line "
                    f"{source.metadata[last_key][1]})",
                    "keep one of the two lines",
                )
            )
            continue
        source.metadata[last_key] = (match["value"].strip(), number)
        source.written_keys[last_key] = match["key"]
    else:
        source.body_line = number + 1
    source.body = "\n".join(lines[source.body_line - 1 :])
    return source, problems


def shown_path(path: Path, base: Path) -> str:
    """`path` as editors know it: relative to the project folder."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def text_line(prefix: bytes) -> int:
    """The line number of the byte right after `prefix`."""
    return prefix.count(b"\n") + 1


def head_and_body(data: bytes) -> tuple[bytes, bytes]:
    """A source's bytes up to its first empty line, and the rest.

    The metadata always ends at or before that line, so the first part holds all of
    it (and, after a line of spaces, perhaps some text: then more counts as
    metadata, never less). No empty line: it is all head.
    """
    head, blank, body = data.partition(b"\n\n")
    return (head, body) if blank else (data, b"")


def content_files(content_root: Path) -> list[Path]:
    """Every Markdown source below content/; symlinks followed while inside it."""
    found = []
    seen = set()
    for folder, folders, files in os.walk(content_root, followlinks=True):
        here = Path(folder)
        if here == content_root:
            folders[:] = [f for f in folders if f not in SKIPPED_FOLDERS]
        # A link out of content/ is reported by check_symlinks, not followed; a link
        # back to a folder already walked would loop.
        folders[:] = [
            f
            for f in folders
            if inside(here / f, content_root) and (here / f).resolve() not in seen
        ]
        seen.update((here / f).resolve() for f in folders)
        # `here` is inside content/: only a symlinked file can lead out of it.
        found.extend(
            here / name
            for name in files
            if name.endswith(".md")
            and (here / name).is_file()
            and (not (here / name).is_symlink() or inside(here / name, content_root))
        )
    return sorted(found)


def inside(path: Path, folder: Path) -> bool:
    """True when `path`, symlinks followed, is in `folder`."""
    return path.resolve().is_relative_to(_resolved(folder))


@cache
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def parse_date(value: str) -> datetime.datetime | None:
    """The date in one of the accepted formats, or None."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format)
        except ValueError:
            continue
    return None


def source_version(source: ContentFile) -> str:
    """A fingerprint of what a translation translates: the text and its metadata.

    Keys that are not translated (Order, Template, Status …) do not count, so
    changing them does not mark the translations as outdated.
    """
    translated = ("title", "description", "menu_title", "sources", "summary")
    parts = [source.value(key) for key in translated]
    body = "\n".join(line.rstrip() for line in source.body.strip().splitlines())
    digest = hashlib.sha256("\n\x00".join([*parts, body]).encode("utf-8"))
    return digest.hexdigest()[:12]
