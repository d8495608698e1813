"""The curves and per-problem tables a report draws, computed once from its data.

The static figures (:mod:`bench.figures`) and the page (:mod:`bench.page_data`) both read them
from :attr:`bench.report_inputs.Report.curves`, so both show the same numbers and neither
computes them again: the bootstrap bands over problems are the slowest statistics of a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from bench import analysis, stats
from bench.catalogue import Catalogue


@dataclass(frozen=True)
class Curves:
    """Curve tables have the columns of :func:`bench.stats.problem_band` (``strategy, <x>, mean,
    low, high``) or :func:`bench.stats.t_band` (``problem, strategy, <x>, mean, low, high``)."""

    #: best-so-far against cost with its ``normalized`` column, problems with usable references
    normalized: pd.DataFrame
    #: mean over those problems with a bootstrap band, against cost and against time (None
    #: when no problem has usable references)
    normalized_band: pd.DataFrame | None
    normalized_time_band: pd.DataFrame | None
    #: per problem, mean over seeds with a Student-t band, against cost and against time
    convergence: pd.DataFrame
    convergence_time: pd.DataFrame
    #: strategy (rows, leaderboard order) x problem: the mean normalized score, or the rank per
    #: problem when no problem has usable references (``ranked``)
    heatmap: pd.DataFrame
    ranked: bool

    @property
    def problems_ok(self) -> int:
        """How many problems have usable references (and so a normalized curve)."""
        return self.normalized["problem"].nunique()


def compute_curves(curve: pd.DataFrame, trials: pd.DataFrame, runs: pd.DataFrame,
                   refs: pd.DataFrame, catalogue: Catalogue, order: Sequence[str]) -> Curves:
    """The report's :class:`Curves` from its best-so-far ``curve``, ``trials``, ``runs`` and
    references ``refs``; ``order``: the strategies with a complete run, in leaderboard order."""
    usable = refs.index[refs["status"] == "ok"]
    normalized = curve.assign(normalized=analysis.normalize(curve, catalogue))
    normalized = normalized[normalized["problem"].isin(usable)]
    band = time_band = None
    if len(normalized):
        times = analysis.time_curves(trials, shared=True)
        times = times.assign(normalized=analysis.normalize(times, catalogue))
        band = stats.problem_band(normalized, "cost")
        time_band = stats.problem_band(times[times["problem"].isin(usable)], "seconds")
        table = stats.problem_means(runs, "normalized_score").dropna(how="all")
        heatmap, ranked = table.T.reindex([s for s in order if s in table.columns]), False
    else:
        heatmap, ranked = analysis.problem_ranks(runs).T.reindex(order), True
    return Curves(
        normalized=normalized, normalized_band=band, normalized_time_band=time_band,
        convergence=stats.t_band(curve, ["problem", "strategy", "cost"], "best_score"),
        convergence_time=stats.t_band(analysis.time_curves(trials),
                                      ["problem", "strategy", "seconds"], "best_score"),
        heatmap=heatmap, ranked=ranked)
