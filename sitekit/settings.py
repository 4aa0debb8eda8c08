"""One way to check a settings dict: known keys, types, required values, one wording.

Each plugin and tool reads one namespaced dict (`FAST_BUILD`, `CONTENT_CHECKS`,
`DOCUMENTS`, `QUICK_EXIT`, `PUBLISH`). It declares its keys once, as `Option`s with
their default, and `read_options` returns the dict merged with the defaults, or raises
`SettingsError` naming the key, the value, what is wrong and how to fix it (with a
did-you-mean for a misspelt key).

Ground floor: imports nothing of ours but `errors`.
"""

from __future__ import annotations

import difflib
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitekit.errors import SiteError

REQUIRED = object()  # the default of an option that has none
HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")


class SettingsError(SiteError, ValueError):
    """A setting has a value the build cannot use; the message says how to fix it."""


@dataclass(frozen=True)
class Option:
    """One key of a settings dict: its default, its type and an optional rule.

    `rule` returns None for a good value, or the reason it is wrong ("must be …").
    `low`/`high` bound numbers.
    """

    default: Any = REQUIRED
    kind: type | tuple[type, ...] = object
    rule: Callable[[Any], str | None] | None = None
    low: float | None = None
    high: float | None = None
    example: str = ""  # shown when the value is missing or of the wrong type


def did_you_mean(word: str, known: list[str]) -> str:
    """' — did you mean X?' for the closest known word, or ''."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if not close:
        lowered = {k.lower(): k for k in known}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def defaults(options: Mapping[str, Option]) -> dict[str, Any]:
    """The default of every option that has one."""
    return {
        key: option.default
        for key, option in options.items()
        if option.default is not REQUIRED
    }


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        str: "a text",
        dict: "a dict",
        list: "a list",
        tuple: "a list",
    }
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _is_kind(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False  # True is an int to Python, never to a person
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, kinds)


def read_options(
    name: str, given: object, options: Mapping[str, Option], where: str = ""
) -> dict[str, Any]:
    """`given` checked against `options` and merged with their defaults.

    `name` is the setting (`FAST_BUILD`); `where` says where it is set
    ("in pelicanconf.py"). Raises SettingsError on the first problem.
    """
    place = f"{name} {where}".rstrip()
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise SettingsError(
            f"{place} must be a dict with the keys {', '.join(options)}, "
            f"not {type(given).__name__}"
        )
    known = list(options)
    for key in given:
        if key not in options:
            raise SettingsError(
                f"{place} has an unknown key {key!r}{did_you_mean(str(key), known)}; "
                f"the keys are {', '.join(known)}"
            )
    values = {**defaults(options), **given}
    for key, option in options.items():
        if key not in values:
            example = f", e.g. {option.example}" if option.example else ""
            raise SettingsError(f"{place} has no {key!r}: add it{example}")
        value = values[key]
        if not _is_kind(value, option.kind):
            example = f", e.g. {option.example}" if option.example else ""
            raise SettingsError(
                f"{name}[{key!r}] = {value!r} must be {_type_name(option.kind)}"
                f"{example}"
            )
        reason = None
        if option.low is not None and value < option.low:
            reason = f"must be at least {option.low}"
        elif option.high is not None and value > option.high:
            reason = f"must be at most {option.high}"
        elif option.rule is not None:
            reason = option.rule(value)
        if reason:
            shown = f" = {value!r}" if len(repr(value)) <= 60 else ""
            raise SettingsError(f"{name}[{key!r}]{shown} {reason}")
    return values


def https_url_problem(url: str, *, allow_port: bool = False) -> str | None:
    """Why `url` is not a well-formed absolute https URL, or None when it is one.

    The one URL check: SITEURL, the quick exit's sites, the documents' links and
    publishing all use it.
    """
    if not isinstance(url, str) or not url.strip():
        return "is empty: write an address of the form https://host/path"
    if any(character.isspace() for character in url):
        return "contains a space"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError as error:
        return f"cannot be read ({error})"
    if parts.scheme == "http":
        return "uses http: write the https address"
    if parts.scheme != "https" or not host:
        return "is not a web address of the form https://host/path"
    if parts.username or parts.password or (port and not allow_port):
        return "has a user name or a port: write the plain address"
    if not HOST.match(host):
        return f"has no valid host name ({host!r})"
    return None


def absolute_site_url(value: str) -> str:
    """Return SITEURL for production: an absolute https URL without a trailing slash."""
    value = value.strip()
    if not value:
        raise SettingsError(
            "SITEURL is not set. A production build needs the site's address, "
            "e.g. SITEURL=https://www.example.org invoke build-production"
        )
    parts = urlsplit(value)
    if https_url_problem(value, allow_port=True) or parts.query or parts.fragment:
        raise SettingsError(
            f"SITEURL={value!r} is not an absolute https URL such as "
            "https://www.example.org (no query, no #fragment)"
        )
    return value.rstrip("/")


def read_site_settings(settings_file: Path, overrides: dict | None = None) -> dict:
    """Read a Pelican settings file the way Pelican does, with `overrides` applied.

    Raises SettingsError for a file that is missing or does not run.
    """
    from pelican.settings import read_settings

    if not settings_file.is_file():
        raise SettingsError(f"{settings_file}: no such settings file")
    # Settings files import `sitekit`, so the project's root must be importable.
    project = str(settings_file.resolve().parent)
    if project not in sys.path:
        sys.path.insert(0, project)
    try:
        return read_settings(str(settings_file), override=overrides or {})
    except SiteError:
        raise
    except Exception as error:  # a settings file is Python: anything can go wrong
        raise SettingsError(
            f"{_where(error, settings_file)}: cannot be read: "
            f"{type(error).__name__}: {error}"
        ) from error


def _where(error: BaseException, settings_file: Path) -> str:
    """`file:line` where a settings file (or a file of its folder it imports) failed.

    A settings file imports another (publishconf.py imports pelicanconf.py): the
    line named is the last one of the project's own files in the traceback.
    """
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        return f"{error.filename}:{error.lineno}"
    folder = settings_file.resolve().parent
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve().parent == folder
    ]
    if not ours:
        return str(settings_file)
    return f"{ours[-1].filename}:{ours[-1].lineno}"
