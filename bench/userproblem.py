"""Problems of the user's own: a scikit-learn estimator on the user's data, or a plain function.

Both kinds run exactly as the catalogue's problems do (same runner, same store, same report),
with two differences that keep them apart from the catalogue: their id is the name the user gives,
and their digest is made of their space, their parsed source (without docstrings or comments)
and a ``data_version`` the user declares, rather than of the data itself, which may be large or
live elsewhere (change ``data_version`` when the data changes: runs of the old version are then
kept apart). They never enter the catalogue's fingerprint (:mod:`bench.plugins`).
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import math
import numbers
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor

from bench.errors import BadInput
from bench.problem import Dataset, Evaluation, Fidelity, Problem, TrialFailed
from bench.space import Config, Space

#: Seconds one evaluation of a user's problem may take before it is stopped (a timed-out trial);
#: ``time_limit=`` sets another per problem.
DEFAULT_TIME_LIMIT = 300.0

#: A problem id: what a suite, a glob pattern and a file name can all carry.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_id(name: Any) -> str:
    if not isinstance(name, str) or not ID_PATTERN.match(name):
        raise BadInput(f"problem name {name!r}: use letters, digits, '_', '.' and '-' "
                       "(starting with a letter or digit)")
    return name


def source_digest(*objects: Any) -> str:
    """A hash of the parsed source of ``objects`` (functions, classes), docstrings and comments
    left out, so that editing prose keeps a problem's runs and editing code does not. An object
    without source (a built-in, a C extension) is hashed by its qualified name."""
    h = hashlib.sha256()
    for obj in objects:
        target = obj if inspect.isfunction(obj) or inspect.isclass(obj) else type(obj)
        try:
            h.update(code_digest(textwrap.dedent(inspect.getsource(target))).encode())
        except (OSError, TypeError, SyntaxError):
            h.update(f"{getattr(target, '__module__', '')}.{target.__qualname__}".encode())
    return h.hexdigest()


def code_digest(source: str) -> str:
    """A hash of Python ``source`` as parsed, without its docstrings (comments never reach the
    tree); SyntaxError if it does not parse."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(getattr(body[0], "value", None), ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()


def check_space(name: str, space: Any) -> Space:
    """``space`` as a :class:`Space`, or bad input naming the problem and what is wrong."""
    if not isinstance(space, Space):
        raise BadInput(f"problem {name!r}: space must be a bench.space.Space (Real, Integer, "
                       f"Categorical dimensions), got {type(space).__name__}")
    if len(space) == 0:
        raise BadInput(f"problem {name!r}: space has no dimension")
    return space


