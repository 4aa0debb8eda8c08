"""Build benchmark: stock Pelican + pelican-i18n-subsites vs our build (vs Hugo).

`invoke bench` (or `python -m sitekit.dev.bench --articles 600`) writes a deterministic
corpus (sitekit.dev.corpus) and builds it in one run with the same settings and theme:

  (a) stock: `python -m sitekit.builder --plain` (Pelican reads and parses every file in
      every language subsite; no cache, no skipping);
  (b) ours:  `python -m sitekit.builder` cold (empty cache and output), then again with
      nothing changed;
  (c) Hugo, when the `hugo` command exists (Debian package), on the same texts.

(a) and (b) are timed twice: as Pelican builds (`--no-search-index`), which is what
the stock setup and Hugo do, and with the search index that `invoke build` adds
(Pagefind, the same step in both).

Rounds alternate the builds so load on the machine hits them alike; the table shows
medians, the ratios, Markdown parses and the peak memory of the largest process. A
last row times a one-article edit on the real site.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitekit.builder.cli import build_command
from sitekit.dev.corpus import write_corpus
from sitekit.languages import LANGUAGE_CODES

ROOT = Path(__file__).resolve().parents[2]
SITEURL = "https://www.example.org"
PARSES = re.compile(r"(\d+) Markdown parse\(s\)")


@dataclass
class Timing:
    """Wall times, peak memory and parse counts of one kind of build."""

    seconds: list[float] = field(default_factory=list)
    peak_kb: int = 0
    parses: int | None = None

    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, int, str]:
    """Run `command`: wall seconds, peak RSS (KB) of its largest process, output."""
    env = {**os.environ, "SITEURL": SITEURL, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read().decode() if process.stdout else ""
    # wait4 reports the child's own peak and that of the children it waited for.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output}")
    return seconds, usage.ru_maxrss, output


def bench_build(
    content: Path, output: Path, cache: Path, plain: bool, search: bool = True
) -> list[str]:
    """The build command of one benchmark round (production settings)."""
    return build_command(
        ROOT / "publishconf.py",
        output,
        content=content,
        cache=cache,
        plain=plain,
        search_index=search,
    )


def record(timing: Timing, measured: tuple[float, int, str]) -> None:
    seconds, peak, output = measured
    timing.seconds.append(seconds)
    timing.peak_kb = max(timing.peak_kb, peak)
    match = PARSES.search(output)
    timing.parses = int(match[1]) if match else None


# --- Hugo, on the same texts ----------------------------------------------------------
HUGO_CONFIG = """baseURL = "https://www.example.org/"
defaultContentLanguage = "nl"
defaultContentLanguageInSubdir = false
disableKinds = ["taxonomy", "term", "RSS"]
[languages]
{languages}
"""
HUGO_LAYOUT = """<!DOCTYPE html><html lang="{{ .Language.Lang }}">
<head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><nav>{{ range .Translations }}
<a href="{{ .Permalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.Lang }}</a>
{{ end }}</nav><main><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>
{{ .Content }}</main></body></html>
"""
HUGO_LIST = """<!DOCTYPE html><html lang="{{ .Language.Lang }}">
<head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}
<li><a href="{{ .Permalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>
{{ end }}</ul></body></html>
"""
LINK = re.compile(r"\{filename\}article-(\d+)\.[a-z]+\.md")


def write_hugo_site(content: Path, site: Path) -> None:
    """The corpus as a Hugo site: same Markdown bodies, YAML front matter."""
    languages = "\n".join(
        f'[languages.{code}]\ncontentDir = "content/{code}"\nweight = {weight}'
        for weight, code in enumerate(LANGUAGE_CODES, start=1)
    )
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG.format(languages=languages))
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT)
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    for source in sorted((content / "news").glob("*.md")):
        key, lang = source.name.removesuffix(".md").rsplit(".", 1)
        metadata, body = source.read_text(encoding="utf-8").split("\n\n", 1)
        fields = dict(line.split(": ", 1) for line in metadata.splitlines())
        front = [
            "---",
            f"title: {fields['Title']!r}",
            f"date: {fields['Date']}",
            f"slug: {fields['Slug']}",
            f"translationKey: {key}",
            f"description: {fields['Description']!r}",
            "---",
        ]
        target = site / "content" / lang / "news" / f"{key}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        body = LINK.sub(lambda m: f"../article-{int(m[1]):04d}/", body)
        target.write_text("\n".join(front) + "\n" + body, encoding="utf-8")


# --- The benchmark --------------------------------------------------------------------
@dataclass
class Results:
    """Every timing of one benchmark run."""

    stock: Timing = field(default_factory=Timing)  # (a) Pelican, no search index
    cold: Timing = field(default_factory=Timing)  # (b) Pelican, no search index
    stock_search: Timing = field(default_factory=Timing)  # (a) + search index
    cold_search: Timing = field(default_factory=Timing)  # (b) + search: invoke build
    unchanged: Timing = field(default_factory=Timing)  # (b) again, nothing changed
    hugo: Timing = field(default_factory=Timing)
    search_alone: Timing = field(default_factory=Timing)  # Pagefind on its own
    differences: list[str] = field(default_factory=list)


def run(articles: int, rounds: int) -> str:
    """Run every measurement and return the report."""
    work = Path(tempfile.mkdtemp(prefix="sitekit-bench-"))
    results = Results()
    try:
        content = work / "content"
        sources = write_corpus(content, articles)
        hugo_site = None
        if shutil.which("hugo"):
            hugo_site = work / "hugo"
            write_hugo_site(content, hugo_site)
        # Every build writes into folders no build used before, and nothing is
        # deleted until the end: on this machine's ext4 (no journal), creating files
        # soon after thousands were deleted costs up to 0.3 ms a file (the kernel
        # skips recently freed inodes), which would time the file system, not the
        # build. `cold` means: no output, no cache. Rounds alternate the builds.
        for index in range(rounds):
            built, commands = {}, {}
            for name, timing, plain, search in (
                ("a", results.stock, True, False),
                ("b", results.cold, False, False),
                ("a-search", results.stock_search, True, True),
                ("b-search", results.cold_search, False, True),
            ):
                built[name] = work / f"out-{name}-{index}"
                commands[name] = bench_build(
                    content, built[name], work / f"cache-{name}-{index}", plain, search
                )
                record(timing, timed(commands[name]))
            # Nothing changed since `invoke build` (b with the search index) ran.
            record(results.unchanged, timed(commands["b-search"]))
            if hugo_site:
                destination = f"public-{index}"
                record(
                    results.hugo,
                    timed(["hugo", "--quiet", "-d", destination], cwd=hugo_site),
                )
        record(
            results.search_alone,
            timed(pagefind_command(built["b"], work / "pf")),
        )
        for first, second in (("a", "b"), ("a-search", "b-search")):
            diff = subprocess.run(
                ["diff", "-rq", str(built[first]), str(built[second])],
                capture_output=True,
                text=True,
                check=False,
            )
            results.differences.append(diff.stdout if diff.returncode else "")
        edit = one_article_edit(work, rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report(articles, sources, rounds, results, edit)


def pagefind_command(site: Path, bundle: Path) -> list[str]:
    """Pagefind on its own, as the build runs it."""
    from pagefind_bin import get_executable

    return [str(get_executable()), "--site", str(site), "--output-subdir", str(bundle)]


def one_article_edit(work: Path, rounds: int) -> tuple[Timing, Timing]:
    """Rebuild time of the real site after editing one news item.

    Twice: `python -m sitekit.builder` as a command, and the rebuild `invoke
    livereload` runs (a fork of a process that has Pelican imported already).
    """
    from sitekit.builder.runner import preload
    from sitekit.tools.serve import rebuild_forked

    content = work / "real-content"
    shutil.copytree(ROOT / "content", content)
    command = bench_build(content, work / "real-out", work / "real-cache", False)
    timed(command)  # the warm state an editor has
    article = sorted((content / "news").glob("*.nl.md"))[0]
    as_command, in_livereload = Timing(), Timing()
    os.environ["SITEURL"] = SITEURL
    preload(ROOT / "publishconf.py")
    for index in range(rounds):
        with article.open("a", encoding="utf-8") as file:
            file.write(f"\nEdit {index}.\n")
        record(as_command, timed(command))
        with article.open("a", encoding="utf-8") as file:
            file.write(f"\nEdit {index} again.\n")
        started = time.perf_counter()
        if not rebuild_forked(command):
            raise RuntimeError("the livereload rebuild failed")
        in_livereload.seconds.append(time.perf_counter() - started)
    return as_command, in_livereload


def report(articles, sources, rounds, results: Results, edit) -> str:
    """The benchmark table."""
    base, base_search = results.stock.median(), results.stock_search.median()
    rows = [
        ("(a) stock Pelican + i18n-subsites, cold", results.stock, base),
        ("(b) ours, cold", results.cold, base),
        ("(a) + search index, cold", results.stock_search, base_search),
        ("(b) + search index, cold (`invoke build`)", results.cold_search, base_search),
        ("(b) + search index, no change", results.unchanged, base),
    ]
    if results.hugo.seconds:
        rows.append(("(c) Hugo, cold", results.hugo, base))
    rows.append(("ours, real site, one article edited: command", edit[0], base))
    rows.append(("ours, real site, one article edited: livereload", edit[1], base))
    lines = [
        f"{articles} articles x {len(LANGUAGE_CODES)} languages = {sources} sources; "
        f"median of {rounds} rounds",
        "",
        "Ratios are to (a); the rows with the search index, to (a) + search index.",
        "",
        "| build | median | ratio | Markdown parses | peak memory |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, timing, reference in rows:
        parses = "—" if timing.parses is None else str(timing.parses)
        peak = f"{timing.peak_kb / 1024:.0f} MB" if timing.peak_kb else "—"
        lines.append(
            f"| {name} | {timing.median():.2f} s | {timing.median() / reference:.3f} | "
            f"{parses} | {peak} |"
        )
    lines.append("")
    alone = results.search_alone.median()
    lines.append(f"The search index (Pagefind) on its own: {alone:.2f} s.")
    for label, difference in zip(
        ("(b) byte-identical to (a)", "with the search index too"),
        results.differences,
        strict=True,
    ):
        lines.append(f"{label}: " + ("yes" if not difference else f"NO\n{difference}"))
    if results.hugo.seconds:
        verdict = results.unchanged.median() <= results.hugo.median()
        lines.append(
            "No-change rebuild no slower than Hugo's cold build: "
            + ("yes" if verdict else "no")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="invoke bench")
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(run(args.articles, args.rounds))
    return 0
