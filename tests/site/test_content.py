"""The content is faithful: the seed on the Dutch site, translations, dates, feeds.

Translations exist and link back; dates read as each language writes them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from sitekit.languages import FULL_LANGUAGE_CODES, LANGUAGE_CODES
from tests.seed import SECTIONS, seed_sections, sentences
from tests.support import SITEURL

DATES = {
    "nl": "18 oktober 2008",
    "fr": "18 octobre 2008",
    "de": "18. Oktober 2008",
    "en": "18 October 2008",
}


ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("heading", list(SECTIONS))
def test_every_seed_sentence_is_on_its_dutch_page(site, heading):
    page = site.page(SECTIONS[heading])
    text = page.text()
    assert page.soup.h1.get_text(strip=True) == heading
    for paragraph in seed_sections()[heading]:
        for sentence in sentences(paragraph):
            if sentence.startswith('Film "10 minutes"'):
                continue  # the news item, tested below
            assert sentence in text, f"{page.relative} lacks: {sentence}"


def test_the_seed_news_item_is_on_the_dutch_site(site):
    article = site.page("nieuws/film-10-minutes.html")
    assert article.soup.h1.get_text() == 'Film "10 minutes"'
    assert "18 oktober 2008" in article.text()
    assert 'Film "10 minutes"' in site.page("nieuws/index.html").text()


def test_the_breadcrumb_label_of_the_seed(site):
    assert "U bent hier" in site.page("statuut.html").text()


def test_translations_link_to_each_other(site):
    """If A's switcher sends French readers to B, B sends Dutch readers to A.

    A language without a version leads to that language's home page instead.
    """
    by_url = {page.url: page for page in site.pages}
    homes = {
        code: f"{SITEURL}/" + ("" if code == "nl" else f"{code}/")
        for code in LANGUAGE_CODES
    }
    for page in site.pages:
        if page.relative.endswith("404.html"):
            continue
        for link in page.soup.select("nav.mh-languages a"):
            lang = link["hreflang"]
            if "mh-languages__link--home" in link.get("class", []):
                assert link["href"] == homes[lang], f"{page.relative} → {lang}"
                continue
            other = by_url[link["href"]]
            back = other.soup.select_one(f'nav.mh-languages a[hreflang="{page.lang}"]')
            assert back["href"] == page.url, f"{page.relative} ↔ {other.relative}"
            assert "mh-languages__link--home" not in back.get("class", [])


@pytest.mark.parametrize("lang", FULL_LANGUAGE_CODES)
def test_dates_are_written_as_the_language_writes_them(site, lang):
    prefix = "" if lang == "nl" else f"{lang}/"
    news = {"nl": "nieuws", "fr": "actualites", "de": "aktuelles", "en": "news"}[lang]
    article = site.page(f"{prefix}{news}/film-10-minutes.html")
    time = article.soup.find("time")
    assert time["datetime"] == "2008-10-18"
    assert time.get_text() == DATES[lang]
    assert DATES[lang] in site.page(f"{prefix}{news}/index.html").text()


@pytest.mark.parametrize("lang", FULL_LANGUAGE_CODES)
def test_one_atom_feed_per_language_with_only_its_own_language(site, lang):
    prefix = "" if lang == "nl" else f"{lang}/"
    feed_path = site.output / prefix / "feeds" / "all.atom.xml"
    root = ET.parse(feed_path).getroot()
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == f"{SITEURL}/{prefix}feeds/all.atom.xml"
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith(f"{SITEURL}/{prefix}"), link
        assert not any(
            link.startswith(f"{SITEURL}/{o}/") for o in FULL_LANGUAGE_CODES if o != lang
        )
    page = site.page(f"{prefix}index.html")
    feed_link = page.soup.find("link", type="application/atom+xml")
    assert feed_link["href"] == self_link.get("href")
