"""The first screen on a phone, the folding menu and the right-to-left layout.

At 320 x 568 and 360 x 640, every page of every language shows the quick exit,
the <h1> and the first line of the page's text without scrolling; the quick exit
takes at most 48 px and stays in view while the page scrolls. The main menu folds
behind "Menu" on a phone and opens with and without JavaScript.
"""

from __future__ import annotations

import pytest

from sitekit.languages import BY_CODE, HELP_ONLY_CODES, LANGUAGE_CODES
from tests.browser.helpers import HOMES, new_context

PHONES = [(320, 568), (360, 640)]
EXIT_MAX_HEIGHT = 48  # px on a phone (the limit)


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


@pytest.fixture(scope="module")
def first_screens(browser, base_url, local_site) -> dict[tuple[str, int], dict]:
    """Every page at both phone sizes: where its first screen's parts are."""
    found = {}
    paths = [
        "/" + page.relative.removesuffix("index.html") for page in local_site.pages
    ]
    for width, height in PHONES:
        context, _ = new_context(
            browser, base_url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        for path in paths:
            page.goto(base_url + path)
            found[(path, width)] = {**page.evaluate(FIRST_SCREEN), "height": height}
        context.close()
    return found


def test_every_language_and_page_type_is_measured(first_screens, local_site):
    langs = {page.lang for page in local_site.pages}
    assert langs == set(LANGUAGE_CODES)
    assert len(first_screens) == 2 * len(local_site.pages)


def test_exit_h1_and_first_line_are_on_the_first_screen(first_screens):
    late = {
        f"{path} at {width} px": where
        for (path, width), where in first_screens.items()
        if not (
            where["exitTop"] >= 0
            and where["exitBottom"] <= where["height"]
            and where["h1Bottom"] <= where["height"]
            and where["line"] is not None
            and where["line"] <= where["height"]
        )
    }
    assert late == {}


def test_the_quick_exit_takes_at_most_48_px_on_a_phone(first_screens):
    tall = {
        f"{path} at {width} px": where["exitHeight"]
        for (path, width), where in first_screens.items()
        if where["exitHeight"] > EXIT_MAX_HEIGHT
    }
    assert tall == {}


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_quick_exit_stays_in_view_while_scrolling(browser, base_url, code):
    context, _ = new_context(browser, base_url, viewport={"width": 320, "height": 568})
    page = context.new_page()
    page.goto(base_url + HOMES[code])
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 100  # the page did scroll
    top = page.evaluate(
        "document.querySelector('.mh-exit__button').getBoundingClientRect().top"
    )
    assert 0 <= top < EXIT_MAX_HEIGHT
    assert page.is_visible(".mh-exit__button")
    context.close()


def nav_shown(page) -> bool:
    return page.is_visible("#mh-nav .mh-nav__link")


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_the_menu_folds_on_a_phone_and_opens_with_a_button(browser, base_url, code):
    context, _ = new_context(browser, base_url, viewport={"width": 320, "height": 568})
    page = context.new_page()
    page.goto(base_url + HOMES[code])
    toggle = page.locator("button.mh-menu-toggle")
    assert not nav_shown(page)
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "mh-nav"
    toggle.click()
    assert nav_shown(page)
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    assert not nav_shown(page)
    context.close()


def test_without_javascript_the_menu_link_opens_the_menu(browser, base_url):
    context, _ = new_context(
        browser,
        base_url,
        viewport={"width": 320, "height": 568},
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto(base_url + "/fr/")
    assert not nav_shown(page)
    page.click("a.mh-menu-toggle")
    assert page.url.endswith("#mh-nav")
    assert nav_shown(page)
    context.close()


def test_on_a_wide_screen_the_menu_is_open_and_no_menu_control(browser, base_url):
    context, _ = new_context(browser, base_url, viewport={"width": 1024, "height": 700})
    page = context.new_page()
    page.goto(base_url + "/de/")
    assert nav_shown(page)
    assert not page.is_visible(".mh-menu-toggle")
    context.close()


MIRRORED = """() => {
  const button = document.querySelector('.mh-exit__button').getBoundingClientRect();
  const emergency = getComputedStyle(document.querySelector('.mh-emergency'));
  const number = document.querySelector('a[href="tel:+3278055800"]');
  return {buttonCentre: button.left + button.width / 2, width: innerWidth,
          startBorder: parseFloat(emergency.borderRightWidth),
          endBorder: parseFloat(emergency.borderLeftWidth),
          number: getComputedStyle(number).direction,
          numberText: number.textContent};
}"""


@pytest.mark.parametrize("code", HELP_ONLY_CODES)
def test_right_to_left_mirrors_the_layout_but_not_the_numbers(browser, base_url, code):
    context, _ = new_context(browser, base_url, viewport={"width": 1024, "height": 700})
    page = context.new_page()
    page.goto(base_url + HOMES[code])
    seen = page.evaluate(MIRRORED)
    if BY_CODE[code].direction == "rtl":
        # The exit button starts the line: on the right; the emergency box's
        # accent border is on its start side: the right.
        assert seen["buttonCentre"] > seen["width"] / 2
        assert seen["startBorder"] > 0 and seen["endBorder"] == 0
    else:
        assert seen["buttonCentre"] < seen["width"] / 2
        assert seen["endBorder"] > 0 and seen["startBorder"] == 0
    assert seen["number"] == "ltr"  # "078 05 58 00" reads left to right
    context.close()


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_print_shows_the_text_not_the_quick_exit_or_menu(browser, base_url, code):
    context, _ = new_context(browser, base_url, viewport={"width": 320, "height": 568})
    page = context.new_page()
    page.goto(base_url + HOMES[code])
    page.emulate_media(media="print")
    assert not page.is_visible(".mh-exit__button")
    assert not page.is_visible(".mh-menu-toggle")
    assert page.is_visible("h1")
    assert page.is_visible(".mh-emergency")
    context.close()
