"""The site's languages, their names and their localised paths: one table for all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One language of the site: its code, its own name and its localised paths.

    A *help-only* language has only the short factual help pages (its home page is
    the help page; see the README, "Add a help language"): no news, no
    documentation, no search. Its visitors reach the other pages in a full language
    of their choice.
    """

    code: str
    name: str  # the language's name in itself, for the language switcher
    sitename: str
    news_path: str  # folder of the news articles and of the news list ("": none)
    locale: str  # Babel locale for dates: Belgian usage ("18 October 2008", not US)
    help_only: bool = False
    direction: str = "ltr"  # "rtl" for Arabic: <html dir>, the layout mirrors


# Order of the language switcher: Belgium's official languages, then English.
LANGUAGES: tuple[Language, ...] = (
    Language("nl", "Nederlands", "Mensenhandel en mensensmokkel", "nieuws", "nl_BE"),
    Language(
        "fr", "Français", "Traite et trafic des êtres humains", "actualites", "fr_BE"
    ),
    Language(
        "de", "Deutsch", "Menschenhandel und Menschenschmuggel", "aktuelles", "de_BE"
    ),
    Language("en", "English", "Human trafficking and human smuggling", "news", "en_BE"),
    # Help-only languages: victims who read none of the above (translations of the
    # help pages; they need a native speaker's review before each change goes out).
    Language(
        "ar",
        "العربية",
        "الاتجار بالبشر وتهريب المهاجرين",
        "",
        "ar",
        help_only=True,
        direction="rtl",
    ),
    Language(
        "ro",
        "Română",
        "Traficul de persoane și traficul de migranți",
        "",
        "ro",
        help_only=True,
    ),
)
DEFAULT_LANG = LANGUAGES[0].code


def N_(message: str) -> str:
    """Mark an interface string for `pybabel extract`; it is translated where shown."""
    return message


# Two lists, and every use chooses one: LANGUAGES are all the site's languages (a
# file's Lang, the switcher, hreflang, subsites, quick exit); FULL_LANGUAGES have
# every page (news, documentation, search, the content checks of translations).
LANGUAGE_CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
FULL_LANGUAGES: tuple[Language, ...] = tuple(
    language for language in LANGUAGES if not language.help_only
)
FULL_LANGUAGE_CODES: tuple[str, ...] = tuple(lang.code for lang in FULL_LANGUAGES)
HELP_ONLY_CODES: tuple[str, ...] = tuple(
    language.code for language in LANGUAGES if language.help_only
)
BY_CODE: dict[str, Language] = {language.code: language for language in LANGUAGES}


def url_settings(language: Language) -> dict:
    """Pelican URL settings for one language; the same scheme in every subsite.

    Every page is a file ending in `.html`, and every folder link ends in `/`, so
    the links work the same on `invoke serve` and on an object-storage website.
    """
    news = language.news_path
    if language.help_only:
        # No news list and no feed: a help-only subsite has only its help pages.
        return {
            "INDEX_SAVE_AS": "",
            "INDEX_URL": "",
            "DIRECT_TEMPLATES": [],
            "FEED_ATOM": None,
        }
    return {
        "INDEX_SAVE_AS": f"{news}/index.html",
        "INDEX_URL": f"{news}/",
        "ARTICLE_URL": f"{news}/{{slug}}.html",
        "ARTICLE_SAVE_AS": f"{news}/{{slug}}.html",
    }


def subsite_settings(siteurl: str) -> dict[str, dict]:
    """The `I18N_SUBSITES` dict: each other language under `/<code>/` of `siteurl`.

    FEED_DOMAIN is set per subsite: subsites inherit the main one, which makes the
    feeds' self links point at the wrong language (see DESIGN.md).
    """
    subsites = {}
    for language in LANGUAGES[1:]:
        subsite_url = f"{siteurl}/{language.code}"
        subsites[language.code] = {
            "SITEURL": subsite_url,
            "FEED_DOMAIN": subsite_url,
            "SITENAME": language.sitename,
            "HELP_ONLY": language.help_only,
            "LANG_DIRECTION": language.direction,
            **url_settings(language),
        }
    return subsites
