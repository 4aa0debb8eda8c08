"""Pelican plugin: the documentation catalogue, built from content/documents/.

The entries are read by `sitekit.content.documents` (which says what an entry holds).
Per site language, the page with `Template: documents` (the "Documentatie" page)
shows the catalogue below its own text, grouped by type, newest first; every type also
gets a page of its own (`documentatie/jaarverslagen.html`) that is listed in the
sitemap. Local files are written once, into `/<OUTPUT>/` at the root of the whole site,
and linked from every language; a `File:` ending in `.md` becomes a PDF at build time.
Sizes and formats are computed from the bytes written, never typed by hand.

Settings: `DOCUMENTS`, see `sitekit.content.documents`.
"""

from __future__ import annotations

import datetime
import gettext
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from babel.lists import format_list
from babel.units import format_unit
from pelican import signals
from pelican.generators import Generator
from pelican.utils import slugify

from sitekit.content.documents import (
    TYPE_LABELS,
    Config,
    Entry,
    Target,
    load_entries,
    read_config,
)
from sitekit.content.source import read_content_file
from sitekit.documents.pdf import local_bytes
from sitekit.errors import ContentError, Problem
from sitekit.languages import BY_CODE, DEFAULT_LANG, FULL_LANGUAGE_CODES, LANGUAGE_CODES
from sitekit.settings import SettingsError
from sitekit.visitors import sitemap
from sitekit.visitors.i18n import localdate

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.documents]"

# Slug rules for type pages: the same as Pelican's default SLUG_REGEX_SUBSTITUTIONS.
SLUG_SUBSTITUTIONS = [
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]


# --- Entries ---------------------------------------------------------------------


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


# --- The entries, once per build ----------------------------------------------------
# Every subsite shows the same entries with the same files: read once per build
# (the key changes when any entry file does), not once per language.
_ENTRIES: dict[tuple, list[Entry]] = {}


def entries_with_files(content_root: Path, config: Config, cache: Path) -> list[Entry]:
    """The entries, each local file's bytes made; ContentError if an entry is wrong."""
    files = sorted((content_root / config.path).rglob("*"))
    key = (
        str(content_root),
        config,
        tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files),
    )
    if key not in _ENTRIES:
        entries, problems = load_entries(content_root, config)
        if problems:  # normally stopped earlier, by the content checks' gate
            raise ContentError(problems)
        for entry in entries:
            for target in entry.targets.values():
                if target.local:
                    target.data = local_bytes(entry, target, cache)
        _ENTRIES.clear()
        _ENTRIES[key] = entries
    return _ENTRIES[key]


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
        self.entries = entries_with_files(
            content_root, self.config, Path(self.settings["CACHE_PATH"]) / "documents"
        )
        self.catalogue_page = self._catalogue_page()
        self.type_pages: list[TypePage] = []
        if not self.entries or BY_CODE[self.lang].help_only:
            # A help-only language has no documentation page (sitekit.languages).
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
        # Type pages in every full language (help-only ones have no documentation),
        # so each links to its translations.
        pages: dict[str, dict[str, TypePage]] = {}
        for code in FULL_LANGUAGE_CODES:
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
                for code in FULL_LANGUAGE_CODES
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


def get_generators(pelican) -> type[Generator]:
    """Add our generator to every (sub)site."""
    return DocumentsGenerator


def register() -> None:
    """Connect the plugin to Pelican's signals (the content checks check entries)."""
    signals.get_generators.connect(get_generators)
