"""What the browser tests share: Chromium's flags, a watch on what a page does."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pelicanconf import QUICK_EXIT
from sitekit.languages import LANGUAGE_CODES
from sitekit.tools.serve import _Handler

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


TIMEOUT_MS = 15_000  # for each action of a page; Playwright's own is 30 s
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # Playwright's default

HOMES = {code: "/" if code == "nl" else f"/{code}/" for code in LANGUAGE_CODES}


# Collects Content-Security-Policy violations in every page; an init script is
# run by the browser itself, so the page's own policy does not apply to it.
CSP_LISTENER = """
window.__mhViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__mhViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
  );
});
"""


# Each full language's search page, and a word its pages use.
SEARCH = {
    "nl": ("/zoeken.html", "mensenhandel"),
    "fr": ("/fr/recherche.html", "traite"),
    "de": ("/de/suche.html", "Menschenhandel"),
    "en": ("/en/search.html", "trafficking"),
}


# A page whose own policy blocks its inline script and style: two violations.
_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'"
CSP_PROBE = (
    f'<!DOCTYPE html><html lang=en><meta http-equiv="Content-Security-Policy" '
    f'content="{_POLICY}"><title>probe</title><script>document.title="ran"'
    "</script><p style='color:red'>x</p>"
)


NEUTRAL_PAGE = "<!DOCTYPE html><html lang=en><title>Neutral</title><p>Neutral site."


class _QuietHandler(_Handler):
    def log_message(self, format: str, *args) -> None:
        pass  # the tests report what matters


@dataclass
class Watch:
    """What a browser context or page did: requests to other hosts, CSP violations."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        """Watch every page the context opens."""
        context.add_init_script(CSP_LISTENER)
        self.listen(context)

    def listen(self, target) -> None:
        """Listen to a context or a page whose pages have CSP_LISTENER already."""
        target.on("request", self._request)
        target.on("console", self._console)

    def stop(self, target) -> None:
        target.remove_listener("request", self._request)
        target.remove_listener("console", self._console)

    def _request(self, request) -> None:
        if urlsplit(request.url).scheme in ("data", "blob", "about"):
            return
        if not request.url.startswith(self.origin + "/"):
            self.foreign.append(request.url)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def collect(self, page) -> None:
        """Add the violations the page's listener saw (call before leaving it)."""
        self.violations += page.evaluate("window.__mhViolations || []")


def new_context(browser, base_url: str, **options):
    """A context of its own, watched: for a test that changes the whole context."""
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch(base_url)
    watch.attach(context)
    return context, watch


def answer_neutral_sites(page, referers: dict[str, str | None] | None = None) -> None:
    """Answer the page's requests to the quick exit's neutral sites locally.

    `referers`, if given, gets the Referer each request was sent with.
    """

    def neutral(route) -> None:
        if referers is not None:
            referers[route.request.url] = route.request.headers.get("referer")
        route.fulfill(body=NEUTRAL_PAGE, content_type="text/html")

    for url in QUICK_EXIT["urls"].values():
        page.route(f"{url}**", neutral)


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
