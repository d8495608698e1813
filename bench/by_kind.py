"""Results by kind of problem: each strategy's effect against random search, broken down by
task, model family, search-space dimensionality and conditional or flat space, with intervals
(``by_kind.md`` and ``by_kind.csv`` of a report).

What a practitioner with a given kind of model wants to know: the leaderboard's effect pools
every problem, this splits it. A problem's effect is the leaderboard's per-problem difference
(:func:`bench.stats.effects`): the strategy's mean normalized score over seeds minus random
search's, at the full budget, on problems with usable references. A group's effect is the mean
of its problems' effects. The groups are descriptive: no test is made within them, and a group
of few problems has a wide interval."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats as ss
from tabulate import tabulate

from bench.catalogue import Catalogue
from bench.report_inputs import Report
from bench.stats import BASELINE, BOOTSTRAP_SEED, CONFIDENCE, N_RESAMPLES, bootstrap_ci, problem_means

BY_KIND_MD = "by_kind.md"
BY_KIND_CSV = "by_kind.csv"
#: The breakdowns, in the order the report shows them: (column of :func:`problem_kinds`, title).
BREAKDOWNS = (("task", "task"), ("model", "model family"), ("dimensions", "dimensionality"),
              ("space", "conditional or flat space"))
#: Groups of a breakdown shown first, in this order; others follow alphabetically.
GROUP_ORDER = {
    "task": ("classification", "regression", "density/generative"),
    "dimensions": ("up to 3", "4 to 6", "more than 6"),
    "space": ("flat", "conditional"),
}
#: Tasks reported together: both fit a distribution and score its samples or likelihood.
TASK_GROUPS = {"density": "density/generative", "generative": "density/generative"}
#: From this many problems a group's interval is a percentile bootstrap over its problems; below
#: it a Student-t interval (a bootstrap of two to four values understates the spread); one
#: problem has none.
BOOTSTRAP_FROM = 5
UNKNOWN = "unknown"
CSV_COLUMNS = ["breakdown", "group", "strategy", "problems", "effect", "effect_low", "effect_high",
               "interval"]


@dataclass(frozen=True)
class ByKind:
    """The effects by kind of problem: one row per (breakdown, group, strategy), and each
    problem's kind."""

    table: pd.DataFrame  # CSV_COLUMNS
    kinds: pd.DataFrame  # indexed by problem: task, model, dims, dimensions, space
    baseline: str
    strategies: tuple[str, ...]  # those compared, in leaderboard order


def dimension_group(dims: int) -> str:
    """The dimensionality group of a space of ``dims`` dimensions."""
    return "up to 3" if dims <= 3 else ("4 to 6" if dims <= 6 else "more than 6")


def problem_kinds(catalogue: Catalogue, problems: list[str]) -> pd.DataFrame:
    """Each problem's task group, model family, number of dimensions, dimensionality group and
    whether its space is conditional (any dimension with a condition), from its definition
    (``to_dict``, what every catalogued problem has); ``unknown`` where it does not say."""
    rows = []
    for pid in problems:
        described = catalogue.problems[pid].to_dict() if pid in catalogue.problems else {}
        task = str(described.get("task") or UNKNOWN)
        dimensions = (described.get("space") or {}).get("dimensions")
        row = {"problem": pid, "task": TASK_GROUPS.get(task, task),
               "model": str(described.get("model") or UNKNOWN)}
        if dimensions is None:
            row.update(dims=np.nan, dimensions=UNKNOWN, space=UNKNOWN)
        else:
            conditional = any(d.get("condition") for d in dimensions)
            row.update(dims=len(dimensions), dimensions=dimension_group(len(dimensions)),
                       space="conditional" if conditional else "flat")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["problem", "task", "model", "dims", "dimensions", "space"])
    return frame.set_index("problem")


def problem_effects(runs: pd.DataFrame, baseline: str = BASELINE) -> pd.DataFrame:
    """The per-problem differences of the leaderboard's effect (:func:`bench.stats.effects`): a
    (problem x strategy) table of mean normalized score over seeds minus ``baseline``'s, NaN
    where either has none (no usable references, or no run)."""
    normalized = problem_means(runs, "normalized_score").dropna(how="all")
    if baseline not in normalized:
        return pd.DataFrame()
    return normalized.drop(columns=baseline).sub(normalized[baseline], axis=0)


