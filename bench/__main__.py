"""``python -m bench``: the searchbench command line."""

import sys

from bench.cli import main

if __name__ == "__main__":  # worker processes import this module too: only the user's process runs
    sys.exit(main())
