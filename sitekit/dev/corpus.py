"""A deterministic synthetic corpus for benchmarks and build tests.

N news articles in each of the site's languages, with realistic Markdown: headings,
paragraphs, lists, emphasis, links to other articles through `{filename}`; no
categories or tags (the site writes no pages for them); plus one home page per
language. The same arguments give the same bytes.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from sitekit.content.source import read_content_file, source_version
from sitekit.languages import FULL_LANGUAGE_CODES

VOCABULARY = (
    "mensenhandel uitbuiting slachtoffer centrum opvang arbeid verblijf statuut "
    "onderzoek politie magistraat netwerk bescherming begeleiding juridische hulp "
    "traite victime accueil travail séjour enquête protection réseau aide juridique "
    "Menschenhandel Opfer Schutz Arbeit Aufenthalt Netzwerk Hilfe Beratung Polizei "
    "trafficking victim shelter work residence network protection support police"
)
WORDS = VOCABULARY.split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def article_text(index: int, lang: str, count: int, translated_from: str = "") -> str:
    """One article of about 420 words, in Markdown, with its metadata block.

    `translated_from`: the `Translated_from` value of a translation ("nl <version>").
    """
    rng = random.Random(f"{index}-{lang}")
    date = datetime.date(2008, 1, 1) + datetime.timedelta(days=index)
    other = rng.randrange(count)
    lines = [
        f"Title: Article {index} ({lang})",
        f"Lang: {lang}",
        f"Slug: article-{index:04d}",
        f"Date: {date.isoformat()}",
        f"Description: {_sentence(rng)}",
        *([f"Translated_from: {translated_from}"] if translated_from else []),
        "",
        _paragraph(rng),
        "",
        "## " + _sentence(rng).rstrip("."),
        "",
        _paragraph(rng),
        "",
    ]
    lines += [f"- {_sentence(rng)}" for _ in range(4)]
    lines += [
        "",
        f"See also [article {other}]({{filename}}article-{other:04d}.{lang}.md) "
        f"and *{rng.choice(WORDS)}* or **{rng.choice(WORDS)}**.",
        "",
        "### " + _sentence(rng).rstrip("."),
        "",
        _paragraph(rng),
        "",
        "1. " + _sentence(rng),
        "2. " + _sentence(rng),
        "",
        _paragraph(rng),
        "",
    ]
    return "\n".join(lines)


def home_text(lang: str, translated_from: str = "") -> str:
    """A home page for one language, so the theme has its section home."""
    origin = f"Translated_from: {translated_from}\n" if translated_from else ""
    return (
        f"Title: Home {lang}\nLang: {lang}\nSlug: index\nSave_as: index.html\nURL:\n"
        f"Template: home\nOrder: 0\nDescription: Home.\n{origin}\n"
        f"Home page ({lang}).\n"
    )


def write_corpus(
    content: Path, articles: int, languages: tuple[str, ...] = FULL_LANGUAGE_CODES
) -> int:
    """Write the corpus below `content`; return the number of source files."""
    (content / "news").mkdir(parents=True, exist_ok=True)
    (content / "pages").mkdir(parents=True, exist_ok=True)
    files = 0
    source, *others = languages
    for lang in (source, *others):  # the source language first: others follow it
        home = content / "pages" / f"home.{lang}.md"
        home.write_text(home_text(lang, _version(content, home, source)), "utf-8")
        files += 1
        for index in range(articles):
            path = content / "news" / f"article-{index:04d}.{lang}.md"
            origin = _version(content, path, source)
            path.write_text(article_text(index, lang, articles, origin), "utf-8")
            files += 1
    return files


def _version(content: Path, path: Path, source: str) -> str:
    """`Translated_from` of `path`: "" for the source language itself."""
    original = path.with_name(f"{path.name.split('.')[0]}.{source}.md")
    if original == path:
        return ""
    read, _ = read_content_file(original, content)
    return f"{source} {source_version(read)}"
