"""The site in a real browser: headless Debian Chromium driven by Playwright.

The site is built with the local settings (root-relative links, as `invoke serve`
and object storage serve it) and served over HTTP on 127.0.0.1 by the same handler
as `invoke serve` (tests/browser/conftest.py). Every page of the four
languages is visited once at 320 px wide; that visit collects what the tests below
assert: axe-core violations, horizontal scrolling, storage, requests, cookies and
Content-Security-Policy violations. The neutral sites of the quick exit are never
contacted: the browser's requests to them are answered locally and recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pelicanconf import QUICK_EXIT
from sitekit.languages import FULL_LANGUAGE_CODES, LANGUAGE_CODES
from tests.browser.helpers import HOMES, NEUTRAL_PAGE, Watch, new_context
from tests.tools import AXE, require

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


SEARCH = {
    "nl": ("/zoeken.html", "mensenhandel"),
    "fr": ("/fr/recherche.html", "traite"),
    "de": ("/de/suche.html", "Menschenhandel"),
    "en": ("/en/search.html", "trafficking"),
}


def run_axe(page) -> list[str]:
    """axe-core's violations on the page, injected from the pinned Python package."""
    require(AXE.is_file(), "axe-core", "pip install -r requirements.txt")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    # resultTypes: every violating node is still reported; passes, incomplete and
    # inapplicable results keep one node each, which spares axe building selectors
    # for every node of the page (half of the audit's time), and they are not read.
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
    ]


def search(page, term: str) -> list[str]:
    """Type `term` in the search box; the links of the results, once loaded."""
    page.fill("#mh-search-input", term)
    # Pagefind's result list renders placeholders, then replaces them, and loads a
    # result's link once it is in view: scroll and look again on every poll, so a
    # replaced element is never held on to.
    page.wait_for_function(
        """() => {
          const result = document.querySelector('.mh-search__result');
          if (!result) return false;
          result.scrollIntoView({block: 'nearest'});
          const summary = document.querySelector('.mh-search__summary');
          return document.querySelector('.mh-search__result a') !== null
            && summary.textContent.trim() !== '';
        }"""
    )
    return page.eval_on_selector_all(
        ".mh-search__result a", "links => links.map(a => a.getAttribute('href'))"
    )


@dataclass
class Audit:
    """The results of visiting every page once."""

    urls: list[str] = field(default_factory=list)
    axe: dict[str, list[str]] = field(default_factory=dict)
    overflow: dict[str, list[str]] = field(default_factory=dict)
    storage: dict[str, list] = field(default_factory=dict)
    cookies: list = field(default_factory=list)
    watch: Watch | None = None


# Wider than the window: the page scrolls sideways, or (seen with a sticky parent,
# where scrollWidth stays put) an element sticks out past the right edge. Content of
# a box that scrolls on its own within the window (a wide table) is fine.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > width) wide.push("the page scrolls");
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let contained = false;
    for (let up = element.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible"
          && up.getBoundingClientRect().right <= width + 1) {
        contained = true;
        break;
      }
    }
    if (!contained) wide.push(`${element.tagName}.${element.className}`);
  }
  return wide.slice(0, 5);
}"""


STORAGE = """async () => [
  localStorage.length, sessionStorage.length, document.cookie,
  (await indexedDB.databases()).length, (await caches.keys()).length
]"""


@pytest.fixture(scope="module")
def audit(browser, base_url, local_site) -> Audit:
    """Visit every page of the four languages, and a missing one, at 320 px wide."""
    context, watch = new_context(
        browser, base_url, viewport={"width": 320, "height": 640}
    )
    context.add_init_script(path=AXE)  # compiled once, present in every page
    result = Audit(watch=watch)
    paths = [
        "/" + page.relative.removesuffix("index.html") for page in local_site.pages
    ]
    paths += [f"{home}no-such-page.html" for home in HOMES.values()]  # real 404s
    page = context.new_page()
    for path in paths:
        url = base_url + path
        page.goto(url)
        result.urls.append(url)
        result.overflow[path] = page.evaluate(OVERFLOW)
        result.axe[path] = run_axe(page)
        if path in {location for location, _ in SEARCH.values()}:
            # The results are drawn by script: check them too.
            lang = next(code for code, (where, _) in SEARCH.items() if where == path)
            search(page, SEARCH[lang][1])
            result.axe[f"{path} (with results)"] = run_axe(page)
            result.overflow[f"{path} (with results)"] = page.evaluate(OVERFLOW)
        result.storage[path] = page.evaluate(STORAGE)
        watch.collect(page)
    result.cookies = context.cookies()
    context.close()
    return result


def test_axe_finds_no_violation_on_any_page_in_any_language(audit, local_site):
    # Every page type in every language: home, section pages, news list, article,
    # documentation, search (empty and with results), quick-exit page, 404 ...
    # ... plus a missing page in every language and search results in the full ones.
    assert len(audit.axe) >= (
        len(local_site.pages) + len(LANGUAGE_CODES) + len(FULL_LANGUAGE_CODES)
    )
    found = {path: problems for path, problems in audit.axe.items() if problems}
    assert found == {}


def test_axe_as_run_above_reports_a_known_violation(browser, base_url):
    """The audit's options keep every violation: a page with two is caught."""
    context, _ = new_context(browser, base_url)
    probe = (
        "<!DOCTYPE html><html lang=en><title>probe</title><main><h1>Probe</h1>"
        '<img src="a.png"><img src="b.png"></main>'
    )
    context.route(
        f"{base_url}/axe-probe.html",
        lambda route: route.fulfill(body=probe, content_type="text/html"),
    )
    page = context.new_page()
    page.goto(f"{base_url}/axe-probe.html")
    found = run_axe(page)
    (image_alt,) = [text for text in found if text.startswith("image-alt ")]
    assert "a.png" in image_alt and "b.png" in image_alt, image_alt  # both nodes
    context.close()


