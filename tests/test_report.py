"""The report: every file of ``results/<suite>/``, on complete and on partial data, reproducible,
and no strategy's numbers moved by another strategy's runs."""

import json
import os
import re

import pandas as pd
import pytest

import synthetic_store as synth
from bench.analysis import RUN_COLUMNS, TRIAL_COLUMNS
from bench.report import write_report
from bench.plan import run_specs
from bench.records import TrialRecord
from bench.leaderboard import LEADERBOARD_COLUMNS
from bench.store import open_store
from bench.suite import Suite

FIGURES = ["normalized_convergence", "convergence", "convergence_time", "average_rank", "heatmap",
           "ecdf", "overfitting", "timing", "critical_difference"]
TABLES = ["trials.csv", "trials.parquet", "runs.csv", "leaderboard.csv", "leaderboard.md",
          "leaderboard.tex", "leaderboard_equal_time.csv", "leaderboard_equal_time.md",
          "by_kind.md", "by_kind.csv", "manifest.json", "README.md", "index.html"]
STRONG = {"random": synth.Behaviour(0), "good": synth.Behaviour(2, suggest_seconds=0.05),
          "best": synth.Behaviour(4, suggest_seconds=0.2)}


def report(tmp_path, behaviours, name="out", n_problems=6, with_references=None, saturated=(),
           skip=(), seeds=3, budget=10, store=None, figures=True):
    """Fill a store with made-up runs of ``behaviours`` and write the report of all of them
    (without its figures when the test reads none: drawing them is most of a report's time)."""
    cat = synth.catalogue(n_problems, with_references, saturated)
    suite = Suite("synthetic", ("p*",), None, seeds, budget)
    store = store or open_store(tmp_path / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, behaviours, skip=skip)
    out = tmp_path / name
    written = write_report(suite, cat, infos, store, out, figures=figures)
    return out, written


def test_the_report_writes_every_file_and_embeds_every_figure(tmp_path):
    out, written = report(tmp_path, STRONG)
    expected = set(TABLES) | {f"{f}.{ext}" for f in FIGURES for ext in ("png", "pdf")}
    assert {p.name for p in written} == expected
    for name in expected:
        assert (out / name).stat().st_size > 0, name

    readme = (out / "README.md").read_text()
    embedded = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert sorted(embedded) == sorted(f"{f}.png" for f in FIGURES)
    for figure in FIGURES:
        assert f"({figure}.pdf)" in readme
    assert "## Notes on the data" not in readme  # nothing is missing, nothing failed

    board = pd.read_csv(out / "leaderboard.csv")
    assert list(board.columns) == LEADERBOARD_COLUMNS
    assert list(board["strategy"]) == ["best", "good", "random"]
    board = board.set_index("strategy")
    # the best of 5 draws a trial beats random everywhere; a win counts beyond the problem's band
    means = pd.read_csv(out / "runs.csv").groupby(["problem", "strategy"])[
        "normalized_score"].mean().unstack()
    assert (means["best"] > means["random"]).all()
    assert board.loc["best", "losses"] == 0 and board.loc["best", "wins"] >= 3
    assert board.loc["good", ["wins", "ties", "losses"]].sum() == 6

    trials = pd.read_csv(out / "trials.csv")
    assert list(trials.columns) == TRIAL_COLUMNS and len(trials) == 3 * 6 * 3 * 10
    parquet = pd.read_parquet(out / "trials.parquet")
    pd.testing.assert_frame_equal(parquet[["problem", "seed", "score", "best_score"]],
                                  trials[["problem", "seed", "score", "best_score"]],
                                  check_dtype=False)
    runs = pd.read_csv(out / "runs.csv")
    assert list(runs.columns) == RUN_COLUMNS and len(runs) == 3 * 6 * 3

    tex = (out / "leaderboard.tex").read_text()
    assert "\\toprule" in tex and "\\begin{tabular}" in tex and "95\\% CI" in tex

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["suite"]["seeds"] == [0, 1, 2] and manifest["suite"]["budget"] == 10
    assert manifest["catalogue"]["fingerprint"] and manifest["catalogue"]["version"]
    assert {s["name"] for s in manifest["strategies"]} == set(STRONG)
    assert all(s["identity"] for s in manifest["strategies"])
    assert manifest["packages"]["installed"]["scipy"]
    assert manifest["machine"]["cores"] >= 1 and manifest["machine"]["python"]
    assert manifest["runs"] == {"expected": 54, "complete": 54, "partial": 0, "failed": 0,
                                "missing": 0}
    assert manifest["statistics"]["bootstrap_seed"] == 0


