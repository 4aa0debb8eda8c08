"""The README's editor workflows, done on a copy of the site, keep every rule green.

A new page, a news item with `--translations` and one language translated (the
others left as drafts), a new document and an image in a page: the build must pass,
and then the whole built-output test set (tests/site) must pass on the result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sitekit.tools import scaffold
from tests.support import ROOT, run_build, run_main


def new(content: Path, *args: str) -> list[Path]:
    result = run_main(scaffold.main, [*args, "--content", content])
    assert result.returncode == 0, result.stderr
    return [
        content.parent / line.removeprefix("Created ")
        for line in result.stdout.splitlines()
        if line.startswith("Created ")
    ]


def fill(path: Path, replacements: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new_text in replacements.items():
        assert old in text, (path, old)
        text = text.replace(old, new_text)
    path.write_text(text, encoding="utf-8")


def free_title(content: Path, folder: str, title: str) -> str:
    """`title`, or `title 2`, … when an editor already made a file of that name."""
    from sitekit.tools.scaffold import make_slug

    number = 1
    candidate = title
    while list((content / folder).glob(f"{make_slug(candidate)}.*.md")):
        number += 1
        candidate = f"{title} {number}"
    return candidate


def test_the_readme_workflows_keep_the_site_and_its_tests_green(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)

    # Add a page (README "Add a page"), with an image (README "Images and files").
    page_title = free_title(content, "pages", "Veelgestelde vragen")
    (page,) = new(content, "page", "--title", page_title)
    shutil.copy(
        ROOT / "content" / "extra" / "favicon.svg", content / "extra" / "logo.svg"
    )
    fill(
        page,
        {
            "TODO: one or two sentences for search results": "Vragen en antwoorden.",
            "TODO: write the text. Headings start at ##.": (
                "## Waar vind ik hulp?\n\n![Het logo van de site]({static}"
                "../extra/logo.svg)\n\nZie [de centra]({filename}"
                "centra-slachtoffers.nl.md)."
            ),
        },
    )

    # A news item with --translations; French translated, German and English drafts.
    news_title = free_title(content, "news", "Nieuwe brochure")
    created = new(content, "article", "--title", news_title, "--translations")
    dutch, french = created[0], created[1]
    fill(
        dutch,
        {
            "TODO: one or two sentences for search results": "Een nieuwe brochure.",
            "TODO: write the text. Headings start at ##.": (
                "Lees [het statuut]({filename}../pages/statuut.nl.md)."
            ),
        },
    )
    text = french.read_text(encoding="utf-8")
    body_start = text.index("\n\n")
    french.write_text(
        text[:body_start]
        .replace(f"Title: {news_title}", f"Title: Nouvelle {news_title}")
        .replace(f"Slug: {dutch.name.split('.')[0]}", "Slug: nouvelle-brochure-test")
        .replace("TODO: translate the description", "Une nouvelle brochure.")
        .replace("Status: draft\n", "")
        + "\n\nLisez [le statut]({filename}../pages/statuut.fr.md).\n",
        encoding="utf-8",
    )
    run_main(
        __import__("sitekit.tools.translations", fromlist=["main"]).main,
        ["--content", content, "--done", french],
    )

    # A new document entry (README "The documentation catalogue").
    document_title = free_title(content, "documents", "Brochure mensenhandel")
    (entry,) = new(content, "document", "--title", document_title)
    fill(
        entry,
        {
            "Type: TODO": "Type: brochure",
            "Year: TODO": "Year: 2008",
            "Publisher: TODO": "Publisher: Redactie van deze website",
            "URL: TODO": "URL: https://www.myria.be/",
            "Description_nl: TODO": "Description_nl: Een brochure.",
        },
    )

    output = tmp_path / "output"
    built = run_build(output, content=content)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (output / f"{page.name.split('.')[0]}.html").is_file()
    assert (output / "fr" / "actualites" / "nouvelle-brochure-test.html").is_file()
    dutch_page = f"{dutch.name.split('.')[0]}.html"
    assert not list(output.rglob(dutch_page))[1:], "a draft was built"

    # The whole built-output test set, on this site.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/site"],
        cwd=ROOT,
        env={
            **os.environ,
            "SITE_OUTPUT": str(output),
            "SITE_CONTENT": str(content),
            "PYTHONPATH": str(ROOT),
            # One process, no plugin needed (xdist and the others installed here
            # cost ~1 CPU-s to load).
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
