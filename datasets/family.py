"""A model family: an estimator, the parameters fixed for it, its search space and its fidelity.

Crossing families with datasets (and, where it matters, metrics) gives the catalogue's problems;
every problem of a family searches the same space, so results compare across datasets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.problem import Dataset, Fidelity, Problem
from bench.space import Space


@dataclass(frozen=True)
class Family:
    """``model`` is the first part of the problem ids; ``estimator(**fixed, **config)`` builds the
    model. ``fidelity`` is a Fidelity, or a function of the dataset when the smallest usable
    fraction depends on its size."""

    model: str
    estimator: Callable[..., Any]
    space: Space
    fixed: Mapping[str, Any] = field(default_factory=dict)
    fidelity: Fidelity | Callable[[Dataset], Fidelity] = Fidelity()
    description: str = ""

    def problem(self, dataset: Dataset, metric: str | None = None,
                fidelity: Fidelity | None = None) -> Problem:
        """The family on ``dataset``; ``fidelity`` replaces the family's for this dataset."""
        fidelity = fidelity or self.fidelity
        if not isinstance(fidelity, Fidelity):
            fidelity = fidelity(dataset)
        return Problem(self.model, dataset, self.estimator, self.space, fixed=dict(self.fixed),
                       metric=metric, fidelity=fidelity, description=self.description)

    def problems(self, datasets: Iterable[Dataset], metric: str | None = None) -> list[Problem]:
        return [self.problem(d, metric) for d in datasets]
