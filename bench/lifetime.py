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


def exit_with_parent() -> None:
    """Start a daemon thread that ends this process as soon as its parent process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(CHECK_SECONDS)
            if os.getppid() != parent:  # re-parented: the parent died
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
