"""The catalogue: its breadth, that every problem evaluates offline, its fingerprint, its frozen
references and how they are made, the committed catalogue table, and dry runs."""

import json
import math
import statistics
import textwrap
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench.backends import SerialBackend
from bench.costcurve import rungs
from bench.evaluator import ChildEvaluator
from bench.catalogue import Catalogue, Reference, load_catalogue
from bench.catalogue_doc import catalogue_markdown
from bench.owner import execute
from bench.references import Method, make_references, needing_references, read_entries
from bench.registry import discover
from bench.space import Integer, Real, Space
from bench.store import open_store

ROOT = Path(__file__).resolve().parents[1]
BUILT_IN = load_catalogue("bench.datasets")
TINY = "tiny_catalogue"

CLASSIFIERS = {"svc", "logreg", "knn", "tree", "rf", "hgb", "mlp", "adaboost"}
REGRESSORS = {"ridge", "elasticnet", "svr", "knn", "rf", "hgb", "mlp"}
GENERATIVE = {"gmm", "kde", "rbm"}


def models(task):
    return {p.model for p in BUILT_IN.problems.values() if p.task == task}


# -- breadth ----------------------------------------------------------------------------------
def test_the_catalogue_is_broad_enough():
    tasks = Counter(p.task for p in BUILT_IN.problems.values())
    assert len(BUILT_IN.problems) >= 100
    assert tasks["density"] >= 6 and tasks["regression"] >= 25
    assert CLASSIFIERS <= models("classification")
    assert REGRESSORS <= models("regression")
    assert GENERATIVE <= models("density")


def test_list_problems_counts_what_the_issue_asks(cli_here):
    out = cli_here("list", "problems", check=0).stdout
    last = out.strip().splitlines()[-1]
    counts = {task: int(n) for n, task in
              (part.split() for part in last.split("(")[1].split(")")[0].split(", "))}
    assert sum(counts.values()) >= 100
    assert counts["density"] >= 6 and counts["regression"] >= 25


def test_the_problems_the_foundation_tests_use_keep_their_ids():
    for pid in ("mlp_classic-digits", "svc-digits", "svc-wine", "knn-wine", "knn-breast_cancer",
                "rf-breast_cancer", "ridge-diabetes"):
        assert pid in BUILT_IN.problems


def test_ids_carry_the_metric_when_it_is_not_the_default():
    for pid, problem in BUILT_IN.problems.items():
        parts = pid.split("-")
        assert parts[0] == problem.model and parts[1] == problem.dataset.name
        assert (parts[2] if len(parts) == 3 else None) == problem.metric


def test_spaces_are_conditional_rather_than_forbidden():
    assert all(not p.space.forbidden for p in BUILT_IN.problems.values())
    conditional = {p.model for p in BUILT_IN.problems.values() if p.space.is_conditional}
    assert {"svc", "svr", "logreg", "mlp", "rf", "extra_trees"} <= conditional
    svc = BUILT_IN.problems["svc-wine"].space
    assert svc["gamma"].condition.values == ("rbf", "poly", "sigmoid")
    assert svc["degree"].condition.values == ("poly",)
    assert svc["C"].log and svc["gamma"].log


def test_knn_fidelity_keeps_enough_samples_for_every_neighbour_count():
    for problem in BUILT_IN.problems.values():
        if problem.model != "knn":
            continue
        largest = problem.space["n_neighbors"].high
        smallest_train = min(len(train) for train, _ in problem.folds)
        assert round(problem.fidelity.min_fraction * smallest_train) >= largest, problem.id


# -- every problem evaluates, offline ---------------------------------------------------------
def _plausible(problem, score):
    metric = problem.to_dict()["metric"]
    if metric in ("accuracy", "balanced_accuracy"):
        return 0.0 <= score <= 1.0
    if metric.startswith("neg_") or metric == "r2":
        return score <= (1.0 if metric == "r2" else 0.0)
    return math.isfinite(score)  # a log-likelihood may have any sign


@pytest.mark.parametrize("pid", sorted(BUILT_IN.problems))
def test_every_problem_evaluates_its_default_configuration(pid):
    from threadpoolctl import threadpool_limits

    problem = BUILT_IN.problems[pid]
    config = problem.space.default()
    problem.space.validate(config)
    with threadpool_limits(1):  # as in a worker; several BLAS threads on a busy machine crawl
        full = problem.evaluate(config)
        # the cheapest fidelity a multi-fidelity strategy may ask for works too
        low = problem.evaluate(config, problem.fidelity.min_fraction)
    assert math.isfinite(full.score) and math.isfinite(full.test_score)
    assert _plausible(problem, full.score) and _plausible(problem, full.test_score)
    assert math.isfinite(low.score)


