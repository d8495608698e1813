"""Translating configurations for adapters: index-coded values, a unit box, redrawing.

Libraries that know no conditions or categories search a flat vector with one coordinate per
dimension, categorical values coded by their index. :func:`decode` turns such a vector (or a
mapping of coded values) back into a configuration of the space: indices become choices, numbers
are clipped to their bounds, integers rounded, and inactive dimensions are dropped (``project``).
:func:`encode` is its inverse. Libraries that take only a continuous box (bayesian-optimization,
BoTorch) use :class:`UnitBox`. :func:`redraw` is the loop that asks a library again when its
candidate falls on a forbidden combination.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from bench.space import Categorical, Config, Dimension, Space

T = TypeVar("T")


def decode_value(dim: Dimension, value: Any) -> Any:
    """One coded value as the dimension's own: a choice by its index, a number clipped to its
    bounds (and rounded for an integer)."""
    if isinstance(dim, Categorical):
        return dim.choices[int(value)]
    if dim.kind == "integer":
        return int(min(max(round(value), dim.low), dim.high))
    return float(min(max(value, dim.low), dim.high))


def encode_value(dim: Dimension, value: Any) -> Any:
    """One value coded: a choice as its index, a number unchanged."""
    return dim.index(value) if isinstance(dim, Categorical) else value


def decode(space: Space, coded: Mapping[str, Any] | Sequence[Any]) -> Config:
    """The configuration of a coded assignment: a sequence in the space's order, or a mapping by
    name (a mapping may leave out inactive dimensions). Inactive dimensions are dropped."""
    if not isinstance(coded, Mapping):
        coded = {d.name: v for d, v in zip(space, coded)}
    flat = {d.name: decode_value(d, coded[d.name]) for d in space if d.name in coded}
    return space.project(flat)


def encode(space: Space, config: Mapping[str, Any]) -> dict[str, Any]:
    """The coded values of a configuration's dimensions (inactive ones are absent)."""
    return {d.name: encode_value(d, config[d.name]) for d in space if d.name in config}


class UnitBox:
    """A continuous box ``[0, 1]^n`` for libraries that take nothing else.

    Numeric dimensions get one coordinate on their own (linear or log) scale; integers are
    rounded when decoded. A categorical dimension with k choices gets k coordinates, one per
    choice, and decodes to the choice with the largest (one-hot encoding, argmax decoding; ties
    go to the first). Every dimension is searched, conditional ones included, and the ones
    inactive for the values decoded are dropped, as for the other flat adapters: a model then
    sees their coordinates as dimensions that do not matter in that branch.
    """

    def __init__(self, space: Space):
        self.space = space
        self.slices: list[slice] = []
        start = 0
        for d in space:
            width = len(d.choices) if isinstance(d, Categorical) else 1
            self.slices.append(slice(start, start + width))
            start += width
        self.dim = start

    def decode(self, x: Sequence[float]) -> Config:
        x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
        flat = {}
        for d, part in zip(self.space, self.slices):
            if isinstance(d, Categorical):
                flat[d.name] = d.choices[int(np.argmax(x[part]))]
            else:
                flat[d.name] = d.from_unit(float(x[part][0]))
        return self.space.project(flat)

    def encode(self, config: Mapping[str, Any]) -> np.ndarray:
        """The point of a configuration; inactive dimensions sit at the centre of their range."""
        x = np.full(self.dim, 0.5)
        for d, part in zip(self.space, self.slices):
            if isinstance(d, Categorical) and d.name in config:
                x[part] = 0.0
                x[part.start + d.index(config[d.name])] = 1.0
            elif d.name in config:
                x[part] = d.to_unit(config[d.name])
        return x


def redraw(draw: Callable[[], tuple[T, Config]], space: Space,
           refused: Callable[[T], None] | None = None, tries: int = 1000,
           what: str = "draws") -> tuple[T, Config]:
    """Ask ``draw()`` for (candidate, configuration) until the configuration is allowed.

    A candidate on a forbidden combination goes to ``refused`` (to tell the library it is bad)
    and costs nothing of the budget. After ``tries`` in a row the strategy gives up: its run
    fails, saying why.
    """
    for _ in range(tries):
        candidate, config = draw()
        if not space.is_forbidden(config):
            return candidate, config
        if refused is not None:
            refused(candidate)
    raise RuntimeError(f"{tries} {what} in a row fell on forbidden combinations")
