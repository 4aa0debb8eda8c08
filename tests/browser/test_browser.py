"""The site in a real browser: headless Debian Chromium driven by Playwright.

The site is built with the local settings (root-relative links, as `invoke serve`
and object storage serve it) and served over HTTP on 127.0.0.1 by the same handler
as `invoke serve` (tests/browser/conftest.py). The keyboard, the quick exit and
search, in a page as a visitor uses them; the visit of every page (axe-core,
overflow, storage, requests) is in test_every_page.py. The neutral sites of the
quick exit are never contacted: the browser's requests to them are answered
locally and recorded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pelicanconf import QUICK_EXIT
from sitekit.languages import FULL_LANGUAGE_CODES, LANGUAGE_CODES
from tests.browser.helpers import (
    CSP_PROBE,
    HOMES,
    SEARCH,
    answer_neutral_sites,
    search,
)

FOCUS_STATE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  const x = box.left + Math.min(box.width / 2, 5), y = box.top + box.height / 2;
  const seen = document.elementFromPoint(x, y);
  return {
    name: `${element.tagName} ${element.textContent.trim().slice(0, 30)}`,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
    onScreen: box.bottom > 0 && box.top < innerHeight && box.width > 0,
    uncovered: !!seen && (element.contains(seen) || seen.contains(element)),
  };
}"""


@pytest.mark.parametrize(
    "path", ["/", "/fr/statut.html", "/de/aktuelles/", "/en/exit-this-page.html"]
)
def test_keyboard_skip_link_then_quick_exit_and_focus_always_visible(
    open_page, base_url, path
):
    page, _ = open_page(viewport={"width": 1024, "height": 700})
    page.goto(base_url + path)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "mh-skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "mh-exit__button"
    hidden = []
    for _ in range(80):  # every stop of the page, to the end
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            break
        if not (state["outline"] or state["shadow"]):
            hidden.append(f"no focus style: {state['name']}")
        if not (state["onScreen"] and state["uncovered"]):
            hidden.append(f"off screen or covered: {state['name']}")
        page.keyboard.press("Tab")
    assert hidden == []


@pytest.fixture
def exit_page(open_page):
    """A page whose requests to the neutral sites are answered locally."""
    page, watch = open_page()
    referers: dict[str, str | None] = {}
    answer_neutral_sites(page, referers)
    return page, watch, referers


def press_shift(page, times: int) -> None:
    for _ in range(times):
        page.keyboard.press("Shift")


def status(page) -> str:
    return page.text_content(".mh-exit__status").strip()


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_shift_three_times_leaves_and_back_does_not_return(exit_page, base_url, code):
    page, watch, referers = exit_page
    page.goto(base_url + HOMES[code])
    with page.expect_navigation():
        page.click(".mh-nav__item:nth-child(2) a")  # a second page, in the history
    left_from = page.url
    # The shortcut is offered once the script runs (it shows the hint).
    page.wait_for_selector(".mh-exit__hint", state="visible")
    press_shift(page, 1)
    once = status(page)
    assert once and page.is_visible(".mh-exit__status")
    assert page.get_attribute(".mh-exit__status", "role") == "status"
    press_shift(page, 1)
    assert status(page) not in ("", once)  # the count moves on
    with page.expect_navigation():
        press_shift(page, 1)
    assert page.url == QUICK_EXIT["urls"][code]
    # The request went out without saying where it came from.
    assert referers == {QUICK_EXIT["urls"][code]: None}
    assert watch.foreign == [QUICK_EXIT["urls"][code]]  # the watch sees other hosts
    page.go_back()
    assert page.url == base_url + HOMES[code]  # the page before, not `left_from`
    assert page.url != left_from


