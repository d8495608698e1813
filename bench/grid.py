"""Grids over a search space: every configuration of a grid with given level counts, and the
grid a practitioner would write for a budget (:func:`practitioners_grid`).

A practitioner's grid over a conditional space is one sub-grid per branch, as scikit-learn's
list-of-dicts ``param_grid``: a branch fixes every categorical that switches other dimensions on
(a *structural* categorical: ``kernel``, ``model``, ``solver``). Every choice of every
categorical appears, whatever its place in the declaration; the budget is shared out so that the
choices of one categorical get shares within one configuration of each other; inside a branch,
the other categoricals are crossed where the budget allows and the numeric levels fill the rest.
When not even one configuration per branch fits, there is no such grid: the problem is left out
with the reason (:class:`GridDoesNotFit`) rather than choices dropped by declaration order, which
made the grid search only the first models of the pipelines (protocol v3).

Apart from the dimension types (:mod:`bench.space`), whose ``levels`` say where a dimension's
grid points lie, this module only decides how many levels each dimension gets and enumerates
their combinations. It reads a dimension through its protocol (``name``, ``kind``,
``condition``, ``levels``, ``cardinality``, ``choices``, ``log``), so the space can offer these
functions as its own methods without the two modules importing each other.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class Gridded(Protocol):
    """What a grid uses of a space (:class:`bench.space.Space` is one)."""

    dimensions: tuple[Any, ...]

    def is_forbidden(self, config: Mapping[str, Any]) -> bool:
        """Whether ``config`` holds a forbidden combination."""


class GridDoesNotFit(ValueError):
    """No practitioner's grid fits the budget: the message says why and what budget would do."""


@dataclass(frozen=True)
class Branch:
    """One sub-grid: the structural choices it fixes, the budget it was given and what it used.

    ``levels`` counts the levels of each dimension active in the branch (a fixed structural
    categorical counts one); ``crossed`` names the categoricals enumerated in full against the
    numeric levels, ``spread`` those whose choices take turns along the branch's rows because
    crossing them would leave a numeric dimension without a second level.
    """

    assignment: Mapping[str, Any]
    share: int
    levels: Mapping[str, int]
    crossed: tuple[str, ...]
    spread: tuple[str, ...]
    size: int


@dataclass(frozen=True)
class PractitionersGrid:
    """The grid for a budget: its branches and configurations, or why there is none."""

    budget: int
    branches: tuple[Branch, ...]
    configs: tuple[dict[str, Any], ...]
    reason: str | None = None

    @property
    def fits(self) -> bool:
        return self.reason is None


def grid(space: Gridded, levels: Mapping[str, int]) -> Iterator[dict[str, Any]]:
    """Every configuration of the grid with ``levels[name]`` values per dimension.

    A numeric dimension missing from ``levels`` takes one level (its default, else its
    centre), a categorical one all its choices; inactive dimensions are skipped, so a conditional
    dimension is enumerated only under the values that activate it and a conditional space
    yields each distinct configuration once.
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


def practitioners_grid(space: Gridded, budget: int) -> PractitionersGrid:
    """The grid a practitioner would write for ``budget`` evaluations (at most ``budget``).

    - **Branches.** One per assignment of the structural categoricals (those a condition names),
      enumerated in declared order where active; an assignment that is forbidden, or leaves a
      categorical of the branch no allowed choice, is no branch.
    - **Shares.** The budget is split equally among the choices of each structural categorical,
      and a nested one splits its parent choice's share (``kernel``: a quarter each; ``pca`` x
      ``model``: an eighth each). Shares are whole configurations: the floors, then the rest one
      at a time to the branch whose choices are furthest behind, so the choices of one
      categorical get shares within one configuration of each other.
    - **Inside a branch.** Its other categoricals are crossed when every numeric dimension active
      in it still gets two levels within its share (the most crossing that allows it); the ones
      not crossed take their choices in turn along the rows of the grid, continuing over the
      whole grid, so every choice appears and their counts differ by at most one. The numeric
      dimensions grow one level at a time in the rest, always one with the fewest levels (so
      counts differ by at most one; an integer stops at its cardinality), the one adding fewest
      configurations first, then log-scaled ones, then by name. Numeric levels are the centres of
      equal cells on the dimension's own scale (:meth:`bench.space.Real.levels`); one level is
      the default.
    - **Leaving out.** When a branch's share is below one configuration, or a categorical's
      choices cannot all appear, ``reason`` says so and names the smallest budget that fits.
    - Forbidden configurations are never in the grid; unused budget stays unused.
    """
    leaves = _branches(space)
    if not leaves:
        return PractitionersGrid(budget, (), (), "the space has no configuration outside its "
                                 "forbidden combinations")
    made = _build(space, leaves, budget)
    if isinstance(made, PractitionersGrid):
        return made
    smallest = next((b for b in range(budget + 1, max(budget, len(leaves)) * 64 + 64)
                     if isinstance(_build(space, leaves, b), PractitionersGrid)), None)
    needed = (f"; the smallest budget that keeps every choice is {smallest}" if smallest
              else "")
    return PractitionersGrid(budget, (), (), made + needed)


def finest_grid(space: Gridded, budget: int) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The configurations of :func:`practitioners_grid` with, per dimension, the most levels it
    takes in one branch. Raises :class:`GridDoesNotFit` with the reason when the grid leaves the
    space out at this budget."""
    made = practitioners_grid(space, budget)
    if not made.fits:
        raise GridDoesNotFit(f"no grid keeps every choice within a budget of {budget}: "
                             f"{made.reason}")
    levels: dict[str, int] = {}
    for branch in made.branches:
        for name, n in branch.levels.items():
            levels[name] = max(levels.get(name, 0), n)
    return levels, [dict(c) for c in made.configs]