# -- the fingerprint ------------------------------------------------------------------------------
def test_changing_a_search_space_changes_the_fingerprint(tiny):
    problems = list(tiny.problems.values())
    before = Catalogue.from_problems(problems, version="x").fingerprint
    assert before == Catalogue.from_problems(problems, version="x").fingerprint
    tree = problems[0]
    wider = replace(tree, space=Space([Integer("max_depth", 1, 9), *tree.space.dimensions[1:]]))
    after = Catalogue.from_problems([wider, *problems[1:]], version="x").fingerprint
    assert after != before


def test_changing_one_built_in_space_changes_the_fingerprint_and_that_problems_digest_only():
    problems = list(BUILT_IN.problems.values())
    i = next(i for i, p in enumerate(problems) if p.id == "svc-wine")
    svc = problems[i]
    wider_c = Space([Real("C", 1e-4, 1e4, log=True), *svc.space.dimensions[1:]])
    changed = Catalogue.from_problems([*problems[:i], replace(svc, space=wider_c),
                                       *problems[i + 1:]], version=BUILT_IN.version)
    assert changed.fingerprint != BUILT_IN.fingerprint
    differing = {pid for pid in BUILT_IN.problems
                 if changed.problem_digests[pid] != BUILT_IN.problem_digests[pid]}
    assert differing == {"svc-wine"}


def test_changing_the_data_or_a_fixed_parameter_changes_the_fingerprint(tiny):
    problems = list(tiny.problems.values())
    base = Catalogue.from_problems(problems).fingerprint
    tree = problems[0]
    refit = replace(tree, fixed={"random_state": 1})
    assert Catalogue.from_problems([refit, *problems[1:]]).fingerprint != base
    other_data = replace(tree.dataset, name="blobs", load=lambda: (tree.dataset.arrays()[0] * 2,
                                                                  tree.dataset.arrays()[1]))
    moved = replace(tree, dataset=other_data)
    assert Catalogue.from_problems([moved, *problems[1:]]).fingerprint != base


WIDER_TINY = """
    from dataclasses import replace
    from tiny_catalogue import *  # noqa: F401,F403
    from tiny_catalogue import PROBLEMS as _BASE
    from bench.space import Integer, Space

    _tree = _BASE[0]
    PROBLEMS = [replace(_tree, space=Space([Integer("max_depth", 1, 9),
                                            *_tree.space.dimensions[1:]])), *_BASE[1:]]
"""


def test_the_store_refuses_trials_of_another_fingerprint_through_the_command_line(
        tmp_path, cli_here, monkeypatch):
    (tmp_path / "tiny_wider.py").write_text(textwrap.dedent(WIDER_TINY))
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}:{ROOT / 'tests'}")
    monkeypatch.syspath_prepend(tmp_path)  # the command runs in this process
    store = tmp_path / "s.sqlite"
    args = ("run", "tiny", "--store", store, "--strategies", "random", "--problems", "tree-blobs",
            "--seeds", "1", "--budget", "3", "--no-progress", "--jobs", "1")
    cli_here(*args, catalogue=TINY, check=0)
    before = store.read_bytes()
    proc = cli_here(*args, catalogue="tiny_wider", check=2)
    assert "never mixes" in proc.stderr and "fingerprint" in proc.stderr
    assert store.read_bytes() == before
    proc = cli_here("report", "tiny", "--store", store, "--out", tmp_path / "out",
                    catalogue="tiny_wider", check=2)
    assert not (tmp_path / "out").exists()


def test_every_trial_carries_the_catalogue_fingerprint(tmp_path, tiny):
    from bench.analysis import trial_records
    from bench.owner import execute
    from bench.plan import build_plan, select_strategies
    from bench.suite import Suite

    suite = Suite("t", ("tree-blobs",), ("random",), seeds=1, budget=3)
    store = open_store(tmp_path / "s.sqlite", tiny.fingerprint)
    strategies = select_strategies(["random"], discover())
    plan = build_plan(suite, tiny, strategies, store)
    execute(plan.todo, store, SerialBackend(), progress=False)
    trials = trial_records(store, plan.specs, "t")
    store.close()
    assert len(trials) == 3 and set(trials["fingerprint"]) == {tiny.fingerprint}


# -- references ---------------------------------------------------------------------------------
def test_a_stale_reference_is_ignored_with_a_warning(tiny, capsys):
    digest = tiny.problem_digests["tree-blobs"]
    fresh = Catalogue.from_problems(list(tiny.problems.values()), version=tiny.version,
                                    references={"tree-blobs": Reference(0.6, 0.9, 0.01, digest)})
    assert fresh.reference("tree-blobs").ref_best == 0.9
    stale = Catalogue.from_problems(list(tiny.problems.values()), version=tiny.version,
                                    references={"tree-blobs": Reference(0.6, 0.9, 0.01, "0" * 64)})
    assert stale.reference("tree-blobs") is None
    assert "tree-blobs" in capsys.readouterr().err


