"""Figures, drawn with seaborn; one colour per strategy, the same in every figure.

Each function takes tables that :mod:`bench.analysis` and :mod:`bench.stats` have already
computed (means and bands), draws one figure and saves it as PNG and PDF. Nothing here computes a
statistic, so what a figure shows is what the report's tables say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scikit_posthocs as sp  # noqa: E402
import seaborn as sns  # noqa: E402

from bench.stats import ALPHA, BASELINE  # noqa: E402

Colours = Mapping[str, tuple]
#: The baseline is dark grey in every figure, so the eye finds it at once.
BASELINE_COLOUR = (0.25, 0.25, 0.25)
DPI = 120
PANEL_COLUMNS = 3
#: The normalized axes stop here: below it a curve is worse than a random configuration by more
#: than the problem's whole random-to-best range.
NORMALIZED_FLOOR = -1.0


#: Colours handed out in strategy-name order: tab10 without its grey (the baseline's), then navy
#: and a dark teal; all stay apart on white and from the baseline's dark grey.
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf", "#000080", "#006d5b")
#: Line styles, by plotly's names, each used once per colour before the next one starts: 11
#: colours times 5 styles keep up to 55 strategies apart (30 within the first three styles).
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
#: The same styles for matplotlib.
MPL_DASHES = {"solid": "-", "dash": "--", "dot": ":", "dashdot": "-.", "longdash": (0, (8, 3))}


class Palette(dict):
    """A colour (an RGB tuple, what matplotlib and seaborn take) per strategy, and in
    :attr:`dashes` its line style (a name of :data:`DASHES`): a strategy's colour and style
    together are its own, so strategies that share a colour differ in style."""

    def __init__(self, colours: Mapping[str, tuple], dashes: Mapping[str, str]):
        super().__init__(colours)
        self.dashes = dict(dashes)

    def dash(self, strategy: str) -> str:
        return self.dashes.get(strategy, "solid")


def palette(strategies: Sequence[str]) -> Palette:
    """A fixed colour and line style per strategy, assigned in name order so every figure and
    the page agree; the grey shades are kept for the baseline. Neighbours in name order (often
    one library's strategies) get different colours; the style changes only once every colour
    has been used."""
    names = sorted(set(strategies))
    others = [n for n in names if n != BASELINE]
    colours = {n: to_rgb(COLOURS[i % len(COLOURS)]) for i, n in enumerate(others)}
    dashes = {n: DASHES[i // len(COLOURS) % len(DASHES)] for i, n in enumerate(others)}
    if BASELINE in names:
        colours[BASELINE], dashes[BASELINE] = BASELINE_COLOUR, "solid"
    return Palette(colours, dashes)


def _ls(colours: Colours, strategy: str):
    """The strategy's matplotlib line style (solid when ``colours`` is a plain mapping)."""
    dash = colours.dash(strategy) if isinstance(colours, Palette) else "solid"
    return MPL_DASHES[dash]


def save(figure: plt.Figure, out: Path, stem: str) -> list[Path]:
    """``stem``.png and ``stem``.pdf in ``out``; the PDF carries no creation date, so the same
    data give the same file."""
    paths = [out / f"{stem}.png", out / f"{stem}.pdf"]
    figure.savefig(paths[0], dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    figure.savefig(paths[1], bbox_inches="tight", metadata={"CreationDate": None, "Creator": None,
                                                             "Producer": None})
    plt.close(figure)
    return paths


def _style():
    return sns.axes_style("whitegrid")


def _legend(figure: plt.Figure, colours: Colours, names: Sequence[str], **kwargs) -> None:
    handles = [plt.Line2D([], [], color=colours[n], ls=_ls(colours, n), lw=2, label=n)
               for n in names]
    figure.legend(handles=handles, title="strategy", loc="center left", bbox_to_anchor=(1.0, 0.5),
                  frameon=False, **kwargs)


def _panels(n: int, width: float = 4.0, height: float = 3.0, columns: int = PANEL_COLUMNS):
    cols = min(columns, n)
    rows = int(np.ceil(n / cols))
    figure, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return figure, list(axes.flat[:n])


def _band_lines(ax: plt.Axes, band: pd.DataFrame, x: str, colours: Colours,
                order: Sequence[str]) -> None:
    """A mean line and a shaded interval per strategy (columns ``mean``, ``low``, ``high``)."""
    alpha = 0.13 if len(order) <= 6 else 0.06  # many overlapping bands turn into fog
    for strategy in order:
        part = band[band["strategy"] == strategy]
        if part.empty:
            continue
        colour = colours[strategy]
        ax.plot(part[x].to_numpy(), part["mean"].to_numpy(), color=colour, lw=1.6,
                ls=_ls(colours, strategy), label=strategy)
        ax.fill_between(part[x].to_numpy(), part["low"].to_numpy(), part["high"].to_numpy(),
                        color=colour, alpha=alpha, lw=0)


def _log_counts(ax: plt.Axes) -> None:
    """A log x axis of evaluation counts, labelled with plain numbers."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


def _focus(ax: plt.Axes, means: pd.Series) -> None:
    """Vertical limits on where the mean curves spend their time: the first few evaluations of a
    run (and intervals over three to five seeds) can span far more than the differences that
    matter, so the lowest 5% of the means and the bands beyond the means are cut off."""
    values = means.dropna().to_numpy()
    if values.size == 0:
        return
    low, high = np.quantile(values, 0.05), values.max()
    pad = (high - low) * 0.08 or abs(high) * 0.01 or 0.01
    ax.set_ylim(low - pad, high + pad)


# -- figures ------------------------------------------------------------------------------------
def per_problem_curves(band: pd.DataFrame, x: str, titles: Mapping[str, str], colours: Colours,
                       order: Sequence[str], out: Path, stem: str, xlabel: str, log_x: bool = False,
                       suptitle: str = "") -> list[Path]:
    """Best-so-far CV score per problem: mean line and interval band per strategy."""
    problems = list(dict.fromkeys(band["problem"]))
    with _style():
        figure, axes = _panels(len(problems))
        for ax, problem in zip(axes, problems):
            part = band[band["problem"] == problem]
            _band_lines(ax, part, x, colours, order)
            _focus(ax, part["mean"])
            ax.set_title(problem, fontsize=10)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(f"best CV {titles.get(problem, 'score')} so far")
            if log_x:
                ax.set_xscale("log")
            else:
                ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        _legend(figure, colours, order)
        figure.suptitle(suptitle, y=1.0)
        figure.tight_layout()
    return save(figure, out, stem)


def normalized_curves(by_cost: pd.DataFrame, by_time: pd.DataFrame, colours: Colours,
                      order: Sequence[str], problems: int, out: Path,
                      stem: str = "normalized_convergence") -> list[Path]:
    """Mean normalized best-so-far over problems, against evaluations and against time."""
    with _style():
        figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
        _band_lines(left, by_cost, "cost", colours, order)
        left.set_xlabel("compute (full-evaluation equivalents)")
        left.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        left.set_ylabel("normalized best score so far\n(0 = random configuration, 1 = reference best)")
        _band_lines(right, by_time, "seconds", colours, order)
        right.set_xscale("log")
        right.set_xlabel("time spent by the run (evaluation + suggestion, s)")
        means = pd.concat([by_cost["mean"], by_time["mean"]]).dropna()
        if len(means):
            # a few first evaluations far below a random configuration would flatten the rest
            low = max(NORMALIZED_FLOOR, min(-0.05, float(np.quantile(means, 0.05)) - 0.05))
            left.set_ylim(low, max(1.05, float(means.max()) + 0.05))
        for ax in (left, right):
            ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
            ax.axhline(0.0, color="0.5", lw=0.8, ls=":")
        figure.suptitle(f"Normalized best-so-far, mean over {problems} problems "
                        "(95% bootstrap interval over problems)")
        _legend(figure, colours, order)
        figure.tight_layout()
    return save(figure, out, stem)


def average_rank(ranks: pd.DataFrame, colours: Colours, order: Sequence[str], problems: int,
                 out: Path, stem: str = "average_rank") -> list[Path]:
    """Mean rank over problems (1 = best) against evaluations."""
    with _style():
        figure, ax = plt.subplots(figsize=(7, 4))
        for strategy in order:
            part = ranks[ranks["strategy"] == strategy]
            ax.plot(part["cost"], part["mean_rank"], color=colours[strategy], lw=1.8,
                    ls=_ls(colours, strategy), label=strategy)
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        ax.set_xlabel("compute (full-evaluation equivalents)")
        ax.set_ylabel("mean rank over problems (1 = best)")
        ax.set_title(f"Average rank of the best-so-far score ({problems} problems)")
        _legend(figure, colours, order)
        figure.tight_layout()
    return save(figure, out, stem)


def heatmap(table: pd.DataFrame, colours: Colours, out: Path, title: str, label: str,
            fmt: str = ".2f", cmap: str = "viridis", reverse: bool = False,
            stem: str = "heatmap") -> list[Path]:
    """A (strategy x problem) table as an annotated heatmap; strategy names in their colours.
    The colours span the values shown, so small differences stay visible; the annotations give
    the numbers."""
    with _style():
        figure, ax = plt.subplots(figsize=(3.0 + 0.75 * table.shape[1], 1.8 + 0.42 * table.shape[0]))
        sns.heatmap(table, annot=True, fmt=fmt, cmap=f"{cmap}_r" if reverse else cmap,
                    linewidths=0.5, linecolor="white", ax=ax,
                    cbar_kws={"label": label}, annot_kws={"fontsize": 8})
        ax.set_xlabel("problem")
        ax.set_ylabel("strategy")
        ax.set_title(title)
        plt.setp(ax.get_xticklabels(), rotation=40, ha="right")
        plt.setp(ax.get_yticklabels(), rotation=0)
        for tick in ax.get_yticklabels():
            tick.set_color(colours.get(tick.get_text(), "black"))
        figure.tight_layout()
    return save(figure, out, stem)


def ecdf(shares: pd.DataFrame, colours: Colours, order: Sequence[str], pairs: int, out: Path,
         stem: str = "ecdf") -> list[Path]:
    """Share of (problem, seed) pairs that reached each target by each cost, one panel a target
    (column ``target``: a label), COCO style."""
    targets = list(dict.fromkeys(shares["target"]))
    with _style():
        figure, axes = _panels(len(targets), width=3.4, height=3.0, columns=4)
        for ax, target in zip(axes, targets):
            part = shares[shares["target"] == target]
            for strategy in order:
                line = part[part["strategy"] == strategy]
                ax.step(line["cost"], line["share"], where="post", color=colours[strategy], lw=1.6,
                        ls=_ls(colours, strategy))
            _log_counts(ax)
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(target, fontsize=10)
            ax.set_xlabel("compute (full-evaluation equivalents)")
            ax.set_ylabel("share of (problem, seed) pairs")
        _legend(figure, colours, order)
        figure.suptitle(f"Fixed-target ECDF: share of {pairs} (problem, seed) pairs per strategy "
                        "whose normalized best score reached the target", y=1.0)
        figure.tight_layout()
    return save(figure, out, stem)


def overfitting(runs: pd.DataFrame, titles: Mapping[str, str], colours: Colours,
                order: Sequence[str], out: Path, stem: str = "overfitting") -> list[Path]:
    """CV score against holdout test score of each run's final incumbent, a panel per problem."""
    problems = list(dict.fromkeys(runs["problem"]))
    with _style():
        figure, axes = _panels(len(problems), width=3.8, height=3.4)
        for ax, problem in zip(axes, problems):
            part = runs[runs["problem"] == problem].dropna(subset=["best_score", "best_test_score"])
            sns.scatterplot(data=part, x="best_score", y="best_test_score", hue="strategy",
                            hue_order=[s for s in order if s in set(part["strategy"])],
                            palette=colours, ax=ax, s=34, alpha=0.75, edgecolor="white",
                            linewidth=0.6, legend=False)
            if not part.empty:
                low = min(part["best_score"].min(), part["best_test_score"].min())
                high = max(part["best_score"].max(), part["best_test_score"].max())
                pad = (high - low) * 0.05 or 0.01
                ax.plot([low - pad, high + pad], [low - pad, high + pad], color="0.5", lw=0.8,
                        ls="--")
            metric = titles.get(problem, "score")
            ax.set_title(problem, fontsize=10)
            ax.set_xlabel(f"CV {metric} of the incumbent")
            ax.set_ylabel(f"holdout test {metric}")
        _legend(figure, colours, order)
        figure.suptitle("Validation over-fitting: final incumbents (one point per run); below the "
                        "dashed line the test score is worse than the CV score promised", y=1.0)
        figure.tight_layout()
    return save(figure, out, stem)


def timing(runs: pd.DataFrame, colours: Colours, order: Sequence[str], out: Path,
           stem: str = "timing") -> list[Path]:
    """Seconds spent suggesting against seconds spent evaluating, per run and per strategy."""
    with _style():
        figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2),
                                             gridspec_kw={"width_ratios": [1.2, 1]})
        data = runs.assign(suggest=runs["suggest_seconds"].clip(lower=1e-6),
                           evaluate=runs["eval_seconds"].clip(lower=1e-6))
        sns.scatterplot(data=data, x="evaluate", y="suggest", hue="strategy", hue_order=order,
                        palette=colours, ax=left, s=14, alpha=0.35, legend=False)
        medians = data.groupby("strategy")[["evaluate", "suggest"]].median().reindex(order)
        left.scatter(medians["evaluate"], medians["suggest"], c=[colours[s] for s in order], s=90,
                     edgecolor="black", zorder=3)
        left.set_xscale("log")
        left.set_yscale("log")
        lo = min(data["evaluate"].min(), data["suggest"].min()) / 2
        hi = max(data["evaluate"].max(), data["suggest"].max()) * 2
        left.plot([lo, hi], [lo, hi], color="0.4", lw=0.8, ls="--")
        left.plot([lo, hi], [lo / 10, hi / 10], color="0.6", lw=0.8, ls=":")
        left.set_xlim(lo, hi)
        left.set_ylim(lo, hi)
        left.set_xlabel("evaluation time per run (s)")
        left.set_ylabel("suggestion time per run (s)")
        left.set_title("Per run (small) and median per strategy (large);\n"
                       "dashed: suggesting = evaluating, dotted: 1/10", fontsize=9)
        share = (data.groupby("strategy")["suggest"].sum()
                 / (data.groupby("strategy")["suggest"].sum()
                    + data.groupby("strategy")["evaluate"].sum())).reindex(order)
        sns.barplot(x=share.to_numpy() * 100, y=list(share.index), hue=list(share.index),
                    palette=colours, ax=right, legend=False, orient="h")
        for position, value in enumerate(share.to_numpy() * 100):
            right.text(min(value, 80) + 1.5, position, f"{value:.2g}%", va="center", fontsize=9)
        right.set_xlabel("share of the run's time spent suggesting (%)")
        right.set_ylabel("")
        right.set_xlim(0, 100)
        for tick in right.get_yticklabels():
            tick.set_color(colours.get(tick.get_text(), "black"))
        figure.suptitle("Time spent suggesting vs evaluating")
        figure.tight_layout()
    return save(figure, out, stem)


