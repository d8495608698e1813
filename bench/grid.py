"""Grids over a search space: every configuration of a grid with given level counts, and the
grid a practitioner would write for a budget (:func:`finest_grid`), balanced over dimensions.

Apart from the dimension types (:mod:`bench.space`), whose ``levels`` say where a dimension's
grid points lie: this module only decides how many levels each dimension gets and enumerates
their combinations. It reads a dimension through its protocol (``name``, ``kind``,
``condition``, ``levels``, ``cardinality``, ``log``), so the space can offer these functions as
its own methods without the two modules importing each other.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

class Gridded(Protocol):
    """What a grid uses of a space (:class:`bench.space.Space` is one)."""

    dimensions: tuple[Any, ...]

    def is_forbidden(self, config: Mapping[str, Any]) -> bool:
        """Whether ``config`` holds a forbidden combination."""


def grid(space: Gridded, levels: Mapping[str, int]) -> Iterator[dict[str, Any]]:
    """Every configuration of the grid with ``levels[name]`` values per dimension.

    A numeric dimension missing from ``levels`` takes one level (its default, else its
    centre), a categorical one all its choices; inactive dimensions are skipped, so a conditional dimension is
    enumerated only under the values that activate it and a conditional space yields each
    distinct configuration once.
    """

    def expand(i: int, config: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if i == len(space.dimensions):
            if not space.is_forbidden(config):
                yield dict(config)
            return
        dim = space.dimensions[i]
        if dim.condition is not None and not dim.condition.holds(config):
            yield from expand(i + 1, config)
            return
        default = None if dim.kind == "categorical" else 1
        for value in dim.levels(levels.get(dim.name, default)):
            config[dim.name] = value
            yield from expand(i + 1, config)
        del config[dim.name]

    return expand(0, {})


def grid_size(space: Gridded, levels: Mapping[str, int], stop_after: int | None = None) -> int:
    """Number of grid configurations, counted up to ``stop_after + 1`` at most."""
    limit = None if stop_after is None else stop_after + 1
    return sum(1 for _ in itertools.islice(grid(space, levels), limit))


def finest_grid(space: Gridded, budget: int) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The grid a practitioner would write for ``budget`` evaluations: its level counts per
    dimension and its configurations (at most ``budget``).

    - Numeric levels are the centres of equal cells on each dimension's own scale
      (:meth:`bench.space.Real.levels`, :meth:`bench.space.Integer.levels`), never the bounds; a dimension with one
      level stays at its default.
    - Categorical dimensions are enumerated while the budget allows: when the grid with
      every choice of every categorical and at least two levels on every numeric dimension
      active in it fits, categoricals keep all their choices and the numeric dimensions share
      the rest. Otherwise categoricals are reduced like the others, keeping their default
      (:meth:`bench.space.Categorical.levels`).
    - Level counts are balanced: dimensions grow one level at a time, always one with the
      fewest levels (among those that can still grow: an integer or a categorical stops at
      its cardinality), so counts differ by at most one. Which of the fewest-level
      dimensions gets the next level is decided, not by declaration order, but by: (1) the
      fewest configurations the level adds (a dimension active under fewer values costs
      less, an inactive one nothing); (2) log-scaled dimensions first (they span orders of
      magnitude: regularization, learning rates, sizes); (3) the name, alphabetically.
    - A conditional dimension grows with the others while inactive, so when a categorical
      level activates it, it comes in balanced.
    """
    numeric = [d for d in space.dimensions if d.kind != "categorical"]
    full = {d.name: d.cardinality for d in space.dimensions if d.kind == "categorical"}
    if grid_size(space, full, stop_after=budget) <= budget:
        levels = _grow(space, numeric, full, budget)
        active = _active_names(space, levels)
        if all(levels[d.name] >= 2 for d in numeric if d.name in active
               and (d.kind != "integer" or d.cardinality >= 2)):
            return levels, list(grid(space, levels))
    levels = _grow(space, list(space.dimensions), {}, budget)
    return levels, list(grid(space, levels))


def describe_grid(space: Gridded, budget: int) -> list[str]:
    """The grid :func:`finest_grid` makes for ``budget``: one line per dimension with the
    levels that occur in it (numbers ascending, choices in declared order), then its size."""
    _, configs = finest_grid(space, budget)
    lines = []
    for d in space.dimensions:
        seen = {repr(c[d.name]): c[d.name] for c in configs if d.name in c}
        if not seen:
            lines.append(f"{d.name}: never active")
            continue
        if d.kind == "categorical":
            values = [v for v in d.choices if repr(v) in seen]
        else:
            values = sorted(seen.values())
        shown = [f"{v:.3g}" if isinstance(v, float) else repr(v) for v in values]
        lines.append(f"{d.name}: {', '.join(shown)}")
    lines.append(f"{len(configs)} configurations for a budget of {budget}")
    return lines


def _active_names(space: Gridded, levels: Mapping[str, int]) -> set[str]:
    return {name for config in grid(space, levels) for name in config}


def _grow(space: Gridded, growing: Sequence[Any], fixed: Mapping[str, int],
          budget: int) -> dict[str, int]:
    """Balanced growth of the ``growing`` dimensions from one level each (see
    :func:`finest_grid`); ``fixed`` dimensions keep their counts."""
    levels = {**fixed, **{d.name: 1 for d in growing}}
    size = grid_size(space, levels, stop_after=budget)
    while True:
        open_ = [d for d in growing if d.kind == "real" or levels[d.name] < d.cardinality]
        if not open_:
            return levels
        fewest = min(levels[d.name] for d in open_)
        options = []
        for d in open_:
            if levels[d.name] != fewest:
                continue
            trial = dict(levels, **{d.name: levels[d.name] + 1})
            grown = grid_size(space, trial, stop_after=budget)
            options.append((grown - size, not getattr(d, "log", False), d.name, trial, grown))
        fitting = [o for o in options if o[4] <= budget]
        if not fitting:
            return levels
        _, _, _, levels, size = min(fitting, key=lambda o: o[:3])
