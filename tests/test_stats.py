"""The statistics on data built for the purpose: what is better must be found better, what is the
same must not, and every number must agree with the library that defines it."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss

from bench import power, stats
from bench.leaderboard import leaderboard

PROBLEMS = [f"p{i:02d}" for i in range(12)]
SEEDS = range(5)


def runs_table(normalized: dict, seed: int = 0, span: float = 0.3) -> pd.DataFrame:
    """A per-run table like ``analysis.run_table``'s: ``normalized[strategy]`` is a function
    ``(rng, problem index) -> normalized score`` of one run. Raw scores follow from references
    ``ref_random = 0.5 + 0.01 * i`` and ``ref_best = ref_random + span``."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, problem in enumerate(PROBLEMS):
        for strategy, draw in normalized.items():
            for s in SEEDS:
                value = draw(rng, i)
                low = 0.5 + 0.01 * i
                rows.append({"problem": problem, "strategy": strategy, "seed": s,
                             "best_score": low + value * span,
                             "best_test_score": low + (value - 0.1) * span,
                             "normalized_score": value, "normalized_test_score": value - 0.1,
                             "suggest_seconds": 0.01, "eval_seconds": 1.0})
    return pd.DataFrame(rows)


def baseline_draw(rng, i):
    return rng.normal(0.3 + 0.04 * i, 0.1)


def better_draw(rng, i):
    return rng.normal(0.45 + 0.04 * i, 0.1)


def test_a_strategy_built_to_be_better_is_found_significantly_better_than_random():
    runs = runs_table({"random": baseline_draw, "better": better_draw})
    board = leaderboard(runs).table.set_index("strategy")
    better = board.loc["better"]
    # a mean difference of 0.15 against seed noise of about 0.06 standard error: most problems
    # beyond their band of twice that, none lost
    assert better["wins"] > len(PROBLEMS) / 2 and better["losses"] == 0
    assert better["wilcoxon_p_holm"] < stats.ALPHA
    assert better["sign_p_holm"] < stats.ALPHA
    assert better["p_better"] > 0.95 and better["p_worse"] < 0.01
    assert better["normalized_score"] > board.loc["random", "normalized_score"]
    assert board.index[0] == "better"


def test_two_identical_strategies_are_not_found_different():
    runs = runs_table({"random": baseline_draw})
    twin = runs.assign(strategy="twin")
    board = leaderboard(pd.concat([runs, twin])).table.set_index("strategy")
    row = board.loc["twin"]
    assert board.loc["random", "wins"] is pd.NA  # the baseline is not compared with itself
    assert (row["wins"], row["ties"], row["losses"]) == (0, len(PROBLEMS), 0)
    assert row["wilcoxon_p"] == 1.0 and row["sign_p"] == 1.0
    # the Bayesian signed-rank test calls it equivalent, not merely "not different"
    assert row["p_equivalent"] > 0.95 and row["p_better"] < 0.05 and row["p_worse"] < 0.05
    assert board.loc["twin", "normalized_score"] == board.loc["random", "normalized_score"]
    assert board.loc["twin", "mean_rank"] == board.loc["random", "mean_rank"] == 1.5


def test_the_tests_hold_their_level_and_find_a_real_difference():
    """Over many simulated benchmarks: a strategy drawn like random search is rejected about 5%
    of the time, one that is better nearly always."""
    false_alarms = detections = 0
    trials = 200
    for k in range(trials):
        runs = runs_table({"random": baseline_draw, "same": baseline_draw, "better": better_draw},
                          seed=1000 + k)
        raw = stats.problem_means(runs)
        normalized = stats.problem_means(runs, "normalized_score")
        table = stats.baseline_tests(raw, normalized, bayes=False)
        false_alarms += table.loc["same", "wilcoxon_p"] < stats.ALPHA
        detections += table.loc["better", "wilcoxon_p"] < stats.ALPHA
    assert false_alarms / trials <= 0.09  # nominal 0.05; 0.09 is about three standard errors
    assert detections / trials >= 0.95


