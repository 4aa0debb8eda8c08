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
from urllib.parse import urlsplit

from pelican import signals

from sitekit.languages import LANGUAGE_CODES

LOG = logging.getLogger(__name__)
LOG_PREFIX = "[sitekit.quick_exit]"
KEYS = ("urls", "info_page")


class QuickExitSettingsError(ValueError):
    """QUICK_EXIT in the settings cannot be used; the message says how to fix it."""


def validate(value: object) -> dict:
    """A checked copy of the QUICK_EXIT setting; QuickExitSettingsError if wrong."""
    where = "QUICK_EXIT in pelicanconf.py"
    if not isinstance(value, dict):
        raise QuickExitSettingsError(
            f"{where} is missing or not a dict: set it to "
            '{"urls": {<language>: "https://…"}, "info_page": "<page key>"}'
        )
    unknown = sorted(set(value) - set(KEYS))
    if unknown:
        raise QuickExitSettingsError(
            f"{where} has unknown key(s) {unknown}: only {list(KEYS)} are read"
        )
    urls = value.get("urls")
    if not isinstance(urls, dict):
        raise QuickExitSettingsError(
            f'{where}: "urls" must map each language code to a neutral website'
        )
    for code in LANGUAGE_CODES:
        url = urls.get(code)
        if not isinstance(url, str) or not url.strip():
            raise QuickExitSettingsError(
                f'{where}: "urls" has no neutral website for {code!r}: add '
                f'"{code}": "https://…" (e.g. a weather or news site in that language)'
            )
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc:
            raise QuickExitSettingsError(
                f'{where}: "urls"[{code!r}] = {url!r} is not an absolute https '
                "address: write it as https://host/path"
            )
    extra = sorted(set(urls) - set(LANGUAGE_CODES))
    if extra:
        raise QuickExitSettingsError(
            f'{where}: "urls" names language(s) {extra} that this site does not '
            f"have: use {list(LANGUAGE_CODES)}"
        )
    info_page = value.get("info_page")
    if not isinstance(info_page, str) or not info_page:
        raise QuickExitSettingsError(
            f'{where}: "info_page" must be the <key> of the page that explains '
            "the button, as in content/pages/<key>.<lang>.md"
        )
    return {
        "urls": {code: urls[code] for code in LANGUAGE_CODES},
        "info_page": info_page,
    }


def check_settings(pelican) -> None:
    """Validate QUICK_EXIT once per (sub)site, before any template is rendered."""
    pelican.settings["QUICK_EXIT"] = validate(pelican.settings.get("QUICK_EXIT"))
    LOG.debug("%s settings checked", LOG_PREFIX)


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_settings)
