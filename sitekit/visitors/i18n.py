"""Pelican plugin: language versions, clean URLs, dates and interface strings.

pelican-i18n-subsites builds one subsite per language; this plugin adds what a visitor
and a search engine need on top of it:

- `|site_url`: normalises the plugin's cross-site links (`/fr/../welkom.html`, see
  DESIGN.md) into clean root-relative or absolute URLs;
- `language_versions(...)`: the page in every language, or that language's home page
  where no translation exists (language switcher and hreflang alternates);
- `|localdate`: "18 oktober 2008" through Babel (no system locales on our machines);
- `|asset`: theme files with a content hash, so browsers may cache them for long;
- the gettext catalogs in `theme/translations/` are compiled before the build, and a
  broken catalog fails it with the file and line.
"""

from __future__ import annotations

import contextlib
import datetime
import gettext
import hashlib
import io
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from jinja2 import pass_context
from pelican import signals

from sitekit.errors import SiteError
from sitekit.languages import (
    BY_CODE,
    DEFAULT_LANG,
    FULL_LANGUAGES,
    LANGUAGES,
    N_,
    url_settings,
)

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.visitors.i18n]"


class CatalogError(SiteError):
    """A gettext catalog cannot be read; the message names the file."""


@dataclass(frozen=True)
class LanguageVersion:
    """One language's version of the page a visitor is on."""

    code: str
    name: str
    url: str
    translated: bool  # False: no such page in that language; url is its home page
    current: bool


def site_root(context, code: str) -> str:
    """The root URL of the subsite for language `code`, ending in '/'."""
    siteurls = context.get("lang_siteurls") or {}
    main = context.get("main_siteurl", context.get("SITEURL", ""))
    base = siteurls.get(code, f"{main}/{code}" if code != DEFAULT_LANG else main)
    return f"{base}/"


@pass_context
def site_url(context, path: str) -> str:
    """Resolve a Pelican URL (relative to the current subsite) into a clean URL.

    Absolute in a production build (SITEURL is absolute), root-relative locally.
    """
    return join_url(f"{context.get('SITEURL', '')}/", path)


# Pelican formats a page's URL anew on every access; menus ask for the same few pages
# on every page. Cached per object (kept alive here, so its id is never reused).
_HREFS: dict[tuple[int, str], tuple[object, str]] = {}


@pass_context
def href(context, content) -> str:
    """`content.url|site_url`, computed once per object and subsite."""
    siteurl = context.get("SITEURL", "")
    cached = _HREFS.get((id(content), siteurl))
    if cached is None or cached[0] is not content:
        cached = (content, join_url(f"{siteurl}/", content.url))
        _HREFS[(id(content), siteurl)] = cached
    return cached[1]


def join_url(base: str, path: str) -> str:
    """urljoin(base, path), without its cost for the common plain relative path."""
    if ":" in path or path.startswith(("/", ".")) or "/." in path:
        return urljoin(base, path)  # absolute, root-relative or with dot segments
    return base + path


@pass_context
def language_versions(
    context, content=None, listing: str | None = None
) -> list[LanguageVersion]:
    """The current page in every language, in switcher order.

    `content` is a page or article. Without it, `listing="news"` is the news list,
    which exists in every language; otherwise (the 404 page) every home page.
    """
    current = context["DEFAULT_LANG"]
    urls: dict[str, str] = {}
    if content is not None:
        urls = version_urls(content, context.get("SITEURL", ""))
    elif listing == "news":
        for language in FULL_LANGUAGES:  # help-only languages have no news
            urls[language.code] = (
                site_root(context, language.code) + url_settings(language)["INDEX_URL"]
            )
    versions = []
    for language in LANGUAGES:
        translated = language.code in urls
        url = urls.get(language.code) or site_root(context, language.code)
        versions.append(
            LanguageVersion(
                code=language.code,
                name=language.name,
                url=url,
                translated=translated,
                current=language.code == current,
            )
        )
    return versions


