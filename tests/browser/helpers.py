"""What the browser tests share: Chromium's flags, a watch on what a page does."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

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


NEUTRAL_PAGE = "<!DOCTYPE html><html lang=en><title>Neutral</title><p>Neutral site."


class _QuietHandler(_Handler):
    def log_message(self, format: str, *args) -> None:
        pass  # the tests report what matters


@dataclass
class Watch:
    """What a browser context did: requests to other hosts, CSP violations."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.add_init_script(CSP_LISTENER)
        context.on("request", self._request)
        context.on("console", self._console)

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
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    watch = Watch(base_url)
    watch.attach(context)
    return context, watch


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
