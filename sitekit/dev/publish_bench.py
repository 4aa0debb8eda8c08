"""Benchmark `invoke publish` against `aws s3 sync` on a real S3 API on loopback.

`main(output_dir)` starts moto behind a counting proxy on 127.0.0.1, then times four
runs of each tool on the same site: first publish, a republish with nothing changed,
a republish after one page changed, and one after a fresh checkout (same bytes,
new mtimes: what every CI run sees). Requests are counted at the proxy, so both
tools are measured the same way. `aws s3 sync` runs only if awscli is importable.

    python -m sitekit.dev.publish_bench output/      # a built site
    python -m sitekit.dev.publish_bench --synthetic 60   # a generated site of 60 pages
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sitekit import release_manifest
from sitekit.languages import DEFAULT_LANG
from sitekit.languages import FULL_LANGUAGE_CODES as LANGUAGE_CODES

# The synthetic site has the full languages' shape (pages, home, feed in each); a
# help-only language adds a few pages and no feed, which changes nothing measured.

SITEURL = "https://www.example.org"  # reserved for examples (RFC 2606)


def seal(site: Path, kind: str = release_manifest.PRODUCTION) -> Path:
    """Write the release manifest of a site made by hand, as a build's last step does.

    Publishing accepts only a release: tests and the benchmark seal the sites they
    make or change. Returns the manifest's path (beside `site`).
    """
    described = release_manifest.describe(site, kind, SITEURL, "")
    return release_manifest.write(site, described)


def synthetic_site(folder: Path, pages: int = 60) -> Path:
    """Write a small site shaped like ours: four languages, theme, feeds, search index.

    `pages` pages are spread over the languages; the output is the same on every call.
    """
    folder.mkdir(parents=True, exist_ok=True)

    def write(key: str, text: str | bytes) -> None:
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = text.encode()
        path.write_bytes(text)

    paragraph = "Mensenhandel is een ernstig misdrijf. " * 40
    for number in range(pages):
        code = LANGUAGE_CODES[number % len(LANGUAGE_CODES)]
        base = "" if code == DEFAULT_LANG else f"{code}/"
        write(
            f"{base}page-{number:03d}.html",
            f"<!doctype html><html lang={code}><link rel=stylesheet "
            f'href="/theme/css/site.css?v=1"><h1>Page {number}</h1><p>{paragraph}</p>'
            "</html>\n",
        )
    for code in LANGUAGE_CODES:
        base = "" if code == DEFAULT_LANG else f"{code}/"
        write(
            f"{base}index.html",
            f"<!doctype html><html lang={code}><h1>Home</h1></html>\n",
        )
        write(f"{base}feeds/all.atom.xml", f"<feed><title>{code}</title></feed>")
    write("404.html", "<!doctype html><html><h1>Not found</h1></html>\n")
    write("sitemap.xml", "<urlset></urlset>")
    write("robots.txt", "User-agent: *\n")
    write("favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    write("site.webmanifest", '{"name": "Mensenhandel"}')
    write("theme/css/site.css", "body { margin: 0 }\n" * 200)
    write("theme/js/site.js", "document.documentElement.className = 'js';\n")
    write("theme/fonts/text.woff2", bytes(range(256)) * 40)
    write("pagefind/pagefind-entry.json", '{"version": "1"}')
    write("pagefind/pagefind.js", "export {};\n")
    write("pagefind/wasm.unknown.pagefind", bytes(300))
    write("pagefind/pagefind.nl_0a1b2c.pf_meta", bytes(range(50)))
    write("pagefind/index/nl_3d4e5f.pf_index", bytes(range(120)))
    write("pagefind/fragment/nl_6a7b8c.pf_fragment", bytes(range(90)))
    write("LICENSE", "Content: CC BY 4.0\n")
    write(".well-known/security.txt", "Contact: mailto:security@example.org\n")
    seal(folder)
    return folder


@dataclass
class Measurement:
    """One timed run of one tool."""

    tool: str
    case: str
    seconds: float
    requests: int
    detail: str


def _publish_once(loopback, settings, output: Path) -> tuple[float, int, str]:
    from sitekit.publish.run import publish

    loopback.reset_counts()
    report, log = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    code = publish(settings, output, stdout=report, stderr=log, as_json=True)
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"publish failed during the benchmark:\n{log.getvalue()}")
    totals = json.loads(report.getvalue())["totals"]
    detail = f"{totals['uploads']} up, {totals['header_updates']} hdr, " + (
        f"{totals['deletes']} del"
    )
    return seconds, loopback.total_requests(), detail


def _sync_once(loopback, bucket: str, output: Path) -> tuple[float, int, str]:
    loopback.reset_counts()
    command = [
        sys.executable,
        "-m",
        "awscli",
        "s3",
        "sync",
        str(output),
        f"s3://{bucket}/",
        "--delete",
        "--endpoint-url",
        loopback.endpoint_url,
        "--only-show-errors",
    ]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"aws s3 sync failed:\n{result.stderr}")
    counts = dict(loopback.requests)
    detail = f"{counts.get('PUT', 0)} PUT, {counts.get('DELETE', 0)} DELETE"
    return seconds, loopback.total_requests(), detail


def _change_one_page(output: Path) -> None:
    pages = sorted(p for p in output.rglob("*.html") if p.name != "index.html")
    target = pages[len(pages) // 2] if pages else output / "index.html"
    with target.open("ab") as stream:
        stream.write(b"\n<!-- changed by the benchmark -->\n")


def _touch_all(output: Path) -> None:
    # A CI checkout and build give every file a new mtime, with the same bytes.
    later = time.time() + 60
    for path in output.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))


CASES = ("first publish", "no change", "one page changed", "fresh checkout")


@contextlib.contextmanager
def loopback_credentials() -> Iterator[None]:
    """Credentials for the loopback server, for the time of a benchmark."""
    env = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(output_dir: Path) -> list[Measurement]:
    """Run the benchmark on a copy of `output_dir`; return the measurements."""
    from sitekit.dev.loopback_s3 import S3Loopback
    from sitekit.publish.settings import validate

    results: list[Measurement] = []
    with (
        loopback_credentials(),
        S3Loopback() as loopback,
        tempfile.TemporaryDirectory() as scratch,
    ):
        import boto3

        client = boto3.client("s3", endpoint_url=loopback.endpoint_url)
        tools = [("invoke publish", "bench-publish")]
        if importlib.util.find_spec("awscli") is not None:
            tools.append(("aws s3 sync", "bench-sync"))
        for tool, bucket in tools:
            client.create_bucket(Bucket=bucket)
            # Each tool gets its own fresh copy, so the one-page change is the same.
            site = Path(scratch) / bucket / "site"
            shutil.copytree(output_dir, site)
            seal(site)  # the benchmark measures transfers, not the release checks
            settings = validate(
                {
                    "bucket": bucket,
                    "endpoint_url": loopback.endpoint_url,
                    "path_style": True,
                    "min_files": 1,
                    "protected": [],
                }
            )
            for case in CASES:
                if case == "one page changed":
                    _change_one_page(site)
                    seal(site)
                if case == "fresh checkout":
                    _touch_all(site)
                if tool == "invoke publish":
                    seconds, requests, detail = _publish_once(loopback, settings, site)
                else:
                    seconds, requests, detail = _sync_once(loopback, bucket, site)
                results.append(Measurement(tool, case, seconds, requests, detail))
    return results


def print_table(results: list[Measurement], files: int, stream=None) -> None:
    """Print the measurements as a table."""
    stream = stream or sys.stdout
    print(f"Publishing {files} files to moto on loopback:", file=stream)
    print(f"{'tool':<15} {'case':<17} {'time':>8} {'requests':>9}  detail", file=stream)
    for item in results:
        print(
            f"{item.tool:<15} {item.case:<17} {item.seconds:>7.2f}s "
            f"{item.requests:>9}  {item.detail}",
            file=stream,
        )


def main(output_dir: Path | str | None = None, argv: list[str] | None = None) -> int:
    """Benchmark publishing `output_dir` (or a synthetic site); print a table."""
    if output_dir is None:
        parser = argparse.ArgumentParser(prog="invoke bench-publish")
        parser.add_argument("output", nargs="?", type=Path)
        parser.add_argument("--synthetic", type=int, metavar="PAGES")
        args = parser.parse_args(argv)
        if args.synthetic or args.output is None:
            with tempfile.TemporaryDirectory() as scratch:
                site = synthetic_site(Path(scratch) / "site", args.synthetic or 60)
                return _bench(site)
        output_dir = args.output
    return _bench(Path(output_dir))


def main_argv(argv: list[str]) -> int:
    """`invoke bench-publish`: the command line of `main`."""
    return main(None, argv)


def _bench(site: Path) -> int:
    if not (site / "index.html").is_file():
        print(f"{site} has no index.html: build the site first.", file=sys.stderr)
        return 2
    files = sum(1 for path in site.rglob("*") if path.is_file())
    print_table(run(site), files)
    return 0


def publish_once_each(output: Path) -> tuple[str, str]:
    """`invoke publish` of `output` to moto on loopback: first, then nothing changed.

    Each as "<seconds> s, <requests> req" for the growth table of `invoke bench`.
    """
    from sitekit.dev.loopback_s3 import S3Loopback
    from sitekit.publish.settings import validate

    with loopback_credentials(), S3Loopback() as loopback:
        import boto3

        client = boto3.client("s3", endpoint_url=loopback.endpoint_url)
        client.create_bucket(Bucket="bench-scale")
        # A first publish is measured only into an empty bucket: objects left by an
        # earlier size would turn it into a publish with deletions (and refuse it).
        if client.list_objects_v2(Bucket="bench-scale", MaxKeys=1).get("KeyCount"):
            raise RuntimeError("the benchmark's bucket is not empty before publishing")
        settings = validate(
            {
                "bucket": "bench-scale",
                "endpoint_url": loopback.endpoint_url,
                "path_style": True,
                "protected": [],
                "max_deletes": 0,
            }
        )
        shown = []
        for _ in range(2):
            seconds, requests, _detail = _publish_once(loopback, settings, output)
            shown.append(f"{seconds:.1f} s, {requests} req")
    return shown[0], shown[1]
