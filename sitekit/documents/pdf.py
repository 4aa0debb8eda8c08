"""Fact-sheet PDFs: a document entry's `File:` ending in `.md` becomes a PDF.

The bytes depend only on the text, title, language and date, so they are made once
and kept in the cache folder between builds.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import logging
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

import markdown

from sitekit.content.documents import Entry, Target


# Pure function of its arguments: each of the four subsites asks for the same PDFs,
# and making one takes ~0.1 s, so each is made once per process.
@functools.lru_cache(maxsize=64)
def make_pdf(markdown_text: str, title: str, lang: str, date: datetime.date) -> bytes:
    """A PDF of a short Markdown text, the same bytes for the same input.

    fpdf2's built-in Helvetica covers Latin-1, which is enough for our four languages
    (check_documents refuses other characters with the line they are on).
    """
    from fpdf import FPDF  # imported only when a PDF must be made: it takes 0.3 s

    pdf = FPDF(format="A4")
    # A fixed creation date keeps the bytes identical from build to build, so the
    # atomic build leaves the file untouched and publishing sees no change.
    moment = datetime.datetime.combine(date, datetime.time(), datetime.UTC)
    pdf.set_creation_date(moment)
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("sitekit.documents")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.write_html(markdown.markdown(markdown_text, output_format="html"))
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()


# What a PDF's bytes depend on besides its arguments: fpdf2 and this module's code.
_PDF_MAKER = "fpdf2={};{}".format(
    version("fpdf2"), hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
)


# Problems of that cache are not problems of the site: logged, never fatal.
CACHE_LOG = logging.getLogger("sitekit.cache")  # never fatal: see builder.runner


def cached_pdf(
    markdown_text: str, title: str, lang: str, date: datetime.date, cache: Path | None
) -> bytes:
    """make_pdf, kept on disk between builds: a build with no change makes no PDF."""
    if cache is None:
        return make_pdf(markdown_text, title, lang, date)
    inputs = json.dumps([markdown_text, title, lang, date.isoformat(), _PDF_MAKER])
    path = cache / "pdf" / f"{hashlib.sha256(inputs.encode()).hexdigest()}.pdf"
    if path.is_file():
        data = path.read_bytes()
        if data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"):
            return data
        CACHE_LOG.warning("[sitekit.documents] a cached PDF was damaged; remade")
    data = make_pdf(markdown_text, title, lang, date)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".pdf-")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    Path(temporary).replace(path)  # atomic: never a half-written PDF in the cache
    return data


def local_bytes(entry: Entry, target: Target, cache: Path | None = None) -> bytes:
    """The bytes of a local file as published: a copy, or a PDF made from Markdown."""
    assert target.source is not None
    if target.source.suffix != ".md":
        return target.source.read_bytes()
    lang = target.lang or entry.languages[0]
    title, _ = entry.pick("title", lang)
    date = entry.date or datetime.date(entry.year, 1, 1)
    text = target.source.read_text(encoding="utf-8")
    return cached_pdf(text, title, lang, date, cache)
