"""``index.html``: the report as one self-contained, interactive page.

The page is a single file that works from ``file://`` with no network: plotly's JavaScript and
the data are inlined. It holds the leaderboard as a sortable table, the normalized best-so-far
against evaluations and time, per-problem convergence chosen from a list, the per-problem
heatmap, timing, the manifest and links to the files beside it. Plotly draws every chart; the
page's own JavaScript only sorts the table and keeps the charts and the table agreeing on which
strategies are shown and which one is highlighted.

This module assembles the page: :func:`write_page` takes plain data (:class:`PageData`, from
:mod:`bench.page_data`); the charts are built in :mod:`bench.page_charts`, the tables in
:mod:`bench.page_tables`; the page's CSS and JavaScript are package data files
(``bench/page_assets/``), read once.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import plotly.io as pio
from plotly.offline import get_plotlyjs

from bench.page_charts import (Figure, heatmap_figure, normalized_figure, problem_figures,
                               timing_figure)
from bench.page_data import PAGE, PageData, page_data
from bench.leaderboard import equal_time_legend
from bench.plots import NORMALIZED_FLOOR
from bench.page_tables import files_html, leaderboard_html, manifest_html, table_columns
from bench.report_text import EQUAL_EVALUATIONS

__all__ = ["PAGE", "PageData", "page_data", "payload", "render", "table_columns", "unpack",
           "write_page"]

TEMPLATE = "plotly_white"  # plotly's look for every chart of the page
EQUAL_TIME = equal_time_legend(None)
#: Beyond this many strategies the intervals start hidden: overlapping bands turn into fog. A
#: checkbox shows them all; a highlighted strategy always shows its own.
BANDS_UP_TO = 6


def write_page(path: Path, data: PageData) -> Path:
    """Write the page to ``path`` and return it."""
    path.write_text(render(data), encoding="utf-8")
    return path


@functools.cache
def asset(name: str) -> str:
    """A file of ``bench/page_assets/`` (the page's CSS and JavaScript), read once per process.

    The JavaScript is glue only: it sorts the table and keeps one shared state of hidden and
    highlighted strategies that every chart and the table follow; plotly draws everything."""
    return resources.files("bench").joinpath("page_assets", name).read_text(encoding="utf-8")


def payload(figures: Mapping[str, Figure], problems: Sequence[tuple[str, Figure]]) -> str:
    """Every chart's specification and plotly's template as gzipped JSON in base64: repeated
    trace settings compress about fivefold, which keeps a page of many problems well under its
    size limit. The browser unpacks it with its own ``DecompressionStream``."""
    spec = {"template": pio.templates[TEMPLATE].to_plotly_json(), "figures": dict(figures),
            "problems": [{"name": name, "figure": figure} for name, figure in problems]}
    text = json.dumps(spec, separators=(",", ":"), allow_nan=False, default=_plain)
    # mtime 0: the same data give the same page bytes
    return base64.b64encode(gzip.compress(text.encode(), compresslevel=9, mtime=0)).decode()


def unpack(page_html: str) -> dict:
    """The chart specifications inside a page written by :func:`render` (for tests and tools)."""
    start = page_html.index('id="page-data">') + len('id="page-data">')
    blob = page_html[start:page_html.index("</script>", start)]
    return json.loads(gzip.decompress(base64.b64decode(blob)))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} into the page")


def render(data: PageData) -> str:
    """The whole page as one HTML string."""
    sections, figures, problems = [], {}, []

    def chart(key: str, figure: Figure, caption: str) -> str:
        figures[key] = figure
        return (f'<div class="chart" id="chart-{key}" data-figure="{key}"></div>'
                f'<p class="caption">{caption}</p>')

    controls = ('<div class="controls">Highlight: <select id="highlight"><option value="">'
                '(none)</option>' + "".join(f'<option>{html.escape(s)}</option>'
                                            for s in data.order)
                + '</select> <button type="button" id="show-all">show all</button> '
                '<button type="button" id="hide-all">hide all</button> <label><input '
                f'type="checkbox" id="bands"{" checked" if len(data.order) <= BANDS_UP_TO else ""}>'
                " intervals</label></div>")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in data.notes)
    sections.append(
        '<section id="leaderboard-section"><h2>Leaderboard at equal evaluations</h2>'
        f"<p>{html.escape(EQUAL_EVALUATIONS)} Click a header to sort; click a box to hide or show "
        "a strategy in every chart, its name (or double-click it in a legend) to highlight it. "
        "Each strategy has its own colour and line style, the same in every chart.</p>"
        f"{controls}{leaderboard_html(data)}"
        + (f'<ul class="notes">{notes}</ul>' if notes else "") + "</section>")
    if data.board_time is not None:
        notes_time = "".join(f"<li>{html.escape(n)}</li>" for n in data.notes_time)
        sections.append(
            '<section id="equal-time-section"><h2>Leaderboard at equal time</h2>'
            f"<p>{html.escape(EQUAL_TIME)}</p>"
            f'{leaderboard_html(data, data.board_time, "leaderboard-equal-time")}'
            + (f'<ul class="notes">{notes_time}</ul>' if notes_time else "") + "</section>")

    if data.normalized is not None and len(data.normalized):
        body = chart("normalized", normalized_figure(data.normalized, "cost", data),
                     "Mean over problems (with references) of the normalized best validation "
                     "score so far, each problem first averaged over seeds; band: 95% bootstrap "
                     "interval over problems. 1 (dashed) is the reference run's best, 0 (dotted) "
                     "a median random configuration. The curves start where every strategy has "
                     f"a value and every band is above {NORMALIZED_FLOOR:g}: over the first evaluations the mean "
                     "rests on one or two random configurations.")
        if data.normalized_time is not None and len(data.normalized_time):
            body += chart("normalized-time",
                          normalized_figure(data.normalized_time, "seconds", data),
                          "The same against the time a run has spent evaluating and suggesting "
                          "(log scale, seconds of one worker), from the time every strategy has a "
                          "result on every problem.")
        sections.append(f'<section id="curves"><h2>Normalized best-so-far</h2>{body}</section>')

    if data.convergence is not None and len(data.convergence):
        problems = list(problem_figures(data).items())
        options = "".join(f'<option value="{i}">{html.escape(p)}</option>'
                          for i, (p, _) in enumerate(problems))
        sections.append(
            '<section id="problems"><h2>Per problem</h2><p>Problem: <select id="problem">'
            f'{options}</select></p><div class="chart" id="chart-problem"></div>'
            '<p class="caption">Best validation score found so far in the problem\'s own '
            "metric and validation protocol (k-fold CV, or one fixed validation split), mean "
            "over seeds with a 95% Student-t interval over seeds.</p></section>")

    if data.heatmap is not None and data.heatmap.size:
        sections.append('<section id="heatmap"><h2>Per-problem heatmap</h2>'
                        + chart("heatmap", heatmap_figure(data), "Rows in leaderboard order.")
                        + "</section>")
    if data.runs is not None and len(data.runs):
        sections.append('<section id="timing"><h2>Timing</h2>'
                        + chart("timing", timing_figure(data),
                                "Seconds a run spent suggesting (ask and tell) against seconds "
                                "spent evaluating, log scales. Above the dashed line a strategy "
                                "costs more than the evaluations it chooses.")
                        + "</section>")
    sections.append(f'<section id="manifest"><h2>Manifest</h2>{manifest_html(data.manifest)}'
                    "</section>")
    sections.append('<section id="files"><h2>Files</h2><p><a href="README.md">README.md</a> is '
                    f"the full report with every static figure.</p>{files_html(data.files)}"
                    "</section>")
    title = f"searchbench results: suite {data.suite}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>\n{asset('page.css')}</style>"
        # plotly.js, inlined: the page must work offline, from file://
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(data.summary)}</p>"
        f'{"".join(sections)}<script type="application/octet-stream" id="page-data">'
        f"{payload(figures, problems)}</script><script>\n{asset('page.js')}</script></body></html>\n")
