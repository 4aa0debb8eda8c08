"""Helper processes die with the build that started them, and leave Ctrl-C to it.

After `kill -9` of a build, forked Markdown workers and page writers used to live on
(120 s and more), holding the build lock they inherited, and the next build waited
for them with no message. Linux's PR_SET_PDEATHSIG asks the kernel to kill a child
when its parent dies; where it is missing (not Linux) the child only checks once.

Ctrl-C in a terminal reaches the build and every helper. A helper stopped by it in
the middle of its work (a parse worker sending a result held the pool's lock) could
hang the build or print tracebacks; so helpers ignore it, and the build's own process
stops them. `ctrl_c_held` holds Ctrl-C back while a helper is forked, so that it
never lands in a child that has not yet said it ignores it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Fork helpers inside: a Ctrl-C meanwhile reaches this process just after."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def become_helper(parent: int) -> None:
    """In a forked child: ignore Ctrl-C, be killed when `parent` (our build) dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # no prctl here: the check below still catches a parent already gone
    # The parent may have died between fork and prctl: then we were re-parented.
    if os.getppid() != parent:
        os._exit(1)