def describe_grid(space: Gridded, budget: int) -> list[str]:
    """The grid :func:`practitioners_grid` makes for ``budget``: one line per dimension with the
    levels that occur in it (numbers ascending; choices in declared order, each with its number
    of configurations), then its size; or the reason it leaves the space out."""
    made = practitioners_grid(space, budget)
    if not made.fits:
        return [f"left out of the grid at budget {budget}: {made.reason}"]
    lines = []
    for d in space.dimensions:
        values = [c[d.name] for c in made.configs if d.name in c]
        if not values:
            lines.append(f"{d.name}: never active")
        elif d.kind == "categorical":
            counts = [(v, sum(1 for x in values if _same(x, v))) for v in d.choices]
            lines.append(f"{d.name}: " + ", ".join(f"{v!r} ({n})" for v, n in counts if n))
        else:
            shown = sorted({repr(v): v for v in values}.values())
            lines.append(f"{d.name}: " + ", ".join(f"{v:.3g}" if isinstance(v, float)
                                                  else repr(v) for v in shown))
    lines.append(f"{len(made.configs)} configurations for a budget of {budget} "
                 f"({len(made.branches)} branch{'es' if len(made.branches) != 1 else ''})")
    return lines


# -- branches and their shares ---------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    """Choices equal in value and type (``1``, ``True`` and ``1.0`` are three choices)."""
    return type(a) is type(b) and a == b


def _structural(space: Gridded) -> set[str]:
    return {d.condition.parent for d in space.dimensions if d.condition is not None}


def _allowed(space: Gridded, dim: Any, assignment: Mapping[str, Any]) -> list[Any]:
    """The choices of ``dim`` no forbidden rule rules out next to ``assignment`` alone."""
    return [c for c in dim.choices if not space.is_forbidden({**assignment, dim.name: c})]


def _active(dim: Any, assignment: Mapping[str, Any]) -> bool:
    return dim.condition is None or dim.condition.holds(assignment)


def _branches(space: Gridded) -> list[tuple[dict[str, Any], float]]:
    """Every branch with its weight: the product of 1 / (allowed choices) over the structural
    categoricals it fixes; weights sum to one."""
    structural = _structural(space)

    def expand(i: int, assignment: dict[str, Any]) -> list[tuple[dict[str, Any], float]]:
        if i == len(space.dimensions):
            if space.is_forbidden(assignment):
                return []
            for d in space.dimensions:  # a categorical of the branch must keep a choice
                if (d.kind == "categorical" and d.name not in assignment and _active(d, assignment)
                        and not _allowed(space, d, assignment)):
                    return []
            return [(dict(assignment), 1.0)]
        dim = space.dimensions[i]
        if dim.name not in structural or not _active(dim, assignment):
            return expand(i + 1, assignment)
        children = [leaves for c in dim.choices if (leaves := expand(i + 1, {**assignment,
                                                                             dim.name: c}))]
        return [(a, w / len(children)) for leaves in children for a, w in leaves]

    return expand(0, {})


