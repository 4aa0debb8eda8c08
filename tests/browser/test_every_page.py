"""Every page of every language, visited once on a phone in headless Chromium.

The site is built with the local settings and served over HTTP on 127.0.0.1 by the
same handler as `invoke serve` (tests/browser/conftest.py). The one visit of each
page collects what the tests below assert: axe-core violations, horizontal
scrolling at 320 px, storage, requests, cookies and Content-Security-Policy
violations, and the first screen: at 320 x 568 and 360 x 640, every page shows the
quick exit, the <h1> and the first line of the page's text without scrolling, and
the quick exit takes at most 48 px. Loading a page is most of a visit's cost: each
page is loaded once, and everything is read from that load. The visit is this
module's alone, so it runs on one worker while the other modules run on the
others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sitekit.languages import FULL_LANGUAGE_CODES, LANGUAGE_CODES
from tests.browser.helpers import (
    CSP_PROBE,
    HOMES,
    SEARCH,
    Watch,
    new_context,
    search,
)
from tests.tools import AXE, require

# The phones the first screen is measured at; the visit loads every page at the
# first, where the other checks run too.
PHONES = [(320, 568), (360, 640)]
SIZE = {"width": PHONES[0][0], "height": PHONES[0][1]}
EXIT_MAX_HEIGHT = 48  # px on a phone (the limit)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


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


@dataclass
class Audit:
    """The results of visiting every page once."""

    urls: list[str] = field(default_factory=list)
    axe: dict[str, list[str]] = field(default_factory=dict)
    overflow: dict[str, list[str]] = field(default_factory=dict)
    storage: dict[str, list] = field(default_factory=dict)
    cookies: list = field(default_factory=list)
    watch: Watch | None = None
    # (path, width) -> where the first screen's parts are, and the window's height
    first_screens: dict[tuple[str, int], dict] = field(default_factory=dict)


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


# Where the quick exit, the h1 and the first line of text after the h1 are.
FIRST_SCREEN = """() => {
  const box = (element) => element.getBoundingClientRect();
  const exit = box(document.querySelector('.mh-exit'));
  const h1 = document.querySelector('main h1');
  const walker = document.createTreeWalker(
    document.querySelector('main'), NodeFilter.SHOW_TEXT,
    {acceptNode: (node) => h1.contains(node) || !node.textContent.trim()
      || !(h1.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING)
      ? NodeFilter.FILTER_SKIP : NodeFilter.FILTER_ACCEPT});
  const text = walker.nextNode();
  let line = null;
  if (text) {
    const range = document.createRange();
    range.selectNodeContents(text);
    const rects = [...range.getClientRects()].filter((r) => r.height > 0);
    line = rects.length ? rects[0].bottom : null;
  }
  return {exitTop: exit.top, exitBottom: exit.bottom, exitHeight: exit.height,
          h1Top: box(h1).top, h1Bottom: box(h1).bottom, line,
          text: text ? text.textContent.trim().slice(0, 30) : null};
}"""


STORAGE = """async () => [
  localStorage.length, sessionStorage.length, document.cookie,
  (await indexedDB.databases()).length, (await caches.keys()).length
]"""


def measure_first_screens(page, path: str, found: dict) -> None:
    """The first screen of the loaded page at each phone size, then back to the first.

    The page is loaded at the first size; the others are measured after resizing it
    (test_a_resized_page_measures_as_if_loaded_at_that_size shows it is the same).
    """
    for width, height in PHONES:
        if page.viewport_size != {"width": width, "height": height}:
            page.set_viewport_size({"width": width, "height": height})
        found[(path, width)] = {**page.evaluate(FIRST_SCREEN), "height": height}
    page.set_viewport_size(SIZE)


@pytest.fixture(scope="module")
def audit(browser, base_url, local_site) -> Audit:
    """Visit every page of every language, and a missing one, at 320 px wide."""
    context, watch = new_context(browser, base_url, viewport=SIZE)
    context.add_init_script(path=AXE)  # compiled once, present in every page
    result = Audit(watch=watch)
    pages = [
        "/" + page.relative.removesuffix("index.html") for page in local_site.pages
    ]
    paths = pages + [f"{home}no-such-page.html" for home in HOMES.values()]  # 404s
    page = context.new_page()
    for path in paths:
        url = base_url + path
        page.goto(url)
        result.urls.append(url)
        if path in pages:  # first, as loaded: nothing has scrolled yet
            measure_first_screens(page, path, result.first_screens)
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


def test_axe_as_run_above_reports_a_known_violation(open_page, base_url):
    """The audit's options keep every violation: a page with two is caught."""
    page, _ = open_page()
    probe = (
        "<!DOCTYPE html><html lang=en><title>probe</title><main><h1>Probe</h1>"
        '<img src="a.png"><img src="b.png"></main>'
    )
    page.route(
        f"{base_url}/axe-probe.html",
        lambda route: route.fulfill(body=probe, content_type="text/html"),
    )
    page.goto(f"{base_url}/axe-probe.html")
    found = run_axe(page)
    (image_alt,) = [text for text in found if text.startswith("image-alt ")]
    assert "a.png" in image_alt and "b.png" in image_alt, image_alt  # both nodes


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
    context.route(
        f"{base_url}/csp-probe.html",
        lambda route: route.fulfill(body=CSP_PROBE, content_type="text/html"),
    )
    page = context.new_page()
    page.goto(f"{base_url}/csp-probe.html")
    watch.collect(page)
    assert page.title() == "probe"  # the inline script was blocked
    assert any("script-src" in text for text in watch.violations), watch.violations
    context.close()


def test_every_language_and_page_type_is_measured(audit, local_site):
    langs = {page.lang for page in local_site.pages}
    assert langs == set(LANGUAGE_CODES)
    assert set(audit.first_screens) == {
        ("/" + page.relative.removesuffix("index.html"), width)
        for page in local_site.pages
        for width, _ in PHONES
    }


def test_a_resized_page_measures_as_if_loaded_at_that_size(audit, open_page, base_url):
    """The visit resizes a loaded page to measure the other phones: check it here.

    Every home page and every search page (the pages of each script of the theme)
    loaded at each other size measures the same. Should a script ever lay out a
    page by the window's size at load, this fails: the visit must then load every
    page at every size.
    """
    paths = [*HOMES.values(), *(location for location, _ in SEARCH.values())]
    loaded, resized = {}, {}
    for width, height in PHONES[1:]:
        page, _ = open_page(viewport={"width": width, "height": height})
        for path in paths:
            page.goto(base_url + path)
            loaded[(path, width)] = {**page.evaluate(FIRST_SCREEN), "height": height}
            resized[(path, width)] = audit.first_screens[(path, width)]
    assert loaded == resized


def test_exit_h1_and_first_line_are_on_the_first_screen(audit):
    late = {
        f"{path} at {width} px": where
        for (path, width), where in audit.first_screens.items()
        if not (
            where["exitTop"] >= 0
            and where["exitBottom"] <= where["height"]
            and where["h1Bottom"] <= where["height"]
            and where["line"] is not None
            and where["line"] <= where["height"]
        )
    }
    assert late == {}


def test_the_quick_exit_takes_at_most_48_px_on_a_phone(audit):
    tall = {
        f"{path} at {width} px": where["exitHeight"]
        for (path, width), where in audit.first_screens.items()
        if where["exitHeight"] > EXIT_MAX_HEIGHT
    }
    assert tall == {}
