"""``python -m bench``: the searchbench command line."""

from bench.cli import entry

if __name__ == "__main__":  # worker processes import this module too: only the user's process runs
    entry()
