"""Outside tools the checks need (Chromium, Java, npm packages), found or explained.

On a developer's machine a missing tool skips its tests with a message saying how
to install it; under CI (CI=true) a missing tool fails them: CI installs them all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(present: bool, what: str, how: str) -> None:
    """Skip (or under CI fail) the calling test when a tool is missing."""
    if present:
        return
    message = f"{what} not found; install it: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must have every tool: {message}", pytrace=False)
    pytest.skip(message)


def java() -> str:
    """The java command, or skip/fail saying how to install it."""
    command = shutil.which("java")
    require(
        command is not None,
        "Java",
        "apt-get install --no-install-recommends default-jre-headless",
    )
    return command
