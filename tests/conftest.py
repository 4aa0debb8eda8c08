"""Shared fixtures: the real site built once, and builds of tiny fixture content.

Both run the real build command with the production settings and the real theme.
Each test's level is the folder it is in, and a marker of that name:
`pytest -m unit` runs the tests that build nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitekit import release_manifest
from tests.support import RELEASE, Site, run_build, write_files

LEVELS = ("unit", "plugins", "site", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its level: the folder below tests/ it lives in."""
    for item in items:
        level = Path(item.path).parent.name
        if level in LEVELS:
            item.add_marker(getattr(pytest.mark, level))


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The real site, built once with the production settings.

    With SITE_RELEASE set (CI), the release named there, after checking that it is
    a production release whose files are exactly those of its manifest.
    """
    if RELEASE:
        release = release_manifest.verify(Path(RELEASE))
        assert release.kind == release_manifest.PRODUCTION, release.kind
        return Site(Path(RELEASE))
    output = tmp_path_factory.mktemp("site") / "output"
    result = run_build(output)
    assert result.returncode == 0, result.stdout + result.stderr
    return Site(output)


@pytest.fixture
def build_fixture(tmp_path):
    """Build a tiny content folder (a dict of path → text) with the real settings."""

    def build(files: dict[str, str | bytes], output: Path | None = None):
        content = tmp_path / "content"
        write_files(content, files)
        output = output or tmp_path / "output"
        return run_build(output, content=content), output

    return build
