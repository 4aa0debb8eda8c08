"""The documentation catalogue: the built pages in four languages, and bad entries.

Site tests read the one production build (`site`); plugin tests build tiny fixture
content with the real settings and theme (`build_fixture`).
"""

from __future__ import annotations

import datetime
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from pypdf import PdfReader

from sitekit.content.documents import read_config
from sitekit.content.source import read_content_file
from sitekit.languages import (
    FULL_LANGUAGE_CODES as LANGUAGE_CODES,
)  # documents: full languages
from tests.support import ROOT, SITEURL, Page, Site

# SITE_CONTENT: the content the SITE_OUTPUT under test was built from (see conftest).
CONTENT = Path(os.environ.get("SITE_CONTENT") or ROOT / "content")


ENTRIES = sorted((CONTENT / "documents").glob("*.md"))


CATALOGUE = {
    "nl": "documentatie.html",
    "fr": "fr/documentation.html",
    "de": "de/dokumentation.html",
    "en": "en/documentation.html",
}


HOME = {
    "nl": "index.html",
    "fr": "fr/index.html",
    "de": "de/index.html",
    "en": "en/index.html",
}


EXTERNAL_MARK = {
    "nl": "externe website",
    "fr": "site externe",
    "de": "externe Website",
    "en": "external site",
}


SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def entry_metadata(path: Path) -> dict[str, str]:
    source, problems = read_content_file(path, CONTENT)
    assert problems == []
    return {key: value for key, (value, _line) in source.metadata.items()}


def entry_date(metadata: dict[str, str]) -> datetime.date:
    if "date" in metadata:
        return datetime.date.fromisoformat(metadata["date"])
    return datetime.date(int(metadata["year"]), 12, 31)


def catalogue(site: Site, lang: str) -> Page:
    return site.page(CATALOGUE[lang])


def entry_items(page: Page):
    return page.soup.select("main li.mh-doc")


