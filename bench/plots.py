"""Figures, drawn with seaborn; one colour per strategy, the same in every figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402


def palette(strategies: Sequence[str]) -> dict[str, tuple]:
    """A fixed colour per strategy, assigned in name order so every figure agrees."""
    names = sorted(strategies)
    colours = sns.color_palette("tab20" if len(names) > 10 else "tab10", n_colors=len(names))
    return dict(zip(names, colours))


def convergence_by_problem(curve: pd.DataFrame, path: Path, colours: dict) -> Path:
    """Best-so-far CV score vs evaluations, mean and 95% CI over seeds, a panel per problem."""
    problems = list(dict.fromkeys(curve["problem"]))
    grid = sns.relplot(
        data=curve, x="cost", y="best_score", hue="strategy", col="problem", col_order=problems,
        kind="line", errorbar=("ci", 95), n_boot=200, seed=0, palette=colours,
        col_wrap=min(3, len(problems)), height=3.0, aspect=1.3,
        facet_kws={"sharey": False, "sharex": True},
    )
    grid.set_axis_labels("evaluations (full-fidelity cost)", "best CV score so far")
    grid.set_titles("{col_name}")
    grid.figure.suptitle("Best-so-far score vs evaluations (mean, 95% CI over seeds)", y=1.02)
    grid.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(grid.figure)
    return path
