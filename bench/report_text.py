"""The report's words and tables as text: the summary line, the leaderboard in Markdown and
LaTeX (with LaTeX escaping) and its legend, the per-problem table, the trial file's name.

Formatting only, from the report's data (:class:`bench.report_inputs.Report`): the writers
(``leaderboard.md``, ``README.md``, ``index.html``) all read their text from here, so none of
them calls another.
"""

from __future__ import annotations

import pandas as pd
from tabulate import tabulate

from bench import leaderboard, stats
from bench.leaderboard import Leaderboard
from bench.report_inputs import Report

GZIP_TRIALS = 20_000
#: What the main leaderboard's budget is, and what it is not.
EQUAL_EVALUATIONS = (
    "Equal evaluations: every run has the same budget counted in full-evaluation equivalents "
    "(a trial at fidelity f costs the problem's frozen relative cost c(f)). This is not equal "
    "compute: strategies choose configurations that take more or fewer seconds, and the seconds "
    "spent suggesting are not charged; the equal-time leaderboard beside this one charges both.")  # trials.csv is gzipped past this many rows


def trials_csv_name(rows: int) -> str:
    """``trials.csv``, or ``trials.csv.gz`` past ``GZIP_TRIALS`` rows (to keep results committable)."""
    return "trials.csv.gz" if rows > GZIP_TRIALS else "trials.csv"


def _p(value, holm, primary: bool = False) -> str:
    """A p-value with its Holm-corrected value; bold when significant, for the primary test only
    (no claim rests on a secondary test, so none is marked)."""
    if pd.isna(value):
        return "-"
    text = f"{value:.3g} ({holm:.3g})" if pd.notna(holm) else f"{value:.3g}"
    return f"**{text}**" if primary and pd.notna(holm) and holm < stats.ALPHA else text


def _ci(row) -> str:
    if pd.isna(row["normalized_score"]):
        return "-"
    if pd.isna(row["normalized_score_low"]):
        return f"{row['normalized_score']:.3f}"
    return (f"{row['normalized_score']:.3f} [{row['normalized_score_low']:.3f}, "
            f"{row['normalized_score_high']:.3f}]")


def _effect(row) -> str:
    if pd.isna(row.get("effect")):
        return "-"
    if pd.isna(row.get("effect_low")):
        return f"{row['effect']:+.3f}"
    return f"{row['effect']:+.3f} [{row['effect_low']:+.3f}, {row['effect_high']:+.3f}]"


def _leaderboard_rows(report: Report, which: Leaderboard | None = None
                      ) -> tuple[list[str], list[list]]:
    board = (which or report.board).table
    baseline = (which or report.board).baseline
    headers = ["#", "strategy", "normalized score [95% CI]", "normalized test score", "mean rank"]
    if baseline:
        headers += [f"effect vs {baseline} [95% CI]", f"W/T/L vs {baseline}",
                    "p Wilcoxon (Holm), primary", "p sign (Holm), secondary",
                    "P better / equiv. / worse, secondary", "test W/L; p sign (Holm)"]
    headers += ["problems", "runs"]
    rows = []
    for position, row in enumerate(board.to_dict("records"), start=1):
        line = [position, row["strategy"], _ci(row),
                "-" if pd.isna(row["normalized_test_score"]) else f"{row['normalized_test_score']:.3f}",
                f"{row['mean_rank']:.2f}"]
        if baseline:
            if row["strategy"] == baseline:
                line += ["(baseline)", "", "", "", "", ""]
            else:
                line += [_effect(row), f"{row['wins']}/{row['ties']}/{row['losses']}",
                         _p(row["wilcoxon_p"], row["wilcoxon_p_holm"], primary=True),
                         _p(row["sign_p"], row["sign_p_holm"]), leaderboard.probabilities(row),
                         f"{row['test_wins']}/{row['test_losses']}; "
                         f"{_p(row['test_sign_p'], row['test_sign_p_holm'])}"]
        expected = sum(1 for s in report.specs if s.strategy == row["strategy"])
        line += [row["problems"], f"{row['runs']}/{expected}"]
        rows.append(line)
    return headers, rows