def test_the_reference_run_is_reproducible_resumable_and_recorded(tmp_path, tiny):
    method = Method(budget=8, curve_configs=3)
    out = tmp_path / "references.json"
    strategies = discover()

    def make(store_name):
        store = open_store(tmp_path / store_name, tiny.fingerprint)
        curves = ChildEvaluator()
        try:
            backend = SerialBackend()
            made, failed = make_references(
                tiny, ["tree-blobs", "ridge-line"], strategies, store,
                lambda tasks, label: execute(tasks, store, backend, progress=False, label=label),
                out, method, say=lambda _: None, evaluate=curves)
            trials = store.trials_frame()
        finally:
            curves.close()
            store.close()
        return made, failed, trials

    made, failed, trials = make("a.sqlite")
    assert not failed and set(made) == {"tree-blobs", "ridge-line"}
    tree = trials[trials["problem"] == "tree-blobs"]
    random_scores = tree[(tree["strategy"] == "random") & (tree["status"] == "ok")]["score"]
    entry = made["tree-blobs"]
    assert len(random_scores) == 8
    assert entry["ref_random"] == statistics.median(random_scores)
    assert entry["ref_best"] == tree[tree["status"] == "ok"]["score"].max() >= entry["ref_random"]
    # the pool: four families, each its full budget, at the reference seed
    assert set(tree["strategy"]) == {s for _, s in method.families} and len(tree) == 4 * 8
    assert entry["random_scores"] == tree[tree["strategy"] == "random"]["score"].tolist()
    assert entry["protocol"] == "pooled-4" and entry["best_found_by"]
    best_by = {fam for fam, s in method.families
               if tree[tree["strategy"] == s]["score"].max() == entry["ref_best"]}
    assert set(entry["best_found_by"]) == best_by
    curve = entry["cost_curve"]
    # measured ratios, neither clipped at 1 nor made monotone (bench.costcurve)
    assert curve[-1] == [1.0, 1.0] and all(c > 0 for _, c in curve)
    assert [f for f, _ in curve] == pytest.approx(rungs(tiny.problems["tree-blobs"].fidelity.min_fraction))
    assert entry["digest"] == tiny.problem_digests["tree-blobs"]
    assert entry["eval_seconds"] > 0
    written = json.loads(out.read_text())
    assert written["method"]["budget"] == 8 and written["method"]["seed"] == 10_000
    assert written["problems"]["tree-blobs"]["ref_random"] == entry["ref_random"]
    need = needing_references(tiny, read_entries(out))
    assert "tree-blobs" not in need and "ridge-line" not in need and "knn-blobs" in need

    # resumable: the same store has every run, so nothing is evaluated again
    again, _, trials_again = make("a.sqlite")
    assert trials_again.equals(trials)
    # reproducible: a fresh store gives the same values (timings aside)
    fresh, _, _ = make("b.sqlite")
    for pid in made:
        for key in ("ref_random", "ref_best", "best_params", "digest"):
            assert fresh[pid][key] == made[pid][key] == again[pid][key]


def test_problems_needing_references_are_the_missing_and_the_stale(tiny):
    digests = tiny.problem_digests
    entries = {"tree-blobs": {"digest": digests["tree-blobs"], "protocol": "pooled-4"},
               "knn-blobs": {"digest": "stale", "protocol": "pooled-4"}}
    need = needing_references(tiny, entries)
    assert "tree-blobs" not in need and "knn-blobs" in need and "ridge-line" in need
    # an entry of an older protocol (none recorded: the first one) is recomputed too
    del entries["tree-blobs"]["protocol"]
    assert "tree-blobs" in needing_references(tiny, entries)


def test_references_bad_input_exits_2_and_writes_nothing(tmp_path, cli_here):
    out, store = tmp_path / "refs.json", tmp_path / "refs.sqlite"
    proc = cli_here("references", "--problems", "nosuch-problem", "--out", out, "--store", store,
                    catalogue=TINY, check=2)
    assert "unknown problem 'nosuch-problem'" in proc.stderr
    proc = cli_here("references", "--problems", "tree-blobs", "--out",
                    tmp_path / "no" / "refs.json", "--store", store, catalogue=TINY, check=2)
    assert "cannot be written" in proc.stderr
    assert not out.exists() and not store.exists()


def test_the_built_in_references_are_up_to_date_for_quick_and_default():
    from bench.plan import suite_problems
    from bench.suite import load_suite

    entries = read_entries(ROOT / "datasets" / "references.json")
    for name in ("quick", "default"):
        for pid in suite_problems(load_suite(name, BUILT_IN.suites_dir), BUILT_IN):
            ref = BUILT_IN.reference(pid)
            assert ref is not None, f"{name}: {pid} has no up-to-date reference"
            assert entries[pid]["digest"] == BUILT_IN.problem_digests[pid]
            assert ref.eval_seconds and ref.eval_seconds > 0


