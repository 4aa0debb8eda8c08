"""Content checks: every mistake an editor can make, found before Pelican runs.

Each problem is reported as `path:line: what is wrong — how to fix it`. The checks run
at the start of every build (as a Pelican plugin: errors stop it) and on their own:

    python -m sitekit.content_checks [--settings pelicanconf.py] [--content DIR]

(`invoke check`), which lists errors and warnings grouped by file and exits non-zero
when there is an error. The checks are a list of functions (`CHECKERS`), each taking a
`Project` and returning problems, so another kind of content adds its own.

Settings (optional, validated): `CONTENT_CHECKS = {"max_file_kb": 100}`.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import hashlib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from pelican import signals

from sitekit.languages import DEFAULT_LANG, LANGUAGE_CODES

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.content_checks]"
ROOT = Path(__file__).resolve().parent.parent

# Every metadata key a content file may use, as editors write it. Other parts of the
# site that read more keys add them here; anything else is reported as a likely typo.
KNOWN_METADATA: list[str] = [
    "Title",
    "Lang",
    "Slug",
    "Description",
    "Date",
    "Modified",
    "Order",
    "Menu_title",
    "Sources",
    "Template",
    "Save_as",
    "URL",
    "Status",
    "Category",
    "Tags",
    "Summary",
    "Translated_from",  # translation status: see sitekit/translations.py
]
# Folders below content/ that hold no `<key>.<lang>.md` files, or have their own checks.
SKIPPED_FOLDERS: list[str] = ["extra", "documents"]
# Required metadata per folder of content/ (its kind of content).
REQUIRED = {
    "pages": ("title", "lang", "slug", "description"),
    "news": ("title", "lang", "slug", "description", "date"),
}
DEFAULT_SETTINGS = {"max_file_kb": 100}  # real pages are 1-10 KB
STATUSES = ("published", "draft", "hidden")

FILE_NAME = re.compile(r"^(?P<key>[a-z0-9][a-z0-9-]*)\.(?P<lang>[A-Za-z-]+)\.md$")
# The rules of Python-Markdown's meta extension, which Pelican uses to read metadata.
METADATA_LINE = re.compile(r"^ {0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
METADATA_MORE = re.compile(r"^ {4,}(?P<value>.*)$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M")
DAY_MONTH_YEAR = re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})$")
TRANSLATED_FROM = re.compile(r"^(?P<lang>[a-z]{2}) (?P<version>[0-9a-f]{12})$")
TODO = re.compile(r"\bTODO\b")
TODO_MARK = "TODO"
# Images, links and raw HTML all need one of these characters.
MARKUP_CHARACTER = re.compile(r"[<\[\]=:]")

# Markdown constructs, matched line by line outside code.
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+).+?\1")
ATX_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:\s+|$)")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?P<mark>=+|-+)\s*$")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\s*[(\[]")
LINK_TARGET = re.compile(
    r"\]\(\s*<?(?P<inline>[^)\s>]+)"  # [text](target) and ![alt](target)
    r"|^ {0,3}\[(?!\^)[^\]]+\]:\s*<?(?P<reference>\S+?)>?(?:\s|$)"  # [ref]: target
    r"|<(?P<auto>[a-z]+:[^>\s]+)>"  # <https://…>
    r"|\b(?:href|src)\s*=\s*[\"']?(?P<attribute>[^\"'\s>]+)"  # raw HTML
)
EXTERNAL_IMAGE = re.compile(
    r"(?:!\[[^\]]*\]\(\s*<?|<img\b[^>]*\ssrc\s*=\s*[\"']?)(?P<url>(?:https?:)?//[^)\s\"'>]+)",
    re.IGNORECASE,
)
INTRASITE = re.compile(r"^\{(?P<kind>filename|static|attach)\}(?P<target>.*)$")
# Raw HTML the site's Content-Security-Policy blocks, or that would load another site.
RAW_HTML = (
    (
        re.compile(r"<script\b", re.IGNORECASE),
        "a <script> element: the Content-Security-Policy blocks scripts in content",
        "remove it; scripts belong in the theme (ask a developer)",
    ),
    (
        re.compile(r"<style\b", re.IGNORECASE),
        "a <style> element: the Content-Security-Policy blocks styles in content",
        "remove it; the look of a page comes from the theme's CSS",
    ),
    (
        re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
        "a style= attribute: the Content-Security-Policy blocks inline styles",
        "remove the attribute; the look of a page comes from the theme's CSS",
    ),
    (
        re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
        "an on…= event attribute: the Content-Security-Policy blocks inline scripts",
        "remove the attribute",
    ),
    (
        re.compile(r"javascript:", re.IGNORECASE),
        "a javascript: link: the Content-Security-Policy blocks it",
        "link to a page instead",
    ),
    (
        re.compile(r"<(?:iframe|object|embed)\b", re.IGNORECASE),
        "an embedded frame or object: it would load another site, which the "
        "Content-Security-Policy blocks and which would tell that site who visits",
        "link to the other site instead",
    ),
    (
        re.compile(r"<img\b(?![^>]*\balt\s*=)[^>]*>", re.IGNORECASE),
        "an <img> without an alt attribute",
        'add alt="what the image shows" for visitors who cannot see it',
    ),
)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        hint = f" — {self.hint}" if self.hint else ""
        return f"{self.path}:{self.line}: {self.message}{hint}"


class ContentError(Exception):
    """The content has errors; `problems` lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listing = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(
            f"{len(problems)} problem(s) found by the checks (`invoke check` lists "
            f"them):\n{listing}"
        )


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