def test_friedman_p_value_matches_scipy_on_the_same_table():
    runs = runs_table({"a": baseline_draw, "b": better_draw, "c": baseline_draw,
                       "d": lambda rng, i: rng.normal(0.2, 0.2)}, seed=7)
    result = stats.friedman(stats.problem_means(runs))
    # the same table built by hand: mean over seeds, problems as rows, strategies as columns
    values = runs.sort_values(["problem", "strategy", "seed"])["best_score"].to_numpy()
    table = values.reshape(len(PROBLEMS), 4, len(SEEDS)).mean(axis=2)
    expected = ss.friedmanchisquare(*table.T)
    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    ranks = ss.rankdata(-table, axis=1).mean(axis=0)
    assert result.mean_ranks.to_numpy() == pytest.approx(ranks)


def test_friedman_uses_only_problems_every_strategy_has():
    runs = runs_table({"a": baseline_draw, "b": better_draw, "c": baseline_draw}, seed=3)
    partial = runs[~((runs["strategy"] == "c") & (runs["problem"] == "p00"))]
    result = stats.friedman(stats.problem_means(partial))
    assert "p00" not in result.problems and len(result.problems) == len(PROBLEMS) - 1


def test_friedman_says_why_it_cannot_run():
    runs = runs_table({"a": baseline_draw, "b": better_draw})
    assert "at least 3 strategies" in stats.friedman(stats.problem_means(runs)).reason


def test_differences_inside_the_equivalence_region_are_ties_not_wins():
    """0.005 better on every problem: below the 0.01 band, so 12 ties, and the Bayesian test
    puts its mass on equivalence; 0.05 better is a win everywhere."""
    runs = runs_table({"random": baseline_draw})
    slightly = runs.assign(strategy="slightly", normalized_score=runs["normalized_score"] + 0.005,
                           best_score=runs["best_score"] + 0.005 * 0.3)
    clearly = runs.assign(strategy="clearly", normalized_score=runs["normalized_score"] + 0.05,
                          best_score=runs["best_score"] + 0.05 * 0.3)
    board = leaderboard(pd.concat([runs, slightly, clearly])).table.set_index("strategy")
    assert (board.loc["slightly", "wins"], board.loc["slightly", "ties"]) == (0, len(PROBLEMS))
    assert board.loc["slightly", "p_equivalent"] > 0.95
    assert (board.loc["clearly", "wins"], board.loc["clearly", "losses"]) == (len(PROBLEMS), 0)
    assert board.loc["clearly", "p_better"] > 0.95


def test_critical_difference_bars_come_from_pairwise_wilcoxon_with_holm():
    runs = runs_table({"a": baseline_draw, "b": better_draw, "c": baseline_draw,
                       "d": better_draw})
    raw = stats.problem_means(runs)
    normalized = stats.problem_means(runs, "normalized_score")
    result = stats.friedman(raw, normalized=normalized)
    p = result.pairwise
    assert set(p.index) == {"a", "b", "c", "d"} and (np.diag(p) == 1).all()
    # equal to Holm over the six pairwise scipy Wilcoxon p-values
    pairs = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    expected = stats.holm(pd.Series([ss.wilcoxon(normalized[x] - normalized[y]).pvalue
                                     for x, y in pairs]))
    assert [p.loc[x, y] for x, y in pairs] == pytest.approx(expected.tolist())
    assert p.loc["a", "b"] < stats.ALPHA and p.loc["a", "c"] >= stats.ALPHA
    assert "Holm" in result.caption() and "Nemenyi's" in result.caption()


def test_a_problem_below_its_scores_resolution_is_rank_only():
    from types import SimpleNamespace

    from bench.resolution import rank_only, resolution

    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    accuracy = SimpleNamespace(metric="accuracy", splits=(None, None, y, None))
    balanced = SimpleNamespace(metric="balanced_accuracy", splits=(None, None, y, None))
    r2 = SimpleNamespace(metric="r2", splits=None)
    assert resolution(accuracy) == pytest.approx(1 / 100)  # one CV sample of 100
    assert resolution(balanced) == pytest.approx(1 / (3 * 10))  # one of the 10 of class 2
    assert rank_only(accuracy, 0.90, 0.905) and not rank_only(accuracy, 0.90, 0.92)
    assert rank_only(r2, 0.40, 0.41, ref_best_sem=0.02)  # within a standard error of the best
    assert not rank_only(r2, 0.40, 0.41)  # resolution unknown (an older reference): kept


