"""``searchbench report``: from the store to ``results/<suite>/``.

The folder holds the trial record (CSV and Parquet), one row per run (``runs.csv``), the
leaderboard (Markdown, CSV, LaTeX), the figures (PNG and PDF), a manifest of everything needed to
reproduce the numbers, and ``README.md``, the report itself. The report is written from whatever
the store holds: runs that are missing, problems without references, a suite without random
search or with one strategy are said in the report instead of stopping it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from tabulate import tabulate

from bench import analysis, plots, stats
from bench.catalogue import Catalogue
from bench.errors import BadInput
from bench.plan import run_specs, suite_problems
from bench.runner import RunSpec
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite

#: Fixed targets of the ECDF, on the normalized scale; "pooled" is the COCO-style aggregate.
TARGETS = {
    "target 0.5": (0.5,), "target 0.9": (0.9,), "target 1.0 (reference best)": (1.0,),
    "10 targets 0.1 ... 1.0, pooled": tuple(np.round(np.arange(0.1, 1.01, 0.1), 1)),
}
LOCK_FILE = "requirements.lock"
GZIP_TRIALS = 20_000  # trials.csv is gzipped past this many rows
#: Libraries whose versions can change a report's numbers or figures.
REPORT_LIBRARIES = ("numpy", "pandas", "scipy", "scikit-posthocs", "statsmodels", "matplotlib",
                    "seaborn", "pyarrow", "tabulate")


@dataclass(frozen=True)
class Figure:
    """A figure of the report: its files and the caption that says how to read it."""

    stem: str
    title: str
    caption: str
    paths: tuple[Path, ...] = ()


@dataclass
class Report:
    """What a report is made of, computed once from the store."""

    suite: Suite
    catalogue: Catalogue
    strategies: Sequence[StrategyInfo]
    specs: list[RunSpec]
    status: dict[str, str]
    errors: dict[str, str]
    trials: pd.DataFrame
    curve: pd.DataFrame
    runs: pd.DataFrame
    board: stats.Leaderboard
    refs: pd.DataFrame
    figures: list[Figure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return list(dict.fromkeys(s.problem for s in self.specs))

    @property
    def order(self) -> list[str]:
        """Strategies in leaderboard order, then those without a complete run."""
        ranked = list(self.board.table["strategy"])
        return ranked + [s.name for s in self.strategies if s.name not in ranked]

    def metric(self, problem: str) -> str:
        p = self.catalogue.problems[problem]
        return getattr(p, "metric", None) or p.to_dict().get("metric") or "score"


def check_output(out: Path) -> None:
    """Raise :class:`BadInput` if ``out`` cannot hold the report; writes nothing."""
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out} is a file, not a folder")
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BadInput(f"--out {out} cannot be written: {parent} is not writable")


def write_report(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
                 store: Store, out: Path, force: bool = True) -> list[Path]:
    """Write ``results/<suite>/`` into ``out``; return the files written. Unless ``force``, a
    report whose inputs (see :func:`inputs_digest`) have not changed since it was written is left
    as it is, and nothing is returned."""
    digest = inputs_digest(suite, catalogue, strategies, store)
    if not force and up_to_date(out, digest):
        return []
    report = collect(suite, catalogue, strategies, store)
    out.mkdir(parents=True, exist_ok=True)
    written = write_tables(report, out)
    written += draw_figures(report, out)
    (out / "README.md").write_text(readme(report))
    written.append(out / "README.md")
    files = sorted(p.name for p in written) + ["manifest.json"]
    written.append(write_manifest(report, out / "manifest.json", digest, files))
    return written


def inputs_digest(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
                  store: Store) -> str:
    """A digest of everything a report is made from: the suite, the catalogue's fingerprint and
    references, the strategies' identities, the state of every run in the store (status, trial
    count, last change), the harness's source and the versions of the libraries that compute and
    draw. Cheap: no trial is read."""
    specs = run_specs(suite, catalogue, strategies)
    problems = sorted({s.problem for s in specs})
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        code.update(path.read_bytes())
    payload = {
        "suite": [suite.name, list(suite.problems), suite.strategies, suite.seeds, suite.budget,
                  suite.description],
        "fingerprint": catalogue.fingerprint,
        "references": {p: repr(catalogue.reference(p)) for p in problems},
        "strategies": [s.version for s in strategies],
        "runs": sorted(store.run_states(s.run_id for s in specs).items()),
        "code": code.hexdigest(),
        "libraries": {d: _version(d) for d in REPORT_LIBRARIES},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def up_to_date(out: Path, digest: str) -> bool:
    """Whether ``out`` holds every file of a report made from inputs with this digest."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    files = manifest.get("files") or []
    return (manifest.get("inputs_digest") == digest and bool(files)
            and all((out / name).is_file() for name in files))


