"""Pelican plugin: the content checks' gate, and drafts that build.

`sitekit.builder.runner` runs the checks itself before Pelican starts and sets
CONTENT_CHECKED; a Pelican run without our runner still gets the same gate here.
"""

from __future__ import annotations

from pelican import signals

from sitekit.content.check import check_site, errors_of
from sitekit.errors import ContentError
from sitekit.languages import DEFAULT_LANG


def check_before_build(pelican) -> None:
    """Stop the build before Pelican reads anything when the content has errors."""
    if pelican.settings["DEFAULT_LANG"] != DEFAULT_LANG:
        return  # a subsite of the same build: checked once, by the main site
    if pelican.settings.get("CONTENT_CHECKED"):
        return  # our build runner ran the checks before Pelican started
    errors = errors_of(check_site(pelican.settings))
    if errors:
        raise ContentError(errors)


def let_drafts_build(generator) -> None:
    """Give draft news items the `category` Pelican 4.12's generate_drafts reads.

    With CATEGORY_SAVE_AS = "" Pelican assigns no default category, and a draft
    without one crashes the build (upstream PR pelican#3600). Drafts are not written
    (DRAFT_SAVE_AS = ""), and the stubs of `invoke new --translations` are drafts that
    must build: they get DEFAULT_CATEGORY, as Pelican would give them.
    """
    from pelican.urlwrappers import Category

    for draft in [*generator.drafts, *generator.drafts_translations]:
        if not hasattr(draft, "category"):
            draft.category = Category(
                generator.settings["DEFAULT_CATEGORY"], generator.settings
            )


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_before_build)
    signals.article_generator_finalized.connect(let_drafts_build)