def spaces(text: str) -> str:
    """Babel separates number and unit by a no-break space (narrow in French)."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def size_number(text: str) -> int:
    """The whole number of a shown size such as "23 kB" or "3 ko"."""
    match = re.fullmatch(r"(\d+) (kB|ko)", spaces(text))
    assert match, text
    return int(match[1])


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_every_entry_is_listed_exactly_once(site, lang):
    ids = [item["id"] for item in entry_items(catalogue(site, lang))]
    assert sorted(ids) == sorted(f"document-{path.stem}" for path in ENTRIES)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_grouped_by_type_in_the_configured_order_newest_first(site, lang):
    page = catalogue(site, lang)
    metadata = {f"document-{p.stem}": entry_metadata(p) for p in ENTRIES}
    used = {m["type"] for m in metadata.values()}
    groups = page.soup.select("main section.mh-docgroup")
    assert [g["data-type"] for g in groups] == [
        t for t in read_config({}).types if t in used
    ]
    for group in groups:
        items = group.select("li.mh-doc")
        assert {metadata[item["id"]]["type"] for item in items} == {group["data-type"]}
        dates = [entry_date(metadata[item["id"]]) for item in items]
        assert dates == sorted(dates, reverse=True), group["id"]


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_shown_sizes_equal_the_real_file_sizes(site, lang):
    page = catalogue(site, lang)
    shown = page.soup.select("main .mh-doc__format")
    assert len(shown) >= 4  # the fact sheet, in its own and three other languages
    for element in shown:
        link = element.find_previous("a")
        target = site.local_path(link["href"], page)
        size = target.stat().st_size
        assert int(element["data-bytes"]) == size
        text = element.get_text(strip=True).strip("()")
        kind, _, amount = text.partition(", ")
        assert kind == target.suffix.lstrip(".").upper() == "PDF"
        assert size_number(amount) == round(size / 1000)


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_local_links_resolve_to_one_copy_at_the_site_root(site, lang):
    page = catalogue(site, lang)
    local = [
        a["href"]
        for a in page.soup.select("main li.mh-doc a")
        if a["href"].startswith(SITEURL)
    ]
    assert local
    for url in local:
        assert urlsplit(url).path.startswith("/documents/"), url
        assert site.local_path(url, page).is_file(), url
    # Written once: no language subsite has a copy of its own.
    for code in LANGUAGE_CODES[1:]:
        assert not (site.output / code / "documents").exists()


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_external_links_are_https_and_say_external_site(site, lang):
    page = catalogue(site, lang)
    external = [
        a
        for a in page.soup.select("main li.mh-doc a")
        if not a["href"].startswith(SITEURL)
    ]
    assert len(external) >= 12
    for link in external:
        parts = urlsplit(link["href"])
        assert parts.scheme == "https" and parts.hostname, link["href"]
        assert re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", parts.hostname)
        assert not parts.username and not parts.port and " " not in link["href"]
        mark = link.select_one(".mh-doc__external").get_text()
        assert EXTERNAL_MARK[lang] in mark and parts.hostname in mark


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_type_links_land_on_the_right_group(site, lang):
    page = catalogue(site, lang)
    links = page.soup.select("main nav.mh-doctypes a")
    sections = page.soup.select("main section.mh-docgroup")
    assert len(links) == len(sections)
    for link, section in zip(links, sections, strict=True):
        target = page.soup.find(id=link["href"].removeprefix("#"))
        assert target is section
        assert link.get_text(strip=True) == section.h2.get_text(strip=True)
        # The group's own page lists the same entries, under the same name.
        own = section.select_one(".mh-docgroup__page a")["href"]
        type_page = next(p for p in site.pages if p.url == own)
        assert type_page.soup.h1.get_text(strip=True) == section.h2.get_text(strip=True)
        current = type_page.soup.select_one('nav.mh-nav a[aria-current="true"]')
        assert current["href"] == page.url  # the menu shows the section we are in
        assert [li["id"] for li in type_page.soup.select("main li.mh-doc")] == [
            li["id"] for li in section.select("li.mh-doc")
        ]
        assert {li["data-type"] for li in type_page.soup.select("main li.mh-doc")} == {
            section["data-type"]
        }


def test_catalogue_and_type_pages_are_in_the_sitemap_in_every_language(site):
    root = ET.parse(site.output / "sitemap.xml").getroot()
    sitemap = {
        url.find("s:loc", SITEMAP_NS).text: {
            link.get("hreflang") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in root.findall("s:url", SITEMAP_NS)
    }
    for lang in LANGUAGE_CODES:
        page = catalogue(site, lang)
        urls = [page.url] + [
            a["href"] for a in page.soup.select("main .mh-docgroup__page a")
        ]
        assert len(urls) >= 7
        for url in urls:
            assert sitemap[url] == {*LANGUAGE_CODES, "x-default"}, url


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_every_local_document_within_two_clicks_of_the_home_page(site, lang):
    home = site.page(HOME[lang])
    by_path = {page.path: page for page in site.pages}
    reached: set[Path] = set()
    frontier = [home]
    for _click in range(2):
        next_pages = []
        for page in frontier:
            for link in page.soup.find_all("a", href=True):
                target = site.local_path(link["href"], page)
                if target is None or target in reached or not target.is_file():
                    continue
                reached.add(target)
                if target in by_path:
                    next_pages.append(by_path[target])
        frontier = next_pages
    documents = set((site.output / "documents").iterdir())
    assert len(documents) == 4
    assert documents <= reached


def test_entries_speak_the_page_language(site):
    expected = {
        "nl": ("Nederlands en Frans", "5 april 2011"),
        "fr": ("néerlandais et français", "5 avril 2011"),
        "de": ("Niederländisch und Französisch", "5. April 2011"),
        "en": ("Dutch and French", "5 April 2011"),
    }
    for lang, (languages, date) in expected.items():
        page = catalogue(site, lang)
        report = page.soup.find(id="document-jaarverslag-2006")
        assert report.select_one(".mh-doc__languages").get_text() == languages
        directive = page.soup.find(id="document-richtlijn-2011-36")
        time = directive.select_one(".mh-doc__date time")
        assert (time["datetime"], time.get_text()) == ("2011-04-05", date)
        # The title exists only in Dutch: it is marked as Dutch on the other pages.
        title = report.select_one(".mh-doc__title a")
        assert "Slachtoffers in beeld" in title.get_text()
        span = title.find("span", lang=True)
        assert (span["lang"] if span else lang) == "nl"


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_a_document_in_one_language_is_linked_with_hreflang(site, lang):
    sheet = catalogue(site, lang).soup.find(id="document-feitenblad")
    link = sheet.select_one(".mh-doc__title a")
    assert link["hreflang"] == lang
    assert link["href"].endswith(f"/documents/feitenblad.{lang}.pdf")
    others = sheet.select("a.mh-doc__other")
    assert sorted(a["hreflang"] for a in others) == sorted(
        code for code in LANGUAGE_CODES if code != lang
    )
    assert all(a["lang"] == a["hreflang"] for a in others)


def test_collection_links_say_that_they_lead_to_a_collection(site):
    page = catalogue(site, "en")
    for path in ENTRIES:
        item = page.soup.find(id=f"document-{path.stem}")
        is_collection = entry_metadata(path).get("link") == "collection"
        assert bool(item.select_one(".mh-doc__note")) == is_collection, path.name
        if is_collection:
            assert not item.select_one(".mh-doc__title a").get("hreflang")


def test_the_fact_sheet_pdf_holds_its_markdown_source(site):
    for lang in LANGUAGE_CODES:
        reader = PdfReader(site.output / "documents" / f"feitenblad.{lang}.pdf")
        text = " ".join(page.extract_text() for page in reader.pages)
        source = (CONTENT / "documents" / "files" / f"feitenblad.{lang}.md").read_text()
        for number in ("112", "101", "078 05 58 00", "03 201 16 90"):
            assert number in text and number in source
        title = entry_metadata(CONTENT / "documents" / "feitenblad.md")[f"title_{lang}"]
        assert reader.metadata.title == title


def test_urls_on_the_catalogue_are_absolute_and_clean(site):
    page = catalogue(site, "nl")
    for link in page.soup.select("main a[href]"):
        url = urldefrag(urljoin(page.url, link["href"]))[0]
        assert "/../" not in url and url.startswith("https://"), url
