"""Protocol v3's two budgets, declared primary test and per-problem band: the equal-time view cuts
every run at random search's seconds (and extends none), W/T/L counts a difference only beyond
its problem's band, and every output names the one test a claim rests on."""

import json

import numpy as np
import pandas as pd
import pytest

import synthetic_store as synth
from bench import analysis, stats
from bench.leaderboard import equal_time_leaderboard, leaderboard
from bench.report import write_report
from bench.store import open_store
from bench.suite import Suite

BEHAVIOURS = {"random": synth.Behaviour(0),
              "slow": synth.Behaviour(3, suggest_seconds=0.02),  # thinks longer than it evaluates
              "quick": synth.Behaviour(1, suggest_seconds=0.0, exhausted_after=4)}


def filled(tmp_path, behaviours=BEHAVIOURS, n_problems=5, seeds=3, budget=10):
    cat = synth.catalogue(n_problems)
    suite = Suite("synthetic", ("p*",), None, seeds, budget)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, behaviours)
    return cat, suite, store, infos


def tables(cat, suite, store, infos):
    from bench.plan import run_specs

    trials = analysis.trial_records(store, run_specs(suite, cat, infos), suite.name)
    curve = analysis.curves(trials, suite.budget)
    runs = analysis.run_table(trials, curve, cat, suite.budget)
    return trials, runs


def test_each_run_is_cut_at_random_search_s_seconds_on_its_problem_and_seed(tmp_path):
    cat, suite, store, infos = filled(tmp_path)
    trials, runs = tables(cat, suite, store, infos)
    cut = analysis.equal_time_runs(trials, runs, cat).set_index(analysis.RUN_KEYS)
    assert list(cut.reset_index().columns) == analysis.EQUAL_TIME_COLUMNS
    assert len(cut) == len(runs)
    # the same cut, recomputed trial by trial
    trials = trials.assign(spent=trials["eval_seconds"] + trials["suggest_seconds"])
    limits = trials[trials["strategy"] == "random"].groupby(["problem", "seed"])["spent"].sum()
    checked_cut = 0
    for (problem, strategy, seed), run in trials.groupby(analysis.RUN_KEYS):
        run = run.sort_values("trial")
        limit = limits[(problem, seed)]
        kept = run[run["spent"].cumsum() <= limit * (1 + 1e-9)]
        row = cut.loc[(problem, strategy, seed)]
        assert row["time_limit"] == pytest.approx(limit)
        assert row["trials"] == len(kept) and row["cost"] == pytest.approx(kept["cost"].sum())
        assert row["seconds"] == pytest.approx(kept["spent"].sum())
        assert row["seconds"] <= limit * (1 + 1e-9)
        assert row["cut"] == (len(kept) < len(run))
        ok = kept[(kept["status"] == "ok") & (kept["fidelity"] == 1.0)]
        assert row["best_score"] == pytest.approx(ok["score"].max())
        low, high = cat.reference(problem).ref_random, cat.reference(problem).ref_best
        assert row["normalized_score"] == pytest.approx((ok["score"].max() - low) / (high - low))
        checked_cut += bool(row["cut"])
    # the slow strategy suggests for longer than random search runs: every one of its runs is cut
    assert cut.xs("slow", level="strategy")["cut"].all()
    assert checked_cut >= len(cut.xs("slow", level="strategy"))
    # random search's own runs are never cut: their equal-time result is their result
    own = cut.xs("random", level="strategy")
    assert not own["cut"].any()
    at_budget = runs.set_index(analysis.RUN_KEYS).xs("random", level="strategy")
    pd.testing.assert_series_equal(own["best_score"], at_budget.loc[own.index, "best_score"])


