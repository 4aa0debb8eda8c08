"""Every file of the content folder that is not Markdown: an allowlist of types.

Pelican copies static files (`content/extra/`, the documents' files) to the site as
they are, and object storage sends no Content-Security-Policy header: an `.html` or an
`.svg` with a script would run when opened. So only passive types are allowed, a
file's first bytes must match its type (a `.png` that is really HTML is refused), and
an SVG may only draw (`sitekit.content.html.svg_problems`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sitekit.content.html import svg_problems
from sitekit.content.rules import Project
from sitekit.content.source import shown_path
from sitekit.errors import Problem

# Extension → the ways such a file may start (b"" for text, checked apart).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".ico": (b"\x00\x00\x01\x00",),
    ".pdf": (b"%PDF-",),
    ".woff": (b"wOFF",),
    ".woff2": (b"wOF2",),
    # Documents of the catalogue: downloaded, never shown by the browser.
    **dict.fromkeys(
        (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"), (b"PK\x03\x04",)
    ),
    ".txt": (b"",),
    ".csv": (b"",),
    ".svg": (b"",),
}
TEXT = (".txt", ".csv", ".svg")
ALLOWED = ", ".join(sorted(SIGNATURES))
# Markdown is content, read and checked by the rules.
CONTENT_SUFFIXES = (".md",)


def static_files(content: Path) -> Iterator[Path]:
    """Every file below `content` that Pelican may copy (links are checked apart)."""
    for folder, folders, files in os.walk(content):
        folders.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() not in CONTENT_SUFFIXES and not path.is_symlink():
                yield path


def check_static_file(path: Path, shown: str) -> Iterator[Problem]:
    """One static file: an allowed type, bytes of that type, and nothing active."""
    suffix = path.suffix.lower()
    if suffix not in SIGNATURES:
        what = f"a {suffix} file" if suffix else "a file without an extension"
        yield Problem(
            shown,
            1,
            f"{what} is not an allowed static file: it is copied to the site as it "
            "is, and a page or script in it would run on this site",
            f"remove it; allowed types: {ALLOWED}",
        )
        return
    data = path.read_bytes()
    if suffix in TEXT:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            yield Problem(
                shown,
                data.count(b"\n", 0, error.start) + 1,
                "not UTF-8 text",
                "save the file as UTF-8",
            )
            return
        if suffix == ".svg":
            for line, message in svg_problems(text):
                yield Problem(
                    shown,
                    line,
                    f"SVG: {message}",
                    "an SVG may only draw: remove scripts, event handlers (on…=), "
                    "styles, links and references to other files; export it again "
                    "as plain SVG",
                )
        return
    if not data.startswith(SIGNATURES[suffix]) or (
        suffix == ".webp" and data[8:12] != b"WEBP"
    ):
        yield Problem(
            shown,
            1,
            f"the file is not a {suffix} file (its first bytes say otherwise)",
            f"export it again as {suffix}, or give it the extension of what it is",
        )


def check_static(project: Project) -> list[Problem]:
    """The problems of every non-Markdown file of the content folder."""
    root = project.content.parent
    return [
        problem
        for path in static_files(project.content)
        for problem in check_static_file(path, shown_path(path, root))
    ]
