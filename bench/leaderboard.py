"""The leaderboard: one row per strategy assembled from the statistical tests
(:mod:`bench.stats`) and their power (:mod:`bench.power`), with the words that say how to read
it.

The same function makes both of a report's leaderboards: at equal evaluations (the runs at the
budget, full-evaluation equivalents) and at equal time (the runs cut at random search's seconds,
:func:`bench.analysis.equal_time_runs`); only the per-run table differs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.power import Power, power, smallest_testable
from bench.stats import (ALPHA, BAND_SE, BASELINE, BAYES_SAMPLES, BAYES_SEED, PRIMARY_TEST, ROPE,
                         Friedman, bootstrap_ci, compare_with_baseline, difference_bands, effects,
                         friedman, holdout_tests, problem_means)

LEADERBOARD_COLUMNS = [
    "strategy", "normalized_score", "normalized_score_low", "normalized_score_high",
    "effect", "effect_low", "effect_high",
    "normalized_test_score", "mean_rank", "wins", "ties", "losses", "wilcoxon_p",
    "wilcoxon_p_holm", "sign_p", "sign_p_holm", "p_better", "p_equivalent", "p_worse",
    "test_wins", "test_losses", "test_sign_p", "test_sign_p_holm", "problems", "normalized_problems", "runs",
    "suggest_seconds", "eval_seconds",
]


def baseline_legend(baseline: str) -> str:
    """How to read the leaderboard's columns against ``baseline``, the primary test first."""
    return (
        f"Primary test (declared before the results): {PRIMARY_TEST}, two-sided, on the "
        f"per-problem differences in mean normalized score (zero differences dropped); a claim "
        f"that a strategy differs from {baseline} rests on it alone, **bold** when its "
        f"Holm-corrected p (in parentheses, over the strategies) < {ALPHA}. Secondary tests, "
        "reported and never the basis of a claim: the sign test of wins against losses "
        "(two-sided, ties dropped, Holm-corrected in parentheses), the Bayesian signed-rank test "
        f"and the Friedman test. Effect: the mean over problems of the difference in mean "
        f"normalized score from {baseline}'s, with a 95% percentile bootstrap interval over "
        f"problems. W/T/L: problems where the strategy's mean normalized score is above / within "
        f"/ below {baseline}'s by more than the problem's band, max({ROPE}, {BAND_SE:g} x the "
        "seeds' standard error of that problem's difference, paired by seed), so a difference "
        "within the seeds' noise is a tie (problems with usable references only). P better / "
        f"equivalent / worse (secondary): Bayesian signed-rank test with the region of practical "
        f"equivalence [-{ROPE}, {ROPE}] (Benavoli et al., 2017; baycomp, {BAYES_SAMPLES:,} "
        f"posterior samples, seed {BAYES_SEED}). Significance is across problems, never claimed "
        "per problem.")


def holdout_legend(baseline: str) -> str:
    return (f"Test W/L vs {baseline}: problems where the mean raw holdout test score of the runs' "
            "incumbents (the first configuration to reach each run's best CV score) is above / "
            f"below {baseline}'s; p: two-sided sign test, Holm-corrected in parentheses. The "
            "normalized test score is shown for orientation only and carries no test.")


def probabilities(row) -> str:
    """P(better) / P(equivalent) / P(worse) of a leaderboard row, for the Markdown table."""
    values = [row.get(k) for k in ("p_better", "p_equivalent", "p_worse")]
    if any(v is None or pd.isna(v) for v in values):
        return "-"
    return " / ".join(f"{v:.2f}" for v in values)



@dataclass(frozen=True)
class Leaderboard:
    """The leaderboard table with the statistics behind it and what could not be computed."""

    table: pd.DataFrame
    friedman: Friedman
    baseline: str | None
    notes: tuple[str, ...] = ()
    power: Power | None = None  # the tests' minimal detectable effects against the baseline


