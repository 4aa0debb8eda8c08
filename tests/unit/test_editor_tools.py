"""The editors' tools: `invoke new`, `invoke translations`, serve and livereload."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitekit.languages import FULL_LANGUAGE_CODES, HELP_ONLY_CODES
from sitekit.tools import scaffold, translations
from sitekit.tools.scaffold import make_slug, new_content
from sitekit.tools.serve import language_urls
from tests.support import ROOT, run_main

HOME = (
    "Title: Start\nLang: nl\nSlug: index\nSave_as: index.html\nURL:\nTemplate: home\n"
    "Description: D.\n\nTekst.\n"
)


def run(module: str, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


TOOLS = {"translations": translations.main, "new": scaffold.main}


def tool(name: str, *args: str | Path) -> subprocess.CompletedProcess:
    """An editor tool as `python -m sitekit.tools <name>` runs it, in this process."""
    return run_main(TOOLS[name], list(args))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def status_row(output: str, name: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(name + " "))
    return line.split()[1:]


def test_the_slug_follows_pelicans_rules():
    assert make_slug("Veelgestelde vragen: wat nú? Ça & Straße") == (
        "veelgestelde-vragen-wat-nu-ca-strasse"
    )


def test_new_page_with_translations_creates_source_and_draft_stubs(tmp_path):
    content = tmp_path / "content"
    result = tool(
        "new",
        "page",
        "--title",
        "Veelgestelde vragen",
        "--translations",
        "--content",
        content,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:4] == [
        "Created content/pages/veelgestelde-vragen.nl.md",
        "Created content/pages/veelgestelde-vragen.fr.md",
        "Created content/pages/veelgestelde-vragen.de.md",
        "Created content/pages/veelgestelde-vragen.en.md",
    ]
    pages = content / "pages"
    assert (pages / "veelgestelde-vragen.nl.md").read_text() == (
        "Title: Veelgestelde vragen\nLang: nl\nSlug: veelgestelde-vragen\n"
        "Description: TODO: one or two sentences for search results\n\n"
        "TODO: write the text. Headings start at ##.\n"
    )
    stub = (pages / "veelgestelde-vragen.fr.md").read_text()
    assert "\nLang: fr\n" in stub
    assert "\nStatus: draft\n" in stub
    assert re.search(r"\nTranslated_from: nl [0-9a-f]{12}\n", stub)
    assert "TODO: translate content/pages/veelgestelde-vragen.nl.md into Français" in (
        stub
    )

    # The source's TODOs block the build; the drafts' TODOs are warnings.
    checked = run("sitekit.content", "--content", content)
    assert checked.returncode == 1
    errors, warnings = checked.stderr.split("Warnings (")
    assert "veelgestelde-vragen.nl.md:4: TODO in Description" in errors
    assert "veelgestelde-vragen.fr.md:8: TODO in the text: not written yet" in warnings


def test_new_article_metadata(tmp_path):
    today = datetime.date(2026, 3, 5)
    [path] = new_content(
        "article", "Nieuwe brochure", "fr", content_root=tmp_path, today=today
    )
    assert path == tmp_path / "news" / "nieuwe-brochure.fr.md"
    assert path.read_text().splitlines()[:5] == [
        "Title: Nieuwe brochure",
        "Lang: fr",
        "Slug: nieuwe-brochure",
        "Date: 2026-03-05",
        "Description: TODO: one or two sentences for search results",
    ]


def test_new_document_has_the_documents_fields(tmp_path):
    result = tool(
        "new",
        "document",
        "--title",
        "Jaarverslag 2006",
        "--translations",
        "--content",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "documents" / "jaarverslag-2006.md").read_text()
    for line in ("Type: TODO", "Year: TODO", "Languages: nl", "Publisher: TODO"):
        assert f"{line}\n" in text
    assert "Title_nl: Jaarverslag 2006\n" in text
    assert "Title_de: TODO\nDescription_de: TODO\n" in text
    status = tool("translations", "--content", tmp_path).stdout
    assert status_row(status, "documents/jaarverslag-2006") == [
        "present",
        *["draft"] * 3,
        *["-"] * len(HELP_ONLY_CODES),  # help-only languages have no documents
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["page", "--title", "Statuut"], "already exists: choose another title"),
        (["page", "--title", "Nieuw", "--lang", "nl-be"], "'nl-be' is not a language"),
        (["page", "--title", "???"], "gives no slug"),
    ],
)
def test_new_refuses_what_it_cannot_do(tmp_path, args, message):
    write(tmp_path / "pages" / "statuut.nl.md", "x")
    result = tool("new", *args, "--content", tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert (tmp_path / "pages" / "statuut.nl.md").read_text() == "x"


def test_translation_status_present_missing_outdated_draft(tmp_path):
    content = tmp_path / "content"
    source = write(
        content / "pages" / "statuut.nl.md", HOME.replace("index", "statuut")
    )
    french = write(
        content / "pages" / "statuut.fr.md",
        HOME.replace("Lang: nl", "Lang: fr").replace("index", "statut"),
    )
    write(
        content / "pages" / "statuut.de.md",
        HOME.replace("Lang: nl", "Lang: de") + "",
    )
    new_content("article", "Bericht", "nl", True, content)

    done = tool(
        "translations",
        "--content",
        content,
        "--done",
        french,
        content / "pages" / "statuut.de.md",
    )
    assert done.returncode == 0, done.stderr
    assert re.search(
        r"^content/pages/statuut.fr.md: Translated_from: nl [0-9a-f]{12}$",
        done.stdout,
        re.MULTILINE,
    )
    assert status_row(done.stdout, "pages/statuut") == [
        "present",
        "present",
        "present",
        "missing",
        *["-"] * len(HELP_ONLY_CODES),  # not a gap in a help-only language
    ]
    assert status_row(done.stdout, "news/bericht") == [
        "present",
        *["draft"] * 3,
        *["-"] * len(HELP_ONLY_CODES),
    ]

    # A change to the Dutch text outdates both translations ...
    source.write_text(source.read_text().replace("Tekst.", "Nieuwe tekst."))
    after = tool("translations", "--content", content)
    assert status_row(after.stdout, "pages/statuut") == [
        "present",
        "outdated",
        "outdated",
        "missing",
        *["-"] * len(HELP_ONLY_CODES),
    ]
    assert (
        "content/pages/statuut.fr.md: content/pages/statuut.nl.md changed; bring it "
        "up to date, then run `invoke translations --done content/pages/statuut.fr.md`"
    ) in after.stdout
    # ... and --done after updating one brings it back; the other stays outdated.
    tool("translations", "--content", content, "--done", french)
    assert status_row(
        tool("translations", "--content", content).stdout,
        "pages/statuut",
    ) == ["present", "present", "outdated", "missing", *["-"] * len(HELP_ONLY_CODES)]


def test_changing_only_untranslated_metadata_does_not_outdate(tmp_path):
    content = tmp_path / "content"
    source = write(content / "pages" / "statuut.nl.md", HOME)
    french = write(content / "pages" / "statuut.fr.md", HOME.replace("nl", "fr"))
    tool("translations", "--content", content, "--done", french)
    source.write_text(source.read_text().replace("Template: home", "Order: 3"))
    result = tool("translations", "--content", content)
    assert status_row(result.stdout, "pages/statuut")[:2] == ["present", "present"]


def test_a_document_with_a_plain_title_is_present_in_every_language(tmp_path):
    """The README allows a plain `Title:`: every catalogue shows it."""
    content = tmp_path / "content"
    write(
        content / "documents" / "verslag.md",
        "Type: annual-report\nYear: 2006\nLanguages: nl, fr\nTitle: Verslag\n",
    )
    write(
        content / "documents" / "wet.md",
        "Type: law\nYear: 1995\nLanguages: nl\nTitle_nl: Wet\nTitle_fr: TODO\n",
    )
    result = tool("translations", "--content", content)
    full, help_only = len(FULL_LANGUAGE_CODES), len(HELP_ONLY_CODES)
    assert status_row(result.stdout, "documents/verslag") == (
        ["present"] * full + ["-"] * help_only
    )
    assert status_row(result.stdout, "documents/wet") == [
        "present",
        "draft",
        "missing",
        "missing",
        *["-"] * help_only,
    ]


def test_a_translation_dated_apart_from_its_source_is_outdated(tmp_path):
    content = tmp_path / "content"
    new_content("article", "Bericht", "nl", True, content, datetime.date(2008, 10, 18))
    source = content / "news" / "bericht.nl.md"
    french = content / "news" / "bericht.fr.md"
    french.write_text(french.read_text().replace("Status: draft\n", ""))
    assert (
        status_row(tool("translations", "--content", content).stdout, "news/bericht")[1]
        == "present"
    )
    source.write_text(source.read_text().replace("2008-10-18", "2008-10-20"))
    result = tool("translations", "--content", content)
    assert status_row(result.stdout, "news/bericht")[:2] == ["present", "outdated"]
    assert (
        "content/news/bericht.fr.md: Date 2008-10-18 differs from "
        "content/news/bericht.nl.md's 2008-10-20: write `Date: 2008-10-20`"
    ) in result.stdout


def test_the_real_content_has_no_false_translation_gaps():
    """On whatever content there is: `missing` only where no version exists."""
    from sitekit.content.source import read_content_file

    content = ROOT / "content"
    for row in translations.translation_status(content):
        for lang, cell in row.cells.items():
            if cell.status != "missing":
                continue
            if row.kind == "documents":
                entry, _ = read_content_file(content / f"{row.name}.md", content)
                assert not entry.value("title") and not entry.value(f"title_{lang}")
            else:
                assert not list((content / row.kind).glob(f"{row.key}.{lang}.md"))


def test_html_report_is_written_where_asked_never_below_output(tmp_path):
    content = tmp_path / "content"
    write(content / "pages" / "statuut.nl.md", HOME)
    report = tmp_path / "report.html"
    result = tool("translations", "--content", content, "--html", report)
    assert result.returncode == 0, result.stderr
    html = report.read_text()
    assert '<th scope="row">pages/statuut</th><td class="present"' in html
    assert html.count('<td class="missing"') == 3
    assert '<meta name="robots" content="noindex">' in html

    refused = tool(
        "translations",
        "--content",
        content,
        "--html",
        ROOT / "output/r.html",
    )
    assert refused.returncode == 1
    assert "reports never go below output/" in refused.stderr
    assert translations.report_path("status.html") == ROOT / "reports" / "status.html"


def test_every_real_translation_records_what_it_translates():
    result = run("sitekit.tools", "translations")
    assert result.returncode == 0
    assert " unknown" not in result.stdout.split("To do:")[0].split("\n\n", 1)[1]


def test_language_urls_list_every_language_default_first():
    assert language_urls("127.0.0.1", 8000) == [
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000/fr/",
        "http://127.0.0.1:8000/de/",
        "http://127.0.0.1:8000/en/",
        "http://127.0.0.1:8000/ar/",
        "http://127.0.0.1:8000/ro/",
    ]


@pytest.mark.parametrize(
    ("done", "message"),
    [
        ("content/pages/nope.fr.md", "no such file — name a translation"),
        ("README.md", "not a content file"),
        ("content/pages/statuut.nl.md", "this is the nl text itself"),
        ("content/documents/feitenblad.md", "a document entry holds every language"),
    ],
)
def test_done_on_the_wrong_file_says_why_without_a_traceback(done, message):
    result = tool("translations", "--done", ROOT / done)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "where", ["content/pages/evil.html", "theme/x.html", "output/x.html", "x.txt"]
)
def test_the_report_never_overwrites_the_site(where):
    result = tool("translations", "--html", ROOT / where)
    assert result.returncode == 1
    assert not (ROOT / where).exists()


def test_invoke_test_runs_one_worker_more_than_the_cores(monkeypatch):
    import tasks

    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    assert 2 <= tasks._test_workers() <= len(os.sched_getaffinity(0)) + 1
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "5")  # pytest-xdist's own
    assert tasks._test_workers() == 5