def leaderboard_markdown(report: Report, which: Leaderboard | None = None) -> str:
    """The leaderboard ``which`` (the one at equal evaluations when not given) in Markdown."""
    if (which or report.board).table.empty:
        return "(no complete run yet)"
    headers, rows = _leaderboard_rows(report, which)
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def leaderboard_legend(report: Report, which: Leaderboard | None = None) -> str:
    """How to read the leaderboard ``which`` (the one at equal evaluations when not given)."""
    board = which or report.board
    equal_time = which is not None and which is report.board_time
    n_ok = int((report.refs["status"] == "ok").sum())
    over = (f"then over the {n_ok} problem(s) with usable references" if n_ok else
            "then over problems with usable references (none in this report, so the column is "
            "empty)")
    lines = [
        f"Normalized score: `(best CV score - ref_random) / (ref_best - ref_random)` at the "
        f"{'cut' if equal_time else 'budget'} "
        f"with the catalogue's frozen references (1 = the reference run's best, 0 = the median "
        f"random configuration), averaged over seeds, {over}; the interval is a 95% percentile "
        f"bootstrap over problems ({stats.N_RESAMPLES:,} resamples, seed {stats.BOOTSTRAP_SEED}). "
        "Normalized test score: the holdout test score of each run's incumbent on the "
        "same scale (orientation only: the CV references do not bound test scores). Mean rank: "
        "per problem on the mean best CV score over seeds (1 = best), averaged over problems.",
    ]
    lines.insert(0, leaderboard.equal_time_legend(board.baseline) if equal_time
                 else EQUAL_EVALUATIONS)
    if board.baseline:
        lines.append(
            leaderboard.baseline_legend(board.baseline) + " "
            + leaderboard.holdout_legend(board.baseline))
    result = board.friedman
    if not result.reason:
        lines.append(
            f"Friedman test (secondary) over {len(result.problems)} problems x "
            f"{len(result.mean_ranks)} strategies: chi² = {result.statistic:.3f}, "
            f"p = {result.pvalue:.3g}.")
    if board.power is not None:
        lines.append(board.power.describe())
    return "\n\n".join(lines)


def leaderboard_latex(report: Report) -> str:
    caption = (f"searchbench leaderboard, suite \\texttt{{{_tex(report.suite.name)}}}: budget "
               f"{report.suite.budget} evaluations, {report.suite.seeds} seeds, "
               f"{len(report.problems)} problems; catalogue {_tex(report.catalogue.version)} "
               f"(fingerprint {report.catalogue.fingerprint[:12]}).")
    if report.board.table.empty:
        body = "% no complete run yet\n"
    else:
        headers, rows = _leaderboard_rows(report)
        body = _tabular(headers, rows)
    return (
        "% Generated by `searchbench report`; needs \\usepackage{booktabs}.\n"
        "\\begin{table}[t]\n\\centering\n\\small\n"
        f"\\caption{{{caption}}}\n\\label{{tab:searchbench-{_tex_label(report.suite.name)}}}\n"
        f"{body}\n\\end{{table}}\n"
    )


def _tabular(headers: list[str], rows: list[list]) -> str:
    """A booktabs tabular; markdown bold (a significant p-value) becomes \\textbf."""
    def cell(value) -> str:
        text = str(value)
        if text.startswith("**") and text.endswith("**"):
            return f"\\textbf{{{_tex(text[2:-2])}}}"
        return _tex(text)

    lines = [f"\\begin{{tabular}}{{rl{'r' * (len(headers) - 2)}}}", "\\toprule",
             " & ".join(cell(h) for h in headers) + " \\\\", "\\midrule"]
    lines += [" & ".join(cell(c) for c in row) + " \\\\" for row in rows]
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines)


_TEX = str.maketrans({"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&",
                      "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}",
                      "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"})


def _tex(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (one pass, so escapes stay intact)."""
    return text.translate(_TEX)


def _tex_label(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-:" else "-" for c in text)


def summary_line(report: Report) -> str:
    complete = sum(1 for s in report.specs if report.status.get(s.run_id) == "complete")
    return (f"Budget {report.suite.budget} evaluations per run (equal evaluations: "
            f"full-evaluation equivalents), {report.suite.seeds} seeds, "
            f"{len(report.problems)} problems, {len(report.strategies)} strategies; "
            f"{complete} of {len(report.specs)} runs complete.")


def per_problem_markdown(report: Report) -> str:
    means = report.runs.groupby(["problem", "strategy"], sort=False)["best_score"].agg(["mean", "std"])
    order = [s for s in report.order if s in set(report.runs["strategy"])]
    rows = []
    for problem in report.problems:
        if problem not in means.index.get_level_values("problem"):
            continue
        part = means.loc[problem]
        best = stats.snap(part["mean"]).max()
        row = [problem, report.metric(problem), report.refs.loc[problem, "status"]]
        for strategy in order:
            if strategy not in part.index:
                row.append("-")
                continue
            mean, std = part.loc[strategy, "mean"], part.loc[strategy, "std"]
            text = f"{mean:.4g}" + (f" ± {std:.2g}" if pd.notna(std) else "")
            row.append(f"**{text}**" if stats.snap([mean])[0] == best else text)
        rows.append(row)
    table = tabulate(rows, headers=["problem", "metric", "references", *order], tablefmt="github",
                     disable_numparse=True)
    return ("Mean best CV score at the budget ± standard deviation over seeds, in each problem's "
            "own metric; the best mean in **bold**. With a handful of seeds these differences are "
            "not tested per problem.\n\n" + table)
