"""Statistical tests that compare strategies across problems, and the bands drawn around curves.

The leaderboard assembled from them, and its wording, is :mod:`bench.leaderboard`.

The unit of replication is the problem. A strategy's result on a problem is the mean over seeds
of its best CV score at the budget; with a handful of seeds per problem no per-problem
significance is claimed, and every test below runs across problems:

- **Normalized score**: the mean over problems of the per-problem mean normalized score, with a
  95% percentile bootstrap interval that resamples problems (10,000 resamples, fixed seed, so
  the report is reproducible). Each strategy is resampled on its own: its interval depends on its
  runs alone, never on which other strategies are in the report.
- **Holdout**: the incumbent of a run is the first configuration to reach its best CV score.
  Its holdout test scores are compared with random search's raw and paired by problem (mean
  over seeds), by direction: test wins and losses and the sign test on them, Holm-corrected.
  The normalized test score (the same frozen CV references applied to test scores) is shown for
  orientation only: the CV references do not bound test scores, so its per-problem values are
  not on a common scale (one test sample can be worth more than a normalized unit).
- **Ranks**: per problem, on the mean over seeds (1 = best; equal means share the average rank).
- **Against random search**, on the problems with usable references (rank-only problems enter
  the ranks only): wins, ties and losses on the per-problem difference of mean normalized score,
  a tie when it lies within that problem's band ``[-b, b]``, ``b = max(ROPE, 2 * SE)`` where SE
  is the seeds' standard error of the problem's difference (:func:`difference_bands`; protocol
  v3). :data:`ROPE` = 0.01 is the floor: one hundredth of the distance from the median random
  configuration to the reference best; below it a difference is smaller than what one more
  correct validation sample is worth on most of these problems, and no practitioner would pick
  a search method for it (without a band, differences of 0.001 counted as wins). Twice the
  standard error: seed noise was two thirds of the variance of the per-problem differences, so
  with a fixed band the counts were noise.
- **The primary test** (:data:`PRIMARY_TEST`, declared before any result, protocol v3): the
  two-sided Wilcoxon signed-rank test on the per-problem differences from random search (zero
  differences dropped), Holm-corrected over the strategies compared. A claim that a strategy
  beats (or loses to) random search rests on it alone. Why this one: it uses the size of every
  difference and not only its sign, so at the suite's few problems it has the most power of
  the frequentist tests, and it needs no prior. Secondary, reported and never the basis of a
  claim: the sign test on wins against losses (ties dropped), Holm-corrected; the Bayesian
  signed-rank test with the region ``ROPE`` (Benavoli et al., 2017; ``baycomp``,
  :data:`BAYES_SAMPLES` posterior samples, fixed seed), which gives P(better), P(equivalent)
  and P(worse) than random search; the Friedman test and the pairwise tests below.
- **Effect**: each strategy's mean per-problem difference from random search, with a 95%
  bootstrap interval over problems.
- **Power** of the tests against random search: :mod:`bench.power`.
- **Friedman test** (secondary) over the (problem x strategy) table of mean best CV scores, on the problems
  every strategy has. The critical-difference diagram's bars join strategies that pairwise
  Wilcoxon signed-rank tests (on the normalized differences, Holm-corrected over all pairs) do
  not separate; unlike Nemenyi's test on mean ranks, whether two strategies are told apart then
  does not depend on which other strategies are in the pool (Benavoli et al., 2016).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
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
#: Region of practical equivalence on the per-problem difference of mean normalized score (see
#: the module's docstring for why this width).
ROPE = 0.01
#: A win or loss must exceed this many standard errors of the problem's difference over seeds.
BAND_SE = 2.0
#: The one test a claim against the baseline rests on (protocol v3); the others are secondary.
PRIMARY_TEST = "Wilcoxon signed-rank test against random search, Holm-corrected"
SECONDARY_TESTS = ("sign test (Holm)", "Bayesian signed-rank test", "Friedman test",
                   "pairwise Wilcoxon (Holm) of the critical-difference diagram")
#: Posterior samples of the Bayesian signed-rank test, and its seed.
BAYES_SAMPLES = 20_000
BAYES_SEED = 0
SIGNED_RANK_PRIOR = 0.5  # baycomp's prior weight of the signed-rank pseudo-observation at 0


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


def difference_bands(runs: pd.DataFrame, baseline: str = BASELINE, floor: float = ROPE,
                     column: str = "normalized_score") -> pd.DataFrame:
    """The per-problem band of every strategy's difference from ``baseline`` (a problem x strategy
    table): ``max(floor, BAND_SE * SE)``, SE the seeds' standard error of the problem's
    difference in mean ``column``. Seeds both have are paired (the SE of the mean of the
    per-seed differences); with fewer than two shared seeds the two means' standard errors are
    combined as for independent samples. Where SE cannot be estimated (one seed) the band is
    ``floor``. ``runs``: the per-run table (``problem, strategy, seed, column``)."""
    values = runs.pivot_table(index=["problem", "seed"], columns="strategy", values=column,
                              aggfunc="mean", dropna=False)
    problems = pd.Index(list(dict.fromkeys(runs["problem"])), name="problem")
    if baseline not in values.columns:
        return pd.DataFrame(floor, index=problems, columns=list(values.columns), dtype=float)
    differences = values.sub(values[baseline], axis=0).groupby(level="problem")
    pairs = differences.count()
    paired = differences.std(ddof=1) / np.sqrt(pairs)
    by_problem = values.groupby(level="problem")
    share = by_problem.var(ddof=1) / by_problem.count()  # NaN with fewer than two seeds
    unpaired = np.sqrt(share.add(share[baseline], axis=0))
    se = paired.where(pairs >= 2, unpaired)
    bands = (BAND_SE * se).clip(lower=floor).fillna(floor).reindex(problems).fillna(floor)
    bands[baseline] = floor
    return bands


def win_tie_loss(diff: pd.Series, band: pd.Series | float = ROPE) -> tuple[int, int, int]:
    """Wins, ties and losses of per-problem differences ``diff``: beyond ``+band`` / within /
    beyond ``-band`` (``band`` per problem, aligned on ``diff``'s index, or one number)."""
    width = band.reindex(diff.index).fillna(ROPE) if isinstance(band, pd.Series) else band
    wins, losses = int((diff > width).sum()), int((diff < -width).sum())
    return wins, len(diff) - wins - losses, losses


def baseline_tests(raw: pd.DataFrame, normalized: pd.DataFrame,
                   baseline: str = BASELINE, rope: float = ROPE, bayes: bool = True,
                   bands: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every strategy of ``raw`` (a problem x strategy table of mean best scores) against
    ``baseline`` on the problems both have with a normalized score: wins, ties and losses with
    the per-problem band of ``bands`` (problem x strategy, :func:`difference_bands`; ``rope``
    on every problem when not given), the uncorrected p-values of the Wilcoxon signed-rank
    (primary) and sign tests, and the Bayesian signed-rank test's probabilities with the region
    ``rope`` (see the module's docstring). ``bayes=False`` skips the Bayesian test (a fifth of
    a second each)."""
    columns = ["wins", "ties", "losses", "wilcoxon_p", "sign_p", "p_better", "p_equivalent",
               "p_worse"]
    rows = {}
    for strategy in raw.columns:
        if strategy == baseline:
            continue
        if strategy in normalized and baseline in normalized:
            both = normalized[[strategy, baseline]].dropna()
        else:
            both = pd.DataFrame(columns=[strategy, baseline], dtype=float)
        diff = both[strategy] - both[baseline]
        band = bands[strategy].clip(lower=rope) if bands is not None and strategy in bands \
            else rope
        wins, ties, losses = win_tie_loss(diff, band)
        row = {"wins": wins, "ties": ties, "losses": losses}
        if diff.empty:  # no problem in common: nothing to test
            row.update(wilcoxon_p=np.nan, sign_p=np.nan, p_better=np.nan, p_equivalent=np.nan,
                       p_worse=np.nan)
        else:
            # every problem tied: no evidence either way
            row["sign_p"] = ss.binomtest(wins, wins + losses).pvalue if wins + losses else 1.0
            row["wilcoxon_p"] = wilcoxon_p(diff)
            probs = bayes_signed_rank(both[strategy], both[baseline], rope) if bayes \
                else (np.nan,) * 3
            row.update(zip(("p_better", "p_equivalent", "p_worse"), probs))
        rows[strategy] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def compare_with_baseline(raw: pd.DataFrame, normalized: pd.DataFrame,
                          baseline: str = BASELINE, rope: float = ROPE,
                          bands: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`baseline_tests` with each test's p-values Holm-corrected over the strategies."""
    table = baseline_tests(raw, normalized, baseline, rope, bands=bands)
    table["wilcoxon_p_holm"] = holm(table["wilcoxon_p"].astype(float))
    table["sign_p_holm"] = holm(table["sign_p"].astype(float))
    return table


def effects(normalized: pd.DataFrame, baseline: str = BASELINE) -> pd.DataFrame:
    """Each strategy's effect against ``baseline``: the mean over problems of the per-problem
    difference in mean normalized score, with its 95% percentile bootstrap interval over the
    problems both have."""
    rows = {}
    for strategy in normalized.columns:
        if strategy == baseline or baseline not in normalized:
            continue
        diff = (normalized[strategy] - normalized[baseline]).dropna()
        low, high = bootstrap_ci(diff) if len(diff) else (np.nan, np.nan)
        rows[strategy] = {"effect": diff.mean() if len(diff) else np.nan, "effect_low": low,
                          "effect_high": high}
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["effect", "effect_low", "effect_high"])



def holdout_tests(raw_test: pd.DataFrame, baseline: str = BASELINE) -> pd.DataFrame:
    """Every strategy's holdout test score against ``baseline``'s, raw and paired by problem:
    problems where its mean test score (of the runs' incumbents) is above / below the
    baseline's, and the two-sided sign test on them (exact ties dropped), Holm-corrected over
    the strategies. Raw test scores of different metrics cannot be averaged or ranked by size,
    but their direction can be counted; normalizing them with the CV references would not help
    (a test sample can be worth more than a whole normalized unit)."""
    rows = {}
    for strategy in raw_test.columns:
        if strategy == baseline or baseline not in raw_test:
            continue
        both = raw_test[[strategy, baseline]].dropna()
        diff = both[strategy] - both[baseline]
        wins, losses = int((diff > 0).sum()), int((diff < 0).sum())
        p = ss.binomtest(wins, wins + losses).pvalue if wins + losses else \
            (1.0 if len(diff) else np.nan)
        rows[strategy] = {"test_wins": wins, "test_losses": losses, "test_sign_p": p}
    table = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["test_wins", "test_losses", "test_sign_p"])
    table["test_sign_p_holm"] = holm(table["test_sign_p"].astype(float))
    return table