def test_no_page_scrolls_horizontally_at_320_px(audit):
    assert {path: wide for path, wide in audit.overflow.items() if wide} == {}


def test_no_request_to_another_host_no_cookie_no_csp_violation(audit):
    assert audit.watch.foreign == []
    assert audit.cookies == []
    assert audit.watch.violations == []


def test_nothing_is_stored_in_the_browser(audit):
    stored = {
        path: values
        for path, values in audit.storage.items()
        if values != [0, 0, "", 0, 0]
    }
    assert stored == {}


def test_the_csp_watch_sees_a_violation_when_there_is_one(browser, base_url):
    """The check above could not fail if violations went unseen: prove they don't."""
    context, watch = new_context(browser, base_url)
    policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'"
    probe = (
        f'<!DOCTYPE html><html lang=en><meta http-equiv="Content-Security-Policy" '
        f'content="{policy}"><title>probe</title><script>document.title="ran"'
        "</script><p style='color:red'>x</p>"
    )
    context.route(
        f"{base_url}/csp-probe.html",
        lambda route: route.fulfill(body=probe, content_type="text/html"),
    )
    page = context.new_page()
    page.goto(f"{base_url}/csp-probe.html")
    watch.collect(page)
    assert page.title() == "probe"  # the inline script was blocked
    assert any("script-src" in text for text in watch.violations), watch.violations
    context.close()


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
    browser, base_url, path
):
    context, _ = new_context(browser, base_url, viewport={"width": 1024, "height": 700})
    page = context.new_page()
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
    context.close()


@pytest.fixture
def exit_context(browser, base_url):
    """A context whose requests to the neutral sites are answered locally."""
    context, watch = new_context(browser, base_url)
    referers: dict[str, str | None] = {}

    def neutral(route) -> None:
        referers[route.request.url] = route.request.headers.get("referer")
        route.fulfill(body=NEUTRAL_PAGE, content_type="text/html")

    for url in QUICK_EXIT["urls"].values():
        context.route(f"{url}**", neutral)
    yield context, watch, referers
    context.close()


def press_shift(page, times: int) -> None:
    for _ in range(times):
        page.keyboard.press("Shift")


def status(page) -> str:
    return page.text_content(".mh-exit__status").strip()


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_shift_three_times_leaves_and_back_does_not_return(
    exit_context, base_url, code
):
    context, watch, referers = exit_context
    page = context.new_page()
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


def test_any_other_key_resets_the_count(exit_context, base_url):
    context, _, _ = exit_context
    page = context.new_page()
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


def test_the_button_replaces_the_page(exit_context, base_url):
    context, _, _ = exit_context
    page = context.new_page()
    page.goto(base_url + "/fr/")
    page.goto(base_url + "/fr/statut.html")
    with page.expect_navigation():
        page.click(".mh-exit__button")
    assert page.url == QUICK_EXIT["urls"]["fr"]
    page.go_back()
    assert page.url == base_url + "/fr/"


def test_without_javascript_the_button_is_a_plain_link(browser, base_url):
    context, _ = new_context(browser, base_url, java_script_enabled=False)
    context.route(
        f"{QUICK_EXIT['urls']['de']}**",
        lambda route: route.fulfill(body=NEUTRAL_PAGE, content_type="text/html"),
    )
    page = context.new_page()
    page.goto(base_url + "/de/")
    assert not page.is_visible(".mh-exit__hint")  # no shortcut without the script
    with page.expect_navigation():
        page.click(".mh-exit__button")
    assert page.url == QUICK_EXIT["urls"]["de"]
    context.close()


def test_the_quick_exit_is_not_printed(browser, base_url):
    context, _ = new_context(browser, base_url)
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.is_visible(".mh-exit__button")
    page.emulate_media(media="print")
    assert not page.is_visible(".mh-exit__button")
    assert page.is_visible("h1")
    context.close()


@pytest.mark.parametrize("code", FULL_LANGUAGE_CODES)  # help-only: no search
def test_each_language_searches_only_its_own_pages(browser, base_url, code):
    context, watch = new_context(browser, base_url)
    page = context.new_page()
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
    context.close()


def test_a_search_term_in_the_address_is_searched(browser, base_url):
    context, _ = new_context(browser, base_url)
    page = context.new_page()
    page.goto(base_url + "/en/search.html?q=smuggling")
    assert page.input_value("#mh-search-input") == "smuggling"
    page.wait_for_selector(".mh-search__result", state="attached")
    assert "smuggling" in page.text_content(".mh-search__summary")
    context.close()


def test_without_javascript_search_points_to_the_site_map(browser, base_url):
    context, _ = new_context(browser, base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/fr/recherche.html")
    assert page.is_visible(".mh-search__fallback")
    assert not page.is_visible("#mh-search-input")
    with page.expect_navigation():
        page.click(".mh-search__fallback a")
    assert page.url == base_url + "/fr/plan-du-site.html"
    assert page.locator("main a").count() > 10
    context.close()


def test_the_local_build_links_by_root_relative_paths(local_site):
    """What the browser tests see is what `invoke serve` and object storage serve."""
    page = local_site.page("fr/recherche.html")
    assert page.soup.select_one("[data-mh-search]")["data-mh-bundle"] == "/pagefind/"
    assert Path(local_site.output / "pagefind" / "pagefind.js").is_file()
