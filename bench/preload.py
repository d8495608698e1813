"""What the local workers' fork server imports before it forks them (see :mod:`bench.warm`).

The server starts with one BLAS/OpenMP thread in its environment (:mod:`bench.warm`). It imports
the harness's worker side, scikit-learn and the catalogue module, and nothing more:
no strategy (a strategy's library is imported by the worker that runs it, and the strategies'
folder may be chosen per command) and never torch, which does not survive a fork.
"""

import bench.backends  # noqa: F401  (the worker's side of the harness)
import bench.problem  # noqa: F401  (scikit-learn: every problem needs it)

try:
    from bench.catalogue import load_catalogue

    load_catalogue()  # the catalogue module: the tasks' problems are defined there
except Exception:  # a bad catalogue is the command's to report; preloading is optional
    pass

import gc  # noqa: E402

# What the server holds now is shared by every worker forked from it: kept out of the collector's
# passes, so that a worker's collections neither walk it nor copy its pages.
gc.freeze()
