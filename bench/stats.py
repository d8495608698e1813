"""Statistics that compare strategies across problems, and the bands drawn around curves.

The unit of replication is the problem. A strategy's result on a problem is the mean over seeds
of its best CV score at the budget; with a handful of seeds per problem no per-problem
significance is claimed, and every test below runs across problems:

- **Normalized score**: the mean over problems of the per-problem mean normalized score, with a
  95% percentile bootstrap interval that resamples problems (10,000 resamples, fixed seed, so
  the report is reproducible). Each strategy is resampled on its own: its interval depends on its
  runs alone, never on which other strategies are in the report.
- **Normalized test score**: the holdout test score of each run's incumbent, normalized with the
  same frozen references as the CV score. Raw test scores cannot be averaged across metrics
  (accuracy, R², log-likelihood); on the normalized scale 1 is the reference optimum's CV level
  and the gap to the normalized CV score measures how much the search over-fitted the
  validation folds, in units of the problem's random-to-best range.
- **Ranks**: per problem, on the mean over seeds (1 = best; equal means share the average rank).
- **Against random search**: wins, ties and losses over problems; a tie is an equal per-problem
  mean best CV score, compared to :data:`SIGNIFICANT_DIGITS` significant digits to absorb
  floating-point summation noise (configurations that score the same are common on easy
  problems). Two two-sided tests, each Holm-corrected over the strategies compared: the
  Wilcoxon signed-rank test on the per-problem differences of mean normalized score (it ranks
  the sizes of the differences, so it needs the common normalized scale and uses only problems
  with references), and the sign test on wins against losses (it needs only the direction, so it
  uses every problem). Both drop ties, the classic convention.
- **Friedman test** over the (problem x strategy) table of mean best CV scores, on the problems
  every strategy has; the Nemenyi post-hoc test (Demšar 2006) gives the critical-difference
  diagram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scikit_posthocs as sp
import scipy.stats as ss
from statsmodels.stats.multitest import multipletests

ALPHA = 0.05
CONFIDENCE = 0.95
N_RESAMPLES = 10_000
BOOTSTRAP_SEED = 0
#: Per-problem means equal to this many significant digits are ties.
SIGNIFICANT_DIGITS = 12
#: The baseline every strategy is compared with.
BASELINE = "random"

LEADERBOARD_COLUMNS = [
    "strategy", "normalized_score", "normalized_score_low", "normalized_score_high",
    "normalized_test_score", "mean_rank", "wins", "ties", "losses", "wilcoxon_p",
    "wilcoxon_p_holm", "sign_p", "sign_p_holm", "problems", "normalized_problems", "runs",
    "suggest_seconds", "eval_seconds",
]


def snap(values) -> np.ndarray:
    """Round to :data:`SIGNIFICANT_DIGITS` significant digits (NaN stays NaN)."""
    x = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(x)))
    magnitude = np.where(np.isfinite(magnitude), magnitude, 0.0)
    scale = 10.0 ** (SIGNIFICANT_DIGITS - 1 - magnitude)
    return np.round(x * scale) / scale


def problem_means(runs: pd.DataFrame, column: str = "best_score") -> pd.DataFrame:
    """Mean over seeds of ``column``: a (problem x strategy) table, NaN where a strategy has no
    run on a problem. Raw score means are snapped so that equal scores compare equal."""
    means = runs.groupby(["problem", "strategy"], sort=False)[column].mean().unstack("strategy")
    if column in ("best_score", "best_test_score"):
        means = pd.DataFrame(snap(means), index=means.index, columns=means.columns)
    return means


# -- intervals ----------------------------------------------------------------------------------
def bootstrap_ci(values: Sequence[float], confidence: float = CONFIDENCE,
                 n_resamples: int = N_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (NaN ignored); NaN when fewer than
    two values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return (np.nan, np.nan)
    if np.all(x == x[0]):
        return (float(x[0]), float(x[0]))
    result = ss.bootstrap((x,), np.mean, n_resamples=n_resamples, confidence_level=confidence,
                          method="percentile", rng=np.random.default_rng(seed), vectorized=True)
    return (float(result.confidence_interval.low), float(result.confidence_interval.high))


def bootstrap_band(matrix: np.ndarray, confidence: float = CONFIDENCE,
                   n_resamples: int = N_RESAMPLES, seed: int = BOOTSTRAP_SEED
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and percentile bootstrap interval of every column of ``matrix`` (rows = problems,
    the resampling unit). A column with a NaN gets NaN: its mean would hide a missing problem."""
    m = np.asarray(matrix, dtype=float)
    mean = m.mean(axis=0)
    low = np.full(m.shape[1], np.nan)
    high = np.full(m.shape[1], np.nan)
    complete = np.isfinite(m).all(axis=0)
    if m.shape[0] >= 2 and complete.any():
        # every column at once; batches keep the (resamples x problems x columns) array small
        result = ss.bootstrap((m[:, complete],), np.mean, n_resamples=n_resamples, axis=0,
                              batch=1000, confidence_level=confidence, method="percentile",
                              rng=np.random.default_rng(seed), vectorized=True)
        low[complete] = result.confidence_interval.low
        high[complete] = result.confidence_interval.high
    return mean, low, high


