"""The report's ``README.md``: the leaderboards at equal evaluations and at equal time, notes on the data, the figures with their
captions, the per-problem table and the list of files, in words a reader can follow."""

from __future__ import annotations

from collections.abc import Sequence

from bench.report_inputs import Figure, Report
from bench.report_text import (leaderboard_legend, leaderboard_markdown, per_problem_markdown,
                               summary_line, trials_csv_name)


def readme(report: Report, figures: Sequence[Figure] = (), skipped: Sequence[str] = ()) -> str:
    """The report itself: the leaderboard, notes on the data, the ``figures`` drawn (and what
    could not be, ``skipped``), the per-problem table and the list of files."""
    suite = report.suite
    parts = [
        f"# searchbench results: suite `{suite.name}`",
        (f"{summary_line(report)} Catalogue version `{report.catalogue.version}` (fingerprint "
         f"`{report.catalogue.fingerprint[:12]}`). Written by `searchbench report {suite.name}`; "
         "package versions, strategy identities and the machine are in "
         "[`manifest.json`](manifest.json)."),
        "## Leaderboard at equal evaluations",
        leaderboard_markdown(report),
        leaderboard_legend(report),
        BY_KIND,
    ]
    if report.board_time is not None:
        # what the cut did (and what it left out) stays with the table it explains
        cut = [n for n in report.board_time.notes if n.startswith("equal time:")]
        parts += ["## Leaderboard at equal time", leaderboard_markdown(report, report.board_time),
                  leaderboard_legend(report, report.board_time)]
        parts += ["\n".join(f"- {line}" for line in cut)] if cut else []
    notes = data_notes(report, skipped)
    if notes:
        parts += ["## Notes on the data", "\n".join(f"- {line}" for line in notes)]
    if figures:
        parts.append("## Figures")
        for figure in figures:
            png = next(p for p in figure.paths if p.suffix == ".png")
            pdf = next(p for p in figure.paths if p.suffix == ".pdf")
            parts += [f"### {figure.title}", f"![{figure.title}]({png.name})",
                      f"{figure.caption} ([PDF]({pdf.name}))"]
    if not report.runs.empty:
        parts += ["## Per problem", per_problem_markdown(report)]
    parts += ["## Files", FILES.format(trials_csv=trials_csv_name(len(report.trials)))]
    return "\n\n".join(parts) + "\n"


def data_notes(report: Report, skipped: Sequence[str] = ()) -> list[str]:
    """What the report could not use, and what in it depends on the machine, in words."""
    lines = []
    by_strategy: dict[str, dict[str, int]] = {}
    for spec in report.specs:
        state = report.status.get(spec.run_id, "missing")
        by_strategy.setdefault(spec.strategy, {}).setdefault(state, 0)
        by_strategy[spec.strategy][state] += 1
    for name, states in by_strategy.items():
        absent = {k: v for k, v in states.items() if k != "complete"}
        if absent:
            what = ", ".join(f"{v} {'not run' if k == 'missing' else k}" for k, v in absent.items())
            lines.append(f"`{name}`: {states.get('complete', 0)} of {sum(states.values())} runs "
                         f"complete ({what}); only complete runs are reported.")
    failed = [s for s in report.specs if report.status.get(s.run_id) == "failed"]
    for spec in failed[:20]:
        error = report.errors.get(spec.run_id, "").strip().splitlines()
        lines.append(f"failed run {spec.problem} / {spec.strategy} / seed {spec.seed}: "
                     f"{error[0] if error else 'no message'}")
    if len(failed) > 20:
        lines.append(f"... and {len(failed) - 20} more failed runs")
    no_refs = list(report.refs.index[report.refs["status"] == "missing"])
    if no_refs:
        lines.append(f"no references for {', '.join(f'`{p}`' for p in no_refs)}: reported by rank "
                     "only (left out of normalized scores, the Wilcoxon test, the heatmap and the "
                     "ECDF)")
    saturated = list(report.refs.index[report.refs["status"] == "saturated"])
    if saturated:
        lines.append(f"saturated (ref_best <= ref_random) and left out of normalized aggregates: "
                     f"{', '.join(f'`{p}`' for p in saturated)}")
    coarse = list(report.refs.index[report.refs["status"] == "below resolution"])
    if coarse:
        lines.append("reference range below one step of the score (bench/resolution.py), reported "
                     f"by rank only: {', '.join(f'`{p}`' for p in coarse)}")
    runs = report.runs
    for column, what in (("timeouts", "hit their problem's time limit (machine-dependent: "
                                      "another machine may finish them)"),
                         ("failed_trials", "failed (the model raised; they never count toward "
                                           "the best score)")):
        if len(runs) and runs[column].sum():
            per = runs[runs[column] > 0].groupby("strategy")[column].sum()
            lines.append(f"{int(per.sum())} trial(s) {what}: "
                         + ", ".join(f"`{s}` {int(n)}" for s, n in per.items()))
    if report.diverged:
        per: dict[str, int] = {}
        for spec in report.specs:
            per[spec.strategy] = per.get(spec.strategy, 0) + report.diverged.get(spec.run_id, 0)
        lines.append(f"{sum(per.values())} resumed run(s) started over because their strategy "
                     "proposed otherwise than their stored trials (not deterministic for its "
                     "seed): " + ", ".join(f"`{s}` {n}" for s, n in per.items() if n))
    lines += list(report.board.notes)
    lines += list(skipped)
    return list(dict.fromkeys(lines))


BY_KIND = ("By kind of problem (task, model family, dimensionality, conditional or flat space): "
           "[`by_kind.md`](by_kind.md), each strategy's effect against random search per group "
           "with intervals.")

FILES = """| file | contents |
|---|---|
| `README.md` | this report |
| `index.html` | this report as one interactive page (open it in a browser; it works offline) |
| `leaderboard.md`, `leaderboard.csv`, `leaderboard.tex` | the leaderboard at equal evaluations (the CSV has every statistic in its own column; the LaTeX table needs `booktabs`) |
| `leaderboard_equal_time.md`, `leaderboard_equal_time.csv` | the leaderboard at equal time: runs cut at random search's seconds on the same problem and seed (depends on the machine) |
| `by_kind.md`, `by_kind.csv` | each strategy's effect against random search by task, model family, dimensionality and conditional or flat space, with intervals |
| `runs.csv` | one row per run at the budget: best CV and test scores, raw and normalized, trials, cost, failures, seconds |
| `{trials_csv}`, `trials.parquet` | the trial record: one row per trial |
| `*.png`, `*.pdf` | the figures |
| `manifest.json` | package versions, catalogue version, fingerprint and references, suite, seeds, budget, strategy identities, statistics settings, machine, date |"""
