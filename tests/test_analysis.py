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


def naive_curve(run: pd.DataFrame, budget: int) -> list:
    """The definition, one run and one cost level at a time."""
    out = []
    for level in range(1, budget + 1):
        done = run[run["cost"].cumsum() <= level + 1e-9]
        out.append(done["best_score"].iloc[-1] if len(done) else np.nan)
    return out


def test_vectorized_curves_equal_the_definition_on_random_runs():
    rng = np.random.default_rng(0)
    rows = []
    for r in range(30):
        n = int(rng.integers(1, 12))  # some runs end early (exhausted)
        costs = rng.choice([0.25, 0.5, 1.0], size=n) if r % 3 == 0 else np.ones(n)
        for t in range(n):
            rows.append((f"r{r}", f"p{r % 4}", f"s{r % 5}", r, t, costs[t], costs[t],
                         rng.random() if rng.random() > 0.1 else None, rng.random(),
                         "ok", rng.random(), 0.01))
    frame = analysis.add_running_best(trials(rows))
    frame = frame.sample(frac=1.0, random_state=1)  # any row order
    curve = analysis.curves(frame, budget=10)
    for (problem, strategy, seed), run in frame.groupby(analysis.RUN_KEYS):
        got = curve[(curve["problem"] == problem) & (curve["strategy"] == strategy)
                    & (curve["seed"] == seed)]["best_score"].to_numpy()
        expected = naive_curve(run.sort_values("trial"), 10)
        np.testing.assert_array_equal(got, expected)


def test_time_curves_step_at_each_trial_and_carry_flat():
    frame = analysis.add_running_best(trials([
        ("r", "p", "s", 0, 0, 1.0, 1.0, 0.5, 0.5, "ok", 1.0, 0.0),
        ("r", "p", "s", 0, 1, 1.0, 1.0, 0.8, 0.7, "ok", 1.0, 0.0),
        ("q", "p", "t", 0, 0, 1.0, 1.0, 0.6, 0.6, "ok", 3.0, 1.0),
    ]))
    curve = analysis.time_curves(frame, points=5)
    first = curve[curve["strategy"] == "s"]
    assert first["seconds"].iloc[0] == pytest.approx(1.0)  # the fastest first trial
    assert first["seconds"].iloc[-1] == pytest.approx(4.0)  # the slowest run's end
    assert list(first["best_score"]) == [0.5, 0.5, 0.8, 0.8, 0.8]
    slow = curve[curve["strategy"] == "t"]["best_score"]
    assert slow.isna().sum() == 4 and slow.iloc[-1] == 0.6  # nothing until its trial ended


def test_run_table_counts_failures_and_flags_exhausted_runs():
    catalogue = Catalogue("v", {}, references={"p": Reference(0.5, 0.9)})
    frame = analysis.add_running_best(trials([
        ("r", "p", "grid", 0, 0, 1.0, 1.0, 0.7, 0.6, "ok", 1, 0.5),
        ("r", "p", "grid", 0, 1, 1.0, 1.0, None, None, "failed", 1, 0.5),
        ("q", "p", "rand", 0, 0, 1.0, 1.0, 0.6, 0.6, "ok", 1, 0.0),
        ("q", "p", "rand", 0, 1, 1.0, 1.0, 0.9, 0.8, "timeout", 1, 0.0),
        ("q", "p", "rand", 0, 2, 1.0, 1.0, 0.8, 0.8, "ok", 1, 0.0),
    ])).assign(strategy_version="v1")
    curve = analysis.curves(frame, budget=3)
    table = analysis.run_table(frame, curve, catalogue, budget=3).set_index("strategy")
    assert table.loc["grid", "failed_trials"] == 1 and table.loc["grid", "exhausted"]
    assert table.loc["rand", "timeouts"] == 1 and not table.loc["rand", "exhausted"]
    assert table.loc["grid", "normalized_score"] == pytest.approx(0.5)
    assert table.loc["grid", "normalized_test_score"] == pytest.approx(0.25)
    assert table.loc["rand", "best_score"] == 0.8  # the timed-out trial never counts
    assert table.loc["grid", "suggest_seconds"] == 1.0


def test_normalize_gives_known_values_and_agrees_with_the_reference_bit_for_bit():
    # values exact in binary, worked out by hand: (score - 0.5) / (0.75 - 0.5)
    catalogue = Catalogue("v", {}, references={"p": Reference(0.5, 0.75)})
    known = {0.5: 0.0, 0.75: 1.0, 0.625: 0.5, 1.0: 2.0, 0.25: -1.0}
    normalized = analysis.normalize(pd.DataFrame({"problem": "p", "best_score": list(known)}),
                                    catalogue)
    assert list(normalized) == list(known.values())
    # the table-wide version and the per-value one (used by the references) never disagree
    ref = Reference(0.61, 0.93)
    catalogue = Catalogue("v", {}, references={"p": ref})
    scores = np.random.default_rng(3).random(50)
    normalized = analysis.normalize(pd.DataFrame({"problem": "p", "best_score": scores}), catalogue)
    assert list(normalized) == [ref.normalize(s) for s in scores]
