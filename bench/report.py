"""``searchbench report``: from the store to ``results/<suite>/``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bench import analysis, plots
from bench.catalogue import Catalogue
from bench.plan import run_specs
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite


def write_report(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
                 store: Store, out: Path) -> list[Path]:
    """Write the trial record, the leaderboard and the figures; return the files written."""
    specs = run_specs(suite, catalogue, strategies)
    trials = analysis.trial_records(store, specs, suite.name)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "trials.csv"]
    trials.to_csv(written[0], index=False)

    curve = analysis.curves(trials, suite.budget)
    final = analysis.final_scores(curve)
    board = analysis.leaderboard(final, catalogue)
    board.to_csv(out / "leaderboard.csv", index=False, float_format="%.6g")
    written.append(out / "leaderboard.csv")
    (out / "leaderboard.md").write_text(_markdown(board, suite, trials, len(specs)))
    written.append(out / "leaderboard.md")
    if not curve.empty:
        colours = plots.palette([s.name for s in strategies])
        written.append(plots.convergence_by_problem(curve, out / "convergence.png", colours))
    return written


def _markdown(board: pd.DataFrame, suite: Suite, trials: pd.DataFrame, n_specs: int) -> str:
    runs = trials.groupby(analysis.RUN_KEYS).ngroups if not trials.empty else 0
    table = board.to_markdown(index=False, floatfmt=".3f") if not board.empty else "(no runs yet)"
    return (
        f"# Leaderboard: suite `{suite.name}`\n\n"
        f"Budget {suite.budget} evaluations, {suite.seeds} seeds; {runs} of {n_specs} runs complete.\n\n"
        f"{table}\n"
    )
