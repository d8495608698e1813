"""``index.html``: the report as one self-contained, interactive page.

The page is a single file that works from ``file://`` with no network: plotly's JavaScript and
the data are inlined. It holds the leaderboard as a sortable table, the normalized best-so-far
against evaluations and time, per-problem convergence chosen from a list, the per-problem
heatmap, timing, the manifest and links to the files beside it. Plotly draws every chart; the
page's own JavaScript only sorts the table and keeps the charts and the table agreeing on which
strategies are shown and which one is highlighted.

Everything is computed from tables the report already has (aggregated curves, never trials), so
the page stays small whatever the number of trials. :func:`write_page` takes plain data
(:class:`PageData`); :func:`page_data` is the one place that reads it off a report.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio
from matplotlib.colors import to_rgb
from plotly.offline import get_plotlyjs

from bench import analysis, plots, stats
from bench.tables import summary_line

PAGE = "index.html"
TEMPLATE = "plotly_white"  # plotly's look for every chart of the page
#: Below this the normalized axes stop (as in the static figures): a curve there is worse than a
#: random configuration by more than the problem's whole random-to-best range.
NORMALIZED_FLOOR = -1.0
#: Headers of the leaderboard columns the page knows; any other column is shown under its name.
LABELS = {
    "strategy": "strategy", "normalized_score": "normalized score [95% CI]",
    "effect": "effect vs random [95% CI]",
    "normalized_test_score": "normalized test score", "mean_rank": "mean rank",
    "wilcoxon_p": "p Wilcoxon (Holm)", "sign_p": "p sign (Holm)", "problems": "problems",
    "normalized_problems": "problems with references", "runs": "runs",
    "suggest_seconds": "suggest s / run", "eval_seconds": "evaluate s / run",
}
ALPHA = 0.05  # bold p-values: the same level as bench.stats.ALPHA, passed in by page_data


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
    alpha: float = ALPHA
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


def write_page(path: Path, data: PageData) -> Path:
    """Write the page to ``path`` and return it."""
    path.write_text(render(data), encoding="utf-8")
    return path


# -- charts -------------------------------------------------------------------------------------
# Figures are plotly figure specifications (plain dicts, the JSON that plotly.js draws): building
# hundreds of traces through plotly's validating objects took most of a report's time. The tests
# check every specification against plotly's schema instead.
Figure = dict


def _css(colour) -> str:
    r, g, b = (round(255 * v) for v in to_rgb(colour))
    return f"rgb({r},{g},{b})"


def _fill(css: str, alpha: float = 0.15) -> str:
    return css.replace("rgb(", "rgba(").replace(")", f",{alpha})")


def _array(values) -> dict:
    """A plotly typed array in single precision: plenty for a chart, and a fraction of the bytes
    of a JSON list of numbers."""
    data = np.ascontiguousarray(values, dtype="<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(data.tobytes()).decode()}


def _x(values: np.ndarray) -> dict:
    """An evenly spaced axis (evaluations 1, 2, ...) as a start and a step, otherwise an array."""
    if len(values) > 2 and np.allclose(np.diff(values), values[1] - values[0]):
        return {"x0": float(values[0]), "dx": float(values[1] - values[0])}
    return {"x": _array(values)}


def _band_traces(part: pd.DataFrame, x: str, strategy: str, colour: str, show_legend: bool,
                 axes: dict | None = None, band: bool = True) -> list[dict]:
    """A strategy's interval (its low edge, then its high edge filled down to it) and its mean
    line; all carry the strategy as ``legendgroup`` so the page hides or highlights them
    together."""
    axes = axes or {}
    part = part.sort_values(x)
    xs = _x(part[x].to_numpy(dtype=float))
    common = {"type": "scatter", "mode": "lines", "legendgroup": strategy, "name": strategy,
              **xs, **axes}
    traces = []
    if band and (part["low"].notna() & part["high"].notna()).any():
        edge = {**common, "showlegend": False, "hoverinfo": "skip", "line": {"width": 0},
                "meta": "band"}
        traces.append({**edge, "y": _array(part["low"])})
        traces.append({**edge, "y": _array(part["high"]), "fill": "tonexty",
                       "fillcolor": _fill(colour)})
    traces.append({**common, "y": _array(part["mean"]), "showlegend": show_legend, "meta": "line",
                   "line": {"color": colour, "width": 2},
                   "hovertemplate": f"{html.escape(strategy)}<br>%{{x:.4g}}: %{{y:.4g}}"
                                    "<extra></extra>"})
    return traces


def _layout(title: str, height: int = 480, **more) -> dict:
    return {"title": {"text": title, "x": 0, "font": {"size": 15}}, "height": height,
            "margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "hovermode": "closest",
            "legend": {"title": {"text": "strategy (click: hide/show, double-click: highlight)"},
                       "groupclick": "togglegroup"}, **more}


def _by_strategy(frame: pd.DataFrame, order: Sequence[str]) -> list[tuple[str, pd.DataFrame]]:
    parts = dict(tuple(frame.groupby("strategy", sort=False)))
    return [(s, parts[s]) for s in order if s in parts]


def normalized_figure(band: pd.DataFrame, x: str, data: PageData) -> Figure:
    traces = []
    for strategy, part in _by_strategy(band, data.order):
        traces += _band_traces(part, x, strategy, data.colours[strategy], True)
    means = band["mean"].to_numpy(dtype=float)
    low, high = (np.nanmin(means), np.nanmax(means)) if np.isfinite(means).any() else (0.0, 1.0)
    rule = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "line": {"color": "#555",
                                                                           "width": 1}}
    timed = x == "seconds"
    return {"data": traces, "layout": _layout(
        f"Normalized best-so-far against {'time' if timed else 'evaluations'}",
        xaxis={"title": {"text": "time spent by the run (s)" if timed else
                         "evaluations (full-fidelity cost)"}, "type": "log" if timed else "-"},
        yaxis={"title": {"text": "normalized best-so-far (mean over problems)"},
               "range": [max(min(low, 0.0), NORMALIZED_FLOOR) - 0.05, max(high, 1.0) + 0.05]},
        shapes=[{**rule, "y0": 1, "y1": 1, "line": {**rule["line"], "dash": "dash"}},
                {**rule, "y0": 0, "y1": 0, "line": {**rule["line"], "dash": "dot"}}])}


def problem_figures(data: PageData) -> dict[str, Figure]:
    """One figure per problem: best-so-far against evaluations (with the interval over seeds)
    and against time (the mean only, to keep the page small)."""
    by_problem = {}
    for column, (band, x) in enumerate(((data.convergence, "cost"),
                                        (data.convergence_time, "seconds")), start=1):
        if band is None:
            continue
        axes = {"xaxis": "x2", "yaxis": "y2"} if column == 2 else {}
        for problem, mine in band.groupby("problem", sort=False):
            traces = by_problem.setdefault(problem, [])
            for strategy, part in _by_strategy(mine, data.order):
                traces += _band_traces(part, x, strategy, data.colours[strategy], column == 1,
                                       axes, band=column == 1)
    figures = {}
    for problem, traces in by_problem.items():
        metric = data.metrics.get(problem, "score")
        # the axis follows the mean lines: with three seeds a Student-t interval can span far
        # beyond them, and an axis fitted to it would flatten every line
        means = data.convergence.loc[data.convergence["problem"] == problem, "mean"]
        low, high = float(means.min()), float(means.max())
        pad = 0.08 * (high - low) if high > low else 0.05 * max(abs(high), 1e-3)
        titles = [{"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": x,
                   "y": 1.0, "xanchor": "center", "yanchor": "bottom"}
                  for text, x in (("against evaluations", 0.23),
                                  ("against time (log scale), mean only", 0.77))]
        figures[problem] = {"data": traces, "layout": _layout(
            f"{problem}: best-so-far CV {metric} (mean, 95% interval over seeds)",
            xaxis={"domain": [0, 0.46], "title": {"text": "evaluations"}, "anchor": "y"},
            yaxis={"title": {"text": f"best-so-far CV {metric}"}, "anchor": "x",
                   **({"range": [low - pad, high + pad]} if np.isfinite(low) else {})},
            xaxis2={"domain": [0.54, 1], "type": "log", "anchor": "y2",
                    "title": {"text": "time spent by the run (s)"}},
            yaxis2={"anchor": "x2"}, annotations=titles)}
    return figures


def heatmap_figure(data: PageData) -> Figure:
    table = data.heatmap
    ranks = "rank" in data.heatmap_label
    return {"data": [{
        "type": "heatmap", "z": [[None if np.isnan(v) else round(float(v), 3) for v in row]
                                 for row in table.to_numpy(dtype=float)],
        "x": list(table.columns), "y": list(table.index), "colorscale": "Viridis",
        "reversescale": ranks, "texttemplate": "%{z:.2f}",
        "colorbar": {"title": {"text": data.heatmap_label}},
        "hovertemplate": "%{y} on %{x}: %{z:.3f}<extra></extra>"}],
        "layout": _layout("Rank per problem at the budget (1 = best, on the mean best CV score "
                          "over seeds)" if ranks else "Normalized score per problem at the budget "
                          "(mean over seeds)", height=max(320, 120 + 28 * len(table)),
                          yaxis={"autorange": "reversed"}, xaxis={"tickangle": -35})}


def timing_figure(data: PageData) -> Figure:
    runs = data.runs.assign(suggest=data.runs["suggest_seconds"].clip(lower=1e-6),
                            evaluate=data.runs["eval_seconds"].clip(lower=1e-6))
    traces = []
    for strategy, part in _by_strategy(runs, data.order):
        colour, name = data.colours[strategy], html.escape(strategy)
        common = {"type": "scatter", "mode": "markers", "name": strategy, "legendgroup": strategy}
        traces.append({
            **common, "x": _array(part["evaluate"]), "y": _array(part["suggest"]),
            "marker": {"color": colour, "size": 5, "opacity": 0.4}, "showlegend": False,
            "meta": "runs", "text": list(part["problem"]),
            "hovertemplate": f"{name} on %{{text}}<br>evaluate %{{x:.3g}} s<br>suggest "
                             "%{y:.3g} s<extra></extra>"})
        traces.append({
            **common, "x": [float(part["evaluate"].median())],
            "y": [float(part["suggest"].median())], "meta": "median",
            "marker": {"color": colour, "size": 13, "line": {"width": 1, "color": "black"}},
            "hovertemplate": f"{name} median<br>evaluate %{{x:.3g}} s<br>suggest %{{y:.3g}} s"
                             "<extra></extra>"})
    lo = float(min(runs["evaluate"].min(), runs["suggest"].min())) / 2
    hi = float(max(runs["evaluate"].max(), runs["suggest"].max())) * 2
    traces.append({"type": "scatter", "mode": "lines", "x": [lo, hi], "y": [lo, hi],
                   "name": "suggest = evaluate", "hoverinfo": "skip",
                   "line": {"dash": "dash", "color": "#777", "width": 1}})
    return {"data": traces, "layout": _layout(
        "Time spent suggesting against evaluating: runs (small) and median per strategy (large)",
        xaxis={"type": "log", "title": {"text": "evaluation time per run (s)"}},
        yaxis={"type": "log", "title": {"text": "suggestion time per run (s)"}})}


# -- leaderboard table --------------------------------------------------------------------------
def _number(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    if isinstance(value, (int, np.integer)) or float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.4g}"


def _sort_key(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    return str(value)


def table_columns(board: pd.DataFrame, baseline: str | None, alpha: float) -> list[dict]:
    """The leaderboard's columns as the page shows them, each with a header, a cell text per row
    and a sort key per row. Every column of ``board`` is shown: ``X`` with ``X_low``/``X_high``
    becomes ``X [low, high]``; ``P`` with ``P_holm`` becomes ``P (Holm)``, bold below
    ``alpha``; ``<prefix>wins``/``ties``/``losses`` become one W/T/L column; anything else is
    shown by name, numbers with four significant digits."""
    names = list(board.columns)
    used: set[str] = set()
    columns = []
    rows = board.to_dict("records")
    for name in names:
        if name in used:
            continue
        used.add(name)
        values = [row[name] for row in rows]
        header = LABELS.get(name, name.replace("_", " "))
        if name == "strategy":
            continue  # its own cell, with the show/hide and highlight controls
        if f"{name}_low" in names and f"{name}_high" in names:
            used |= {f"{name}_low", f"{name}_high"}
            texts = []
            for row in rows:
                value, low, high = row[name], row[f"{name}_low"], row[f"{name}_high"]
                text = _number3(value)
                if pd.notna(value) and pd.notna(low):
                    text += f" [{_number3(low)}, {_number3(high)}]"
                texts.append(text)
            if name not in LABELS:
                header = f"{header} [interval]"
        elif name.endswith("wins") and {f"{name[:-4]}ties", f"{name[:-4]}losses"} <= set(names):
            prefix = name[:-4]
            used |= {f"{prefix}ties", f"{prefix}losses"}
            label = prefix.replace("_", " ").strip()
            header = (f"{label} W/T/L" if label else "W/T/L") + (f" vs {baseline}" if baseline
                                                                 else "")
            texts = ["–" if pd.isna(row[name]) else
                     f"{row[name]}/{row[f'{prefix}ties']}/{row[f'{prefix}losses']}"
                     for row in rows]
            if baseline:
                texts = ["(baseline)" if row["strategy"] == baseline and text == "–" else text
                         for row, text in zip(rows, texts)]
        elif f"{name}_holm" in names:
            used.add(f"{name}_holm")
            texts = []
            for row in rows:
                p, holm = row[name], row[f"{name}_holm"]
                if pd.isna(p):
                    texts.append("–")
                    continue
                text = f"{p:.3g}" + (f" ({holm:.3g})" if pd.notna(holm) else "")
                texts.append(f"<b>{text}</b>" if pd.notna(holm) and holm < alpha else text)
        elif not pd.api.types.is_numeric_dtype(board[name]):
            texts = [html.escape("–" if v is None or v != v else str(v)) for v in values]
        elif name in ("normalized_test_score", "mean_rank"):
            texts = [_number3(v) for v in values]
        else:
            texts = [_number(v) for v in values]
        columns.append({"name": name, "header": header, "texts": texts,
                        "keys": [_sort_key(v) for v in values]})
    return columns


def _number3(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.3f}"


def leaderboard_html(data: PageData) -> str:
    board = data.board
    if board.empty:
        return "<p>No complete run yet.</p>"
    columns = table_columns(board, data.baseline, data.alpha)
    head = ['<th data-type="num">#</th>', '<th title="click the box to hide or show, the name to '
            'highlight">strategy</th>']
    head += [f'<th title="{html.escape(c["name"])}">{html.escape(c["header"])}</th>'
             for c in columns]
    body = []
    for i, strategy in enumerate(board["strategy"]):
        colour = data.colours.get(strategy, "#333")
        name = html.escape(strategy)
        cells = [f'<td data-v="{i + 1}">{i + 1}</td>',
                 f'<td data-v="{name}"><label><input type="checkbox" class="show" checked '
                 f'aria-label="show {name}"> <span class="swatch" style="background:{colour}">'
                 f'</span></label> <button class="hl" type="button">{name}</button></td>']
        cells += [f'<td data-v="{html.escape(c["keys"][i])}">{c["texts"][i]}</td>'
                  for c in columns]
        body.append(f'<tr data-strategy="{name}">{"".join(cells)}</tr>')
    return (f'<div class="scroll"><table id="leaderboard"><thead><tr>{"".join(head)}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table></div>')


# -- manifest and files -------------------------------------------------------------------------
def manifest_html(manifest: Mapping) -> str:
    if not manifest:
        return "<p>No manifest.</p>"
    catalogue = manifest.get("catalogue", {})
    source = manifest.get("source") or {}
    machine = manifest.get("machine", {})
    suite = manifest.get("suite", {})
    installed = (manifest.get("packages") or {}).get("installed", {})
    commit = source.get("commit") or "(not a git checkout)"
    if source.get("uncommitted_changes"):
        commit += " (with uncommitted changes)"
    facts = [
        ("searchbench", manifest.get("searchbench")), ("written", manifest.get("created")),
        ("commit", commit), ("catalogue", catalogue.get("version")),
        ("fingerprint", catalogue.get("fingerprint")),
        ("budget", f"{suite.get('budget')} {suite.get('budget_unit', '')}"),
        ("seeds", len(suite.get("seeds", []))),
        ("strategies", ", ".join(f"{s['name']} ({s.get('library') or '-'} "
                                 f"{s.get('library_version') or ''})".replace(" )", ")")
                                 for s in manifest.get("strategies", []))),
        ("machine", f"{machine.get('cpu')}, {machine.get('cores')} cores, {machine.get('os')}, "
                    f"Python {machine.get('python')}"),
        ("libraries", ", ".join(f"{k} {v}" for k, v in installed.items()
                                if k.lower() in ("numpy", "pandas", "scipy", "scikit-learn",
                                                 "plotly", "optuna", "smac", "hyperopt"))),
    ]
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in facts if v not in (None, ""))
    full = html.escape(json.dumps(manifest, indent=2, default=str))
    return (f'<table class="facts">{rows}</table><details><summary>the whole '
            f'<a href="manifest.json">manifest.json</a></summary><pre>{full}</pre></details>')


FILE_KINDS = (("report", ("README.md", "manifest.json")),
              ("tables", (".csv", ".csv.gz", ".parquet", ".md", ".tex")),
              ("figures (PDF)", (".pdf",)), ("figures (PNG)", (".png",)), ("other", ("",)))


def files_html(files: Sequence[str]) -> str:
    if not files:
        return "<p>No files.</p>"
    items, seen = [], set()
    for kind, suffixes in FILE_KINDS:
        mine = [f for f in files if f not in seen and any(f.endswith(s) for s in suffixes)]
        seen.update(mine)
        if mine:
            links = " ".join(f'<a href="{html.escape(f)}">{html.escape(f)}</a>' for f in mine)
            items.append(f"<li>{kind}: {links}</li>")
    return f'<ul class="files">{"".join(items)}</ul>'


# -- the page -----------------------------------------------------------------------------------
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
                '<button type="button" id="hide-all">hide all</button></div>')
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in data.notes)
    sections.append(
        '<section id="leaderboard-section"><h2>Leaderboard</h2>'
        "<p>Click a header to sort; click a box to hide or show a strategy in every chart, "
        "its name (or double-click it in a legend) to highlight it.</p>"
        f"{controls}{leaderboard_html(data)}"
        + (f'<ul class="notes">{notes}</ul>' if notes else "") + "</section>")

    if data.normalized is not None and len(data.normalized):
        body = chart("normalized", normalized_figure(data.normalized, "cost", data),
                     "Mean over problems (with references) of the normalized best CV score so "
                     "far, each problem first averaged over seeds; band: 95% bootstrap interval "
                     "over problems. 1 (dashed) is the reference run's best, 0 (dotted) a median "
                     "random configuration.")
        if data.normalized_time is not None and len(data.normalized_time):
            body += chart("normalized-time",
                          normalized_figure(data.normalized_time, "seconds", data),
                          "The same against the time a run has spent evaluating and suggesting "
                          "(log scale, seconds of one worker).")
        sections.append(f'<section id="curves"><h2>Normalized best-so-far</h2>{body}</section>')

    if data.convergence is not None and len(data.convergence):
        problems = list(problem_figures(data).items())
        options = "".join(f'<option value="{i}">{html.escape(p)}</option>'
                          for i, (p, _) in enumerate(problems))
        sections.append(
            '<section id="problems"><h2>Per problem</h2><p>Problem: <select id="problem">'
            f'{options}</select></p><div class="chart" id="chart-problem"></div>'
            '<p class="caption">Best CV score found so far in the problem\'s own metric, mean '
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
        f"<style>{CSS}</style>"
        # plotly.js, inlined: the page must work offline, from file://
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(data.summary)}</p>"
        f'{"".join(sections)}<script type="application/octet-stream" id="page-data">'
        f"{payload(figures, problems)}</script><script>{GLUE}</script></body></html>\n")


CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f5f5f5; }
#leaderboard th { cursor: pointer; user-select: none; }
#leaderboard th.asc::after { content: " ▲"; } #leaderboard th.desc::after { content: " ▼"; }
#leaderboard td:nth-child(2), #leaderboard th:nth-child(2) { text-align: left; }
#leaderboard tr.hidden td { opacity: 0.4; }
#leaderboard tr.highlighted td { background: #fff4c2; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle;
          border-radius: 2px; }
button.hl { border: none; background: none; padding: 0; cursor: pointer; font: inherit;
            color: inherit; }
button.hl:hover { text-decoration: underline; }
.scroll { overflow-x: auto; }
.controls { margin: 0.5em 0; font-size: 0.9em; }
.chart { width: 100%; min-height: 320px; }
.caption { font-size: 0.85em; color: #555; max-width: 70em; }
table.facts th, table.facts td { text-align: left; white-space: normal; }
pre { font-size: 0.75em; max-height: 30em; overflow: auto; background: #f8f8f8; padding: 0.5em; }
ul.files li { margin: 0.3em 0; } ul.files a { margin-right: 0.6em; }
"""

