"""Shared fixtures: the real site built once, and builds of tiny fixture content.

Both run the real build command with the production settings and the real theme.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT, SITEURL, Site, write_files


def run_build(
    output: Path,
    *,
    settings: str = "publishconf.py",
    content: Path | None = None,
    siteurl: str = SITEURL,
    cache: Path | None = None,
    plain: bool = False,
    theme: Path | None = None,
    search_index: bool = True,
) -> subprocess.CompletedProcess:
    """Run the real build command in a fresh process, as `invoke build` does.

    The cache lives beside the output unless given, so tests never share one.
    """
    command = [
        sys.executable,
        "-m",
        "sitekit.build",
        "--settings",
        str(ROOT / settings),
        "--output",
        str(output),
    ]
    if content is not None:
        command += ["--content", str(content)]
    command += ["--cache", str(cache or output.parent / f"{output.name}-cache")]
    if plain:
        command.append("--plain")
    if theme is not None:
        command += ["--theme", str(theme)]
    if not search_index:
        command.append("--no-search-index")
    # COLUMNS: Pelican's log handler wraps lines at the terminal width; keep them whole.
    env = {**os.environ, "SITEURL": siteurl, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The real site, built once with the production settings."""
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
