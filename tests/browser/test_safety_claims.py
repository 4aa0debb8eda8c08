"""What the site tells visitors about their safety is what it does, in a real browser.

The quick-exit page (QUICK_EXIT["info_page"], linked from the exit bar of every page)
says how many Shift presses leave, after how many seconds the count starts again,
and where Back leads with JavaScript and without it. The numbers are read from the
built page in each language and checked against the script and its behaviour; Back is
checked with JavaScript on and off. The help and privacy pages give the same advice
and point to that page.

The local build and its server are those of test_browser.py; the browser is launched
the same way.
"""

from __future__ import annotations

import re

import pytest

from pelicanconf import FOOTER_PAGES, QUICK_EXIT
from sitekit.languages import LANGUAGE_CODES
from tests.browser.helpers import HOMES, answer_neutral_sites, new_context
from tests.support import ROOT

pytestmark = pytest.mark.browser

SCRIPT = ROOT / "theme" / "static" / "js" / "quick-exit.js"
# How each language writes "seconds" after the number.
SECONDS = {
    "nl": "seconden",
    "fr": "secondes",
    "de": "Sekunden",
    "en": "seconds",
    "ar": "ثوانٍ",
    "ro": "secunde",
}


def script_constant(name: str) -> int:
    """A number the quick-exit script is written with, e.g. PRESSES."""
    match = re.search(rf"\bvar {name} = (\d+);", SCRIPT.read_text(encoding="utf-8"))
    assert match, f"{SCRIPT.name} no longer defines {name}: update this test"
    return int(match[1])


def info_path(local_site, code: str) -> str:
    """The path of the page that explains the quick exit, as the exit bar links it."""
    home = local_site.page(HOMES[code].lstrip("/") + "index.html")
    return home.soup.select_one(".mh-exit__info")["href"]


def shift_claim(local_site, code: str) -> tuple[int, int]:
    """The presses and the seconds the quick-exit page states, in its own words."""
    path = info_path(local_site, code).lstrip("/")
    items = local_site.page(path).soup.select("main li")
    shift = [" ".join(li.get_text(" ").split()) for li in items if "Shift" in li.text]
    assert len(shift) == 1, f"{path}: one list item should explain the Shift key"
    presses = re.search(r"\d+", shift[0])
    seconds = re.search(rf"(\d+)\s*{SECONDS[code]}", shift[0])
    assert presses and seconds, f"{path}: say how many presses and seconds: {shift}"
    return int(presses[0]), int(seconds[1])


@pytest.fixture
def clock_page(browser, base_url):
    """A page in a context of its own: its clock is the context's, not the page's."""
    context, _ = new_context(browser, base_url)
    page = context.new_page()
    answer_neutral_sites(page)
    yield page
    context.close()


def status(page) -> str:
    return page.text_content(".mh-exit__status").strip()


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_page_states_the_presses_and_the_reset_the_script_uses(local_site, code):
    presses, seconds = shift_claim(local_site, code)
    assert presses == script_constant("PRESSES")
    assert seconds * 1000 == script_constant("RESET_AFTER_MS")


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_count_is_shown_announced_and_reset_as_the_page_says(
    clock_page, base_url, local_site, code
):
    presses, seconds = shift_claim(local_site, code)
    page = clock_page
    page.clock.install()  # the reset waits on the page's clock, not on ours
    page.goto(base_url + info_path(local_site, code))
    page.wait_for_selector(".mh-exit__hint", state="visible")
    for _ in range(presses - 1):
        page.keyboard.press("Shift")
    # Shown on the page, and in a live region that screen readers announce.
    assert status(page) and page.is_visible(".mh-exit__status")
    assert page.get_attribute(".mh-exit__status", "role") == "status"
    page.clock.run_for(seconds * 1000 + 50)
    assert status(page) == ""  # the count started again
    for _ in range(presses - 1):
        page.keyboard.press("Shift")
    page.clock.run_for(seconds * 1000 - 500)  # in time: the next press leaves
    with page.expect_navigation():
        page.keyboard.press("Shift")
    assert page.url == QUICK_EXIT["urls"][code]


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_with_javascript_back_shows_the_page_before_often_one_of_this_site(
    open_page, base_url, local_site, code
):
    page, _ = open_page()  # with room in its history: history.length counts
    answer_neutral_sites(page)
    before = base_url + HOMES[code]
    page.goto(before)
    with page.expect_navigation():
        page.click(".mh-exit__info")  # a second page of this site, then leave it
    left = page.url
    page.wait_for_selector(".mh-exit__hint", state="visible")
    entries = page.evaluate("history.length")
    with page.expect_navigation():
        page.click(".mh-exit__button")
    assert page.url == QUICK_EXIT["urls"][code]
    assert page.evaluate("history.length") == entries  # replaced, not added
    page.go_back()
    assert page.url == before  # the page before: this site, not the page left
    assert page.url != left


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_without_javascript_the_button_is_a_link_and_back_returns(
    open_page, base_url, local_site, code
):
    page, _ = open_page(javascript=False)
    answer_neutral_sites(page)
    page.goto(base_url + HOMES[code])
    with page.expect_navigation():
        page.click(".mh-exit__info")
    left = page.url
    assert not page.is_visible(".mh-exit__hint")  # no shortcut is offered
    for _ in range(script_constant("PRESSES")):
        page.keyboard.press("Shift")
    assert page.url == left  # and none works
    assert page.text_content(".mh-exit__status").strip() == ""
    with page.expect_navigation():
        page.click(".mh-exit__button")
    assert page.url == QUICK_EXIT["urls"][code]
    page.go_back()
    assert page.url == left  # the page left is still in the history


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_quick_exit_page_says_what_needs_javascript(local_site, code):
    path = info_path(local_site, code).lstrip("/")
    headings = [h.text for h in local_site.page(path).soup.select("main h2")]
    assert any("JavaScript" in heading for heading in headings), headings


def has_page(key: str, code: str) -> bool:
    return (ROOT / "content" / "pages" / f"{key}.{code}.md").is_file()


@pytest.mark.parametrize(
    ("code", "key"),
    [
        (code, key)
        for code in LANGUAGE_CODES
        for key in ("hulp", "privacy")
        if has_page(key, code)  # a help-only language has no privacy page
    ],
)
def test_the_help_and_privacy_pages_give_the_same_advice(local_site, code, key):
    """They say what depends on JavaScript and point to the full explanation."""
    home = local_site.page(HOMES[code].lstrip("/") + "index.html")
    # The footer's links to pages of this language (the others carry `lang`).
    links = [a for a in home.soup.select(".mh-footer__nav a") if not a.has_attr("lang")]
    own = [other for other in FOOTER_PAGES if has_page(other, code)]
    path = links[own.index(key)]["href"].lstrip("/") + (
        "index.html" if links[own.index(key)]["href"].endswith("/") else ""
    )
    main = local_site.page(path).soup.select_one("main")
    assert "JavaScript" in main.get_text()
    hrefs = [a["href"] for a in main.select("a[href]")]
    assert info_path(local_site, code) in hrefs, f"{path} does not link the page"