def test_a_run_that_used_less_is_kept_flat_and_never_extended(tmp_path):
    cat, suite, store, infos = filled(tmp_path)
    trials, runs = tables(cat, suite, store, infos)
    cut = analysis.equal_time_runs(trials, runs, cat).set_index(analysis.RUN_KEYS)
    quick = cut.xs("quick", level="strategy")
    # four trials, no suggestion time: done well within random search's ten trials
    assert (quick["trials"] == 4).all() and not quick["cut"].any()
    assert (quick["seconds"] < quick["time_limit"]).all()
    whole = runs.set_index(analysis.RUN_KEYS).xs("quick", level="strategy")
    pd.testing.assert_series_equal(quick["best_score"], whole.loc[quick.index, "best_score"])
    board = equal_time_leaderboard(cut.reset_index())
    assert any("kept flat from their end" in note and "not extended" in note
               for note in board.notes)


def hand_made_trials() -> pd.DataFrame:
    """One problem, one seed: random search spends 3 s; ``late`` evaluates a low fidelity first
    and reaches a full-fidelity result only after 4 s."""
    rows = []

    def run(strategy, spec):
        for t, (fidelity, score, seconds) in enumerate(spec):
            rows.append({"run_id": strategy, "problem": "p00", "strategy": strategy, "seed": 0,
                         "strategy_version": "1", "trial": t, "fidelity": fidelity,
                         "cost": fidelity, "score": score, "test_score": score, "status": "ok",
                         "eval_seconds": seconds, "suggest_seconds": 0.0})

    run("random", [(1.0, 0.60, 1.0), (1.0, 0.62, 1.0), (1.0, 0.61, 1.0)])
    run("late", [(0.5, 0.70, 4.0), (1.0, 0.75, 1.0)])
    run("fast", [(1.0, 0.64, 0.5), (1.0, 0.66, 0.5)])
    run("halfway", [(1.0, 0.63, 1.5), (1.0, 0.90, 1.5), (1.0, 0.95, 1.5)])
    return analysis.add_running_best(pd.DataFrame(rows))


def test_the_cut_on_hand_made_runs():
    cat = synth.catalogue(1)
    trials = hand_made_trials()
    curve = analysis.curves(trials, 3)
    runs = analysis.run_table(trials, curve, cat, 3)
    cut = analysis.equal_time_runs(trials, runs, cat).set_index("strategy")
    assert cut.loc["random", "best_score"] == 0.62 and not cut.loc["random", "cut"]
    assert cut.loc["fast", "best_score"] == 0.66 and cut.loc["fast", "seconds"] == 1.0
    # 1.5 + 1.5 = 3 s is exactly random search's time: the second trial counts, the third not
    assert cut.loc["halfway", "best_score"] == 0.90 and cut.loc["halfway", "trials"] == 2
    assert np.isnan(cut.loc["late", "best_score"]) and cut.loc["late", "trials"] == 0
    board = equal_time_leaderboard(cut.reset_index())
    assert "late" not in set(board.table["strategy"])
    assert any("no full-fidelity result" in note and "`late` 1" in note for note in board.notes)


def band_runs() -> pd.DataFrame:
    """Four problems, three seeds, random search at 0.5 everywhere; ``other``'s per-seed
    differences are built so that each problem's verdict is known."""
    differences = {"p00": [0.05, 0.05, 0.05],  # clear win: no seed noise, beyond 0.01
                   "p01": [0.30, -0.20, 0.05],  # mean 0.05, but within twice its SE: a tie
                   "p02": [-0.02, -0.02, -0.02],  # a loss beyond the 0.01 floor
                   "p03": [0.005, 0.005, 0.005]}  # within the floor: a tie
    rows = []
    for problem, diffs in differences.items():
        for seed, d in enumerate(diffs):
            for strategy, value in (("random", 0.5), ("other", 0.5 + d)):
                rows.append({"problem": problem, "strategy": strategy, "seed": seed,
                             "best_score": 0.5 + 0.3 * value, "best_test_score": 0.5 + 0.3 * value,
                             "normalized_score": value, "normalized_test_score": value,
                             "suggest_seconds": 0.0, "eval_seconds": 1.0})
    return pd.DataFrame(rows)


