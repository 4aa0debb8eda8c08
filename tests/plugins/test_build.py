"""The build runner: atomic replacement of output/, untouched identical files."""

from __future__ import annotations

from tests.support import run_build


def test_a_second_identical_build_rewrites_nothing(build_fixture, tmp_path):
    files = {
        "pages/home.nl.md": "Title: Start\nLang: nl\nSlug: index\nSave_as: index.html\n"
        "URL:\nTemplate: home\nDescription: D.\n\nTekst.\n",
    }
    # Pelican dates an empty feed "now", so every language gets an article.
    for lang in ("nl", "fr", "de", "en"):
        files[f"news/bericht.{lang}.md"] = (
            f"Title: Bericht\nLang: {lang}\nSlug: bericht\nDate: 2008-10-18\n"
            "Description: D.\n\nTekst.\n"
        )
    output = tmp_path / "site"
    first, _ = build_fixture(files, output)
    assert first.returncode == 0, first.stderr
    mtimes = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}

    # --plain: a full build, not skipped as unchanged (that is tested elsewhere).
    second = run_build(output, content=output.parent / "content", plain=True)

    assert second.returncode == 0, second.stderr
    assert "0 file(s) written, 0 removed" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()} == mtimes


def test_production_build_without_siteurl_fails_clearly(tmp_path):

    result = run_build(tmp_path / "out", siteurl="")
    assert result.returncode != 0
    assert "SITEURL is not set" in result.stderr


def test_production_build_refuses_a_plain_http_siteurl(tmp_path):

    result = run_build(tmp_path / "out", siteurl="http://www.example.org")
    assert result.returncode != 0
    assert "is not an absolute https URL" in result.stderr
