"""A broken content file stops the build with a message naming the file and problem.

The last good output stays as it was.
"""

from __future__ import annotations

import pytest

GOOD_PAGE = """Title: Statuut
Lang: nl
Slug: statuut
Description: Het statuut.

Tekst.
"""


def page(**fields: str) -> str:
    metadata = {
        "Title": "Statuut",
        "Lang": "nl",
        "Slug": "statuut",
        "Description": "D.",
    }
    metadata.update(fields)
    lines = [f"{key}: {value}" for key, value in metadata.items() if value is not None]
    return "\n".join(lines) + "\n\nTekst.\n"


def without(key: str) -> str:
    return (
        "\n".join(
            line for line in page().splitlines() if not line.startswith(f"{key}:")
        )
        + "\n"
    )


CASES = {
    "missing title": (
        {"pages/statuut.nl.md": without("Title")},
        "content/pages/statuut.nl.md:1: no Title",
    ),
    "unparseable date": (
        {
            "news/film.nl.md": page(Slug="film", Date="31/02/2008"),
        },
        "content/news/film.nl.md:5: Date '31/02/2008' is not a valid date",
    ),
    "impossible date": (
        {"news/film.nl.md": page(Slug="film", Date="2008-02-31")},
        "Date '2008-02-31' is not a valid date",
    ),
    "unknown language": (
        {"pages/statuut.nl.md": page(Lang="nl-be")},
        "content/pages/statuut.nl.md:2: Lang 'nl-be' is not a language of this site",
    ),
    "link to a missing file": (
        {
            "pages/statuut.nl.md": page()
            + "\nZie [hier]({filename}bestaat-niet.nl.md).\n"
        },
        "content/pages/statuut.nl.md:8: the link {filename}bestaat-niet.nl.md "
        "points at a file that does not exist",
    ),
    "same slug and language twice": (
        {"pages/statuut.nl.md": page(), "pages/statuut-kopie.nl.md": page()},
        "content/pages/statuut.nl.md:3: Slug 'statuut' in language 'nl' is also "
        "used by content/pages/statuut-kopie.nl.md",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_content_fails_the_build_and_names_the_file(build_fixture, case):
    files, message = CASES[case]
    result, _ = build_fixture(
        {"pages/home.nl.md": GOOD_PAGE.replace("statuut", "home"), **files}
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_a_failed_build_leaves_the_last_good_output_untouched(build_fixture, tmp_path):
    output = tmp_path / "site"
    result, _ = build_fixture({"pages/statuut.nl.md": GOOD_PAGE}, output)
    assert result.returncode == 0, result.stderr
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    mtimes = {p: p.stat().st_mtime_ns for p in before}

    result, _ = build_fixture({"pages/statuut.nl.md": page(Lang="nl-be")}, output)

    assert result.returncode != 0
    assert f"Nothing in {output} was changed" in result.stderr
    after = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in after} == mtimes
    assert not list(tmp_path.glob(".site-building-*")), "the staging folder was left"