def test_holm_correction_by_hand():
    p = pd.Series({"a": 0.01, "b": 0.04, "c": 0.03, "d": np.nan})
    corrected = stats.holm(p)
    assert corrected["a"] == pytest.approx(0.03)
    assert corrected["b"] == pytest.approx(0.06) and corrected["c"] == pytest.approx(0.06)
    assert np.isnan(corrected["d"])


def test_ties_are_equal_means_to_twelve_significant_digits():
    a = 0.1 + 0.2  # 0.30000000000000004
    assert stats.snap([a])[0] == stats.snap([0.3])[0]
    assert stats.snap([0.3 + 1e-9])[0] != stats.snap([0.3])[0]
    assert stats.snap([-1234.5678901234])[0] == stats.snap([-1234.5678901233999])[0]
    assert np.isnan(stats.snap([np.nan])[0]) and stats.snap([0.0])[0] == 0.0


def test_bootstrap_interval_is_reproducible_and_covers_the_mean_at_its_level():
    rng = np.random.default_rng(0)
    values = rng.normal(0.5, 0.2, 12)
    low, high = stats.bootstrap_ci(values)
    assert (low, high) == stats.bootstrap_ci(values)  # fixed seed: the report is reproducible
    assert low < values.mean() < high
    covered = 0
    for _ in range(300):
        sample = rng.normal(0.5, 0.2, 12)
        lo, hi = stats.bootstrap_ci(sample, n_resamples=2000)
        covered += lo <= 0.5 <= hi
    # a percentile bootstrap of 12 values under-covers slightly; it must stay near 95%
    assert 0.87 <= covered / 300 <= 0.99
    assert np.isnan(stats.bootstrap_ci([0.3])[0])


def test_bootstrap_band_leaves_columns_with_a_missing_problem_empty():
    matrix = np.array([[0.1, np.nan, 0.5], [0.3, 0.2, 0.7], [0.2, 0.4, 0.6]])
    mean, low, high = stats.bootstrap_band(matrix)
    assert np.isnan(mean[1]) and np.isnan(low[1])
    assert mean[0] == pytest.approx(0.2) and low[0] <= 0.2 <= high[0]
    again = stats.bootstrap_band(matrix)
    np.testing.assert_array_equal(low, again[1])


def test_t_band_is_the_student_interval_over_seeds():
    frame = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 3, "v": [1.0, 2.0, 4.0, 1.0, np.nan, 2.0]})
    band = stats.t_band(frame, ["g"], "v").set_index("g")
    low, high = ss.t.interval(0.95, 2, loc=np.mean([1, 2, 4]), scale=ss.sem([1, 2, 4]))
    assert band.loc["a", "low"] == pytest.approx(low) and band.loc["a", "high"] == pytest.approx(high)
    assert np.isnan(band.loc["b", "mean"])  # a seed without a value: no mean over the others


def test_a_strategy_s_numbers_do_not_depend_on_the_others():
    base = runs_table({"random": baseline_draw, "better": better_draw})
    other = runs_table({"newcomer": lambda rng, i: rng.normal(0.9, 0.05)}, seed=5)
    before = leaderboard(base).table.set_index("strategy")
    after = leaderboard(pd.concat([base, other])).table.set_index("strategy")
    for column in ("normalized_score", "normalized_score_low", "normalized_score_high",
                   "normalized_test_score", "wins", "ties", "losses", "wilcoxon_p", "sign_p"):
        pd.testing.assert_series_equal(before.loc[["random", "better"], column],
                                       after.loc[["random", "better"], column])
    assert after.index[0] == "newcomer"


