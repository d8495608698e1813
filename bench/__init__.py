"""searchbench: compare hyperparameter-search strategies on a fixed catalogue of problems."""

__version__ = "0.1.0"