def leaderboard(runs: pd.DataFrame, baseline: str = BASELINE) -> Leaderboard:
    """One row per strategy at the budget, from the per-run table (``analysis.run_table``),
    sorted by mean normalized score (then mean rank)."""
    if runs.empty:
        return Leaderboard(pd.DataFrame(columns=LEADERBOARD_COLUMNS), Friedman(reason="no runs"),
                           None, ("no complete run",))
    notes = []
    raw = problem_means(runs, "best_score")
    normalized = problem_means(runs, "normalized_score").dropna(how="all")
    normalized_test = problem_means(runs, "normalized_test_score").dropna(how="all")
    ranks = raw.rank(axis=1, ascending=False, method="average")
    per_strategy = runs.groupby("strategy", sort=False)
    board = pd.DataFrame({
        "normalized_score": normalized.mean(axis=0),
        "normalized_test_score": normalized_test.mean(axis=0),
        "mean_rank": ranks.mean(axis=0),
        "problems": raw.notna().sum(axis=0),
        "normalized_problems": normalized.notna().sum(axis=0),
        "runs": per_strategy.size(),
        "suggest_seconds": per_strategy["suggest_seconds"].mean(),
        "eval_seconds": per_strategy["eval_seconds"].mean(),
    }).reindex(raw.columns)
    intervals = {s: bootstrap_ci(normalized[s]) if s in normalized else (np.nan, np.nan)
                 for s in board.index}
    board["normalized_score_low"] = [intervals[s][0] for s in board.index]
    board["normalized_score_high"] = [intervals[s][1] for s in board.index]
    if normalized.empty:
        notes.append("no problem of this report has usable references: strategies are compared "
                     "by rank only")

    if baseline in raw.columns and raw.shape[1] > 1:
        board = board.join(effects(normalized, baseline))
        bands = difference_bands(runs, baseline)
        board = board.join(compare_with_baseline(raw, normalized, baseline, bands=bands))
        board = board.join(holdout_tests(problem_means(runs, "best_test_score"), baseline))
        power_ = _power_of(normalized, baseline)
        n = int(raw[baseline].notna().sum())
        if n < smallest_testable(ALPHA):
            notes.append(f"with {n} problem(s) the smallest two-sided p-value a signed-rank or "
                         f"sign test can give is {2 / 2**n:.3g}: no difference against "
                         f"{baseline} can be significant at {ALPHA}; it takes "
                         f"{smallest_testable(ALPHA)} problems or more")
    else:
        baseline, power_ = None, None
        notes.append(f"`{BASELINE}` is not in this report: no comparison against random search")
    board = board.reindex(columns=LEADERBOARD_COLUMNS[1:])
    board["normalized_problems"] = board["normalized_problems"].fillna(0).astype(int)
    for column in ("wins", "ties", "losses", "test_wins", "test_losses"):
        board[column] = board[column].astype("Int64")
    board = board.rename_axis("strategy").reset_index()
    board = board.sort_values(["normalized_score", "mean_rank", "strategy"],
                              ascending=[False, True, True], na_position="last", kind="stable")
    result = friedman(raw, normalized=normalized)
    if result.reason:
        notes.append(result.reason)
    return Leaderboard(board.reset_index(drop=True), result, baseline, tuple(notes), power_)


def _power_of(normalized: pd.DataFrame, baseline: str) -> Power | None:
    """The power statement for this table of per-problem normalized scores (problems with
    usable references), the spread being the median over strategies of the standard deviation
    of their differences from ``baseline``."""
    if baseline not in normalized or normalized.shape[1] < 2:
        return None
    others = [s for s in normalized.columns if s != baseline]
    n = int(normalized[baseline].notna().sum())
    spreads = [(normalized[s] - normalized[baseline]).dropna().std(ddof=1) for s in others]
    spreads = [x for x in spreads if np.isfinite(x)]
    return power(n, len(others), float(np.median(spreads)) if spreads else None) if n else None


def equal_time_leaderboard(runs_time: pd.DataFrame, baseline: str = BASELINE) -> Leaderboard:
    """The leaderboard at equal time: :func:`leaderboard` of the runs cut at random search's
    seconds (:func:`bench.analysis.equal_time_runs`), with notes on the runs that were cut, the
    runs kept flat from their end, and those with no result by the cut (left out)."""
    scored = runs_time[runs_time["best_score"].notna()] if len(runs_time) else runs_time
    board = leaderboard(scored.drop(columns=["time_limit", "seconds", "cut"], errors="ignore"),
                        baseline)
    notes = []
    if len(runs_time):
        others = runs_time[runs_time["strategy"] != baseline]
        cut = int(others["cut"].sum())
        notes.append(f"equal time: {cut} of {len(others)} run(s) of the other strategies were cut "
                     f"at {baseline}'s seconds; the other {len(others) - cut} used fewer and are "
                     "kept flat from their end (runs are not extended)")
        no_limit = runs_time[runs_time["time_limit"].isna()]
        if len(no_limit):
            notes.append(f"equal time: {len(no_limit)} run(s) have no {baseline} run on the same "
                         "problem and seed to take the time from; left out: "
                         + _per_strategy(no_limit))
        empty = runs_time[runs_time["time_limit"].notna() & runs_time["best_score"].isna()]
        if len(empty):
            notes.append(f"equal time: {len(empty)} run(s) had no full-fidelity result within "
                         f"{baseline}'s seconds; left out (a problem's mean is over its other "
                         "seeds, if any): " + _per_strategy(empty))
    return Leaderboard(board.table, board.friedman, board.baseline, (*notes, *board.notes),
                       board.power)


def _per_strategy(runs: pd.DataFrame) -> str:
    counts = runs.groupby("strategy", sort=False).size()
    return ", ".join(f"`{s}` {int(n)}" for s, n in counts.items())


def equal_time_legend(baseline: str | None) -> str:
    """What the equal-time leaderboard is, and what it depends on."""
    who = baseline or BASELINE
    return (f"Equal time: each run is cut at the evaluation plus suggestion seconds that {who} "
            "used on the same problem and seed (summed over the run's trials, one worker's "
            "seconds), and scored by the best full-fidelity CV score of the trials finished by "
            "then. A run that used fewer seconds keeps its curve flat from its end: runs are not "
            f"extended, so a strategy faster than {who} is not given more evaluations. The "
            "statistics are those of the leaderboard at equal evaluations, with the same primary "
            "test. Seconds depend on the machine and its load, so this view does too; the "
            "leaderboard at equal evaluations does not.")