def t_band(frame: pd.DataFrame, by: list[str], value: str,
           confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Mean of ``value`` per ``by`` group with a Student-t interval over the group's rows (the
    seeds): with three to ten seeds a bootstrap would understate the spread. Groups with a
    missing value get NaN rather than a mean over the seeds that happen to have one."""
    grouped = frame.groupby(by, sort=False)[value]
    stats = grouped.agg(["mean", "std", "count", "size"]).reset_index()
    stats.loc[stats["count"] < stats["size"], ["mean", "std"]] = np.nan
    n = stats["size"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = ss.t.ppf(0.5 + confidence / 2, n - 1) * stats["std"].to_numpy() / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    return stats.assign(low=stats["mean"] - half, high=stats["mean"] + half).drop(
        columns=["std", "count", "size"])


# -- tests --------------------------------------------------------------------------------------
def holm(pvalues: pd.Series) -> pd.Series:
    """Holm-corrected p-values; NaN entries (no test) stay NaN and do not count."""
    out = pd.Series(np.nan, index=pvalues.index, dtype=float)
    finite = pvalues.dropna()
    if len(finite):
        out[finite.index] = multipletests(finite.to_numpy(), alpha=ALPHA, method="holm")[1]
    return out


def baseline_tests(raw: pd.DataFrame, normalized: pd.DataFrame,
                   baseline: str = BASELINE) -> pd.DataFrame:
    """Every strategy of ``raw`` (a problem x strategy table of mean best scores) against
    ``baseline`` over the problems both have: wins, ties, losses, and the uncorrected p-values of
    the Wilcoxon signed-rank and sign tests (see the module's docstring)."""
    rows = {}
    for strategy in raw.columns:
        if strategy == baseline:
            continue
        both = raw[[strategy, baseline]].dropna()
        diff = both[strategy] - both[baseline]
        wins, losses = int((diff > 0).sum()), int((diff < 0).sum())
        ties = len(diff) - wins - losses
        if diff.empty:  # no problem in common: nothing to test
            sign_p = wilcoxon_p = np.nan
        else:
            # every problem tied: no evidence either way
            sign_p = ss.binomtest(wins, wins + losses).pvalue if wins + losses else 1.0
            wilcoxon_p = _wilcoxon(normalized, strategy, baseline, untied=diff != 0)
        rows[strategy] = {"wins": wins, "ties": ties, "losses": losses,
                          "wilcoxon_p": wilcoxon_p, "sign_p": sign_p}
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["wins", "ties", "losses", "wilcoxon_p", "sign_p"])


def compare_with_baseline(raw: pd.DataFrame, normalized: pd.DataFrame,
                          baseline: str = BASELINE) -> pd.DataFrame:
    """:func:`baseline_tests` with each test's p-values Holm-corrected over the strategies."""
    table = baseline_tests(raw, normalized, baseline)
    table["wilcoxon_p_holm"] = holm(table["wilcoxon_p"].astype(float))
    table["sign_p_holm"] = holm(table["sign_p"].astype(float))
    return table


def _wilcoxon(normalized: pd.DataFrame, strategy: str, baseline: str, untied: pd.Series) -> float:
    if strategy not in normalized or baseline not in normalized:
        return np.nan
    both = normalized[[strategy, baseline]].dropna()
    if both.empty:
        return np.nan
    # a tie on the raw means is a zero difference, whatever rounding normalization adds
    diff = (both[strategy] - both[baseline]).where(untied.reindex(both.index, fill_value=False), 0)
    nonzero = diff[diff != 0]
    if nonzero.empty:
        return 1.0
    return float(ss.wilcoxon(nonzero.to_numpy(), zero_method="wilcox").pvalue)


@dataclass(frozen=True)
class Friedman:
    """The Friedman test over complete problems, the mean ranks and the Nemenyi post-hoc test.

    ``reason`` says why the test was not run (then the numbers are NaN or empty)."""

    statistic: float = np.nan
    pvalue: float = np.nan
    problems: tuple[str, ...] = ()
    mean_ranks: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    nemenyi: pd.DataFrame = field(default_factory=pd.DataFrame)
    critical_difference: float = np.nan
    reason: str = ""