def _shares(leaves: Sequence[tuple[dict[str, Any], float]], budget: int) -> list[int]:
    """Whole shares of ``budget``: floors of the weights' shares, then one more at a time to the
    branch whose structural choices are furthest behind (ties: declared order)."""
    shares = [math.floor(budget * w + 1e-9) for _, w in leaves]
    totals: dict[tuple[str, str], int] = {}
    for (assignment, _), s in zip(leaves, shares):
        for name, value in assignment.items():
            key = (name, repr(value))
            totals[key] = totals.get(key, 0) + s
    for _ in range(budget - sum(shares)):
        def behind(i: int) -> tuple:
            assignment = leaves[i][0]
            ahead = []
            for name, value in assignment.items():
                rivals = [t for (n, _), t in totals.items() if n == name]
                ahead.append(totals[name, repr(value)] - min(rivals))
            return (max(ahead, default=0), sum(ahead), -leaves[i][1], i)
        best = min(range(len(leaves)), key=behind)
        shares[best] += 1
        for name, value in leaves[best][0].items():
            totals[name, repr(value)] += 1
    return shares


def _build(space: Gridded, leaves: Sequence[tuple[dict[str, Any], float]],
           budget: int) -> PractitionersGrid | str:
    """The grid at ``budget``, or why there is none."""
    structural = _structural(space)
    shares = _shares(leaves, budget)
    starved = [a for (a, _), s in zip(leaves, shares) if s < 1]
    if starved:
        shown = ", ".join(f"{k}={v!r}" for k, v in starved[0].items())
        return (f"its {len(leaves)} branches need one configuration each, and the budget's "
                f"shares leave {len(starved)} without one (first: {shown})")
    shares = _refill(space, structural, leaves, budget, shares)
    parts = [_branch_grid(space, structural, assignment, share)
             for (assignment, _), share in zip(leaves, shares)]
    _spread_choices(space, [(row, spread) for _, rows, spread in parts for row in rows])
    branches, configs = [], []
    for branch, rows, spread in parts:
        kept = [{d.name: row[d.name] for d in space.dimensions if d.name in row} for row in rows
                if all(d.name in row for d, _ in spread) and not space.is_forbidden(row)]
        counts = dict(branch.levels)
        counts.update({d.name: len({repr(r[d.name]) for r in kept}) for d, _ in spread})
        branches.append(Branch(branch.assignment, branch.share, counts, branch.crossed,
                               branch.spread, len(kept)))
        configs += kept
    for d in space.dimensions:  # every choice that can appear does
        if d.kind != "categorical":
            continue
        possible = {repr(c) for a, _ in leaves if _active(d, a)
                    for c in ([a[d.name]] if d.name in a else _allowed(space, d, a))}
        seen = {repr(c[d.name]) for c in configs if d.name in c}
        if possible - seen:
            missing = [c for c in d.choices if repr(c) in possible - seen]
            return (f"{d.name}'s choices {', '.join(map(repr, missing))} find no configuration "
                    f"within the branches' shares")
    return PractitionersGrid(budget, tuple(branches), tuple(configs))


def _refill(space: Gridded, structural: set[str], leaves: Sequence[tuple[dict[str, Any], float]],
            budget: int, shares: list[int]) -> list[int]:
    """The shares once every branch whose whole grid is smaller than its share has given the
    rest to the others (shared out again by weight): a practitioner enumerates a finite branch
    whole and spends what it leaves on the others, and a grid that fits the budget whole is
    taken whole."""
    whole = [_branch_grid(space, structural, a, budget)[0].size for a, _ in leaves]
    done: set[int] = set()
    while True:
        new = {i for i in range(len(leaves)) if i not in done and whole[i] <= shares[i]}
        if not new or len(done | new) == len(leaves):
            return [whole[i] if i in done | new else s for i, s in enumerate(shares)]
        done |= new
        rest = [i for i in range(len(leaves)) if i not in done]
        weight = sum(leaves[i][1] for i in rest)
        again = _shares([(leaves[i][0], leaves[i][1] / weight) for i in rest],
                        budget - sum(whole[i] for i in done))
        shares = [whole[i] if i in done else again[rest.index(i)] for i in range(len(leaves))]


