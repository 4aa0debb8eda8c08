"""The content rules: every mistake an editor can make in a Markdown source.

Each rule is a function taking a `Project` (the content folder, theme and settings)
and yielding `Problem`s, reported as `path:line: what is wrong — how to fix it`.
`sitekit.content.check` runs them all; this module only defines them.

Settings (optional, validated): `CONTENT_CHECKS = {"max_file_kb": 100}`.
"""

from __future__ import annotations

import datetime
import difflib
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sitekit.content.html import (
    attribute_list_problems,
    link_allowed,
    raw_html_problems,
)
from sitekit.content.source import (
    MAX_FILE_KB,
    ContentFile,
    content_files,
    inside,
    parse_date,
    read_content_file,
    shown_path,
)
from sitekit.errors import Problem
from sitekit.languages import BY_CODE, DEFAULT_LANG, LANGUAGE_CODES
from sitekit.settings import Option, read_options

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
# Required metadata per folder of content/ (its kind of content).
REQUIRED = {
    "pages": ("title", "lang", "slug", "description"),
    "news": ("title", "lang", "slug", "description", "date"),
}
OPTIONS = {"max_file_kb": Option(MAX_FILE_KB, int, low=1)}  # CONTENT_CHECKS
# A title is the page's <h1>, its <title> and its search-result heading: longer than
# this it no longer fits a line of a phone or a search result (which cut at ~60).
MAX_TITLE = 120
# The folder below content/ whose files are published as they are (STATIC_PATHS).
STATIC_FOLDER = "extra"
STATUSES = ("published", "draft", "hidden")

