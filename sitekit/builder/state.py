"""What the last successful build was made from, so a build with nothing new is skipped.

A build's inputs are the resolved settings (which include the environment they read,
such as SITEURL), every file below the content folder, the theme, the code a build runs
(not the editor tools, benchmarks or publishing) and the
versions of the libraries that render the site. Their fingerprint is stored beside the
list of output files (size and mtime) that the build left. When both still match, the
output is exactly what a new build would write, so no step needs to run: not Pelican,
not the search index, not the sync.

When only the text below the metadata of some pages or news items changed (the
*bodies*; everything else, the *shape*, is the same), the next build renders only the
pages that read one of those bodies last time (sitekit.fast.parallel_writer records
which); the state keeps the shape's digest, each body's digest and that record.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from sitekit.content.source import head_and_body

STATE_FORMAT = 2
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


@dataclass
class Inputs:
    """What a build reads: all of it, its shape, and the bodies apart."""

    fingerprint: str  # everything: equal means nothing to do
    shape: str  # everything but the bodies
    bodies: dict[str, str] = field(default_factory=dict)  # source → body digest


def _hash_tree(
    digest: hashlib._Hash,
    root: Path,
    split: Callable[[str], bool] = lambda key: False,
    bodies: dict[str, str] | None = None,
) -> None:
    """Hash the files below `root`; for keys `split` selects, the body goes apart.

    A Markdown source's metadata ends at its first blank line; the text after it is
    the body (a file with no blank line is all shape).
    """
    if not root.exists():
        digest.update(f"missing:{root}".encode())
        return
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".mo":
            continue
        key = path.relative_to(root).as_posix()
        data = path.read_bytes()
        digest.update(key.encode() + b"\0")
        head, body = head_and_body(data)
        if bodies is not None and body and split(key):
            bodies[key] = hashlib.sha256(body).hexdigest()
            digest.update(b"head:" + hashlib.sha256(head).digest())
        else:
            digest.update(hashlib.sha256(data).digest())


def body_sources(settings: dict) -> Callable[[str], bool]:
    """Which content keys are pages or news items, whose body only their page reads.

    The Markdown files below ARTICLE_PATHS and PAGE_PATHS, outside the static and
    document folders (the catalogue reads its entries whole).
    """
    readable = tuple(
        f"{path.strip('/')}/"
        for path in (*settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"])
    )
    documents = (settings.get("DOCUMENTS") or {}).get("PATH", "documents")
    apart = tuple(
        f"{path.strip('/')}/" for path in (*settings["STATIC_PATHS"], documents)
    )

    def split(key: str) -> bool:
        markdown = key.endswith(".md")
        return markdown and key.startswith(readable) and not key.startswith(apart)

    return split


def read_inputs(settings: dict, settings_files: list[Path]) -> Inputs:
    """The fingerprint of everything a build reads, and of its shape and bodies."""
    digest = hashlib.sha256(f"format={STATE_FORMAT}".encode())
    ignored = {"OUTPUT_PATH"}  # the build writes into a fresh folder every time
    digest.update(
        _stable({k: v for k, v in settings.items() if k not in ignored}).encode()
    )
    for library in LIBRARIES:
        digest.update(f"{library}={version(library)}".encode())
    for settings_file in settings_files:
        digest.update(settings_file.read_bytes())
    bodies: dict[str, str] = {}
    digest.update(b"tree:content")
    _hash_tree(digest, Path(settings["PATH"]), body_sources(settings), bodies)
    code = [PACKAGE / name for name in BUILD_CODE]
    for root in (Path(settings["THEME"]), *code):
        digest.update(f"tree:{root.name}".encode())
        _hash_tree(digest, root)
    for path in sorted(PACKAGE.glob("*.py")):  # the ground floor
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    shape = digest.hexdigest()
    for key, body in sorted(bodies.items()):
        digest.update(f"{key}\0{body}".encode())
    return Inputs(digest.hexdigest(), shape, bodies)


def output_manifest(output: Path) -> dict[str, list[int]]:
    """Every output file with its size and mtime: a changed or deleted file shows."""
    manifest = {}
    folders = [(str(output), "")] if output.is_dir() else []
    while folders:  # os.scandir: one stat per file, none per folder entry
        folder, prefix = folders.pop()
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file():
                    stat = entry.stat()
                    manifest[prefix + entry.name] = [stat.st_size, stat.st_mtime_ns]
    return manifest


def state_path(cache: Path, output: Path) -> Path:
    """One state file per output folder (tests build several)."""
    output = output.parent.resolve() / output.name  # not the release it points to
    key = hashlib.sha256(str(output).encode()).hexdigest()[:16]
    return cache / f"{key}-{STATE_FILE}"


def last_build(cache: Path, output: Path) -> dict | None:
    """The state of the last successful build, if its output is untouched since."""
    try:
        state = json.loads(state_path(cache, output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no state, or a damaged one: build
    if (
        isinstance(state, dict)
        and state.get("format") == STATE_FORMAT
        and state.get("output") == output_manifest(output)
    ):
        return state
    return None


def is_up_to_date(last: dict | None, inputs: Inputs) -> bool:
    """True when the last build had these inputs (and its output is untouched)."""
    return last is not None and last.get("fingerprint") == inputs.fingerprint


@dataclass
class Reuse:
    """What the last build left that this one may keep: see sitekit.fast."""

    changed: set[str]  # sources whose body changed since
    pages_read: dict[str, list[str]]  # output key → the bodies it read then


def reusable(last: dict | None, inputs: Inputs) -> Reuse | None:
    """The pages of the last build this one may keep, when only bodies changed."""
    if last is None or last.get("shape") != inputs.shape:
        return None
    before = last.get("bodies")
    pages_read = last.get("pages_read")
    if not isinstance(before, dict) or not isinstance(pages_read, dict):
        return None
    if set(before) != set(inputs.bodies):
        return None  # a source came or went: that is a change of shape
    read = {source for sources in pages_read.values() for source in sources}
    if not read <= set(inputs.bodies):
        return None  # a page read a text we cannot follow: render them all
    changed = {key for key, body in inputs.bodies.items() if before[key] != body}
    return Reuse(changed, pages_read)


def record(
    cache: Path,
    output: Path,
    inputs: Inputs,
    pages_read: dict[str, list[str]] | None = None,
) -> None:
    """Remember a successful build; written atomically."""
    cache.mkdir(parents=True, exist_ok=True)
    target = state_path(cache, output)
    state = {
        "format": STATE_FORMAT,
        "fingerprint": inputs.fingerprint,
        "shape": inputs.shape,
        "bodies": inputs.bodies,
        "pages_read": pages_read,
        "output": output_manifest(output),
    }
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=cache)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(state, file)
    Path(temporary).replace(target)


def forget(cache: Path, output: Path) -> None:
    """Drop the state when a build starts: after a crash, the next build runs."""
    state_path(cache, output).unlink(missing_ok=True)
