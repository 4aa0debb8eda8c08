"""What the last successful build was made from, so a build with nothing new is skipped.

A build's inputs are the resolved settings (which include the environment they read,
such as SITEURL), every file below the content folder, the theme, the code a build runs
(not the editor tools, benchmarks or publishing) and the
versions of the libraries that render the site. Their fingerprint is stored beside the
list of output files (size and mtime) that the build left. When both still match, the
output is exactly what a new build would write, so no step needs to run: not Pelican,
not the search index, not the sync.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

STATE_FORMAT = 1
STATE_FILE = "build-state.json"
PACKAGE = Path(__file__).resolve().parents[1]
# The code a build runs: the ground floor and these folders. Editing an editor tool,
# the benchmark or publishing does not make the next build run again.
BUILD_CODE = ("builder", "fast", "content", "documents", "visitors")
LIBRARIES = (
    "pelican",
    "pelican-i18n-subsites",
    "markdown",
    "jinja2",
    "babel",
    "pagefind",
)


def _stable(value) -> str:
    """A repr that does not change between processes (no memory addresses)."""
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: str(item[0]))
        return "{" + ",".join(f"{_stable(k)}:{_stable(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return "[" + ",".join(_stable(item) for item in items) + "]"
    if callable(value):
        return (
            f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
        )
    return repr(value)


def _hash_tree(digest: hashlib._Hash, root: Path) -> None:
    if not root.exists():
        digest.update(f"missing:{root}".encode())
        return
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".mo":
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def input_fingerprint(settings: dict, settings_files: list[Path]) -> str:
    """The fingerprint of everything a build reads."""
    digest = hashlib.sha256(f"format={STATE_FORMAT}".encode())
    ignored = {"OUTPUT_PATH"}  # the build writes into a fresh folder every time
    digest.update(
        _stable({k: v for k, v in settings.items() if k not in ignored}).encode()
    )
    for library in LIBRARIES:
        digest.update(f"{library}={version(library)}".encode())
    for settings_file in settings_files:
        digest.update(settings_file.read_bytes())
    code = [PACKAGE / name for name in BUILD_CODE]
    for root in (Path(settings["PATH"]), Path(settings["THEME"]), *code):
        digest.update(f"tree:{root.name}".encode())
        _hash_tree(digest, root)
    for path in sorted(PACKAGE.glob("*.py")):  # the ground floor
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def output_manifest(output: Path) -> dict[str, list[int]]:
    """Every output file with its size and mtime: a changed or deleted file shows."""
    manifest = {}
    if output.is_dir():
        for path in output.rglob("*"):
            if path.is_file():
                stat = path.stat()
                manifest[path.relative_to(output).as_posix()] = [
                    stat.st_size,
                    stat.st_mtime_ns,
                ]
    return manifest


def state_path(cache: Path, output: Path) -> Path:
    """One state file per output folder (tests build several)."""
    output = output.parent.resolve() / output.name  # not the release it points to
    key = hashlib.sha256(str(output).encode()).hexdigest()[:16]
    return cache / f"{key}-{STATE_FILE}"


def is_up_to_date(cache: Path, output: Path, fingerprint: str) -> bool:
    """True when the last build had these inputs and its output is untouched."""
    try:
        state = json.loads(state_path(cache, output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # no state, or a damaged one: build
    return (
        isinstance(state, dict)
        and state.get("format") == STATE_FORMAT
        and state.get("fingerprint") == fingerprint
        and state.get("output") == output_manifest(output)
    )


def record(cache: Path, output: Path, fingerprint: str) -> None:
    """Remember a successful build; written atomically."""
    cache.mkdir(parents=True, exist_ok=True)
    target = state_path(cache, output)
    state = {
        "format": STATE_FORMAT,
        "fingerprint": fingerprint,
        "output": output_manifest(output),
    }
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=cache)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(state, file)
    Path(temporary).replace(target)


def forget(cache: Path, output: Path) -> None:
    """Drop the state when a build starts: after a crash, the next build runs."""
    state_path(cache, output).unlink(missing_ok=True)
