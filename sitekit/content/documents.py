"""The documentation index's entries: reading and checking content/documents/*.md.

Each document is one file `content/documents/<key>.md` holding only metadata (see the
README for an example): its type, year or date, the languages the document itself
exists in, its publisher, and a local file or the URL of its publisher. Title,
Description, Publisher, File and URL may be given per site language (`Title_fr:`);
a language without its own value falls back to the plain field (`Title:`, written in
the document's first language), then to the document's languages in order.

The catalogue pages are made from these entries by `sitekit.documents.catalogue`.

Settings: `DOCUMENTS = {"PATH": "documents", "OUTPUT": "documents", "TYPES": [...]}`,
every key optional; TYPES lists the allowed type keys in the catalogue's order.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale

from sitekit.content.source import ContentFile, parse_date, read_content_file
from sitekit.errors import Problem
from sitekit.languages import LANGUAGE_CODES, N_
from sitekit.settings import Option, https_url_problem, read_options

# Every type an entry may have: (singular, plural) English msgids, translated through
# the theme's catalogs. DOCUMENTS["TYPES"] picks and orders the ones in use.
TYPE_LABELS: dict[str, tuple[str, str]] = {
    "annual-report": (N_("Annual report"), N_("Annual reports")),
    "law": (N_("Law"), N_("Laws")),
    "royal-decree": (N_("Royal decree"), N_("Royal decrees")),
    "circular": (N_("Circular"), N_("Circulars")),
    "eu-text": (N_("European text"), N_("European texts")),
    "un-text": (N_("United Nations text"), N_("United Nations texts")),
    "fact-sheet": (N_("Fact sheet"), N_("Fact sheets")),
    "brochure": (N_("Brochure"), N_("Brochures")),
    "study": (N_("Study"), N_("Studies")),
}


FOLDER = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


# Fields that may be given per site language (`Title_fr`), and the others.
TRANSLATABLE = ("title", "description", "publisher", "file", "url")


PLAIN = ("type", "year", "date", "languages", "link")


TODO = re.compile(r"\bTODO\b")  # the placeholder `invoke new` writes
LINK_KINDS = ("document", "collection")


@dataclass(frozen=True)
class Config:
    """The validated DOCUMENTS settings."""

    path: str  # entries: content/<path>/*.md
    output: str  # attachments: <site root>/<output>/<file>
    types: tuple[str, ...]  # the allowed types, in the catalogue's order


def _folder_problem(value: str) -> str | None:
    if FOLDER.match(value):
        return None
    return "must be one folder name of lower-case letters, digits, '-' or '_'"


def _types_problem(types: list | tuple) -> str | None:
    if not types:
        return "must be a non-empty list of type keys"
    unknown = [key for key in types if key not in TYPE_LABELS]
    if unknown:
        return (
            f"has {unknown[0]!r}, which has no labels; known types: "
            f"{', '.join(TYPE_LABELS)} (add new ones to TYPE_LABELS in "
            "sitekit/content/documents.py and translate them in the catalogs)"
        )
    return None


OPTIONS = {
    "PATH": Option("documents", str, _folder_problem),  # entries: content/<PATH>/
    "OUTPUT": Option("documents", str, _folder_problem),  # files: /<OUTPUT>/<name>
    "TYPES": Option(tuple(TYPE_LABELS), (list, tuple), _types_problem),
}


def read_config(settings: dict) -> Config:
    """Validate `settings["DOCUMENTS"]` (all keys optional) into a Config."""
    values = read_options("DOCUMENTS", settings.get("DOCUMENTS"), OPTIONS)
    return Config(values["PATH"], values["OUTPUT"], tuple(values["TYPES"]))


@dataclass
class Target:
    """What an entry links to in one language: a local file or an external URL."""

    lang: str | None  # the target's own language, when known
    url: str = ""  # external: the publisher's https URL
    source: Path | None = None  # local: the file in content/
    name: str = ""  # local: the file name written into /<OUTPUT>/
    data: bytes = b""  # local: the bytes written (a PDF made from Markdown, or a copy)

    @property
    def local(self) -> bool:
        return self.source is not None

    @property
    def format(self) -> str:
        return Path(self.name).suffix.lstrip(".").upper()


@dataclass
class Entry:
    """One document, as read from its file in content/documents/."""

    key: str
    shown_path: str
    type: str
    year: int
    date: datetime.date | None
    languages: tuple[str, ...]
    link: str  # "document", or "collection" when the URL is the publisher's list
    values: dict[str, str] = field(default_factory=dict)  # title, title_fr, ...
    targets: dict[str | None, Target] = field(default_factory=dict)  # None: plain

    def pick(self, name: str, lang: str) -> tuple[str, str | None]:
        """The value of a translatable field for site language `lang`, and its language.

        `Name_<lang>` first; then the plain `Name` (in the document's first language);
        then `Name_<l>` for the document's languages and then the site's, in order.
        """
        if self.values.get(f"{name}_{lang}"):
            return self.values[f"{name}_{lang}"], lang
        if self.values.get(name):
            return self.values[name], self.languages[0]
        for other in (*self.languages, *LANGUAGE_CODES):
            if self.values.get(f"{name}_{other}"):
                return self.values[f"{name}_{other}"], other
        return "", None

    def target(self, lang: str) -> Target:
        """The link for site language `lang`, by the same fallback rule as `pick`."""
        if lang in self.targets:
            return self.targets[lang]
        if None in self.targets:
            return self.targets[None]
        for other in (*self.languages, *LANGUAGE_CODES):
            if other in self.targets:
                return self.targets[other]
        raise KeyError(lang)

    @property
    def sort_key(self) -> tuple:
        """Newest first: date (a year alone counts as its end), then the key."""
        date = self.date or datetime.date(self.year, 12, 31)
        return (-date.toordinal(), self.key)


def known_language(code: str) -> bool:
    """True for a language code Babel can name (ISO 639), such as nl, fr or es."""
    return bool(LANGUAGE_CODE.match(code)) and code in Locale("en").languages


def entry_files(content_root: Path, config: Config) -> list[Path]:
    """The entry files: content/<PATH>/*.md (subfolders hold the attachments)."""
    folder = content_root / config.path
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def read_entry(
    source: ContentFile, content_root: Path, config: Config
) -> tuple[Entry | None, list[Problem]]:
    """Read and check one entry; None when it has errors (they are returned)."""
    problems: list[Problem] = []
    shown = source.shown_path

    def problem(key: str, message: str, hint: str) -> None:
        problems.append(Problem(shown, source.line_of(key), message, hint))

    key = source.path.stem
    if not KEY.match(key):
        problem(
            "",
            f"the file name {source.path.name!r} is not of the form <key>.md",
            "use lower-case letters, digits and hyphens, e.g. jaarverslag-2006.md",
        )
    if source.body.strip():
        problems.append(
            Problem(
                shown,
                source.body_line,
                "text below the metadata is not shown anywhere",
                "put it in Description: or Description_<lang>: lines at the top",
            )
        )
    values: dict[str, str] = {}
    for name, (value, _line) in source.metadata.items():
        base, _, lang = name.partition("_")
        plain = base in PLAIN and not lang
        if plain or (base in TRANSLATABLE and (not lang or lang in LANGUAGE_CODES)):
            values[name] = value
        elif base in TRANSLATABLE:
            problem(
                name,
                f"{name.capitalize()}: {lang!r} is not a language of this site",
                f"use {base.capitalize()}_<lang> with one of "
                f"{', '.join(LANGUAGE_CODES)}",
            )
        else:
            problem(
                name,
                f"{name.capitalize()} is not a field of a document entry",
                "the fields are Type, Year or Date, Languages, Link, and Title, "
                "Description, Publisher, File, URL (each also as <Field>_<lang>)",
            )

    entry_type = values.get("type", "")
    if not entry_type:
        problem("type", "no Type", f"add `Type: …`, one of {', '.join(config.types)}")
    elif entry_type not in config.types:
        problem(
            "type",
            f"Type {entry_type!r} is not a document type",
            f"use one of {', '.join(config.types)}",
        )

    year, date = 0, None
    if values.get("date"):
        parsed = parse_date(values["date"])
        if parsed is None:
            problem(
                "date",
                f"Date {values['date']!r} is not a valid date",
                "write it as YYYY-MM-DD, e.g. 2011-04-05",
            )
        else:
            date = parsed.date()
            year = date.year
    if values.get("year"):
        if not re.fullmatch(r"\d{4}", values["year"]):
            problem(
                "year",
                f"Year {values['year']!r} is not a year",
                "write four digits, e.g. 2007",
            )
        elif date and int(values["year"]) != date.year:
            problem(
                "year",
                f"Year {values['year']} does not match Date {values['date']}",
                "give only one of them",
            )
        else:
            year = int(values["year"])
    if not values.get("year") and not values.get("date"):
        problem("", "no Year and no Date", "add `Year: 2007` or `Date: 2011-04-05`")

    languages: list[str] = []
    if not values.get("languages"):
        problem(
            "languages",
            "no Languages",
            "add the languages the document exists in, e.g. `Languages: nl, fr`",
        )
    for code in (c.strip() for c in values.get("languages", "").split(",")):
        if not known_language(code):
            problem(
                "languages",
                f"Languages: {code!r} is not a known language code",
                "use two-letter ISO 639-1 codes separated by commas, e.g. nl, fr, de",
            )
        elif code in languages:
            problem("languages", f"Languages: {code!r} is given twice", "remove one")
        else:
            languages.append(code)

    link = values.get("link", "document")
    if link not in LINK_KINDS:
        problem(
            "link",
            f"Link {link!r} is not a kind of link",
            "use `Link: collection` when the URL is the publisher's list or "
            "database rather than the document itself; leave it out otherwise",
        )

    for name in ("title", "publisher", "description"):
        if not any(
            values.get(n) for n in (name, *(f"{name}_{c}" for c in LANGUAGE_CODES))
        ):
            problem(
                name,
                f"no {name.capitalize()}",
                f"add `{name.capitalize()}: …` or `{name.capitalize()}_<lang>: …` "
                "for each site language",
            )

    targets: dict[str | None, Target] = {}
    folder = content_root / config.path
    for name in sorted(values):
        base, _, lang_part = name.partition("_")
        lang = lang_part or None
        if base not in ("file", "url") or not values[name]:
            continue
        value = values[name]
        field_name = base.upper() if base == "url" else name.capitalize()
        field_name += f"_{lang}" if lang and base == "url" else ""
        if lang in targets:
            problem(
                name,
                f"{field_name} and {'File' if base == 'url' else 'URL'}"
                f"{'_' + lang if lang else ''} are both given",
                "an entry links either a local file or the publisher's URL",
            )
            continue
        if base == "url":
            reason = https_url_problem(value)
            if reason:
                problem(
                    name,
                    f"{field_name} {value!r} {reason}",
                    "copy the full address from the browser, e.g. "
                    "https://eur-lex.europa.eu/eli/dir/2011/36/oj",
                )
                continue
            target_lang = lang or (
                languages[0] if len(languages) == 1 and link == "document" else None
            )
            if link == "collection":
                target_lang = None  # a collection page is not the document itself
            targets[lang] = Target(lang=target_lang, url=value)
            continue
        # A local file, relative to content/<PATH>/.
        path = (folder / value).resolve()
        if not path.is_relative_to(folder.resolve()):
            problem(
                name,
                f"{field_name} {value!r} points outside content/{config.path}/",
                f"put the file in content/{config.path}/files/ and name it from there",
            )
            continue
        if not path.is_file():
            problem(
                name,
                f"{field_name} {value!r}: there is no such file "
                f"in content/{config.path}/",
                "check the spelling; the path is relative to the entry's folder, "
                "e.g. files/feitenblad.nl.md",
            )
            continue
        if link == "collection":
            problem(name, "Link: collection is for URLs", "remove the Link line")
            continue
        target_lang = lang or (languages[0] if len(languages) == 1 else None)
        output_name = path.name
        if path.suffix == ".md":
            output_name = path.with_suffix(".pdf").name
            text = path.read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), start=1):
                bad = [c for c in line if ord(c) > 0xFF]
                if bad:
                    problems.append(
                        Problem(
                            path.relative_to(content_root.parent).as_posix(),
                            number,
                            f"the character {bad[0]!r} cannot be written in the PDF",
                            "use straight quotes \" and ' and no symbols outside "
                            "Latin-1 (the PDF's built-in font has no others)",
                        )
                    )
                    break
        targets[lang] = Target(lang=target_lang, source=path, name=output_name)
    if not targets:
        problem(
            "",
            "no File and no URL",
            "add `File: files/<name>` for a file shipped with the site, or "
            "`URL: https://…` for the publisher's address",
        )
    if lang_targets := [lang for lang in targets if lang and lang not in languages]:
        problem(
            f"file_{lang_targets[0]}"
            if f"file_{lang_targets[0]}" in values
            else f"url_{lang_targets[0]}",
            f"a link in {lang_targets[0]!r}, which is not in Languages",
            f"add {lang_targets[0]} to Languages, or remove the link",
        )
    if problems:
        return None, problems
    entry = Entry(
        key=key,
        shown_path=shown,
        type=entry_type,
        year=year,
        date=date,
        languages=tuple(languages),
        link=link,
        values=values,
        targets=targets,
    )
    return entry, []


def todo_problems(source: ContentFile) -> Iterator[Problem]:
    """A TODO left in an entry (`invoke new document` writes them) would be shown."""
    for key, (value, line) in source.metadata.items():
        if TODO.search(value):
            written = source.written_keys.get(key, key)
            yield Problem(
                source.shown_path,
                line,
                f"TODO in {written}: it would be shown in the catalogue",
                f"write the {written}, or remove the line (a language without its "
                "own value shows the plain field, e.g. Title:)",
            )


def load_entries(
    content_root: Path,
    config: Config,
) -> tuple[list[Entry], list[Problem]]:
    """Read every entry, and the problems of the ones that have errors."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    written: dict[str, str] = {}
    for path in entry_files(content_root, config):
        source, read_problems = read_content_file(path, content_root)
        problems.extend(read_problems)
        if read_problems:
            continue
        entry, entry_problems = read_entry(source, content_root, config)
        problems.extend(entry_problems)
        placeholders = list(todo_problems(source))
        problems.extend(placeholders)
        if entry is None or placeholders:
            continue
        for lang, target in entry.targets.items():
            if not target.local:
                continue
            other = written.setdefault(target.name, entry.shown_path)
            if other != entry.shown_path:
                problems.append(
                    Problem(
                        entry.shown_path,
                        source.line_of(f"file_{lang}" if lang else "file"),
                        f"the file name {target.name!r} is also used by {other}",
                        "rename one of the files: both would be written to the "
                        f"same /{config.output}/ address",
                    )
                )
        entries.append(entry)
    return entries, sorted(problems)


def check_documents(content_root: Path, config: Config | None = None) -> list[Problem]:
    """All problems of the document entries below `content_root`, by file and line."""
    return load_entries(content_root, config or read_config({}))[1]
