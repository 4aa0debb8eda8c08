"""Interface strings, catalogs and the language switcher of untranslated pages."""

from __future__ import annotations

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from sitekit.i18n import CatalogError, compile_catalogs, localdate
from sitekit.languages import LANGUAGE_CODES
from tests.support import ROOT, SITEURL

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


def test_interface_strings_are_translated_on_the_site(site):
    assert site.page("fr/statut.html").soup.select_one(".mh-skip-link").text == (
        "Aller au contenu"
    )
    assert site.page("de/status.html").soup.select_one(".mh-skip-link").text == (
        "Zum Inhalt springen"
    )


HOME = (
    "Lang: {}\nSlug: index\nSave_as: index.html\nURL:\nTemplate: home\n"
    "Description: D.\n"
)
UNTRANSLATED = {
    "pages/home.nl.md": "Title: Start\n" + HOME.format("nl") + "\nTekst.\n",
    "pages/home.fr.md": "Title: Accueil\n" + HOME.format("fr") + "\nTexte.\n",
    "pages/alleen.nl.md": "Title: Alleen in het Nederlands\nLang: nl\nSlug: alleen\n"
    "Description: D.\n\nTekst.\n",
}


def test_untranslated_page_links_each_language_to_its_home_and_says_so(build_fixture):
    from bs4 import BeautifulSoup

    result, output = build_fixture(UNTRANSLATED)
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((output / "alleen.html").read_text(), "html.parser")
    links = {a["hreflang"]: a for a in soup.select("nav.mh-languages a")}
    assert links["fr"]["href"] == f"{SITEURL}/fr/"
    assert "pas traduit" in links["fr"].get_text()
    assert links["fr"]["lang"] == "fr"
    assert "nicht übersetzt" in links["de"].get_text()
    assert links["nl"]["href"] == f"{SITEURL}/alleen.html"
    alternates = [link["hreflang"] for link in soup.find_all("link", hreflang=True)]
    assert alternates == ["nl", "x-default"]
    # The untranslated page is not copied into the other languages' subsites.
    assert not (output / "fr" / "alleen.html").exists()
    assert not list(output.rglob("drafts"))
    # A translated home page links both ways.
    home_fr = BeautifulSoup((output / "fr" / "index.html").read_text(), "html.parser")
    assert (
        home_fr.select_one('nav.mh-languages a[hreflang="nl"]')["href"] == f"{SITEURL}/"
    )
