"""searchbench: compare hyperparameter-search strategies on a fixed catalogue of problems, and on
problems of your own (:mod:`bench.api`: ``from bench import compare, estimator_problem``)."""

__version__ = "0.1.0"

#: The public Python API, defined in :mod:`bench.api`.
__all__ = [
    "Categorical", "Comparison", "DEFAULT_TIME_LIMIT", "EstimatorProblem", "Fidelity",
    "Forbidden", "FunctionProblem", "Integer", "Real", "Space", "compare", "estimator_problem",
    "function_problem", "when",
]


def __getattr__(name: str):
    # Imported on first use, so that the command line (which imports this package) does not
    # pay for scikit-learn and pandas before it needs them.
    if name in __all__:
        from bench import api

        return getattr(api, name)
    raise AttributeError(f"module 'bench' has no attribute {name!r}")
