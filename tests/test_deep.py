"""The deep generative problems (VAEs and GANs in PyTorch): torch stays out of the catalogue's
import, each problem trains at its minimum fidelity offline to a finite score that is the same
in this process and in a fresh one, without torch they are unavailable and a suite naming them
is refused, strategies of an extra stay out of suites that do not name them, and side metrics
reach the trial record."""

import json
import math
import sqlite3
import subprocess
import sys

import pytest

from conftest import computed_once
from bench.catalogue import load_catalogue
from bench.evaluator import evaluate_here
from bench.plan import select_strategies, suite_problems
from bench.problem import Evaluation
from bench.registry import discover
from bench.records import RunSpec, TrialRecord
from bench.store import open_store
from bench.suite import load_suite

BUILT_IN = load_catalogue("bench.datasets")
DEEP = ["vae-digits", "vae-digits_binary", "gan-digits", "gan-ring8", "gan-grid25", "gan-spiral",
        "vae-china_patches", "vae-wine"]
EXTRAS = {"vae-digits": {"reconstruction_nll", "kl"}, "vae-digits_binary": {"reconstruction_nll", "kl"},
          "gan-digits": {"fid", "classes_covered"},
          "gan-ring8": {"modes_covered", "high_quality_fraction", "mmd2"},
          "gan-grid25": {"modes_covered", "high_quality_fraction", "mmd2", "memorization"},
          "gan-spiral": {"precision", "recall", "memorization"},
          "vae-china_patches": {"reconstruction_nll", "kl"}, "vae-wine": {"reconstruction_nll", "kl"}}


def _config(pid):
    """A configuration away from the default, exercising the conditional dimensions."""
    config = BUILT_IN.problems[pid].space.default()
    if pid.startswith("gan"):
        config.update(loss="wgan_gp", d_steps=2)
        config["gp_weight"] = 5.0
    else:
        config.update(optimizer="sgd", momentum=0.5, learning_rate=0.01)
        del config["beta1"], config["beta2"]
    return config


