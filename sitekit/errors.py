"""The one family of errors our code reports, and how a person is shown any error.

Every error the build, the checks or a tool raises for a person to read derives from
`SiteError`: its message already says which file, which line or setting, what is
wrong and how to fix it. `describe_error` turns any other exception (a template that
fails in Jinja, a bug in a library) into the most useful one line it can.

Ground floor: imports nothing of ours, so every layer can use it.
"""

from __future__ import annotations

import errno
import traceback
from dataclasses import dataclass
from pathlib import Path


class SiteError(Exception):
    """An error written for people: file, line, what is wrong, how to fix it."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file, found by the checks."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        hint = f" — {self.hint}" if self.hint else ""
        return f"{self.path}:{self.line}: {self.message}{hint}"


class ContentError(SiteError):
    """The content has errors; `problems` lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listing = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(
            f"{len(problems)} problem(s) found by the checks (`invoke check` lists "
            f"them):\n{listing}"
        )


def describe_error(error: BaseException) -> str:
    """The error as a person needs it: for a template, its file and line first."""
    from jinja2 import TemplateSyntaxError

    if isinstance(error, SiteError):
        return str(error)  # written for people already
    if isinstance(error, TemplateSyntaxError) and error.filename:
        return (
            f"{shown(error.filename)}:{error.lineno}: template syntax error: "
            f"{error.message} — fix the tag on that line of the template"
        )
    # Jinja puts each template's file and line into the traceback: the innermost
    # template frame is where rendering failed.
    frames = traceback.extract_tb(error.__traceback__)
    templates = [
        frame for frame in frames if frame.filename.endswith((".html", ".xml", ".j2"))
    ]
    if templates:
        frame = templates[-1]
        return (
            f"{shown(frame.filename)}:{frame.lineno}: {type(error).__name__} while "
            f"rendering the template: {error} — fix that line of the template"
        )
    if isinstance(error, OSError) and error.filename2:
        # A file written beside its place, then moved there: the place is the one
        # to name (the temporary file means nothing to anybody).
        if error.errno == errno.EISDIR:
            return f"cannot write {error.filename2}: it is a folder; remove it"
        return f"cannot write {error.filename2}: {error.strerror or error}"
    if isinstance(error, OSError) and error.filename:
        return f"cannot use {error.filename}: {error.strerror or error}"
    return f"{type(error).__name__}: {error}"


def shown(filename: str | Path) -> str:
    """A file name relative to the current folder when it is below it."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(filename)
