"""Facts come only from the sources, and each organisation has one name per language.

Read from the sources themselves (content/, the theme's templates and catalogs), no
build needed:

- every phone number, address, date and year in content/ is in the facts sheet
  (CONTENT-FACTS.md) or the seed page, except the site's own dates: the publication
  dates of pages and news (their `Date:`/`Modified:`) and the dates in SITE_DATES;
- a page or news item that states such a fact names its sources (`Sources:`);
- each organisation and service in NAMES is called one thing per language, on every
  page, in the documentation catalogue, the fact sheets and the interface strings.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sitekit.content.documents import load_entries, read_config
from sitekit.languages import FULL_LANGUAGE_CODES, LANGUAGE_CODES
from tests.support import ROOT

CONTENT = ROOT / "content"
SHARED = ROOT.parent / "shared"
COPIES = ROOT / "tests" / "data"
# shared/ beside the checkout where it exists (our machines and CI), else the copies
# in tests/data (a CI system that has only the repository), as test_content.py does.
FACTS_SHEET = SHARED / "CONTENT-FACTS.md"
SEED = SHARED / "seeds" / "mensenhandel-seed.txt"
SOURCES = [
    path if path.is_file() else COPIES / path.name for path in (FACTS_SHEET, SEED)
]

# --- The site's own dates: the only dates and years that need no source ------------

# Metadata that holds the publication date of a page or news item, not a fact.
PUBLICATION_FIELDS = ("date", "modified")


@dataclass(frozen=True)
class SiteDate:
    """A date of the site itself, allowed in the files matching `where` only."""

    where: str  # a glob below content/
    value: str  # YYYY-MM-DD, or YYYY for a year
    why: str


SITE_DATES = (
    SiteDate(
        "pages/toegankelijkheid.*.md",
        "2026-11-28",
        "the day the accessibility statement was drawn up",
    ),
    SiteDate(
        "documents/feitenblad.md",
        "2026",
        "the year of the site's own fact sheet (its Year: in the catalogue)",
    ),
)

# --- Reading facts out of text -------------------------------------------------------

MONTHS = {
    name: number
    for names in (
        "januari februari maart april mei juni juli augustus september oktober "
        "november december",
        "janvier février mars avril mai juin juillet août septembre octobre "
        "novembre décembre",
        "januar februar märz april mai juni juli august september oktober "
        "november dezember",
        "january february march april may june july august september october "
        "november december",
    )
    for number, name in enumerate(names.split(), start=1)
}
MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
# 18 oktober 2008, 1er août 2005, 10. August 2005, 18 October (no year).
DAY_MONTH = re.compile(
    rf"(?<!\d)(?P<day>[0-3]?\d)(?:er|\.)?\s+{MONTH}(?!\w)(?:\s+(?P<year>\d{{4}}))?(?!\d)",
    re.IGNORECASE,
)
MONTH_YEAR = re.compile(rf"\b{MONTH}\s+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE)
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# A year: 1800-2099 standing alone or before a slash ("2011/36/EU", "1990s"), not
# the number after a slash, nor digits inside a word or a longer number.
YEAR = re.compile(r"(?<![\w/])(1[89]\d\d|20\d\d)(?!\d)")
# Belgian numbers as written (03 201 16 90, 078 05 58 00, +32 3 201 16 90), and
# every tel: link (tel:112, tel:+3232011690).
PHONE = re.compile(r"(?<![\w+])(?:\+32[ .]?|0)\d{1,2}(?:[ .]\d{2,3}){2,3}(?!\d)")
TEL_LINK = re.compile(r"tel:(\+?[\d .-]+\d)")
# Short Belgian service numbers (112, 101) as the facts sheet writes them.
SHORT_NUMBER = re.compile(r"(?<![\d/.,])1\d\d(?![\d/])")
# Street and number, postcode and place: "Rue des Alexiens 16, 1000 Bruxelles".
ADDRESS = re.compile(
    r"(?P<street>[^\W\d_][^\n:;()—.,*\[\]]*?)\s+(?P<number>\d+[a-z]?),\s*"
    r"(?P<postcode>\d{4})\s+(?P<place>[^\W\d_][\w'’-]*)"
)


def phone_key(number: str) -> str:
    """A phone number as digits in national form: '+32 3 201 16 90' → '032011690'."""
    digits = re.sub(r"[^\d+]", "", number)
    return "0" + digits[3:] if digits.startswith("+32") else digits


@dataclass
class Facts:
    """The phone numbers, addresses, dates and years a text states."""

    phones: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    dates: set[tuple[int, int, int]] = field(default_factory=set)  # y, m, d
    days: set[tuple[int, int]] = field(default_factory=set)  # m, d: no year given
    months: set[tuple[int, int]] = field(default_factory=set)  # y, m: no day given
    years: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return any(vars(self).values())


def read_facts(text: str, *, short_numbers: bool = False) -> Facts:
    """The facts of `text`; each kind is cut out before the next is looked for."""
    facts = Facts()

    def cut(pattern: re.Pattern, take: Callable[[re.Match], object]) -> None:
        """Record each match with `take`, then blank it out of the text."""
        nonlocal text
        for match in pattern.finditer(text):
            take(match)
        text = pattern.sub(" ", text)

    def address(match: re.Match) -> None:
        street = match["street"].strip()
        facts.addresses.add(
            f"{street} {match['number']}, {match['postcode']} {match['place']}"
        )

    def day_month(match: re.Match) -> None:
        month, day = MONTHS[match["month"].lower()], int(match["day"])
        if match["year"]:
            facts.dates.add((int(match["year"]), month, day))
        else:
            facts.days.add((month, day))

    cut(ADDRESS, address)
    cut(TEL_LINK, lambda m: facts.phones.add(phone_key(m[1])))
    cut(PHONE, lambda m: facts.phones.add(phone_key(m[0])))
    cut(ISO_DATE, lambda m: facts.dates.add((int(m[1]), int(m[2]), int(m[3]))))
    cut(DAY_MONTH, day_month)
    cut(
        MONTH_YEAR,
        lambda m: facts.months.add((int(m["year"]), MONTHS[m["month"].lower()])),
    )
    cut(YEAR, lambda m: facts.years.add(int(m[1])))
    if short_numbers:
        facts.phones.update(SHORT_NUMBER.findall(text))
    return facts


def sourced() -> Facts:
    """Everything the facts sheet and the seed state, and what follows from it."""
    facts = Facts()
    for path in SOURCES:
        found = read_facts(path.read_text(encoding="utf-8"), short_numbers=True)
        for name, values in vars(found).items():
            getattr(facts, name).update(values)
    facts.days |= {(m, d) for _, m, d in facts.dates}
    facts.months |= {(y, m) for y, m, _ in facts.dates}
    facts.years |= {y for y, _ in facts.months}
    return facts


def known_address(address: str, known: Facts) -> bool:
    """True when `address` is a known one, maybe after words that lead up to it."""
    return any(address == k or address.endswith(" " + k) for k in known.addresses)


def unsourced(found: Facts, known: Facts) -> list[str]:
    """What `found` states that `known` does not, in words."""
    return sorted(
        [f"phone number {n}" for n in found.phones - known.phones]
        + [f"address {a!r}" for a in found.addresses if not known_address(a, known)]
        + [f"date {y}-{m:02}-{d:02}" for y, m, d in found.dates - known.dates]
        + [f"date --{m:02}-{d:02}" for m, d in found.days - known.days]
        + [f"month {y}-{m:02}" for y, m in found.months - known.months]
        + [f"year {y}" for y in found.years - known.years]
    )


def merge(one: Facts, other: Facts) -> Facts:
    """Both sets of facts together."""
    return Facts(
        **{name: values | getattr(other, name) for name, values in vars(one).items()}
    )


# --- One name per organisation and service, per language ---------------------------


@dataclass(frozen=True)
class Name:
    """What an organisation or service is called in each language of the site."""

    what: str
    names: dict[str, str]  # language → its one name (case aside)
    # Other wordings used for it before, per language: never to be used again.
    avoid: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phone: str | None = None  # a number that is always given with the name


NAMES = (
    Name(
        "the national human trafficking hotline",
        {
            "nl": "meldpunt mensenhandel",
            "fr": "point de contact traite des êtres humains",
            "de": "Meldestelle für Menschenhandel",
            "en": "human trafficking hotline",
            "ar": "الخط الساخن الوطني لمكافحة الاتجار بالبشر",
            "ro": "linia telefonică națională pentru traficul de persoane",
        },
        avoid={
            "nl": ("nationaal meldpunt", "nationale meldpunt", "hotline"),
            "fr": (
                "ligne nationale",
                "point de contact national",
                "point de contact pour la traite",
                "hotline",
            ),
            "de": ("Hotline", "nationale Meldestelle"),
            "en": ("national human trafficking hotline", "national hotline"),
        },
        phone="078055800",
    ),
    Name(
        "the Centre",
        {
            "nl": "Centrum voor gelijkheid van kansen en voor racismebestrijding",
            "fr": "Centre pour l'égalité des chances et la lutte contre le racisme",
            "de": "Zentrum für Chancengleichheit und Rassismusbekämpfung",
            "en": "Centre for Equal Opportunities and Opposition to Racism",
        },
    ),
    Name(
        "the Federal Migration Centre (Myria since 2015)",
        {
            "nl": "Federaal Migratiecentrum",
            "fr": "Centre fédéral Migration",
            "de": "Föderales Migrationszentrum",
            "en": "Federal Migration Centre",
        },
    ),
    Name(
        "the Interdepartmental Coordination Unit",
        {
            "nl": "Interdepartementale Coördinatiecel",
            "fr": "Cellule interdépartementale de coordination",
            "de": "Interdepartementale Koordinierungsstelle",
            "en": "Interdepartmental Coordination Unit",
        },
    ),
    Name(
        "the Immigration Office",
        {
            "nl": "Dienst Vreemdelingenzaken",
            "fr": "Office des étrangers",
            "de": "Ausländeramt",
            "en": "Immigration Office",
        },
    ),
    Name(
        "the Belgian Official Gazette",
        {
            "nl": "Belgisch Staatsblad",
            "fr": "Moniteur belge",
            "de": "Belgisches Staatsblatt",
            "en": "Belgian Official Gazette",
        },
    ),
    Name(
        "the IOM",
        {
            "nl": "IOM",
            "fr": "OIM",
            "de": "IOM",
            "en": "IOM",
            "ar": "المنظمة الدولية للهجرة",
            "ro": "OIM",
        },
    ),
    Name("Payoke", dict.fromkeys(LANGUAGE_CODES, "Payoke"), phone="032011690"),
    Name("PAG-ASA", dict.fromkeys(LANGUAGE_CODES, "PAG-ASA"), phone="025116464"),
    Name("Sürya", dict.fromkeys(LANGUAGE_CODES, "Sürya"), phone="042324030"),
)


def folded(text: str) -> str:
    """Text compared case-insensitively, with one kind of apostrophe and space."""
    return " ".join(text.replace("’", "'").casefold().split())


def says(text: str, wording: str) -> bool:
    """True when `wording` stands in `text` as words, not inside a longer word."""
    pattern = r"(?<!\w)" + re.escape(folded(wording)) + r"(?!\w)"
    return re.search(pattern, folded(text)) is not None


@dataclass
class Text:
    """A piece of text in one language, and where it is shown."""

    lang: str
    where: str
    text: str
    heading: str = ""  # the heading it stands under, if any


def content_texts() -> Iterator[Text]:
    """Each line of each page, news item and fact sheet, with its heading."""
    for source in content_sources():
        if source.is_document_entry or source.lang is None:
            continue  # the catalogue is read as it shows each entry, below
        heading = ""
        for number, key, text in source.lines:
            if key is None and text.startswith("#"):
                heading = text
            yield Text(
                source.lang, f"content/{source.relative}:{number}", text, heading
            )


def catalogue_texts() -> Iterator[Text]:
    """Each entry's title, description and publisher as each language shows it."""
    entries, problems = load_entries(CONTENT, read_config({}))
    assert problems == []
    for entry in entries:
        for lang in FULL_LANGUAGE_CODES:  # help-only languages show no catalogue
            for name in ("title", "description", "publisher"):
                value, _ = entry.pick(name, lang)
                yield Text(lang, f"{entry.shown_path} ({name}, shown in {lang})", value)


