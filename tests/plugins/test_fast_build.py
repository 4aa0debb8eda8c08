"""The fast build: same bytes as stock Pelican, never stale, robust caches."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess

import pytest

from sitekit.builder.cli import build_command
from sitekit.dev.corpus import write_corpus
from sitekit.fast.markdown_cache import CACHE_FILE, read_stored, write_stored
from sitekit.languages import LANGUAGE_CODES
from tests.support import ROOT, SITEURL, built_once, run_build

PARSES = re.compile(r"(\d+) Markdown parse\(s\) for (\d+) source\(s\)")


def parses(result: subprocess.CompletedProcess | str) -> int:
    """The Markdown parses a build reported (from its result, or its stdout)."""
    stdout = result if isinstance(result, str) else result.stdout
    match = PARSES.search(stdout)
    assert match, stdout if isinstance(result, str) else stdout + result.stderr
    return int(match[1])


def page_and_news_sources(content) -> int:
    """The Markdown files Pelican reads (document entries are read by our plugin)."""
    return sum(len(list((content / kind).rglob("*.md"))) for kind in ("pages", "news"))


def tree(folder) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# Stock builds with the production settings, by their content's digest: tests that
# make the same edit compare with one stock build (its bytes depend on nothing else).
_PLAIN_OUTPUTS: dict[str, object] = {}


def content_digest(content) -> str:
    digest = hashlib.sha256()
    for path in sorted(content.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(content).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def assert_same_as_plain(content, fast_output, tmp_path, settings="publishconf.py"):
    """The fast output equals a stock build (no shared parses, no cache)."""
    key = content_digest(content) if settings == "publishconf.py" else None
    plain_output = _PLAIN_OUTPUTS.get(key) if key else None
    if plain_output is None:
        # Named by the digest: a kept stock build is never built over.
        plain_output = tmp_path / (f"plain-{key[:16]}" if key else "plain")
        shutil.rmtree(plain_output, ignore_errors=True)
        result = run_build(
            plain_output,
            content=content,
            plain=True,
            settings=settings,
            cache=tmp_path / "plain-cache",
        )
        assert result.returncode == 0, result.stderr
        if key:
            _PLAIN_OUTPUTS[key] = plain_output
    assert_same_files(fast_output, plain_output)


def assert_same_files(fast_output, plain_output) -> None:
    plain, fast = tree(plain_output), tree(fast_output)
    assert sorted(fast) == sorted(plain)
    assert [name for name in plain if plain[name] != fast[name]] == []


@pytest.fixture
def same_as_plain_real_site(tmp_path_factory):
    """`assert_same_as_plain` for an unedited copy of the real content.

    The stock build of the real content is made once per run and shared: its bytes
    do not depend on the content folder's path or the output's (a stock build of
    a copy is byte-identical to one of content/).
    """
    base = tmp_path_factory.getbasetemp()
    plain = built_once(base, "plain", plain=True).output

    def check(fast_output) -> None:
        assert_same_files(fast_output, plain)

    return check


@pytest.fixture
def site_copy(tmp_path):
    """A copy of the real content, to edit."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return content


def settings_file(folder, theme, extra: str = ""):
    """A settings file: the production settings with `theme` and `extra` lines."""
    path = folder / "testconf.py"
    path.write_text(f"from publishconf import *\nTHEME = {str(theme)!r}\n{extra}")
    return path


@pytest.fixture
def own_theme(tmp_path):
    """A copy of the theme to edit, and a settings file that uses it."""
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme, ignore=shutil.ignore_patterns("*.mo"))
    return theme, settings_file(tmp_path, theme)


def build(content, tmp_path, **options):
    return run_build(
        tmp_path / "out", content=content, cache=tmp_path / "cache", **options
    )


def cold_build_once(base, own_theme: bool = False):
    """Make a cold build of a copy of content/ in `base`/work, and a copy of it all.

    `base`/work holds content/, out/ (with its releases), cache/ and, with
    `own_theme`, theme/ and testconf.py. Returns (work, snapshot).
    """
    work = base / "work"
    shutil.copytree(ROOT / "content", work / "content")
    options = {}
    if own_theme:
        theme = work / "theme"
        shutil.copytree(ROOT / "theme", theme, ignore=shutil.ignore_patterns("*.mo"))
        options["settings"] = str(settings_file(work, theme))
    result = build(work / "content", work, **options)
    assert result.returncode == 0, result.stderr
    # symlinks=True: out is a relative link to its release, copied as a link.
    shutil.copytree(work, base / "snapshot", symlinks=True)
    return work, base / "snapshot"


