"""The report's figures, declared as data: each is one entry of :data:`FIGURES` (its file stem,
title, drawing function and caption), so that a new figure is one entry.

A drawing function gets the :class:`Canvas` (the report and what several figures share) and the
output folder; it returns the files it wrote, or a :class:`Skip` when the data do not allow the
figure (with the reason the README gives, or none when another entry stands in for it).
Drawing never changes the report.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench import plots, stats
from bench.report_curves import Curves
from bench.report_inputs import Figure, Report

#: Fixed targets of the ECDF, on the normalized scale; "pooled" is the COCO-style aggregate.
TARGETS = {
    "target 0.5": (0.5,), "target 0.9": (0.9,), "target 1.0 (reference best)": (1.0,),
    "10 targets 0.1 ... 1.0, pooled": tuple(np.round(np.arange(0.1, 1.01, 0.1), 1)),
}


@dataclass(frozen=True)
class Skip:
    """A figure the data do not allow; ``reason`` is told in the README ('' says nothing)."""

    reason: str = ""


class Canvas:
    """What several figures share: the report (which drawing never changes), its curves
    (computed once with the report, :class:`bench.report_curves.Curves`) and the figure-only
    statistics, computed when a figure first needs them."""

    def __init__(self, report: Report, curves: Curves):
        self.report = report
        self.curves = curves
        self.colours = plots.palette([s.name for s in report.strategies])
        self.order = report.drawn
        self.titles = {p: report.metric(p) for p in report.problems}

    @property
    def normalized_curve(self) -> pd.DataFrame:
        """Best-so-far curves with their normalized score, of problems with usable references."""
        return self.curves.normalized

    @property
    def problems_ok(self) -> int:
        return self.curves.problems_ok

    @functools.cached_property
    def ranks(self) -> tuple[pd.DataFrame, int]:
        return stats.rank_curve(self.report.curve)


@dataclass(frozen=True)
class FigureSpec:
    stem: str
    title: str
    draw: Callable[[Canvas, Path], list[Path] | Skip]
    caption: str | Callable[[Canvas], str]


# -- drawing functions ----------------------------------------------------------------------
def _normalized_convergence(c: Canvas, out: Path) -> list[Path] | Skip:
    if not c.problems_ok:
        return Skip("normalized-score figures (aggregate convergence, heatmap, ECDF): no problem "
                    "of this report has usable references")
    return plots.normalized_curves(c.curves.normalized_band, c.curves.normalized_time_band,
                                   c.colours, c.order, c.problems_ok, out)


def _convergence(c: Canvas, out: Path) -> list[Path]:
    return plots.per_problem_curves(c.curves.convergence, "cost", c.titles, c.colours, c.order, out, "convergence",
                                    "compute (full-evaluation equivalents)",
                                    suptitle="Best-so-far CV score vs evaluations "
                                             "(mean, 95% interval over seeds)")


def _convergence_time(c: Canvas, out: Path) -> list[Path]:
    return plots.per_problem_curves(c.curves.convergence_time, "seconds", c.titles, c.colours, c.order, out,
                                    "convergence_time",
                                    "time spent by the run (evaluation + suggestion, s)",
                                    log_x=True, suptitle="Best-so-far CV score vs time (mean, 95% "
                                                         "interval over seeds)")


def _average_rank(c: Canvas, out: Path) -> list[Path] | Skip:
    ranks, ranked = c.ranks
    if not (ranked and len(c.order) > 1):
        return Skip("average rank: needs at least two strategies on a common problem")
    return plots.average_rank(ranks, c.colours, c.order, ranked, out)


def _normalized_heatmap(c: Canvas, out: Path) -> list[Path] | Skip:
    if not c.problems_ok:
        return Skip()  # the rank heatmap stands in for it
    return plots.heatmap(c.curves.heatmap, c.colours, out, "Normalized score at the budget (mean over seeds)",
                         "normalized score")


def _ecdf(c: Canvas, out: Path) -> list[Path] | Skip:
    if not c.problems_ok:
        return Skip()  # said with the aggregate convergence figure
    pairs = c.normalized_curve.groupby(["problem", "seed"]).ngroups
    return plots.ecdf(stats.target_shares(c.normalized_curve, TARGETS), c.colours, c.order, pairs,
                      out)


def _rank_heatmap(c: Canvas, out: Path) -> list[Path] | Skip:
    if c.problems_ok:
        return Skip()  # the normalized heatmap is drawn instead
    return plots.heatmap(c.curves.heatmap, c.colours, out, "Rank per problem at the budget (1 = best)",
                         "rank", fmt=".1f", reverse=True)


def _overfitting(c: Canvas, out: Path) -> list[Path]:
    return plots.overfitting(c.report.runs, c.titles, c.colours, c.order, out)


def _timing(c: Canvas, out: Path) -> list[Path]:
    return plots.timing(c.report.runs, c.colours, c.order, out)


def _critical_difference(c: Canvas, out: Path) -> list[Path] | Skip:
    result = c.report.board.friedman
    if result.reason:
        return Skip(f"critical-difference diagram: {result.reason}")
    return plots.critical_difference(result.mean_ranks, result.pairwise, c.colours,
                                     result.title(), out)


def _critical_difference_caption(c: Canvas) -> str:
    return c.report.board.friedman.caption()


#: Every figure of the report, in the order the README shows them.
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "normalized_convergence", "Normalized best-so-far, all problems", _normalized_convergence,
        "Mean over problems of the normalized best CV score so far (each problem first averaged "
        "over seeds), against evaluations (left) and against the time a run has spent "
        "evaluating and suggesting (right, log scale). Bands: 95% bootstrap intervals over "
        "problems. Higher is better; 1 (dashed) is the reference run's best, 0 (dotted) a "
        "median random configuration; the axis stops at -1 (or where 95% of the curve lies), "
        "so a very poor first evaluation may leave the panel. On the right a line starts once "
        "every run of the "
        "strategy has a result, so a late start is a slow first suggestion or evaluation."),
    FigureSpec(
        "convergence", "Best-so-far score per problem, against evaluations", _convergence,
        "One panel per problem: the best CV score found so far (the problem's own metric), mean "
        "over seeds with a 95% Student-t interval over seeds, against evaluations. Higher is "
        "better. A flat line at the end is an exhausted strategy (a grid smaller than the budget) "
        "carried to the budget."),
    FigureSpec(
        "convergence_time", "Best-so-far score per problem, against time", _convergence_time,
        "As above, against the time each run has spent evaluating and suggesting (log scale, "
        "seconds of one worker, not wall-clock time of the whole suite). A strategy whose line "
        "lies to the right pays for its suggestions; where a line is missing, not every seed "
        "had a result yet."),
    FigureSpec(
        "average_rank", "Average rank against evaluations", _average_rank,
        lambda c: f"At each evaluation count, strategies are ranked on each of the {c.ranks[1]} "
        "problems every strategy ran (on the mean best-so-far over seeds; 1 = best, ties share "
        "the average rank), and the ranks are averaged over problems. Ranks depend on which "
        "strategies are compared; the normalized score does not."),
    FigureSpec(
        "heatmap", "Normalized score per problem", _normalized_heatmap,
        "Mean normalized best score at the budget over seeds, per strategy (rows, in "
        "leaderboard order) and problem (columns). 1 = the reference best, 0 = a median "
        "random configuration; values above 1 beat the reference run. Problems without "
        "usable references are not shown."),
    FigureSpec(
        "ecdf", "Fixed-target ECDF", _ecdf,
        "For each target on the normalized scale, the share of (problem, seed) pairs in which "
        "the strategy's best-so-far has reached it, against evaluations (log scale); the last "
        "panel pools ten targets 0.1, 0.2, ..., 1.0 (COCO style), so it rises by a tenth each "
        "time a run passes one. Higher and further left is better; the height at the right "
        "edge is the share reached within the budget."),
    FigureSpec(
        "heatmap", "Rank per problem", _rank_heatmap,
        "No problem of this report has usable references, so the heatmap shows each "
        "strategy's rank on each problem (1 = best, on the mean best CV score over seeds)."),
    FigureSpec(
        "overfitting", "Validation over-fitting", _overfitting,
        "Each point is one run's final incumbent: its CV score (what the strategy optimized) "
        "against its holdout test score, one panel per problem. The dashed line is test = CV; "
        "points below it did worse on the held-out data than the CV score promised. Whether a "
        "strategy does worse on the holdout than random search is tested on the raw paired "
        "test scores (leaderboard, test W/L), not read off this figure."),
    FigureSpec(
        "timing", "Time spent suggesting vs evaluating", _timing,
        "Left: each small point is a run, with the seconds its strategy spent suggesting (ask and "
        "tell) against the seconds spent evaluating configurations; large points are per-strategy "
        "medians; log scales. Above the dashed line a strategy costs more than the evaluations it "
        "chooses. Right: the share of each strategy's total run time spent suggesting."),
    FigureSpec("critical_difference", "Critical-difference diagram", _critical_difference,
               _critical_difference_caption),
)


def draw_figures(report: Report, out: Path,
                 figures: tuple[FigureSpec, ...] = FIGURES) -> tuple[list[Figure], list[str]]:
    """Every figure the data allow, and why the others were not drawn."""
    if report.curves is None:
        return [], ["no figure: no complete run yet"]
    canvas = Canvas(report, report.curves)
    drawn, skipped = [], []
    for spec in figures:
        result = spec.draw(canvas, out)
        if isinstance(result, Skip):
            if result.reason:
                skipped.append(result.reason)
            continue
        caption = spec.caption(canvas) if callable(spec.caption) else spec.caption
        drawn.append(Figure(spec.stem, spec.title, caption, tuple(result)))
    return drawn, skipped