def test_the_same_store_gives_the_same_report(tmp_path):
    cat = synth.catalogue(4)
    suite = Suite("synthetic", ("p*",), None, 2, 8)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, STRONG)
    write_report(suite, cat, infos, store, tmp_path / "a")
    write_report(suite, cat, infos, store, tmp_path / "b")
    for name in ("leaderboard.csv", "leaderboard.md", "leaderboard.tex", "runs.csv",
                 "trials.csv", "README.md", "heatmap.pdf", "convergence.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_report_with_nothing_new_is_left_as_it_is(tmp_path):
    cat = synth.catalogue(3)
    suite = Suite("synthetic", ("p*",), None, 2, 6)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, STRONG, skip=[("p01", "good", 1), ("p02", "best", 0)])
    out = tmp_path / "out"

    def write(force=False, figures=False):
        return write_report(suite, cat, infos, store, out, force=force, figures=figures)

    def stamps():
        return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    first = write()  # without figures: what is up to date does not depend on them
    assert len(first) == len(TABLES)
    before = stamps()
    assert write() == [] and stamps() == before  # nothing new: nothing touched

    # the missing run arrives (run ids do not depend on the suite that asked for them)
    synth.fill(store, cat, Suite("one", ("p01",), None, 2, 6), {"good": STRONG["good"]},
               skip=[("p01", "good", 0)])
    assert len(write()) == len(first)
    assert json.loads((out / "manifest.json").read_text())["runs"]["complete"] == 3 * 3 * 2 - 1

    # a trial more in a run that is still partial: trials.csv has it, so the report is redone
    partial = next(s for s in run_specs(suite, cat, infos)
                   if (s.problem, s.strategy, s.seed) == ("p02", "best", 0))
    store.start_run(partial)
    for trial in range(2):
        store.add_trial(TrialRecord(partial.run_id, trial, {"x": 0.5}, 1.0, 1.0, 0.5, 0.0, 0.5,
                                    0.01, 0.001, "ok", "", f"2026-01-03T00:00:0{trial}"))
        assert len(write()) == len(first)
    assert write() == []

    # with its figures it is another report, which is written; then one figure gone is drawn again
    drawn = write(figures=True)
    assert len(drawn) == len(TABLES) + 2 * len(FIGURES)
    assert write(figures=True) == []
    (out / "heatmap.png").unlink()  # a file gone: written again
    assert len(write(figures=True)) == len(drawn) and (out / "heatmap.png").is_file()
    assert write(figures=True) == []
    assert len(write(force=True)) == len(first)
    bigger = Suite("synthetic", ("p*",), None, 2, 5)  # another budget is another report
    assert write_report(bigger, cat, infos, store, out, force=False, figures=False)