def restore(work, snapshot):
    """Put back the state a cold build left: same files, mtimes and paths.

    The build's state records the folders' paths and each output file's size and
    mtime (copytree keeps them), so the next build sees what it would have seen
    after its own cold build here.
    """
    shutil.rmtree(work)
    shutil.copytree(snapshot, work, symlinks=True)
    return work


@pytest.fixture(scope="module")
def _cold(tmp_path_factory):
    return cold_build_once(tmp_path_factory.mktemp("cold"))


@pytest.fixture(scope="module")
def _cold_own_theme(tmp_path_factory):
    return cold_build_once(tmp_path_factory.mktemp("cold-theme"), own_theme=True)


@pytest.fixture
def cold(_cold):
    """A folder where a copy of content/ (content/) was just built cold (out/, cache/).

    Made once per module and restored for each test: a cold build costs a
    CPU-second, a restore a few milliseconds; each test starts from the same state.
    """
    return restore(*_cold)


@pytest.fixture
def cold_own_theme(_cold_own_theme):
    """As `cold`, built with its own copy of the theme (theme/, testconf.py)."""
    return restore(*_cold_own_theme)


def test_real_site_is_byte_identical_to_a_stock_build(
    tmp_path_factory, same_as_plain_real_site
):
    # The run's shared production build of content/ (the site tests read it too):
    # a cold fast build, with its own cache.
    fast = built_once(tmp_path_factory.getbasetemp(), "production")
    # cold: every source once, for four languages
    assert parses(fast.log) == page_and_news_sources(ROOT / "content")
    same_as_plain_real_site(fast.output)


def test_generated_corpus_is_byte_identical_with_parallel_writing(tmp_path):
    content = tmp_path / "content"
    sources = write_corpus(content, 12)
    # Small thresholds, so that this small corpus uses the process pool and forks.
    settings = settings_file(
        tmp_path,
        ROOT / "theme",
        'FAST_BUILD = {"workers": 2, "parse_pool_from": 1, "fork_writers_from": 1}\n',
    )
    result = run_build(
        tmp_path / "out",
        content=content,
        settings=str(settings),
        cache=tmp_path / "cache",
    )
    assert result.returncode == 0, result.stderr
    assert parses(result) == sources
    assert_same_as_plain(content, tmp_path / "out", tmp_path)
    feeds = [name for name in tree(tmp_path / "out") if name.endswith("atom.xml")]
    assert len(feeds) == 4
    assert (tmp_path / "out" / "sitemap.xml").is_file()
    assert_search_index_is_one_pagefind_run(tmp_path / "out", tmp_path / "one-run")


def assert_search_index_is_one_pagefind_run(output, work):
    """The index made language by language equals one Pagefind run over the site.

    After the build's own steps on that run: entry sorted, unused interfaces removed.
    """
    from pagefind_bin import get_executable

    from sitekit.visitors import search

    for page in output.rglob("*.html"):
        if "pagefind" not in page.relative_to(output).parts:
            (work / page.relative_to(output)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(page, work / page.relative_to(output))
    command = [get_executable(), "--site", work, "--output-subdir", "pagefind"]
    subprocess.run(command, check=True, capture_output=True)
    search._sort_entry_file(work)
    search._remove_unused(work)
    assert tree(work / "pagefind") == tree(output / "pagefind")


def test_nothing_changed_skips_the_build_and_touches_nothing(cold):
    output = cold / "out"
    mtimes = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}

    again = build(cold / "content", cold)

    assert again.returncode == 0, again.stderr
    assert "Nothing changed since the last build" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()} == mtimes


def test_a_build_without_search_index_is_not_taken_for_a_full_one(site_copy, tmp_path):
    # The benchmark times Pelican alone with --no-search-index; the next full build
    # must not be skipped as up to date.
    bare = build(site_copy, tmp_path, search_index=False)
    assert bare.returncode == 0, bare.stderr
    assert not (tmp_path / "out" / "pagefind").exists()
    assert (tmp_path / "out" / "zoeken.html").is_file()

    full = build(site_copy, tmp_path)

    assert full.returncode == 0, full.stderr
    assert "Nothing changed" not in full.stdout
    assert (tmp_path / "out" / "pagefind" / "pagefind-entry.json").is_file()


