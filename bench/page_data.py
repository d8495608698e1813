"""What ``index.html`` shows, as plain tables (:class:`PageData`), and the one place that reads
them off a report (:func:`page_data`).

Everything is computed from tables the report already has (aggregated curves, never trials), so
the page stays small whatever the number of trials.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.colors import to_rgb

from bench import analysis, plots, stats
from bench.tables import summary_line

PAGE = "index.html"


@dataclass
class PageData:
    """What the page shows, as plain tables. Curve tables have the columns of
    :func:`bench.stats.problem_band` (``strategy, <x>, mean, low, high``) or
    :func:`bench.stats.t_band` (``problem, strategy, <x>, mean, low, high``)."""

    suite: str
    summary: str
    board: pd.DataFrame  # the leaderboard frame, one row per strategy, any columns
    order: list[str]  # strategies in leaderboard order
    colours: dict[str, str]  # a CSS colour per strategy
    baseline: str | None = None
    alpha: float = stats.ALPHA  # p-values below it are bold
    notes: Sequence[str] = ()
    normalized: pd.DataFrame | None = None  # strategy, cost, mean, low, high
    normalized_time: pd.DataFrame | None = None  # strategy, seconds, mean, low, high
    convergence: pd.DataFrame | None = None  # problem, strategy, cost, mean, low, high
    convergence_time: pd.DataFrame | None = None  # problem, strategy, seconds, mean, low, high
    metrics: dict[str, str] = field(default_factory=dict)  # problem -> its metric
    heatmap: pd.DataFrame | None = None  # strategy (rows) x problem (columns)
    heatmap_label: str = "normalized score"
    runs: pd.DataFrame | None = None  # one row per run: strategy, suggest_seconds, eval_seconds
    manifest: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # the files beside the page


def page_data(report, out: Path) -> PageData:
    """The page's tables from a :class:`bench.report_inputs.Report` whose files (and manifest) are
    already in ``out``. Uses the same functions as the static figures, so both show the same
    numbers."""

    order = [s for s in report.order if s in set(report.runs["strategy"])]
    colours = {s: _css(c) for s, c in plots.palette([s.name for s in report.strategies]).items()}
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {}
    files = [name for name in manifest.get("files", []) if name != PAGE]
    data = PageData(
        suite=report.suite.name, summary=summary_line(report), board=report.board.table, order=order,
        colours=colours, baseline=report.board.baseline, alpha=stats.ALPHA,
        notes=[*report.board.notes, *([report.board.power.describe()]
                                      if report.board.power is not None else [])],
        metrics={p: report.metric(p) for p in report.problems},
        runs=report.runs, manifest=manifest, files=files,
    )
    if report.curve.empty:
        return data
    usable = report.refs.index[report.refs["status"] == "ok"]
    curve = report.curve.assign(normalized=analysis.normalize(report.curve, report.catalogue))
    curve = curve[curve["problem"].isin(usable)]
    if len(curve):
        times = analysis.time_curves(report.trials, shared=True)
        times = times.assign(normalized=analysis.normalize(times, report.catalogue))
        data.normalized = stats.problem_band(curve, "cost")
        data.normalized_time = stats.problem_band(times[times["problem"].isin(usable)], "seconds")
        table = stats.problem_means(report.runs, "normalized_score").dropna(how="all")
        data.heatmap = table.T.reindex([s for s in order if s in table.columns])
    else:
        data.heatmap = analysis.problem_ranks(report.runs).T.reindex(order)
        data.heatmap_label = "rank (1 = best)"
    data.convergence = stats.t_band(report.curve, ["problem", "strategy", "cost"], "best_score")
    data.convergence_time = stats.t_band(analysis.time_curves(report.trials),
                                         ["problem", "strategy", "seconds"], "best_score")
    return data


def _css(colour) -> str:
    r, g, b = (round(255 * v) for v in to_rgb(colour))
    return f"rgb({r},{g},{b})"

