"""Build benchmark: the command an editor types against stock Pelican, same pages.

`invoke bench` writes a deterministic corpus (sitekit.dev.corpus: N news items in
each language, translations keyed `article-NNNN.<lang>.md`, no categories or tags)
into a copy of this project, and in one run times:

  (a) stock: Pelican + pelican-i18n-subsites with our settings, theme and plugins
      but none of the fast ones (`python -m sitekit.builder --plain`), search index too;
  (b) `invoke build` in the copy, cold (no output, no cache): what an editor runs;
  (c) `invoke build` again, nothing changed;
  (d) `invoke build` after one article's text was edited (a line added);
  (d2) `invoke build` after one article's title was edited (every page shows titles);
  (e) the inner build alone (`python -m sitekit.builder`), cold;
  (f) Hugo, when the `hugo` command exists (Debian package), on the same texts.

The builds must write the same pages: the file counts of (a) and (b) are printed side
by side, and no ratio is given when they differ by more than ONLY_ONE_SIDE allows.
Rounds alternate the builds so that load on the machine hits them alike; the table
shows medians, ratios to (a), Markdown parses and peak memory (largest process, and
the sum over the build's processes).

`invoke bench --scale` builds 600, 2,400 and 6,000 articles x 4 languages with
`invoke build` (cold and no change) and publishes each output to a loopback S3
server (first publish and no change), with request counts.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sitekit.builder.cli import build_command
from sitekit.dev.corpus import home_text, write_corpus
from sitekit.languages import FULL_LANGUAGE_CODES as LANGUAGE_CODES
from sitekit.languages import HELP_ONLY_CODES

ROOT = Path(__file__).resolve().parents[2]
SITEURL = "https://www.example.org"
PARSES = re.compile(r"(\d+) Markdown parse\(s\)")
# Files only one of the two builds may write (none today: stock runs our other
# plugins and the search index too). Anything else that differs stops the ratio.
ONLY_ONE_SIDE: tuple[str, ...] = ()
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Timing:
    """Wall times, peak memory and parse counts of one kind of build."""

    seconds: list[float] = field(default_factory=list)
    peak_kb: int = 0  # the largest single process
    peak_sum_kb: int = 0  # all the build's processes at one moment
    parses: int | None = None

    def median(self) -> float:
        return statistics.median(self.seconds)


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        todo += [int(child) for child in children.split()]
    return found


def _rss_kb(pid: int) -> int:
    try:
        return (
            int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE // 1024
        )
    except (OSError, IndexError, ValueError):
        return 0


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, int, int, str]:
    """Run `command`; return seconds, peak RSS (KB) and its output.

    Two peaks: its largest process (wait4), and all its processes at one moment
    (sampled every 20 ms).
    """
    env = {**os.environ, "SITEURL": SITEURL, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    peak_sum = [0]

    def sample() -> None:
        while process.poll() is None:
            total = sum(_rss_kb(pid) for pid in _descendants(process.pid))
            peak_sum[0] = max(peak_sum[0], total)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read().decode() if process.stdout else ""
    # wait4 reports the child's own peak and that of the children it waited for.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output}")
    return seconds, usage.ru_maxrss, max(peak_sum[0], usage.ru_maxrss), output


def record(timing: Timing, measured: tuple[float, int, int, str]) -> None:
    seconds, peak, peak_sum, output = measured
    timing.seconds.append(seconds)
    timing.peak_kb = max(timing.peak_kb, peak)
    timing.peak_sum_kb = max(timing.peak_sum_kb, peak_sum)
    match = PARSES.search(output)
    timing.parses = int(match[1]) if match else None


def make_project(work: Path, articles: int) -> tuple[Path, int]:
    """A copy of this project whose content is the corpus; `invoke build` runs there.

    Code and theme are linked, settings and tasks copied (tasks.py finds its project
    by its own path).
    """
    project = work / "project"
    project.mkdir()
    for name in ("tasks.py", "pelicanconf.py", "publishconf.py"):
        shutil.copy2(ROOT / name, project / name)
    for name in ("sitekit", "theme"):
        (project / name).symlink_to(ROOT / name)
    sources = write_corpus(project / "content", articles)
    for code in HELP_ONLY_CODES:  # a release has a home page in every language
        home = project / "content" / "pages" / f"home.{code}.md"
        home.write_text(home_text(code), encoding="utf-8")
        sources += 1
    return project, sources


def invoke_build(project: Path) -> list[str]:
    """The editor's command, run in `project`."""
    return [sys.executable, "-m", "invoke", "build"]