def test_any_other_key_resets_the_count(exit_page, base_url):
    page, _, _ = exit_page
    page.goto(base_url + "/en/")
    press_shift(page, 1)
    once = status(page)
    press_shift(page, 1)
    page.keyboard.press("a")
    assert status(page) == ""
    press_shift(page, 1)
    assert status(page) == once  # counting starts again at 1
    press_shift(page, 1)
    page.keyboard.press("Shift+A")  # typing a capital is no press, and resets
    assert status(page) == ""
    press_shift(page, 2)
    assert page.url == base_url + "/en/"
    with page.expect_navigation():
        press_shift(page, 1)
    assert page.url == QUICK_EXIT["urls"]["en"]


def test_the_button_replaces_the_page(exit_page, base_url):
    page, _, _ = exit_page
    page.goto(base_url + "/fr/")
    page.goto(base_url + "/fr/statut.html")
    with page.expect_navigation():
        page.click(".mh-exit__button")
    assert page.url == QUICK_EXIT["urls"]["fr"]
    page.go_back()
    assert page.url == base_url + "/fr/"


def test_without_javascript_the_button_is_a_plain_link(open_page, base_url):
    page, _ = open_page(javascript=False)
    answer_neutral_sites(page)
    page.goto(base_url + "/de/")
    assert not page.is_visible(".mh-exit__hint")  # no shortcut without the script
    with page.expect_navigation():
        page.click(".mh-exit__button")
    assert page.url == QUICK_EXIT["urls"]["de"]


def test_the_quick_exit_is_not_printed(open_page, base_url):
    page, _ = open_page()
    page.goto(base_url + "/")
    assert page.is_visible(".mh-exit__button")
    page.emulate_media(media="print")
    assert not page.is_visible(".mh-exit__button")
    assert page.is_visible("h1")


def test_the_watch_of_a_page_sees_a_csp_violation(open_page, base_url):
    """The search test's watch.violations == [] could not fail unseen: prove it."""
    page, watch = open_page()
    page.route(
        f"{base_url}/csp-probe.html",
        lambda route: route.fulfill(body=CSP_PROBE, content_type="text/html"),
    )
    page.goto(f"{base_url}/csp-probe.html")
    assert page.title() == "probe"  # the inline script was blocked
    assert any("script-src" in text for text in watch.violations), watch.violations


@pytest.mark.parametrize("code", FULL_LANGUAGE_CODES)  # help-only: no search
def test_each_language_searches_only_its_own_pages(open_page, base_url, code):
    page, watch = open_page()
    location, term = SEARCH[code]
    page.goto(base_url + location)
    links = search(page, term)
    assert links
    prefix = HOMES[code]
    others = [HOMES[other] for other in LANGUAGE_CODES if other not in (code, "nl")]
    for link in links:
        assert link.startswith(prefix) and not link.startswith(tuple(others)), link
    # A result opens its page.
    with page.expect_navigation():
        page.locator(".mh-search__result a").first.click()
    assert page.url.startswith(base_url + prefix)
    assert watch.foreign == []
    assert watch.violations == []


def test_a_search_term_in_the_address_is_searched(open_page, base_url):
    page, _ = open_page()
    page.goto(base_url + "/en/search.html?q=smuggling")
    assert page.input_value("#mh-search-input") == "smuggling"
    page.wait_for_selector(".mh-search__result", state="attached")
    assert "smuggling" in page.text_content(".mh-search__summary")


def test_without_javascript_search_points_to_the_site_map(open_page, base_url):
    page, _ = open_page(javascript=False)
    page.goto(base_url + "/fr/recherche.html")
    assert page.is_visible(".mh-search__fallback")
    assert not page.is_visible("#mh-search-input")
    with page.expect_navigation():
        page.click(".mh-search__fallback a")
    assert page.url == base_url + "/fr/plan-du-site.html"
    assert page.locator("main a").count() > 10


def test_the_local_build_links_by_root_relative_paths(local_site):
    """What the browser tests see is what `invoke serve` and object storage serve."""
    page = local_site.page("fr/recherche.html")
    assert page.soup.select_one("[data-mh-search]")["data-mh-bundle"] == "/pagefind/"
    assert Path(local_site.output / "pagefind" / "pagefind.js").is_file()
