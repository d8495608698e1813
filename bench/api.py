"""The public Python API: benchmark the search strategies on a problem of your own.

Define a problem from a scikit-learn estimator (:func:`estimator_problem`) or from a plain
function ``(config, fidelity, seed) -> score`` (:func:`function_problem`), with a search space
declared as the catalogue declares its own (:class:`Space` of :class:`Real`, :class:`Integer`
and :class:`Categorical` dimensions, with conditions made by :func:`when`), then run chosen
strategies on it with :func:`compare`, which returns the leaderboard as a DataFrame and the
folder of the full report::

    from sklearn.datasets import make_classification
    from sklearn.ensemble import GradientBoostingClassifier
    from searchbench import Integer, Real, Space, compare, estimator_problem

    X, y = make_classification(n_samples=300, random_state=0)
    problem = estimator_problem(
        "gbc-mine", GradientBoostingClassifier(n_estimators=30, random_state=0),
        Space([Real("learning_rate", 0.01, 1.0, log=True), Integer("max_depth", 1, 5)]),
        X, y, metric="roc_auc")
    result = compare([problem], strategies=["random", "optuna_tpe"], seeds=2, budget=10)
    print(result.leaderboard)

Problems of your own stay beside the built-in catalogue: they never change its fingerprint, so
the default store holds both. Until ``searchbench references`` freezes their references, they are
normalized within the report (0 at the median random configuration evaluated in it, 1 at the best
score any run in it reached), and random search is added to every comparison as that baseline.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bench.errors import BadInput
from bench.problem import Fidelity
from bench.space import Categorical, Forbidden, Integer, Real, Space, when
from bench.userproblem import (
    DEFAULT_TIME_LIMIT,
    EstimatorProblem,
    FunctionProblem,
    estimator_problem,
    function_problem,
    is_user_problem,
)

__all__ = [
    "Categorical", "Comparison", "DEFAULT_TIME_LIMIT", "EstimatorProblem", "Fidelity",
    "Forbidden", "FunctionProblem", "Integer", "Real", "Space", "compare", "estimator_problem",
    "function_problem", "when",
]

#: The baseline every comparison includes (it normalizes problems without frozen references).
BASELINE = "random"


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` gives back.

    Attributes
    ----------
    leaderboard : DataFrame
        One row per strategy, best first: ``normalized_score`` (mean over problems of the mean
        over seeds), its 95% bootstrap interval, ``mean_rank`` and the tests against random
        search, as in ``leaderboard.csv`` of a report.
    folder : Path
        The report: README.md, index.html, the trial record and the figures.
    store : Path
        The store the runs are kept in (run again: only what is missing is computed).
    failed : tuple of str
        One line per run that failed, with its reason (a trial that fails does not fail its run).
    """

    leaderboard: pd.DataFrame
    folder: Path
    store: Path
    failed: tuple[str, ...] = ()


