"""Interface strings, catalogs and the language switcher of untranslated pages."""

from __future__ import annotations

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from sitekit.languages import LANGUAGE_CODES
from sitekit.visitors.i18n import CatalogError, compile_catalogs, localdate
from tests.support import ROOT

CATALOGS = ROOT / "theme" / "translations"


def extract_msgids(tmp_path) -> set[str]:
    """The msgids the templates and our code use now, by the same command as editors."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "theme/babel.cfg",
            "-k",
            "N_",
            "-o",
            str(pot),
            "--omit-header",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_catalog_is_complete_and_not_stale(tmp_path, lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file)
    in_catalog = {message.id for message in catalog if message.id}
    used = extract_msgids(tmp_path)
    assert used - in_catalog == set(), "missing: run `invoke catalogs` and translate"
    assert in_catalog - used == set(), "obsolete: run `invoke catalogs`"
    assert [m.id for m in catalog if m.id and (not m.string or m.fuzzy)] == []


def test_a_broken_catalog_is_named(tmp_path):
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid "News"\nmsgstr "Nieuws\n')
    with pytest.raises(
        CatalogError, match=r"nl/LC_MESSAGES/messages.po:2: cannot be read"
    ):
        compile_catalogs(tmp_path)


def test_a_missing_catalog_is_named(tmp_path):
    with pytest.raises(CatalogError, match=r"nl/LC_MESSAGES/messages.po: missing"):
        compile_catalogs(tmp_path)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "18 oktober 2008"),
        ("fr", "18 octobre 2008"),
        ("de", "18. Oktober 2008"),
        ("en", "18 October 2008"),
    ],
)
def test_localdate(lang, expected):
    import datetime

    assert localdate(datetime.date(2008, 10, 18), lang) == expected


@pytest.mark.parametrize(
    ("lang", "day", "expected"),
    [
        ("fr", 1, "1er décembre 2026"),  # French writes the first as an ordinal
        ("fr", 2, "2 décembre 2026"),
        ("fr", 11, "11 décembre 2026"),  # a day that starts with 1 is no first
        ("nl", 1, "1 december 2026"),
        ("en", 1, "1 December 2026"),
        ("de", 1, "1. Dezember 2026"),
    ],
)
def test_localdate_first_of_the_month(lang, day, expected):
    import datetime

    assert localdate(datetime.date(2026, 12, day), lang) == expected
