"""Search spaces: typed dimensions, conditions between them and forbidden combinations.

A :class:`Space` is what every strategy receives. It is deliberately small: real and integer
dimensions (on a linear or a log scale), categorical dimensions, a condition that makes a
dimension exist only for some values of an earlier one, and forbidden combinations. Each strategy
translates it into its own library's format; the harness checks every suggested configuration
against it with :meth:`Space.validate`.

Examples
--------
>>> space = Space([
...     Categorical("solver", ("sgd", "adam")),
...     Real("alpha", 1e-5, 1e-1, log=True),
...     Real("momentum", 0.5, 0.99, condition=when("solver", "sgd")),
... ])
>>> space.validate({"solver": "adam", "alpha": 1e-3})
>>> sorted(space.sample(np.random.default_rng(0)))
['alpha', 'solver']
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench import grid as grids

Config = dict[str, Any]

#: Types a categorical choice may have: they must survive a JSON round trip unchanged.
CHOICE_TYPES = (str, bool, int, float, type(None))


class OutsideSpace(ValueError):
    """A configuration breaks a rule of its space; the message names the rule."""


@dataclass(frozen=True)
class Condition:
    """The dimension exists only when ``parent`` takes one of ``values``."""

    parent: str
    values: tuple

    def holds(self, config: Mapping[str, Any]) -> bool:
        return self.parent in config and config[self.parent] in self.values

    def describe(self) -> str:
        shown = ", ".join(repr(v) for v in self.values)
        return f"only when {self.parent} in ({shown})"


def when(parent: str, *values: Any) -> Condition:
    """Condition helper: ``when("solver", "sgd")`` reads as it is meant."""
    return Condition(parent, tuple(values))


@dataclass(frozen=True)
class Forbidden:
    """A combination of values that is not allowed (all of its clauses hold at once).

    ``Forbidden({"penalty": "l1", "solver": ("lbfgs", "newton-cg")})`` forbids l1 with either
    solver.
    """

    clauses: tuple[tuple[str, tuple], ...]

    def __init__(self, clauses: Mapping[str, Any]):
        normalized = tuple(
            (name, tuple(v) if isinstance(v, (tuple, list)) else (v,))
            for name, v in clauses.items()
        )
        object.__setattr__(self, "clauses", normalized)

    def matches(self, config: Mapping[str, Any]) -> bool:
        return all(name in config and config[name] in values for name, values in self.clauses)

    def describe(self) -> str:
        return " and ".join(
            f"{name}={values[0]!r}" if len(values) == 1 else f"{name} in {values!r}"
            for name, values in self.clauses
        )


@dataclass(frozen=True)
class _Numeric:
    name: str
    low: float
    high: float
    log: bool = False
    default: Any = None
    condition: Condition | None = None

    def __post_init__(self):
        if not self.low < self.high:
            raise ValueError(f"{self.name}: low={self.low!r} must be below high={self.high!r}")
        if self.log and self.low <= 0:
            raise ValueError(f"{self.name}: a log scale needs low > 0, got {self.low!r}")
        if self.default is not None and not self.low <= self.default <= self.high:
            raise ValueError(f"{self.name}: default {self.default!r} is outside the bounds")

    # Positions in [0, 1] on the dimension's own scale, used by grids and quasi-random designs.
    def from_unit(self, u: float) -> Any:
        if self.log:
            lo, hi = math.log(self.low), math.log(self.high)
            return self._cast(math.exp(lo + u * (hi - lo)))
        return self._cast(self.low + u * (self.high - self.low))

    def to_unit(self, value: float) -> float:
        if self.log:
            lo, hi = math.log(self.low), math.log(self.high)
            return (math.log(value) - lo) / (hi - lo)
        return (value - self.low) / (self.high - self.low)

    def sample(self, rng: np.random.Generator) -> Any:
        return self.from_unit(rng.random())

    def levels(self, n: int) -> list:
        """Grid levels: the centres of ``n`` equal cells on the dimension's own scale (log for a
        log dimension), so never its bounds. One level is the default (a parameter a grid does
        not search is left where a practitioner leaves it), else the centre."""
        if n == 1 and self.default is not None:
            return [self.default]
        return list(dict.fromkeys(self.from_unit((i + 0.5) / n) for i in range(n)))

    def get_default(self) -> Any:
        return self.default if self.default is not None else self.from_unit(0.5)

    def describe(self) -> str:
        scale = "log" if self.log else "linear"
        return f"{self.kind} [{self.low:g}, {self.high:g}] {scale}"


@dataclass(frozen=True)
class Real(_Numeric):
    """A float in ``[low, high]``, searched on a linear or a log scale."""

    kind = "real"

    def _cast(self, value: float) -> float:
        return float(min(max(value, self.low), self.high))

    def check(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return f"{self.name}={value!r} is not a number"
        if not (self.low <= value <= self.high):
            return f"{self.name}={value!r} is outside [{self.low:g}, {self.high:g}]"
        return None


@dataclass(frozen=True)
class Integer(_Numeric):
    """An integer in ``[low, high]`` (both included), on a linear or a log scale."""

    kind = "integer"

    def __post_init__(self):
        super().__post_init__()
        if int(self.low) != self.low or int(self.high) != self.high:
            raise ValueError(f"{self.name}: integer bounds must be integers")

    def _cast(self, value: float) -> int:
        return int(min(max(round(value), self.low), self.high))

    def levels(self, n: int) -> list:
        """The centres of ``n`` equal cells of ``[low - 1/2, high + 1/2]`` on the dimension's
        scale, rounded: integer v stands for the cell ``[v - 1/2, v + 1/2]``, so ``n`` equal to
        the cardinality gives every value, and fewer levels stay off the bounds. Rounding can
        merge two levels on a log scale; the distinct values are returned. One level is the
        default, as for reals."""
        n = min(n, self.cardinality)
        if n == 1 and self.default is not None:
            return [self.default]
        lo, hi = self.low - 0.5, self.high + 0.5
        units = [(i + 0.5) / n for i in range(n)]
        if self.log:
            values = [math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) for u in units]
        else:
            values = [lo + u * (hi - lo) for u in units]
        return list(dict.fromkeys(self._cast(v) for v in values))

    @property
    def cardinality(self) -> int:
        return int(self.high - self.low + 1)

    def check(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            return f"{self.name}={value!r} is not an integer"
        if not (self.low <= value <= self.high):
            return f"{self.name}={value!r} is outside [{self.low:g}, {self.high:g}]"
        return None

    def describe(self) -> str:
        return f"integer [{int(self.low)}, {int(self.high)}] {'log' if self.log else 'linear'}"


@dataclass(frozen=True)
class Categorical:
    """One of a fixed tuple of choices (strings, numbers, booleans or None)."""

    name: str
    choices: tuple
    default: Any = None
    condition: Condition | None = None
    kind = "categorical"

    def __post_init__(self):
        object.__setattr__(self, "choices", tuple(self.choices))
        if len(self.choices) < 1:
            raise ValueError(f"{self.name}: a categorical needs at least one choice")
        if len(set(map(repr, self.choices))) != len(self.choices):
            raise ValueError(f"{self.name}: choices must be distinct")
        for c in self.choices:
            if not isinstance(c, CHOICE_TYPES):
                raise ValueError(f"{self.name}: choice {c!r} is not a JSON scalar")
        if self.default is not None and self.default not in self.choices:
            raise ValueError(f"{self.name}: default {self.default!r} is not a choice")

    def sample(self, rng: np.random.Generator) -> Any:
        return self.choices[int(rng.integers(len(self.choices)))]

    def levels(self, n: int | None = None) -> list:
        """Grid levels: every choice, or ``n`` of them when the grid reduces the dimension: the
        default first (the declared one, else the first choice, which the catalogue makes the
        library's default), then the others in declared order."""
        if n is None or n >= len(self.choices):
            return list(self.choices)
        first = self.get_default()
        return [first] + [c for c in self.choices if c is not first and c != first][:n - 1]

    @property
    def cardinality(self) -> int:
        return len(self.choices)

    def from_unit(self, u: float) -> Any:
        return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]

    def to_unit(self, value: Any) -> float:
        return (self.index(value) + 0.5) / len(self.choices)

    def index(self, value: Any) -> int:
        for i, c in enumerate(self.choices):
            if type(c) is type(value) and c == value:
                return i
        raise KeyError(value)

    def get_default(self) -> Any:
        return self.default if self.default is not None else self.choices[0]

    def check(self, value: Any) -> str | None:
        try:
            self.index(value)
        except KeyError:
            return f"{self.name}={value!r} is not one of {list(self.choices)!r}"
        return None

    def describe(self) -> str:
        return "categorical {" + ", ".join(repr(c) for c in self.choices) + "}"