def collect(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
            store: Store) -> Report:
    specs = run_specs(suite, catalogue, strategies)
    ids = [s.run_id for s in specs]
    status = store.run_status(ids)
    errors = store.run_errors(i for i, state in status.items() if state == "failed")
    trials = analysis.trial_records(store, specs, suite.name)
    curve = analysis.curves(trials, suite.budget)
    runs = analysis.run_table(trials, curve, catalogue, suite.budget)
    return Report(
        suite=suite, catalogue=catalogue, strategies=strategies, specs=specs, status=status,
        errors=errors, trials=trials, curve=curve, runs=runs, board=stats.leaderboard(runs),
        refs=analysis.references(catalogue, suite_problems(suite, catalogue)),
    )


# -- tables -------------------------------------------------------------------------------------
def trials_csv_name(rows: int) -> str:
    """``trials.csv``, or ``trials.csv.gz`` past ``GZIP_TRIALS`` rows (to keep results committable)."""
    return "trials.csv.gz" if rows > GZIP_TRIALS else "trials.csv"


def write_tables(report: Report, out: Path) -> list[Path]:
    trials = report.trials
    csv_name = trials_csv_name(len(trials))
    for stale in {"trials.csv", "trials.csv.gz"} - {csv_name}:
        (out / stale).unlink(missing_ok=True)
    # mtime 0: the same trials give the same bytes
    trials.to_csv(out / csv_name, index=False, compression={"method": "gzip", "mtime": 0}
                  if csv_name.endswith(".gz") else None)
    trials.to_parquet(out / "trials.parquet", index=False)
    report.runs.to_csv(out / "runs.csv", index=False)  # full precision: runs are compared exactly
    board = report.board.table
    board.to_csv(out / "leaderboard.csv", index=False, float_format="%.6g")
    notes = "".join(f"- {note}\n" for note in report.board.notes)
    (out / "leaderboard.md").write_text(
        f"# Leaderboard: suite `{report.suite.name}`\n\n{summary_line(report)}\n\n"
        f"{leaderboard_markdown(report)}\n\n{leaderboard_legend(report)}\n"
        + (f"\n{notes}" if notes else ""))
    (out / "leaderboard.tex").write_text(leaderboard_latex(report))
    return [out / name for name in (csv_name, "trials.parquet", "runs.csv", "leaderboard.csv",
                                    "leaderboard.md", "leaderboard.tex")]


def _p(value, holm) -> str:
    if pd.isna(value):
        return "-"
    text = f"{value:.3g} ({holm:.3g})" if pd.notna(holm) else f"{value:.3g}"
    return f"**{text}**" if pd.notna(holm) and holm < stats.ALPHA else text


def _ci(row) -> str:
    if pd.isna(row["normalized_score"]):
        return "-"
    if pd.isna(row["normalized_score_low"]):
        return f"{row['normalized_score']:.3f}"
    return (f"{row['normalized_score']:.3f} [{row['normalized_score_low']:.3f}, "
            f"{row['normalized_score_high']:.3f}]")


