"""Fixtures of the browser tests: one local build, one server, one Chromium.

The site is built with the local settings (root-relative links, as `invoke serve`
and object storage serve it) and served over HTTP on 127.0.0.1 by the same handler
as `invoke serve`; every browser test module shares them.
"""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer

import pytest

from tests.browser.helpers import LAUNCH_ARGS, _QuietHandler
from tests.support import Site, built_once
from tests.tools import CHROMIUM, require


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
        "apt-get install chromium (Debian's package; set CHROMIUM=/path otherwise)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS
        )
        yield browser
        browser.close()
