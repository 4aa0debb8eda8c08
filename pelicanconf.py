"""Pelican settings for local work: safe defaults, root-relative URLs, no secrets.

`publishconf.py` imports this file and overrides only what production needs.
"""

from sitekit.languages import BY_CODE, DEFAULT_LANG, subsite_settings, url_settings

AUTHOR = "Redactie"
SITENAME = BY_CODE[DEFAULT_LANG].sitename
SITEURL = ""  # root-relative links: `invoke serve` and any host work alike
PATH = "content"
THEME = "theme"
TIMEZONE = "Europe/Brussels"
DEFAULT_LANG = DEFAULT_LANG
OUTPUT_PATH = "output"
CACHE_PATH = "cache"
DELETE_OUTPUT_DIRECTORY = True  # our build runner builds into a fresh folder anyway

PLUGINS = [
    "pelican.plugins.i18n_subsites",
    # First, so the sources are parsed on the other cores while the site is read.
    "sitekit.fast.markdown_cache",  # parse once per build for every language
    "sitekit.content.plugin",  # the checks' gate (our runner checks before Pelican)
    "sitekit.visitors.i18n",
    "sitekit.visitors.sitemap",
    "sitekit.visitors.quick_exit",
    "sitekit.documents.catalogue",
    "sitekit.fast.parallel_writer",  # render the pages on every core
    "sitekit.fast.template_cache",  # compile each template once
    "sitekit.fast.ignore_files",  # one test per file for IGNORE_FILES
    "sitekit.fast.source_paths",  # each source's relative path computed once
]

# --- Content -------------------------------------------------------------------
# A file is named `<key>.<lang>.md`; files with the same key are translations of each
# other, so every language keeps its own readable slug (statuut / statut / status).
FILENAME_METADATA = r"(?P<translation_key>[^.]+)\.[a-z-]+$"
ARTICLE_TRANSLATION_ID = "translation_key"
PAGE_TRANSLATION_ID = "translation_key"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = ["news"]
STATIC_PATHS = ["extra"]
EXTRA_PATH_METADATA = {
    "extra/favicon.svg": {"path": "favicon.svg"},
}
# The documentation catalogue (sitekit/documents): entries in content/documents/,
# local files written once into /documents/ at the root of the site. The allowed types
# and their order: DOCUMENTS["TYPES"], by default all in sitekit/content/documents.py.
DOCUMENTS = {"PATH": "documents", "OUTPUT": "documents"}
# Content is Markdown only; without its reStructuredText reader Pelican does not load
# Docutils (which warned that it cannot localise Romanian) in every subsite.
READERS = {"html": None, "rst": None}
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"permalink": False},
    },
    "output_format": "html5",
}
DEFAULT_DATE_FORMAT = "%Y-%m-%d"  # templates show dates through Babel (`localdate`)
SUMMARY_MAX_LENGTH = None

# --- URLs: every page is `<slug>.html`, news lives in a per-language folder -------
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = "{slug}.html"
DIRECT_TEMPLATES = ["index"]  # the news list; no tag, category, author or archive pages
PAGINATED_TEMPLATES = {"index": None}
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
# Draft translations (the stubs of `invoke new --translations`) have their own
# settings; without these, every subsite would publish them under drafts/.
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
DEFAULT_CATEGORY = "nieuws"
globals().update(url_settings(BY_CODE[DEFAULT_LANG]))
HELP_ONLY = False  # set per subsite (sitekit.languages.subsite_settings)
LANG_DIRECTION = "ltr"

# --- Feeds: one Atom feed per language, in production (feeds need absolute URLs) -----
FEED_ATOM = None
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_DOMAIN = SITEURL

# --- Fast builds (sitekit/fast) -----------------------------------------------------
# FAST_BUILD = {"workers": 0, …} tunes them; the keys and defaults are in
# sitekit/fast/options.py.

# --- Languages: one subsite per language (pelican-i18n-subsites) --------------------
# The plugin crashes on translated content without this dict (see DESIGN.md).
I18N_SUBSITES = subsite_settings(SITEURL)
# "remove" links an untranslated item to its own language's page; the default "hide"
# writes drafts into every subsite and leaves links to them dangling.
I18N_UNTRANSLATED_ARTICLES = "remove"
I18N_UNTRANSLATED_PAGES = "remove"
# Template msgids are English keys, and every language (English too) has a catalog,
# so the wording of every language can be edited without touching a template.
I18N_TEMPLATES_LANG = None
JINJA_ENVIRONMENT = {
    "extensions": ["jinja2.ext.i18n"],
    "autoescape": True,  # metadata is text; only rendered Markdown is marked |safe
    "trim_blocks": True,
    "lstrip_blocks": True,
}

# --- Visitors ------------------------------------------------------------------------
# Pages linked from the footer of every page, by their file name's <key>.
FOOTER_PAGES = ("hulp", "toegankelijkheid", "privacy", "sitemap")
# The quick-exit button on every page (sitekit/visitors/quick_exit.py checks it).
# Each language leaves for a neutral site in that language: the main page of that
# language's Wikipedia. Editors may choose another neutral site (e.g. weather).
QUICK_EXIT = {
    "urls": {
        "nl": "https://nl.wikipedia.org/",
        "fr": "https://fr.wikipedia.org/",
        "de": "https://de.wikipedia.org/",
        "en": "https://en.wikipedia.org/",
        "ar": "https://ar.wikipedia.org/",
        "ro": "https://ro.wikipedia.org/",
    },
    "info_page": "snel-weg",  # content/pages/snel-weg.<lang>.md explains the button
}
# The search page (content/pages/zoeken.<lang>.md); its index is built by Pagefind
# after Pelican (sitekit/visitors/search.py).
SEARCH_PAGE = "zoeken"