def _leaderboard_rows(report: Report) -> tuple[list[str], list[list]]:
    board = report.board.table
    baseline = report.board.baseline
    headers = ["#", "strategy", "normalized score [95% CI]", "normalized test score", "mean rank"]
    if baseline:
        headers += [f"W/T/L vs {baseline}", "p Wilcoxon (Holm)", "p sign (Holm)",
                    "P better / equiv. / worse", "test W/L; p sign (Holm)"]
    headers += ["problems", "runs"]
    rows = []
    for position, row in enumerate(board.to_dict("records"), start=1):
        line = [position, row["strategy"], _ci(row),
                "-" if pd.isna(row["normalized_test_score"]) else f"{row['normalized_test_score']:.3f}",
                f"{row['mean_rank']:.2f}"]
        if baseline:
            if row["strategy"] == baseline:
                line += ["(baseline)", "", "", "", ""]
            else:
                line += [f"{row['wins']}/{row['ties']}/{row['losses']}",
                         _p(row["wilcoxon_p"], row["wilcoxon_p_holm"]),
                         _p(row["sign_p"], row["sign_p_holm"]), stats.probabilities(row),
                         f"{row['test_wins']}/{row['test_losses']}; "
                         f"{_p(row['test_sign_p'], row['test_sign_p_holm'])}"]
        expected = sum(1 for s in report.specs if s.strategy == row["strategy"])
        line += [row["problems"], f"{row['runs']}/{expected}"]
        rows.append(line)
    return headers, rows


def leaderboard_markdown(report: Report) -> str:
    if report.board.table.empty:
        return "(no complete run yet)"
    headers, rows = _leaderboard_rows(report)
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def leaderboard_legend(report: Report) -> str:
    n_ok = int((report.refs["status"] == "ok").sum())
    over = (f"then over the {n_ok} problem(s) with usable references" if n_ok else
            "then over problems with usable references (none in this report, so the column is "
            "empty)")
    lines = [
        f"Normalized score: `(best CV score - ref_random) / (ref_best - ref_random)` at the budget "
        f"with the catalogue's frozen references (1 = the reference run's best, 0 = the median "
        f"random configuration), averaged over seeds, {over}; the interval is a 95% percentile "
        f"bootstrap over problems ({stats.N_RESAMPLES:,} resamples, seed {stats.BOOTSTRAP_SEED}). "
        "Normalized test score: the holdout test score of each run's incumbent on the "
        "same scale (orientation only: the CV references do not bound test scores). Mean rank: "
        "per problem on the mean best CV score over seeds (1 = best), averaged over problems.",
    ]
    if report.board.baseline:
        lines.append(
            stats.baseline_legend(report.board.baseline) + " "
            + stats.holdout_legend(report.board.baseline))
    result = report.board.friedman
    if not result.reason:
        lines.append(
            f"Friedman test over {len(result.problems)} problems x {len(result.mean_ranks)} "
            f"strategies: chi² = {result.statistic:.3f}, p = {result.pvalue:.3g}.")
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
    return (f"Budget {report.suite.budget} evaluations per run, {report.suite.seeds} seeds, "
            f"{len(report.problems)} problems, {len(report.strategies)} strategies; "
            f"{complete} of {len(report.specs)} runs complete.")


