"""Helper processes end with the process that started them.

A user may stop ``searchbench run`` with ``kill -9``: nothing gets a chance to clean up, so every
helper process (loky workers, the queue manager, evaluation children) watches its parent and exits
when it is gone, instead of finishing orphaned work nobody will store.
"""

from __future__ import annotations

import os
import threading
import time

CHECK_SECONDS = 0.5


def exit_with_parent(owner: int | None = None) -> None:
    """Start a daemon thread that ends this process as soon as its parent process is gone, or
    the process ``owner`` when given (a worker forked from a fork server watches the command
    that uses it: the server lives as long as its workers do)."""
    parent = os.getppid()

    def gone() -> bool:
        if os.getppid() != parent:  # re-parented: the parent died
            return True
        if owner is None:
            return False
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's (cannot be ours, but never exit for it)
            return False
        return False

    def watch() -> None:
        while True:
            time.sleep(CHECK_SECONDS)
            if gone():
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
