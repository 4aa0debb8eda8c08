"""The one check entry point: `invoke check` and the build's gate run the same checks.

    python -m sitekit.content [--settings pelicanconf.py] [--content DIR] [--theme DIR]

lists every problem, errors then warnings, grouped by file, and exits 1 when there is
an error. The build calls `check_site` before Pelican reads anything.

The result is kept in the cache folder under the digest of everything the checks
read (the content folder, the theme's templates, the settings they use and the checks'
own code), so a build with no change does not check the same files again.
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
from dataclasses import asdict
from pathlib import Path

from sitekit.content.documents import check_documents, read_config
from sitekit.content.rules import (
    Project,
    check_duplicates,
    check_file,
    check_symlinks,
    project_from_settings,
)
from sitekit.content.source import content_files, shown_path
from sitekit.content.static import check_static
from sitekit.errors import Problem, SiteError
from sitekit.settings import SettingsError, read_site_settings

CACHE_LOG = logging.getLogger("sitekit.cache")
ROOT = Path(__file__).resolve().parents[2]
CACHE_FILE = "content-checks.json"
CACHE_FORMAT = 1
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
    sources, problems = project.sources
    problems = list(problems)
    for source in sources:
        problems.extend(check_file(source, project))
    problems.extend(check_duplicates(sources))
    problems.extend(check_symlinks(project))
    return sorted(problems)


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
    check_content,
    check_templates,
    check_document_entries,
    check_static,
]


def run_checks(project: Project) -> list[Problem]:
    """The problems every checker finds, sorted by file and line."""
    return sorted(problem for checker in CHECKERS for problem in checker(project))


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


def inputs_digest(project: Project, settings: dict) -> str:
    """The digest of everything the checks read: a different digest, new checks."""
    digest = hashlib.sha256(f"format={CACHE_FORMAT}".encode())
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
                if path.is_file():
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _load_cached(cache: Path, digest: str) -> list[Problem] | None:
    try:
        stored = json.loads((cache / CACHE_FILE).read_text(encoding="utf-8"))
        if stored["digest"] != digest:
            return None
        return [Problem(**problem) for problem in stored["problems"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        CACHE_LOG.warning("the content-check cache is unreadable (%s); checking", error)
        return None


def _save(cache: Path, digest: str, problems: list[Problem]) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{CACHE_FILE}-", dir=cache)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            found = [asdict(problem) for problem in problems]
            json.dump({"digest": digest, "problems": found}, file)
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
    cache = Path(settings["CACHE_PATH"]) if use_cache else None
    digest = inputs_digest(project, settings) if cache else ""
    if cache:
        problems = _load_cached(cache, digest)
        if problems is not None:
            return problems
    problems = run_checks(project)
    if cache:
        _save(cache, digest, problems)
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
