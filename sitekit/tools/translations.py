"""Translation status: which page, news item and document exists in which language.

    python -m sitekit.tools.translations [--content DIR] [--html [FILE]] [--done FILE]

(`invoke translations`) prints a table: every item x nl/fr/de/en, each `present`,
`missing`, `outdated` or `draft` (a stub from `invoke new --translations`, not
published until translated).

Outdated is recorded in the translation itself, not taken from git: each translation
says which version of which text it follows, e.g. `Translated_from: nl 3f2a9c1b7d4e`,
a fingerprint (sha256) of the Dutch title, description, sources and text. When the
Dutch text changes, the fingerprint no longer matches and the translation is outdated;
after updating it, `--done FILE` records the current fingerprint. Git dates would need
no such line, but they are missing in shallow CI clones and for uncommitted work, and a
typo fixed in a translation would hide that it still lacks a new Dutch paragraph.
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sitekit.content.rules import REQUIRED, TODO, TRANSLATED_FROM
from sitekit.content.source import (
    ContentFile,
    content_files,
    read_content_file,
    source_version,
)
from sitekit.languages import BY_CODE, DEFAULT_LANG, LANGUAGE_CODES

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"  # gitignored; never below output/, so never published
STATUSES = ("present", "missing", "outdated", "draft", "unknown", "-")
EXPLAINED = {
    "present": "translated and up to date",
    "missing": "no file in this language",
    "outdated": "the text it was translated from has changed since",
    "draft": "a stub (Status: draft): not published until translated",
    "unknown": "no Translated_from line: run --done after comparing it",
    "-": "a help-only language (sitekit/languages.py) that has no such page",
}


@dataclass
class Cell:
    """One item in one language."""

    status: str
    path: str = ""  # the file, as editors know it; '' when missing
    note: str = ""


@dataclass
class Row:
    """One page, news item or document in every language."""

    kind: str
    key: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.key}"


def translation_status(content_root: Path) -> list[Row]:
    """A row per page, news item and document, in file order."""
    groups: dict[tuple[str, str], dict[str, ContentFile]] = {}
    for path in content_files(content_root):
        source, problems = read_content_file(path, content_root)
        if problems or source.kind not in REQUIRED:
            continue
        lang = source.value("lang") or path.suffixes[0].lstrip(".")
        groups.setdefault((source.kind, source.key), {})[lang] = source
    rows = []
    for (kind, key), versions in sorted(groups.items()):
        row = Row(kind, key)
        for lang in LANGUAGE_CODES:
            row.cells[lang] = cell_of(versions.get(lang), versions, lang)
        rows.append(row)
    return rows + document_rows(content_root)


def cell_of(
    source: ContentFile | None, versions: dict[str, ContentFile], lang: str
) -> Cell:
    """The status of one language version of an item."""
    if source is None:
        # A help-only language translates only its help pages: the rest is no gap.
        return Cell("-" if BY_CODE[lang].help_only else "missing")
    shown = source.shown_path
    if source.is_draft:
        return Cell("draft", shown)
    value = source.value("translated_from")
    if not value:
        original = source.value("lang") == DEFAULT_LANG or DEFAULT_LANG not in versions
        return Cell("present" if original else "unknown", shown)
    match = TRANSLATED_FROM.match(value)
    original = versions.get(match["lang"]) if match else None
    if original is None:
        return Cell("unknown", shown, f"Translated_from {value!r} names no file")
    if source_version(original) != match["version"]:
        return Cell("outdated", shown, f"{original.shown_path} changed")
    if date_differs(source, original):
        return Cell("outdated", shown, date_note(source, original))
    return Cell("present", shown)


def date_differs(translation: ContentFile, original: ContentFile) -> bool:
    """A news item's date is not translated: every version must publish the same."""
    return bool(original.value("date")) and (
        translation.value("date") != original.value("date")
    )


def date_note(translation: ContentFile, original: ContentFile) -> str:
    return (
        f"Date {translation.value('date') or '(none)'} differs from "
        f"{original.shown_path}'s {original.value('date')}: write "
        f"`Date: {original.value('date')}`"
    )


def document_rows(content_root: Path) -> list[Row]:
    """Documents: one file each, `Title_<lang>` per language it is described in.

    The documentation index keeps every language in one file, so a document is
    present in a language when it has that language's title.
    """
    rows = []
    for path in sorted((content_root / "documents").glob("*.md")):
        source, problems = read_content_file(path, content_root)
        if problems:
            continue
        row = Row("documents", path.stem)
        for lang in LANGUAGE_CODES:
            if BY_CODE[lang].help_only:
                row.cells[lang] = Cell("-", source.shown_path)  # no documentation
                continue
            # A plain `Title:` is shown in every language's catalogue (the README
            # allows it), so it makes the document present everywhere.
            title = source.value(f"title_{lang}") or source.value("title")
            status = "missing" if not title else "draft" if TODO.search(title) else ""
            row.cells[lang] = Cell(status or "present", source.shown_path)
        rows.append(row)
    return rows


