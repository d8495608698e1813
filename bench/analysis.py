"""From stored trials to the trial record, best-so-far curves, normalized scores and ranks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bench.catalogue import Catalogue
from bench.runner import RunSpec
from bench.store import Store

#: The trial record of DESIGN.md, in order.
TRIAL_COLUMNS = [
    "suite", "problem", "strategy", "strategy_version", "seed", "trial", "params", "fidelity",
    "cost", "score", "score_std", "test_score", "best_score", "best_test_score", "eval_seconds",
    "suggest_seconds", "status", "error", "finished_at", "fingerprint",
]
RUN_KEYS = ["problem", "strategy", "seed"]


def trial_records(store: Store, specs: Sequence[RunSpec], suite: str,
                  complete_only: bool = True) -> pd.DataFrame:
    """The trial record of ``specs``' runs, one row per trial, with the running bests."""
    frame = store.trials_frame([s.run_id for s in specs])
    if complete_only:
        frame = frame[frame["run_status"] == "complete"]
    frame = frame.assign(suite=suite)
    frame = add_running_best(frame)
    order = {s.run_id: i for i, s in enumerate(specs)}
    frame = frame.assign(_order=frame["run_id"].map(order)).sort_values(["_order", "trial"])
    return frame[TRIAL_COLUMNS].reset_index(drop=True)


def add_running_best(frame: pd.DataFrame) -> pd.DataFrame:
    """``best_score``: best full-fidelity CV score so far in the run (failed trials never count);
    ``best_test_score``: the holdout test score of that running best."""
    counts = (frame["status"] == "ok") & np.isclose(frame["fidelity"], 1.0)
    eligible = frame["score"].where(counts)
    best = eligible.groupby(frame["run_id"]).cummax().groupby(frame["run_id"]).ffill()
    # the trial that holds the running best: the last trial so far whose score equals it
    is_new_best = counts & (frame["score"] == best)
    holder_test = frame["test_score"].where(is_new_best)
    best_test = holder_test.groupby(frame["run_id"]).ffill()
    return frame.assign(best_score=best, best_test_score=best_test)


def curves(trials: pd.DataFrame, budget: int) -> pd.DataFrame:
    """Best-so-far at every whole cost 1..budget for every run, with the wall time spent by then.

    A run that ended early (an exhausted strategy) is carried flat to the budget, as is a run whose
    last trial is fractional. ``seconds`` is the evaluation plus suggestion time spent so far.
    """
    rows = []
    grid = np.arange(1, budget + 1, dtype=float)
    for (problem, strategy, seed), run in trials.groupby(RUN_KEYS, sort=False):
        cum_cost = run["cost"].cumsum().to_numpy()
        seconds = (run["eval_seconds"] + run["suggest_seconds"]).cumsum().to_numpy()
        # the last trial finished within each cost level
        idx = np.searchsorted(cum_cost, grid + 1e-9, side="right") - 1
        best = run["best_score"].to_numpy()
        best_test = run["best_test_score"].to_numpy()
        valid = idx >= 0
        safe = np.where(valid, idx, 0)
        rows.append(pd.DataFrame({
            "problem": problem, "strategy": strategy, "seed": seed, "cost": grid,
            "best_score": np.where(valid, best[safe], np.nan),
            "best_test_score": np.where(valid, best_test[safe], np.nan),
            "seconds": np.where(valid, seconds[safe], np.nan),
        }))
    if not rows:
        return pd.DataFrame(columns=[*RUN_KEYS, "cost", "best_score", "best_test_score", "seconds"])
    return pd.concat(rows, ignore_index=True)


def final_scores(curve: pd.DataFrame) -> pd.DataFrame:
    """Each run's best score and its test score at the budget."""
    last = curve.sort_values("cost").groupby(RUN_KEYS, sort=False).tail(1)
    return last[[*RUN_KEYS, "best_score", "best_test_score", "seconds"]].reset_index(drop=True)


def normalize(frame: pd.DataFrame, catalogue: Catalogue, column: str = "best_score") -> pd.Series:
    """``(score - ref_random) / (ref_best - ref_random)`` with the frozen references; NaN for a
    problem without references or a saturated one."""
    def one(row):
        ref = catalogue.reference(row["problem"])
        if ref is None or ref.saturated or pd.isna(row[column]):
            return np.nan
        return ref.normalize(row[column])
    if frame.empty:
        return pd.Series(dtype=float)
    return frame.apply(one, axis=1).astype(float)


def problem_ranks(final: pd.DataFrame) -> pd.DataFrame:
    """Rank of each strategy on each problem (1 = best), by its mean best score over seeds."""
    means = final.groupby(["problem", "strategy"])["best_score"].mean().unstack("strategy")
    return means.rank(axis=1, ascending=False, method="average")


def leaderboard(final: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One row per strategy at the budget: mean normalized score, mean test score, mean rank."""
    final = final.assign(normalized=normalize(final, catalogue))
    ranks = problem_ranks(final).mean(axis=0)
    per_strategy = final.groupby("strategy")
    board = pd.DataFrame({
        "normalized_score": per_strategy["normalized"].mean(),
        "test_score": per_strategy["best_test_score"].mean(),
        "mean_rank": ranks,
        "problems": per_strategy["problem"].nunique(),
        "runs": per_strategy.size(),
    })
    return board.sort_values(["mean_rank", "normalized_score"], ascending=[True, False]).rename_axis(
        "strategy").reset_index()