def compare(problems: Sequence[Any], strategies: Sequence[str] = ("random", "optuna_tpe"),
            seeds: int = 3, budget: int = 30, *, store: Path | str | None = None,
            out: Path | str | None = None, name: str = "my-problems", jobs: int | None = None,
            progress: bool = True, figures: bool = True) -> Comparison:
    """Run ``strategies`` on ``problems`` for ``seeds`` seeds and ``budget`` full evaluations
    each, into ``store``, and write the report.

    Parameters
    ----------
    problems : sequence
        Problems made with :func:`estimator_problem` or :func:`function_problem`, and ids of
        built-in problems (``"svc-digits"``).
    strategies : sequence of str
        Strategy names, glob patterns or variants (``searchbench list strategies``); random
        search is added when it is left out: it is the baseline.
    store : path, optional
        Default: the project's store, ``.searchbench/store.sqlite``.
    out : path, optional
        The report's folder; default: beside the store, named after the store and ``name``.
    name : str
        The comparison's name, as a suite's (the report's title and default folder).
    jobs : int, optional
        Parallel workers (default: all cores).
    figures : bool
        Draw the report's figures (the slowest part of a small report).

    Bad input (an invalid space, an unknown strategy, an id used twice) raises
    :class:`bench.errors.BadInput` before anything runs; a trial whose evaluation raises,
    returns something else than a finite number or exceeds its time limit is recorded as failed
    and the run goes on.
    """
    from bench.backends import make_backend
    from bench.catalogue import load_catalogue
    from bench.owner import execute
    from bench.paths import default_store
    from bench.plan import build_plan, select_strategies
    from bench.plugins import with_problems
    from bench.registry import discover
    from bench.report import check_output, write_report
    from bench.report_target import own_folder
    from bench.store import check_store_path, open_store
    from bench.suite import MAX_BUDGET, MAX_SEEDS, Suite, check_count, resolve

    if isinstance(problems, (str, EstimatorProblem, FunctionProblem)) or not problems:
        raise BadInput("problems must be a non-empty list of problems or problem ids")
    if isinstance(strategies, str) or not strategies:
        raise BadInput("strategies must be a non-empty list of strategy names")
    catalogue = load_catalogue()
    own = [p for p in problems if is_user_problem(p)]
    others = [p for p in problems if not is_user_problem(p)]
    if any(not isinstance(p, str) for p in others):
        bad = next(p for p in others if not isinstance(p, str))
        raise BadInput(f"{bad!r:.60} is not a problem: make one with estimator_problem or "
                       "function_problem")
    catalogue = with_problems(catalogue, own)
    ids = [p.id for p in own] + resolve(others, catalogue.problems, "problem")
    names = list(dict.fromkeys([*strategies, BASELINE]))
    suite = Suite(name=name, problems=tuple(dict.fromkeys(ids)), strategies=tuple(names),
                  seeds=check_count("seeds", seeds, MAX_SEEDS),
                  budget=check_count("budget", budget, MAX_BUDGET),
                  description="a comparison made with bench.compare")
    chosen = select_strategies(suite.strategies, discover())
    store_path = Path(store) if store is not None else default_store()
    folder = Path(out) if out is not None else own_folder(store_path, suite)
    check_output(folder)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    check_store_path(store_path, catalogue.fingerprint, create=True)

    opened = open_store(store_path, catalogue.fingerprint)
    failed: list[str] = []
    try:
        plan = build_plan(suite, catalogue, chosen, opened)
        if plan.todo:
            with _main_not_rerun():
                backend = make_backend(jobs, runs=len(plan.todo))
                try:
                    summary = execute(plan.todo, opened, backend, progress=progress, label=name,
                                      costs=plan.costs)
                finally:
                    backend.close()
            failed += [f"{spec.problem} / {spec.strategy} / seed {spec.seed}: {_first(error)}"
                       for spec, error in summary.failed]
        errors = opened.run_errors(s.run_id for s in plan.failed)
        failed += [f"{s.problem} / {s.strategy} / seed {s.seed}: {_first(errors.get(s.run_id))}"
                   for s in plan.failed]
        write_report(suite, catalogue, chosen, opened, folder, force=False, figures=figures)
    finally:
        opened.close()
    for line in failed:
        print(f"searchbench: run failed: {line}", file=sys.stderr)
    board = pd.read_csv(folder / "leaderboard.csv")
    return Comparison(board, folder, store_path, tuple(failed))


@contextlib.contextmanager
def _main_not_rerun():
    """Keep worker processes from running the caller's script again. A started process
    (forkserver, spawn) imports ``__main__`` from its file, so a script that calls
    :func:`compare` at top level, without ``if __name__ == "__main__":``, would call it again
    in every worker. Workers need nothing from it: the problems travel by value (cloudpickle)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _first(error: str | None) -> str:
    lines = (error or "").strip().splitlines()
    return lines[0] if lines else "no message"