def test_importing_the_catalogue_does_not_import_torch():
    code = ("import sys; from bench.catalogue import load_catalogue; c = load_catalogue(); "
            "c.fingerprint; c.problems['gan-digits'].folds; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


FRESH = """
import json, sys
from bench.catalogue import load_catalogue
problems = load_catalogue().problems
for pid, config in json.loads(sys.argv[1]).items():
    p = problems[pid]
    e = p.evaluate(config, p.fidelity.min_fraction)
    print(pid, repr((e.score, e.test_score)))
"""


@pytest.fixture(scope="module")
def fresh_process_scores(tmp_path_factory):
    """Every deep problem's scores at its minimum fidelity in one fresh process (no cached
    state: classifier, torch settings), which starts torch once for all of them (once per
    session, whichever test process asks first)."""
    pytest.importorskip("torch")
    configs = json.dumps({pid: _config(pid) for pid in DEEP})

    def compute():
        out = subprocess.run([sys.executable, "-c", FRESH, configs], capture_output=True,
                             text=True, check=True)
        return dict(line.split(" ", 1) for line in out.stdout.strip().splitlines())

    return computed_once(tmp_path_factory, "deep-fresh-scores", compute)


@pytest.mark.parametrize("pid", DEEP)
def test_each_deep_problem_trains_at_its_minimum_fidelity_reproducibly(pid, fresh_process_scores):
    pytest.importorskip("torch")
    problem = BUILT_IN.problems[pid]
    config = _config(pid)
    problem.space.validate(config)
    f = problem.fidelity.min_fraction
    first, second = problem.evaluate(config, f), problem.evaluate(config, f)
    assert math.isfinite(first.score) and math.isfinite(first.test_score)
    assert (first.score, first.test_score, first.extras) == (second.score, second.test_score,
                                                             second.extras)
    assert set(first.extras) == EXTRAS[pid]
    # a fresh process gives the very same numbers
    assert fresh_process_scores[pid] == repr((first.score, first.test_score))


def test_more_steps_change_the_score():
    pytest.importorskip("torch")
    problem = BUILT_IN.problems["vae-digits_binary"]
    config = problem.space.default()
    low = problem.evaluate(config, problem.fidelity.min_fraction)
    full = problem.evaluate(config)
    assert full.score > low.score  # 300 Adam steps fit better than 30: the fidelity is real


def test_the_metrics_behave():
    import numpy as np

    from bench.datasets import deep

    rng = np.random.default_rng(0)
    ring = BUILT_IN.problems["gan-ring8"]
    train, valid, _ = ring.splits3
    # the data scores better than noise, and covers every mode where noise covers none
    assert deep.mmd2(train[:1000].astype(float), valid.astype(float)) < deep.mmd2(
        rng.normal(size=(1000, 2)), valid.astype(float))
    assert deep.ring_modes(train[:1000])["modes_covered"] == deep.RING_MODES
    assert deep.ring_modes(rng.normal(scale=0.01, size=(1000, 2)))["modes_covered"] == 0
    digits = BUILT_IN.problems["gan-digits"]
    train, valid, _ = digits.splits3
    clf = digits._classifier()
    real = deep.frechet_distance(deep.classifier_features(clf, train.astype(float)),
                                 deep.classifier_features(clf, valid.astype(float)))
    noise = deep.frechet_distance(deep.classifier_features(clf, rng.random((1000, 64))),
                                  deep.classifier_features(clf, valid.astype(float)))
    assert 0 <= real < noise


def test_list_problems_shows_the_deep_problems_with_spaces_metrics_and_fidelity(cli_here):
    out = cli_here("list", "problems", "--details", check=0).stdout
    for pid in DEEP:
        assert pid in out
    assert "g_learning_rate" in out and "wgan_gp" in out
    assert BUILT_IN.problems["gan-ring8"].fidelity.describe() in out  # steps [30, 300]
    assert "negated FID" in out and "ELBO" in out


def test_without_torch_they_are_unavailable_and_a_suite_naming_them_exits_2(
        tmp_path, monkeypatch, capsys):
    import importlib.util

    from bench.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    assert main(["list", "problems"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("gan-ring8 "))
    assert "unavailable" in line and "searchbench[torch]" in line
    assert "unavailable" not in next(l for l in out.splitlines() if l.startswith("gmm-iris "))
    store = tmp_path / "s.sqlite"
    assert main(["run", "generative", "--store", str(store), "--jobs", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "searchbench[torch]" in err and "vae-digits" in err and not store.exists()
    # a glob pattern only leaves them out
    assert main(["run", "generative", "--problems", "vae-*,rbm-*", "--strategies", "random",
                 "--dry-run", "--store", str(store)]) == 0
    assert "suite generative: 1 problems" in capsys.readouterr().out  # the RBM; no VAE
    # and should a problem reach a worker without torch, its trial says why
    problem = BUILT_IN.problems["gan-ring8"]
    assert "searchbench[torch]" in evaluate_here(problem, problem.space.default(), 1.0).error


def test_strategies_of_an_extra_run_only_where_a_suite_names_them():
    found = discover()
    pytest.importorskip("torch")
    assert found["optuna_gp"].available and found["optuna_gp"].needs_extra == "torch"
    unlisted = {s.name for s in select_strategies(None, found)}
    assert "optuna_gp" not in unlisted and "random" in unlisted
    assert [s.name for s in select_strategies(["optuna_gp"], found)] == ["optuna_gp"]


def test_the_generative_suite_takes_every_deep_problem_and_a_strategy_of_each_family():
    pytest.importorskip("torch")
    suite = load_suite("generative", BUILT_IN.suites_dir)
    default = load_suite("default", BUILT_IN.suites_dir)
    # the default suite's strategy of each family of search method, and the torch-based GPs
    assert suite.strategies is not None
    assert set(suite.strategies) == set(default.strategies) | {"optuna_gp", "botorch"}
    assert suite.seeds >= 3 and suite.budget >= 30
    problems = suite_problems(suite, BUILT_IN)
    deep = {pid for pid, p in BUILT_IN.problems.items() if "torch" in p.requires}
    assert set(DEEP) <= deep <= set(problems)
    models = {BUILT_IN.problems[p].model for p in problems}
    assert models == {"gmm", "bgmm", "kde", "rbm", "vae", "gan", "flow", "diffusion"}


# -- side metrics in the trial record ---------------------------------------------------------
class _WithExtras:
    id = "p"

    def evaluate(self, config, fidelity):
        return Evaluation(1.0, 0.0, 0.5, {"modes_covered": 7})


def test_extras_reach_the_store_and_an_old_store_gains_the_column(tmp_path):
    outcome = evaluate_here(_WithExtras(), {}, 1.0)
    assert outcome.extras == {"modes_covered": 7}
    spec = RunSpec("p", "s", "v", 0, 3, "fp")
    path = tmp_path / "s.sqlite"
    store = open_store(path, "fp")
    store.start_run(spec)
    base = dict(run_id=spec.run_id, params={}, fidelity=1.0, cost=1.0, score=1.0, score_std=0.0,
                test_score=0.5, eval_seconds=0.1, suggest_seconds=0.0, status="ok", error="",
                finished_at="2026-01-01T00:00:00")
    store.add_trial(TrialRecord(trial=0, extras=outcome.extras, **base))
    store.add_trial(TrialRecord(trial=1, **base))
    assert [t.extras for t in store.trials(spec.run_id)] == [{"modes_covered": 7}, None]
    frame = store.trials_frame()
    assert json.loads(frame["extras"][0]) == {"modes_covered": 7}
    store.close()
    # a store of schema 2, made before the column (and before schema 4's CPU seconds), gains it
    # on open (migrations 2 -> 3 -> 4)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE trials DROP COLUMN extras")
    db.execute("ALTER TABLE trials DROP COLUMN eval_cpu_seconds")
    db.execute("UPDATE meta SET value='2' WHERE key='schema'")
    db.commit()
    db.close()
    store = open_store(path, "fp")
    store.add_trial(TrialRecord(trial=2, extras={"fid": 1.5}, **base))
    assert [t.extras for t in store.trials(spec.run_id)] == [None, None, {"fid": 1.5}]
    store.close()
