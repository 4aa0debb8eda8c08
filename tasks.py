"""The one entry point for editors, developers and CI: `invoke --list` shows all."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from invoke import Exit, task

from sitekit.languages import LANGUAGES

ROOT = Path(__file__).resolve().parent
CONFIG = {
    "settings": ROOT / "pelicanconf.py",
    "production_settings": ROOT / "publishconf.py",
    "output": ROOT / "output",
    "host": "127.0.0.1",
    "port": 8000,
}
PYTHON = shlex.quote(sys.executable)
KINDS = ("page", "article", "document")
PORT_HELP = "the local port to serve on (default 8000)"


def _port(port) -> int:
    """--port as a number, or a one-line message saying what to write."""
    if port is None:
        return CONFIG["port"]
    try:
        number = int(port)
    except (TypeError, ValueError):
        number = -1
    if not 1 <= number <= 65535:
        raise Exit(f"--port {port!r} is not a port number: use e.g. --port 8001", 2)
    return number


def _build(c, settings: Path) -> None:
    # In this process: a second Python would import it all again (0.1 s per build).
    # Imported here, not above: `invoke --list`, `-h` and the other tasks need none.
    from sitekit.builder.cli import build_arguments, main

    code = main(build_arguments(settings, CONFIG["output"]))
    if code:
        raise Exit(code=code)


@task
def check(c):
    """Check the content and theme: one line per problem; errors exit non-zero."""
    c.run(
        f"{PYTHON} -m sitekit.content "
        f"--settings {shlex.quote(str(CONFIG['settings']))}",
        pty=False,
    )


@task
def build(c):
    """Check, then build the site for local preview into output/."""
    _build(c, CONFIG["settings"])


# auto_shortflags=False: -h would otherwise be --html, and -h must show help.
@task(
    auto_shortflags=False,
    optional=["html"],
    iterable=["done"],
    help={
        "html": "also write an HTML report (default reports/translations.html)",
        "done": "a translation brought up to date with its source (repeatable)",
    },
)
def translations(c, html=None, done=None):
    """Show which page, news item and document exists in which language."""
    command = f"{PYTHON} -m sitekit.tools translations"
    for path in done or []:
        command += f" --done {shlex.quote(path)}"
    if html:
        command += " --html" + ("" if html is True else f" {shlex.quote(html)}")
    c.run(command, pty=False)


@task(
    positional=["kind"],
    help={
        "kind": "page, article (a news item) or document",
        "title": "the title, in the language given by --lang (required)",
        "lang": "the language of the new file (default nl)",
        "translations": "also create a draft stub in every other language",
    },
)
def new(c, kind=None, title=None, lang="nl", translations=False):
    """Create a new page, news article or document with the right metadata."""
    usage = 'write e.g. invoke new page --title "Veelgestelde vragen"'
    if kind in ("-h", "--help"):  # read as the positional kind: show the help
        c.run(f"{PYTHON} -m invoke --help new", pty=False)
        return
    if kind not in KINDS:
        what = "no kind" if kind is None else f"{kind!r} is not a kind"
        raise Exit(f"invoke new: {what}; use page, article or document — {usage}", 2)
    if not title:
        raise Exit(f"invoke new: the --title is missing (required) — {usage}", 2)
    command = (
        f"{PYTHON} -m sitekit.tools new {shlex.quote(kind)}"
        f" --title {shlex.quote(title)} --lang {shlex.quote(lang)}"
    )
    c.run(command + (" --translations" if translations else ""), pty=False)


@task(name="build-production")
def build_production(c):
    """Build the site for publishing with publishconf.py (needs SITEURL=https://…)."""
    _build(c, CONFIG["production_settings"])


@task
def clean(c):
    """Remove the built site, its releases and the build caches."""
    for folder in (
        "output",
        ".output.releases",
        ".output.lock",
        "cache",
        ".pytest_cache",
    ):
        c.run(f"rm -rf {shlex.quote(str(ROOT / folder))}")


@task(help={"port": PORT_HELP})
def serve(c, port=None):
    """Build, then serve output/ at http://127.0.0.1:8000/ (Ctrl-C stops)."""
    from sitekit.errors import SiteError
    from sitekit.tools.serve import claim_port
    from sitekit.tools.serve import serve as serve_output

    number = _port(port)
    try:  # before the build: a busy port is said at once
        server_socket = claim_port(CONFIG["host"], number)
    except SiteError as error:
        raise Exit(str(error), 2) from None
    server_socket.close()
    build(c)
    try:
        serve_output(CONFIG["output"], CONFIG["host"], number)
    except SiteError as error:
        raise Exit(str(error), 2) from None


@task(help={"port": PORT_HELP})
def livereload(c, port=None):
    """Rebuild on every change to content/ or theme/ and reload the browser."""
    from sitekit.errors import SiteError
    from sitekit.tools.serve import livereload as run_livereload

    try:
        run_livereload(
            ROOT, CONFIG["settings"], CONFIG["output"], CONFIG["host"], _port(port)
        )
    except SiteError as error:
        raise Exit(str(error), 2) from None


@task
def catalogs(c):
    """Update the interface-string catalogs from the templates (then translate)."""
    pybabel = f"{PYTHON} -m babel.messages.frontend"
    pot = "theme/messages.pot"
    with c.cd(str(ROOT)):
        c.run(f"{pybabel} extract -F theme/babel.cfg -k N_ --no-location -o {pot} .")
        for language in LANGUAGES:
            po = ROOT / "theme/translations" / language.code / "LC_MESSAGES/messages.po"
            command = (
                "update --no-fuzzy-matching --ignore-obsolete"
                if po.exists()
                else "init"
            )
            c.run(
                f"{pybabel} {command} -i {pot} -d theme/translations "
                f"-l {language.code} --no-wrap"
            )
    print("Now fill in every empty msgstr; `invoke test` checks that none is left.")


@task(
    help={
        "articles": "articles per language in the generated corpus (default 600)",
        "rounds": "rounds of each build; the table shows medians (default 3)",
        "publish": "also run the publishing benchmark (invoke bench-publish)",
        "scale": "the growth table instead: builds and publishes by size",
        "sizes": "the sizes of --scale, comma-separated (default 600,2400,6000)",
    }
)
def bench(c, articles=600, rounds=3, publish=False, scale=False, sizes=None):
    """Benchmark builds: stock Pelican vs ours (vs Hugo when installed)."""
    if scale:
        extra = f" --sizes {shlex.quote(str(sizes))}" if sizes else ""
        c.run(f"{PYTHON} -m sitekit.dev bench --scale{extra}")
        return
    c.run(
        f"{PYTHON} -m sitekit.dev bench"
        f" --articles {int(articles)} --rounds {int(rounds)}"
    )
    if publish:
        c.run(f"{PYTHON} -m sitekit.dev bench-publish --synthetic 60")


@task
def lint(c):
    """Check the Python code with ruff (lint and format)."""
    c.run(f"{PYTHON} -m ruff check .")
    c.run(f"{PYTHON} -m ruff format --check .")


def _test_workers() -> int:
    """One pytest worker more than the cores the tests may use.

    Many tests wait at times (for a browser, a loopback server, a killed build);
    the extra worker keeps the cores busy meanwhile. On 2 cores, runs taken in
    turn: 114-125 s with 3 workers, 121-136 s with 2. The cores are those this
    process may run on, fewer under a container's CPU quota (cgroup v2 or v1);
    PYTEST_XDIST_AUTO_NUM_WORKERS, pytest-xdist's own setting, says how many.
    """
    chosen = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    quotas = (
        ("/sys/fs/cgroup/cpu.max",),
        ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
    )
    for files in quotas:
        try:
            words = " ".join(Path(name).read_text() for name in files).split()
            quota, period = int(words[0]), int(words[1])
        except (OSError, ValueError, IndexError):  # no such file, or "max": no quota
            continue
        if quota > 0:
            cores = min(cores, max(1, -(-quota // period)))  # rounded up
        break
    return cores + 1


@task(
    pre=[lint, check],
    help={"quick": "leave out the slow tests (large generated corpora); CI runs them"},
)
def test(c, quick=False):
    """Run every check: lint, content checks, then all tests (they build the site)."""
    env = {"PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    # A module's tests stay together, so a module's fixtures (a browser audit of
    # every page) are made once. Modules start in the order of tests/conftest.py
    # (costliest levels first), not sorted by their test count.
    workers = _test_workers()
    command = f"{PYTHON} -m pytest -n {workers} --dist loadscope --no-loadscope-reorder"
    c.run(command + (' -m "not slow"' if quick else ""), env=env, pty=False)


@task(
    help={
        "dry_run": "print the plan (action, key, reason, size) and write nothing",
        "json": "print a machine-readable report on stdout",
        "allow_deletes": "allow up to N deletions beyond the PUBLISH limits",
        "bucket": "bucket to publish to (else PUBLISH_BUCKET or PUBLISH['bucket'])",
        "prefix": "key prefix inside the bucket (else PUBLISH_PREFIX)",
        "endpoint_url": "S3-compatible endpoint (else PUBLISH_ENDPOINT_URL)",
        "output": "the built site to publish (default: output/)",
        "wait_for_cdn": "wait until the CDN invalidation has completed",
    }
)
def publish(
    c,
    dry_run=False,
    json=False,
    allow_deletes=None,
    bucket=None,
    prefix=None,
    endpoint_url=None,
    output=None,
    wait_for_cdn=False,
):
    """Publish the production release in output/: changed files only, deletes last."""
    from invoke import Exit

    from sitekit.publish.run import main as publish_main

    argv = ["--settings", str(CONFIG["production_settings"])]
    argv += ["--output", str(output or CONFIG["output"])]
    argv += ["--dry-run"] * bool(dry_run) + ["--json"] * bool(json)
    argv += ["--wait-for-cdn"] * bool(wait_for_cdn)
    for flag, value in (
        ("--allow-deletes", allow_deletes),
        ("--bucket", bucket),
        ("--prefix", prefix),
        ("--endpoint-url", endpoint_url),
    ):
        if value is not None:
            argv += [flag, str(value)]
    code = publish_main(argv)
    if code:
        raise Exit(code=code)


@task(name="bench-publish")
def bench_publish(c, output=None, pages=60):
    """Time publish vs aws s3 sync on loopback S3 (a synthetic site unless --output)."""
    argv = [str(output)] if output else ["--synthetic", str(pages)]
    c.run(f"{PYTHON} -m sitekit.dev bench-publish {shlex.join(argv)}")
