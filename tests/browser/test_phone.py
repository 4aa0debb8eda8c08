"""On a phone: the quick exit while scrolling, the folding menu, right to left, print.

The quick exit stays in view while the page scrolls. The main menu folds behind
"Menu" on a phone and opens with and without JavaScript. (The first screen of every
page at 320 x 568 and 360 x 640 is measured by the visit of every page, in
test_every_page.py, which loads each page once for all its checks.)
"""

from __future__ import annotations

import pytest

from sitekit.languages import BY_CODE, HELP_ONLY_CODES, LANGUAGE_CODES
from tests.browser.helpers import HOMES

EXIT_MAX_HEIGHT = 48  # px on a phone (the limit)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_quick_exit_stays_in_view_while_scrolling(open_page, base_url, code):
    page, _ = open_page(viewport={"width": 320, "height": 568})
    page.goto(base_url + HOMES[code])
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 100  # the page did scroll
    top = page.evaluate(
        "document.querySelector('.mh-exit__button').getBoundingClientRect().top"
    )
    assert 0 <= top < EXIT_MAX_HEIGHT
    assert page.is_visible(".mh-exit__button")


def nav_shown(page) -> bool:
    return page.is_visible("#mh-nav .mh-nav__link")


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_the_menu_folds_on_a_phone_and_opens_with_a_button(open_page, base_url, code):
    page, _ = open_page(viewport={"width": 320, "height": 568})
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


def test_without_javascript_the_menu_link_opens_the_menu(open_page, base_url):
    page, _ = open_page(viewport={"width": 320, "height": 568}, javascript=False)
    page.goto(base_url + "/fr/")
    assert not nav_shown(page)
    page.click("a.mh-menu-toggle")
    assert page.url.endswith("#mh-nav")
    assert nav_shown(page)


def test_on_a_wide_screen_the_menu_is_open_and_no_menu_control(open_page, base_url):
    page, _ = open_page(viewport={"width": 1024, "height": 700})
    page.goto(base_url + "/de/")
    assert nav_shown(page)
    assert not page.is_visible(".mh-menu-toggle")


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
def test_right_to_left_mirrors_the_layout_but_not_the_numbers(
    open_page, base_url, code
):
    page, _ = open_page(viewport={"width": 1024, "height": 700})
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


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_print_shows_the_text_not_the_quick_exit_or_menu(open_page, base_url, code):
    page, _ = open_page(viewport={"width": 320, "height": 568})
    page.goto(base_url + HOMES[code])
    page.emulate_media(media="print")
    assert not page.is_visible(".mh-exit__button")
    assert not page.is_visible(".mh-menu-toggle")
    assert page.is_visible("h1")
    assert page.is_visible(".mh-emergency")
