"""The Pelican internals the fast build relies on, and the releases it was written for.

The fast build is stock Pelican + pelican-i18n-subsites with some steps done once or
on every core. Seven of those steps lean on code that is not a public API:

- `markdown_cache.SharedMarkdownReader._parse_metadata` repeats
  `pelican.readers.MarkdownReader._parse_metadata`;
- `parallel_writer.ParallelWriter._claim` repeats the rules of
  `pelican.writers.Writer._open_w` (which file may be written twice);
- `parallel_writer.write_deferred` and `markdown_cache.save_parses` rely on
  pelican-i18n-subsites running each subsite inside the main site's run, the main
  site finishing last; `own_language_only` relies on it reading IGNORE_FILES per
  subsite;
- `inline_fastpath.FastInlineProcessor.run` repeats Python-Markdown's inline step;
- `ignore_files.include_path` repeats `pelican.generators.Generator._include_path`;
- `source_paths.get_relative_source_path` repeats
  `pelican.contents.Content.get_relative_source_path`;
- `parallel_writer` notes whose text a page reads through `Content.get_content` and
  `get_summary` (memoized methods it wraps) and `Content._content` (made a property).

`holds()` compares the installed releases with WRITTEN_FOR. When one differs, the
build takes the stock path (no fast plugins), says so once, and is still correct;
only slower. Bump WRITTEN_FOR after checking those methods against the new release.
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import PackageNotFoundError, version

LOG = logging.getLogger("sitekit.fast")
WRITTEN_FOR = {
    "pelican": "4.12.0",
    "pelican-i18n-subsites": "1.0.0",
    "markdown": "3.11.3",
}
_TOLD: list[str] = []


@functools.cache
def differences() -> list[str]:
    """'name: installed X, written for Y' for each library whose release differs."""
    found = []
    for name, wanted in WRITTEN_FOR.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "none"
        if installed != wanted:
            found.append(f"{name} {installed} (written for {wanted})")
    return found


def holds() -> bool:
    """True when the installed releases are the ones the fast build was written for."""
    changed = differences()
    if changed and not _TOLD:
        _TOLD.append("told")
        # INFO, not WARNING: a warning would fail the build, and the stock path is
        # correct. The build runner prints the same note itself.
        LOG.info("[sitekit.fast] using the stock Pelican path: %s", ", ".join(changed))
    return not changed