# Every published page and article of the build, by kind and translation key, as its
# own language's subsite has it. The switcher, hreflang and the sitemap take a page's
# versions from here, so a subsite needs no objects of the other languages (the fast
# build lets each subsite read only its own language's files).
_VERSIONS: dict[tuple[str, str], dict[str, tuple[str, object]]] = {}
_VERSION_URLS: dict[tuple[str, str], dict[str, str]] = {}


def record_versions(generator) -> None:
    """Remember the published pages or articles of one subsite, in its language."""
    lang = generator.settings["DEFAULT_LANG"]
    siteurl = generator.settings["SITEURL"]
    contents = getattr(generator, "pages", None)
    if contents is None:
        contents = generator.articles
    for content in contents:
        key = getattr(content, "translation_key", None)
        if key and content.lang == lang:
            versions = _VERSIONS.setdefault((type(content).__name__, key), {})
            versions[lang] = (siteurl, content)


def forget_versions(pelican) -> None:
    """Start each build with an empty registry (livereload forks run many)."""
    if pelican.settings["DEFAULT_LANG"] == DEFAULT_LANG:
        _VERSIONS.clear()
        _VERSION_URLS.clear()
        _HREFS.clear()


def version_urls(content, siteurl: str) -> dict[str, str]:
    """The URL of `content` in each language it exists in.

    `siteurl` is the SITEURL of the subsite `content` belongs to; it resolves the
    translations of objects the registry does not know (the documents plugin's
    type pages carry their own).
    """
    key = (type(content).__name__, getattr(content, "translation_key", None))
    known = _VERSIONS.get(key, {})
    if known.get(content.lang, (None, None))[1] is content:
        # Asked only once every subsite has recorded its pages: safe to keep.
        if key not in _VERSION_URLS:
            _VERSION_URLS[key] = {
                lang: join_url(f"{native_siteurl}/", version.url)
                for lang, (native_siteurl, version) in known.items()
            }
        return dict(_VERSION_URLS[key])
    urls = {content.lang: join_url(f"{siteurl}/", content.url)}
    for translation in getattr(content, "translations", []):
        urls[translation.lang] = join_url(f"{siteurl}/", translation.url)
    return urls


# What a help-only language calls a footer page (FOOTER_PAGES) it lacks; the footer
# links that page in each full language.
FOOTER_LABELS = {
    "hulp": N_("Help and contact"),
    "toegankelijkheid": N_("Accessibility statement"),
    "privacy": N_("Privacy"),
    "sitemap": N_("Site map"),
}


def page_versions(key: str) -> list[LanguageVersion]:
    """The page `key` (its file name's key) in each full language that has it.

    A help-only subsite links the pages it lacks in the language the visitor
    chooses. Called while pages are written: every subsite has recorded its pages.
    """
    known = _VERSIONS.get(("Page", key), {})
    return [
        LanguageVersion(
            code=language.code,
            name=language.name,
            url=join_url(f"{known[language.code][0]}/", known[language.code][1].url),
            translated=True,
            current=False,
        )
        for language in FULL_LANGUAGES
        if language.code in known
    ]


@pass_context
def root_url(context, path: str) -> str:
    """URL of a file at the root of the whole site (favicon), from any subsite."""
    main = context.get("main_siteurl", context.get("SITEURL", ""))
    return join_url(f"{main}/", path)


@cache
def _catalog(translations: Path, code: str) -> gettext.GNUTranslations:
    return gettext.translation("messages", str(translations), [code])


UNTRANSLATED_NOTE = N_("not translated: go to the home page")


@pass_context
def untranslated_note(context, code: str) -> str:
    """Say "not translated" in language `code`, not in the page's language.

    The note is read by the people who want that language.
    """
    translations = Path(context["THEME"]) / "translations"
    return _catalog(translations, code).gettext(UNTRANSLATED_NOTE)


def localdate(value: datetime.date, lang: str) -> str:
    """A date as people write it in `lang`: 18 oktober 2008, 18. Oktober 2008."""
    return _long_date(value.year, value.month, value.day, lang)


@cache  # a news list shows hundreds of dates; Babel needs ~0.1 ms for each
def _long_date(year: int, month: int, day: int, lang: str) -> str:
    date = datetime.date(year, month, day)
    text = format_date(date, format="long", locale=BY_CODE[lang].locale)
    if day == 1 and lang == "fr":
        # French writes the first of the month as an ordinal, "1er décembre 2026";
        # Babel's CLDR pattern gives "1 décembre 2026".
        text = re.sub(r"^1(?=\s)", "1er", text)
    return text


