"""The documentation catalogue: the built pages in four languages, and bad entries.

Site tests read the one production build (`site`); plugin tests build tiny fixture
content with the real settings and theme (`build_fixture`).
"""

from __future__ import annotations

import datetime
import re

import pytest

from sitekit.content.documents import check_documents, read_config
from sitekit.documents.catalogue import format_size
from sitekit.documents.pdf import make_pdf
from sitekit.settings import SettingsError
from tests.support import ROOT, entry

CONTENT = ROOT / "content"


ENTRIES = sorted((CONTENT / "documents").glob("*.md"))


def spaces(text: str) -> str:
    """Babel separates number and unit by a no-break space (narrow in French)."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_the_real_entries_have_no_problems():
    assert len(ENTRIES) >= 12
    assert check_documents(CONTENT) == []


def test_the_same_pdf_bytes_every_build():
    date = datetime.date(2026, 1, 1)
    first = make_pdf("# Titel\n\nTekst.", "Titel", "nl", date)
    assert first.startswith(b"%PDF-")
    assert make_pdf("# Titel\n\nTekst.", "Titel", "nl", date) == first
    assert make_pdf("# Titel\n\nTekst!", "Titel", "nl", date) != first


@pytest.mark.parametrize(
    ("size", "lang", "expected"),
    [
        (850, "nl", "850 byte"),
        (3098, "de", "3 kB"),
        (3654, "fr", "4 ko"),
        (23_456, "en", "23 kB"),
        (1_540_000, "nl", "1,5 MB"),
        (1_540_000, "en", "1,5 MB"),  # en_BE: CLDR writes a decimal comma
    ],
)
def test_format_size(size, lang, expected):
    assert spaces(format_size(size, lang)) == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Titel_nl": "x"}, "verslag.md:9: Titel_nl is not a field"),
        ({"Title_es": "x"}, "verslag.md:9: Title_es: 'es' is not a language of this"),
        ({"Year": "06"}, "verslag.md:2: Year '06' is not a year"),
        ({"Date": "2006-13-01"}, "verslag.md:9: Date '2006-13-01' is not a valid date"),
        ({"URL": "https://www.myria.be/"}, "URL and File are both given"),
        ({"File": "../../etc/passwd"}, "points outside content/documents/"),
        ({"Link": "map"}, "verslag.md:9: Link 'map' is not a kind of link"),
        ({"Publisher": None}, "verslag.md:1: no Publisher"),
        ({"File_de": "files/verslag.txt"}, "a link in 'de', which is not in Languages"),
        ({"Publisher": "TODO"}, "verslag.md:7: TODO in Publisher: it would be shown"),
        ({"Title_fr": "TODO"}, "verslag.md:5: TODO in Title_fr: it would be shown"),
    ],
)
def test_other_entry_mistakes_are_named(tmp_path, changes, message):
    content = tmp_path / "content"
    (content / "documents" / "files").mkdir(parents=True)
    (content / "documents" / "files" / "verslag.txt").write_text("Het verslag.\n")
    (content / "documents" / "verslag.md").write_text(entry(**changes))
    problems = [str(problem) for problem in check_documents(content)]
    assert any(message in problem for problem in problems), problems


def test_a_pdf_source_with_a_character_the_pdf_font_lacks_is_named(tmp_path):
    content = tmp_path / "content"
    (content / "documents" / "files").mkdir(parents=True)
    (content / "documents" / "files" / "blad.md").write_text("# Blad\n\n„Citaat“\n")
    (content / "documents" / "verslag.md").write_text(entry(File="files/blad.md"))
    assert [str(p) for p in check_documents(content)] == [
        "content/documents/files/blad.md:3: the character '„' cannot be written in "
        "the PDF — use straight quotes \" and ' and no symbols outside Latin-1 (the "
        "PDF's built-in font has no others)"
    ]


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ({"PATHS": "x"}, "unknown key 'PATHS' (did you mean 'PATH'?)"),
        ({"OUTPUT": "../x"}, "DOCUMENTS['OUTPUT'] = '../x' must be one folder name"),
        (
            {"TYPES": ["annual-report", "poem"]},
            "DOCUMENTS['TYPES'] = ['annual-report', 'poem'] has 'poem'",
        ),
    ],
)
def test_bad_settings_are_named(documents, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        read_config({"DOCUMENTS": documents})
