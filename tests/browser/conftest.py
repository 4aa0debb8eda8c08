"""Fixtures of the browser tests: one local build, one server, one Chromium.

The site is built with the local settings (root-relative links, as `invoke serve`
and object storage serve it) and served over HTTP on 127.0.0.1 by the same handler
as `invoke serve`; every browser test module shares them. A test takes its page
from `open_page`: one of two pages (JavaScript on, off) reused by a worker's tests.
"""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer

import pytest

from tests.browser.helpers import (
    CSP_LISTENER,
    DEFAULT_VIEWPORT,
    LAUNCH_ARGS,
    TIMEOUT_MS,
    Watch,
    _QuietHandler,
)
from tests.support import Site, built_once
from tests.tools import CHROMIUM, chromium_fix, require


@pytest.fixture(scope="session")
def local_site(tmp_path_factory) -> Site:
    """The site built with pelicanconf.py: root-relative URLs, as served locally."""
    return built_once(
        tmp_path_factory.getbasetemp(), "local", settings="pelicanconf.py"
    )


@pytest.fixture(scope="session")
def base_url(local_site):
    """A real HTTP server on 127.0.0.1 serving the site like object storage."""
    handler = functools.partial(_QuietHandler, directory=str(local_site.output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    require(
        CHROMIUM.is_file(),
        f"Chromium ({CHROMIUM})",
        chromium_fix(),
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


class Tabs:
    """A page with JavaScript and one without, each in a context of its own, reused.

    Opening a page costs more CPU than most of these tests spend in it (a renderer
    process, and Playwright's setup of the page): the tests of a worker take turns
    in one page per kind, which `open_page` resets for each test. A test that
    changes its context (a clock) makes a context of its own.
    """

    # The browser keeps at most 50 history entries; past that, history.length stops
    # growing. A page is replaced once its history holds this many, so a test's own
    # entries are always counted.
    HISTORY_ROOM = 30

    def __init__(self, browser) -> None:
        self.browser = browser
        self.contexts: dict[bool, object] = {}
        self.pages: dict[bool, object] = {}

    def context(self, javascript: bool):
        if javascript not in self.contexts:
            context = self.browser.new_context(java_script_enabled=javascript)
            context.set_default_timeout(TIMEOUT_MS)
            context.add_init_script(CSP_LISTENER)
            self.contexts[javascript] = context
        return self.contexts[javascript]

    def page(self, javascript: bool):
        page = self.pages.get(javascript)
        if page is not None and not page.is_closed():
            if page.evaluate("history.length") < self.HISTORY_ROOM:
                return page
            page.close()
        page = self.context(javascript).new_page()
        self.pages[javascript] = page
        page.on("crash", lambda _: self.pages.pop(javascript, None))  # next: new
        return page

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="session")
def tabs(browser):
    made = Tabs(browser)
    yield made
    made.close()


@pytest.fixture
def open_page(tabs, base_url):
    """A page for this test, and its Watch (requests to other hosts, CSP violations).

    `open_page(viewport={"width": 320, "height": 568}, javascript=False)`. The
    page is a reused one, reset: the viewport (1280 x 720 unless given), no media
    emulation, no routes, this test's Watch only; every test starts with a
    `goto`, so no page, script or focus of an earlier test remains. The earlier
    tests' history entries stay (with room for this test's: history.length
    counts), and the context's HTTP cache and storage are shared (the site stores
    nothing: test_every_page.py checks).
    """
    opened = []

    def open_(*, viewport: dict | None = None, javascript: bool = True):
        page = tabs.page(javascript)
        page.unroute_all(behavior="ignoreErrors")
        page.emulate_media(media="null")
        page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
        watch = Watch(base_url)
        watch.listen(page)
        opened.append((page, watch))
        return page, watch

    yield open_
    for page, watch in opened:
        watch.stop(page)