# -- the committed table and the suites -------------------------------------------------------
def test_the_committed_catalogue_table_is_up_to_date():
    committed = (ROOT / "datasets" / "CATALOGUE.md").read_text()
    assert committed == catalogue_markdown(BUILT_IN), (
        "datasets/CATALOGUE.md is stale: run `searchbench list problems --markdown > "
        "datasets/CATALOGUE.md`")


def test_the_built_in_suites_have_the_promised_shape():
    from bench.plan import suite_problems
    from bench.suite import load_suite

    quick = load_suite("quick", BUILT_IN.suites_dir)
    assert quick.strategies is None and len(suite_problems(quick, BUILT_IN)) == 3
    assert 2 <= quick.seeds <= 3 and 15 <= quick.budget <= 20
    default = load_suite("default", BUILT_IN.suites_dir)
    # its problems are what the selection rule picks (tests/test_selection.py); its strategies
    # one of each family of search method
    from bench.selection import BUDGET, FAMILY_STRATEGIES, SEEDS

    assert list(default.strategies) == list(FAMILY_STRATEGIES.values())
    assert default.seeds == SEEDS and default.budget == BUDGET
    full = load_suite("full", BUILT_IN.suites_dir)
    assert set(suite_problems(full, BUILT_IN)) == set(BUILT_IN.problems)
    assert full.seeds >= 10 and full.budget == 100


def test_dry_run_prints_the_plan_and_an_estimate_and_writes_nothing(tmp_path, cli_here):
    store = tmp_path / "s.sqlite"
    proc = cli_here("run", "tiny", "--store", store, "--dry-run", "--strategies", "random,grid",
                    catalogue=TINY, check=0)
    assert "12 runs (0 done, 0 to resume, 12 new" in proc.stdout
    assert "estimated:" in proc.stdout and "wall time about" in proc.stdout
    assert not store.exists()
    # with a store, what is done is left out of the estimate
    cli_here("run", "tiny", "--store", store, "--strategies", "random", "--no-progress", "--jobs",
             "1", catalogue=TINY, check=0)
    before = store.read_bytes()
    proc = cli_here("run", "tiny", "--store", store, "--dry-run", "--strategies", "random,grid",
                    catalogue=TINY, check=0)
    assert "12 runs (6 done, 0 to resume, 6 new" in proc.stdout
    assert store.read_bytes() == before


def test_the_estimate_adds_evaluation_and_suggest_time(tiny):
    from bench.estimate import estimate
    from bench.plan import build_plan, select_strategies
    from bench.suite import Suite

    suite = Suite("t", ("tree-blobs", "ridge-line"), ("random",), seeds=2, budget=10)
    refs = {"tree-blobs": Reference(0.5, 0.9, 0.2), "ridge-line": Reference(0.5, 0.9, 0.05)}
    catalogue = Catalogue.from_problems(list(tiny.problems.values()), references=refs)
    plan = build_plan(suite, catalogue, select_strategies(["random"], discover()), None)
    est = estimate(plan, catalogue, {"random": 0.01}, workers=2)
    assert est.eval_total == pytest.approx(2 * 10 * 0.2 + 2 * 10 * 0.05)
    assert est.suggest_total == pytest.approx(4 * 10 * 0.01)
    assert est.wall == pytest.approx(est.total / 2)
    assert [p.problem for p in est.problems] == ["tree-blobs", "ridge-line"]


# -- the optional OpenML loader ---------------------------------------------------------------
def test_the_openml_loader_caches_where_it_is_told_and_is_never_used_by_the_catalogue(
        tmp_path, monkeypatch):
    import pandas as pd
    import sklearn.datasets

    from bench.datasets import openml

    calls = []

    def fake_fetch_openml(**kwargs):
        calls.append(kwargs)
        frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "x", "y"]})
        return sklearn.datasets._base.Bunch(data=frame, target=pd.Series(["no", "yes", "no", "yes"]))

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fake_fetch_openml)
    dataset = openml.openml_dataset("credit-g", "classification", version=1, data_home=tmp_path)
    X, y = dataset.arrays()
    assert calls[0]["name"] == "credit-g" and calls[0]["data_home"] == str(tmp_path)
    assert X.shape == (4, 3) and X.dtype == np.float64  # one-hot for the categorical column
    assert list(y) == [0, 1, 0, 1]
    assert dataset.name == "openml_credit-g_v1"
    # the built-in catalogue never reaches for it
    assert all(not p.dataset.name.startswith("openml") for p in BUILT_IN.problems.values())
