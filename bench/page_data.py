"""What ``index.html`` shows, as plain tables (:class:`PageData`), and the one place that reads
them off a report (:func:`page_data`).

Everything comes from tables the report already has (aggregated curves, never trials), so the
page stays small whatever the number of trials.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd
from matplotlib.colors import to_rgb

from bench import plots, stats
from bench.report_inputs import Report
from bench.report_text import summary_line

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
    dashes: dict[str, str] = field(default_factory=dict)  # a plotly line dash per strategy
    baseline: str | None = None
    alpha: float = stats.ALPHA  # p-values below it are bold
    notes: Sequence[str] = ()
    normalized: pd.DataFrame | None = None  # strategy, cost, mean, low, high
    normalized_time: pd.DataFrame | None = None  # strategy, seconds, mean, low, high
    convergence: pd.DataFrame | None = None  # problem, strategy, cost, mean, low, high
    convergence_time: pd.DataFrame | None = None  # problem, strategy, seconds, mean, low, high
    metrics: dict[str, str] = field(default_factory=dict)  # problem -> its metric
    #: problem -> how its score is validated ("5-fold CV", "one validation split")
    protocols: dict[str, str] = field(default_factory=dict)
    heatmap: pd.DataFrame | None = None  # strategy (rows) x problem (columns)
    heatmap_label: str = "normalized score"
    runs: pd.DataFrame | None = None  # one row per run: strategy, suggest_seconds, eval_seconds
    manifest: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # the files beside the page
    board_time: pd.DataFrame | None = None  # the leaderboard at equal time, like ``board``
    notes_time: Sequence[str] = ()  # what the equal-time table left out or cut


def page_data(report: Report, manifest: Mapping | None = None) -> PageData:
    """The page's tables from a :class:`bench.report_inputs.Report` and the ``manifest`` written
    beside it (:func:`bench.provenance.manifest`). Takes the curves the static figures draw
    (:attr:`Report.curves`), so both show the same numbers."""
    manifest = dict(manifest or {})
    styles = plots.palette([s.name for s in report.strategies])
    files = [name for name in manifest.get("files", []) if name != PAGE]
    data = PageData(
        suite=report.suite.name, summary=summary_line(report), board=report.board.table,
        order=report.drawn, colours={s: _css(c) for s, c in styles.items()},
        dashes=dict(styles.dashes), baseline=report.board.baseline, alpha=stats.ALPHA,
        notes=[*report.board.notes, *([report.board.power.describe()]
                                      if report.board.power is not None else [])],
        metrics={p: report.metric(p) for p in report.problems},
        protocols={p: validation(report.catalogue.problems[p].to_dict().get("protocol"))
                   for p in report.problems},
        runs=report.runs, manifest=manifest, files=files,
        board_time=None if report.board_time is None else report.board_time.table,
        notes_time=() if report.board_time is None else report.board_time.notes,
    )
    curves = report.curves
    if curves is None:
        return data
    return replace(data, normalized=curves.normalized_band,
                   normalized_time=curves.normalized_time_band, heatmap=curves.heatmap,
                   heatmap_label="rank (1 = best)" if curves.ranked else "normalized score",
                   convergence=curves.convergence, convergence_time=curves.convergence_time)


def validation(protocol: Mapping | None) -> str:
    """How a problem's score is validated, from the ``protocol`` of its description
    (``Problem.to_dict``): ``k``-fold cross-validation, or one fixed validation split (the deep
    problems: ``cv`` of 1, or a ``validation_size``); empty if the description does not say."""
    protocol = protocol or {}
    folds = protocol.get("cv")
    if isinstance(folds, int) and folds >= 2:
        return f"{folds}-fold CV"
    if folds == 1 or "validation_size" in protocol:
        size = protocol.get("validation_size")
        return (f"one {size:.0%} validation split" if isinstance(size, float)
                else "one validation split")
    return ""  # a problem that does not say


def _css(colour) -> str:
    r, g, b = (round(255 * v) for v in to_rgb(colour))
    return f"rgb({r},{g},{b})"

