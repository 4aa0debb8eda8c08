"""`invoke check` (python -m sitekit.content) on fixture content folders.

Each mistake gets its own case: the output names the file, the line and the problem,
errors exit non-zero, warnings are listed apart and do not fail.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from sitekit.content.check import main
from sitekit.settings import SettingsError
from tests.support import ROOT, page, run_main, write_files

HOME = page(Title="Start", Slug="index")


OTHER = page(
    "## Voorwaarden\n\nTekst.\n\n### Eigen anker {#eigen}\n\nNoot.[^1]\n\n[^1]: Bron.",
    Title="Ander",
    Slug="ander",
)


def run_check(tmp_path, files: dict[str, str | bytes]) -> subprocess.CompletedProcess:
    """`invoke check` on a fixture content folder (in this process: see run_main)."""
    content = tmp_path / "content"
    write_files(content, {"pages/home.nl.md": HOME, **files})
    return run_main(main, ["--content", content, "--cache", tmp_path / "cache"])


# Body line N of page(body) is line N + 5 of the file.
ERRORS = {
    "Save_as over a theme file": (
        page(Save_as="theme/css/site.css"),
        ":5: Save_as 'theme/css/site.css' is not an address of this page's own part",
    ),
    "Save_as out of the site": (
        page(Save_as="../../../tmp/x.html"),
        ":5: Save_as '../../../tmp/x.html' is not an address",
    ),
    "URL to another site": (
        page(URL="https://evil.example/phish", Order="1"),
        ":5: URL 'https://evil.example/phish' is not an address",
    ),
    "Save_as of another page": (
        page(Save_as="ander.html"),
        ":5: its address /ander.html is also that of content/pages/ander.nl.md",
    ),
    "unknown template": (
        page(Template="../../etc/passwd"),
        ":5: Template '../../etc/passwd' is not a page template of the theme — use "
        "one of",
    ),
    "news in a help-only language": (
        None,
        ":2: العربية (ar) is a help-only language: it has no news",
    ),
    "an attach link": (
        page("[plan]({attach}../extra/plan.pdf)"),
        ":6: the link {attach}../extra/plan.pdf uses {attach}, which this site does "
        "not support — put the file in content/extra/ and link it with "
        "{static}../extra/plan.pdf",
    ),
    "misspelt optional key": (
        page(Oder="2"),
        ":5: unknown metadata key 'Oder' — did you mean Order?",
    ),
    "misspelt key": (
        page(Menu_titel="Statuut"),
        ":5: unknown metadata key 'Menu_titel' — did you mean Menu_title?",
    ),
    "text that reads as metadata": (
        page(Opgelet="dit is tekst"),
        ":5: unknown metadata key 'Opgelet' — if this line is text, put a blank line "
        "before it",
    ),
    "a title over the limit": (
        page(Title="x" * 262),
        ":1: the Title is 262 characters long; the limit is 120 — shorten it",
    ),
    "an unclosed div": (
        page("<div>\n\nTekst.\n\nMeer."),
        ":6: <div> is never closed: the rest of the page would end up inside it — "
        "add </div>",
    ),
    "an unclosed b inside a p": (
        page("<p><b>Vet</p>"),
        ":6: <b> is not closed before </p> on line 6 — add </b>",
    ),
    "a close without open": (
        page("Tekst.</span>"),
        ":6: </span> closes an element that was not opened",
    ),
    "link to a draft": (
        page("Zie [ontwerp]({filename}ontwerp.nl.md)."),
        ":6: the link {filename}ontwerp.nl.md goes to a draft (Status: draft), which "
        "is not published",
    ),
    "link to a misspelt file": (
        page("Zie [ander]({filename}andr.nl.md)."),
        ":6: the link {filename}andr.nl.md points at a file that does not exist — "
        "did you mean ander.nl.md?",
    ),
    "plain link to an address the build does not write": (
        page("Zie [ander](/andere.html)."),
        ":6: the link /andere.html goes to /andere.html, which the build does not "
        "write: it would be broken on the site — did you mean /ander.html? Link its "
        "source: ({filename}ander.nl.md)",
    ),
    "plain link without .html": (
        page("Zie [statuut](/statuut)."),
        ":6: the link /statuut goes to /statuut, which the build does not write",
    ),
    "an image next to the page, not published": (
        page("![Logo](logo.png)"),
        ":6: the link logo.png goes to /logo.png, which the build does not write: it "
        "would be broken on the site — the file is in pages/, which is not published: "
        "move it into content/extra/ and link it with ({static}../extra/logo.png)",
    ),
    "static link to a file outside extra": (
        page("![Logo]({static}logo.png)"),
        ":6: the link {static}logo.png points at a file outside content/extra/, which "
        "is not published — move the file into content/extra/",
    ),
    "image without alt text": (
        page("![]({static}../extra/logo.svg)"),
        ":6: an image without alt text — describe what it shows",
    ),
    "heading that skips a level": (
        page("## Voorwaarden\n\n#### Details"),
        ":8: the heading jumps from level 2 to level 4 — use ### here",
    ),
    "a second h1": (
        page("# Statuut"),
        ":6: a level-1 heading in the text: the Title is already the page's heading",
    ),
    "a second h1, underlined": (
        page("Statuut\n======="),
        ":7: a level-1 heading in the text",
    ),
    "inline script": (
        page('<script>alert("x")</script>'),
        ":6: raw HTML: the element <script> is not allowed",
    ),
    "style element": (
        page("<style>p { color: red }</style>"),
        ":6: raw HTML: the element <style> is not allowed",
    ),
    "style attribute": (
        page('<p style="color: red">Tekst.</p>'),
        """:6: raw HTML: the attribute style="color: red" of <p> is not allowed""",
    ),
    "event attribute": (
        page('<a href="#" onclick="go()">Hier</a>'),
        """:6: raw HTML: the attribute onclick="go()" of <a> is not allowed""",
    ),
    "embedded frame": (
        page('<iframe src="https://www.example.org/"></iframe>'),
        ":6: raw HTML: the element <iframe> is not allowed",
    ),
    "raw img without alt": (
        page('<img src="{static}../extra/logo.svg">'),
        ":6: an <img> without an alt attribute",
    ),
    "http link": (
        page("Zie [de site](http://www.example.org/pad)."),
        ":6: the link http://www.example.org/pad is not encrypted (http) — use "
        "https://www.example.org/pad",
    ),
    "http reference link": (
        page("Zie [de site][1].\n\n[1]: http://www.example.org/"),
        ":8: the link http://www.example.org/ is not encrypted (http)",
    ),
    "image from another site": (
        page("![Logo](https://www.example.org/logo.png)"),
        ":6: an image loaded from another site: https://www.example.org/logo.png",
    ),
    "anchor missing on the same page": (
        page("## Voorwaarden\n\nZie [hoger](#voorwaarde)."),
        ":8: the link #voorwaarde goes to #voorwaarde, which is not a heading of "
        "this page — did you mean #voorwaarden?",
    ),
    "anchor missing in the linked page": (
        page("Zie [ander]({filename}ander.nl.md#stappen)."),
        ":6: the link {filename}ander.nl.md#stappen goes to #stappen, which is not a "
        "heading of ander.nl.md",
    ),
    "link to a missing file": (
        page("Zie [ander]({filename}bestaat-niet.nl.md)."),
        ":6: the link {filename}bestaat-niet.nl.md points at a file that does not "
        "exist",
    ),
    "static file that does not exist": (
        page("[Folder]({static}../extra/folder.pdf)"),
        ":6: the link {static}../extra/folder.pdf points at a file that does not exist",
    ),
    "link out of content": (
        page("[Geheim]({static}../../secret.txt)"),
        ":6: the link {static}../../secret.txt points outside content/",
    ),
    "key written twice": (
        page(Order="1").replace("Order: 1", "Title: Nog een titel"),
        ":5: Title appears twice (also on line 1) — keep one of the two lines",
    ),
    "unknown status": (
        page(Status="klaar"),
        ":5: Status 'klaar' is not known — use one of published, draft, hidden",
    ),
    "order not a number": (
        page(Order="derde"),
        ":5: Order 'derde' is not a whole number",
    ),
    "TODO in a published page": (
        page("TODO: write the text."),
        ":6: TODO in the text: this placeholder would be published — write the text, "
        "or add `Status: draft`",
    ),
    "TODO in a published description": (
        page(Description="TODO: one or two sentences"),
        ":4: TODO in Description: this placeholder would be published",
    ),
    "Lang nl-be": (
        page(Lang="nl-be"),
        ":2: Lang 'nl-be' is not a language of this site — write `Lang: nl`",
    ),
    "Lang in capitals": (
        page(Lang="NL"),
        ":2: Lang 'NL' is not a language of this site — write `Lang: nl`",
    ),
    "Lang not matching the file name": (
        page(Lang="fr"),
        ":2: Lang is 'fr' but the file name says 'nl'",
    ),
    "bad slug": (
        page(Slug="Statuut van het slachtoffer"),
        ":3: Slug 'Statuut van het slachtoffer' is not lower-case letters",
    ),
    "day/month/year date": (
        page(Date="18/10/2008"),
        ":5: Date '18/10/2008' is not a valid date: it is written day/month/year — "
        "write it as YYYY-MM-DD",
    ),
    "a translation's fingerprint mangled": (
        page(Lang="fr", **{"Translated_from": "nl abc"}),
        ":5: Translated_from 'nl abc' is not `<lang> <12-character version>`",
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_an_error_is_named_with_file_line_and_fix(tmp_path, case):
    text, expected = ERRORS[case]
    if text is None:  # a news item in a help-only language
        path = "news/bericht.ar.md"
        text = page(Lang="ar", Slug="bericht", Date="2008-10-18", Title="خبر")
    else:
        name = "statuut.fr.md" if "Translated_from" in text else "statuut.nl.md"
        path = f"pages/{name}"
    files = {
        path: text,
        "pages/ander.nl.md": OTHER,
        "pages/ontwerp.nl.md": page(Slug="ontwerp", Status="draft"),
        "pages/logo.png": b"png",
    }
    (tmp_path / "content" / "extra").mkdir(parents=True)
    (tmp_path / "content" / "extra" / "logo.svg").write_text("<svg/>")

    result = run_check(tmp_path, files)

    assert result.returncode == 1, result.stdout
    assert f"content/{path}{expected}" in result.stderr
    errors = result.stderr.split("Warnings (")[0]
    assert f"content/{path}{expected}" in errors
    assert "Warnings (" not in result.stderr, "a mistake also gave a warning"


WARNINGS = {
    "TODO in a draft": (
        page("TODO: translate.", Status="draft"),
        ":7: TODO in the text: not written yet (the file is a draft, so not published)",
    ),
    "link to a URL of the site": (
        page("Zie [ander](ander.html)."),
        ":6: the link ander.html points at a URL of this site — link the source "
        "file instead, ({filename}ander.nl.md)",
    ),
}


@pytest.mark.parametrize("case", list(WARNINGS))
def test_a_warning_is_listed_but_does_not_fail(tmp_path, case):
    text, expected = WARNINGS[case]
    result = run_check(
        tmp_path, {"pages/statuut.nl.md": text, "pages/ander.nl.md": OTHER}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Warnings (1):\n\n")
    assert f"content/pages/statuut.nl.md{expected}" in result.stdout
    assert "No errors; 1 warning(s) in 1 file(s)." in result.stdout


def test_a_translation_dated_apart_from_its_source_is_a_warning(tmp_path):
    """A stub keeps the date it was made: after the Dutch date changes, say so."""
    translation = page(Date="2008-10-18", Lang="fr", Slug="statut")
    translation = translation.replace(
        "Lang: fr", "Lang: fr\nTranslated_from: nl 0123456789ab"
    )
    result = run_check(
        tmp_path,
        {
            "news/statuut.nl.md": page(Date="2008-10-20"),
            "news/statuut.fr.md": translation,
        },
    )
    assert result.returncode == 0, result.stderr
    assert (
        "content/news/statuut.fr.md:6: Date 2008-10-18 differs from statuut.nl.md's "
        "Date 2008-10-20: the versions of one item would publish different dates — "
        "write `Date: 2008-10-20`"
    ) in result.stdout


def test_tittle_is_an_error_for_the_missing_title_and_one_naming_title(
    tmp_path,
):
    text = page().replace("Title:", "Tittle:")
    result = run_check(tmp_path, {"pages/statuut.nl.md": text})
    assert result.returncode == 1
    assert "Warnings" not in result.stderr
    assert "content/pages/statuut.nl.md:1: no Title — add a line `Title: …`" in (
        result.stderr
    )
    assert (
        "content/pages/statuut.nl.md:1: unknown metadata key 'Tittle' — did you "
        "mean Title?"
    ) in result.stderr


def test_valid_anchors_code_and_links_pass(tmp_path):
    body = "\n".join(
        [
            "## Voorwaarden",
            "",
            "Zie [hoger](#voorwaarden), [ander]({filename}ander.nl.md#voorwaarden),",
            "[eigen]({filename}ander.nl.md#eigen), [noot]({filename}ander.nl.md#fn:1),",
            "[mail](mailto:info@example.org), [site](https://www.example.org/).",
            "",
            "```",
            '<script>alert("in a code block, shown, not run")</script>',
            "# not a heading",
            "```",
            "",
            '`<p style="x">` in code is text.',
        ]
    )
    result = run_check(
        tmp_path, {"pages/statuut.nl.md": page(body), "pages/ander.nl.md": OTHER}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Checked 3 content file(s)")
    assert "no problems" in result.stdout


def test_output_groups_problems_by_file_errors_before_warnings(tmp_path):
    result = run_check(
        tmp_path,
        {
            "pages/a.nl.md": page("# Kop\n\n[x](http://www.example.org/)", Slug="a"),
            "pages/b.nl.md": page("TODO: vertalen.", Slug="b", Status="draft"),
            "news/c.nl.md": page(Slug="c"),
        },
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Errors (3):",
        "",
        "content/news/c.nl.md:1: no Date — add a line `Date: …` to the metadata "
        "block at the top",
        "",
        "content/pages/a.nl.md:6: a level-1 heading in the text: the Title is "
        "already the page's heading (h1) — start the text's headings at ## (level 2)",
        "content/pages/a.nl.md:8: the link http://www.example.org/ is not encrypted "
        "(http) — use https://www.example.org/; if that site has no https version, "
        "do not link it",
        "",
        "Warnings (1):",
        "",
        "content/pages/b.nl.md:7: TODO in the text: not written yet (the file is a "
        "draft, so not published) — write it, then remove the TODO and the line "
        "`Status: draft`",
        "",
        "3 error(s) and 1 warning(s) in 3 file(s). The site will not build until the "
        "errors are fixed.",
    ]


def test_a_duplicate_slug_names_both_files(tmp_path):
    result = run_check(
        tmp_path, {"pages/statuut.nl.md": page(), "pages/kopie.nl.md": page()}
    )
    assert result.returncode == 1
    assert (
        "content/pages/statuut.nl.md:3: Slug 'statuut' in language 'nl' is also used "
        "by content/pages/kopie.nl.md — give one of them another Slug"
    ) in result.stderr


def test_a_symlinked_folder_out_of_content_is_an_error(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "geheim.nl.md").write_text(page(Slug="geheim"), encoding="utf-8")
    (tmp_path / "content" / "pages").mkdir(parents=True)
    (tmp_path / "content" / "pages" / "meer").symlink_to(outside)

    result = run_check(tmp_path, {})

    assert result.returncode == 1
    assert (
        "content/pages/meer:1: is a symbolic link to a file outside content/ (it "
        f"would be published): {outside}"
    ) in result.stderr
    assert "geheim" not in result.stderr.replace(str(outside), "")


def test_a_dangling_symlink_is_an_error(tmp_path):
    (tmp_path / "content" / "pages").mkdir(parents=True)
    (tmp_path / "content" / "pages" / "weg.nl.md").symlink_to(tmp_path / "nergens")
    result = run_check(tmp_path, {})
    assert result.returncode == 1
    assert (
        "content/pages/weg.nl.md:1: is a symbolic link to something that does not exist"
    ) in result.stderr


def test_a_template_syntax_error_is_found_by_the_check(tmp_path):
    theme = tmp_path / "theme" / "templates"
    theme.mkdir(parents=True)
    (theme / "page.html").write_text("<p>\n{% if page %}\n<b>\n", encoding="utf-8")
    content = tmp_path / "content" / "pages"
    content.mkdir(parents=True)
    (content / "home.nl.md").write_text(HOME, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitekit.content",
            "--content",
            str(content.parent),
            "--theme",
            str(theme.parent),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert (
        "theme/templates/page.html:2: template syntax error: Unexpected end of "
        "template. Jinja was looking for the following tags: 'elif' or 'else' or "
        "'endif'."
    ) in result.stderr


def test_the_real_content_passes_the_checks():
    result = subprocess.run(
        [sys.executable, "-m", "sitekit.content"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    # Errors stop the build; warnings (a draft's TODO, …) are the editors' to-do.
    assert result.returncode == 0, result.stderr
    assert "error(s)" not in result.stdout


def test_an_unknown_setting_is_refused():
    from sitekit.content.rules import checks_settings

    assert checks_settings({}) == {"max_file_kb": 100}
    with pytest.raises(SettingsError, match=r"unknown key 'max_kb' \(did you mean"):
        checks_settings({"CONTENT_CHECKS": {"max_kb": 5}})
    with pytest.raises(
        SettingsError, match=r"\['max_file_kb'\] = 0 must be at least 1"
    ):
        checks_settings({"CONTENT_CHECKS": {"max_file_kb": 0}})
    with pytest.raises(SettingsError, match="must be a whole number"):
        checks_settings({"CONTENT_CHECKS": {"max_file_kb": True}})


def test_a_link_to_another_languages_page_is_an_error(tmp_path):
    other_fr = page("Texte.", Title="Autre", Slug="autre", Lang="fr")
    files = {
        "pages/statuut.nl.md": page("Zie [ander]({filename}ander.fr.md)."),
        "pages/ander.fr.md": other_fr,
    }

    result = run_check(tmp_path, files)

    assert result.returncode == 1, result.stdout
    assert (
        "content/pages/statuut.nl.md:6: the link {filename}ander.fr.md goes to the "
        "'fr' version of a page, from a 'nl' page — link ander.nl.md"
    ) in result.stderr


def test_errors_of_documents_and_warnings_of_pages_are_listed_together(tmp_path):
    """One Problem class: problems of both kinds sort together (it used to crash)."""
    entry = (ROOT / "content" / "documents" / "wet-1995-04-13.md").read_text()
    assert "Type: law\n" in entry
    result = run_check(
        tmp_path,
        {
            "documents/wet-1995-04-13.md": entry.replace("Type: law\n", "Type: lawx\n"),
            "pages/statuut.nl.md": page("Tekst.", Tittle="x"),
        },
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/documents/wet-1995-04-13.md:" in result.stderr
    assert "'lawx'" in result.stderr
    assert (
        "content/pages/statuut.nl.md:5: unknown metadata key 'Tittle'" in result.stderr
    )


def test_an_unchanged_content_folder_is_checked_once(tmp_path):
    """The result is kept under the digest of what was read: a change checks again."""
    files = {"pages/statuut.nl.md": page("Tekst.", Tittle="x")}
    first = run_check(tmp_path, files)
    cached = tmp_path / "cache" / "content-checks.json"
    assert cached.is_file()
    stamp = cached.stat().st_mtime_ns
    again = run_check(tmp_path, files)
    assert (again.stdout, again.stderr) == (first.stdout, first.stderr)
    assert cached.stat().st_mtime_ns == stamp  # read, not written again
    fixed = run_check(tmp_path, {"pages/statuut.nl.md": page("Tekst.")})
    assert "Tittle" not in fixed.stdout + fixed.stderr
    assert cached.stat().st_mtime_ns != stamp


def test_a_text_edit_checks_again_the_files_whose_links_read_it(tmp_path):
    """Kept problems follow the texts they read: a heading gone breaks its anchors."""
    linking = page("Zie [ander]({filename}ander.nl.md#voorwaarden).")
    files = {"pages/statuut.nl.md": linking, "pages/ander.nl.md": OTHER}
    assert run_check(tmp_path, files).returncode == 0
    renamed = OTHER.replace("## Voorwaarden", "## Andere kop")

    result = run_check(tmp_path, {**files, "pages/ander.nl.md": renamed})

    assert result.returncode == 1
    assert "content/pages/statuut.nl.md:6:" in result.stderr
    assert "#voorwaarden" in result.stderr
    fresh = run_main(
        main, ["--content", tmp_path / "content", "--cache", tmp_path / "fresh"]
    )
    assert (fresh.stdout, fresh.stderr) == (result.stdout, result.stderr)


def test_a_binary_file_named_md_is_one_clear_error(tmp_path):
    result = run_check(tmp_path, {"pages/statuut.nl.md": b"\x00" * 64})
    assert result.returncode == 1
    assert (
        "content/pages/statuut.nl.md:1: the file holds binary data (NUL bytes), "
        "not text"
    ) in result.stderr
    assert "no Title" not in result.stderr