def test_a_large_trial_record_is_gzipped_reproducibly(tmp_path, monkeypatch):
    cat = synth.catalogue(3)
    suite = Suite("synthetic", ("p*",), None, 2, 6)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, STRONG)
    write_report(suite, cat, infos, store, tmp_path / "a", figures=False)  # small: plain trials.csv
    assert (tmp_path / "a" / "trials.csv").is_file()
    monkeypatch.setattr("bench.report_text.GZIP_TRIALS", 3 * 3 * 2 * 6 - 1)  # one row fewer than here
    for out in ("a", "b"):
        written = write_report(suite, cat, infos, store, tmp_path / out, figures=False)
        assert tmp_path / out / "trials.csv.gz" in written
    assert not (tmp_path / "a" / "trials.csv").exists()  # the stale plain copy is gone
    assert "`trials.csv.gz`" in (tmp_path / "a" / "README.md").read_text()
    gz = [(tmp_path / out / "trials.csv.gz").read_bytes() for out in ("a", "b")]
    assert gz[0] == gz[1] and gz[0][:2] == b"\x1f\x8b"
    trials = pd.read_csv(tmp_path / "a" / "trials.csv.gz")
    assert list(trials.columns) == TRIAL_COLUMNS and len(trials) == 3 * 3 * 2 * 6


# Figures are drawn where the case can change them: runs missing or failing, and the cases whose
# notes are a figure's reason for not being drawn; the others are notes of the statistics and
# the README (references, saturation, the baseline, the Friedman test's minimums).
@pytest.mark.parametrize("case, behaviours, kwargs, says", [
    ("missing runs", STRONG, {"skip": [("p01", "good", 0), ("p02", "best", 1)]},
     ["`good`: 17 of 18 runs complete (1 not run)", "`best`: 17 of 18 runs complete"]),
    ("problems without references", STRONG, {"with_references": 2, "figures": False},
     ["no frozen references for `p02`, `p03`, `p04`, `p05`: normalized within this report",
      "these numbers move when strategies or runs are added"]),
    ("no references at all", STRONG, {"with_references": 0},
     ["normalized within this report (0 = the median score of the configurations `random` "
      "evaluated in it, 1 = the best score any run in it reached)"]),
    ("no references and no random search", {"good": STRONG["good"], "best": STRONG["best"]},
     {"with_references": 0},
     ["strategies are compared by rank only", "normalized-score figures"]),
    ("saturated problem", STRONG, {"saturated": [1], "figures": False},
     ["saturated (ref_best <= ref_random) and left out of normalized aggregates: `p01`"]),
    ("no random search", {"good": STRONG["good"], "best": STRONG["best"]}, {"figures": False},
     ["`random` is not in this report", "at least 3 strategies"]),
    ("a single strategy", {"random": STRONG["random"]}, {},
     ["at least 3 strategies", "average rank: needs at least two strategies"]),
    ("a single problem", STRONG, {"n_problems": 1, "figures": False},
     ["at least 2 problems"]),
    ("exhausted and failing strategies",
     {"random": synth.Behaviour(0, fail_every=3), "grid": synth.Behaviour(1, exhausted_after=4),
      "best": STRONG["best"]}, {},
     ["54 trial(s) failed (the model raised; they never count toward the best score): "
      "`random` 54"]),
])
def test_partial_data_is_reported_not_fatal(tmp_path, case, behaviours, kwargs, says):
    out, written = report(tmp_path, behaviours, **kwargs)
    readme = (out / "README.md").read_text()
    for text in says:
        assert text in readme, (case, text)
    embedded = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert bool(embedded) == kwargs.get("figures", True), case  # a figure, if drawn, is shown
    for png in embedded:
        assert (out / png).is_file()
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(board["strategy"]) == set(behaviours)


def test_a_failed_run_is_named_in_the_report(tmp_path):
    cat = synth.catalogue(3)
    suite = Suite("synthetic", ("p*",), None, 2, 5)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, STRONG, skip=[("p00", "good", 1)])
    from bench.plan import run_specs
    from bench.records import RunOutcome

    spec = next(s for s in run_specs(suite, cat, infos)
                if (s.problem, s.strategy, s.seed) == ("p00", "good", 1))
    store.start_run(spec)
    store.finish_run(RunOutcome(spec.run_id, "failed", "strategy 'good' raised in ask():\nboom"))
    write_report(suite, cat, infos, store, tmp_path / "out", figures=False)
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "failed run p00 / good / seed 1: strategy 'good' raised in ask():" in readme
    assert "`good`: 5 of 6 runs complete (1 failed)" in readme


