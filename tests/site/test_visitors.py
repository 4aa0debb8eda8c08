"""Visitors first, read from the built site: quick exit, privacy and search index.

What only a browser can show (the Shift shortcut, requests, axe) is in
test_browser.py; these checks read the HTML and the files the build wrote.
"""

from __future__ import annotations

import json

import pytest

from pelicanconf import QUICK_EXIT
from sitekit.languages import FULL_LANGUAGE_CODES, HELP_ONLY_CODES, LANGUAGE_CODES
from sitekit.visitors.search import UNUSED_FILES
from tests.support import SITEURL

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


SEARCH_PAGES = {
    "nl": "zoeken.html",
    "fr": "fr/recherche.html",
    "de": "de/suche.html",
    "en": "en/search.html",
}


EXIT_PAGES = {
    "nl": "snel-weg.html",
    "fr": "fr/sortie-rapide.html",
    "de": "de/schnell-weg.html",
    "en": "en/exit-this-page.html",
    "ar": "ar/khuruj-sari.html",
    "ro": "ro/iesire-rapida.html",
}


SITE_MAPS = {
    "nl": "sitemap.html",
    "fr": "fr/plan-du-site.html",
    "de": "de/seitenuebersicht.html",
    "en": "en/site-map.html",
    "ar": "ar/sitemap.html",
    "ro": "ro/harta-site.html",
}


# "Your browsing history is NOT erased", as each explanation page says it.
NOT_ERASED = {
    "nl": "wist niet de geschiedenis",
    "fr": "n’efface pas l’historique",
    "de": "löscht den Verlauf Ihres Browsers nicht",
    "en": "does not erase your browser’s history",
    "ar": "لا يمحو سجل متصفحك",
    "ro": "nu șterge istoricul browserului",
}


def policy_of(page) -> str:
    meta = page.soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta, f"{page.relative}: no Content-Security-Policy meta"
    return meta["content"]


def test_every_page_has_the_policy_before_anything_it_governs(site):
    for page in site.pages:
        head = page.soup.head
        meta = head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta, page.relative
        # A policy applies only to what comes after it: nothing may load before it.
        for earlier in meta.find_all_previous(["script", "link", "style"]):
            pytest.fail(f"{page.relative}: <{earlier.name}> before the policy")


def test_the_policy_allows_only_this_site(site):
    search = set(SEARCH_PAGES.values())
    for page in site.pages:
        policy = policy_of(page)
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        if page.relative in search:
            # Pagefind's WebAssembly needs this, and only on the search page.
            expected = POLICY.replace(
                "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"
            )
            assert policy == expected, page.relative
        else:
            assert policy == POLICY, page.relative


def test_no_inline_event_handler_attribute(site):
    for page in site.pages:
        for element in page.soup.find_all(True):
            handlers = [name for name in element.attrs if name.startswith("on")]
            assert handlers == [], f"{page.relative}: <{element.name} {handlers}>"


def test_outbound_links_send_no_referrer(site):
    for page in site.pages:
        meta = page.soup.find("meta", attrs={"name": "referrer"})
        assert meta and meta["content"] == "no-referrer", page.relative


def test_quick_exit_is_the_first_stop_after_the_skip_link_on_every_page(site):
    for page in site.pages:
        links = page.soup.body.find_all("a", href=True)
        assert "mh-skip-link" in links[0]["class"], page.relative
        button = links[1]
        assert "mh-exit__button" in button["class"], page.relative
        assert button["href"] == QUICK_EXIT["urls"][page.lang], page.relative
        assert "noreferrer" in button["rel"], page.relative


def test_quick_exit_links_to_its_explanation_in_the_same_language(site):
    for page in site.pages:
        info = page.soup.select_one(".mh-exit a.mh-exit__info")
        assert info, page.relative
        assert info["href"] == f"{SITEURL}/{EXIT_PAGES[page.lang]}", page.relative


