"""The one check entry point: `invoke check` and the build's gate run the same checks.

    python -m sitekit.content [--settings pelicanconf.py] [--content DIR] [--theme DIR]

lists every problem, errors then warnings, grouped by file, and exits 1 when there is
an error. The build calls `check_site` before Pelican reads anything.

The result is kept in the cache folder under the digest of everything the checks
read (the content folder, the theme's templates, the settings they use and the checks'
own code), so a build with no change does not check the same files again. When only
the text below some sources' metadata changed, only those sources are checked again
(and those whose links read the ids in a changed text); the problems of the others,
and of the checks of the whole, are kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sitekit.content.documents import check_documents, read_config
from sitekit.content.rules import (
    Project,
    check_duplicates,
    check_file,
    check_symlinks,
    project_from_settings,
)
from sitekit.content.source import content_files, head_and_body, shown_path
from sitekit.content.static import check_static
from sitekit.errors import Problem, SiteError
from sitekit.settings import SettingsError, read_site_settings

CACHE_LOG = logging.getLogger("sitekit.cache")
ROOT = Path(__file__).resolve().parents[2]
CACHE_FILE = "content-checks.json"
CACHE_FORMAT = 2
# The settings the checks read: a change in any of them means checking again.
SETTINGS_READ = ("PATH", "THEME", "MARKDOWN", "CONTENT_CHECKS", "DOCUMENTS")
# The code of the checks: editing a rule means checking again.
CODE = (
    *sorted(Path(__file__).parent.glob("*.py")),
    ROOT / "sitekit" / "errors.py",
    ROOT / "sitekit" / "languages.py",
    ROOT / "sitekit" / "settings.py",
)


def check_content(project: Project | Path) -> list[Problem]:
    """All problems of the content/*/*.md files, sorted by file and line."""
    if isinstance(project, Path):
        project = Project(content=project)
    problems = [
        problem
        for path in content_files(project.content)
        for problem in check_source(path, project)
    ]
    return sorted([*problems, *check_sources_together(project)])


def check_source(path: Path, project: Project) -> list[Problem]:
    """The problems of one source: reading it, then its metadata, text and links."""
    source, problems = project.read(path)
    return problems or list(check_file(source, project))


def check_sources_together(project: Project) -> list[Problem]:
    """What no one source shows: shared addresses and slugs, symlinks."""
    return [*check_duplicates(project.sources[0]), *check_symlinks(project)]


def check_templates(project: Project) -> list[Problem]:
    """Every theme template parses: a syntax error names its file and line."""
    if project.theme is None or not (project.theme / "templates").is_dir():
        return []
    from jinja2 import Environment, TemplateSyntaxError

    environment = Environment(extensions=["jinja2.ext.i18n"])
    problems = []
    for path in sorted((project.theme / "templates").rglob("*.html")):
        try:
            environment.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except TemplateSyntaxError as error:
            problems.append(
                Problem(
                    shown_path(path, project.theme.parent),
                    error.lineno,
                    f"template syntax error: {error.message}",
                    "fix the {% … %} or {{ … }} on this line; each {% if %}, "
                    "{% for %} and {% block %} needs its {% end… %}",
                )
            )
    return problems


# Each checker takes the project and returns its problems; `invoke check` and the build
# run them all. Append a function to check another kind of content.
def check_document_entries(project: Project) -> list[Problem]:
    """The documentation index's entries, as the catalogue reads them."""
    return check_documents(project.content, read_config(project.documents))


CHECKERS: list[Callable[[Project], Iterable[Problem]]] = [
    check_sources_together,
    check_templates,
    check_document_entries,
    check_static,
]


def run_checks(project: Project) -> list[Problem]:
    """The problems of every source and every checker, sorted by file and line."""
    return sorted(
        [
            *(
                p
                for path in content_files(project.content)
                for p in check_source(path, project)
            ),
            *(p for checker in CHECKERS for p in checker(project)),
        ]
    )


def report(problems: list[Problem], checked: str) -> str:
    """Errors then warnings, each grouped by file, and a one-line summary."""
    out = []
    for severity, title in (("error", "Errors"), ("warning", "Warnings")):
        chosen = [p for p in problems if p.severity == severity]
        if not chosen:
            continue
        out.append(f"{title} ({len(chosen)}):")
        current = None
        for problem in chosen:
            if problem.path != current:
                out.append("")
                current = problem.path
            out.append(str(problem))
        out.append("")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    if not problems:
        out.append(f"Checked {checked}: no problems.")
    elif errors:
        out.append(
            f"{errors} error(s) and {warnings} warning(s) in {files} file(s). The site "
            "will not build until the errors are fixed."
        )
    else:
        out.append(f"No errors; {warnings} warning(s) in {files} file(s).")
    return "\n".join(out)


@dataclass
class Inputs:
    """What the checks read, as digests."""

    digest: str  # all of it: the same, the same problems
    context: str  # all but the text below the sources' metadata
    sources: dict[str, str] = field(default_factory=dict)  # source → file digest
    files: list[Path] = field(default_factory=list)  # the sources, checked one by one


def read_inputs(project: Project, settings: dict) -> Inputs:
    """The digests of everything the checks read."""
    digest = hashlib.sha256(f"format={CACHE_FORMAT}".encode())
    sources: dict[str, str] = {}
    # The sources checked one by one; the document entries are checked together.
    checked_files = content_files(project.content)
    one_by_one = set(checked_files)
    used = {key: settings.get(key) for key in SETTINGS_READ}
    digest.update(json.dumps(used, sort_keys=True, default=str).encode())
    for path in CODE:
        digest.update(path.read_bytes())
    for root in (project.content, project.theme):
        if root is None or not root.exists():
            digest.update(b"missing\0")
            continue
        # Not following links: a link's target is part of what the checks judge.
        for folder, folders, files in os.walk(root):
            folders.sort()
            links = [f for f in folders if Path(folder, f).is_symlink()]
            for name in sorted(files + links):
                path = Path(folder) / name
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                if path.is_symlink():
                    digest.update(f"link:{path.readlink()}:{path.resolve()}".encode())
                if not path.is_file():
                    continue
                data = path.read_bytes()
                if path in one_by_one:
                    key = path.relative_to(root).as_posix()
                    sources[key] = hashlib.sha256(data).hexdigest()
                    data = head_and_body(data)[0]  # the text counts below
                digest.update(hashlib.sha256(data).digest())
    context = digest.hexdigest()
    for key, value in sorted(sources.items()):
        digest.update(f"{key}\0{value}".encode())
    return Inputs(digest.hexdigest(), context, sources, checked_files)


@dataclass
class Checked:
    """One source's problems, and the digests of the sources whose text they read."""

    digest: str
    problems: list[Problem]
    consulted: dict[str, str]


def check_changed(
    project: Project, inputs: Inputs, kept: dict[str, Checked], together: list | None
) -> tuple[list[Problem], dict[str, Checked], list[Problem]]:
    """Check the sources not in `kept` (or changed since); `together` None: all of it.

    Returns all problems, each source's entry and the problems of the whole.
    """
    checked: dict[str, Checked] = {}
    for path in inputs.files:
        key = path.relative_to(project.content).as_posix()
        entry = kept.get(key)
        if (
            entry is None
            or entry.digest != inputs.sources.get(key)
            or any(inputs.sources.get(k) != d for k, d in entry.consulted.items())
        ):
            project.consulted = set()
            problems = check_source(path, project)
            consulted = {
                (
                    k := other.relative_to(project.content).as_posix()
                ): inputs.sources.get(k, "")
                for other in project.consulted
                if other != path
            }
            entry = Checked(inputs.sources.get(key, ""), problems, consulted)
        checked[key] = entry
    if together is None:
        together = [p for checker in CHECKERS for p in checker(project)]
    every = [p for entry in checked.values() for p in entry.problems]
    return sorted([*every, *together]), checked, together


def _load_cached(cache: Path) -> dict:
    """The last result: {} when there is none or it cannot be read."""
    try:
        stored = json.loads((cache / CACHE_FILE).read_text(encoding="utf-8"))
        if stored.get("format") != CACHE_FORMAT:
            return {}
        stored["problems"] = [Problem(**p) for p in stored["problems"]]
        stored["together"] = [Problem(**p) for p in stored["together"]]
        stored["sources"] = {
            key: Checked(
                e["digest"], [Problem(**p) for p in e["problems"]], e["consulted"]
            )
            for key, e in stored["sources"].items()
        }
        return stored
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        CACHE_LOG.warning("the content-check cache is unreadable (%s); checking", error)
        return {}


def _save(
    cache: Path,
    inputs: Inputs,
    problems: list[Problem],
    checked: dict[str, Checked],
    together: list[Problem],
) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{CACHE_FILE}-", dir=cache)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(
                {
                    "format": CACHE_FORMAT,
                    "digest": inputs.digest,
                    "context": inputs.context,
                    "problems": [asdict(p) for p in problems],
                    "together": [asdict(p) for p in together],
                    "sources": {key: asdict(entry) for key, entry in checked.items()},
                },
                file,
            )
        Path(temporary).replace(cache / CACHE_FILE)
    except OSError as error:
        CACHE_LOG.warning("cannot keep the content-check result (%s)", error)


def check_site(settings: dict, *, use_cache: bool = True) -> list[Problem]:
    """Every problem of the content and theme, errors and warnings, sorted.

    Raises SettingsError when the settings the checks read are wrong.
    """
    project = project_from_settings(settings)
    if not project.content.is_dir():
        raise SettingsError(f"{project.content}: no such content folder")
    if not use_cache:
        return run_checks(project)
    cache = Path(settings["CACHE_PATH"])
    inputs = read_inputs(project, settings)
    stored = _load_cached(cache)
    if stored.get("digest") == inputs.digest:
        return stored["problems"]
    same = stored.get("context") == inputs.context
    problems, checked, together = check_changed(
        project,
        inputs,
        stored["sources"] if same else {},
        stored["together"] if same else None,
    )
    _save(cache, inputs, problems, checked, together)
    return problems


def errors_of(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop a build."""
    return [problem for problem in problems if problem.severity == "error"]


def main(argv: list[str] | None = None) -> int:
    """`invoke check`: list every problem; exit 1 when there is an error."""
    parser = argparse.ArgumentParser(
        prog="invoke check",
        description="Check the content (and theme templates) before a build.",
    )
    parser.add_argument("--settings", type=Path, default=ROOT / "pelicanconf.py")
    parser.add_argument("--content", type=Path, help="another content folder")
    parser.add_argument("--theme", type=Path, help="another theme folder")
    parser.add_argument("--cache", type=Path, help="another cache folder")
    args = parser.parse_args(argv)

    override = {}
    if args.content:
        override["PATH"] = str(args.content.resolve())
    if args.theme:
        override["THEME"] = str(args.theme.resolve())
    if args.cache:
        override["CACHE_PATH"] = str(args.cache.resolve())
    try:
        settings = read_site_settings(args.settings, override)
        problems = check_site(settings)
    except SiteError as error:
        print(error, file=sys.stderr)
        return 2
    count = len(content_files(Path(settings["PATH"])))
    text = report(problems, f"{count} content file(s) and the theme's templates")
    errors = errors_of(problems)
    print(text, file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0
