"""searchbench: compare hyperparameter-search strategies on a fixed catalogue of problems."""

from importlib import metadata as _metadata

try:
    #: The installed distribution's version (pyproject.toml), so the two cannot disagree.
    __version__ = _metadata.version("searchbench")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