# -- one branch's sub-grid ------------------------------------------------------------------------
def _branch_grid(space: Gridded, structural: set[str], assignment: Mapping[str, Any],
                 share: int) -> tuple[Branch, list[dict[str, Any]], list[tuple[Any, list]]]:
    """A branch's rows (its crossed categoricals and numeric levels; the spread categoricals are
    filled in by :func:`_spread_choices`), with the branch as planned and its spread
    categoricals and their allowed choices."""
    active = [d for d in space.dimensions if d.name not in assignment and _active(d, assignment)]
    categoricals = [(d, _allowed(space, d, assignment)) for d in active
                    if d.kind == "categorical"]
    numeric = [d for d in active if d.kind != "categorical"]
    searchable = sum(1 for d in numeric if d.kind == "real" or d.cardinality >= 2)
    crossed = _crossing(categoricals, share // 2 ** searchable)
    crossed_size = math.prod(len(choices) for d, choices in categoricals if d.name in crossed)
    levels = _grow(numeric, share // crossed_size)
    spread = [(d, choices) for d, choices in categoricals if d.name not in crossed]

    axes = [(d.name, choices) for d, choices in categoricals if d.name in crossed]
    axes += [(d.name, d.levels(levels[d.name])) for d in numeric]
    rows = [{**assignment, **dict(zip((name for name, _ in axes), values))}
            for values in itertools.product(*(choices for _, choices in axes))]
    counts = {name: 1 for name in assignment}
    counts.update({d.name: len(choices) for d, choices in categoricals if d.name in crossed})
    counts.update(levels)
    branch = Branch(dict(assignment), share, counts, tuple(sorted(crossed)),
                    tuple(d.name for d, _ in spread), len(rows))
    return branch, rows, spread


def _spread_choices(space: Gridded, rows: Sequence[tuple[dict[str, Any], list]]) -> None:
    """Fill in the categoricals not crossed, over the whole grid, one categorical at a time in
    declared order: each row takes the allowed choice used least so far (ties: declared order),
    so the choices take turns and their counts differ by at most one; rows that forbidden
    combinations leave fewer choices go first, so those choices still find rows."""
    for dim in space.dimensions:
        waiting = []
        for row, spread in rows:
            choices = next((c for d, c in spread if d.name == dim.name), None)
            if choices is not None:
                allowed = [c for c in choices if not space.is_forbidden({**row, dim.name: c})]
                waiting.append((len(allowed), len(waiting), row, allowed))
        used: Counter = Counter()
        for _, _, row, allowed in sorted(waiting, key=lambda w: w[:2]):
            if allowed:
                choice = min(allowed, key=lambda c: (used[repr(c)], next(
                    i for i, x in enumerate(dim.choices) if _same(x, c))))
                row[dim.name] = choice
                used[repr(choice)] += 1


def _crossing(categoricals: Sequence[tuple[Any, list]], room: int) -> set[str]:
    """The categoricals to cross: the subset with the most combinations that fit in ``room``
    (more categoricals, then earlier names, on ties); none when nothing but one fits."""
    best: tuple = (1, 0, ())
    names = [(d.name, len(choices)) for d, choices in categoricals]
    for r in range(1, len(names) + 1):
        for subset in itertools.combinations(sorted(names), r):
            size = math.prod(n for _, n in subset)
            if size <= room and (size, r) > best[:2]:
                best = (size, r, tuple(name for name, _ in subset))
    return set(best[2])


def _grow(numeric: Sequence[Any], room: int) -> dict[str, int]:
    """Balanced level counts for the numeric dimensions of a branch within ``room`` configurations
    (see :func:`practitioners_grid`)."""
    levels = {d.name: 1 for d in numeric}

    def size(counts: Mapping[str, int]) -> int:
        return math.prod(len(d.levels(counts[d.name])) for d in numeric)

    current = size(levels)
    while True:
        open_ = [d for d in numeric if d.kind == "real" or levels[d.name] < d.cardinality]
        if not open_:
            return levels
        fewest = min(levels[d.name] for d in open_)
        options = []
        for d in open_:
            if levels[d.name] != fewest:
                continue
            trial = dict(levels, **{d.name: levels[d.name] + 1})
            grown = size(trial)
            if grown <= room:
                options.append((grown - current, not getattr(d, "log", False), d.name, trial, grown))
        if not options:
            return levels
        _, _, _, levels, current = min(options, key=lambda o: o[:3])