# -- figures ------------------------------------------------------------------------------------
def draw_figures(report: Report, out: Path) -> list[Path]:
    """Every figure the data allow; what cannot be drawn is listed in ``report.skipped``."""
    if report.curve.empty:
        report.skipped.append("no figure: no complete run yet")
        return []
    colours = plots.palette([s.name for s in report.strategies])
    order = [s for s in report.order if s in set(report.runs["strategy"])]
    titles = {p: report.metric(p) for p in report.problems}
    curve = report.curve.assign(normalized=analysis.normalize(report.curve, report.catalogue))
    normalized_curve = curve[curve["problem"].isin(report.refs.index[report.refs["status"] == "ok"])]
    problems_ok = normalized_curve["problem"].nunique()

    def add(stem: str, title: str, caption: str, paths: list[Path]) -> None:
        report.figures.append(Figure(stem, title, caption, tuple(paths)))

    if problems_ok:
        times = analysis.time_curves(report.trials, shared=True)
        times = times.assign(normalized=analysis.normalize(times, report.catalogue))
        times = times[times["problem"].isin(normalized_curve["problem"].unique())]
        add("normalized_convergence", "Normalized best-so-far, all problems",
            "Mean over problems of the normalized best CV score so far (each problem first averaged "
            "over seeds), against evaluations (left) and against the time a run has spent "
            "evaluating and suggesting (right, log scale). Bands: 95% bootstrap intervals over "
            "problems. Higher is better; 1 (dashed) is the reference run's best, 0 (dotted) a "
            "median random configuration; the axis stops at -1 (or where 95% of the curve lies), "
            "so a very poor first evaluation may leave the panel. On the right a line starts once "
            "every run of the "
            "strategy has a result, so a late start is a slow first suggestion or evaluation.",
            plots.normalized_curves(stats.problem_band(normalized_curve, "cost"),
                                    stats.problem_band(times, "seconds"), colours, order,
                                    problems_ok, out))
    else:
        report.skipped.append("normalized-score figures (aggregate convergence, heatmap, ECDF): "
                              "no problem of this report has usable references")

    band = stats.t_band(report.curve, ["problem", "strategy", "cost"], "best_score")
    add("convergence", "Best-so-far score per problem, against evaluations",
        "One panel per problem: the best CV score found so far (the problem's own metric), mean "
        "over seeds with a 95% Student-t interval over seeds, against evaluations. Higher is "
        "better. A flat line at the end is an exhausted strategy (a grid smaller than the budget) "
        "carried to the budget.",
        plots.per_problem_curves(band, "cost", titles, colours, order, out, "convergence",
                                 "compute (full-evaluation equivalents)",
                                 suptitle="Best-so-far CV score vs evaluations "
                                          "(mean, 95% interval over seeds)"))
    times = analysis.time_curves(report.trials)
    add("convergence_time", "Best-so-far score per problem, against time",
        "As above, against the time each run has spent evaluating and suggesting (log scale, "
        "seconds of one worker, not wall-clock time of the whole suite). A strategy whose line "
        "lies to the right pays for its suggestions; where a line is missing, not every seed "
        "had a result yet.",
        plots.per_problem_curves(stats.t_band(times, ["problem", "strategy", "seconds"],
                                              "best_score"),
                                 "seconds", titles, colours, order, out, "convergence_time",
                                 "time spent by the run (evaluation + suggestion, s)", log_x=True,
                                 suptitle="Best-so-far CV score vs time (mean, 95% interval "
                                          "over seeds)"))

    ranks, ranked = stats.rank_curve(report.curve)
    if ranked and len(order) > 1:
        add("average_rank", "Average rank against evaluations",
            f"At each evaluation count, strategies are ranked on each of the {ranked} problems "
            "every strategy ran (on the mean best-so-far over seeds; 1 = best, ties share the "
            "average rank), and the ranks are averaged over problems. Ranks depend on which "
            "strategies are compared; the normalized score does not.",
            plots.average_rank(ranks, colours, order, ranked, out))
    else:
        report.skipped.append("average rank: needs at least two strategies on a common problem")

    if problems_ok:
        table = stats.problem_means(report.runs, "normalized_score").dropna(how="all")
        table = table.T.reindex([s for s in order if s in table.columns])
        add("heatmap", "Normalized score per problem",
            "Mean normalized best score at the budget over seeds, per strategy (rows, in "
            "leaderboard order) and problem (columns). 1 = the reference best, 0 = a median "
            "random configuration; values above 1 beat the reference run. Problems without "
            "usable references are not shown.",
            plots.heatmap(table, colours, out, "Normalized score at the budget (mean over seeds)",
                          "normalized score"))
        pairs = normalized_curve.groupby(["problem", "seed"]).ngroups
        add("ecdf", "Fixed-target ECDF",
            "For each target on the normalized scale, the share of (problem, seed) pairs in which "
            "the strategy's best-so-far has reached it, against evaluations (log scale); the last "
            "panel pools ten targets 0.1, 0.2, ..., 1.0 (COCO style), so it rises by a tenth each "
            "time a run passes one. Higher and further left is better; the height at the right "
            "edge is the share reached within the budget.",
            plots.ecdf(stats.target_shares(normalized_curve, TARGETS), colours, order, pairs,
                       out))
    else:
        ranks_table = analysis.problem_ranks(report.runs).T.reindex(order)
        add("heatmap", "Rank per problem",
            "No problem of this report has usable references, so the heatmap shows each "
            "strategy's rank on each problem (1 = best, on the mean best CV score over seeds).",
            plots.heatmap(ranks_table, colours, out, "Rank per problem at the budget (1 = best)",
                          "rank", fmt=".1f", reverse=True))

    add("overfitting", "Validation over-fitting",
        "Each point is one run's final incumbent: its CV score (what the strategy optimized) "
        "against its holdout test score, one panel per problem. The dashed line is test = CV; "
        "points below it did worse on the held-out data than the CV score promised. Whether a "
        "strategy does worse on the holdout than random search is tested on the raw paired "
        "test scores (leaderboard, test W/L), not read off this figure.",
        plots.overfitting(report.runs, titles, colours, order, out))
    add("timing", "Time spent suggesting vs evaluating",
        "Left: each small point is a run, with the seconds its strategy spent suggesting (ask and "
        "tell) against the seconds spent evaluating configurations; large points are per-strategy "
        "medians; log scales. Above the dashed line a strategy costs more than the evaluations it "
        "chooses. Right: the share of each strategy's total run time spent suggesting.",
        plots.timing(report.runs, colours, order, out))

    result = report.board.friedman
    if not result.reason:
        add("critical_difference", "Critical-difference diagram", result.caption(),
            plots.critical_difference(result.mean_ranks, result.pairwise, colours, result.title(),
                                      out))
    else:
        report.skipped.append(f"critical-difference diagram: {result.reason}")
    return [p for f in report.figures for p in f.paths]


