"""Local preview: serve `output/`, or rebuild on every change and reload the browser."""

from __future__ import annotations

import functools
import multiprocessing
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sitekit.builder.cli import build_command
from sitekit.languages import DEFAULT_LANG, LANGUAGES


def language_urls(host: str, port: int) -> list[str]:
    """The home page of each language on the local server, default language first."""
    base = f"http://{host}:{port}"
    return [
        f"{base}/" if language.code == DEFAULT_LANG else f"{base}/{language.code}/"
        for language in LANGUAGES
    ]


def _print_urls(host: str, port: int) -> None:
    print("Serving the site; each language's home page:")
    for language, url in zip(LANGUAGES, language_urls(host, port), strict=True):
        print(f"  {language.name:<11} {url}")
    print("Ctrl-C stops the server.")


class _Handler(SimpleHTTPRequestHandler):
    """Serve like an object-storage website: folder → index.html, else 404.html."""

    def send_error(self, code: int, message: str | None = None, explain=None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def serve(output: Path, host: str, port: int) -> None:
    """Serve `output` until Ctrl-C."""
    handler = functools.partial(_Handler, directory=str(output))
    with ThreadingHTTPServer((host, port), handler) as server:
        _print_urls(host, port)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("Stopped.")


def rebuild(command: list[str], root: Path) -> bool:
    """Run one build; on failure say so plainly and return False, never raise.

    The build prints its own errors (file, line, what to fix); the server must keep
    serving the last good site, so nothing here may stop it.
    """
    try:
        result = subprocess.run(command, cwd=root, check=False)
    except OSError as error:  # e.g. the Python interpreter moved: still keep serving
        print(f"Could not run the build: {error}", file=sys.stderr)
        ok = False
    else:
        ok = result.returncode == 0
    if not ok:
        _say_the_build_failed()
    return ok


def _say_the_build_failed() -> None:
    print(
        "\n*** The build failed (see above); the browser still shows the "
        "last good site. Fix the file and save again. ***\n",
        file=sys.stderr,
        flush=True,
    )


def _build_in_child(argv: list[str]) -> None:
    from sitekit.builder.cli import main

    sys.exit(main(argv))


def rebuild_forked(command: list[str]) -> bool:
    """Like `rebuild`, in a forked child of this process, which has Pelican imported.

    That saves the half second a new Python spends on imports, so an edit shows
    within a second. Only for content and theme changes: a change to our code or the
    settings needs a fresh interpreter (`rebuild`).
    """
    argv = command[command.index("sitekit.builder") + 1 :]
    child = multiprocessing.get_context("fork").Process(
        target=_build_in_child, args=(argv,)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        _say_the_build_failed()
    return child.exitcode == 0


def livereload(
    root: Path,
    settings: Path,
    output: Path,
    host: str,
    port: int,
    content: Path | None = None,
) -> None:
    """Rebuild on every change to content, theme or settings, and reload the browser.

    A failed build is shown in the terminal; the server keeps the last good site.
    """
    from livereload import Server

    from sitekit.builder.runner import preload

    preload(settings)  # imported once here, so that forked rebuilds start at once
    command = build_command(settings, output, content=content)

    def on_code_change() -> None:
        rebuild(command, root)

    def on_change() -> None:
        rebuild_forked(command)

    on_code_change()
    output.mkdir(parents=True, exist_ok=True)  # serve even if the first build failed
    server = Server()
    watched = str(content) if content else str(root / "content")
    for pattern in (f"{watched}/**/*", "theme/**/*"):
        server.watch(str(root / pattern), on_change)
    for pattern in ("*.py", "sitekit/**/*.py"):
        server.watch(str(root / pattern), on_code_change)
    _print_urls(host, port)
    server.serve(host=host, port=port, root=str(output), open_url_delay=None)
