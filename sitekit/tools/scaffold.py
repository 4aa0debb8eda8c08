"""New content from the command line: `invoke new page|article|document`.

    python -m sitekit.tools.scaffold page --title "Veelgestelde vragen" [--translations]

creates `content/pages/<key>.<lang>.md` with the metadata the checks require, and with
`--translations` a stub in every other language. A stub says `Status: draft`, so it is
not published until someone translates it, and holds TODO lines, which `invoke check`
lists (as warnings while the file is a draft, as errors once it would be published).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from argparse import SUPPRESS
from pathlib import Path

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from sitekit.content.rules import MAX_TITLE
from sitekit.content.source import read_content_file, source_version
from sitekit.languages import BY_CODE, DEFAULT_LANG, FULL_LANGUAGE_CODES, LANGUAGE_CODES

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"page": "pages", "article": "news", "document": "documents"}


def make_slug(title: str) -> str:
    """The slug Pelican would make of `title`: lower case, ASCII, hyphens."""
    return slugify(title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


def page_text(kind: str, title: str, lang: str, slug: str, today: datetime.date) -> str:
    """A new page or news item in its source language, ready to be written."""
    lines = [f"Title: {title}", f"Lang: {lang}", f"Slug: {slug}"]
    if kind == "article":
        lines.append(f"Date: {today.isoformat()}")
    lines.append("Description: TODO: one or two sentences for search results")
    return "\n".join(lines) + "\n\nTODO: write the text. Headings start at ##.\n"


def stub_text(source: Path, lang: str, content_root: Path) -> str:
    """A draft translation of `source`, with the source's version recorded."""
    original, problems = read_content_file(source, content_root)
    if problems:
        raise ValueError(str(problems[0]))
    from_lang = original.value("lang")
    lines = [
        f"Title: {original.value('title')}",
        f"Lang: {lang}",
        f"Slug: {original.value('slug')}",
    ]
    if original.value("date"):
        lines.append(f"Date: {original.value('date')}")
    lines += [
        "Description: TODO: translate the description",
        "Status: draft",
        f"Translated_from: {from_lang} {source_version(original)}",
    ]
    return (
        "\n".join(lines)
        + f"\n\nTODO: translate {original.shown_path} into {BY_CODE[lang].name}. "
        "Give the page its own Title and Slug in this language, replace every TODO, "
        "then remove the line `Status: draft` to publish it.\n"
    )


def document_text(title: str, lang: str, translations: bool) -> str:
    """A documentation-index entry: one file for every language.

    Kept in this one function: the documents format belongs to the documentation
    index, and this is the only place that needs to follow it.
    """
    lines = [
        "Type: TODO",
        "Year: TODO",
        f"Languages: {lang}",
        "Publisher: TODO",
        "URL: TODO",
        f"Title_{lang}: {title}",
        f"Description_{lang}: TODO",
    ]
    if translations:
        # Stubs for the full languages: a help-only language translates only a few.
        for other in FULL_LANGUAGE_CODES:
            if other != lang:
                lines += [f"Title_{other}: TODO", f"Description_{other}: TODO"]
    return "\n".join(lines) + "\n"


def new_content(
    kind: str,
    title: str,
    lang: str = DEFAULT_LANG,
    translations: bool = False,
    content_root: Path = ROOT / "content",
    today: datetime.date | None = None,
) -> list[Path]:
    """Create the file(s); refuse to overwrite anything. Returns the paths created."""
    if kind not in FOLDERS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(FOLDERS)}")
    if lang not in LANGUAGE_CODES:
        raise ValueError(
            f"--lang {lang!r} is not a language of this site: use one of "
            f"{', '.join(LANGUAGE_CODES)}"
        )
    if len(title) > MAX_TITLE:
        raise ValueError(
            f"the title is {len(title)} characters long; the limit is {MAX_TITLE}: "
            "shorten it (say the rest in the Description)"
        )
    slug = make_slug(title)
    if not slug:
        raise ValueError(f"the title {title!r} gives no slug: use letters or digits")
    folder = content_root / FOLDERS[kind]
    if kind == "document":
        targets = {folder / f"{slug}.md": document_text(title, lang, translations)}
    else:
        source = folder / f"{slug}.{lang}.md"
        targets = {source: page_text(kind, title, lang, slug, today or _today())}
        if translations:
            # Empty text: a stub, written after its source, which it fingerprints.
            targets |= {
                folder / f"{slug}.{other}.md": ""
                for other in FULL_LANGUAGE_CODES
                if other != lang
            }
    existing = [path for path in targets if path.exists()]
    if existing:
        raise ValueError(
            f"{existing[0]} already exists: choose another title, or edit that file"
        )
    created = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in targets.items():
            if not text:
                other = path.suffixes[0].lstrip(".")
                text = stub_text(created[0], other, content_root)
            path.write_text(text, encoding="utf-8")
            created.append(path)
    except OSError as error:
        raise ValueError(f"cannot write {error.filename}: {error.strerror}") from None
    return created


def _today() -> datetime.date:
    return datetime.date.today()


def main(argv: list[str] | None = None) -> int:
    """`invoke new`: create the files and say what to do next."""
    parser = argparse.ArgumentParser(prog="invoke new")
    parser.add_argument("kind", choices=list(FOLDERS))
    parser.add_argument("--title", required=True, help="the title (required)")
    parser.add_argument("--lang", default=DEFAULT_LANG, help="its language")
    parser.add_argument("--translations", action="store_true", help="stubs too")
    # Not an `invoke new` option: the tests write into their own folder.
    parser.add_argument("--content", type=Path, default=ROOT / "content", help=SUPPRESS)
    args = parser.parse_args(argv)
    content = args.content.resolve()
    try:
        created = new_content(
            args.kind, args.title, args.lang, args.translations, content
        )
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    for path in created:
        print(f"Created {path.relative_to(content.parent).as_posix()}")
    if args.kind == "document":
        print("Fill in every TODO, then run `invoke check`.")
    else:
        print(
            "Write the Description and the text (replace each TODO), then run "
            "`invoke check` and `invoke build`."
        )
        if args.kind == "page":
            print("To show the page in the menu, add a line `Order: <position>`.")
        if args.translations:
            print(
                "The other languages are drafts (not published) until translated; "
                "`invoke translations` shows their status."
            )
    return 0