# -- manifest -----------------------------------------------------------------------------------
def write_manifest(report: Report, path: Path, digest: str = "",
                   files: Sequence[str] = ()) -> Path:
    """Everything needed to reproduce (and cite) the numbers of this report; ``digest`` and
    ``files`` tell a later ``report`` whether it has anything new to write."""
    suite = report.suite
    counts = {state: 0 for state in ("complete", "partial", "failed", "missing")}
    for spec in report.specs:
        counts[report.status.get(spec.run_id, "missing")] += 1
    manifest = {
        "searchbench": _version("searchbench"),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "suite": {
            "name": suite.name, "description": suite.description,
            "problem_patterns": list(suite.problems), "problems": report.problems,
            "strategy_patterns": list(suite.strategies) if suite.strategies else None,
            "seeds": list(range(suite.seeds)), "budget": suite.budget,
            "budget_unit": "full-fidelity evaluations per run",
        },
        "catalogue": {
            "version": report.catalogue.version,
            "fingerprint": report.catalogue.fingerprint,
            "module": report.catalogue.module,
            "references": {
                pid: None if row["status"] == "missing" else
                {"ref_random": row["ref_random"], "ref_best": row["ref_best"],
                 "saturated": row["status"] == "saturated"}
                for pid, row in report.refs.iterrows()
            },
        },
        "strategies": [
            {"name": s.name, "identity": s.version, "library": s.library,
             "library_version": s.library_version, "source_hash": s.source_hash,
             "multi_fidelity": s.multi_fidelity, "origin": _relative(s.origin)}
            for s in report.strategies
        ],
        "runs": {"expected": len(report.specs), **counts},
        "statistics": {
            "resampling_unit": "problem", "bootstrap": "percentile",
            "bootstrap_resamples": stats.N_RESAMPLES, "bootstrap_seed": stats.BOOTSTRAP_SEED,
            "confidence": stats.CONFIDENCE, "alpha": stats.ALPHA, "baseline": stats.BASELINE,
            "tie": f"per-problem difference of mean normalized score within +-{stats.ROPE} "
                   "(region of practical equivalence)",
            "bayesian": f"signed-rank test with the same region (baycomp), "
                        f"{stats.BAYES_SAMPLES} samples, seed {stats.BAYES_SEED}",
            "pairwise_tests": "Wilcoxon signed-rank (normalized differences) and sign test, "
                              "two-sided, ties dropped, Holm over strategies",
            "omnibus": "Friedman on per-problem mean best CV score, complete problems",
            "post_hoc": "pairwise Wilcoxon signed-rank, Holm over all pairs",
        },
        "packages": packages(),
        "machine": machine(),
        "source": git_state(),
        "inputs_digest": digest,
        "files": list(files),
    }
    path.write_text(json.dumps(manifest, indent=2, default=_json_default) + "\n")
    return path


