"""The seed page the site is modelled on: where it is, its sections and sentences."""

from __future__ import annotations

import re
from collections import defaultdict

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
