"""The default suite's selection rule: its measures, its reasons, and the committed suite file."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from bench import selection
from bench.catalogue import load_catalogue
from bench.references import read_entries, references_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built_in():
    return load_catalogue()


def test_expected_best_is_the_mean_best_over_every_subset_of_the_draws():
    assert selection.expected_best([1.0, 2.0], 1) == pytest.approx(1.5)
    assert selection.expected_best([1.0, 2.0], 2) == pytest.approx(2.0)
    # subsets of 2 of {failed, 1, 2}: bests 1, 2, 2 (a failure ranks below every score)
    assert selection.expected_best([None, 1.0, 2.0], 2) == pytest.approx(5 / 3)
    assert np.isnan(selection.expected_best([None, None], 1))
    rng = np.random.default_rng(0)
    scores = list(rng.normal(size=100))
    scores[3] = None
    ok = np.array([s if s is not None else -np.inf for s in scores])
    subsets = np.array([rng.permutation(100)[:50] for _ in range(20_000)])
    assert selection.expected_best(scores, 50) == pytest.approx(ok[subsets].max(axis=1).mean(),
                                                                abs=0.005)


def test_expected_best_is_unbiased_for_fresh_configurations():
    """Averaged over many sets of 100 draws, it gives the expected best of 50 fresh draws
    (50/51 for uniform scores); the best of 50 draws with replacement from the 100 falls short."""
    rng = np.random.default_rng(1)
    sets = rng.uniform(size=(3000, 100))
    mine = np.mean([selection.expected_best(list(x), 50) for x in sets])
    assert mine == pytest.approx(50 / 51, abs=0.0005)
    replaced = np.mean([np.sort(x)[rng.integers(0, 100, (200, 50))].max(axis=1).mean()
                        for x in sets[:300]])
    assert 50 / 51 - replaced > 0.003


def entry(catalogue, pid, **change):
    base = {"protocol": "pooled-4", "ref_random": 0.5, "ref_best": 0.9, "ref_best_sem": 0.01,
            "random_scores": list(np.linspace(0.3, 0.7, 100)),
            "cost_curve": [[0.2, 0.3], [1.0, 1.0]], "cost_curve_seconds": {"1": 0.01},
            "digest": catalogue.problem_digests[pid]}
    return {**base, **change}


def test_each_criterion_is_applied_and_named(built_in):
    pid = "ridge-friedman2_n500"  # R^2: the resolution is the best score's standard error
    good = selection.judge(built_in, pid, entry(built_in, pid))
    # 5 folds: the stored sem (population deviation / sqrt 5) scaled to n - 1 degrees of freedom
    assert good.qualifies and good.standard_errors == pytest.approx(0.4 / (0.01 * (5 / 4) ** 0.5))
    draws = list(np.linspace(0.3, 0.7, 100))
    assert good.expected == pytest.approx((selection.expected_best(draws[:50]) - 0.5) / 0.4)
    assert good.held_out == pytest.approx((selection.expected_best(draws[50:]) - 0.5) / 0.4)
    assert good.cheap_fidelity is False  # c(0.2) = 0.3 > 0.25
    cases = {
        "no room": dict(random_scores=list(np.linspace(0.89, 0.3, 100))),
        "standard errors of the score (< 10)": dict(ref_best_sem=0.05),
        "noise is not measured": dict(ref_best_sem=None),
        "too few to select on": dict(random_scores=list(np.linspace(0.3, 0.7, 60))),
        "CPU s >": dict(cost_curve_seconds={"1": 0.9}),
        "saturated": dict(ref_best=0.5),
        "no pooled reference": dict(protocol="random100+skopt_gp60"),
        "another definition": dict(digest="0" * 64),
    }
    for reason, change in cases.items():
        verdict = selection.judge(built_in, pid, entry(built_in, pid, **change))
        assert not verdict.qualifies and any(reason in r for r in verdict.reasons), (reason,
                                                                                   verdict)
    assert "no pooled reference" in selection.judge(built_in, pid, None).reasons[0]


def test_an_accuracy_is_never_resolved_finer_than_one_validation_sample(built_in):
    pid = "tree-wine"  # five equal folds (no spread) still leave one sample's step of noise
    verdict = selection.judge(built_in, pid, entry(built_in, pid, ref_best_sem=0.0))
    train = len(built_in.problems[pid].splits[2])
    assert verdict.standard_errors == pytest.approx(0.4 * train)


def test_the_selection_meets_its_minimums_first_then_fills_the_time_limit_cheapest_first(
        built_in):
    entries = {}
    for i, pid in enumerate(sorted(built_in.problems)):
        if built_in.problems[pid].unavailable:
            continue
        entries[pid] = entry(built_in, pid, cost_curve_seconds={"1": 0.001 * (i % 40)},
                             ref_best_sem=0.001, ref_best=0.99,
                             cost_curve=[[0.1, 0.2 if i % 7 == 0 else 0.6], [1.0, 1.0]])
    budget = 40 * selection.problem_cpu_seconds(0.02)
    picked = selection.select(built_in, entries, cpu_budget=budget)
    assert not picked.shortfalls, picked.shortfalls
    assert picked.counts["problems"] >= 36 and picked.counts["density"] >= 4
    assert picked.counts["regression"] >= 8 and picked.counts["cheap_fidelity"] >= 8
    chosen = [v for v in picked.verdicts if v.selected]
    assert picked.cpu_seconds == pytest.approx(
        sum(selection.problem_cpu_seconds(v.eval_seconds) for v in chosen))
    assert picked.cpu_seconds <= budget
    left = [v for v in picked.verdicts if v.qualifies and not v.selected]
    assert left and all(picked.cpu_seconds + selection.problem_cpu_seconds(v.eval_seconds)
                        > budget for v in left)  # full: nothing left out would still fit
    assert min(v.eval_seconds for v in left) >= np.median([v.eval_seconds for v in chosen])
    assert "qualifies; over the time limit" in selection.selection_table(picked)


def test_a_shortfall_is_reported_not_hidden(built_in):
    pid = "tree-wine"
    picked = selection.select(built_in, {pid: entry(built_in, pid, ref_best_sem=0.0)})
    assert picked.problems == [pid]
    assert "problems: 1 of the 36 required" in picked.shortfalls
    assert "short of the minimums" in selection.selection_table(picked)


def test_the_default_suite_lists_exactly_what_the_rule_selects(built_in):
    chosen = selection.select(built_in, read_entries(references_path(built_in))).problems
    suite = tomllib.loads((ROOT / "datasets" / "suites" / "default.toml").read_text())
    assert sorted(suite["problems"]) == sorted(chosen)


def test_the_list_command_shows_why(cli_here):
    proc = cli_here("list", "problems", "--selection")
    assert "problems qualify; selected:" in proc.stdout and "out: " in proc.stdout
    wrong = cli_here("list", "suites", "--selection", check=2)
    assert "--selection lists problems only, not suites" in wrong.stderr


def test_each_minimum_is_met_before_cheaper_problems_fill_the_suite(built_in, monkeypatch):
    """Regression, density and cheap-fidelity problems cost the most here, decision trees the
    least. Cheapest-first alone would leave the minimums unmet; the rule first takes what each
    minimum needs."""
    entries = {}
    for i, pid in enumerate(sorted(built_in.problems)):
        problem = built_in.problems[pid]
        if problem.unavailable:
            continue
        tree = problem.model == "tree" and problem.task == "classification"
        cheap_fidelity = i % 5 == 0 and not tree
        needed = problem.task in ("regression", "density") or cheap_fidelity
        seconds = 0.001 if tree else (0.05 if needed else 0.03)
        entries[pid] = entry(built_in, pid, cost_curve_seconds={"1": seconds},
                             ref_best_sem=0.001, ref_best=0.99,
                             cost_curve=[[0.1, 0.2 if cheap_fidelity else 0.6], [1.0, 1.0]])
    budget = 30 * selection.problem_cpu_seconds(0.05)
    picked = selection.select(built_in, entries, cpu_budget=budget)
    assert not [s for s in picked.shortfalls if not s.startswith("problems")], picked.shortfalls
    monkeypatch.setattr(selection, "MINIMUMS", {k: 0 for k in selection.MINIMUMS})
    plain = selection.select(built_in, entries, cpu_budget=budget)
    assert plain.counts["density"] < 4 and plain.counts["regression"] < 8
    assert plain.counts["cheap_fidelity"] < 8


# -- protocol v3: room on held-out draws, range against noise -----------------------------------
def test_the_room_reported_comes_from_draws_the_selection_did_not_use(built_in):
    pid = "ridge-friedman2_n500"
    rng = np.random.default_rng(3)
    draws = list(rng.uniform(0.3, 0.8, 100))
    base = selection.judge(built_in, pid, entry(built_in, pid, random_scores=draws))
    # the selection's measure moves with its half only, the reported room with the other only
    other_half = draws[:50] + list(rng.uniform(0.3, 0.8, 50))
    moved = selection.judge(built_in, pid, entry(built_in, pid, random_scores=other_half))
    assert moved.expected == base.expected and moved.held_out != base.held_out
    first_half = list(rng.uniform(0.3, 0.8, 50)) + draws[50:]
    moved = selection.judge(built_in, pid, entry(built_in, pid, random_scores=first_half))
    assert moved.held_out == base.held_out and moved.expected != base.expected
    chosen, held = selection.split_draws(draws)
    assert not set(map(id, chosen)) & set(map(id, held)) and len(chosen) == len(held) == 50


def test_held_out_room_has_no_selection_bias_where_the_selections_own_estimate_has():
    """Many problems whose random search has the same true room: those selected for looking
    roomy on their draws look roomier than they are; their held-out draws do not."""
    rng = np.random.default_rng(4)
    true = 50 / 51  # the expected best of 50 uniform draws
    chosen_on, held = [], []
    for _ in range(4000):
        first, second = selection.split_draws(list(rng.uniform(size=100)))
        estimate = selection.expected_best(first)
        if estimate <= 0.97:  # "room": selected
            chosen_on.append(estimate)
            held.append(selection.expected_best(second))
    assert 200 < len(chosen_on) < 3800
    assert true - np.mean(chosen_on) > 0.005  # biased: the selection picked its lucky problems
    assert np.mean(held) == pytest.approx(true, abs=0.002)


def test_a_single_split_problem_is_judged_on_its_spread_over_training_seeds(built_in):
    pid = "gan-digits"  # one validation split: no folds to measure the noise with
    verdict = selection.judge(built_in, pid, entry(built_in, pid, ref_best_sem=0.0))
    assert any("--seed-noise" in r for r in verdict.reasons)
    verdict = selection.judge(built_in, pid, entry(built_in, pid, seed_std=0.05))
    assert verdict.standard_errors == pytest.approx(0.4 / 0.05)
    assert any("8.0 standard errors of the score (< 10)" in r for r in verdict.reasons)
    assert selection.judge(built_in, pid, entry(built_in, pid, seed_std=0.01)).standard_errors \
        == pytest.approx(40)


def test_a_range_under_ten_standard_errors_is_out_with_that_reason_in_the_list(
        tmp_path, cli, monkeypatch):
    """`list problems --selection` on a catalogue of its own: one problem whose range is 5
    standard errors, one whose range is 15."""
    import json
    import os

    from tiny_catalogue import PROBLEMS

    (tmp_path / "noisecat.py").write_text(
        "from tiny_catalogue import PROBLEMS, SUITES_DIR, VERSION\n")
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ['PYTHONPATH']}")
    from bench.catalogue import Catalogue

    digests = Catalogue.from_problems(PROBLEMS, version="x").problem_digests

    def make(pid, sem):
        return {"protocol": "pooled-4", "ref_random": 0.5, "ref_best": 0.8, "ref_best_sem": sem,
                "random_scores": list(np.linspace(0.3, 0.6, 100)),
                "cost_curve": [[0.2, 0.3], [1.0, 1.0]], "cost_curve_seconds": {"1": 0.01},
                "digest": digests[pid]}
    folds = 3  # the tiny problems' CV: the standard error is sem * sqrt(3 / 2)
    entries = {"tree-blobs": make("tree-blobs", 0.06 / (folds / (folds - 1)) ** 0.5),
               "knn-blobs": make("knn-blobs", 0.02 / (folds / (folds - 1)) ** 0.5)}
    (tmp_path / "references.json").write_text(json.dumps({"problems": entries}))
    out = cli("list", "problems", "--selection", catalogue="noisecat", check=0).stdout
    tree = next(line for line in out.splitlines() if line.startswith("tree-blobs "))
    assert "out: reference range only 5.0 standard errors of the score (< 10)" in tree
    knn = next(line for line in out.splitlines() if line.startswith("knn-blobs "))
    assert knn.endswith("selected") and " 15.0 " in knn


def test_a_problem_that_needs_an_extra_is_out_whether_or_not_the_extra_is_installed(built_in):
    """`make bench` must run without extras: a deep problem is out of the default suite's
    selection by the extra it needs, not by what this machine happens to have installed."""
    deep = [pid for pid, p in built_in.problems.items() if p.extra]
    assert deep, "the catalogue has problems that need the torch extra"
    entries = read_entries(references_path(built_in))
    chosen = selection.select(built_in, entries).problems
    for pid in deep:
        verdict = selection.judge(built_in, pid, entries.get(pid))
        assert f"needs the {built_in.problems[pid].extra} extra" in verdict.reasons
        assert pid not in chosen