FILE_NAME = re.compile(r"^(?P<key>[a-z0-9][a-z0-9-]*)\.(?P<lang>[A-Za-z-]+)\.md$")
ANY_FILE_NAME = re.compile(r"^(?P<key>[^.]+)\.(?P<lang>[^.]+)\.md$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
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


@dataclass
class Project:
    """What the checks look at: the content folder, the theme and the settings."""

    content: Path
    theme: Path | None = None
    markdown: dict = field(default_factory=dict)  # Pelican's MARKDOWN setting
    max_file_kb: int = MAX_FILE_KB
    documents: dict = field(default_factory=dict)  # the DOCUMENTS setting
    _ids: dict[Path, set[str]] = field(default_factory=dict, repr=False)
    # The files whose rendered ids a check read (their bodies): check.py's cache
    # keeps a file's problems only while these are unchanged.
    consulted: set[Path] = field(default_factory=set, repr=False)

    _read: dict[Path, tuple[ContentFile, list[Problem]]] = field(
        default_factory=dict, repr=False
    )

    def read(self, path: Path) -> tuple[ContentFile, list[Problem]]:
        """One source and the problems met reading it (read once)."""
        if path not in self._read:
            self._read[path] = read_content_file(
                path, self.content, self.max_file_kb * 1024
            )
        return self._read[path]

    @cached_property
    def sources(self) -> tuple[list[ContentFile], list[Problem]]:
        """Every readable Markdown source, and the problems met reading them."""
        sources, problems = [], []
        for path in content_files(self.content):
            source, read_problems = self.read(path)
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

    @cached_property
    def published(self) -> dict[str, ContentFile | None]:
        """Every URL path the build writes from a source, e.g. '/fr/statut.html'.

        The folder URLs ('/', '/fr/', '/nieuws/') map to None: no one source.
        """
        urls: dict[str, ContentFile | None] = {}
        for language in BY_CODE.values():
            prefix = "/" if language.code == DEFAULT_LANG else f"/{language.code}/"
            urls[prefix] = None
            urls[f"{prefix}{language.news_path}/"] = None
        for source in self.sources[0]:
            url = url_of(source)
            if url and not source.is_draft:
                urls.setdefault(url, source)
        return urls

    def ids_of(self, source: ContentFile) -> set[str]:
        """Every id in the rendered body: headings (toc), {#id} and footnotes."""
        self.consulted.add(source.path)
        if source.path not in self._ids:
            html = self.renderer.reset().convert(source.body)
            self._ids[source.path] = set(re.findall(r'\sid="([^"]+)"', html))
        return self._ids[source.path]


def url_of(source: ContentFile) -> str:
    """The URL path the build gives a source, as pelicanconf.py's URL settings do."""
    lang, slug = source.value("lang"), source.value("slug")
    if lang not in BY_CODE or source.kind not in REQUIRED:
        return ""
    prefix = "/" if lang == DEFAULT_LANG else f"/{lang}/"
    save_as = source.value("save_as")
    if save_as:
        return prefix + save_as.removesuffix("index.html")
    if not slug:
        return ""
    if source.kind == "news":
        return f"{prefix}{BY_CODE[lang].news_path}/{slug}.html"
    return f"{prefix}{slug}.html"


def checks_settings(settings: dict) -> dict:
    """CONTENT_CHECKS, validated, with defaults filled in."""
    return read_options(
        "CONTENT_CHECKS", settings.get("CONTENT_CHECKS"), OPTIONS, "in pelicanconf.py"
    )


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
    yield from check_raw_html(source)


def check_metadata(source: ContentFile) -> Iterator[Problem]:
    """File name, required and known keys, and each value's form."""
    shown = source.shown_path
    name = FILE_NAME.match(source.path.name)
    if name is None:
        yield file_name_problem(source)
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
            # An error: a misspelt optional key (`Oder: 2`) would silently change
            # the site (the page leaves the menu in one language only).
            yield Problem(
                shown, source.line_of(key), f"unknown metadata key {written!r}", hint
            )
    title = source.value("title")
    if len(title) > MAX_TITLE:
        yield Problem(
            shown,
            source.line_of("title"),
            f"the Title is {len(title)} characters long; the limit is {MAX_TITLE}",
            "shorten it: it is the page's heading and its name in search results; "
            "say the rest in the Description",
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
    yield from check_addresses(source)
    lang = source.value("lang")
    if source.kind == "news" and lang in BY_CODE and BY_CODE[lang].help_only:
        yield Problem(
            shown,
            source.line_of("lang"),
            f"{BY_CODE[lang].name} ({lang}) is a help-only language: it has no news",
            "publish the news item in nl, fr, de or en (sitekit/languages.py)",
        )
    for key, (value, line) in source.metadata.items():
        if TODO.search(value):
            yield todo_problem(source, line, source.written_keys.get(key, key))


# Where a page may be written: a file name, maybe in folders, in its own language's
# part of the site, never over the theme, the search index or another language.
OUTPUT_PATH = re.compile(r"^(?:[a-z0-9][a-z0-9-]*/)*[a-z0-9][a-z0-9-]*\.html$")
RESERVED_FOLDERS = {"theme", "pagefind", "documents", "feeds", "extra", ".well-known"}


def check_addresses(source: ContentFile) -> Iterator[Problem]:
    """Save_as and URL stay inside the page's own part of the site; a known Template.

    Save_as: theme/css/site.css would replace the site's style sheet on every page,
    URL: https://… would send the menu, canonical and sitemap to another site.
    """
    shown = source.shown_path
    for key in ("save_as", "url"):
        value = source.value(key)
        if not value:
            continue  # absent; an empty URL is its language's home page
        path = value.removesuffix("/") + "/index.html" if value.endswith("/") else value
        first = path.split("/", 1)[0]
        if (
            not OUTPUT_PATH.match(path)
            or first in RESERVED_FOLDERS
            or (first in BY_CODE and "/" in path)
        ):
            written = source.written_keys.get(key, key)
            yield Problem(
                shown,
                source.line_of(key),
                f"{written} {value!r} is not an address of this page's own part of "
                "the site",
                f"write a name such as `{written}: over-ons.html` (lower-case letters, "
                "digits and hyphens, ending in .html, no `..`, no other host), or "
                "leave the line out: the Slug gives the address",
            )
    template = source.value("template")
    if template and template not in TEMPLATES:
        yield Problem(
            shown,
            source.line_of("template"),
            f"Template {template!r} is not a page template of the theme",
            f"use one of {', '.join(sorted(TEMPLATES))}, or leave the line out",
        )


# The theme's page templates a content file may name (theme/templates/<name>.html);
# base, article and the listings are not pages.
TEMPLATES = frozenset(
    {"page", "home", "documents", "search", "sitemap", "error", "document_type"}
)


def file_name_problem(source: ContentFile) -> Problem:
    """Why a file name is not `<name>.<lang>.md`, naming the characters allowed."""
    name = source.path.name
    parts = ANY_FILE_NAME.match(name)
    if parts is None:
        what = f"the file name {name!r} is not of the form <name>.<lang>.md"
    else:
        wrong = sorted({c for c in parts["key"] if not re.match(r"[a-z0-9-]", c)})
        what = (
            f"the file name {name!r}: its <name> part {parts['key']!r} may only use "
            "lower-case letters a-z without accents, digits and hyphens"
            + (f" (not {' '.join(wrong)})" if wrong else ", starting with a letter")
        )
    stem = parts["key"] if parts else name.split(".", 1)[0]
    key = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", _ascii(stem))).strip("-")
    key = key or "statuut"
    lang = parts["lang"] if parts else DEFAULT_LANG
    return Problem(
        source.shown_path,
        1,
        what,
        f"rename it, e.g. {key}.{lang}.md; translations share the <name> part",
    )


def _ascii(text: str) -> str:
    """`text` in lower case with accents dropped: `Sürya` → `surya`."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.lower())
    return decomposed.encode("ascii", "ignore").decode("ascii")


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
    yield from check_translation_date(source, original)
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


def check_translation_date(source: ContentFile, original: Path) -> Iterator[Problem]:
    """A translation publishes its source's date: a stub keeps the date it was made."""
    if original == source.path or not original.is_file():
        return
    date = source.value("date")
    if not date:
        return
    source_file, problems = read_content_file(original, original.parents[1])
    wanted = source_file.value("date")
    if problems or not wanted or wanted == date:
        return
    yield Problem(
        source.shown_path,
        source.line_of("date"),
        f"Date {date} differs from {source_file.path.name}'s Date {wanted}: "
        "the versions of one item would publish different dates",
        f"write `Date: {wanted}`",
        "warning",
    )


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
    """Headings, images, links and TODOs in the text."""
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


def check_raw_html(source: ContentFile) -> Iterator[Problem]:
    """Raw HTML, read as a whole (a tag may span lines), outside code."""
    lines = dict(prose_lines(source))
    first = source.body_line
    last = max(lines, default=first)
    text = "\n".join(lines.get(number, "") for number in range(first, last + 1))
    for line, message, hint in raw_html_problems(text, first):
        yield Problem(source.shown_path, first + line - 1, message, hint)
    for number, line in lines.items():
        if "{" not in line:
            continue
        for what in attribute_list_problems(line):
            yield Problem(
                source.shown_path,
                number,
                what,
                "an attribute list may give only an id, a class, dir= or lang=; "
                "links and pictures are written in Markdown, styles by the theme",
            )
    # Markdown's own links and images become href= and src= too: the same allowlist.
    for number, line in lines.items():
        if "](" not in line and "]:" not in line:
            continue
        for link in LINK_TARGET.finditer(line):
            if link["inline"] or link["reference"]:
                target = link["inline"] or link["reference"]
                # http: has its own message (check_link): not said twice.
                if not target.lower().startswith("http:") and not link_allowed(target):
                    yield Problem(
                        source.shown_path,
                        number,
                        f"the link {target} is not allowed: only https:, mailto:, "
                        "tel: and this site's own pages",
                        "link to a page or an https:// address",
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
        yield from check_plain_link(source, project, number, target)
        return
    if intrasite["kind"] == "attach":
        # {attach} moves the file next to the page, once: with one page per language
        # it cannot (the build would stop with "cannot relocate").
        yield Problem(
            source.shown_path,
            number,
            f"the link {target} uses {{attach}}, which this site does not support",
            f"put the file in content/extra/ and link it with "
            f"{{static}}{relative_link(source, project.content / STATIC_FOLDER)}"
            f"{Path(intrasite['target']).name}",
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
        yield Problem(
            shown,
            number,
            f"the link {target} {reason}",
            did_you_mean(source, project, path_part, resolved.suffix == ".md")
            or "check the spelling; paths are relative to this file, "
            "or to content/ when they start with /",
        )
        return
    elif resolved.suffix != ".md" and not inside(
        resolved, project.content / STATIC_FOLDER
    ):
        yield Problem(
            shown,
            number,
            f"the link {target} points at a file outside content/{STATIC_FOLDER}/, "
            "which is not published",
            f"move the file into content/{STATIC_FOLDER}/ and link "
            f"{{static}}{relative_link(source, project.content / STATIC_FOLDER)}"
            f"{resolved.name}",
        )
        return
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
        if intrasite["kind"] == "filename" and resolved.suffix == ".md":
            linked, problems = read_content_file(resolved, project.content)
            if not problems and linked.is_draft and not source.is_draft:
                yield Problem(
                    shown,
                    number,
                    f"the link {target} goes to a draft (Status: draft), which is "
                    "not published: the link would lead nowhere",
                    "publish that file first (translate it and remove `Status: "
                    "draft`), or remove the link until then",
                )
            elif not problems and anchor:
                yield from check_anchor(source, project, number, target, linked)
        return
    yield Problem(
        shown,
        number,
        f"the link {target} {reason}",
        "check the spelling; paths are relative to this file, "
        "or to content/ when they start with /",
    )


def relative_link(source: ContentFile, folder: Path) -> str:
    """The path from the source's folder to `folder`, ending in '/' (or '')."""
    path = os.path.relpath(folder, source.path.parent).replace(os.sep, "/")
    return "" if path == "." else path + "/"


def did_you_mean(
    source: ContentFile, project: Project, written: str, markdown: bool
) -> str:
    """'did you mean X?' over the content files, as written from this file, or ''."""
    base = source.path.parent
    if markdown:
        files = content_files(project.content)
    else:
        files = sorted(
            path
            for path in (project.content / STATIC_FOLDER).rglob("*")
            if path.is_file()
        )
    own = source.value("lang")
    candidates = {
        os.path.relpath(path, base).replace(os.sep, "/"): path for path in files
    }
    # Compare names first: a wrong folder is as likely as a typo in the name.
    by_name = difflib.get_close_matches(
        posixpath.basename(written), [path.name for path in files], n=4, cutoff=0.6
    )
    ranked = difflib.get_close_matches(written, list(candidates), n=4, cutoff=0.6)
    ranked += [c for c in candidates if posixpath.basename(c) in by_name]
    for candidate in ranked:
        name = FILE_NAME.match(posixpath.basename(candidate))
        if not markdown or not own or (name and name["lang"] == own):
            return f"did you mean {candidate}?"
    return ""


def check_plain_link(
    source: ContentFile, project: Project, number: int, target: str
) -> Iterator[Problem]:
    """A plain link to this site (`statuut.html`, `/fr/`, `extra/logo.png`).

    It works while the address stays, so an existing page is a warning with the
    `{filename}` link to write instead; an address the build does not write is an
    error, because the link would be broken on the published site.
    """
    shown = source.shown_path
    path = target.split("#", 1)[0].split("?", 1)[0]
    own_url = url_of(source) or "/"
    if not path:
        return
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(own_url), path))
    if path.endswith("/") and resolved != "/":
        resolved += "/"
    linked = project.published.get(resolved, False)
    static = project.content / STATIC_FOLDER / resolved.removeprefix("/extra/")
    if linked is False and resolved.startswith("/extra/") and static.is_file():
        yield Problem(
            shown,
            number,
            f"the link {target} points at a file of this site by its address",
            f"write ({{static}}{relative_link(source, static.parent)}{static.name}): "
            "that link is checked and follows the file",
            "warning",
        )
        return
    if linked is not False:
        if linked is None:
            return  # a language's home or news list: no one source to name
        yield Problem(
            shown,
            number,
            f"the link {target} points at a URL of this site",
            "link the source file instead, "
            f"({{filename}}{relative_link(source, linked.path.parent)}"
            f"{linked.path.name}): that link follows when a slug changes",
            "warning",
        )
        return
    segments = resolved.strip("/").split("/")
    lang = segments[0] if segments[0] in LANGUAGE_CODES[1:] else DEFAULT_LANG
    segments = segments[lang != DEFAULT_LANG :]
    if len(segments) > 1 and segments[0] != BY_CODE[lang].news_path:
        return  # a generated folder (documents, theme, search index): no source
    pages = [url for url in project.published if url.endswith(".html")]
    close = difflib.get_close_matches(resolved, pages, n=1, cutoff=0.6)
    if close and project.published[close[0]] is not None:
        linked = project.published[close[0]]
        hint = (
            f"did you mean {close[0]}? Link its source: ({{filename}}"
            f"{relative_link(source, linked.path.parent)}{linked.path.name})"
        )
    else:
        hint = (
            "link a page by its source file, ({filename}<name>.<lang>.md), or a file "
            f"in content/{STATIC_FOLDER}/ with ({{static}}…)"
        )
    if not resolved.endswith((".html", "/")) and (source.path.parent / path).is_file():
        hint = (
            f"the file is in {source.path.parent.name}/, which is not published: "
            f"move it into content/{STATIC_FOLDER}/ and link it with "
            f"({{static}}{relative_link(source, project.content / STATIC_FOLDER)}"
            f"{posixpath.basename(path)})"
        )
    yield Problem(
        shown,
        number,
        f"the link {target} goes to {resolved}, which the build does not write: "
        "it would be broken on the site",
        hint,
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
    """Two files may not share an address, or a slug in one language and kind."""
    sources = list(sources)
    addresses: dict[str, ContentFile] = {}
    for source in sources:
        url = url_of(source)
        if not url or source.is_draft:
            continue
        if url in addresses:
            key = "save_as" if source.value("save_as") else "slug"
            yield Problem(
                source.shown_path,
                source.line_of(key),
                f"its address {url} is also that of {addresses[url].shown_path}: "
                "one would overwrite the other",
                f"give one of them another {source.written_keys.get(key, key)}",
            )
        else:
            addresses[url] = source
    yield from _check_slugs(sources)


def _check_slugs(sources: list[ContentFile]) -> Iterator[Problem]:
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


# --- Running -----------------------------------------------------------------------