def test_an_empty_store_gives_a_report_that_says_so(tmp_path):
    cat = synth.catalogue(2)
    suite = Suite("synthetic", ("p*",), None, 2, 5)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    written = write_report(suite, cat, [synth.strategy("random")], store, tmp_path / "out")
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "0 of 4 runs complete" in readme and "no complete run" in readme
    assert not any(p.suffix == ".png" for p in written)
    assert list(pd.read_csv(tmp_path / "out" / "trials.csv").columns) == TRIAL_COLUMNS


def test_adding_a_strategy_moves_no_other_strategy_s_numbers(tmp_path, cli_here):
    """The user's story: report, add a strategy and run again, report again. Only the new
    strategy's runs execute; every other strategy's per-run numbers and normalized scores are
    unchanged (ranks and tests against the field may move)."""
    store = tmp_path / "store.sqlite"
    tiny = "tiny_catalogue"
    cli_here("run", "tiny", "--store", store, "--strategies", "grid,random", "--no-progress",
             catalogue=tiny, check=0)
    cli_here("report", "tiny", "--store", store, "--strategies", "grid,random", "--out",
             tmp_path / "before", catalogue=tiny, check=0)
    again = cli_here("run", "tiny", "--store", store, "--no-progress", catalogue=tiny, check=0)
    assert "12 done" in again.stderr and "6 new" in again.stderr
    cli_here("report", "tiny", "--store", store, "--out", tmp_path / "after", catalogue=tiny,
             check=0)

    keys = ["problem", "strategy", "seed"]
    before = pd.read_csv(tmp_path / "before" / "runs.csv").set_index(keys).sort_index()
    after = pd.read_csv(tmp_path / "after" / "runs.csv").set_index(keys).sort_index()
    assert set(after.index.get_level_values("strategy")) == {"grid", "random", "skopt_gp"}
    assert before["normalized_score"].notna().all()  # the tiny suite's problems have references
    pd.testing.assert_frame_equal(before, after.drop(index="skopt_gp", level="strategy"))

    columns = ["normalized_score", "normalized_score_low", "normalized_score_high",
               "normalized_test_score"]
    board_before = pd.read_csv(tmp_path / "before" / "leaderboard.csv").set_index("strategy")
    board_after = pd.read_csv(tmp_path / "after" / "leaderboard.csv").set_index("strategy")
    pd.testing.assert_frame_equal(board_before.loc[["grid", "random"], columns],
                                  board_after.loc[["grid", "random"], columns])


def test_report_refuses_an_output_path_that_is_a_file(tmp_path, cli_here):
    store = tmp_path / "store.sqlite"
    cli_here("run", "tiny", "--store", store, "--strategies", "random", "--seeds", "1", "--budget",
             "2", "--no-progress", catalogue="tiny_catalogue", check=0)
    target = tmp_path / "taken"
    target.write_text("")
    proc = cli_here("report", "tiny", "--store", store, "--out", target, catalogue="tiny_catalogue",
                    check=2)
    assert f"--out {target} is a file" in proc.stderr
    assert target.read_text() == ""


def test_citation_file_describes_the_software():
    import yaml

    from conftest import ROOT

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "software"
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert citation["license"] == "BSD-3-Clause"
    assert str(citation["version"]) == project["version"]  # one version, said in both files
    assert citation["authors"] == [{"name": "The searchbench developers"}]
    assert citation["title"] and citation["message"]