def test_quick_exit_has_a_live_count_and_strings_in_the_page_language(site):
    for code in LANGUAGE_CODES:
        page = site.page(EXIT_PAGES[code])
        exit_bar = page.soup.select_one(".mh-exit")
        assert exit_bar.select_one('.mh-exit__status[role="status"]')
        once, twice = exit_bar["data-mh-once"], exit_bar["data-mh-twice"]
        assert "1" in once and "2" in twice and once != twice
        assert exit_bar.select_one(".mh-exit__hint").has_attr("hidden")  # JS shows it
    texts = {
        code: site.page(EXIT_PAGES[code]).soup.select_one(".mh-exit__button").text
        for code in LANGUAGE_CODES
    }
    assert len(set(texts.values())) == len(LANGUAGE_CODES), texts


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_explanation_says_history_is_not_erased_and_how_to_be_safer(site, code):
    page = site.page(EXIT_PAGES[code])
    text = page.text().replace("'", "’")
    assert NOT_ERASED[code].replace("'", "’") in text
    assert "Shift" in text
    # The three ways to browse more safely are its sub-headings' subject.
    assert len(page.soup.select("article li strong")) >= 3


def indexed_pages(site) -> dict[str, int]:
    counts = dict.fromkeys(FULL_LANGUAGE_CODES, 0)
    for page in site.pages:
        if page.soup.find(attrs={"data-pagefind-body": True}):
            counts[page.lang] += 1
    return counts


def test_one_search_index_per_language_with_every_content_page(site):
    entry = json.loads((site.output / "pagefind/pagefind-entry.json").read_text())
    counted = {code: data["page_count"] for code, data in entry["languages"].items()}
    assert counted == indexed_pages(site)
    for code in FULL_LANGUAGE_CODES:
        assert (site.output / f"pagefind/wasm.{code}.pagefind").is_file()


def test_help_only_languages_are_not_indexed_and_search_their_site_map(site):
    for page in site.pages:
        if page.lang in HELP_ONLY_CODES:
            assert not page.soup.find(attrs={"data-pagefind-body": True}), page.relative


def test_search_site_map_and_404_are_not_indexed(site):
    for relative in [*SEARCH_PAGES.values(), *SITE_MAPS.values(), "404.html"]:
        assert not site.page(relative).soup.find(attrs={"data-pagefind-body": True})
    # Navigation and footer are outside the indexed part of every other page.
    home = site.page("index.html").soup
    assert home.find("main").has_attr("data-pagefind-body")
    assert not home.header.find_parent(attrs={"data-pagefind-body": True})


@pytest.mark.parametrize("code", FULL_LANGUAGE_CODES)
def test_search_page_loads_the_bundle_and_says_what_to_do_without_javascript(
    site, code
):
    page = site.page(SEARCH_PAGES[code])
    search = page.soup.select_one("[data-mh-search]")
    assert search["data-mh-bundle"] == f"{SITEURL}/pagefind/"
    scripts = [script["src"] for script in page.soup.find_all("script")]
    assert not [src for src in scripts if "/pagefind/" in src]  # search.js imports it
    assert (site.output / "pagefind" / "pagefind.js").is_file()
    fallback = search.select_one(".mh-search__fallback")
    assert not fallback.has_attr("hidden")
    assert fallback.a["href"] == f"{SITEURL}/{SITE_MAPS[code]}"
    assert search.select_one(".mh-search__ui").has_attr("hidden")
    assert page.soup.find("label", attrs={"for": "mh-search-input"}).text.strip()


def test_every_page_links_to_the_search_page_of_its_language(site):
    for page in site.pages:
        link = page.soup.select_one(".mh-header__search a")
        # A language without search (help-only) links its site map instead.
        target = SEARCH_PAGES.get(page.lang) or SITE_MAPS[page.lang]
        assert link["href"] == f"{SITEURL}/{target}", page.relative


def test_only_the_pagefind_files_pages_load_are_published(site):
    bundle = site.output / "pagefind"
    assert [name for name in UNUSED_FILES if (bundle / name).exists()] == []
    # What search.js needs is there: the API, its worker, the WASM and the index.
    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    assert list(bundle.glob("wasm.*.pagefind"))
    assert list((bundle / "fragment").iterdir()) and list((bundle / "index").iterdir())


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_site_map_lists_every_page_of_its_language(site, code):
    page = site.page(SITE_MAPS[code])
    listed = {link["href"] for link in page.soup.select("main a[href]")}
    expected = {
        other.url
        for other in site.pages
        if other.lang == code and not other.relative.endswith("404.html")
    }
    assert expected - listed == set()


def test_pages_of_every_language_are_indexed(site):
    assert all(count > 5 for count in indexed_pages(site).values())
