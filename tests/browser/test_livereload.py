"""`invoke livereload` reloads the page in a real browser, under the site's own CSP.

The livereload library injects an inline <script>, which `script-src 'self'` blocks:
the server used to rebuild while the page never reloaded. Ours loads the reload
script as a file from the same origin; the built files never contain it.
"""

from __future__ import annotations

import time

from tests.browser.helpers import CSP_LISTENER
from tests.plugins.test_editor_tools import HOME, free_port, wait_for, write
from tests.support import ROOT, start_livereload


def test_an_edit_reloads_the_open_page_by_itself(browser, tmp_path):
    content = tmp_path / "content"
    source = write(content / "pages" / "home.nl.md", HOME)
    output, log, port = tmp_path / "out", tmp_path / "log.txt", free_port()
    server = start_livereload(content, output, log, port)
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(CSP_LISTENER)
    try:
        wait_for(log, "Ctrl-C stops the server.")
        url = f"http://127.0.0.1:{port}/"
        page.goto(url)
        assert "Tekst." in page.inner_text("main")
        # The reload client is connected before the edit, or the test proves nothing.
        page.wait_for_function("() => window.LiveReload !== undefined", timeout=5000)
        time.sleep(0.5)

        source.write_text(HOME.replace("Tekst.", "Bewerkt."), encoding="utf-8")
        edited = time.monotonic()
        page.wait_for_function(
            "() => document.body.innerText.includes('Bewerkt.')", timeout=10000
        )
        # About 1 s on a quiet machine; the bound only says the reload follows the
        # edit (a timed test is no benchmark: 2 s failed when other tests ran).
        assert time.monotonic() - edited < 5.0, "the page reloaded too late"
        assert page.evaluate("window.__mhViolations") == []
        assert not [text for text in console if "Content Security Policy" in text]
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=10)
    # Preview only: the files the build wrote have no reload script.
    built = (output / "index.html").read_text(encoding="utf-8")
    assert "livereload" not in built


def test_the_reload_script_is_in_no_published_page():
    assert "livereload" not in "".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "theme" / "templates").rglob("*.html")
    )