@cache
def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@pass_context
def asset(context, name: str) -> str:
    """URL of a theme file with `?v=<content hash>`: a change reaches every browser."""
    return _asset_url(
        context["THEME"], context["THEME_STATIC_DIR"], context.get("SITEURL", ""), name
    )


@cache  # every page asks for the same few files
def _asset_url(theme: str, static_dir: str, siteurl: str, name: str) -> str:
    url = join_url(f"{siteurl}/", f"{static_dir}/{name}")
    return f"{url}?v={_file_hash(Path(theme) / 'static' / name)}"


# Babel's reader is lenient: it reads `msgstr "Nieuws` (no closing quote) as "Nieuw".
# A line that is not PO syntax must stop the build instead of shipping a mangled string.
PO_LINE = re.compile(
    r'^(?:#.*|\s*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(?:[^"\\]|\\.)*"'
    r'|"(?:[^"\\]|\\.)*")$'
)


def check_po_syntax(po_path: Path) -> None:
    """Raise CatalogError naming the first line that is not PO syntax."""
    try:
        lines = po_path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise CatalogError(f"{po_path}: not UTF-8 text ({error})") from error
    for number, line in enumerate(lines, start=1):
        if not PO_LINE.match(line.strip()):
            raise CatalogError(
                f"{po_path}:{number}: cannot be read: {line.strip()!r} is not a "
                'PO line (keyword "text", or "text" alone, each quote closed)'
            )


def compile_catalogs(translations: Path) -> list[Path]:
    """Compile every `<lang>/LC_MESSAGES/messages.po` below `translations` to `.mo`."""
    compiled = []
    for language in LANGUAGES:
        po_path = translations / language.code / "LC_MESSAGES" / "messages.po"
        if not po_path.is_file():
            raise CatalogError(
                f"{po_path}: missing. Every language needs a catalog: "
                "`invoke catalogs` creates it; then fill in its msgstr lines"
            )
        check_po_syntax(po_path)
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=language.code, abort_invalid=True)
        except (PoFileError, ValueError, UnicodeDecodeError) as error:
            raise CatalogError(f"{po_path}: cannot be read: {error}") from error
        untranslated = [m.id for m in catalog if m.id and not m.string]
        if untranslated:
            raise CatalogError(
                f"{po_path}: {len(untranslated)} message(s) have no translation, "
                f"e.g. {untranslated[0]!r}. Fill in their msgstr."
            )
        mo_path = po_path.with_suffix(".mo")
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        _write_if_changed(mo_path, buffer.getvalue())
        compiled.append(mo_path)
    return compiled


def _write_if_changed(path: Path, data: bytes) -> None:
    """Replace `path` atomically, and only when its bytes change.

    Builds running at once (tests, livereload) read the same catalogs: a catalog
    rewritten in place could be read half-written (a `struct.error` from gettext).
    """
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add_template_helpers(generator) -> None:
    """Give every template the helpers above."""
    generator.env.filters.update(
        localdate=localdate,
        site_url=site_url,
        root_url=root_url,
        asset=asset,
        href=href,
    )
    generator.env.globals.update(
        language_versions=language_versions,
        untranslated_note=untranslated_note,
        page_versions=page_versions,
        FOOTER_LABELS=FOOTER_LABELS,
    )


def prepare_catalogs(pelican) -> None:
    """Compile the theme's catalogs once per build, before any template is rendered."""
    if pelican.settings["DEFAULT_LANG"] != DEFAULT_LANG:
        return  # a subsite of the same build: the main site did it already
    compile_catalogs(Path(pelican.settings["THEME"]) / "translations")
    LOG.debug("%s compiled the gettext catalogs", LOG_PREFIX)


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(prepare_catalogs)
    signals.initialized.connect(forget_versions)
    signals.generator_init.connect(add_template_helpers)
    signals.page_generator_finalized.connect(record_versions)
    signals.article_generator_finalized.connect(record_versions)
