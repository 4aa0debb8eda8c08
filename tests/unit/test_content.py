"""The content is faithful: the seed on the Dutch site, translations, dates, feeds.

Translations exist and link back; dates read as each language writes them.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from sitekit.languages import FULL_LANGUAGE_CODES, HELP_ONLY_CODES
from tests.support import ROOT

# The seed page: shared/ beside the checkout where it exists (our machines and CI),
# else the copy in tests/data (a CI system that has only the repository).
SHARED_SEED = ROOT.parent / "shared" / "seeds" / "mensenhandel-seed.txt"


COPIED_SEED = ROOT / "tests" / "data" / "mensenhandel-seed.txt"


SEED = SHARED_SEED if SHARED_SEED.is_file() else COPIED_SEED


# Seed section heading → the Dutch page that holds the section.
SECTIONS = {
    "Mensenhandel": "index.html",
    "Wat is mensenhandel?": "wat-is-mensenhandel.html",
    "Statuut": "statuut.html",
    "Rol centrum": "rol-centrum.html",
    "Een multidisciplinaire aanpak": "multidisciplinaire-aanpak.html",
    "Centra slachtoffers": "centra-slachtoffers.html",
    "Documentatie": "documentatie.html",
}


def seed_sections() -> dict[str, list[str]]:
    """The seed's paragraphs grouped under their heading."""
    assert SEED.is_file(), f"the seed page is missing: {SEED}"
    blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n")]
    sections: dict[str, list[str]] = defaultdict(list)
    heading = None
    for block in blocks:
        if block in SECTIONS:
            heading = block
        elif heading and block:
            sections[heading].append(block)
    return sections


def sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!:])\s+(?=[A-Z])", paragraph) if s]


def test_the_copy_of_the_seed_is_the_seed():
    if not SHARED_SEED.is_file():
        pytest.skip("no shared/ beside the checkout: the copy is all there is")
    assert COPIED_SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_the_seed_is_read_as_expected():
    sections = seed_sections()
    assert set(sections) == set(SECTIONS)
    assert sum(len(sentences(p)) for ps in sections.values() for p in ps) >= 15


def content_keys() -> dict[str, set[str]]:
    """Every page and news item (by folder and <key>), with its languages."""
    keys: dict[str, set[str]] = defaultdict(set)
    for path in (ROOT / "content").rglob("*.md"):
        if path.relative_to(ROOT / "content").parts[0] in ("documents", "extra"):
            continue  # one entry per document, all languages inside: test_documents
        key, lang = path.name.removesuffix(".md").rsplit(".", 1)
        keys[f"{path.parent.name}/{key}"].add(lang)
    return keys


def test_every_missing_translation_is_in_the_translation_report():
    """Each full language a page lacks is listed as work to do, not a CI failure.

    Completeness is a report for editors (`invoke translations`), whatever content.
    """
    from sitekit.tools.translations import text_table, translation_status

    report = text_table(translation_status(ROOT / "content"))
    for name, languages in content_keys().items():
        for lang in set(FULL_LANGUAGE_CODES) - languages:
            assert f"  {name}: no {lang} version" in report


# What a help-only language must have: its home (the help page), the quick-exit
# explanation, the centres and a site map (the issue "help in victims' languages").
HELP_PAGES = {
    "pages/hulp",
    "pages/snel-weg",
    "pages/centra-slachtoffers",
    "pages/sitemap",
    "pages/404",  # without it, a stock build writes every 404 page into the subsite
}


def test_every_help_only_language_has_the_help_pages():
    keys = content_keys()
    for lang in HELP_ONLY_CODES:
        has = {key for key, langs in keys.items() if lang in langs}
        assert has >= HELP_PAGES, lang


# Brussels streets are bilingual (CONTENT-FACTS): a Dutch page gives the Dutch form.
FRENCH_FORMS = {"Rue des Alexiens": "Cellebroersstraat 16, 1000 Brussel"}


def test_dutch_pages_give_brussels_addresses_in_dutch():
    found = []
    for path in sorted((ROOT / "content").rglob("*.nl.md")):
        text = path.read_text(encoding="utf-8")
        for french, dutch in FRENCH_FORMS.items():
            if french in text:
                found.append(f"{path.relative_to(ROOT)}: {french!r}, write {dutch!r}")
    assert found == []
