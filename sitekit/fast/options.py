"""FAST_BUILD, the settings of the fast build, and which plugins make it fast.

`FAST_BUILD = {"workers": 0, "parse_pool_from": 48, "fork_writers_from": 40}` in
pelicanconf.py tunes it; every key is optional.
"""

from __future__ import annotations

import os

from sitekit.languages import LANGUAGE_CODES
from sitekit.settings import Option, read_options

OPTIONS = {
    # Processes for parsing and writing; 0: one per core.
    "workers": Option(0, int, low=0),
    # Fewer changed files than this are parsed in the main process.
    "parse_pool_from": Option(48, int, low=0),
    # Fewer pages than this are written by the main process.
    "fork_writers_from": Option(40, int, low=0),
}
# What `--plain` (and a Pelican release the fast build was not written for) leaves
# out: without them, the build is stock Pelican with pelican-i18n-subsites.
FAST_PLUGINS = (
    "sitekit.fast.markdown_cache",
    "sitekit.fast.parallel_writer",
    "sitekit.fast.template_cache",
    "sitekit.fast.ignore_files",
    "sitekit.fast.source_paths",
)


def fast_build_options(settings: dict) -> dict:
    """FAST_BUILD merged with its defaults; a wrong key or value stops the build."""
    options = read_options(
        "FAST_BUILD", settings.get("FAST_BUILD"), OPTIONS, "in pelicanconf.py"
    )
    if not options["workers"]:
        options["workers"] = min(os.cpu_count() or 1, 8)
    return options


def own_language_only(settings: dict) -> dict:
    """Settings in which each subsite reads only its own language's files.

    Stock pelican-i18n-subsites needs every file in every subsite to link the
    translations; our language switcher, hreflang and sitemap take the versions from
    sitekit.visitors.i18n's registry instead, so the other languages' files can be
    skipped (the fast build does; `--plain` keeps the stock way).
    """

    def ignored(code: str) -> list[str]:
        others = [f"*.{other}.md" for other in LANGUAGE_CODES if other != code]
        return [*settings.get("IGNORE_FILES", []), *others]

    subsites = {
        code: {**overrides, "IGNORE_FILES": ignored(code)}
        for code, overrides in settings["I18N_SUBSITES"].items()
    }
    return {
        **settings,
        "IGNORE_FILES": ignored(settings["DEFAULT_LANG"]),
        "I18N_SUBSITES": subsites,
    }


def without_fast_plugins(settings: dict) -> dict:
    """The settings of stock Pelican: the same site, the stock way."""
    plugins = [plugin for plugin in settings["PLUGINS"] if plugin not in FAST_PLUGINS]
    return {**settings, "PLUGINS": plugins}