def test_leaderboard_says_what_it_cannot_compute():
    runs = runs_table({"better": better_draw})
    board = leaderboard(runs)
    assert board.baseline is None
    assert any("random" in note for note in board.notes)
    assert any("at least 3 strategies" in note for note in board.notes)
    no_refs = runs_table({"random": baseline_draw, "better": better_draw}).assign(
        normalized_score=np.nan, normalized_test_score=np.nan)
    board = leaderboard(no_refs)
    row = board.table.set_index("strategy").loc["better"]
    assert pd.isna(row["normalized_score"]) and pd.isna(row["wilcoxon_p"])
    # rank only: without references no difference can be set against the equivalence band
    assert (row["wins"], row["ties"], row["losses"]) == (0, 0, 0) and pd.isna(row["sign_p"])
    assert any("rank only" in note for note in board.notes)
    assert leaderboard(runs.iloc[0:0]).table.empty


def test_rank_curve_and_target_shares():
    curve = pd.DataFrame({
        "problem": ["p"] * 4 + ["q"] * 4,
        "strategy": ["a", "a", "b", "b"] * 2,
        "seed": 0,
        "cost": [1, 2, 1, 2] * 2,
        "best_score": [0.1, 0.5, 0.2, 0.3, 0.5, 0.5, np.nan, 0.6],
    })
    ranks, problems = stats.rank_curve(curve)
    ranks = ranks.set_index(["cost", "strategy"])["mean_rank"]
    assert problems == 2
    assert ranks[(1, "a")] == 1.5  # p: b ahead; q: b has nothing yet and ranks last
    assert ranks[(2, "a")] == 1.5 and ranks[(2, "b")] == 1.5
    shares = stats.target_shares(curve.assign(normalized=curve["best_score"]),
                                 {"t": (0.5,), "pooled": (0.25, 0.5)})
    shares = shares.set_index(["target", "strategy", "cost"])["share"]
    assert shares[("t", "a", 1)] == 0.5 and shares[("t", "a", 2)] == 1.0
    assert shares[("pooled", "b", 1)] == 0.0 and shares[("pooled", "b", 2)] == 0.75


def test_too_few_problems_for_significance_is_said():
    runs = runs_table({"random": baseline_draw, "better": better_draw})
    few = runs[runs["problem"].isin(PROBLEMS[:3])]
    board = leaderboard(few)
    assert board.table.set_index("strategy").loc["better", "wilcoxon_p"] >= 0.25
    assert any("smallest two-sided p-value" in note and "0.25" in note for note in board.notes)
    assert not any("smallest two-sided" in note for note in leaderboard(runs).notes)


def test_no_problem_in_common_with_random_gives_no_test():
    runs = runs_table({"random": baseline_draw, "other": better_draw})
    apart = runs[((runs["strategy"] == "random") & runs["problem"].isin(PROBLEMS[:6]))
                 | ((runs["strategy"] == "other") & runs["problem"].isin(PROBLEMS[6:]))]
    row = leaderboard(apart).table.set_index("strategy").loc["other"]
    assert (row["wins"], row["ties"], row["losses"]) == (0, 0, 0)
    assert pd.isna(row["sign_p"]) and pd.isna(row["wilcoxon_p"])


def test_holdout_is_compared_raw_and_paired_by_direction():
    runs = runs_table({"random": baseline_draw, "better": better_draw})
    before = leaderboard(runs).table.set_index("strategy").loc["better"]
    # the better strategy's incumbents do worse on the holdout on 10 of the 12 problems
    worse = runs["strategy"].eq("better") & runs["problem"].isin(PROBLEMS[:10])
    runs.loc[worse, "best_test_score"] = 0.0
    row = leaderboard(runs).table.set_index("strategy").loc["better"]
    assert (row["test_wins"], row["test_losses"]) == (2, 10)
    assert row["test_sign_p"] == pytest.approx(ss.binomtest(2, 12).pvalue)
    assert (row["wins"], row["losses"]) == (before["wins"], before["losses"])  # CV unchanged
    assert row["wins"] > len(PROBLEMS) / 2


