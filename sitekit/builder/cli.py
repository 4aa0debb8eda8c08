"""The build's command line, and the one place that writes it.

    python -m sitekit.builder [--settings FILE] [--output DIR] [--content DIR]
                            [--cache DIR] [--theme DIR] [--plain] [--no-search-index]

`invoke build`, `invoke serve`, `invoke livereload`, the benchmark and the tests all
run this command, and all build it with `build_command`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from sitekit.builder.runner import build, summary
from sitekit.content.check import report
from sitekit.errors import SiteError
from sitekit.fast import contract

ROOT = Path(__file__).resolve().parents[2]


def build_command(
    settings: Path,
    output: Path,
    *,
    content: Path | None = None,
    cache: Path | None = None,
    theme: Path | None = None,
    plain: bool = False,
    search_index: bool = True,
    python: str = sys.executable,
) -> list[str]:
    """The command line of one build, as a list for subprocess."""
    command = [python, "-m", "sitekit.builder", "--settings", str(settings)]
    command += ["--output", str(output)]
    folders = (("--content", content), ("--cache", cache), ("--theme", theme))
    for flag, folder in folders:
        if folder is not None:
            command += [flag, str(folder)]
    if plain:
        command.append("--plain")
    if not search_index:
        command.append("--no-search-index")
    return command


def build_arguments(settings: Path, output: Path) -> list[str]:
    """The arguments of `main` for one build (`invoke build` runs it in its process)."""
    return build_command(settings, output)[3:]  # after `python -m sitekit.builder`


def main(argv: list[str] | None = None) -> int:
    """Build the site from the command line; exit non-zero on failure."""
    parser = argparse.ArgumentParser(
        prog="invoke build",
        description="Check the content, then build the site into the output folder; "
        "on failure the output folder keeps the last good site.",
    )
    parser.add_argument("--settings", type=Path, default=ROOT / "pelicanconf.py")
    parser.add_argument("--output", type=Path, default=ROOT / "output")
    parser.add_argument(
        "--content", type=Path, help="another content folder (tests use fixtures)"
    )
    parser.add_argument("--cache", type=Path, help="another cache folder")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="stock Pelican: no shared parsing, no cache, no skipping (to compare)",
    )
    parser.add_argument(
        "--theme", type=Path, help="another theme folder (tests use broken copies)"
    )
    parser.add_argument(
        "--no-search-index",
        action="store_true",
        help="leave the search index out (the benchmark times Pelican without it)",
    )
    args = parser.parse_args(argv)
    overrides = {}
    if args.no_search_index:
        overrides["SEARCH_INDEX"] = False  # a setting: a later full build runs again
    if args.content:
        overrides["PATH"] = str(args.content.resolve())
    if args.cache:
        overrides["CACHE_PATH"] = str(args.cache.resolve())
    if args.theme:
        overrides["THEME"] = str(args.theme.resolve())

    from pelican.log import init as init_pelican_logging

    init_pelican_logging(level=logging.WARNING)
    started = time.perf_counter()
    changed = contract.differences()
    if changed and not args.plain:
        print(
            "Note: the fast build was written for other releases of "
            f"{', '.join(changed)}; building the stock (slower) way.",
            file=sys.stderr,
        )
    try:
        result = build(args.settings, args.output, overrides, fast=not args.plain)
    except SiteError as error:
        print(f"Build failed: {error}", file=sys.stderr)
        print(f"Nothing in {args.output} was changed.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"Build stopped (Ctrl-C): {args.output} shows the last complete build.",
            file=sys.stderr,
        )
        return 130
    if result.warnings:
        print(report(result.warnings, "the content"), file=sys.stderr)
    print(summary(args.output, result, time.perf_counter() - started))
    return 0
