"""Pelican plugin: the documentation catalogue, built from content/documents/.

Each document is one file `content/documents/<key>.md` holding only metadata (see the
README for an example): its type, year or date, the languages the document itself
exists in, its publisher, and a local file or the URL of its publisher. Title,
Description, Publisher, File and URL may be given per site language (`Title_fr:`);
a language without its own value falls back to the plain field (`Title:`, written in
the document's first language), then to the document's languages in order.

Per site language, the page with `Template: documents` (the "Documentatie" page)
shows the catalogue below its own text, grouped by type, newest first; every type also
gets a page of its own (`documentatie/jaarverslagen.html`) that is listed in the
sitemap. Local files are written once, into `/<OUTPUT>/` at the root of the whole site,
and linked from every language; a `File:` ending in `.md` becomes a PDF at build time.
Sizes and formats are computed from the bytes written, never typed by hand.

Settings: `DOCUMENTS = {"PATH": "documents", "OUTPUT": "documents", "TYPES": [...]}`,
every key optional; TYPES lists the allowed type keys in the catalogue's order.
"""

from __future__ import annotations

import datetime
import functools
import gettext
import hashlib
import io
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import markdown
from babel import Locale
from babel.lists import format_list
from babel.units import format_unit
from pelican import signals
from pelican.generators import Generator
from pelican.utils import slugify

from sitekit import sitemap
from sitekit.content_checks import (
    ContentError,
    ContentFile,
    Problem,
    parse_date,
    read_content_file,
)
from sitekit.i18n import N_, localdate
from sitekit.languages import BY_CODE, DEFAULT_LANG, LANGUAGE_CODES

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.documents]"

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
DEFAULTS = {"PATH": "documents", "OUTPUT": "documents", "TYPES": list(TYPE_LABELS)}
FOLDER = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
# Fields that may be given per site language (`Title_fr`), and the others.
TRANSLATABLE = ("title", "description", "publisher", "file", "url")
PLAIN = ("type", "year", "date", "languages", "link")
LINK_KINDS = ("document", "collection")
# Slug rules for type pages: the same as Pelican's default SLUG_REGEX_SUBSTITUTIONS.
SLUG_SUBSTITUTIONS = [
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]


class SettingsError(ValueError):
    """DOCUMENTS in the settings has a value the plugin cannot use."""


@dataclass(frozen=True)
class Config:
    """The validated DOCUMENTS settings."""

    path: str = DEFAULTS["PATH"]  # entries: content/<path>/*.md
    output: str = DEFAULTS["OUTPUT"]  # attachments: <site root>/<output>/<file>
    types: tuple[str, ...] = tuple(TYPE_LABELS)


def read_config(settings: dict) -> Config:
    """Validate `settings["DOCUMENTS"]` (all keys optional) into a Config."""
    given = settings.get("DOCUMENTS", {})
    if not isinstance(given, dict):
        raise SettingsError("DOCUMENTS must be a dict, e.g. {'PATH': 'documents'}")
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise SettingsError(
            f"DOCUMENTS has unknown key(s) {', '.join(unknown)}; "
            f"the keys are {', '.join(DEFAULTS)}"
        )
    values = {**DEFAULTS, **given}
    for key in ("PATH", "OUTPUT"):
        if not isinstance(values[key], str) or not FOLDER.match(values[key]):
            raise SettingsError(
                f"DOCUMENTS[{key!r}] = {values[key]!r} must be one folder name "
                "of lower-case letters, digits, '-' or '_'"
            )
    types = values["TYPES"]
    if not isinstance(types, list | tuple) or not types:
        raise SettingsError("DOCUMENTS['TYPES'] must be a non-empty list of type keys")
    for key in types:
        if key not in TYPE_LABELS:
            raise SettingsError(
                f"DOCUMENTS['TYPES'] has {key!r}, which has no labels; known types: "
                f"{', '.join(TYPE_LABELS)} (add new ones to TYPE_LABELS in "
                "sitekit/documents.py and translate them in the catalogs)"
            )
    return Config(values["PATH"], values["OUTPUT"], tuple(types))


# --- Entries ---------------------------------------------------------------------


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


def check_url(url: str) -> str | None:
    """Why `url` is not a well-formed https URL, or None when it is one."""
    if any(character.isspace() for character in url):
        return "contains a space"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as error:
        return f"cannot be read ({error})"
    if parts.scheme == "http":
        return "uses http: link the https address of the publisher"
    if parts.scheme != "https" or not host:
        return "is not a web address of the form https://host/path"
    if parts.username or parts.port:
        return "has a user name or a port: link the publisher's plain address"
    if not HOST.match(host):
        return f"has no valid host name ({host!r})"
    return None


