"""Search strategies, one per file: the file's name is the strategy's name.

Files whose names start with an underscore are shared helpers, not strategies.

``SEARCHBENCH_STRATEGIES=/some/folder`` makes this package read its files from that folder
instead (say, a copy of this one with a strategy added), in every process that inherits the
variable: a way to try a strategy without touching the repository, which the tests use.
"""

import os

if os.environ.get("SEARCHBENCH_STRATEGIES"):
    __path__ = [os.path.abspath(os.environ["SEARCHBENCH_STRATEGIES"])]
