"""Shared fixtures: the real site built once, and builds of tiny fixture content.

Both run the real build command with the production settings and the real theme.
Each test's level is the folder it is in, and a marker of that name:
`pytest -m unit` runs the tests that build nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from sitekit import release_manifest
from tests.support import RELEASE, Site, built_once, run_build, write_files

LEVELS = ("unit", "plugins", "site", "browser")


# The order the levels start in (`invoke test` keeps it: --no-loadscope-reorder): the
# costliest first (one browser module or publishing module runs for a minute on one
# worker), the many short unit tests last, where they fill the workers' last gaps.
START_ORDER = ("browser", "plugins", "site", "unit")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its level: the folder below tests/ it lives in."""
    for item in items:
        level = Path(item.path).parent.name
        if level in LEVELS:
            item.add_marker(getattr(pytest.mark, level))

    def start(item: pytest.Item) -> int:
        level = Path(item.path).parent.name
        return START_ORDER.index(level) if level in START_ORDER else len(START_ORDER)

    items.sort(key=start)  # stable: within a level, the collection order


def _stop_if_tools_are_missing(paths: Iterable[str]) -> None:
    """Stop at once, with one message, when a selected test's tool is missing.

    Never a skip: a run that skips whole groups looks green and proves nothing.
    """
    from tests.tools import missing_tools

    groups = set()
    for path in paths:
        groups |= {Path(path).parent.name, Path(path).stem}
    missing = missing_tools(groups)
    if missing:
        pytest.exit(
            "The tests need tools that are not installed; add them, then run "
            "again:\n" + "\n".join(missing),
            returncode=3,
        )


def pytest_collection_finish(session: pytest.Session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller checks (below): a worker's exit is an INTERNALERROR
    _stop_if_tools_are_missing(str(item.path) for item in session.items)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook, in its controller
def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    _stop_if_tools_are_missing(test_id.split("::")[0] for test_id in ids)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The real site, built once per run with the production settings.

    With SITE_RELEASE set (CI), the release named there, after checking that it is
    a production release whose files are exactly those of its manifest. SITE_OUTPUT
    names an output already built (the README-workflow test runs these tests on a
    copy of the site after editing it).
    """
    if RELEASE:
        release = release_manifest.verify(Path(RELEASE))
        assert release.kind == release_manifest.PRODUCTION, release.kind
        return Site(Path(RELEASE))
    if os.environ.get("SITE_OUTPUT"):
        return Site(Path(os.environ["SITE_OUTPUT"]))
    return built_once(tmp_path_factory.getbasetemp(), "production")


@pytest.fixture
def build_fixture(tmp_path):
    """Build a tiny content folder (a dict of path → text) with the real settings."""

    def build(files: dict[str, str | bytes], output: Path | None = None):
        content = tmp_path / "content"
        write_files(content, files)
        output = output or tmp_path / "output"
        return run_build(output, content=content), output

    return build