def file_kinds(folder: Path) -> Counter:
    """How many files of each kind a build wrote (HTML pages by folder depth)."""
    kinds: Counter = Counter()
    for path in folder.rglob("*"):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            if any(relative.startswith(prefix) for prefix in ONLY_ONE_SIDE):
                continue
            kinds[path.suffix or path.name] += 1
    return kinds


def clear(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


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

    stock: Timing = field(default_factory=Timing)  # (a)
    cold: Timing = field(default_factory=Timing)  # (b) invoke build
    unchanged: Timing = field(default_factory=Timing)  # (c)
    one_edit: Timing = field(default_factory=Timing)  # (d)
    title_edit: Timing = field(default_factory=Timing)  # (d2)
    inner: Timing = field(default_factory=Timing)  # (e)
    hugo: Timing = field(default_factory=Timing)  # (f)
    stock_files: Counter = field(default_factory=Counter)
    our_files: Counter = field(default_factory=Counter)
    differing: list[str] = field(default_factory=list)  # `diff -rq` of (a) and (e)


def run(articles: int, rounds: int) -> str:
    """Run every measurement and return the report."""
    work = Path(tempfile.mkdtemp(prefix="sitekit-bench-"))
    results = Results()
    try:
        project, sources = make_project(work, articles)
        hugo_site = None
        if shutil.which("hugo"):
            hugo_site = work / "hugo"
            write_hugo_site(project / "content", hugo_site)
        settings = project / "pelicanconf.py"
        output, cache = project / "output", project / "cache"
        article = project / "content" / "news" / f"article-0000.{LANGUAGE_CODES[0]}.md"
        for index in range(rounds):
            stock = work / f"stock-{index}"
            record(
                results.stock,
                timed(
                    build_command(
                        settings, stock, cache=work / f"stock-cache-{index}", plain=True
                    ),
                    cwd=project,
                ),
            )
            clear(output, cache)
            record(results.cold, timed(invoke_build(project), cwd=project))
            record(results.unchanged, timed(invoke_build(project), cwd=project))
            original = article.read_text(encoding="utf-8")
            article.write_text(original + f"\nEdited in round {index}.\n", "utf-8")
            record(results.one_edit, timed(invoke_build(project), cwd=project))
            retitled = original.replace("Title: ", f"Title: Round {index}: ", 1)
            article.write_text(retitled, encoding="utf-8")
            record(results.title_edit, timed(invoke_build(project), cwd=project))
            article.write_text(original, encoding="utf-8")  # (a) and (e): same texts
            inner = work / f"inner-{index}"
            record(
                results.inner,
                timed(
                    build_command(settings, inner, cache=work / f"inner-cache-{index}"),
                    cwd=project,
                ),
            )
            if hugo_site:
                destination = f"public-{index}"
                record(
                    results.hugo,
                    timed(["hugo", "--quiet", "-d", destination], cwd=hugo_site),
                )
        results.stock_files = file_kinds(work / f"stock-{rounds - 1}")
        results.our_files = file_kinds(work / f"inner-{rounds - 1}")
        diff = subprocess.run(
            [
                "diff",
                "-rq",
                str(work / f"stock-{rounds - 1}"),
                str(work / f"inner-{rounds - 1}"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        results.differing = diff.stdout.splitlines()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report(articles, sources, rounds, results)


def _megabytes(kb: int) -> str:
    return f"{kb / 1024:.0f} MB" if kb else "—"


def report(articles: int, sources: int, rounds: int, results: Results) -> str:
    """The benchmark table; no ratios when the two builds wrote different files."""
    kinds = sorted(set(results.stock_files) | set(results.our_files))
    lines = [
        f"{articles} articles x {len(LANGUAGE_CODES)} languages: {sources} sources; "
        f"median of {rounds} rounds",
        "",
        "| files written | stock (a) | ours (b) |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {kind} | {results.stock_files[kind]} | {results.our_files[kind]} |"
        for kind in kinds
    ]
    same = results.stock_files == results.our_files
    lines += [
        "",
        f"Same files as stock: {'yes' if same else 'NO'}; "
        f"files whose bytes differ from stock's: {len(results.differing)}",
        *(f"  {line}" for line in results.differing[:10]),
        "",
    ]
    base = results.stock.median()
    rows = [
        ("(a) stock Pelican + i18n-subsites, cold", results.stock),
        ("(b) `invoke build`, cold", results.cold),
        ("(c) `invoke build`, nothing changed", results.unchanged),
        ("(d) `invoke build`, one article's text edited", results.one_edit),
        ("(d2) `invoke build`, one article's title edited", results.title_edit),
        ("(e) inner build (`python -m sitekit.builder`), cold", results.inner),
    ]
    if results.hugo.seconds:
        rows.append(("(f) Hugo, cold", results.hugo))
    lines += [
        "| build | median | ratio to (a) | Markdown parses | peak: largest process "
        "| peak: all processes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, timing in rows:
        ratio = f"{timing.median() / base:.3f}" if same else "—"
        parses = "—" if timing.parses is None else str(timing.parses)
        lines.append(
            f"| {name} | {timing.median():.2f} s | {ratio} | {parses} | "
            f"{_megabytes(timing.peak_kb)} | {_megabytes(timing.peak_sum_kb)} |"
        )
    if not same:
        lines.append("\nThe builds wrote different files: no ratio is a fair one.")
    return "\n".join(lines)


# --- Growth -------------------------------------------------------------------------
SCALES = (600, 2400, 6000)


def scale(sizes: tuple[int, ...] = SCALES) -> str:
    """Cold and no-change builds, memory, output size, publishing, by size.

    Timed with `invoke build-production`: the same work as `invoke build`, and its
    release is one that publishing accepts.
    """
    lines = [
        "| articles x 4 | pages | cold | per page | no change | peak: largest | "
        "peak: all | output | first publish | no-change publish |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    per_page = []
    for articles in sizes:
        work = Path(tempfile.mkdtemp(prefix="sitekit-scale-"))
        try:
            project, _ = make_project(work, articles)
            cold, unchanged = Timing(), Timing()
            # The production build: only a production release can be published.
            production = [*invoke_build(project)[:-1], "build-production"]
            record(cold, timed(production, cwd=project))
            record(unchanged, timed(production, cwd=project))
            output = project / "output"
            pages = sum(1 for _ in output.rglob("*.html"))
            size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
            try:
                first, again = publish_twice(output)
            except RuntimeError as error:  # shown in the table, the sizes go on
                said = str(error).splitlines() or [""]
                first, again = "failed: " + said[min(1, len(said) - 1)][:60], "—"
            per_page.append(cold.median() / pages)
            lines.append(
                f"| {articles} | {pages} | {cold.median():.1f} s | "
                f"{cold.median() / pages * 1000:.2f} ms | {unchanged.median():.2f} s | "
                f"{_megabytes(cold.peak_kb)} | {_megabytes(cold.peak_sum_kb)} | "
                f"{size / 2**20:.0f} MB | {first} | {again} |"
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if len(per_page) > 1:
        lines.append(
            f"\nTime per page at the largest size / at the smallest: "
            f"{per_page[-1] / per_page[0]:.2f}"
        )
    return "\n".join(lines)


def publish_twice(output: Path) -> tuple[str, str]:
    """A first and a no-change publish to moto on loopback: seconds and requests."""
    from sitekit.dev.publish_bench import publish_once_each

    return publish_once_each(output)


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="invoke bench")
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--scale", action="store_true", help="the growth table: 600, 2,400, 6,000"
    )
    parser.add_argument(
        "--sizes", help="the sizes of --scale, comma-separated (default 600,2400,6000)"
    )
    args = parser.parse_args(argv)
    if args.scale:
        sizes = tuple(int(n) for n in args.sizes.split(",")) if args.sizes else SCALES
        print(scale(sizes))
    else:
        print(run(args.articles, args.rounds))
    return 0