def _check_number(name: str, what: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not low < float(value) <= high:
        raise BadInput(f"problem {name!r}: {what} must be a number in ({low:g}, {high:g}], "
                       f"got {value!r}")
    return float(value)


# -- a scikit-learn estimator on the user's data ----------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Arrays:
    """A dataset's loader that returns arrays the user gave (picklable, unlike a lambda; hashed
    by identity, as the data cache keys loaders)."""

    X: Any
    y: Any

    def __call__(self):
        return self.X, self.y


@dataclass(frozen=True)
class _Builder:
    """``builder(**params)``: a clone of the user's estimator with ``params`` set."""

    estimator: Any

    def __call__(self, **params):
        return clone(self.estimator).set_params(**params)


@dataclass(frozen=True)
class EstimatorProblem(Problem):
    """A :class:`bench.problem.Problem` named by the user, with a declared data version."""

    name: str = ""
    data_version: str = "1"
    source: str = ""  # digest of the source that defines it (its estimator, its plug-in file)

    @property
    def id(self) -> str:
        return self.name

    def user_digest(self) -> str:
        return _digest(self.name, self.space, self.source, self.data_version,
                       {k: v for k, v in self.to_dict().items() if k != "space"})

    def data_digest(self) -> str:
        return f"declared:{self.data_version}"

    def evaluate(self, config: Config, fidelity: float = 1.0) -> Evaluation:
        try:
            return super().evaluate(config, fidelity)
        except TrialFailed as exc:
            raise TrialFailed(f"problem {self.name}: {exc}") from None


def estimator_problem(name: str, estimator: Any, space: Space, X: Any, y: Any = None, *,
                      metric: str | None = None, cv: int = 5, test_size: float = 0.2,
                      seed: int = 0, fidelity: Fidelity | None = None, data_version: str = "1",
                      time_limit: float = DEFAULT_TIME_LIMIT,
                      description: str = "") -> EstimatorProblem:
    """A problem from a scikit-learn estimator, its search space, the user's data and a metric.

    Evaluated as the catalogue evaluates its problems: a holdout test split of ``test_size``,
    then ``cv``-fold cross-validation on the rest (stratified for a classifier), the split and
    the folds fixed by ``seed``, so that the seed of a run varies the strategy, never the problem.

    Parameters
    ----------
    name : str
        The problem's id (letters, digits, ``_ . -``).
    estimator : estimator
        An unfitted scikit-learn estimator or pipeline; each configuration is set on a clone of
        it with ``set_params`` (so a pipeline's parameters are named ``step__param``).
    space : Space
    X, y : array-like
        The data; ``y`` None for a density model (scored by its mean log-likelihood).
    metric : str, optional
        A scikit-learn scorer name (greater is better); default: the estimator's ``score``.
    fidelity : Fidelity, optional
        For multi-fidelity strategies: a training fraction (default) or an integer parameter.
    data_version : str
        Change it when the data changes, so that runs of the old data are kept apart.
    time_limit : float
        Seconds an evaluation may take before it is stopped and recorded as a timeout.
    """
    check_id(name)
    check_space(name, space)
    if not hasattr(estimator, "get_params") or not hasattr(estimator, "fit"):
        raise BadInput(f"problem {name!r}: estimator must be a scikit-learn estimator, got "
                       f"{type(estimator).__name__}")
    task = ("classification" if is_classifier(estimator) else
            "regression" if is_regressor(estimator) or y is not None else "density")
    X = np.asarray(X)
    y = None if y is None else np.asarray(y)
    if y is not None and len(X) != len(y):
        raise BadInput(f"problem {name!r}: X has {len(X)} rows but y has {len(y)}")
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise BadInput(f"problem {name!r}: cv must be an integer of at least 2, got {cv!r}")
    _check_number(name, "test_size", test_size, 0.0, 0.9)
    _check_number(name, "time_limit", time_limit, 0.0, math.inf)
    unknown = set(space.names) - set(estimator.get_params(deep=True))
    if unknown:
        raise BadInput(f"problem {name!r}: space dimension(s) {', '.join(sorted(unknown))} are "
                       f"not parameters of {type(estimator).__name__}")
    dataset = Dataset(name=name, task=task, load=_Arrays(X, y), description=description)
    return EstimatorProblem(
        model=name, dataset=dataset, estimator=_Builder(clone(estimator)), space=space,
        metric=metric, fidelity=fidelity or Fidelity(), cv=cv, test_size=float(test_size),
        split_seed=seed, time_limit=float(time_limit), description=description, name=name,
        data_version=str(data_version), source=source_digest(type(estimator)),
    )


# -- a plain function -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _NoData:
    """What a function problem shows where a catalogue problem shows its dataset."""

    name: str = "-"
    task: str = "function"
    description: str = ""


@dataclass(frozen=True)
class FunctionProblem:
    """A problem given as ``function(config, fidelity, seed)``, greater is better.

    The function returns the score as a number, or a mapping with ``score`` and optionally
    ``test_score`` (a held-out score, shown beside the validation score) and other named numbers,
    kept as the trial's extras. ``seed`` is the problem's own fixed seed (``seed=`` here), the
    same for every strategy and every run: the run's seed varies the strategy, never the problem.
    ``fidelity`` is the fraction of a full evaluation a multi-fidelity strategy asks for
    (1.0 otherwise); give ``fidelity=Fidelity(min_fraction=...)`` to allow it.
    """

    name: str
    function: Callable[[Config, float, int], Any]
    space: Space
    fidelity: Fidelity = Fidelity()
    seed: int = 0
    metric: str = "score"
    data_version: str = "1"
    time_limit: float = DEFAULT_TIME_LIMIT
    description: str = ""
    source: str = ""
    fixed: Mapping[str, Any] = field(default_factory=dict)

    requires: ClassVar[tuple[str, ...]] = ()
    task: ClassVar[str] = "function"
    dataset: ClassVar[_NoData] = _NoData()
    unavailable: ClassVar[None] = None
    extra: ClassVar[str] = ""

    @property
    def id(self) -> str:
        return self.name

    @property
    def model(self) -> str:
        return self.name

    def prepare(self) -> None:
        """Nothing to load: the function loads what it needs."""

    def data_digest(self) -> str:
        return f"declared:{self.data_version}"

    def user_digest(self) -> str:
        return _digest(self.name, self.space, self.source, self.data_version,
                       {"fidelity": self.fidelity.describe(), "seed": self.seed,
                        "metric": self.metric})

    def to_dict(self) -> dict:
        return {"id": self.name, "model": self.name, "dataset": "-", "task": self.task,
                "metric": self.metric, "estimator": getattr(self.function, "__qualname__",
                                                            repr(self.function)),
                "fixed": {}, "space": self.space.to_dict(), "fidelity": self.fidelity.describe(),
                "protocol": {"seed": self.seed, "data_version": self.data_version}}

    def evaluate(self, config: Config, fidelity: float = 1.0) -> Evaluation:
        """Call the function; a failed trial, naming the problem and the value, when it raises
        or gives anything but a finite number (or a mapping with one as ``score``)."""
        try:
            value = self.function(dict(config), float(fidelity), self.seed)
        except Exception as exc:  # the user's code may raise anything: that trial fails
            raise TrialFailed(f"problem {self.name} raised {type(exc).__name__}: {exc}") from exc
        if isinstance(value, Mapping):
            if "score" not in value:
                raise TrialFailed(f"problem {self.name} returned a mapping without 'score' "
                                  f"(keys: {', '.join(map(str, value)) or 'none'})")
            score = self._number("score", value["score"])
            test = value.get("test_score")
            test = score if test is None else self._number("test_score", test)
            extras = {str(k): self._number(str(k), v) for k, v in value.items()
                      if k not in ("score", "test_score")}
            return Evaluation(score, 0.0, test, extras or None)
        score = self._number("score", value)
        return Evaluation(score, 0.0, score)

    def _number(self, key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating,
                                                             np.integer)):
            raise TrialFailed(f"problem {self.name} returned {key}={value!r} "
                              f"({type(value).__name__}), not a number")
        if not math.isfinite(float(value)):
            raise TrialFailed(f"problem {self.name} returned {key}={float(value)!r}, not a "
                              "finite number")
        return float(value)