def critical_difference(mean_ranks: pd.Series, pvalues: pd.DataFrame, colours: Colours,
                        title: str, out: Path, stem: str = "critical_difference") -> list[Path]:
    """Critical-difference diagram: mean ranks, and bars joining strategies the post-hoc test
    cannot tell apart."""
    with _style():
        figure, ax = plt.subplots(figsize=(8, 1.6 + 0.28 * len(mean_ranks)))
        drawn = sp.critical_difference_diagram(
            mean_ranks, pvalues, ax=ax, alpha=ALPHA,
            color_palette={s: colours[s] for s in mean_ranks.index},
            label_fmt_left="{label} ({rank:.2f})", label_fmt_right="({rank:.2f}) {label}",
        )
        # scikit-posthocs draws each crossbar through its strategies in the order of a Python set,
        # which changes with string hashing from one process to the next: the same bar, drawn
        # back and forth, gives other pixels. Left to right, the figure's bytes reproduce.
        for lines in drawn["crossbars"]:
            for line in lines:
                line.set_xdata(sorted(line.get_xdata()))
        # the whole possible range of mean ranks, 1 to the number of strategies
        ax.set_xlim(0.9, len(mean_ranks) + 0.1)
        ax.set_title(title, fontsize=9, pad=22)
        figure.tight_layout()
    return save(figure, out, stem)

