"""Local preview: serve `output/`, or rebuild on every change and reload the browser."""

from __future__ import annotations

import errno
import functools
import multiprocessing
import socket
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sitekit.builder.cli import build_command
from sitekit.errors import SiteError
from sitekit.languages import DEFAULT_LANG, LANGUAGES

# The reload script, as a file of the served origin: the site's Content-Security-
# Policy (script-src 'self') blocks the inline <script> the livereload library
# injects. Added to pages as the preview server sends them, never to output/.
RELOAD_SCRIPT = '<script src="/livereload.js?port={port}"></script>'


class PortBusy(SiteError):
    """The port is taken: say which, and which flag picks another."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"Port {port} on {host} is already in use (another `invoke serve` or "
            f"`invoke livereload`?) — stop that server, or choose another port: "
            f"--port {port + 1}"
        )


def claim_port(host: str, port: int) -> socket.socket:
    """A socket bound to the port, or PortBusy: checked before a slow first build."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortBusy(host, port) from None
        raise SiteError(f"cannot serve on {host}:{port}: {error.strerror}") from None
    return sock


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

    def handle(self) -> None:
        """Answer; a browser that goes away mid-answer is not an error to print."""
        try:
            super().handle()
        except ConnectionError:  # a reload or a closed tab: broken pipe, reset
            self.close_connection = True

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
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortBusy(host, port) from None
        raise SiteError(f"cannot serve on {host}:{port}: {error.strerror}") from None
    with server:
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
    from sitekit.builder.runner import preload

    claim_port(host, port).close()  # a busy port is said before the first build
    preload(settings)  # imported once here, so that forked rebuilds start at once
    command = build_command(settings, output, content=content)

    def on_code_change() -> None:
        rebuild(command, root)

    def on_change() -> None:
        rebuild_forked(command)

    on_code_change()
    output.mkdir(parents=True, exist_ok=True)  # serve even if the first build failed
    server = _reload_server()
    watched = str(content) if content else str(root / "content")
    for pattern in (f"{watched}/**/*", "theme/**/*"):
        server.watch(str(root / pattern), on_change)
    for pattern in ("*.py", "sitekit/**/*.py"):
        server.watch(str(root / pattern), on_code_change)
    _print_urls(host, port)
    try:
        server.serve(host=host, port=port, root=str(output), open_url_delay=None)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortBusy(host, port) from None
        raise


def _reload_server():
    """The livereload Server, injecting a script *file* (CSP-safe) into each page."""
    from livereload import Server
    from livereload.handlers import (
        ForceReloadHandler,
        LiveReloadHandler,
        LiveReloadJSHandler,
    )
    from livereload.server import LiveScriptInjector
    from tornado import web

    class ReloadServer(Server):
        def application(self, port, host, liveport=None, debug=None, live_css=True):
            # As Server.application, minus the inline snippet: one origin, and
            # the reload script loaded with src= from it.
            LiveReloadHandler.watcher = self.watcher
            LiveReloadHandler.live_css = live_css
            # The library drops a reload that comes within 3 s of the previous
            # one (or of the start): a second quick save never showed. Our
            # rebuilds run one at a time, so every finished one may reload.
            LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
            script = RELOAD_SCRIPT.format(port=port).encode()

            class Injector(LiveScriptInjector):
                pass

            Injector.script = script
            handlers = [
                (r"/livereload", LiveReloadHandler),
                (r"/forcereload", ForceReloadHandler),
                (r"/livereload.js", LiveReloadJSHandler),
                *self.get_web_handlers(script),
            ]
            app = web.Application(handlers=handlers, debug=False, transforms=[Injector])
            app.listen(port, address=host)

    return ReloadServer()