# -- power --------------------------------------------------------------------------------------
def test_the_exact_signed_rank_null_gives_scipy_s_exact_p_values():
    rng = np.random.default_rng(1)
    for n in (6, 11, 20):
        null = power._signed_rank_null(n)
        cdf = np.cumsum(null)
        w_max = n * (n + 1) // 2
        for _ in range(5):
            d = rng.normal(0.3, 1, n)
            ranks = ss.rankdata(np.abs(d))
            w = int(ranks[d > 0].sum())
            mine = min(1.0, 2 * cdf[min(w, w_max - w)])
            assert mine == pytest.approx(ss.wilcoxon(d, method="exact").pvalue, rel=1e-9)


def test_the_minimal_detectable_effects_have_the_stated_power_by_independent_simulation():
    """At the effects :func:`power.power` returns, scipy's own tests reject at Holm's first level
    in about 80% of simulated sets of problems; at two thirds of them, clearly less often."""
    n, m = 20, 10
    found = power.power(n, m, spread=0.1)
    assert found.level == pytest.approx(0.005)
    assert found.wilcoxon_normalized == pytest.approx(found.wilcoxon_d * 0.1)
    rng = np.random.default_rng(7)

    def sign_power(share):
        wins = rng.binomial(n, share, 4000)
        return np.mean([ss.binomtest(int(k), n).pvalue <= found.level for k in wins])

    def wilcoxon_power(d):
        return np.mean([ss.wilcoxon(rng.normal(d, 1, n), method="exact").pvalue <= found.level
                        for _ in range(1500)])

    assert sign_power(found.sign_share) == pytest.approx(0.8, abs=0.03)
    assert sign_power(0.5 + (found.sign_share - 0.5) * 2 / 3) < 0.6
    assert wilcoxon_power(found.wilcoxon_d) == pytest.approx(0.8, abs=0.04)
    assert wilcoxon_power(found.wilcoxon_d * 2 / 3) < 0.6


def test_more_problems_detect_smaller_effects_and_the_leaderboard_states_it():
    small, large = power.power(14, 14), power.power(36, 14)
    assert large.sign_share < small.sign_share and large.wilcoxon_d < small.wilcoxon_d
    assert np.isnan(power.power(5, 20).sign_share)  # no outcome of 5 problems reaches 0.0025
    assert "36 problems and 14 strategies" in large.describe()


def test_the_leaderboard_gives_each_effect_with_its_interval_and_the_power_of_its_size():
    runs = runs_table({"random": baseline_draw, "better": better_draw, "same": baseline_draw})
    result = leaderboard(runs)
    board = result.table.set_index("strategy")
    means = stats.problem_means(runs, "normalized_score")
    expected = (means["better"] - means["random"]).mean()
    assert board.loc["better", "effect"] == pytest.approx(expected)  # built: 0.15
    assert board.loc["better", "effect_low"] < expected < board.loc["better", "effect_high"]
    assert board.loc["same", "effect_low"] < 0 < board.loc["same", "effect_high"]
    assert pd.isna(board.loc["random", "effect"])
    assert result.power.problems == len(PROBLEMS) and result.power.comparisons == 2
    assert result.power.spread == pytest.approx(np.median(
        [(means[s] - means["random"]).std() for s in ("better", "same")]))


@pytest.mark.parametrize("case", range(12))
def test_the_bayesian_signed_rank_test_gives_baycomp_s_probabilities(case):
    """bench.stats computes baycomp's SignedRankTest posterior as one matrix product: the same
    draws, the same probabilities, on random differences, ties, equal scores and the rope's
    edge."""
    from baycomp import SignedRankTest

    rng = np.random.default_rng(case)
    n = int(rng.integers(2, 30))
    x = rng.normal(0, 0.05, n)
    y = x + rng.normal(rng.normal(0, 0.02), 0.03, n)
    if case == 0:
        y = x.copy()
    elif case == 1:
        y = x + 2 * stats.ROPE / 2  # every difference on the rope's edge
    elif case == 2:
        y[: n // 2] = x[: n // 2]
    for rope in (stats.ROPE, 0.0):
        ours = stats.bayes_signed_rank(x, y, rope=rope, nsamples=2000, seed=case)
        theirs = SignedRankTest.probs(x, y, rope=rope, nsamples=2000, random_state=case)
        if rope == 0:
            theirs = (theirs[0], 0.0, theirs[1])
        assert ours == tuple(float(t) for t in theirs)
