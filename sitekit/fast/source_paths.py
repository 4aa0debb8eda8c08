"""Pelican plugin: a source's path relative to content/ is computed once per build.

Pelican asks `Content.get_relative_source_path` about five times per page and
subsite (for its URL, its output name, its links): 12,000 calls of `os.path.relpath`
for 2,400 sources, a tenth of the Pelican time of a build after a one-line edit.
The answer depends only on the content folder and the source's path, so it is kept.
"""

from __future__ import annotations

import functools
import os

from pelican.contents import Content
from pelican.utils import posixize_path

from sitekit.fast import contract

_STOCK = Content.get_relative_source_path


@functools.lru_cache(maxsize=1 << 16)
def relative_source_path(content: str, source_path: str) -> str:
    """`source_path` relative to the absolute folder `content`, as Pelican writes it."""
    return posixize_path(
        os.path.relpath(
            os.path.abspath(os.path.join(content, source_path)),  # noqa: PTH100, PTH118
            os.path.abspath(content),  # noqa: PTH100
        )
    )


def get_relative_source_path(
    self: Content, source_path: str | None = None
) -> str | None:
    """`Content.get_relative_source_path` of Pelican 4.12, remembered."""
    if not source_path:
        source_path = self.source_path
    if source_path is None:
        return None
    content = self.settings["PATH"]
    # A relative folder depends on the working folder: ask each time.
    if not os.path.isabs(content):  # noqa: PTH117 (a str, per call)
        return _STOCK(self, source_path)
    return relative_source_path(content, source_path)


def register() -> None:
    """Replace the method (none: stock path, see contract)."""
    if contract.holds():
        Content.get_relative_source_path = get_relative_source_path