@dataclass
class Project:
    """What the checks look at: the content folder, the theme and the settings."""

    content: Path
    theme: Path | None = None
    markdown: dict = field(default_factory=dict)  # Pelican's MARKDOWN setting
    max_file_kb: int = DEFAULT_SETTINGS["max_file_kb"]
    documents: dict = field(default_factory=dict)  # the DOCUMENTS setting
    _ids: dict[Path, set[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def sources(self) -> tuple[list[ContentFile], list[Problem]]:
        """Every readable Markdown source, and the problems met reading them."""
        sources, problems = [], []
        for path in content_files(self.content):
            source, read_problems = read_content_file(
                path, self.content, self.max_file_kb * 1024
            )
            problems.extend(read_problems)
            if not read_problems:
                sources.append(source)
        return sources, problems

    @cached_property
    def renderer(self):
        """Python-Markdown configured like the build, to know the ids it gives."""
        import markdown

        config = self.markdown or {
            "extension_configs": {
                "markdown.extensions.extra": {},
                "markdown.extensions.toc": {},
            }
        }
        extensions = config.get("extension_configs", {})
        return markdown.Markdown(
            extensions=list(extensions),
            extension_configs=extensions,
            output_format=config.get("output_format", "html5"),
        )

    def ids_of(self, source: ContentFile) -> set[str]:
        """Every id in the rendered body: headings (toc), {#id} and footnotes."""
        if source.path not in self._ids:
            html = self.renderer.reset().convert(source.body)
            self._ids[source.path] = set(re.findall(r'\sid="([^"]+)"', html))
        return self._ids[source.path]


def checks_settings(settings: dict) -> dict:
    """The plugin's settings dict, validated, with defaults filled in."""
    given = settings.get("CONTENT_CHECKS") or {}
    unknown = set(given) - set(DEFAULT_SETTINGS)
    if unknown:
        raise ValueError(
            f"{LOG_PREFIX} CONTENT_CHECKS has unknown key(s) {sorted(unknown)}; "
            f"known: {sorted(DEFAULT_SETTINGS)}"
        )
    merged = {**DEFAULT_SETTINGS, **given}
    if not isinstance(merged["max_file_kb"], int) or merged["max_file_kb"] <= 0:
        raise ValueError(
            f"{LOG_PREFIX} CONTENT_CHECKS['max_file_kb'] must be a positive integer"
        )
    return merged


def project_from_settings(settings: dict) -> Project:
    """The project described by Pelican settings."""
    return Project(
        content=Path(settings["PATH"]),
        theme=Path(settings["THEME"]) if settings.get("THEME") else None,
        markdown=settings.get("MARKDOWN") or {},
        max_file_kb=checks_settings(settings)["max_file_kb"],
        documents=settings.get("DOCUMENTS") or {},
    )


# --- Reading ----------------------------------------------------------------------


def read_content_file(
    path: Path,
    content_root: Path,
    max_bytes: int = DEFAULT_SETTINGS["max_file_kb"] << 10,
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


# --- Checks of one file -------------------------------------------------------------


def check_symlinks(project: Project) -> Iterator[Problem]:
    """No symlink below content/ may lead outside it: its target would be published."""
    root = project.content
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in files + folders:
            path = Path(folder) / name
            if not path.is_symlink():
                continue
            target = path.readlink()
            if not path.exists():
                reason = "is a symbolic link to something that does not exist"
            elif not inside(path, root):
                reason = "is a symbolic link to a file outside content/ (it would be "
                reason += "published)"
            else:
                continue
            yield Problem(
                shown_path(path, root.parent),
                1,
                f"{reason}: {target}",
                "replace the link by a copy of the file, or remove it",
            )


def check_file(source: ContentFile, project: Project) -> Iterator[Problem]:
    """The problems of one file that can be seen without the other files."""
    yield from check_metadata(source)
    yield from check_body(source, project)


def check_metadata(source: ContentFile) -> Iterator[Problem]:
    """File name, required and known keys, and each value's form."""
    shown = source.shown_path
    name = FILE_NAME.match(source.path.name)
    if name is None:
        yield Problem(
            shown,
            1,
            f"the file name {source.path.name!r} is not of the form <name>.<lang>.md",
            "rename it, e.g. statuut.nl.md; translations share the <name> part",
        )
    if source.kind not in REQUIRED:
        yield Problem(
            shown,
            1,
            "this file is not in a folder of the site, so it is not published",
            f"move it into {' or '.join(f'content/{kind}/' for kind in REQUIRED)}",
            "warning",
        )
    for key in REQUIRED.get(source.kind, ("title", "lang")):
        if not source.value(key):
            yield Problem(
                shown,
                1,
                f"no {key.capitalize()}",
                f"add a line `{key.capitalize()}: …` to the metadata block at the top",
            )
    known = {key.lower(): key for key in KNOWN_METADATA}
    for key, written in source.written_keys.items():
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            hint = (
                f"did you mean {known[close[0]]}?"
                if close
                else "if this line is text, put a blank line before it; known keys: "
                + ", ".join(KNOWN_METADATA)
            )
            yield Problem(
                shown,
                source.line_of(key),
                f"unknown metadata key {written!r}",
                hint,
                "warning",
            )
    lang = source.value("lang")
    if lang and lang not in LANGUAGE_CODES:
        guess = lang.lower().split("-")[0].split("_")[0]
        yield Problem(
            shown,
            source.line_of("lang"),
            f"Lang {lang!r} is not a language of this site",
            f"write `Lang: {guess}`"
            if guess in LANGUAGE_CODES
            else f"use one of {', '.join(LANGUAGE_CODES)}",
        )
    elif lang and name and name["lang"] != lang:
        yield Problem(
            shown,
            source.line_of("lang"),
            f"Lang is {lang!r} but the file name says {name['lang']!r}",
            "make the file name end in .<Lang>.md",
        )
    slug = source.value("slug")
    if slug and not SLUG.match(slug):
        yield Problem(
            shown,
            source.line_of("slug"),
            f"Slug {slug!r} is not lower-case letters, digits and single hyphens",
            "write it like wat-is-mensenhandel",
        )
    for key in ("date", "modified"):
        value = source.value(key)
        if value and parse_date(value) is None:
            yield Problem(
                shown,
                source.line_of(key),
                f"{key.capitalize()} {value!r} is not a valid date{date_reason(value)}",
                "write it as YYYY-MM-DD, e.g. 2008-10-18",
            )
    status = source.value("status")
    if status and status.lower() not in STATUSES:
        yield Problem(
            shown,
            source.line_of("status"),
            f"Status {status!r} is not known",
            f"use one of {', '.join(STATUSES)} (draft: not published)",
        )
    order = source.value("order")
    if order and not order.isdigit():
        yield Problem(
            shown,
            source.line_of("order"),
            f"Order {order!r} is not a whole number",
            "write the position in the menu, e.g. `Order: 3`",
        )
    yield from check_translated_from(source)
    for key, (value, line) in source.metadata.items():
        if TODO.search(value):
            yield todo_problem(source, line, source.written_keys.get(key, key))


def todo_problem(source: ContentFile, line: int, where: str) -> Problem:
    """A TODO left by `invoke new`: fine in a draft, never on the site."""
    if source.is_draft:
        return Problem(
            source.shown_path,
            line,
            f"TODO in {where}: not written yet (the file is a draft, so not published)",
            "write it, then remove the TODO and the line `Status: draft`",
            "warning",
        )
    return Problem(
        source.shown_path,
        line,
        f"TODO in {where}: this placeholder would be published",
        "write the text, or add `Status: draft` to keep the file off the site",
    )


def check_translated_from(source: ContentFile) -> Iterator[Problem]:
    """`Translated_from: nl <version>` names an existing source in another language."""
    value = source.value("translated_from")
    own_lang = source.value("lang")
    original = source.path.with_name(f"{source.key}.{DEFAULT_LANG}.md")
    if not value:
        if own_lang and original.is_file() and original != source.path:
            yield Problem(
                source.shown_path,
                1,
                "no Translated_from line, so `invoke translations` cannot tell "
                f"whether this translation follows the current {DEFAULT_LANG} text",
                "compare it with that text, then run `invoke translations --done "
                f"{source.shown_path}`",
                "warning",
            )
        return
    match = TRANSLATED_FROM.match(value)
    line = source.line_of("translated_from")
    if match is None:
        yield Problem(
            source.shown_path,
            line,
            f"Translated_from {value!r} is not `<lang> <12-character version>`",
            f"run `invoke translations --done {source.shown_path}` to set it",
        )
        return
    from_file = source.path.with_name(f"{source.key}.{match['lang']}.md")
    if match["lang"] == own_lang or not from_file.is_file():
        yield Problem(
            source.shown_path,
            line,
            f"Translated_from names {from_file.name}, which does not exist",
            "name the language this file was translated from, e.g. "
            f"`Translated_from: {DEFAULT_LANG} …`",
        )


def parse_date(value: str) -> datetime.datetime | None:
    """The date in one of the accepted formats, or None."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format)
        except ValueError:
            continue
    return None


def date_reason(value: str) -> str:
    """Why `value` is not a date, said plainly (a colon and a reason), or ''."""
    match = DAY_MONTH_YEAR.match(value)
    if match is None:
        return ""
    day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
    try:
        datetime.date(year, month, day)
    except ValueError as error:
        return f": it reads as day {day}, month {month}, year {year}, and {error}"
    return ": it is written day/month/year"


def prose_lines(source: ContentFile) -> Iterator[tuple[int, str]]:
    """(line number, text) of every body line outside code, code spans blanked."""
    fence = ""
    for offset, line in enumerate(source.body.splitlines()):
        match = FENCE.match(line)
        if fence:
            if match and match["fence"].startswith(fence):
                fence = ""
            continue
        if match:
            fence = match["fence"]
            continue
        yield source.body_line + offset, CODE_SPAN.sub("``", line)


def check_body(source: ContentFile, project: Project) -> Iterator[Problem]:
    """Headings, images, raw HTML, links and TODOs in the text."""
    shown = source.shown_path
    level = 1  # the page's Title is its h1
    previous = ""
    for number, line in prose_lines(source):
        heading = ATX_HEADING.match(line)
        setext = SETEXT_UNDERLINE.match(line)
        new_level = 0
        if heading:
            new_level = len(heading["hashes"])
        elif (
            setext
            and previous.strip()
            and not previous.lstrip().startswith(("-", "*", "+", "|", "#"))
        ):
            new_level = 1 if setext["mark"][0] == "=" else 2
        if new_level == 1:
            yield Problem(
                shown,
                number,
                "a level-1 heading in the text: the Title is already the page's "
                "heading (h1)",
                "start the text's headings at ## (level 2)",
            )
        elif new_level > level + 1:
            yield Problem(
                shown,
                number,
                f"the heading jumps from level {level} to level {new_level}",
                f"use {'#' * (level + 1)} here; screen-reader users navigate by "
                "heading levels",
            )
        if new_level:
            level = new_level
        previous = line
        if TODO_MARK in line and TODO.search(line):
            yield todo_problem(source, number, "the text")
        # Every check below looks for one of these characters: plain prose is
        # skipped at once (checks run before every build, on every file).
        if not MARKUP_CHARACTER.search(line):
            continue
        for image in IMAGE.finditer(line):
            if not image["alt"].strip():
                yield Problem(
                    shown,
                    number,
                    "an image without alt text",
                    "describe what it shows between the brackets: "
                    "![what the image shows](…)",
                )
        for pattern, message, hint in RAW_HTML:
            if pattern.search(line):
                yield Problem(shown, number, message, hint)
        for link in LINK_TARGET.finditer(line):
            target = next(group for group in link.groups() if group)
            yield from check_link(source, project, number, target)
        for image in EXTERNAL_IMAGE.finditer(line):
            yield Problem(
                shown,
                number,
                f"an image loaded from another site: {image['url']}",
                "the Content-Security-Policy blocks it, and visitors' browsers would "
                "contact that site; put the file in content/extra/ and link it with "
                "{static}",
            )


def check_link(
    source: ContentFile, project: Project, number: int, target: str
) -> Iterator[Problem]:
    """One link target: inside the site it must exist; outside it must be https."""
    shown = source.shown_path
    lowered = target.lower()
    if lowered.startswith("http://"):
        yield Problem(
            shown,
            number,
            f"the link {target} is not encrypted (http)",
            f"use https://{target[7:]}; if that site has no https version, "
            "do not link it",
        )
        return
    if lowered.startswith(("https://", "mailto:", "tel:")):
        return
    intrasite = INTRASITE.match(target)
    if target.startswith("#"):
        yield from check_anchor(source, project, number, target, source)
        return
    if intrasite is None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", lowered):
            return  # another scheme: not ours to judge
        yield Problem(
            shown,
            number,
            f"the link {target} points at a URL of this site",
            "link the source file instead, e.g. ({filename}statuut.nl.md): "
            "that link follows when a slug changes",
            "warning",
        )
        return
    path_part, _, anchor = intrasite["target"].partition("#")
    path_part = path_part.split("?", 1)[0]
    if path_part.startswith("/"):
        resolved = project.content / path_part.lstrip("/")
    else:
        resolved = source.path.parent / path_part
    if not inside(resolved, project.content):
        reason = "points outside content/"
    elif not resolved.is_file():
        reason = "points at a file that does not exist"
    else:
        own, linked_name = source.value("lang"), FILE_NAME.match(resolved.name)
        if linked_name and own and linked_name["lang"] != own:
            # Each language's pages are built apart: a page links its own language.
            yield Problem(
                shown,
                number,
                f"the link {target} goes to the {linked_name['lang']!r} version of a "
                f"page, from a {own!r} page",
                f"link {linked_name['key']}.{own}.md; the language switcher leads "
                "to the other languages",
            )
            return
        if anchor and intrasite["kind"] == "filename" and resolved.suffix == ".md":
            linked, problems = read_content_file(resolved, project.content)
            if not problems:
                yield from check_anchor(source, project, number, target, linked)
        return
    yield Problem(
        shown,
        number,
        f"the link {target} {reason}",
        "check the spelling; paths are relative to this file, "
        "or to content/ when they start with /",
    )


def check_anchor(
    source: ContentFile,
    project: Project,
    number: int,
    target: str,
    linked: ContentFile,
) -> Iterator[Problem]:
    """The `#anchor` of a link is the id of a heading (or {#id}) in the linked page."""
    anchor = target.rpartition("#")[2]
    ids = project.ids_of(linked)
    if anchor in ids:
        return
    close = difflib.get_close_matches(anchor, sorted(ids), n=1)
    where = "this page" if linked is source else linked.path.name
    yield Problem(
        source.shown_path,
        number,
        f"the link {target} goes to #{anchor}, which is not a heading of {where}",
        f"did you mean #{close[0]}?"
        if close
        else "headings get their id from their text: '## Voorwaarden' is #voorwaarden",
    )


# --- Checks across files ------------------------------------------------------------


def check_duplicates(sources: Iterable[ContentFile]) -> Iterator[Problem]:
    """Two files of one kind may not share a slug in one language: one would vanish."""
    seen: dict[tuple[str, str, str], ContentFile] = {}
    for source in sources:
        key = (source.kind, source.value("lang"), source.value("slug"))
        if not key[1] or not key[2]:
            continue
        if key in seen:
            yield Problem(
                source.shown_path,
                source.line_of("slug"),
                f"Slug {key[2]!r} in language {key[1]!r} is also used by "
                f"{seen[key].shown_path}",
                "give one of them another Slug",
            )
        else:
            seen[key] = source


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


# --- Running -----------------------------------------------------------------------


def check_content(project: Project | Path) -> list[Problem]:
    """All problems of the content/*/*.md files, sorted by file and line."""
    if isinstance(project, Path):
        project = Project(content=project)
    sources, problems = project.sources
    problems = list(problems)
    for source in sources:
        problems.extend(check_file(source, project))
    problems.extend(check_duplicates(sources))
    problems.extend(check_symlinks(project))
    return sorted(problems)


def check_templates(project: Project) -> list[Problem]:
    """Every theme template parses: a syntax error names its file and line."""
    if project.theme is None or not (project.theme / "templates").is_dir():
        return []
    from jinja2 import Environment, TemplateSyntaxError

    environment = Environment(extensions=["jinja2.ext.i18n"])
    problems = []
    for path in sorted((project.theme / "templates").rglob("*.html")):
        try:
            environment.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except TemplateSyntaxError as error:
            problems.append(
                Problem(
                    shown_path(path, project.theme.parent),
                    error.lineno,
                    f"template syntax error: {error.message}",
                    "fix the {% … %} or {{ … }} on this line; each {% if %}, "
                    "{% for %} and {% block %} needs its {% end… %}",
                )
            )
    return problems


# Each checker takes the project and returns its problems; `invoke check` and the build
# run them all. Append a function to check another kind of content.
def check_document_entries(project: Project) -> list[Problem]:
    """The documentation index's entries, as the documents plugin checks them."""
    # Imported here: sitekit.documents builds on this module.
    from sitekit.documents import check_documents, read_config

    return check_documents(project.content, read_config(project.documents))


CHECKERS: list[Callable[[Project], Iterable[Problem]]] = [
    check_content,
    check_templates,
    check_document_entries,
]


def run_checks(project: Project) -> list[Problem]:
    """The problems every checker finds, sorted by file and line."""
    return sorted(problem for checker in CHECKERS for problem in checker(project))


def report(problems: list[Problem], checked: str) -> str:
    """Errors then warnings, each grouped by file, and a one-line summary."""
    out = []
    for severity, title in (("error", "Errors"), ("warning", "Warnings")):
        chosen = [p for p in problems if p.severity == severity]
        if not chosen:
            continue
        out.append(f"{title} ({len(chosen)}):")
        current = None
        for problem in chosen:
            if problem.path != current:
                out.append("")
                current = problem.path
            out.append(str(problem))
        out.append("")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    if not problems:
        out.append(f"Checked {checked}: no problems.")
    elif errors:
        out.append(
            f"{errors} error(s) and {warnings} warning(s) in {files} file(s). The site "
            "will not build until the errors are fixed."
        )
    else:
        out.append(f"No errors; {warnings} warning(s) in {files} file(s).")
    return "\n".join(out)


def check_before_build(pelican) -> None:
    """Stop the build before Pelican reads anything when the content has errors."""
    if pelican.settings["DEFAULT_LANG"] != DEFAULT_LANG:
        return  # a subsite of the same build: checked once, by the main site
    problems = run_checks(project_from_settings(pelican.settings))
    for problem in problems:
        if problem.severity == "warning":
            # INFO: warnings must not fail the build; `invoke check` lists them.
            LOG.info("%s warning: %s", LOG_PREFIX, problem)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise ContentError(errors)


def let_drafts_build(generator) -> None:
    """Give draft news items the `category` Pelican 4.12's generate_drafts reads.

    With CATEGORY_SAVE_AS = "" Pelican assigns no default category, and a draft
    without one crashes the build (upstream PR pelican#3600). Drafts are not written
    (DRAFT_SAVE_AS = ""), and the stubs of `invoke new --translations` are drafts that
    must build: they get DEFAULT_CATEGORY, as Pelican would give them.
    """
    from pelican.urlwrappers import Category

    for draft in [*generator.drafts, *generator.drafts_translations]:
        if not hasattr(draft, "category"):
            draft.category = Category(
                generator.settings["DEFAULT_CATEGORY"], generator.settings
            )


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_before_build)
    signals.article_generator_finalized.connect(let_drafts_build)


def main(argv: list[str] | None = None) -> int:
    """`invoke check`: list every problem; exit 1 when there is an error."""
    parser = argparse.ArgumentParser(
        prog="python -m sitekit.content_checks",
        description="Check the content (and theme templates) before a build.",
    )
    parser.add_argument("--settings", type=Path, default=ROOT / "pelicanconf.py")
    parser.add_argument("--content", type=Path, help="another content folder")
    parser.add_argument("--theme", type=Path, help="another theme folder")
    args = parser.parse_args(argv)

    from pelican.settings import read_settings

    project_dir = str(args.settings.resolve().parent)
    if project_dir not in sys.path:
        sys.path.insert(0, project_dir)  # settings files import sitekit
    override = {}
    if args.content:
        override["PATH"] = str(args.content.resolve())
    if args.theme:
        override["THEME"] = str(args.theme.resolve())
    try:
        project = project_from_settings(read_settings(str(args.settings), override))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if not project.content.is_dir():
        print(f"{project.content}: no such content folder", file=sys.stderr)
        return 2
    problems = run_checks(project)
    count = len(project.sources[0]) + len(project.sources[1])
    text = report(problems, f"{count} content file(s) and the theme's templates")
    errors = any(problem.severity == "error" for problem in problems)
    print(text, file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
