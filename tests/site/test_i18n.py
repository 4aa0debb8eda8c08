"""Interface strings, catalogs and the language switcher of untranslated pages."""

from __future__ import annotations


def test_interface_strings_are_translated_on_the_site(site):
    assert site.page("fr/statut.html").soup.select_one(".mh-skip-link").text == (
        "Aller au contenu"
    )
    assert site.page("de/status.html").soup.select_one(".mh-skip-link").text == (
        "Zum Inhalt springen"
    )
