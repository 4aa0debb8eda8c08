"""Pelican plugin: one `sitemap.xml` for all languages, and a `robots.txt`.

pelican-sitemap writes one sitemap per subsite; search engines want one file listing
every page of every language with its alternates, so we write it once, after the last
subsite, from the pages and articles that every subsite collected.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urljoin
from xml.sax.saxutils import quoteattr

from pelican import signals

from sitekit.languages import DEFAULT_LANG, FULL_LANGUAGES, LANGUAGES, url_settings
from sitekit.visitors.i18n import version_urls

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.visitors.sitemap]"

# One build's published contents with their subsite's SITEURL, from every subsite.
# URLs are read only when writing: the cross-language links are set after collection.
_COLLECTED: list[tuple[str, object]] = []


def _absolute(siteurl: str, path: str) -> str:
    return urljoin(f"{siteurl}/", path)


def collect(generator) -> None:
    """Remember the published pages or articles of one subsite, in its language."""
    settings = generator.settings
    contents = getattr(generator, "pages", None)
    if contents is None:
        contents = generator.articles
    _COLLECTED.extend(
        (settings["SITEURL"], content)
        for content in contents
        if content.lang == settings["DEFAULT_LANG"]
    )


def add_content(siteurl: str, content) -> None:
    """Add a page another plugin generates: it has `lang`, `url` and `translations`."""
    _COLLECTED.append((siteurl, content))


def reset(pelican) -> None:
    """Start a new list for each build (tests and livereload run several)."""
    if pelican.settings["DEFAULT_LANG"] == DEFAULT_LANG:
        _COLLECTED.clear()


def sitemap_xml(entries: list[tuple[str, dict[str, str]]], default_lang: str) -> str:
    """The sitemap document: each URL with its alternates and an x-default."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for url, versions in sorted(entries, key=lambda entry: entry[0]):
        lines.append(f"  <url><loc>{_escape(url)}</loc>")
        for lang in [
            language.code for language in LANGUAGES if language.code in versions
        ]:
            lines.append(
                f'    <xhtml:link rel="alternate" hreflang="{lang}" '
                f"href={quoteattr(versions[lang])}/>"
            )
        default = versions.get(default_lang)
        if default:
            lines.append(
                '    <xhtml:link rel="alternate" hreflang="x-default" '
                f"href={quoteattr(default)}/>"
            )
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_sitemap(pelican) -> None:
    """After the last subsite: write sitemap.xml and robots.txt at the site's root."""
    settings = pelican.settings
    if settings["DEFAULT_LANG"] != DEFAULT_LANG:
        return  # a subsite: the main site finishes last and writes for all
    siteurl = settings["SITEURL"]
    entries = []
    for subsite_url, content in _COLLECTED:
        versions = version_urls(content, subsite_url)
        entries.append((versions[content.lang], versions))
    # The news list exists in every full language; it is no Pelican content object.
    news = {
        language.code: _absolute(
            siteurl if language.code == DEFAULT_LANG else f"{siteurl}/{language.code}",
            url_settings(language)["INDEX_URL"],
        )
        for language in FULL_LANGUAGES
    }
    entries.extend((url, news) for url in news.values())
    output = Path(settings["OUTPUT_PATH"])
    (output / "sitemap.xml").write_text(
        sitemap_xml(entries, DEFAULT_LANG), encoding="utf-8"
    )
    robots = "User-agent: *\nAllow: /\n"
    if siteurl.startswith("https://"):  # the protocol wants an absolute sitemap URL
        robots += f"\nSitemap: {siteurl}/sitemap.xml\n"
    (output / "robots.txt").write_text(robots, encoding="utf-8")
    LOG.info("%s wrote %d URLs", LOG_PREFIX, len(entries))


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(reset)
    signals.page_generator_finalized.connect(collect)
    signals.article_generator_finalized.connect(collect)
    signals.finalized.connect(write_sitemap)