def _relative(origin: str) -> str:
    """A strategy file inside the project as a path relative to it, so manifests of different
    clones compare equal."""
    from bench.cli import project_root

    try:
        return Path(origin).resolve().relative_to(project_root().resolve()).as_posix()
    except (ValueError, OSError):
        return origin


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to the manifest")


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def packages() -> dict:
    """The installed version of every package of the lock file (of searchbench's declared
    dependencies when there is none), and which of them differ from the lock."""
    from bench.cli import project_root

    lock = project_root() / LOCK_FILE
    pinned: dict[str, str | None] = {}
    if lock.is_file():
        for line in lock.read_text().splitlines():
            line = line.split("#")[0].strip()
            if "==" in line:
                name, version = line.split("==", 1)
                pinned[name.strip()] = version.strip()
    else:
        for requirement in metadata.requires("searchbench") or []:
            if "extra ==" in requirement:
                continue
            name = requirement.split(";")[0]
            for stop in "<>=!~[ ":
                name = name.split(stop)[0]
            pinned[name] = None
    installed = {name: _version(name) for name in sorted(pinned, key=str.lower)}
    return {
        "lock_file": LOCK_FILE if lock.is_file() else None,
        "installed": installed,
        "differ_from_lock": sorted(n for n, v in pinned.items() if v and installed[n] != v),
    }


def machine() -> dict:
    return {
        "cpu": _cpu_name(), "cores": os.cpu_count(), "os": platform.platform(),
        "python": platform.python_version(), "implementation": platform.python_implementation(),
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_state() -> dict | None:
    """The commit of a source checkout, and whether it had uncommitted changes."""
    from bench.cli import project_root

    root = project_root()
    if not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "bench",
                                "strategies", "datasets"], capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "uncommitted_changes": bool(dirty)}


# -- README.md ----------------------------------------------------------------------------------
def readme(report: Report) -> str:
    suite = report.suite
    parts = [
        f"# searchbench results: suite `{suite.name}`",
        (f"{summary_line(report)} Catalogue version `{report.catalogue.version}` (fingerprint "
         f"`{report.catalogue.fingerprint[:12]}`). Written by `searchbench report {suite.name}`; "
         "package versions, strategy identities and the machine are in "
         "[`manifest.json`](manifest.json)."),
        "## Leaderboard",
        leaderboard_markdown(report),
        leaderboard_legend(report),
    ]
    notes = data_notes(report)
    if notes:
        parts += ["## Notes on the data", "\n".join(f"- {line}" for line in notes)]
    if report.figures:
        parts.append("## Figures")
        for figure in report.figures:
            png = next(p for p in figure.paths if p.suffix == ".png")
            pdf = next(p for p in figure.paths if p.suffix == ".pdf")
            parts += [f"### {figure.title}", f"![{figure.title}]({png.name})",
                      f"{figure.caption} ([PDF]({pdf.name}))"]
    if not report.runs.empty:
        parts += ["## Per problem", per_problem_markdown(report)]
    parts += ["## Files", FILES.format(trials_csv=trials_csv_name(len(report.trials)))]
    return "\n\n".join(parts) + "\n"


def data_notes(report: Report) -> list[str]:
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
    lines += list(report.board.notes)
    lines += report.skipped
    return list(dict.fromkeys(lines))


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


FILES = """| file | contents |
|---|---|
| `README.md` | this report |
| `leaderboard.md`, `leaderboard.csv`, `leaderboard.tex` | the leaderboard (the CSV has every statistic in its own column; the LaTeX table needs `booktabs`) |
| `runs.csv` | one row per run at the budget: best CV and test scores, raw and normalized, trials, cost, failures, seconds |
| `{trials_csv}`, `trials.parquet` | the trial record: one row per trial |
| `*.png`, `*.pdf` | the figures |
| `manifest.json` | package versions, catalogue version, fingerprint and references, suite, seeds, budget, strategy identities, statistics settings, machine, date |"""