def friedman(raw: pd.DataFrame, alpha: float = ALPHA) -> Friedman:
    """Friedman test on ``raw`` (problem x strategy, higher is better) restricted to the problems
    every strategy has, with the Nemenyi critical difference at ``alpha``."""
    table = raw.dropna()
    k, n = table.shape[1], table.shape[0]
    if k < 3:
        return Friedman(reason=f"the Friedman test needs at least 3 strategies (this report has {k})")
    if n < 2:
        return Friedman(reason=f"the Friedman test needs at least 2 problems that every strategy "
                               f"has (this report has {n})")
    ranks = table.rank(axis=1, ascending=False, method="average")
    mean_ranks = ranks.mean(axis=0).rename("mean_rank")
    problems = tuple(table.index)
    if (table.nunique(axis=1) == 1).all():
        return Friedman(problems=problems, mean_ranks=mean_ranks,
                        reason="every strategy ties on every problem")
    statistic, pvalue = ss.friedmanchisquare(*table.to_numpy().T)
    nemenyi = sp.posthoc_nemenyi_friedman(table)
    nemenyi.index = nemenyi.columns = list(table.columns)
    q = ss.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    cd = float(q * np.sqrt(k * (k + 1) / (6.0 * n)))
    return Friedman(float(statistic), float(pvalue), problems, mean_ranks, nemenyi, cd)


# -- the leaderboard ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaderboard:
    """The leaderboard table with the statistics behind it and what could not be computed."""

    table: pd.DataFrame
    friedman: Friedman
    baseline: str | None
    notes: tuple[str, ...] = ()


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
        board = board.join(compare_with_baseline(raw, normalized, baseline))
        n = int(raw[baseline].notna().sum())
        if 2 / 2**n >= ALPHA:
            notes.append(f"with {n} problem(s) the smallest two-sided p-value a signed-rank or "
                         f"sign test can give is {2 / 2**n:.3g}: no difference against "
                         f"{baseline} can be significant at {ALPHA}; it takes 6 problems or more")
    else:
        baseline = None
        notes.append(f"`{BASELINE}` is not in this report: no comparison against random search")
    board = board.reindex(columns=LEADERBOARD_COLUMNS[1:])
    board["normalized_problems"] = board["normalized_problems"].fillna(0).astype(int)
    for column in ("wins", "ties", "losses"):
        board[column] = board[column].astype("Int64")
    board = board.rename_axis("strategy").reset_index()
    board = board.sort_values(["normalized_score", "mean_rank", "strategy"],
                              ascending=[False, True, True], na_position="last", kind="stable")
    result = friedman(raw)
    if result.reason:
        notes.append(result.reason)
    return Leaderboard(board.reset_index(drop=True), result, baseline, tuple(notes))


# -- curves -------------------------------------------------------------------------------------
def problem_band(curve: pd.DataFrame, x: str, value: str = "normalized") -> pd.DataFrame:
    """Per strategy and ``x``: the mean over problems of the per-problem mean over seeds of
    ``value``, with a bootstrap band over problems. A strategy's band depends on its own runs
    only. Where a problem (or a seed) has no value yet the mean is NaN and nothing is drawn."""
    per_problem = t_band(curve, ["strategy", "problem", x], value)
    rows = []
    for strategy, part in per_problem.groupby("strategy", sort=False):
        matrix = part.pivot(index="problem", columns=x, values="mean")
        mean, low, high = bootstrap_band(matrix.to_numpy())
        rows.append(pd.DataFrame({"strategy": strategy, x: matrix.columns.to_numpy(),
                                  "mean": mean, "low": low, "high": high}))
    if not rows:
        return pd.DataFrame(columns=["strategy", x, "mean", "low", "high"])
    return pd.concat(rows, ignore_index=True)


def rank_curve(curve: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Mean rank over problems (1 = best) of each strategy at each cost, on the per-problem mean
    best score over seeds, using the problems every strategy has; and how many problems that is."""
    means = curve.groupby(["problem", "cost", "strategy"], sort=False)["best_score"].mean()
    table = means.unstack("strategy")
    table = pd.DataFrame(snap(table), index=table.index, columns=table.columns)
    strategies = curve.groupby("problem", sort=False)["strategy"].nunique()
    complete = strategies[strategies == table.shape[1]].index
    table = table[table.index.get_level_values("problem").isin(complete)]
    # a strategy with no full-fidelity result yet ranks last, as a NaN
    ranks = table.rank(axis=1, ascending=False, method="average", na_option="bottom")
    mean = ranks.groupby(level="cost").mean().stack().rename("mean_rank").reset_index()
    return mean, len(complete)


def target_shares(curve: pd.DataFrame, targets: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """Fixed-target ECDF: for each named group of targets, the share of (run, target) pairs whose
    ``normalized`` best-so-far has reached the target by each cost. Best-so-far never decreases,
    so reaching a target by a cost is being at or above it there; a NaN has reached nothing."""
    rows = []
    values = curve["normalized"].to_numpy(dtype=float)
    for label, group in targets.items():
        with np.errstate(invalid="ignore"):
            reached = np.mean([values >= t for t in group], axis=0)
        share = pd.Series(reached).groupby([curve["strategy"].to_numpy(),
                                            curve["cost"].to_numpy()], sort=False).mean()
        share.index.names = ["strategy", "cost"]
        rows.append(share.rename("share").reset_index().assign(target=label))
    return pd.concat(rows, ignore_index=True)