Dimension = Real | Integer | Categorical


@dataclass(frozen=True)
class Space:
    """An ordered collection of dimensions, with conditions and forbidden combinations.

    Parameters
    ----------
    dimensions : sequence of Real, Integer or Categorical
        In order; a condition may only refer to an earlier, categorical dimension.
    forbidden : sequence of Forbidden, optional
        Combinations no configuration may contain.
    """

    dimensions: tuple[Dimension, ...]
    forbidden: tuple[Forbidden, ...] = field(default=())

    def __init__(self, dimensions: Sequence[Dimension], forbidden: Sequence[Forbidden] = ()):
        object.__setattr__(self, "dimensions", tuple(dimensions))
        object.__setattr__(self, "forbidden", tuple(forbidden))
        seen: dict[str, Dimension] = {}
        for dim in self.dimensions:
            if dim.name in seen:
                raise ValueError(f"dimension {dim.name!r} is declared twice")
            cond = dim.condition
            if cond is not None:
                parent = seen.get(cond.parent)
                if not isinstance(parent, Categorical):
                    raise ValueError(
                        f"{dim.name}: condition parent {cond.parent!r} must be an earlier "
                        "categorical dimension"
                    )
                for v in cond.values:
                    if parent.check(v):
                        raise ValueError(f"{dim.name}: {cond.parent} has no choice {v!r}")
            seen[dim.name] = dim
        for rule in self.forbidden:
            for name, _ in rule.clauses:
                if name not in seen:
                    raise ValueError(f"forbidden clause names unknown dimension {name!r}")

    # -- basic access -----------------------------------------------------------------------
    def __iter__(self) -> Iterator[Dimension]:
        return iter(self.dimensions)

    def __len__(self) -> int:
        return len(self.dimensions)

    def __getitem__(self, name: str) -> Dimension:
        for dim in self.dimensions:
            if dim.name == name:
                return dim
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    @property
    def is_conditional(self) -> bool:
        return any(d.condition is not None for d in self.dimensions)

    # -- the rules --------------------------------------------------------------------------
    def active(self, config: Mapping[str, Any]) -> list[Dimension]:
        """The dimensions that exist for ``config`` (whose conditions hold), in order."""
        return [d for d in self.dimensions if d.condition is None or d.condition.holds(config)]

    def project(self, config: Mapping[str, Any]) -> Config:
        """Keep only the active dimensions of a full (flat) assignment.

        Strategies whose libraries know no conditions search every dimension and call this to
        drop the ones that do not exist for the values chosen.
        """
        out: Config = {}
        for dim in self.dimensions:
            if dim.condition is None or dim.condition.holds(out):
                out[dim.name] = config[dim.name]
        return out

    def violation(self, config: Mapping[str, Any]) -> str | None:
        """The first rule ``config`` breaks, as a sentence, or None if it is inside the space."""
        if not isinstance(config, Mapping):
            return f"a configuration must be a dict, got {type(config).__name__}"
        active = self.active(config)
        active_names = {d.name for d in active}
        for name in config:
            if name not in active_names:
                if name not in self.names:
                    return f"unknown parameter {name!r}"
                return f"{name} is set but inactive ({self[name].condition.describe()})"
        for dim in active:
            if dim.name not in config:
                return f"{dim.name} is missing"
            problem = dim.check(config[dim.name])
            if problem:
                return problem
        for rule in self.forbidden:
            if rule.matches(config):
                return f"forbidden combination: {rule.describe()}"
        return None

    def validate(self, config: Mapping[str, Any]) -> None:
        """Raise :class:`OutsideSpace` naming the broken rule, if any."""
        problem = self.violation(config)
        if problem:
            raise OutsideSpace(problem)

    def is_forbidden(self, config: Mapping[str, Any]) -> bool:
        return any(rule.matches(config) for rule in self.forbidden)

    # -- drawing configurations -------------------------------------------------------------
    def sample(self, rng: np.random.Generator, max_tries: int = 1000) -> Config:
        """One uniformly random configuration (on each dimension's own scale)."""
        for _ in range(max_tries):
            config: Config = {}
            for dim in self.dimensions:
                if dim.condition is None or dim.condition.holds(config):
                    config[dim.name] = dim.sample(rng)
            if not self.is_forbidden(config):
                return config
        raise RuntimeError("could not draw a configuration outside the forbidden combinations")

    def from_unit(self, u: Sequence[float]) -> Config:
        """Map a point of the unit hypercube (one coordinate per dimension) to a configuration."""
        flat = {dim.name: dim.from_unit(float(x)) for dim, x in zip(self.dimensions, u)}
        return self.project(flat)

    def default(self) -> Config:
        """The default configuration: each dimension's declared default, else its centre."""
        return self.project({d.name: d.get_default() for d in self.dimensions})

    # -- grids (built by bench.grid) -----------------------------------------------------------
    def grid(self, levels: Mapping[str, int]) -> Iterator[Config]:
        """Every configuration of the grid with ``levels[name]`` values per dimension
        (:func:`bench.grid.grid`)."""
        return grids.grid(self, levels)

    def grid_size(self, levels: Mapping[str, int], stop_after: int | None = None) -> int:
        """Number of grid configurations, counted up to ``stop_after + 1`` at most."""
        return grids.grid_size(self, levels, stop_after)

    def finest_grid(self, budget: int) -> tuple[dict[str, int], list[Config]]:
        """The grid a practitioner would write for ``budget`` evaluations: its level counts per
        dimension and its configurations (:func:`bench.grid.finest_grid`, which may raise)."""
        return grids.finest_grid(self, budget)

    def practitioners_grid(self, budget: int) -> grids.PractitionersGrid:
        """The grid for ``budget``, or why none fits (:func:`bench.grid.practitioners_grid`)."""
        return grids.practitioners_grid(self, budget)

    def describe_grid(self, budget: int) -> list[str]:
        """The levels of :meth:`practitioners_grid` and its size, or why it leaves the space out."""
        return grids.describe_grid(self, budget)

    # -- description --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-ready description, used for fingerprints and the catalogue table."""
        dims = []
        for d in self.dimensions:
            entry: dict[str, Any] = {"name": d.name, "kind": d.kind}
            if isinstance(d, Categorical):
                entry["choices"] = list(d.choices)
            else:
                entry.update(low=d.low, high=d.high, log=d.log)
            if d.default is not None:
                entry["default"] = d.default
            if d.condition is not None:
                entry["condition"] = {"parent": d.condition.parent, "values": list(d.condition.values)}
            dims.append(entry)
        forbidden = [{n: list(v) for n, v in rule.clauses} for rule in self.forbidden]
        return {"dimensions": dims, "forbidden": forbidden}

    def describe(self) -> list[str]:
        """One line per dimension, as a reader would want it in a table."""
        lines = []
        for d in self.dimensions:
            line = f"{d.name}: {d.describe()}"
            if d.condition is not None:
                line += f", {d.condition.describe()}"
            lines.append(line)
        lines += [f"forbidden: {rule.describe()}" for rule in self.forbidden]
        return lines
