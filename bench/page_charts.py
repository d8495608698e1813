"""The charts of ``index.html``, as plotly figure specifications built from :class:`PageData`:
normalized best-so-far against evaluations and time, per-problem convergence, the per-problem
heatmap and timing."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import numpy as np
import pandas as pd

from bench.page_data import PageData
from bench.plots import NORMALIZED_FLOOR

# Figures are plotly figure specifications (plain dicts, the JSON that plotly.js draws): building
# hundreds of traces through plotly's validating objects took most of a report's time. The tests
# check every specification against plotly's schema instead.
Figure = dict
#: A marker symbol per line style, so that markers of strategies sharing a colour differ too.
SYMBOLS = {"solid": "circle", "dash": "square", "dot": "diamond", "dashdot": "triangle-up",
           "longdash": "cross"}

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


def _band_traces(part: pd.DataFrame, x: str, strategy: str, data: PageData, show_legend: bool,
                 axes: dict | None = None, band: bool = True) -> list[dict]:
    """A strategy's interval (its low edge, then its high edge filled down to it) and its mean
    line in the strategy's colour and dash; all carry the strategy as ``legendgroup`` so the
    page hides or highlights them together."""
    colour = data.colours[strategy]
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
                   "line": {"color": colour, "width": 2,
                            "dash": data.dashes.get(strategy, "solid")},
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


def curve_start(band: pd.DataFrame, x: str, floor: float = NORMALIZED_FLOOR) -> float | None:
    """Where the normalized curves start: the first ``x`` from which every strategy has a value
    and every band stays above ``floor``. Before it the means rest on a few first evaluations
    (or, against time, on some strategies only), which would plunge to the floor and flatten
    the rest. If no such ``x`` exists, the first one where every strategy has a value; None for
    an empty table."""
    values = band.dropna(subset=["mean"])
    if values.empty:
        return None
    starts, above = [], []
    for _, part in values.groupby("strategy", sort=False):
        starts.append(float(part[x].min()))
        low = part["low"].fillna(part["mean"])
        # from the last point at or below the floor on, the band stays above it
        below = part.loc[low <= floor, x]
        after = part.loc[part[x] > below.max(), x] if len(below) else part[x]
        above.append(float(after.min()) if len(after) else np.inf)
    start = max(starts)
    return max(start, max(above)) if np.isfinite(max(above)) else start


def log_ticks(low: float, high: float, unit: str = "s") -> dict:
    """Explicit ticks for a log axis from ``low`` to ``high``: 1, 2 and 5 times each power of
    ten when the axis spans at most about three decades, the powers of ten alone beyond, every
    digit on an axis too narrow for three such ticks; each labelled as a plain number with its
    unit ("0.2 s", "10 s"), where plotly would print bare digits ("2 5 0.1 2 5 1")."""
    low = max(float(low), 1e-12)
    high = max(float(high), low * 1.0001)
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))

    def within(steps):
        return [m * 10.0 ** e for e in range(first, last + 1) for m in steps
                if low / 1.0001 <= m * 10.0 ** e <= high * 1.0001]

    values = within((1, 2, 5) if np.log10(high / low) <= 3.5 else (1,))
    if len(values) < 3:
        values = within(range(1, 10)) or [low, high]
    values = [float(f"{v:.3g}") for v in values]
    return {"tickmode": "array", "tickvals": values,
            "ticktext": [f"{v:g} {unit}".strip() for v in values]}


def _log_axis(values: np.ndarray, unit: str = "s", **more) -> dict:
    """A log axis over ``values`` with :func:`log_ticks`; its range pads a little either side."""
    finite = values[np.isfinite(values) & (values > 0)]
    if not finite.size:
        return {"type": "log", **more}
    low, high = float(finite.min()), float(finite.max())
    pad = 0.03 * max(np.log10(high / low), 0.1)
    return {"type": "log", "range": [np.log10(low) - pad, np.log10(high) + pad],
            **log_ticks(low, high, unit), **more}


def normalized_figure(band: pd.DataFrame, x: str, data: PageData) -> Figure:
    """Mean normalized best-so-far over problems against ``x`` (``cost`` or ``seconds``), from
    :func:`curve_start` on; the axis title says where the curves start when it cuts."""
    start = curve_start(band, x)
    cut = start is not None and start > float(band[x].min())
    if start is not None:
        band = band[band[x] >= start]
    traces = []
    for strategy, part in _by_strategy(band, data.order):
        traces += _band_traces(part, x, strategy, data, True)
    means = band["mean"].to_numpy(dtype=float)
    low, high = (np.nanmin(means), np.nanmax(means)) if np.isfinite(means).any() else (0.0, 1.0)
    rule = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "line": {"color": "#555",
                                                                           "width": 1}}
    timed = x == "seconds"
    title = {"text": ("time spent by the run (s)" if timed else "evaluations (full-fidelity cost)")
             + (f", from {start:.3g}{' s' if timed else ''}, where every strategy has a value "
                f"and every band is above {NORMALIZED_FLOOR:g}" if cut else "")}
    xaxis = (_log_axis(band[x].to_numpy(dtype=float), title=title) if timed else
             {"title": title, "type": "-"})
    return {"data": traces, "layout": _layout(
        f"Normalized best-so-far against {'time' if timed else 'evaluations'}",
        xaxis=xaxis,
        yaxis={"title": {"text": "normalized best-so-far (mean over problems)"},
               "range": [max(min(low, 0.0), NORMALIZED_FLOOR) - 0.05, max(high, 1.0) + 0.05]},
        shapes=[{**rule, "y0": 1, "y1": 1, "line": {**rule["line"], "dash": "dash"}},
                {**rule, "y0": 0, "y1": 0, "line": {**rule["line"], "dash": "dot"}}])}


def problem_title(data: PageData, problem: str) -> tuple[str, str]:
    """A problem's chart title and score axis title, naming its own metric and how it is
    validated (k-fold CV, or the one validation split of the deep problems)."""
    metric = data.metrics.get(problem, "score")
    protocol = data.protocols.get(problem, "")
    how = f" ({protocol})" if protocol else ""
    axis = f"best-so-far {metric}"
    # plotly never wraps an axis title: a long metric goes on a line of its own
    axis += f"<br>{protocol}" if protocol and len(axis + how) > 45 else how
    return f"{problem}: best-so-far {metric}{how}, mean and 95% interval over seeds", axis


def problem_figures(data: PageData) -> dict[str, Figure]:
    """One figure per problem: best-so-far against evaluations (with the interval over seeds)
    and against time (the mean only, to keep the page small)."""
    by_problem, seconds = {}, {}
    for column, (band, x) in enumerate(((data.convergence, "cost"),
                                        (data.convergence_time, "seconds")), start=1):
        if band is None:
            continue
        axes = {"xaxis": "x2", "yaxis": "y2"} if column == 2 else {}
        for problem, mine in band.groupby("problem", sort=False):
            traces = by_problem.setdefault(problem, [])
            if column == 2:
                seconds[problem] = mine.loc[mine["mean"].notna(), x].to_numpy(dtype=float)
            for strategy, part in _by_strategy(mine, data.order):
                traces += _band_traces(part, x, strategy, data, column == 1, axes,
                                       band=column == 1)
    figures = {}
    for problem, traces in by_problem.items():
        title, axis = problem_title(data, problem)
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
            title,
            xaxis={"domain": [0, 0.46], "title": {"text": "evaluations"}, "anchor": "y"},
            yaxis={"title": {"text": axis}, "anchor": "x",
                   **({"range": [low - pad, high + pad]} if np.isfinite(low) else {})},
            xaxis2=_log_axis(seconds.get(problem, np.array([])), domain=[0.54, 1], anchor="y2",
                             title={"text": "time spent by the run (s)"}),
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
        "layout": _layout("Rank per problem at the budget (1 = best, on the mean best validation score "
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
            "marker": {"color": colour, "size": 13, "line": {"width": 1, "color": "black"},
                       "symbol": SYMBOLS[data.dashes.get(strategy, "solid")]},
            "hovertemplate": f"{name} median<br>evaluate %{{x:.3g}} s<br>suggest %{{y:.3g}} s"
                             "<extra></extra>"})
    lo = float(min(runs["evaluate"].min(), runs["suggest"].min())) / 2
    hi = float(max(runs["evaluate"].max(), runs["suggest"].max())) * 2
    traces.append({"type": "scatter", "mode": "lines", "x": [lo, hi], "y": [lo, hi],
                   "name": "suggest = evaluate", "hoverinfo": "skip",
                   "line": {"dash": "dash", "color": "#777", "width": 1}})
    return {"data": traces, "layout": _layout(
        "Time spent suggesting against evaluating: runs (small) and median per strategy (large)",
        xaxis=_log_axis(runs["evaluate"].to_numpy(dtype=float),
                        title={"text": "evaluation time per run (s)"}),
        yaxis=_log_axis(runs["suggest"].to_numpy(dtype=float),
                        title={"text": "suggestion time per run (s)"}))}
