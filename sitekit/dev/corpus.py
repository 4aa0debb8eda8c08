"""A deterministic synthetic corpus for benchmarks and build tests.

N news articles in each of the site's languages, with realistic Markdown: headings,
paragraphs, lists, emphasis, links to other articles through `{filename}`, tags and
categories; plus one home page per language. The same arguments give the same bytes.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from sitekit.languages import LANGUAGE_CODES

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


def article_text(index: int, lang: str, count: int) -> str:
    """One article of about 420 words, in Markdown, with its metadata block."""
    rng = random.Random(f"{index}-{lang}")
    date = datetime.date(2008, 1, 1) + datetime.timedelta(days=index)
    other = rng.randrange(count)
    lines = [
        f"Title: Article {index} ({lang})",
        f"Lang: {lang}",
        f"Slug: article-{index:04d}",
        f"Date: {date.isoformat()}",
        f"Category: {rng.choice(['analyse', 'verslag', 'agenda'])}",
        f"Tags: {', '.join(rng.sample(WORDS, 3))}",
        f"Description: {_sentence(rng)}",
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


def home_text(lang: str) -> str:
    """A home page for one language, so the theme has its section home."""
    return (
        f"Title: Home {lang}\nLang: {lang}\nSlug: index\nSave_as: index.html\nURL:\n"
        f"Template: home\nOrder: 0\nDescription: Home.\n\nHome page ({lang}).\n"
    )


def write_corpus(
    content: Path, articles: int, languages: tuple[str, ...] = LANGUAGE_CODES
) -> int:
    """Write the corpus below `content`; return the number of source files."""
    (content / "news").mkdir(parents=True, exist_ok=True)
    (content / "pages").mkdir(parents=True, exist_ok=True)
    files = 0
    for lang in languages:
        (content / "pages" / f"home.{lang}.md").write_text(
            home_text(lang), encoding="utf-8"
        )
        files += 1
        for index in range(articles):
            path = content / "news" / f"article-{index:04d}.{lang}.md"
            path.write_text(article_text(index, lang, articles), encoding="utf-8")
            files += 1
    return files