def wilcoxon_p(diff) -> float:
    """Two-sided Wilcoxon signed-rank p-value of paired differences, zero differences dropped
    (1 when every difference is zero)."""
    d = np.asarray(diff, dtype=float)
    d = d[np.isfinite(d)]
    d = d[np.abs(d) > 1e-12]  # differences of equal scores after normalization's rounding
    if len(d) == 0:
        return 1.0
    return float(ss.wilcoxon(d, zero_method="wilcox").pvalue)


def bayes_signed_rank(x, y, rope: float = ROPE, nsamples: int = BAYES_SAMPLES,
                      seed: int = BAYES_SEED) -> tuple[float, float, float]:
    """P(x better than y), P(equivalent within ``rope``), P(x worse), from the Bayesian signed-rank
    test (Benavoli et al., 2017) on paired per-problem values; NaN with fewer than 2 pairs.

    baycomp's ``SignedRankTest`` posterior (same prior, same Dirichlet draws), its per-draw loop
    as one matrix product (0.24 s a strategy in baycomp); tests/test_stats.py checks they agree.
    """
    from baycomp import SignedRankTest

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2:
        return (np.nan, np.nan, np.nan)
    if rope <= 0:  # baycomp's other branch (no equivalence region), as it is
        better, worse = SignedRankTest.probs(x, y, rope=rope, nsamples=nsamples,
                                             random_state=seed)
        return (float(better), 0.0, float(worse))
    diff = np.concatenate(([0.0], y - x))  # baycomp's pseudo-observation at 0, weighted by prior
    sums = diff[:, None] + diff[None, :]
    below = (-sums > 2 * rope).astype(float) + 0.5 * (-sums == 2 * rope)
    above = (sums > 2 * rope).astype(float) + 0.5 * (sums == 2 * rope)
    weights = np.ones(len(diff))
    weights[0] = SIGNED_RANK_PRIOR
    draws = np.random.RandomState(seed).dirichlet(weights, nsamples)
    left = np.einsum("ni,ij,nj->n", draws, below, draws)
    right = np.einsum("ni,ij,nj->n", draws, above, draws)
    samples = np.stack([left, 1 - left - right, right], axis=1)
    # baycomp's left (y below x beyond the rope: x better), rope, right
    better, equivalent, worse = np.bincount(samples.argmax(axis=1), minlength=3) / nsamples
    return (float(better), float(equivalent), float(worse))


