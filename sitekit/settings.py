"""Checks for settings that come from outside the repository (environment, flags)."""

from __future__ import annotations

from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A setting has a value the build cannot use; the message says how to fix it."""


def absolute_site_url(value: str) -> str:
    """Return SITEURL for production: an absolute https URL without a trailing slash."""
    value = value.strip()
    if not value:
        raise SettingsError(
            "SITEURL is not set. A production build needs the site's address, "
            "e.g. SITEURL=https://www.example.org invoke build-production"
        )
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            f"SITEURL={value!r} is not an absolute https URL such as "
            "https://www.example.org (no query, no #fragment)"
        )
    return value.rstrip("/")