def text_table(rows: list[Row]) -> str:
    """The status as a plain-text table, with what to do about each gap."""
    width = max([len(row.name) for row in rows] + [20]) + 2
    lines = [
        "Translation status of every page, news item and document:",
        *(f"  {status:<9} {text}" for status, text in EXPLAINED.items()),
        "",
        (" " * width + "".join(f"{lang:<10}" for lang in LANGUAGE_CODES)).rstrip(),
    ]
    for row in rows:
        cells = "".join(f"{row.cells[lang].status:<10}" for lang in LANGUAGE_CODES)
        lines.append(f"{row.name:<{width}}{cells}".rstrip())
    counts = {status: 0 for status in STATUSES}
    todo = []
    for row in rows:
        for lang, cell in row.cells.items():
            counts[cell.status] += 1
            if cell.status in ("outdated", "unknown"):
                todo.append(
                    f"  {cell.path}: {cell.note or cell.status}; bring it up to date, "
                    f"then run `invoke translations --done {cell.path}`"
                )
            elif cell.status == "draft":
                todo.append(f"  {cell.path}: translate it, then remove `Status: draft`")
            elif cell.status == "missing" and row.kind != "documents":
                todo.append(f"  {row.kind}/{row.key}: no {lang} version")
    lines += ["", ", ".join(f"{n} {status}" for status, n in counts.items() if n)]
    if todo:
        lines += ["", "To do:", *todo]
    return "\n".join(lines)


def html_report(rows: list[Row]) -> str:
    """The status as one self-contained HTML page for editors (never published)."""
    head = "".join(f'<th scope="col">{lang}</th>' for lang in LANGUAGE_CODES)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{cell.status}" title="{html.escape(cell.path or "")}">'
            f"{cell.status}"
            + (f"<br><small>{html.escape(cell.note)}</small>" if cell.note else "")
            + "</td>"
            for cell in row.cells.values()
        )
        body.append(f'<tr><th scope="row">{html.escape(row.name)}</th>{cells}</tr>')
    legend = "".join(
        f'<li><span class="{status}">{status}</span>: {html.escape(text)}</li>'
        for status, text in EXPLAINED.items()
    )
    rows_html = "\n".join(body)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="robots" content="noindex">
<title>Translation status</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #999; padding: .25rem .75rem; text-align: left; }}
.present {{ background: #dff0d8; }} .missing {{ background: #f2dede; }}
.outdated {{ background: #fcf0c8; }} .draft, .unknown {{ background: #e8e8e8; }}
</style></head><body>
<h1>Translation status</h1>
<p>For editors only: this file is not part of the site. Made by
<code>invoke translations --html</code>.</p>
<ul>{legend}</ul>
<table><thead><tr><th scope="col">Item</th>{head}</tr></thead>
<tbody>
{rows_html}
</tbody></table>
</body></html>
"""


def mark_done(path: Path, content_root: Path) -> str:
    """Record in a translation that it follows the current text it translates."""
    if not path.is_file():
        raise ValueError(
            f"{path}: no such file — name a translation, e.g. "
            "content/pages/statuut.fr.md"
        )
    if not path.is_relative_to(content_root.resolve()) or path.suffix != ".md":
        raise ValueError(
            f"{path}: not a content file — name a translation below "
            f"{content_root}, e.g. content/pages/statuut.fr.md"
        )
    if path.is_relative_to((content_root / "documents").resolve()):
        raise ValueError(
            f"{path}: a document entry holds every language itself; --done is for "
            "the translations of pages and news items"
        )
    source, problems = read_content_file(path, content_root)
    if problems:
        raise ValueError(str(problems[0]))
    match = TRANSLATED_FROM.match(source.value("translated_from"))
    from_lang = match["lang"] if match else DEFAULT_LANG
    original_path = path.with_name(f"{source.key}.{from_lang}.md")
    if from_lang == source.value("lang"):
        raise ValueError(
            f"{source.shown_path}: this is the {from_lang} text itself, which the "
            "translations follow — run --done on a translation, e.g. "
            f"{source.key}.fr.md"
        )
    if not original_path.is_file():
        raise ValueError(f"{source.shown_path}: there is no {original_path.name}")
    original, problems = read_content_file(original_path, content_root)
    if problems:
        raise ValueError(str(problems[0]))
    line = f"Translated_from: {from_lang} {source_version(original)}"
    lines = path.read_text(encoding="utf-8").split("\n")
    if "translated_from" in source.metadata:
        lines[source.line_of("translated_from") - 1] = line
    else:
        # At the end of the metadata block, before the blank line that ends it.
        lines.insert(source.body_line - 2, line)
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"{source.shown_path}: {line}"


def report_path(name: str) -> Path:
    """Where the HTML report goes: reports/<name>, unless a path outside output/."""
    path = Path(name)
    if not path.is_absolute():
        path = REPORTS / path.name if path.parent == Path() else Path.cwd() / path
    if path.suffix != ".html":
        raise ValueError(
            f"{path}: the report is an HTML file: give a name ending in .html"
        )
    for folder in ("output", "content", "theme", "sitekit"):
        if path.resolve().is_relative_to((ROOT / folder).resolve()):
            raise ValueError(
                f"{path}: reports never go below {folder}/ — leave the name out, it "
                "goes to reports/translations.html"
            )
    return path


def main(argv: list[str] | None = None) -> int:
    """`invoke translations`: print the table, write the HTML report, mark as done."""
    parser = argparse.ArgumentParser(prog="invoke translations")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument(
        "--html",
        nargs="?",
        const="translations.html",
        metavar="FILE",
        help="also write an HTML report (a bare name goes into reports/)",
    )
    parser.add_argument(
        "--done",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="record that these translations follow the current source text",
    )
    args = parser.parse_args(argv)
    content = args.content.resolve()
    if args.done:
        for path in args.done:
            try:
                print(mark_done(path.resolve(), content))
            except ValueError as error:
                print(error, file=sys.stderr)
                return 1
    rows = translation_status(content)
    print(text_table(rows))
    if args.html:
        try:
            path = report_path(args.html)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 1
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html_report(rows), encoding="utf-8")
        print(f"\nWrote {path} (open it in a browser; it is not published).")
    return 0
