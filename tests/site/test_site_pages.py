"""Every built page has what a visitor and a screen reader rely on."""

from __future__ import annotations

import pytest

from sitekit.languages import FULL_LANGUAGE_CODES, LANGUAGE_CODES
from tests.support import SITEURL

BREADCRUMB_LABELS = {
    "nl": "U bent hier",
    "fr": "Vous êtes ici",
    "de": "Sie sind hier",
    "en": "You are here",
    "ar": "أنت هنا",
    "ro": "Vă aflați aici",
}


EMERGENCY_NUMBERS = ("112", "101", "078 05 58 00")


def test_html_lang_matches_the_subsite(site):
    wrong = [p.relative for p in site.pages if p.soup.html.get("lang") != p.lang]
    assert wrong == []


def test_exactly_one_h1_a_title_and_a_description(site):
    for page in site.pages:
        assert len(page.soup.find_all("h1")) == 1, page.relative
        assert page.soup.title and page.soup.title.get_text(strip=True), page.relative
        description = page.soup.find("meta", attrs={"name": "description"})
        assert description and description["content"].strip(), page.relative


def test_skip_link_is_first_and_has_a_target(site):
    for page in site.pages:
        first_link = page.soup.body.find("a")
        assert first_link["href"] == "#main", page.relative
        assert page.soup.find(id="main").name == "main", page.relative


def test_landmarks(site):
    for page in site.pages:
        for landmark in ("header", "nav", "main", "footer"):
            assert page.soup.find(landmark), f"{page.relative}: no <{landmark}>"
        assert len(page.soup.find_all("main")) == 1


def test_breadcrumb_in_the_page_language_ends_in_the_current_page(site):
    for page in site.pages:
        breadcrumb = page.soup.select_one("nav.mh-breadcrumb")
        assert breadcrumb, page.relative
        assert BREADCRUMB_LABELS[page.lang] in breadcrumb.get_text(), page.relative
        last = breadcrumb.select("li")[-1]
        assert last.get("aria-current") == "page", page.relative
        h1 = page.soup.h1.get_text(" ", strip=True)
        assert last.get_text(" ", strip=True) == h1, page.relative


def test_breadcrumb_shows_the_real_path_of_a_news_article(site):
    items = site.page("nieuws/film-10-minutes.html").soup.select(".mh-breadcrumb li")
    assert [item.get_text(strip=True) for item in items] == [
        "Mensenhandel",
        "Nieuws",
        'Film "10 minutes"',
    ]
    assert items[1].a["href"] == f"{SITEURL}/nieuws/"


def test_language_switcher_has_every_language(site):
    for page in site.pages:
        switcher = page.soup.select_one("nav.mh-languages")
        assert switcher, page.relative
        links = switcher.find_all("a")
        assert [link["hreflang"] for link in links] == list(LANGUAGE_CODES)
        current = [link for link in links if link.get("aria-current")]
        assert [link["hreflang"] for link in current] == [page.lang], page.relative


def test_main_navigation_marks_the_current_page(site):
    page = site.page("fr/statut.html")
    current = page.soup.select('nav.mh-nav a[aria-current="page"]')
    assert [link["href"] for link in current] == [f"{SITEURL}/fr/statut.html"]


def test_emergency_numbers_in_every_footer(site):
    for page in site.pages:
        footer = page.soup.footer.get_text(" ")
        for number in EMERGENCY_NUMBERS:
            assert number in footer, f"{page.relative}: {number}"
        assert page.soup.footer.find("a", href="tel:112"), page.relative


def test_nothing_is_loaded_from_another_host(site):
    for page in site.pages:
        for tag, attribute in (("link", "href"), ("script", "src"), ("img", "src")):
            for element in page.soup.find_all(tag, attrs={attribute: True}):
                if tag == "link" and element.get("rel") in (
                    ["alternate"],
                    ["canonical"],
                ):
                    continue
                url = element[attribute]
                assert url.startswith((SITEURL + "/", "/")), f"{page.relative}: {url}"


def test_no_inline_script_or_style(site):
    for page in site.pages:
        assert not page.soup.find("script", src=False), page.relative
        assert not page.soup.find("style"), page.relative
        assert not page.soup.find(attrs={"style": True}), page.relative


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("statuut.html", f"{SITEURL}/statuut.html"),
        ("fr/statut.html", f"{SITEURL}/fr/statut.html"),
        ("index.html", f"{SITEURL}/"),
        ("en/index.html", f"{SITEURL}/en/"),
        ("de/aktuelles/index.html", f"{SITEURL}/de/aktuelles/"),
    ],
)
def test_canonical_is_the_absolute_clean_url(site, relative, expected):
    canonical = site.page(relative).soup.find("link", rel="canonical")
    assert canonical["href"] == expected


def test_hreflang_alternates_list_every_version_and_x_default(site):
    """Alternates: the switcher's real links (not home fallbacks) and x-default.

    Every version lists the same set: one translation set, whatever exists.
    """
    by_url = {page.url: page for page in site.pages}
    for page in site.pages:
        if page.relative.endswith("404.html"):
            continue  # noindex; offers every home page instead
        alternates = alternates_of(page)
        switcher = {
            link["hreflang"]: link["href"]
            for link in page.soup.select("nav.mh-languages a")
            if "mh-languages__link--home" not in link.get("class", [])
        }
        assert alternates[page.lang] == page.url, page.relative
        assert {k: v for k, v in alternates.items() if k != "x-default"} == switcher
        first = next(code for code in LANGUAGE_CODES if code in switcher)
        assert alternates["x-default"] == alternates[first]
        for url in alternates.values():
            assert url.startswith(SITEURL + "/"), url
            assert "/../" not in url and "/./" not in url, url
            assert alternates_of(by_url[url]) == alternates, (page.relative, url)


def alternates_of(page) -> dict[str, str]:
    return {
        link["hreflang"]: link["href"]
        for link in page.soup.find_all("link", rel="alternate", hreflang=True)
    }


def test_the_404_page_is_not_indexed_and_links_by_absolute_paths(site):
    for code in FULL_LANGUAGE_CODES:  # the root's 404 page serves help-only ones
        page = site.page("404.html" if code == "nl" else f"{code}/404.html")
        assert page.soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        for link in page.soup.find_all("a", href=True):
            # Absolute: ours, or another site's (the quick exit's neutral site).
            assert link["href"].startswith((SITEURL, "https://", "#", "tel:")), link[
                "href"
            ]