def test_win_tie_loss_uses_each_problem_s_band():
    runs = band_runs()
    bands = stats.difference_bands(runs)["other"]
    noisy = np.std([0.30, -0.20, 0.05], ddof=1) / np.sqrt(3)
    assert bands["p01"] == pytest.approx(2 * noisy)
    assert bands["p00"] == bands["p02"] == bands["p03"] == stats.ROPE  # no seed noise: the floor
    row = leaderboard(runs).table.set_index("strategy").loc["other"]
    assert (row["wins"], row["ties"], row["losses"]) == (1, 2, 1)
    # with the old fixed band the noisy problem's mean of 0.05 was a win
    fixed = stats.baseline_tests(stats.problem_means(runs),
                                 stats.problem_means(runs, "normalized_score"), bayes=False)
    assert (fixed.loc["other", "wins"], fixed.loc["other", "ties"]) == (2, 1)


def test_a_band_without_shared_seeds_combines_the_two_means_errors():
    runs = band_runs()
    # other's seeds renamed: no seed is shared, so the SE is that of two independent means
    runs.loc[runs["strategy"] == "other", "seed"] += 10
    bands = stats.difference_bands(runs)["other"]
    values = np.array([0.30, -0.20, 0.05]) + 0.5
    expected = np.sqrt(np.var(values, ddof=1) / 3 + 0.0)
    assert bands["p01"] == pytest.approx(2 * expected)
    single = band_runs().query("seed == 0")
    assert (stats.difference_bands(single)["other"] == stats.ROPE).all()  # one seed: the floor


def test_every_output_names_the_primary_test_and_shows_both_budgets(tmp_path):
    behaviours = {"random": synth.Behaviour(0), "my_best": synth.Behaviour(6),
                  "slow": synth.Behaviour(3, suggest_seconds=0.02)}
    cat, suite, store, infos = filled(tmp_path, behaviours, n_problems=10, seeds=5)
    out = tmp_path / "out"
    written = {p.name for p in write_report(suite, cat, infos, store, out, figures=False)}
    assert {"leaderboard_equal_time.md", "leaderboard_equal_time.csv"} <= written

    readme = (out / "README.md").read_text()
    assert "## Leaderboard at equal evaluations" in readme
    assert "## Leaderboard at equal time" in readme
    assert readme.index("at equal evaluations") < readme.index("## Leaderboard at equal time")
    assert "equal compute" not in readme.lower().replace("not equal compute", "")
    for name in ("README.md", "leaderboard.md", "leaderboard_equal_time.md"):
        text = (out / name).read_text()
        assert f"Primary test (declared before the results): {stats.PRIMARY_TEST}" in text, name
        assert "p Wilcoxon (Holm), primary" in text and "p sign (Holm), secondary" in text, name
        assert f"max({stats.ROPE}, 2 x the seeds' standard error" in text, name
    equal_time = (out / "leaderboard_equal_time.md").read_text()
    assert "depend on the machine" in equal_time and "not extended" in equal_time

    # only the primary test's significance is marked: the sign test's is not, though it holds
    board = pd.read_csv(out / "leaderboard.csv").set_index("strategy")
    assert board.loc["my_best", "sign_p_holm"] < stats.ALPHA
    assert board.loc["my_best", "wilcoxon_p_holm"] < stats.ALPHA
    line = next(l for l in (out / "leaderboard.md").read_text().splitlines() if "my_best" in l)
    cells = [c.strip() for c in line.split("|")]
    wilcoxon, sign = cells[8], cells[9]
    assert wilcoxon.startswith("**") and not sign.startswith("**")

    # random search is never cut: its row at equal time is its row at equal evaluations
    timed = pd.read_csv(out / "leaderboard_equal_time.csv").set_index("strategy")
    assert timed.loc["random", "normalized_score"] == pytest.approx(
        board.loc["random", "normalized_score"])
    assert timed.loc["slow", "normalized_score"] < board.loc["slow", "normalized_score"]

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["statistics"]["primary_test"] == stats.PRIMARY_TEST
    assert "leaderboard_equal_time.csv" in manifest["files"]
    page = (out / "index.html").read_text()
    assert 'id="leaderboard-equal-time"' in page and "Leaderboard at equal time" in page
    assert "p Wilcoxon (Holm), primary" in page
