"""Interface strings, catalogs and the language switcher of untranslated pages."""

from __future__ import annotations

from tests.support import SITEURL

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
