"""A Python with the build's modules imported that forks one child per build.

`tests.support.run_build` sends it each build as one JSON line on stdin: the
arguments of `python -m sitekit.builder`, the environment, the folder to run in and
the files for stdout and stderr; it answers with the build's pid. Then it takes
orders about that build, one line each: "wait" (answered with the exit code),
"poll" (the exit code, or null while it runs) or "kill" (SIGKILL, then the exit
code). Only this server reaps its child, and only when an order finds it ended,
so the pid the tests read /proc by cannot be another process's. Each build runs in
a fresh fork of a process that has done nothing but import, as `invoke
livereload`'s rebuilds do (sitekit.tools.serve.rebuild_forked): no state passes
from one build to the next, and the ~0.7 CPU-s of imports a new Python spends is
spent once.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imported by every build; importing more here only moves work out of the builds.
PRELOAD = (
    "sitekit.builder.cli",
    "sitekit.builder.runner",
    "pelican",
    "pelican.generators",
    "pelican.readers",
    "pelican.writers",
    "markdown",
    "markdown.extensions.attr_list",
    "jinja2.ext",
    "babel.dates",
    "fpdf",
    "rich",
)


def preload() -> None:
    from sitekit.builder.runner import preload as preload_plugins

    for name in PRELOAD:
        importlib.import_module(name)
    preload_plugins(ROOT / "publishconf.py")  # Pelican and the settings' plugins


def _open(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_CLOEXEC, 0o644)


def build_in_child(request: dict) -> None:
    """In the forked child: become the build's process, run it, exit with its code."""
    code = 1
    try:
        os.dup2(_open(os.devnull, os.O_RDONLY), 0)
        written = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        os.dup2(_open(request["stdout"], written), 1)
        os.dup2(_open(request["stderr"], written), 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [str(ROOT / "sitekit" / "builder" / "__main__.py"), *request["argv"]]

        from sitekit.builder.cli import main

        code = main(request["argv"])
    except SystemExit as exit_:  # as `python -m` turns it into an exit code
        if isinstance(exit_.code, int) or exit_.code is None:
            code = exit_.code or 0
        else:
            print(exit_.code, file=sys.stderr)
    except BaseException:  # as a new Python would: the traceback, exit code 1
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # the exit code still counts
                stream.flush()
        os._exit(code)


def answer(value: object) -> None:
    print(json.dumps(value), flush=True)


def serve() -> None:
    preload()
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            build_in_child(json.loads(line))
        answer(pid)
        code = None
        for order in sys.stdin:
            order = order.strip()
            if code is None and order == "kill":
                os.kill(pid, signal.SIGKILL)  # our own child, not yet reaped
            if code is None:
                done, status = os.waitpid(pid, os.WNOHANG if order == "poll" else 0)
                code = os.waitstatus_to_exitcode(status) if done else None
            answer(code)
            if order != "poll":
                break


if __name__ == "__main__":
    serve()