# Glue only: sorting the table, and one shared state of hidden / highlighted strategies that
# every chart and the table follow. Plotly draws everything.
GLUE = r"""
(function () {
  const hidden = new Set();
  let highlight = "";
  const config = {responsive: true, displaylogo: false, doubleClickDelay: 300};
  const charts = [];
  async function unpack() {
    const text = atob(document.getElementById("page-data").textContent.trim());
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  function styleChart(gd) {
    const idx = [], visible = [], opacity = [], width = [];
    gd.data.forEach((t, i) => {
      const s = t.legendgroup;
      if (!s) return;
      idx.push(i);
      visible.push(hidden.has(s) ? "legendonly" : true);
      opacity.push(highlight && highlight !== s ? 0.2 : 1);
      const base = t.meta === "line" ? 2 : (t.meta === "band" ? 0 : null);
      width.push(base === 2 && highlight === s ? 4.5 : base);
    });
    if (!idx.length) return Promise.resolve();
    return Plotly.restyle(gd, {visible: visible, opacity: opacity, "line.width": width}, idx);
  }
  function refresh() {
    charts.forEach(styleChart);
    document.querySelectorAll("#leaderboard tbody tr").forEach((row) => {
      const s = row.dataset.strategy;
      row.classList.toggle("hidden", hidden.has(s));
      row.classList.toggle("highlighted", highlight === s);
      row.querySelector("input.show").checked = !hidden.has(s);
    });
    const select = document.getElementById("highlight");
    if (select) select.value = highlight;
  }
  function toggle(s) { if (hidden.has(s)) hidden.delete(s); else hidden.add(s); refresh(); }
  function setHighlight(s) { highlight = highlight === s ? "" : s; refresh(); }
  window.searchbench = {hidden: hidden, toggle: toggle, setHighlight: setHighlight,
                        charts: charts, highlighted: () => highlight};

  function attach(gd) {
    charts.push(gd);
    // Like plotly itself, act on a single click only once no second click has come: acting at
    // once would redraw the legend and plotly would never see the double click.
    let pending = null;
    gd.on("plotly_legendclick", (ev) => {
      const s = ev.data[ev.curveNumber].legendgroup;
      if (!s) return;
      clearTimeout(pending);
      pending = setTimeout(() => { pending = null; toggle(s); }, config.doubleClickDelay);
      return false;
    });
    gd.on("plotly_legenddoubleclick", (ev) => {
      const s = ev.data[ev.curveNumber].legendgroup;
      if (!s) return;
      clearTimeout(pending);
      pending = null;
      setHighlight(s);
      return false;
    });
  }
  unpack().then((data) => {
    const withTemplate = (fig) => Object.assign(fig, {
      layout: Object.assign(fig.layout, {template: data.template})});
    document.querySelectorAll(".chart[data-figure]").forEach((div) => {
      const fig = withTemplate(data.figures[div.dataset.figure]);
      Plotly.newPlot(div, fig.data, fig.layout, config).then(attach);
    });
    const problem = document.getElementById("problem");
    if (!problem) return;
    // plotly decodes typed arrays in place, so each drawing starts from a fresh copy
    const specs = data.problems.map((p) => JSON.stringify(p.figure));
    const div = document.getElementById("chart-problem");
    const show = () => {
      const fig = withTemplate(JSON.parse(specs[Number(problem.value)]));
      return Plotly.react(div, fig.data, fig.layout, config).then(styleChart);
    };
    show().then(() => attach(div));
    problem.addEventListener("change", show);
  });

  const table = document.getElementById("leaderboard");
  if (table) {
    table.querySelectorAll("tbody tr").forEach((row) => {
      const s = row.dataset.strategy;
      row.querySelector("input.show").addEventListener("change", () => toggle(s));
      row.querySelector("button.hl").addEventListener("click", () => setHighlight(s));
    });
    table.querySelectorAll("thead th").forEach((th, column) => {
      th.addEventListener("click", () => {
        const descending = th.classList.contains("asc");
        table.querySelectorAll("thead th").forEach((h) => h.classList.remove("asc", "desc"));
        th.classList.add(descending ? "desc" : "asc");
        const body = table.tBodies[0];
        const key = (row) => row.cells[column].dataset.v;
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          if (x === "" || y === "") return (x === "") - (y === "");  // blanks last
          const nx = Number(x), ny = Number(y);
          const order = isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny;
          return descending ? -order : order;
        });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  }
  const select = document.getElementById("highlight");
  if (select) select.addEventListener("change", () => { highlight = select.value; refresh(); });
  const all = (show) => () => {
    document.querySelectorAll("#leaderboard tbody tr").forEach((row) => {
      if (show) hidden.delete(row.dataset.strategy); else hidden.add(row.dataset.strategy);
    });
    refresh();
  };
  const showAll = document.getElementById("show-all");
  if (showAll) showAll.addEventListener("click", all(true));
  const hideAll = document.getElementById("hide-all");
  if (hideAll) hideAll.addEventListener("click", all(false));
})();
"""
