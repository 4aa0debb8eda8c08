"""A broken content file stops the build with a message naming the file and problem.

The last good output stays as it was.
"""

from __future__ import annotations

import shutil

import pytest

from tests.support import ROOT, page, run_build

GOOD_PAGE = """Title: Statuut
Lang: nl
Slug: statuut
Description: Het statuut.

Tekst.
"""


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
        "content/news/film.nl.md:5: Date '31/02/2008' is not a valid date: it reads "
        "as day 31, month 2, year 2008, and day is out of range for month",
    ),
    "impossible date": (
        {"news/film.nl.md": page(Slug="film", Date="2008-02-31")},
        "Date '2008-02-31' is not a valid date",
    ),
    "unknown language": (
        {"pages/statuut.nl.md": page(Lang="nl-be")},
        "content/pages/statuut.nl.md:2: Lang 'nl-be' is not a language of this site "
        "— write `Lang: nl`",
    ),
    "not UTF-8": (
        {"pages/statuut.nl.md": page().replace("Tekst", "Caf\u00e9").encode("cp1252")},
        "content/pages/statuut.nl.md:6: the file is not UTF-8 text (byte 0xe9",
    ),
    "empty file": (
        {"pages/statuut.nl.md": ""},
        "content/pages/statuut.nl.md:1: the file is empty",
    ),
    "metadata not followed by a blank line": (
        {"pages/statuut.nl.md": page().replace("\n\nTekst", "\nTekst")},
        "content/pages/statuut.nl.md:5: the metadata block is not followed by a "
        "blank line",
    ),
    "a file far larger than any page": (
        {"pages/statuut.nl.md": page() + "Tekst. " * 30_000},
        "content/pages/statuut.nl.md:1: the file is 205 KB, far larger than any "
        "page (the limit is 100 KB)",
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


def test_a_folder_where_the_cache_writes_a_file_is_named(build_fixture, tmp_path):
    """Written beside its place, then moved there: the message names the place."""
    from sitekit.fast.markdown_cache import CACHE_FILE

    output = tmp_path / "site"
    taken = tmp_path / "site-cache" / CACHE_FILE  # run_build's cache folder
    taken.mkdir(parents=True)

    result, _ = build_fixture({"pages/statuut.nl.md": GOOD_PAGE}, output)

    assert result.returncode == 1
    assert f"cannot write {taken}: it is a folder; remove it" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(taken.parent.glob(f".{CACHE_FILE}-*")), "a temporary file was left"


def test_a_symlink_out_of_content_fails_the_build(build_fixture, tmp_path):
    secret = tmp_path / "elsewhere" / "notes.md"
    secret.parent.mkdir()
    secret.write_text(page(), encoding="utf-8")
    link = tmp_path / "content" / "pages" / "statuut.nl.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)

    result, output = build_fixture({"pages/home.nl.md": GOOD_PAGE})

    assert result.returncode != 0
    assert (
        "content/pages/statuut.nl.md:1: is a symbolic link to a file outside "
        f"content/ (it would be published): {secret}"
    ) in result.stderr
    assert not output.exists()


@pytest.fixture
def theme_copy(tmp_path):
    """A copy of the real theme, to break."""
    copy = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def test_a_template_syntax_error_names_the_template_and_line(tmp_path, theme_copy):
    template = theme_copy / "templates" / "page.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "{% block content %}" in line)
    lines[number - 1] += "{% if %}"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_build(tmp_path / "out", theme=theme_copy)

    assert result.returncode != 0
    assert (
        f"theme/templates/page.html:{number}: template syntax error: Expected an "
        "expression, got 'end of statement block'"
    ) in result.stderr
    assert "Nothing in" in result.stderr


def test_a_broken_catalog_names_the_file_and_line(tmp_path, theme_copy):
    po = theme_copy / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    lines = po.read_text(encoding="utf-8").splitlines()
    number = next(
        i for i, line in enumerate(lines, 1) if line.startswith('msgstr "') and i > 20
    )
    lines[number - 1] = lines[number - 1].rstrip('"')  # the closing quote forgotten
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_build(tmp_path / "out", theme=theme_copy)

    assert result.returncode != 0
    assert f"{po}:{number}: cannot be read: " in result.stderr
    assert "is not a PO line" in result.stderr


def test_a_build_failing_late_leaves_the_output_untouched(tmp_path, theme_copy):
    """The German subsite fails to render after Dutch and French were written."""
    output = tmp_path / "site"
    good = run_build(output)
    assert good.returncode == 0, good.stderr
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    base = theme_copy / "templates" / "base.html"
    lines = base.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "{% block content %}" in line)
    lines[number - 1] += (
        '{% if DEFAULT_LANG == "de" %}{{ no_such_function() }}{% endif %}'
    )
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_build(output, theme=theme_copy)

    assert result.returncode != 0
    assert "Processed" in result.stdout + result.stderr, "not a late failure"
    assert (
        f"theme/templates/base.html:{number}: UndefinedError while rendering the "
        "template: 'no_such_function' is undefined"
    ) in result.stderr
    assert f"Nothing in {output} was changed" in result.stderr
    after = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in after} == mtimes
    assert not list(tmp_path.glob(".site-building-*")), "the staging folder was left"
