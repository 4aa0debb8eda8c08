"""Pelican plugin: the quick-exit button's settings, checked before anything is built.

The button (theme/templates/partials/quick_exit.html, theme/static/js/quick-exit.js)
leads to a neutral website in the visitor's language. Which website is an editorial
choice, so it is a setting, `QUICK_EXIT` in pelicanconf.py:

    QUICK_EXIT = {
        "urls": {"nl": "https://…", "fr": "https://…", "de": "https://…", "en": "https://…"},
        "info_page": "snel-weg",  # <key> of content/pages/<key>.<lang>.md
    }

A mistake in it (a language without a site, a plain-http or relative address) would
send a visitor in danger to the wrong place, so it stops the build with a message
that says which entry is wrong and how to fix it.
"""

from __future__ import annotations

import logging

from pelican import signals

from sitekit.languages import LANGUAGE_CODES
from sitekit.settings import Option, https_url_problem, read_options

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.visitors.quick_exit]"


def _urls_problem(urls: dict) -> str | None:
    for code in LANGUAGE_CODES:
        reason = https_url_problem(urls.get(code, ""))
        if code not in urls:
            return (
                f'has no neutral website for {code!r}: add "{code}": "https://…" '
                "(e.g. a weather or news site in that language)"
            )
        if reason:
            return f"has {code!r}: {urls[code]!r}, which {reason}"
    extra = sorted(set(urls) - set(LANGUAGE_CODES))
    if extra:
        return f"names language(s) {extra} that this site does not have"
    return None


def _page_key_problem(value: str) -> str | None:
    if value:
        return None
    return "must be the <key> of the page, as in content/pages/<key>.<lang>.md"


OPTIONS = {
    # Where the button leads, per language: a neutral website.
    "urls": Option(kind=dict, rule=_urls_problem, example='{"nl": "https://…", …}'),
    # The page that explains the button: content/pages/<key>.<lang>.md.
    "info_page": Option(kind=str, rule=_page_key_problem, example='"snel-weg"'),
}


def validate(value: object) -> dict:
    """A checked copy of the QUICK_EXIT setting; SettingsError if wrong."""
    checked = read_options("QUICK_EXIT", value, OPTIONS, "in pelicanconf.py")
    return {
        "urls": {code: checked["urls"][code] for code in LANGUAGE_CODES},
        "info_page": checked["info_page"],
    }


def check_settings(pelican) -> None:
    """Validate QUICK_EXIT once per (sub)site, before any template is rendered."""
    pelican.settings["QUICK_EXIT"] = validate(pelican.settings.get("QUICK_EXIT"))
    LOG.debug("%s settings checked", LOG_PREFIX)


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_settings)