# Pure function of its arguments: each of the four subsites asks for the same PDFs,
# and making one takes ~0.1 s, so each is made once per process.
@functools.lru_cache(maxsize=64)
def make_pdf(markdown_text: str, title: str, lang: str, date: datetime.date) -> bytes:
    """A PDF of a short Markdown text, the same bytes for the same input.

    fpdf2's built-in Helvetica covers Latin-1, which is enough for our four languages
    (check_documents refuses other characters with the line they are on).
    """
    from fpdf import FPDF  # imported only when a PDF must be made: it takes 0.3 s

    pdf = FPDF(format="A4")
    # A fixed creation date keeps the bytes identical from build to build, so the
    # atomic build leaves the file untouched and publishing sees no change.
    moment = datetime.datetime.combine(date, datetime.time(), datetime.UTC)
    pdf.set_creation_date(moment)
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("sitekit.documents")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.write_html(markdown.markdown(markdown_text, output_format="html"))
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()


# What a PDF's bytes depend on besides its arguments: fpdf2 and this module's code.
_PDF_MAKER = "fpdf2={};{}".format(
    version("fpdf2"), hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
)
# Problems of that cache are not problems of the site: logged, never fatal.
CACHE_LOG = logging.getLogger("sitekit.documents.cache")


def cached_pdf(
    markdown_text: str, title: str, lang: str, date: datetime.date, cache: Path | None
) -> bytes:
    """make_pdf, kept on disk between builds: a build with no change makes no PDF."""
    if cache is None:
        return make_pdf(markdown_text, title, lang, date)
    inputs = json.dumps([markdown_text, title, lang, date.isoformat(), _PDF_MAKER])
    path = cache / "pdf" / f"{hashlib.sha256(inputs.encode()).hexdigest()}.pdf"
    if path.is_file():
        data = path.read_bytes()
        if data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"):
            return data
        CACHE_LOG.warning("%s a cached PDF was damaged; making it again", LOG_PREFIX)
    data = make_pdf(markdown_text, title, lang, date)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".pdf-")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    Path(temporary).replace(path)  # atomic: never a half-written PDF in the cache
    return data


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
            reason = check_url(value)
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


def load_entries(
    content_root: Path,
    config: Config,
    *,
    with_data: bool = False,
    cache: Path | None = None,
) -> tuple[list[Entry], list[Problem]]:
    """Read every entry; with `with_data`, also make the bytes of each local file."""
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
        if entry is None:
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
            if with_data:
                target.data = local_bytes(entry, target, cache)
        entries.append(entry)
    return entries, sorted(problems)


def local_bytes(entry: Entry, target: Target, cache: Path | None = None) -> bytes:
    """The bytes of a local file as published: a copy, or a PDF made from Markdown."""
    assert target.source is not None
    if target.source.suffix != ".md":
        return target.source.read_bytes()
    lang = target.lang or entry.languages[0]
    title, _ = entry.pick("title", lang)
    date = entry.date or datetime.date(entry.year, 1, 1)
    text = target.source.read_text(encoding="utf-8")
    return cached_pdf(text, title, lang, date, cache)


def check_documents(content_root: Path, config: Config | None = None) -> list[Problem]:
    """All problems of the document entries below `content_root`, by file and line."""
    return load_entries(content_root, config or Config())[1]


# --- What a catalogue page shows, per site language -------------------------------


@dataclass(frozen=True)
class Text:
    """A value shown on a page; `lang` is set when it differs from the page's."""

    text: str
    lang: str | None


@dataclass(frozen=True)
class Link:
    """One link of an entry, ready for a template."""

    url: str  # local: a path from the site's root; external: the https URL
    local: bool
    hreflang: str | None
    format: str = ""
    size: int = 0  # bytes, local files only
    size_text: str = ""  # "23 kB" as the page's language writes it
    host: str = ""  # external: the publisher's host name, shown with the link
    language_name: str = ""  # for the links to other language versions


@dataclass(frozen=True)
class ShownEntry:
    """One entry as shown in one site language."""

    key: str
    type: str
    type_label: str
    title: Text
    description: Text
    publisher: Text
    year: int
    date: datetime.date | None
    date_text: str
    languages: tuple[str, ...]
    language_names: str  # "Nederlands en Frans", in the page's language
    link: Link
    others: tuple[Link, ...]  # the document in the other languages it has a file in
    collection: bool


@dataclass
class TypePage:
    """A page listing one type: a content-like object for the switcher and sitemap."""

    lang: str
    url: str  # relative to the subsite, like Pelican's page URLs
    save_as: str
    type: str
    label: str
    slug: str
    translations: list[TypePage] = field(default_factory=list)


