"""Content checks: every mistake an editor can make, found before Pelican runs.

Each problem is reported as `path:line: what is wrong — how to fix it`. The checks run
at the start of every build (as a Pelican plugin) and on their own (`invoke check`).
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals

from sitekit.languages import DEFAULT_LANG, LANGUAGE_CODES

LOG = logging.getLogger(__name__)

FILE_NAME = re.compile(r"^(?P<key>[a-z0-9][a-z0-9-]*)\.(?P<lang>[A-Za-z-]+)\.md$")
METADATA_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):\s*(?P<value>.*)$")
INTRASITE_LINK = re.compile(
    r"\{(?P<kind>filename|static|attach)\}(?P<target>[^)\s\"'>]+)"
)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M")

# Required metadata per folder of content/ (its kind of content).
REQUIRED = {
    "pages": ("title", "lang", "slug", "description"),
    "news": ("title", "lang", "slug", "description", "date"),
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one content file."""

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
        super().__init__(f"{len(problems)} problem(s) in the content:\n{listing}")


@dataclass
class ContentFile:
    """A Markdown source: its metadata (lower-case keys, with line numbers) and body."""

    path: Path
    shown_path: str  # as the editor knows it: relative to the project
    kind: str  # the folder below content/: pages, news, ...
    metadata: dict[str, tuple[str, int]] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # line number of the body's first line

    def value(self, key: str) -> str:
        """The metadata value, or '' when absent."""
        return self.metadata.get(key, ("", 0))[0]

    def line_of(self, key: str) -> int:
        """Line of the metadata key, or 1 when absent (the metadata block's start)."""
        return self.metadata.get(key, ("", 1))[1]


def read_content_file(
    path: Path, content_root: Path
) -> tuple[ContentFile, list[Problem]]:
    """Split a Markdown file into its metadata block and its body."""
    shown = path.relative_to(content_root.parent).as_posix()
    kind = path.relative_to(content_root).parts[0]
    source = ContentFile(path=path, shown_path=shown, kind=kind)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return source, [
            Problem(
                shown,
                text_line(path.read_bytes()[: error.start]),
                "the file is not UTF-8 text",
                "save it as UTF-8 in your editor",
            )
        ]
    lines = text.removeprefix("\ufeff").splitlines()
    number = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            source.body_line = number + 1
            break
        match = METADATA_LINE.match(line)
        if match is None:
            source.body_line = number
            break
        source.metadata[match["key"].lower()] = (match["value"].strip(), number)
    else:
        source.body_line = number + 1
    source.body = "\n".join(lines[source.body_line - 1 :])
    return source, []


def text_line(prefix: bytes) -> int:
    """The line number of the byte right after `prefix`."""
    return prefix.count(b"\n") + 1


def check_file(source: ContentFile, content_root: Path) -> Iterator[Problem]:
    """The problems of one file that can be seen without the other files."""
    shown = source.shown_path
    name = FILE_NAME.match(source.path.name)
    if name is None:
        yield Problem(
            shown,
            1,
            f"the file name {source.path.name!r} is not of the form <name>.<lang>.md",
            "rename it, e.g. statuut.nl.md; translations share the <name> part",
        )
    for key in REQUIRED.get(source.kind, ("title", "lang")):
        if not source.value(key):
            yield Problem(
                shown,
                1,
                f"no {key.capitalize()}",
                f"add a line `{key.capitalize()}: …` to the metadata block at the top",
            )
    lang = source.value("lang")
    if lang and lang not in LANGUAGE_CODES:
        yield Problem(
            shown,
            source.line_of("lang"),
            f"Lang {lang!r} is not a language of this site",
            f"use one of {', '.join(LANGUAGE_CODES)}",
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
    date = source.value("date")
    if date and parse_date(date) is None:
        yield Problem(
            shown,
            source.line_of("date"),
            f"Date {date!r} is not a valid date",
            "write it as YYYY-MM-DD, e.g. 2008-10-18",
        )
    yield from check_links(source, content_root)


def parse_date(value: str) -> datetime.datetime | None:
    """The date in one of the accepted formats, or None."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format)
        except ValueError:
            continue
    return None


def check_links(source: ContentFile, content_root: Path) -> Iterator[Problem]:
    """Every {filename}, {static} and {attach} link points at a file in content/."""
    for offset, line in enumerate(source.body.splitlines()):
        for match in INTRASITE_LINK.finditer(line):
            target = match["target"].split("#", 1)[0].split("?", 1)[0]
            if target.startswith("/"):
                resolved = content_root / target.lstrip("/")
            else:
                resolved = source.path.parent / target
            if not resolved.resolve().is_relative_to(content_root.resolve()):
                reason = "points outside content/"
            elif not resolved.is_file():
                reason = "points at a file that does not exist"
            else:
                continue
            yield Problem(
                source.shown_path,
                source.body_line + offset,
                f"the link {{{match['kind']}}}{match['target']} {reason}",
                "check the spelling; paths are relative to this file, "
                "or to content/ when they start with /",
            )


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


# Folders of content/ with their own format and checks (sitekit.documents).
OTHER_FORMATS = ("documents",)


def content_files(content_root: Path) -> list[Path]:
    """Every Markdown page or article below content/."""
    return sorted(
        path
        for path in content_root.rglob("*.md")
        if path.relative_to(content_root).parts[0] not in OTHER_FORMATS
    )


def check_content(content_root: Path) -> list[Problem]:
    """All problems of all content files, sorted by file and line."""
    problems: list[Problem] = []
    sources = []
    for path in content_files(content_root):
        source, read_problems = read_content_file(path, content_root)
        problems.extend(read_problems)
        if not read_problems:
            sources.append(source)
            problems.extend(check_file(source, content_root))
    problems.extend(check_duplicates(sources))
    return sorted(problems)


def check_before_build(pelican) -> None:
    """Stop the build before Pelican reads anything when the content has errors."""
    if pelican.settings["DEFAULT_LANG"] != DEFAULT_LANG:
        return  # a subsite of the same build: checked once, by the main site
    problems = check_content(Path(pelican.settings["PATH"]))
    for problem in problems:
        if problem.severity == "warning":
            LOG.info("[sitekit.content_checks] warning: %s", problem)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise ContentError(errors)


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_before_build)