def catalog_messages(lang: str) -> dict[str, str]:
    """The interface strings of one language: msgid → msgstr."""
    path = ROOT / "theme" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalog = read_po(file, locale=lang)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}


def interface_texts() -> Iterator[Text]:
    for lang in LANGUAGE_CODES:
        for msgid, msgstr in catalog_messages(lang).items():
            yield Text(lang, f"{lang}/messages.po: msgid {msgid!r}", msgstr)


def all_texts() -> list[Text]:
    return [*content_texts(), *catalogue_texts(), *interface_texts()]


def test_every_name_is_given_in_every_language():
    for name in NAMES:
        # Help-only languages (sitekit.languages) name only what their help pages
        # say; test_no_text_calls_an_organisation_by_another_name finds a gap.
        assert set(FULL_LANGUAGE_CODES) <= set(name.names), name.what
        assert set(name.names) <= set(LANGUAGE_CODES), name.what
        assert set(name.avoid) <= set(LANGUAGE_CODES), name.what


def test_no_text_calls_an_organisation_by_another_name():
    """Not another language's name for it, nor a wording it had before."""
    problems = []
    for piece in all_texts():
        for name in NAMES:
            own = name.names.get(piece.lang)
            if own is None:  # a help-only language that has no name for it yet
                used = [n for n in name.names.values() if says(piece.text, n)]
                if used:
                    problems.append(
                        f"{piece.where}: {used[0]!r} — NAMES has no "
                        f"{piece.lang} name for {name.what}: add it"
                    )
                continue
            others = {n for n in name.names.values() if folded(n) != folded(own)}
            for wrong in sorted(others) + list(name.avoid.get(piece.lang, ())):
                if says(piece.text, wrong) and not says(piece.text, own):
                    problems.append(f"{piece.where}: {wrong!r} — write {own!r}")
                elif says(piece.text, wrong):
                    problems.append(f"{piece.where}: {wrong!r} beside {own!r}")
    assert problems == [], "\n".join(problems)


