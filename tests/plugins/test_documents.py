"""The documentation catalogue: the built pages in four languages, and bad entries.

Site tests read the one production build (`site`); plugin tests build tiny fixture
content with the real settings and theme (`build_fixture`).
"""

from __future__ import annotations

import pytest

from tests.support import SITEURL, entry

PAGE = (
    "Title: {title}\nLang: {lang}\nSlug: {slug}\nTemplate: documents\n"
    "Description: D.\n\nT.\n"
)


PAGES = {
    f"pages/documentatie.{lang}.md": PAGE.format(title="Doc", lang=lang, slug=slug)
    for lang, slug in {
        "nl": "documentatie",
        "fr": "documentation",
        "de": "dokumentation",
        "en": "documentation",
    }.items()
}


def fixture(**changes: str | None) -> dict[str, str | bytes]:
    return {
        **PAGES,
        "documents/verslag.md": entry(**changes),
        "documents/files/verslag.txt": b"Het verslag.\n",
    }


BAD_ENTRIES = {
    "unknown type": (
        {"Type": "jaarverslag"},
        "content/documents/verslag.md:1: Type 'jaarverslag' is not a document type",
    ),
    "missing title": (
        {"Title_nl": None, "Title_fr": None},
        "content/documents/verslag.md:1: no Title",
    ),
    "missing local file": (
        {"File": "files/bestaat-niet.pdf"},
        "content/documents/verslag.md:8: File 'files/bestaat-niet.pdf': there is no "
        "such file",
    ),
    "malformed URL": (
        {"File": None, "URL": "https//www.myria.be"},
        "content/documents/verslag.md:8: URL 'https//www.myria.be' is not a web "
        "address",
    ),
    "non-https URL": (
        {"File": None, "URL": "http://www.myria.be/"},
        "content/documents/verslag.md:8: URL 'http://www.myria.be/' uses http",
    ),
    "unknown language code": (
        {"Languages": "nl, xx"},
        "content/documents/verslag.md:3: Languages: 'xx' is not a known language code",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ENTRIES))
def test_a_bad_entry_fails_the_build_naming_entry_and_field(build_fixture, case):
    changes, message = BAD_ENTRIES[case]
    result, output = build_fixture(fixture(**changes))
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert not output.exists()


def test_a_good_fixture_entry_builds_and_copies_its_file_once(build_fixture):
    result, output = build_fixture(fixture())
    assert result.returncode == 0, result.stderr
    assert (output / "documents" / "verslag.txt").read_bytes() == b"Het verslag.\n"
    assert not list(output.glob("*/documents"))
    for lang, page in {
        "nl": "documentatie.html",
        "de": "de/dokumentation.html",
    }.items():
        html = (output / page).read_text()
        assert f'href="{SITEURL}/documents/verslag.txt"' in html, lang
        assert 'data-bytes="13"' in html and "TXT, 13" in html
    # German has no title of its own: the first of the document's languages.
    assert (
        '<span lang="nl">Verslag</span>'
        in (output / "de/dokumentation.html").read_text()
    )
    # The group has a page of its own in each language.
    assert (output / "documentatie" / "jaarverslagen.html").is_file()
    assert (output / "fr" / "documentation" / "rapports-annuels.html").is_file()


def test_entries_without_a_catalogue_page_fail_the_build(build_fixture):
    files = fixture()
    for name in PAGES:
        files[name] = files[name].replace("Template: documents\n", "")
    result, _ = build_fixture(files)
    assert result.returncode != 0
    message = (
        "content/documents/:1: there are document entries but no page in 'nl' "
        "with `Template: documents` to show them"
    )
    assert message in result.stderr, result.stderr
