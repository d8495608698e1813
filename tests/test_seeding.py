"""Seeding an empty store from committed results: only what matches is copied, the rest is said."""

import json
import platform
import sqlite3

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, main_here

from bench.reproduce import RTOL, close
from bench.plan import build_plan, run_specs, select_strategies
from bench.provenance import _terms
from bench.registry import discover
from bench.seeding import seed_store
from bench.store import open_store
from bench.environment import distribution_version
from bench.suite import Suite

TINY = "tiny_catalogue"
SUITE = Suite("tiny", ("ridge-line", "knn-blobs"), ("grid", "random"), seeds=2, budget=4)


@pytest.fixture(scope="module")
def committed(tmp_path_factory, tiny_module):
    """A results folder as a report writes it: trials.parquet and the manifest's fields used."""
    folder = tmp_path_factory.mktemp("results")
    store = folder / "made.sqlite"
    with pytest.MonkeyPatch.context() as monkeypatch:
        main_here(monkeypatch, "run", "tiny", "--strategies", "grid,random", "--problems", "ridge-line,knn-blobs",
                  "--seeds", "2", "--budget", "4", "--store", store, "--jobs", "1",
                  "--no-progress", catalogue=TINY, check=0)
    trials = pd.read_sql(
        "SELECT r.problem, r.strategy, r.strategy_version, r.seed, t.* FROM runs r "
        "JOIN trials t ON t.run_id = r.run_id", sqlite3.connect(store))
    trials.drop(columns=["run_id"]).to_parquet(folder / "trials.parquet")
    runs = pd.read_sql("SELECT problem, strategy, strategy_version, seed, n_trials AS trials, cost, "
                       "status FROM runs",
                       sqlite3.connect(store))
    assert (runs["status"] == "complete").all()
    runs["exhausted"] = runs["cost"] < 4  # a grid smaller than the budget
    runs.to_csv(folder / "runs.csv", index=False)
    found = discover()
    manifest = {
        "catalogue": {"fingerprint": tiny_module.fingerprint},
        "suite": {"budget": 4},
        "strategies": [{"name": n, "identity": found[n].version} for n in ("grid", "random")],
        "packages": {"installed": {d: distribution_version(d)
                                   for d in ("numpy", "scipy", "scikit_learn", "threadpoolctl")}},
        "machine": {"python": platform.python_version()},
        "run_terms": {pid: _terms(tiny_module.reference(pid)) for pid in SUITE.problems},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder, trials


@pytest.fixture(scope="module")
def tiny_module():
    from bench.catalogue import load_catalogue

    return load_catalogue(TINY)


def seed(tmp_path, catalogue, folder, suite=SUITE):
    strategies = select_strategies(suite.strategies, discover())
    store = open_store(tmp_path / "new.sqlite", catalogue.fingerprint)
    said = []
    count = seed_store(store, suite, catalogue, strategies, run_specs(suite, catalogue, strategies),
                       folder, said.append)
    return store, strategies, count, said


def results_with(folder, tmp_path, manifest):
    """A copy of the committed results ``folder`` with another manifest."""
    other = tmp_path / "other"
    other.mkdir()
    for name in ("trials.parquet", "runs.csv"):
        (other / name).write_bytes((folder / name).read_bytes())
    (other / "manifest.json").write_text(json.dumps(manifest))
    return other


def test_an_empty_store_takes_the_committed_runs_unchanged(tmp_path, tiny_module, committed):
    folder, trials = committed
    store, strategies, count, said = seed(tmp_path, tiny_module, folder)
    assert count == 8 and "8 committed runs" in said[0]
    plan = build_plan(SUITE, tiny_module, strategies, store)
    assert len(plan.done) == 8 and not plan.todo  # nothing left to compute
    copied = store.trials_frame()
    assert len(copied) == len(trials)
    assert sorted(copied["score"].round(12)) == sorted(trials["score"].round(12))
    store.close()


def test_a_run_below_the_budget_is_seeded_only_when_the_report_lists_it(tmp_path, tiny_module,
                                                                        committed):
    """A complete run can end below the budget (an exhausted grid, or a last trial charged c(f)
    that would overshoot); only the report's runs.csv, which lists complete runs with their
    trials and cost, tells it from a run cut short."""
    import shutil

    folder, trials = committed
    copy = tmp_path / "results"
    shutil.copytree(folder, copy)
    key = ["problem", "strategy", "strategy_version", "seed"]
    first = trials.iloc[0][key]
    mine = (trials[key] == first).all(axis=1)
    last = trials[mine]["trial"].max()
    trials[~(mine & (trials["trial"] == last))].to_parquet(copy / "trials.parquet")  # cost 3 of 4
    runs = pd.read_csv(copy / "runs.csv")
    listed = (runs[key] == first).all(axis=1)
    assert listed.sum() == 1

    def count(name):
        (tmp_path / name).mkdir()
        store, _, seeded, _ = seed(tmp_path / name, tiny_module, copy)
        store.close()
        return seeded

    assert count("truncated") == 7  # runs.csv says 4 trials of cost 4: cut short, not seeded
    runs.loc[listed, ["trials", "cost"]] = [3, 3.0]
    runs.to_csv(copy / "runs.csv", index=False)
    assert count("listed") == 8  # the report lists it with these 3 trials: complete
    runs[~listed].to_csv(copy / "runs.csv", index=False)
    assert count("unlisted") == 7  # below the budget and not listed: not seeded


def test_runs_of_a_changed_strategy_or_another_suite_are_not_seeded(tmp_path, tiny_module,
                                                                    committed):
    folder, _ = committed
    manifest = json.loads((folder / "manifest.json").read_text())
    frame = pd.read_parquet(folder / "trials.parquet")
    frame.loc[frame["strategy"] == "grid", "strategy_version"] = "searchbench-0+edited"
    other = tmp_path / "other"
    other.mkdir()
    frame.to_parquet(other / "trials.parquet")
    (other / "runs.csv").write_bytes((folder / "runs.csv").read_bytes())
    manifest["strategies"][0]["identity"] = "searchbench-0+edited"
    (other / "manifest.json").write_text(json.dumps(manifest))
    store, strategies, count, said = seed(tmp_path, tiny_module, other)
    assert count == 4  # random's runs only
    assert "not seeded, identity changed since the results were made: grid" in said[1]
    assert len(build_plan(SUITE, tiny_module, strategies, store).todo) == 4
    store.close()


def test_under_another_catalogue_the_runs_of_unchanged_problems_are_still_seeded(
        tmp_path, tiny_module, committed):
    """A problem added to (or changed in) the catalogue changes its fingerprint, but a run's
    trials depend on its own problem only: runs whose problem digest the results record
    unchanged are seeded, the others are computed, and the reason is said."""
    folder, _ = committed
    manifest = json.loads((folder / "manifest.json").read_text())
    digests = tiny_module.problem_digests
    manifest["catalogue"] = {"fingerprint": "0123456789abcdef", "problem_digests": {
        "ridge-line": digests["ridge-line"], "knn-blobs": "0" * 64}}
    other = results_with(folder, tmp_path, manifest)
    store, strategies, count, said = seed(tmp_path, tiny_module, other)
    assert count == 4 and set(store.trials_frame()["problem"]) == {"ridge-line"}, said
    assert "problem defined otherwise since the results were made: knn-blobs" in said[-1]
    assert len(build_plan(SUITE, tiny_module, strategies, store).todo) == 4
    store.close()

    manifest["catalogue"]["problem_digests"]["ridge-line"] = "1" * 64
    (other / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "none").mkdir()
    store, _, count, said = seed(tmp_path / "none", tiny_module, other)
    assert count == 0 and "no problem asked for is defined as it was" in said[0]
    store.close()


@pytest.mark.parametrize("change, reason", [
    ({"catalogue": {"fingerprint": "0123456789abcdef"}},
     "made for catalogue fingerprint 0123456789ab"),
    ({"suite": {"budget": 5}}, "made with budget 5, this run asks for 4"),
    ({"packages": {"installed": {"numpy": "1.0.0"}}}, "numpy "),
    ({"machine": {"python": "3.0.1"}}, "python "),
    ({"packages": {"installed": {}}}, "not recorded in the results"),  # unknown is not equal
])
def test_nothing_is_seeded_when_what_makes_the_scores_differs(tmp_path, tiny_module, committed,
                                                              change, reason):
    folder, _ = committed
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(change)
    other = results_with(folder, tmp_path, manifest)
    store, _, count, said = seed(tmp_path, tiny_module, other)
    assert count == 0 and said[0].startswith("empty store, not seeded") and reason in said[0]
    assert store.trials_frame().empty
    store.close()


def test_the_run_command_says_when_there_is_nothing_to_seed_from(tmp_path, cli_here):
    cli = cli_here
    proc = cli("run", "tiny", "--strategies", "random", "--problems", "ridge-line", "--seeds", "1",
               "--budget", "2", "--store", tmp_path / "s.sqlite", "--jobs", "1", "--no-progress",
               catalogue=TINY, check=0)
    assert "empty store, not seeded: no committed results for suite tiny" in proc.stderr
    again = cli("run", "tiny", "--strategies", "random", "--problems", "ridge-line", "--seeds",
                "1", "--budget", "2", "--store", tmp_path / "s.sqlite", "--jobs", "1",
                "--no-progress", catalogue=TINY, check=0)
    assert "seeded" not in again.stderr  # only an empty store is seeded


def test_the_manifest_a_report_writes_records_every_version_seeding_compares():
    """Seeding refuses a version the manifest does not record, so the report's manifest must
    record every package seeding compares: the strategies' libraries and requirements and the
    problems' (torch, botorch and gpytorch with the torch extra), for every available one."""
    from bench.catalogue import load_catalogue
    from bench.provenance import machine, packages
    from bench.seeding import _environment_differences

    catalogue = load_catalogue()
    strategies = [info for info in discover().values() if info.available]
    problem_packages = {p for problem in catalogue.problems.values() for p in problem.requires
                        if distribution_version(p) is not None}  # the problems runnable here
    manifest = {"packages": packages(), "machine": machine()}
    assert _environment_differences(manifest, strategies, problem_packages) == []
    if distribution_version("torch") is not None:  # make test installs the extra
        assert {"torch", "botorch", "gpytorch"} <= set(manifest["packages"]["installed"])
        assert "torch" not in manifest["packages"]["differ_from_lock"]


@pytest.fixture(scope="module")
def recomputed(tmp_path_factory):
    """One run of the quick suite's committed results computed again with ``--no-seed``, and the
    same run seeded from them, in stores of their own: (committed trials, stored trials, the
    seeded store, what each command said)."""
    folder = tmp_path_factory.mktemp("recomputed")
    trials = pd.read_parquet(ROOT / "results" / "quick" / "trials.parquet")
    committed = trials.query("problem == 'ridge-diabetes' and strategy == 'random' and seed == 0")
    committed = committed.sort_values("trial")[["trial", "params", "score"]].reset_index(drop=True)
    with pytest.MonkeyPatch.context() as monkeypatch:
        copied = main_here(monkeypatch, *NO_SEED_ARGS, "--store", folder / "seeded.sqlite",
                           check=0)
        computed = main_here(monkeypatch, *NO_SEED_ARGS, "--no-seed", "--store",
                             folder / "computed.sqlite", check=0)
    stored = pd.read_sql("SELECT trial, params, score FROM trials ORDER BY trial",
                         sqlite3.connect(folder / "computed.sqlite"))
    return committed, stored, folder / "seeded.sqlite", copied.stderr, computed.stderr


NO_SEED_ARGS = ("run", "quick", "--strategies", "random", "--problems", "ridge-diabetes",
                "--seeds", "1", "--jobs", "1", "--no-progress")


def test_no_seed_computes_again_what_the_committed_results_hold(recomputed, cli_here):
    """`run --no-seed` is how committed results are reproduced: the run is computed, not copied,
    and proposes the committed trials exactly and scores them as committed, to the relative
    tolerance another processor's numerical kernels need (the committed scores were made on
    another machine; see bench.reproduce.RTOL)."""
    committed, stored, seeded, copied, computed = recomputed
    assert len(committed) == 20
    assert "empty store seeded from" in copied and "nothing to run" in copied
    assert "not seeded (--no-seed)" in computed and "seeded from" not in computed
    assert "executed 1 runs (20 trials)" in computed
    assert stored["trial"].tolist() == committed["trial"].tolist()
    assert stored["params"].tolist() == committed["params"].tolist()  # the same proposals
    assert close(stored["score"], committed["score"], RTOL).all(), (stored, committed)
    # on an existing store, --no-seed keeps what is there and says so
    again = cli_here(*NO_SEED_ARGS, "--no-seed", "--store", seeded, check=0)
    assert "already exists" in again.stderr and "nothing to run" in again.stderr


def test_results_that_do_not_record_their_runs_terms_are_not_seeded(tmp_path, tiny_module,
                                                                     committed):
    """The cost curve and ref_random a run was charged by and told change what it did: results
    that do not say which they were made under cannot be shown to match."""
    folder, _ = committed
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["run_terms"]
    store, _, count, said = seed(tmp_path, tiny_module, results_with(folder, tmp_path, manifest))
    assert count == 0 and "do not record the cost curve and ref_random" in said[0]
    assert store.trials_frame().empty
    store.close()


def test_a_refreshed_reference_keeps_the_runs_made_under_the_old_one_out(tmp_path, tiny_module,
                                                                         committed):
    """knn-blobs' reference is refreshed after the results were made: its committed runs were
    told the old ref_random and are not copied; ridge-line's still are."""
    import dataclasses

    folder, _ = committed
    refs = dict(tiny_module.references)
    refs["knn-blobs"] = dataclasses.replace(refs["knn-blobs"], ref_random=0.71)
    refreshed = dataclasses.replace(tiny_module, references=refs)
    store, strategies, count, said = seed(tmp_path, refreshed, folder)
    assert count == 4 and set(store.trials_frame()["problem"]) == {"ridge-line"}, said
    assert any("another cost curve or ref_random now" in line and "knn-blobs" in line
               for line in said), said
    assert len(build_plan(SUITE, refreshed, strategies, store).todo) == 4
    store.close()


def test_committed_scores_that_differ_in_their_last_bits_are_reproduced(recomputed):
    """What another CPU's BLAS does (0.506145061438512 computed against a committed
    0.5061450614385118): committed scores a few units in the last place away from the computed
    ones still agree, although they are not equal."""
    committed, stored, *_ = recomputed
    scores = committed["score"].to_numpy()
    up = np.nextafter(np.nextafter(scores, np.inf), np.inf)  # two units in the last place up
    down = np.nextafter(scores, -np.inf)  # one down
    perturbed = np.where(np.arange(len(scores)) % 2 == 0, up, down)
    perturbed = pd.Series(perturbed)
    assert (perturbed != committed["score"]).all()  # not equal, only close
    assert close(stored["score"], perturbed, RTOL).all()


def test_a_real_difference_from_the_committed_scores_is_caught(recomputed):
    """The tolerance does not hide a different score: one trial's committed score a millionth
    away (what a different proposal or scoring moves it by, and more) is a difference."""
    committed, stored, *_ = recomputed
    changed = committed["score"].copy()
    changed.iloc[7] *= 1 + 1e-6
    agree = close(stored["score"], changed, RTOL)
    assert agree.tolist() == [i != 7 for i in range(20)]