def pairwise_wilcoxon_holm(normalized: pd.DataFrame) -> pd.DataFrame:
    """Holm-corrected two-sided Wilcoxon p-values of every pair of strategies (columns of
    ``normalized``, problems as rows, complete problems only); 1 on the diagonal."""
    table = normalized.dropna()
    names = list(table.columns)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    raw = pd.Series([wilcoxon_p(table[a] - table[b]) for a, b in pairs], dtype=float)
    corrected = holm(raw) if len(raw) else raw
    out = pd.DataFrame(1.0, index=names, columns=names)
    for (a, b), p in zip(pairs, corrected):
        out.loc[a, b] = out.loc[b, a] = p
    return out


@dataclass(frozen=True)
class Friedman:
    """The Friedman test over complete problems, the mean ranks, and the Holm-corrected pairwise
    Wilcoxon p-values behind the critical-difference diagram (``pairwise``).

    ``reason`` says why the test was not run (then the numbers are NaN or empty)."""

    statistic: float = np.nan
    pvalue: float = np.nan
    problems: tuple[str, ...] = ()
    mean_ranks: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    pairwise: pd.DataFrame = field(default_factory=pd.DataFrame)
    reason: str = ""

    def caption(self, alpha: float = ALPHA) -> str:
        """How to read the critical-difference diagram."""
        verdict = "rejects" if self.pvalue < alpha else "does not reject"
        return (f"Mean rank of each strategy over the {len(self.problems)} problems every "
                f"strategy ran (1 = best, left). The Friedman test {verdict} equal mean ranks at "
                f"{alpha} (chi² = {self.statistic:.2f}, p = {self.pvalue:.3g}). Thick bars join "
                "strategies that pairwise Wilcoxon signed-rank tests on the normalized scores, "
                f"Holm-corrected over all {len(self.mean_ranks) * (len(self.mean_ranks) - 1) // 2}"
                f" pairs, do not separate at {alpha} (on the {self.pairwise_problems} problems "
                "with usable references). Which pairs are separated does not depend on the other "
                "strategies' ranks, as it would with Nemenyi's critical difference.")

    @property
    def pairwise_problems(self) -> int:
        return int(self.pairwise.attrs.get("problems", 0)) if len(self.pairwise) else 0

    def title(self, alpha: float = ALPHA) -> str:
        return (f"Mean rank (1 = best) over {len(self.problems)} problems; Friedman "
                f"p = {self.pvalue:.3g}; bars: pairwise Wilcoxon, Holm, alpha = {alpha}")


def friedman(raw: pd.DataFrame, alpha: float = ALPHA,
             normalized: pd.DataFrame | None = None) -> Friedman:
    """Friedman test on ``raw`` (problem x strategy, higher is better) restricted to the problems
    every strategy has, with the pairwise Wilcoxon-Holm p-values on ``normalized`` (the same
    table when not given)."""
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
    paired = (normalized if normalized is not None else raw).reindex(columns=table.columns).dropna()
    pairwise = pairwise_wilcoxon_holm(paired)
    pairwise.attrs["problems"] = len(paired)
    return Friedman(float(statistic), float(pvalue), problems, mean_ranks, pairwise)



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