@dataclass(frozen=True)
class Group:
    """The entries of one type, newest first."""

    type: str
    label: str
    slug: str  # the anchor on the catalogue page
    page: TypePage
    entries: tuple[ShownEntry, ...]


@dataclass(frozen=True)
class Catalogue:
    """The catalogue of one site language."""

    lang: str
    groups: tuple[Group, ...]


def format_size(size: int, lang: str) -> str:
    """A file size as `lang` writes it, in SI units: 850 byte, 23 kB, 1,5 MB."""
    locale = BY_CODE[lang].locale
    if size < 1000:
        return format_unit(size, "digital-byte", length="short", locale=locale)
    if size < 1_000_000:
        kilo = max(1, round(size / 1000))
        return format_unit(kilo, "digital-kilobyte", length="short", locale=locale)
    mega = round(size / 1_000_000, 1)
    return format_unit(mega, "digital-megabyte", length="short", locale=locale)


def language_names(codes: tuple[str, ...], lang: str) -> str:
    """The document's languages written out in the page's language."""
    locale = Locale.parse(BY_CODE[lang].locale)
    return format_list([locale.languages[code] for code in codes], locale=locale)


def show_link(target: Target, lang: str, config: Config) -> Link:
    """A link as site language `lang` shows it: sizes in its number format."""
    if target.local:
        return Link(
            url=f"{config.output}/{target.name}",
            local=True,
            hreflang=target.lang,
            format=target.format,
            size=len(target.data),
            size_text=format_size(len(target.data), lang),
            language_name=BY_CODE[target.lang].name if target.lang in BY_CODE else "",
        )
    return Link(
        url=target.url,
        local=False,
        hreflang=target.lang,
        host=urlsplit(target.url).hostname or "",
        language_name=BY_CODE[target.lang].name if target.lang in BY_CODE else "",
    )


def show_entry(
    entry: Entry, lang: str, config: Config, translate: gettext.NullTranslations
) -> ShownEntry:
    """The entry as site language `lang` shows it."""

    def text(name: str) -> Text:
        value, value_lang = entry.pick(name, lang)
        return Text(value, value_lang if value_lang != lang else None)

    main = entry.target(lang)
    others = tuple(
        show_link(entry.targets[code], lang, config)
        for code in LANGUAGE_CODES
        if code in entry.targets and entry.targets[code] is not main
    )
    return ShownEntry(
        key=entry.key,
        type=entry.type,
        type_label=translate.gettext(TYPE_LABELS[entry.type][0]),
        title=text("title"),
        description=text("description"),
        publisher=text("publisher"),
        year=entry.year,
        date=entry.date,
        date_text=localdate(entry.date, lang) if entry.date else str(entry.year),
        languages=entry.languages,
        language_names=language_names(entry.languages, lang),
        link=show_link(main, lang, config),
        others=others,
        collection=entry.link == "collection",
    )


def type_slugs(
    types: tuple[str, ...], translate: gettext.NullTranslations, lang: str
) -> dict[str, str]:
    """A readable slug per type from its translated name, e.g. jaarverslagen."""
    slugs: dict[str, str] = {}
    for key in types:
        slug = slugify(
            translate.gettext(TYPE_LABELS[key][1]), regex_subs=SLUG_SUBSTITUTIONS
        )
        if slug in slugs.values() or not slug:
            raise SettingsError(
                f"{LOG_PREFIX} in {lang!r} the types' names give the slug {slug!r} "
                "twice (or none): change one translation in the catalog"
            )
        slugs[key] = slug
    return slugs


def relative_to_site(from_lang: str, to_lang: str) -> str:
    """The path from one language's subsite root to another's ('' , 'fr/', '../')."""
    up = "" if from_lang == DEFAULT_LANG else "../"
    down = "" if to_lang == DEFAULT_LANG else f"{to_lang}/"
    return up + down


# --- The generator -----------------------------------------------------------------


