"""Help-only languages (Arabic, right to left, and Romanian), read from the built site.

A help-only language has its help page as home, the quick-exit explanation, the
centres and a site map; the pages it lacks are offered in the full language the
visitor chooses. hreflang and the sitemap (test_site_pages, test_sitemap) list
only the versions that exist; every link resolves (test_site_links).
"""

from __future__ import annotations

import gettext
import re

import pytest

from pelicanconf import FOOTER_PAGES, QUICK_EXIT
from sitekit.languages import BY_CODE, FULL_LANGUAGE_CODES, HELP_ONLY_CODES
from sitekit.visitors.i18n import FOOTER_LABELS
from tests.support import ROOT, SITEURL

# The help page's content as the Dutch one has it: numbers to call.
HELP_NUMBERS = ("tel:112", "tel:101", "tel:+3278055800", "tel:+3232011690")


def catalog(code: str) -> gettext.GNUTranslations:
    return gettext.translation("messages", str(ROOT / "theme/translations"), [code])


def test_there_are_help_only_languages_and_one_is_right_to_left():
    assert HELP_ONLY_CODES
    assert "rtl" in {BY_CODE[code].direction for code in HELP_ONLY_CODES}


@pytest.mark.parametrize("code", HELP_ONLY_CODES)
def test_the_home_page_is_the_help_page_in_that_language(site, code):
    home = site.page(f"{code}/index.html")
    html = home.soup.html
    assert html["lang"] == code and html["dir"] == BY_CODE[code].direction
    main_links = {a["href"] for a in home.soup.main.find_all("a", href=True)}
    assert set(HELP_NUMBERS) <= main_links
    # It is the translation of the Dutch help page: they name each other.
    alternates = {
        link["hreflang"]: link["href"]
        for link in home.soup.find_all("link", rel="alternate", hreflang=True)
    }
    assert alternates["nl"] == f"{SITEURL}/hulp.html"


@pytest.mark.parametrize("code", HELP_ONLY_CODES)
def test_no_news_no_feed_no_documents_no_search(site, code):
    files = {path.name for path in (site.output / code).rglob("*") if path.is_file()}
    assert not {"all.atom.xml"} & files
    assert not [p for p in (site.output / code).iterdir() if p.is_dir()]
    for page in site.pages:
        if page.lang == code:
            nav = page.soup.select("nav.mh-nav a")
            assert all(a["href"].startswith(f"{SITEURL}/{code}/") for a in nav)
            assert not page.soup.find(attrs={"data-pagefind-body": True})


@pytest.mark.parametrize("code", HELP_ONLY_CODES)
def test_pages_it_lacks_are_offered_in_each_full_language(site, code):
    translate = catalog(code).gettext
    for page in site.pages:
        if page.lang != code:
            continue
        footer = page.soup.footer
        offers = [
            li for li in footer.select(".mh-footer__nav li") if li.a.has_attr("lang")
        ]
        lacking = [
            key
            for key in FOOTER_PAGES
            if not (ROOT / "content" / "pages" / f"{key}.{code}.md").is_file()
        ]
        assert lacking, "a help-only language lacks some footer page"
        assert len(offers) == len(lacking), page.relative
        for key, item in zip(lacking, offers, strict=True):
            assert item.text.strip().startswith(translate(FOOTER_LABELS[key]))
            assert translate(FOOTER_LABELS[key]) != FOOTER_LABELS[key]
            links = item.find_all("a")
            assert [a["lang"] for a in links] == list(FULL_LANGUAGE_CODES)
            assert all(a["href"].startswith(SITEURL + "/") for a in links)
        # And the rest of the site, in the language the visitor picks.
        more = footer.select(".mh-more a")
        assert [a["hreflang"] for a in more] == list(FULL_LANGUAGE_CODES)


@pytest.mark.parametrize("code", HELP_ONLY_CODES)
def test_quick_exit_leaves_for_a_neutral_site_in_that_language(site, code):
    button = site.page(f"{code}/index.html").soup.select_one(".mh-exit__button")
    assert button["href"] == QUICK_EXIT["urls"][code]
    assert f"//{code}." in button["href"]


SPACED_NUMBER = re.compile(r"\d+ \d+")


def test_numbers_in_right_to_left_pages_stay_left_to_right(site):
    rtl = [p for p in site.pages if p.soup.html.get("dir") == "rtl"]
    assert rtl
    for page in rtl:
        for link in page.soup.find_all("a", href=re.compile("^tel:")):
            # "03 201 16 90" would read backwards, group by group, in an rtl line.
            if SPACED_NUMBER.search(link.text):
                assert link.get("dir") == "ltr", f"{page.relative}: {link.text}"


def test_the_switcher_of_every_page_offers_the_help_languages(site):
    for page in site.pages:
        offered = {a["hreflang"] for a in page.soup.select("nav.mh-languages a")}
        assert set(HELP_ONLY_CODES) <= offered, page.relative