def test_latex_table_is_well_formed_and_marks_significance(tmp_path):
    behaviours = {"random": synth.Behaviour(0), "my_best": synth.Behaviour(6)}
    out, _ = report(tmp_path, behaviours, n_problems=8, seeds=2, figures=False)
    tex = (out / "leaderboard.tex").read_text()
    body = tex[tex.index("\\midrule") + len("\\midrule"):tex.index("\\bottomrule")].strip()
    header = tex[tex.index("\\toprule") + len("\\toprule"):tex.index("\\midrule")].strip()
    columns = header.count("&") + 1
    assert tex.count("\\begin{tabular}{rl" + "r" * (columns - 2) + "}") == 1
    for line in [header, *body.splitlines()]:
        assert line.endswith("\\\\") and line.count("&") == columns - 1, line
    assert "my\\_best" in tex and "my_best" not in tex.replace("my\\_best", "")
    assert "\\textbf{" in tex  # 8 positive differences of 8: the primary test is significant
    assert tex.count("{") == tex.count("}")
    board = pd.read_csv(out / "leaderboard.csv").set_index("strategy")
    assert board.loc["my_best", "wilcoxon_p_holm"] < 0.05


CD_SCRIPT = """
import sys
from pathlib import Path
import numpy as np, pandas as pd
from bench import plots
names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "random"]
ranks = pd.Series(np.arange(1.0, 9.0), index=names)
# two overlapping groups that the test cannot tell apart: the first six and the last six
p = pd.DataFrame(0.5, index=names, columns=names)
p.loc[names[:2], names[6:]] = p.loc[names[6:], names[:2]] = 0.001
plots.critical_difference(ranks, p, plots.palette(names), "t", Path(sys.argv[1]))
"""


def test_the_critical_difference_diagram_is_the_same_in_every_process(tmp_path):
    """scikit-posthocs keeps each crossbar's strategies in a set, whose order follows the process's
    string hashing; the report's figures must not depend on it."""
    import subprocess
    import sys

    pngs = []
    for hashseed in ("1", "2", "3"):
        out = tmp_path / hashseed
        out.mkdir()
        subprocess.run([sys.executable, "-c", CD_SCRIPT, str(out)], check=True, timeout=300,
                       env={**os.environ, "PYTHONHASHSEED": hashseed})
        pngs.append((out / "critical_difference.png").read_bytes())
    assert pngs[0] == pngs[1] == pngs[2]


def test_a_report_asks_the_planner_once_and_reads_each_store_query_once(tmp_path, monkeypatch):
    """The report is one pass: during ``write_report`` the planner computes the suite's problems
    and run specs once (they used to be computed twice, for the digest and for the data), and
    each of the store's queries is made once: the runs' states for the digest, their status,
    errors and restarts, and the trial record. With ``figures=False`` no figure is drawn and the
    README says so."""
    import sys
    from collections import Counter

    import bench.plan

    cat = synth.catalogue(3)
    suite = Suite("synthetic", ("p*",), None, 2, 5)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, STRONG)
    planner = Counter()
    for name in ("suite_problems", "run_specs"):
        original = getattr(bench.plan, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            planner[_name] += 1
            return _original(*args, **kwargs)

        for module_name, module in list(sys.modules.items()):  # wherever it was imported to
            if module_name.split(".")[0] == "bench" and getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, counting)
    queries = Counter()

    class CountingStore:
        def __getattr__(self, name):
            attribute = getattr(store, name)
            if not callable(attribute):
                return attribute

            def call(*args, **kwargs):
                queries[name] += 1
                return attribute(*args, **kwargs)

            return call

    out = tmp_path / "out"
    written = write_report(suite, cat, infos, CountingStore(), out, figures=False)
    assert planner == {"suite_problems": 1, "run_specs": 1}
    assert queries == {"run_states": 1, "run_status": 1, "run_errors": 1, "run_diverged": 1,
                       "trials_frame": 1}
    assert not [p for p in written if p.suffix in (".png", ".pdf")]
    assert not list(out.glob("*.png")) and "## Figures" not in (out / "README.md").read_text()
    assert "no figures were drawn" in (out / "README.md").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(p.name for p in written)