def group_interval(values: np.ndarray) -> tuple[float, float, str]:
    """The 95% interval of the mean of ``values`` (one group's per-problem effects) and how it
    was made: ``bootstrap`` (percentile, the leaderboard's seed and resamples) from
    :data:`BOOTSTRAP_FROM` problems, ``t`` below, ``none`` for one problem."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return (np.nan, np.nan, "none")
    if len(x) >= BOOTSTRAP_FROM:
        low, high = bootstrap_ci(x, CONFIDENCE, N_RESAMPLES, BOOTSTRAP_SEED)
        return (low, high, "bootstrap")
    mean, sem = float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x)))
    if sem == 0:
        return (mean, mean, "t")
    low, high = ss.t.interval(CONFIDENCE, len(x) - 1, loc=mean, scale=sem)
    return (float(low), float(high), "t")


def _ordered(breakdown: str, groups) -> list[str]:
    first = [g for g in GROUP_ORDER.get(breakdown, ()) if g in set(groups)]
    rest = sorted(set(groups) - set(first), key=lambda g: (g == UNKNOWN, g))
    return first + rest


def by_kind(report: Report) -> ByKind:
    """The effects by kind of ``report``'s problems, from the runs it has already computed."""
    baseline = report.board.baseline or BASELINE
    diffs = problem_effects(report.runs, baseline) if len(report.runs) else pd.DataFrame()
    strategies = tuple(s for s in report.order if s in diffs.columns)
    kinds = problem_kinds(report.catalogue, report.problems)
    rows = []
    for breakdown, _ in BREAKDOWNS:
        for group in _ordered(breakdown, kinds[breakdown]):
            members = kinds.index[kinds[breakdown] == group]
            for strategy in strategies:
                values = diffs[strategy].reindex(members).dropna().to_numpy()
                if not len(values):
                    continue
                low, high, how = group_interval(values)
                rows.append([breakdown, group, strategy, len(values), float(values.mean()), low,
                             high, how])
    table = pd.DataFrame(rows, columns=CSV_COLUMNS)
    return ByKind(table, kinds, baseline, strategies)


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def _cell(row, n_group: int) -> str:
    text = _signed(row.effect)
    if row.interval != "none":
        text += f" [{_signed(row.effect_low)}, {_signed(row.effect_high)}]"
        text += " t" if row.interval == "t" else ""
    return text + (f" ({row.problems})" if row.problems != n_group else "")


def by_kind_markdown(result: ByKind, suite: str) -> str:
    """``by_kind.md``: one table per breakdown (a row per group, a column per strategy), the
    legend, and each problem's kind."""
    baseline = result.baseline
    parts = [f"# Results by kind of problem: suite `{suite}`",
             f"Each strategy's effect against `{baseline}` on each kind of problem: the mean over "
             f"the group's problems of the difference in mean normalized score (over seeds, at "
             f"the full budget) from `{baseline}`'s, the leaderboard's effect restricted to the "
             f"group; positive is better than `{baseline}`. In brackets its "
             f"{CONFIDENCE:.0%} interval over the group's problems: a percentile bootstrap "
             f"({N_RESAMPLES:,} resamples, seed {BOOTSTRAP_SEED}) from {BOOTSTRAP_FROM} "
             f"problems, a Student-t interval marked `t` for 2 to {BOOTSTRAP_FROM - 1}, none for "
             "one problem. A number in parentheses after a cell: the problems it rests on, when "
             "fewer than the group's (a strategy without runs on some). Problems with usable "
             "references only. The groups are descriptive: no test is made within them; the "
             "claims rest on the leaderboard's primary test."]
    if result.table.empty:
        parts.append(f"No effect to show: this report has no `{baseline}` run, no other "
                     "strategy, or no problem with usable references.")
    for breakdown, title in BREAKDOWNS:
        part = result.table[result.table["breakdown"] == breakdown]
        if part.empty:
            continue
        lines = []
        for group in dict.fromkeys(part["group"]):
            rows = part[part["group"] == group].set_index("strategy")
            n_group = int(rows["problems"].max())
            lines.append([f"{group} ({n_group})"] + [
                _cell(rows.loc[s], n_group) if s in rows.index else "-"
                for s in result.strategies])
        parts += [f"## By {title}",
                  tabulate(lines, headers=[f"{title} (problems)", *result.strategies],
                           tablefmt="github", disable_numparse=True)]
    kinds = result.kinds.reset_index()
    kinds["dims"] = kinds["dims"].map(lambda d: "-" if pd.isna(d) else str(int(d)))
    parts += ["## Each problem's kind",
              "Dimensionality counts every dimension of the space; a space is conditional when "
              "any dimension has a condition. Density and generative tasks are one group.",
              tabulate(kinds[["problem", "task", "model", "dims", "space"]].values.tolist(),
                       headers=["problem", "task", "model", "dimensions", "space"],
                       tablefmt="github", disable_numparse=True)]
    return "\n\n".join(parts) + "\n"


def write_by_kind(report: Report, out: Path) -> list[Path]:
    """Write ``by_kind.md`` and ``by_kind.csv`` into ``out``; return their paths."""
    result = by_kind(report)
    result.table.to_csv(out / BY_KIND_CSV, index=False, float_format="%.6g")
    (out / BY_KIND_MD).write_text(by_kind_markdown(result, report.suite.name))
    return [out / BY_KIND_MD, out / BY_KIND_CSV]