def test_each_number_comes_with_its_name():
    """A line with the number of a service names it (or stands under its heading)."""
    problems = []
    for piece in content_texts():
        for name in NAMES:
            if name.phone and name.phone in read_facts(piece.text).phones:
                own = name.names[piece.lang]
                if not (says(piece.text, own) or says(piece.heading, own)):
                    problems.append(f"{piece.where}: {name.phone} without {own!r}")
    assert problems == [], "\n".join(problems)


def test_each_number_in_the_theme_comes_with_its_name_in_every_language():
    """The footer: the interface string beside a number names its service."""
    problems = []
    messages = {lang: catalog_messages(lang) for lang in LANGUAGE_CODES}
    for path in sorted((ROOT / "theme" / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            phones = read_facts(line).phones
            for name in NAMES:
                if name.phone not in phones:
                    continue
                msgids = re.findall(r"""_\(\s*(["'])(.+?)\1\s*\)""", line)
                assert msgids, f"{path}:{number + 1}: the number has no text beside it"
                for lang in LANGUAGE_CODES:
                    shown = " ".join(messages[lang].get(m, m) for _, m in msgids)
                    if not says(shown, name.names[lang]):
                        problems.append(
                            f"{path.relative_to(ROOT)}:{number + 1} in {lang}: "
                            f"{shown!r} does not say {name.names[lang]!r}"
                        )
    assert problems == [], "\n".join(problems)


def site_dates(relative: str) -> Facts:
    """The site's own dates allowed in the content file `relative`."""
    allowed = Facts()
    for entry in SITE_DATES:
        if fnmatch.fnmatch(relative, entry.where):
            parts = [int(part) for part in entry.value.split("-")]
            if len(parts) == 3:
                allowed.dates.add((parts[0], parts[1], parts[2]))
            allowed.years.add(parts[0])
    return allowed


# --- Reading content files -------------------------------------------------------

METADATA_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):\s*(?P<value>.*)$")
# Metadata that holds no text for readers: addresses, file names, machine values.
NOT_TEXT = re.compile(
    r"^(slug|save_as|url(_\w+)?|file(_\w+)?|template|order|status|lang|languages|"
    r"link|type|translated_from)$"
)


@dataclass
class Source:
    """One Markdown file of content/: its metadata and its text, line by line."""

    path: Path
    metadata: dict[str, str]
    # (line number, metadata key or None for the body, the text for readers)
    lines: list[tuple[int, str | None, str]]

    @property
    def relative(self) -> str:
        return self.path.relative_to(CONTENT).as_posix()

    @property
    def lang(self) -> str | None:
        """The language of a page, news item or fact-sheet file (name.<lang>.md)."""
        if self.metadata.get("lang"):
            return self.metadata["lang"]
        match = re.search(r"\.([a-z]{2})\.md$", self.path.name)
        return match[1] if match and match[1] in LANGUAGE_CODES else None

    @property
    def is_document_entry(self) -> bool:
        return self.path.parent == CONTENT / "documents"

    def fact_lines(self) -> Iterator[tuple[int, str]]:
        """The lines that may state facts: not a page's own publication date."""
        for number, key, text in self.lines:
            if key in PUBLICATION_FIELDS and not self.is_document_entry:
                continue
            yield number, text


def read_source(path: Path) -> Source:
    """Split a content file into its metadata block and its text."""
    metadata: dict[str, str] = {}
    lines: list[tuple[int, str | None, str]] = []
    in_metadata = True
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = METADATA_LINE.match(line) if in_metadata else None
        if match:
            key = match["key"].lower()
            metadata[key] = match["value"].strip()
            if not NOT_TEXT.match(key):
                lines.append((number, key, match["value"]))
            continue
        in_metadata = False
        lines.append((number, None, line))
    return Source(path, metadata, lines)


def content_sources() -> list[Source]:
    """Every Markdown file of content/, attachments of the catalogue included."""
    return [read_source(path) for path in sorted(CONTENT.rglob("*.md"))]


# --- The sources themselves ------------------------------------------------------


def test_the_copy_of_the_facts_sheet_is_the_facts_sheet():
    if not FACTS_SHEET.is_file():
        pytest.skip("no shared/ beside the checkout: the copy is all there is")
    assert (COPIES / FACTS_SHEET.name).read_bytes() == FACTS_SHEET.read_bytes()


def test_the_sources_are_read_as_expected():
    """The reader finds what the sources state; if not, the tests below prove little."""
    known = sourced()
    assert {"112", "101", "078055800", "032011690"} <= known.phones
    assert "Rue des Alexiens 16, 1000 Bruxelles" in known.addresses
    assert "Cellebroersstraat 16, 1000 Brussel" in known.addresses
    assert {(2008, 10, 18), (1993, 2, 15), (2005, 8, 10)} <= known.dates
    assert (2007, 7) in known.months  # "published July 2007"
    assert {1987, 1990, 1994, 2007} <= known.years
    assert 2023 not in known.years


def test_the_reader_finds_each_kind_of_fact_in_each_language():
    text = (
        "Bel [03 201 16 90](tel:+3232011690) of 112. Rue Rouveroy 2, 4000 Liège. "
        "Le 1er août 2005, am 10. August 2005, on 18 October, in juli 2007, "
        "richtlijn 2011/36/EU, in the 1990s; art. 61/2, 45 dagen, resolutie 55/25."
    )
    found = read_facts(text)
    assert found.phones == {"032011690"}
    assert found.addresses == {"Rue Rouveroy 2, 4000 Liège"}
    assert found.dates == {(2005, 8, 1), (2005, 8, 10)}
    assert found.days == {(10, 18)}
    assert found.months == {(2007, 7)}
    assert found.years == {2011, 1990}
    assert unsourced(read_facts("Dit nummer bestaat sinds 2023."), sourced()) == [
        "year 2023"
    ]
    assert unsourced(read_facts("Bel 02 123 45 67."), sourced()) == [
        "phone number 021234567"
    ]
    assert (
        unsourced(read_facts("Payoke is at Leguit 4, 2000 Antwerpen."), sourced()) == []
    )
    assert unsourced(read_facts("Payoke, Leguit 5, 2000 Antwerpen."), sourced()) == [
        "address 'Leguit 5, 2000 Antwerpen'"
    ]


# --- Every fact in content/ is sourced -------------------------------------------


def test_every_number_address_date_and_year_in_content_is_sourced():
    known = sourced()
    problems = []
    for source in content_sources():
        allowed = site_dates(source.relative)
        for number, text in source.fact_lines():
            found = read_facts(text)
            missing = unsourced(found, merge(known, allowed))
            problems += [f"content/{source.relative}:{number}: {m}" for m in missing]
    assert problems == [], (
        "not in CONTENT-FACTS.md or the seed (a date of the site itself goes in "
        "SITE_DATES):\n" + "\n".join(problems)
    )


def test_every_phone_number_of_the_theme_is_sourced():
    known = sourced()
    problems = []
    for path in sorted((ROOT / "theme" / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            found = Facts(phones=read_facts(line).phones)
            problems += [
                f"{path.relative_to(ROOT)}:{number + 1}: {m}"
                for m in unsourced(found, known)
            ]
    assert problems == []


def test_a_page_that_states_facts_names_its_sources():
    missing = []
    for source in content_sources():
        if "title" not in source.metadata or source.is_document_entry:
            continue  # fact-sheet files; catalogue entries name their Publisher
        found = read_facts("\n".join(text for _, text in source.fact_lines()))
        own = site_dates(source.relative)
        found.dates -= own.dates
        found.years -= own.years
        if found and not source.metadata.get("sources"):
            missing.append(f"content/{source.relative}")
    assert missing == [], (
        "these pages state phone numbers, addresses, dates or years: add a line "
        "`Sources: …` naming where they come from:\n" + "\n".join(missing)
    )