def function_problem(name: str, function: Callable[[Config, float, int], Any], space: Space, *,
                     fidelity: Fidelity | None = None, seed: int = 0, metric: str = "score",
                     data_version: str = "1", time_limit: float = DEFAULT_TIME_LIMIT,
                     description: str = "") -> FunctionProblem:
    """A problem from a plain function ``function(config, fidelity, seed) -> score`` (greater is
    better), or returning a mapping with ``score``, optionally ``test_score`` and other named
    numbers. Import heavy libraries (torch) inside the function: it runs in worker processes.
    See :class:`FunctionProblem`."""
    check_id(name)
    check_space(name, space)
    if not callable(function):
        raise BadInput(f"problem {name!r}: function must be callable, got "
                       f"{type(function).__name__}")
    try:
        inspect.signature(function).bind({}, 1.0, 0)
    except TypeError:
        raise BadInput(f"problem {name!r}: function must accept (config, fidelity, seed)") \
            from None
    except ValueError:  # no signature to inspect (a built-in): it is called and judged then
        pass
    _check_number(name, "time_limit", time_limit, 0.0, math.inf)
    return FunctionProblem(name, function, space, fidelity=fidelity or Fidelity(min_fraction=1.0),
                           seed=seed, metric=metric, data_version=str(data_version),
                           time_limit=float(time_limit), description=description,
                           source=source_digest(function))


def _digest(name: str, space: Space, source: str, data_version: str, rest: Mapping) -> str:
    payload = json.dumps({"id": name, "space": space.to_dict(), "source": source,
                          "data_version": data_version, "definition": rest},
                         sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode()).hexdigest()


def is_user_problem(problem: Any) -> bool:
    return isinstance(problem, (EstimatorProblem, FunctionProblem))
