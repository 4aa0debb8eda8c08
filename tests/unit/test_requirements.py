"""The lock files agree with their inputs: every dependency pinned and hashed.

requirements.txt is made by pip-compile from requirements.in (the direct
dependencies), requirements-publish.txt from requirements-publish.in. The lock may
not drift from its input, and pip installs nothing from it without a hash.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ROOT

PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(?P<version>\S+)")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_of_input(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        match = PIN.match(line)
        if match:
            pins[normalised(match["name"])] = match["version"]
    return pins


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """Each locked package: its version and how many hashes it has."""
    packages: dict[str, tuple[str, int]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = normalised(match["name"])
            packages[current] = (match["version"], 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = packages[current]
            packages[current] = (version, hashes + 1)
    return packages


@pytest.mark.parametrize(
    ("source", "lock"),
    [
        ("requirements.in", "requirements.txt"),
        ("requirements-publish.in", "requirements-publish.txt"),
    ],
)
def test_the_lock_pins_what_its_input_pins_with_hashes(source, lock):
    wanted = pins_of_input(ROOT / source)
    packages = locked(ROOT / lock)
    assert packages, lock
    for name, version in wanted.items():
        assert packages.get(name, ("missing", 0))[0] == version, name
    assert [name for name, (_, hashes) in packages.items() if not hashes] == []


def test_publishing_installs_the_versions_the_tests_ran_with():
    everything = locked(ROOT / "requirements.txt")
    for name, (version, _) in locked(ROOT / "requirements-publish.txt").items():
        assert everything[name][0] == version, name


def test_the_lock_is_read_as_it_should_be(tmp_path):
    lock = tmp_path / "requirements.txt"
    lock.write_text("six==1.17.0 \\\n    --hash=sha256:ab\nnohash==1.0\n")
    assert locked(lock) == {"six": ("1.17.0", 1), "nohash": ("1.0", 0)}