class DocumentsGenerator(Generator):
    """Builds each language's catalogue and type pages, and writes the attachments."""

    def generate_context(self) -> None:
        """Read the entries and give the catalogue to every template of this subsite."""
        self.config = read_config(self.settings)
        self.lang = self.settings["DEFAULT_LANG"]
        content_root = Path(self.settings["PATH"])
        # Every subsite makes the bytes (a few ms): the sizes shown must be known
        # before any page is written, and subsites write before the main site.
        self.entries, problems = load_entries(
            content_root,
            self.config,
            with_data=True,
            cache=Path(self.settings["CACHE_PATH"]) / "documents",
        )
        if problems:  # normally stopped earlier, by check_before_build
            raise ContentError(problems)
        self.catalogue_page = self._catalogue_page()
        self.type_pages: list[TypePage] = []
        if not self.entries:
            self.context["documents"] = Catalogue(self.lang, ())
            return
        if self.catalogue_page is None:
            raise ContentError(
                [
                    Problem(
                        f"content/{self.config.path}/",
                        1,
                        f"there are document entries but no page in {self.lang!r} "
                        "with `Template: documents` to show them",
                        "add that line to the documentation page of this language",
                    )
                ]
            )
        self.context["documents"] = self._catalogue()

    def _catalogue_page(self):
        pages = [
            page
            for page in self.context.get("pages", [])
            if getattr(page, "template", "") == "documents"
        ]
        return pages[0] if pages else None

    def _translations(self, lang: str) -> gettext.NullTranslations:
        folder = Path(self.settings["THEME"]) / "translations"
        return gettext.translation("messages", str(folder), [lang])

    def _catalogue(self) -> Catalogue:
        lang = self.lang
        used = [t for t in self.config.types if any(e.type == t for e in self.entries)]
        # Type pages in every language, so each links to its translations.
        pages: dict[str, dict[str, TypePage]] = {}
        for code in LANGUAGE_CODES:
            translate = self._translations(code)
            slugs = type_slugs(tuple(used), translate, code)
            pages[code] = {}
            for key in used:
                save_as = f"{self._catalogue_slug(code)}/{slugs[key]}.html"
                pages[code][key] = TypePage(
                    lang=code,
                    url=relative_to_site(lang, code) + save_as,
                    save_as=save_as,
                    type=key,
                    label=translate.gettext(TYPE_LABELS[key][1]),
                    slug=slugs[key],
                )
        for key in used:
            own = pages[lang][key]
            own.translations = [
                pages[code][key]
                for code in LANGUAGE_CODES
                if code != lang and code in pages
            ]
            self.type_pages.append(own)
            sitemap.add_content(self.settings["SITEURL"], own)
        translate = self._translations(lang)
        groups = []
        for key in used:
            entries = sorted(
                (e for e in self.entries if e.type == key), key=lambda e: e.sort_key
            )
            page = pages[lang][key]
            groups.append(
                Group(
                    type=key,
                    label=page.label,
                    slug=page.slug,
                    page=page,
                    entries=tuple(
                        show_entry(e, lang, self.config, translate) for e in entries
                    ),
                )
            )
        LOG.debug("%s %s: %d entries", LOG_PREFIX, lang, len(self.entries))
        return Catalogue(lang, tuple(groups))

    def _catalogue_slug(self, code: str) -> str:
        """The catalogue page's slug in language `code`: type pages go below it."""
        if code == self.lang:
            return self.catalogue_page.slug
        # Read from the translation's file: a subsite may hold no other language's
        # pages (the fast build lets each read only its own language's files).
        page = self.catalogue_page
        sibling = Path(page.source_path).with_name(f"{page.translation_key}.{code}.md")
        if sibling.is_file():
            translation, problems = read_content_file(
                sibling, Path(self.settings["PATH"])
            )
            if not problems and translation.value("slug"):
                return translation.value("slug")
        raise ContentError(
            [
                Problem(
                    self.catalogue_page.get_relative_source_path(),
                    1,
                    f"the documentation page has no translation in {code!r}",
                    f"add a page with the same file name ending in .{code}.md",
                )
            ]
        )

    def generate_output(self, writer) -> None:
        """Write the type pages of this language, and (main site) the attachments."""
        if self.lang == DEFAULT_LANG:
            self._write_attachments()
        catalogue = self.context.get("documents")
        if not self.type_pages or catalogue is None:
            return
        template = self.get_template("document_type")
        for group in catalogue.groups:
            writer.write_file(
                group.page.save_as,
                template,
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                type_page=group.page,
                group=group,
                catalogue_page=self.catalogue_page,
                url=group.page.url,
            )

    def _write_attachments(self) -> None:
        folder = Path(self.output_path) / self.config.output
        count = 0
        for entry in self.entries:
            for target in entry.targets.values():
                if target.local:
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / target.name).write_bytes(target.data)
                    count += 1
        LOG.info("%s wrote %d file(s) into /%s/", LOG_PREFIX, count, self.config.output)


# --- Signals -----------------------------------------------------------------------


def check_before_build(pelican) -> None:
    """Stop the build before Pelican reads anything when an entry has errors."""
    config = read_config(pelican.settings)
    if pelican.settings["DEFAULT_LANG"] != DEFAULT_LANG:
        return  # a subsite of the same build: checked once, by the main site
    problems = check_documents(Path(pelican.settings["PATH"]), config)
    if problems:
        raise ContentError(problems)


def get_generators(pelican) -> type[Generator]:
    """Add our generator to every (sub)site."""
    return DocumentsGenerator


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_before_build)
    signals.get_generators.connect(get_generators)
