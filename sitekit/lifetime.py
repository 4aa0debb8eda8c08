"""Helper processes die with the build that started them.

After `kill -9` of a build, forked Markdown workers and page writers used to live on
(120 s and more), holding the build lock they inherited, and the next build waited
for them with no message. Linux's PR_SET_PDEATHSIG asks the kernel to kill a child
when its parent dies; where it is missing (not Linux) the child only checks once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed when `parent` (the pid that forked us) dies."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # no prctl here: the check below still catches a parent already gone
    # The parent may have died between fork and prctl: then we were re-parented.
    if os.getppid() != parent:
        os._exit(1)
