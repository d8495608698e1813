"""searchbench's public Python API: benchmark the search strategies on a problem of your own.

``from searchbench import compare, estimator_problem, function_problem, Space, Real, ...``;
everything is defined and documented in :mod:`bench.api` (see docs/own-model.md).
"""

from bench.api import *  # noqa: F403  (the public names, listed in __all__)
from bench.api import __all__  # noqa: F401