KEPT = re.compile(r"(\d+) page\(s\) rendered, (\d+) kept")


def pages_read(cache) -> dict[str, list[str]]:
    """What the last build recorded: output file → the texts (bodies) it read."""
    (state,) = cache.glob("*build-state.json")
    return json.loads(state.read_text())["pages_read"]


def search_parts(cache) -> set[str]:
    """The cached search index parts: one per language, named by its pages' digest."""
    return {path.name for path in (cache / "search").iterdir()}


def test_editing_a_content_file_parses_only_that_file(cold, tmp_path):
    """And renders only the pages that read its text, and indexes only its language."""
    site_copy = cold / "content"
    before = search_parts(cold / "cache")
    page = site_copy / "pages" / "statuut.fr.md"
    page.write_text(page.read_text() + "\nUne phrase ajoutée.\n")

    again = build(site_copy, cold)

    assert again.returncode == 0, again.stderr
    assert parses(again) == 1
    assert "Une phrase ajoutée." in (cold / "out/fr/statut.html").read_text()
    # The pages that read the text (the page itself) are rendered; the rest kept.
    read = pages_read(cold / "cache")
    readers = {key for key, texts in read.items() if "pages/statuut.fr.md" in texts}
    assert "fr/statut.html" in readers
    rendered, kept = map(int, KEPT.search(again.stdout).groups())
    assert (rendered, kept) == (len(readers), len(read) - len(readers))
    changed = before ^ search_parts(cold / "cache")
    assert {name.split("-")[0] for name in changed} == {"fr"}
    assert_same_as_plain(site_copy, cold / "out", tmp_path)


def test_a_template_reading_the_raw_text_is_followed(site_copy, tmp_path, own_theme):
    """However a template reads a text, its page is rendered when the text changes."""
    theme, settings = own_theme
    template = theme / "templates" / "page.html"
    raw = template.read_text().replace("page.content|safe", "page._content|safe")
    template.write_text(raw)
    assert build(site_copy, tmp_path, settings=str(settings)).returncode == 0
    page = site_copy / "pages" / "statuut.fr.md"
    page.write_text(page.read_text() + "\nUne phrase ajoutée.\n")

    again = build(site_copy, tmp_path, settings=str(settings))

    assert again.returncode == 0, again.stderr
    assert "Une phrase ajoutée." in (tmp_path / "out/fr/statut.html").read_text()
    assert KEPT.search(again.stdout)  # the other pages were kept


def test_editing_metadata_renders_every_page(cold):
    """A title shows on other pages (menus, language switcher): nothing is kept."""
    site_copy = cold / "content"
    page = site_copy / "pages" / "statuut.fr.md"
    text = page.read_text()
    page.write_text(text.replace("Title: ", "Title: Le ", 1))

    again = build(site_copy, cold)

    assert again.returncode == 0, again.stderr
    assert "Le " in (cold / "out/fr/statut.html").read_text()
    assert KEPT.search(again.stdout) is None  # nothing kept: all rendered


def test_editing_a_template_rebuilds_without_parsing(cold_own_theme, tmp_path):
    site_copy, theme = cold_own_theme / "content", cold_own_theme / "theme"
    settings = cold_own_theme / "testconf.py"
    options = {"settings": str(settings)}
    template = theme / "templates" / "page.html"
    template.write_text(
        template.read_text().replace(
            '<article class="mh-content">', '<article class="mh-content mh-edited">'
        )
    )

    again = build(site_copy, cold_own_theme, **options)

    assert again.returncode == 0, again.stderr
    assert parses(again) == 0
    assert "mh-edited" in (cold_own_theme / "out" / "statuut.html").read_text()
    assert_same_as_plain(
        site_copy, cold_own_theme / "out", tmp_path, settings=str(settings)
    )


