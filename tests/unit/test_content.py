"""The content is faithful: the seed on the Dutch site, translations, dates, feeds.

Translations exist and link back; dates read as each language writes them.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from sitekit.languages import FULL_LANGUAGE_CODES, HELP_ONLY_CODES
from tests.seed import COPIED_SEED, SECTIONS, SHARED_SEED, seed_sections, sentences
from tests.support import ROOT


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
