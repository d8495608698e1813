import numpy as np
import pandas as pd
import pytest

from bench import analysis
from bench.catalogue import Catalogue, Reference


def trials(rows):
    cols = ["run_id", "problem", "strategy", "seed", "trial", "fidelity", "cost", "score",
            "test_score", "status", "eval_seconds", "suggest_seconds"]
    return pd.DataFrame(rows, columns=cols)


def test_running_best_ignores_failures_and_low_fidelity():
    frame = trials([
        ("r", "p", "s", 0, 0, 1.0, 1.0, 0.5, 0.4, "ok", 1, 0),
        ("r", "p", "s", 0, 1, 0.5, 0.5, 0.9, 0.9, "ok", 1, 0),      # low fidelity: not counted
        ("r", "p", "s", 0, 2, 1.0, 1.0, None, None, "failed", 1, 0),
        ("r", "p", "s", 0, 3, 1.0, 1.0, 0.7, 0.6, "ok", 1, 0),
        ("r", "p", "s", 0, 4, 1.0, 1.0, 0.6, 0.9, "ok", 1, 0),
    ])
    out = analysis.add_running_best(frame)
    assert list(out["best_score"]) == [0.5, 0.5, 0.5, 0.7, 0.7]
    assert list(out["best_test_score"]) == [0.4, 0.4, 0.4, 0.6, 0.6]


def test_curves_carry_an_exhausted_run_flat_to_the_budget():
    frame = analysis.add_running_best(trials([
        ("r", "p", "grid", 0, 0, 1.0, 1.0, 0.5, 0.5, "ok", 1, 0),
        ("r", "p", "grid", 0, 1, 1.0, 1.0, 0.8, 0.7, "ok", 1, 0),
    ]))
    curve = analysis.curves(frame, budget=4)
    assert list(curve["cost"]) == [1, 2, 3, 4]
    assert list(curve["best_score"]) == [0.5, 0.8, 0.8, 0.8]
    assert list(curve["seconds"]) == [1, 2, 2, 2]


def test_curves_place_fractional_costs_by_cumulative_cost():
    frame = analysis.add_running_best(trials([
        ("r", "p", "hb", 0, 0, 0.5, 0.5, 0.9, 0.9, "ok", 1, 0),
        ("r", "p", "hb", 0, 1, 0.5, 0.5, 0.9, 0.9, "ok", 1, 0),
        ("r", "p", "hb", 0, 2, 1.0, 1.0, 0.6, 0.5, "ok", 1, 0),
    ]))
    curve = analysis.curves(frame, budget=2)
    assert np.isnan(curve["best_score"].iloc[0])  # nothing at full fidelity yet
    assert curve["best_score"].iloc[1] == 0.6


def test_normalized_score_uses_the_frozen_references():
    catalogue = Catalogue("v", {}, references={"p": Reference(0.5, 0.9), "q": Reference(0.8, 0.8)})
    final = pd.DataFrame({"problem": ["p", "q", "z"], "best_score": [0.7, 0.8, 0.3]})
    normalized = analysis.normalize(final, catalogue)
    assert normalized.iloc[0] == pytest.approx(0.5)
    assert np.isnan(normalized.iloc[1])  # saturated
    assert np.isnan(normalized.iloc[2])  # no references


def test_ranks_are_per_problem_on_the_mean_over_seeds():
    final = pd.DataFrame({
        "problem": ["p"] * 4 + ["q"] * 4,
        "strategy": ["a", "a", "b", "b"] * 2,
        "seed": [0, 1] * 4,
        "best_score": [0.9, 0.8, 0.7, 0.7, 0.1, 0.2, 0.3, 0.3],
    })
    ranks = analysis.problem_ranks(final)
    assert ranks.loc["p", "a"] == 1 and ranks.loc["q", "a"] == 2