def test_a_damaged_search_cache_is_indexed_again_with_a_warning(cold, tmp_path):
    from sitekit.visitors.search import verify_bundle

    site_copy = cold / "content"
    (part,) = (cold / "cache" / "search").glob("de-*")
    fragment = sorted((part / "fragment").iterdir())[0]
    # A new file, not a change in place: the output keeps its own copy.
    data = fragment.read_bytes()
    fragment.unlink()
    fragment.write_bytes(data[: len(data) // 2])
    page = site_copy / "pages" / "statuut.fr.md"
    page.write_text(page.read_text() + "\nUne phrase ajoutée.\n")

    again = build(site_copy, cold)

    assert again.returncode == 0, again.stderr
    assert "indexing again" in again.stdout + again.stderr
    verify_bundle(cold / "out" / "pagefind")
    assert_same_as_plain(site_copy, cold / "out", tmp_path)


def test_editing_a_catalog_changes_the_strings(cold_own_theme):
    theme, settings = cold_own_theme / "theme", cold_own_theme / "testconf.py"
    catalog = theme / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    catalog.write_text(
        catalog.read_text().replace('"Zum Inhalt springen"', '"Direkt zum Inhalt"')
    )

    again = build(cold_own_theme / "content", cold_own_theme, settings=str(settings))

    assert again.returncode == 0, again.stderr
    assert parses(again) == 0
    assert (
        "Direkt zum Inhalt"
        in (cold_own_theme / "out" / "de" / "status.html").read_text()
    )


def test_editing_a_static_file_updates_it_and_its_links(cold_own_theme):
    theme, settings = cold_own_theme / "theme", cold_own_theme / "testconf.py"
    before = (cold_own_theme / "out" / "statuut.html").read_text()
    stylesheet = theme / "static" / "css" / "site.css"
    stylesheet.write_text(stylesheet.read_text() + "\n.mh-new { color: #000; }\n")

    again = build(cold_own_theme / "content", cold_own_theme, settings=str(settings))

    assert again.returncode == 0, again.stderr
    assert parses(again) == 0
    css = (cold_own_theme / "out" / "theme" / "css" / "site.css").read_text()
    assert ".mh-new" in css
    after = (cold_own_theme / "out" / "statuut.html").read_text()
    assert after != before  # the stylesheet link's ?v= hash changed


def test_changing_a_setting_rebuilds(cold_own_theme):
    settings = cold_own_theme / "testconf.py"
    settings.write_text(settings.read_text() + 'SITENAME = "Andere naam"\n')

    again = build(cold_own_theme / "content", cold_own_theme, settings=str(settings))

    assert "Nothing changed" not in again.stdout
    assert parses(again) == 0  # Markdown options did not change
    assert "Andere naam" in (cold_own_theme / "out" / "statuut.html").read_text()


def test_changing_a_markdown_setting_parses_everything_again(cold_own_theme):
    site_copy = cold_own_theme / "content"
    settings = cold_own_theme / "testconf.py"
    settings.write_text(
        settings.read_text() + 'MARKDOWN = {**MARKDOWN, "tab_length": 2}\n'
    )

    again = build(site_copy, cold_own_theme, settings=str(settings))

    assert again.returncode == 0, again.stderr
    assert parses(again) == page_and_news_sources(site_copy)


def damage_parse_cache(data: bytes):
    def damage(cache) -> None:
        (cache / CACHE_FILE).write_bytes(data)

    return damage


def damage_parse_cache_version(cache) -> None:
    data = read_stored(cache / CACHE_FILE)
    data["format"] = 999
    write_stored(cache / CACHE_FILE, data)


def damage_template_cache(cache) -> None:
    compiled = list((cache / "templates").rglob("*.checked.cache"))
    assert compiled
    for path in compiled:
        path.write_bytes(b"garbage")


def damage_pdf_cache(cache) -> None:
    cached = list((cache / "documents" / "pdf").glob("*.pdf"))
    assert len(cached) == 4  # the fact sheet in each language
    for path in cached:
        path.write_bytes(b"%PDF-1.4 cut off")


# Each damage, what the next build must say (if anything), whether it parses all again.
DAMAGES = {
    "empty parse cache": (damage_parse_cache(b""), "could not be used", True),
    "garbage parse cache": (
        damage_parse_cache(b"not a cache at all"),
        "could not be used",
        True,
    ),
    "half-written parse cache": (
        damage_parse_cache(b'{"format": 2, "entries": {"ab'),
        "could not be used",
        True,
    ),
    "parse cache of another version": (
        damage_parse_cache_version,
        "written by another version",
        True,
    ),
    "damaged template cache": (damage_template_cache, None, False),
    "damaged PDF cache": (damage_pdf_cache, "a cached PDF was damaged", False),
}


def test_a_damaged_output_or_cache_is_rebuilt_not_used(cold, same_as_plain_real_site):
    """One cold build, then each damage in turn; every rebuild leaves all whole.

    One folder serves them all (a cold build each cost most of this module's time):
    a rebuild after a damage must leave output and caches as a cold build does,
    which each next step relies on and checks again.
    """
    site_copy, output, cache = cold / "content", cold / "out", cold / "cache"

    # A damaged output is rebuilt, not skipped; the parses come from the cache.
    (output / "statuut.html").unlink()
    again = build(site_copy, cold)
    assert again.returncode == 0, again.stderr
    assert "Nothing changed" not in again.stdout
    assert parses(again) == 0
    assert (output / "statuut.html").is_file()

    for name, (damage, message, parses_all) in DAMAGES.items():
        damage(cache)
        (output / "statuut.html").unlink()  # so the build is not skipped

        again = build(site_copy, cold)

        assert again.returncode == 0, (name, again.stderr)
        if message:
            assert message in again.stdout + again.stderr, name
        if parses_all:
            assert parses(again) == page_and_news_sources(site_copy), name
        same_as_plain_real_site(output)
        cached = read_stored(cache / CACHE_FILE)
        assert cached["entries"], name  # and the parse cache is whole again


def test_two_builds_started_at_once_both_succeed(
    site_copy, tmp_path, same_as_plain_real_site
):
    command = build_command(
        ROOT / "publishconf.py",
        tmp_path / "out",
        content=site_copy,
        cache=tmp_path / "cache",
    )
    env = {"SITEURL": "https://www.example.org", "PYTHONPATH": str(ROOT), "PATH": ""}
    runs = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    same_as_plain_real_site(tmp_path / "out")
    cached = read_stored(tmp_path / "cache" / CACHE_FILE)
    assert len(cached["entries"]) == page_and_news_sources(site_copy)
    assert not list(tmp_path.glob(".out-building-*"))


def test_unchanged_files_keep_their_mtime_after_an_edit(cold):
    output = cold / "out"
    mtimes = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    page = cold / "content" / "pages" / "privacy.en.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")

    assert build(cold / "content", cold).returncode == 0

    # Pagefind renames its index files when the text changes: compare what stayed.
    changed = {
        p.relative_to(output).as_posix()
        for p, mtime in mtimes.items()
        if p.exists() and p.stat().st_mtime_ns != mtime
    }
    assert "en/privacy.html" in changed
    assert "statuut.html" not in changed


def test_a_formatted_summary_is_the_same_in_fast_and_plain_builds(site_copy, tmp_path):
    """Summary: is the one formatted field; its Markdown shows in the Atom feed."""
    news = sorted((site_copy / "news").glob("*.nl.md"))[0]
    text = news.read_text(encoding="utf-8")
    news.write_text(
        text.replace("\n\n", "\nSummary: Een *korte* samenvatting.\n\n", 1),
        encoding="utf-8",
    )
    result = build(site_copy, tmp_path)
    assert result.returncode == 0, result.stderr
    feed = (tmp_path / "out" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "Een &lt;em&gt;korte&lt;/em&gt; samenvatting." in feed
    assert_same_as_plain(site_copy, tmp_path / "out", tmp_path)


def test_other_pelican_releases_take_the_stock_path(
    site_copy, tmp_path, same_as_plain_real_site
):
    """The fast steps copy Pelican internals: another release builds the stock way."""
    command = build_command(
        ROOT / "publishconf.py",
        tmp_path / "out",
        content=site_copy,
        cache=tmp_path / "cache",
    )
    script = (
        "import sys; from sitekit.fast import contract; "
        "contract.WRITTEN_FOR['pelican'] = '0.0'; "
        "from sitekit.builder.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    command[1:3] = ["-c", script]  # `-m sitekit.builder` with the contract changed
    env = {**os.environ, "SITEURL": SITEURL, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "pelican 4.12.0 (written for 0.0)" in result.stderr
    assert "building the stock (slower) way" in result.stderr
    # Stock pelican-i18n-subsites parses every source once per language.
    sources = page_and_news_sources(site_copy)
    assert parses(result) == len(LANGUAGE_CODES) * sources
    same_as_plain_real_site(tmp_path / "out")
