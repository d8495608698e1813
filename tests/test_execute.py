"""Execution: local and Dask backends give the same trials, dead workers are retried without a
trial lost or stored twice, Ctrl-C leaves a store that resumes to the uninterrupted result."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from bench.catalogue import Catalogue
from bench.backends import LokyBackend, SerialBackend
from bench.costs import CostModel, longest_first
from bench.owner import MAX_ATTEMPTS, _commit, execute
from bench.plan import build_plan
from bench.records import RunSpec, TrialRecord
from bench.registry import discover
from bench.store import open_store
from bench.suite import Suite
from conftest import ROOT
from scale_catalogue import killer, sleepy

RESULT = ["problem", "strategy", "seed", "trial", "params", "fidelity", "status", "score",
          "score_std", "test_score"]


def run_suite(catalogue, suite, store_path, backend, columns=RESULT):
    strategies = [discover()[name] for name in suite.strategies]
    store = open_store(store_path, catalogue.fingerprint)
    try:
        plan = build_plan(suite, catalogue, strategies, store)
        summary = execute(plan.todo, store, backend, progress=False, costs=plan.costs)
        return summary, store.trials_frame()[columns]
    finally:
        store.close()
        backend.close()


def tiny_suite(**changes):
    fields = dict(name="t", problems=("tree-blobs", "knn-blobs", "ridge-line"),
                  strategies=("grid", "random", "skopt_gp"), seeds=2, budget=6)
    return Suite(**{**fields, **changes})


def test_serial_and_parallel_runs_store_identical_trials(tmp_path, tiny):
    suite = tiny_suite()
    serial, one = run_suite(tiny, suite, tmp_path / "a.sqlite", SerialBackend())
    parallel, two = run_suite(tiny, suite, tmp_path / "b.sqlite", LokyBackend(2))
    assert serial.completed == parallel.completed == 18 and not parallel.failed
    assert len(one) == serial.trials == parallel.trials
    pd.testing.assert_frame_equal(one, two)


def test_a_finished_run_is_never_run_again(tmp_path, tiny):
    suite = tiny_suite(strategies=("random",))
    run_suite(tiny, suite, tmp_path / "s.sqlite", SerialBackend())
    store = open_store(tmp_path / "s.sqlite", tiny.fingerprint)
    plan = build_plan(suite, tiny, [discover()["random"]], store)
    store.close()
    assert not plan.todo and len(plan.done) == 6


# -- scheduling ------------------------------------------------------------------------------
def _task(problem, strategy, budget=10):
    from bench.records import Task

    return Task(RunSpec(problem, strategy, "v", 0, budget, "fp"), None, None)


def _trial(run_id, eval_seconds, suggest_seconds):
    return TrialRecord(run_id, 0, {}, 1.0, 1.0, 0.5, 0.0, 0.5, eval_seconds, suggest_seconds,
                       "ok", "", "")


def test_runs_start_longest_first_from_what_is_known():
    costs = CostModel({"cheap": 0.01, "dear": 1.0}, {"random": 0.001, "gp": 0.5})
    tasks = [_task("cheap", "random"), _task("cheap", "gp"), _task("dear", "random"),
             _task("dear", "gp", budget=5)]
    order = [(t.spec.problem, t.spec.strategy) for t in longest_first(tasks, costs)]
    assert order == [("dear", "random"), ("dear", "gp"), ("cheap", "gp"), ("cheap", "random")]


def test_an_unknown_strategy_is_assumed_as_slow_as_the_slowest_known():
    costs = CostModel({"p": 0.1}, {"random": 0.001, "gp": 0.5})
    order = longest_first([_task("p", "random"), _task("p", "new"), _task("p", "gp")], costs)
    assert [t.spec.strategy for t in order] == ["new", "gp", "random"]  # ties keep their order


def test_the_cost_model_learns_from_arriving_trials():
    costs = CostModel()
    slow, fast = _task("p", "slow"), _task("p", "fast")
    assert [t.spec.strategy for t in longest_first([fast, slow], costs)] == ["fast", "slow"]
    costs.observe(slow.spec, _trial(slow.spec.run_id, 0.01, 0.3))
    costs.observe(fast.spec, _trial(fast.spec.run_id, 0.01, 0.001))
    assert [t.spec.strategy for t in longest_first([fast, slow], costs)] == ["slow", "fast"]


def test_a_resumed_run_counts_what_is_left_and_held_runs_wait():
    from dataclasses import replace

    from bench.costs import Pending

    costs = CostModel({"p": 0.1}, {"random": 0.0})
    fresh, resumed = _task("p", "random"), _task("p", "random")
    resumed = replace(resumed, spec=replace(resumed.spec, seed=1),
                      prior=tuple(_trial("r", 0.1, 0.0) for _ in range(7)))  # 3 of 10 left
    pending = Pending([resumed, fresh])
    held = pending.take(costs, hold=lambda t: t is fresh)
    assert held is resumed  # the longer run is held back, the other one goes
    assert pending.take(costs, hold=lambda t: True) is None and len(pending) == 1
    assert pending.take(costs) is fresh


# -- copies of trials (a rescheduled run sends its trials again) -----------------------------
def test_a_copy_that_agrees_is_dropped_and_one_that_disagrees_replaces_the_rest(tmp_path):
    store = open_store(tmp_path / "s.sqlite", "fp")
    spec = RunSpec("p", "s", "v", 0, 5, "fp")
    store.start_run(spec)

    def trial(k, score, status="ok"):
        return TrialRecord(spec.run_id, k, {"x": k}, 1.0, 1.0, score, 0.0, score, 0.1, 0.01,
                           status, "", "t")

    for k in range(4):
        assert _commit(store, trial(k, 0.5))
    assert not _commit(store, trial(1, 0.5))  # the same result, computed again: dropped
    assert len(store.trials(spec.run_id)) == 4
    # the retried run went another way at trial 2 (its first attempt timed out there)
    assert _commit(store, trial(2, None, "timeout"))
    assert [(t.trial, t.status) for t in store.trials(spec.run_id)] == [(0, "ok"), (1, "ok"),
                                                                       (2, "timeout")]
    store.close()


# -- dead workers ----------------------------------------------------------------------------
def killer_catalogue(marker="", **band):
    return Catalogue.from_problems([killer("killer", marker=marker, **band),
                                    sleepy("sleepy", 0.01)], version="kill")


@pytest.mark.serial
def test_runs_of_a_killed_local_worker_are_retried_and_end_as_if_nothing_happened(tmp_path):
    marker = tmp_path / "killed-once"
    # Random search's alphas on killer-line are, for seed 0, 0.001 0.001 0.014 37.5 ...; seed 1
    # and 2 never draw one in (30, 40). So the one kill comes at seed 0's trial 3, after three
    # trials were stored, whatever order the runs are scheduled in.
    catalogue = killer_catalogue(str(marker), above=30.0, below=40.0)
    suite = Suite("k", ("killer-line", "sleepy-line"), ("random",), 3, 8)
    summary, stored = run_suite(catalogue, suite, tmp_path / "a.sqlite", LokyBackend(2),
                                columns=[*RESULT, "run_id", "finished_at"])
    assert marker.exists()  # a worker was killed in the middle of a run
    assert summary.retried >= 1 and summary.completed == 6 and not summary.failed
    # Runs are deterministic, so a retry that started over would end equal to the reference
    # too: what shows that nothing stored was lost (and redone) is that the killed run's first
    # trials were stored before the kill and its last ones after.
    killed_at = pd.Timestamp(float(marker.read_text()), unit="s", tz="UTC")
    killed = stored[(stored.problem == "killer-line") & (stored.seed == 0)].sort_values("trial")
    before = (pd.to_datetime(killed["finished_at"]) < killed_at).tolist()
    assert before == [True] * 3 + [False] * 5, before
    trials = stored[RESULT]
    # the reference: the same runs where the model never kills (its marker already exists)
    _, reference = run_suite(catalogue, suite, tmp_path / "b.sqlite", LokyBackend(2))
    assert len(trials) == len(reference) == 6 * 8
    assert not trials.duplicated(["problem", "seed", "trial"]).any()
    pd.testing.assert_frame_equal(trials, reference)


@pytest.mark.serial
def test_a_run_that_always_kills_its_worker_fails_and_the_others_complete(tmp_path):
    catalogue = killer_catalogue()  # kills whenever alpha > 1, on every attempt
    suite = Suite("k", ("killer-line", "sleepy-line"), ("random",), 1, 8)
    summary, trials = run_suite(catalogue, suite, tmp_path / "s.sqlite", LokyBackend(2))
    assert [spec.problem for spec, _ in summary.failed] == ["killer-line"]
    assert f"died {MAX_ATTEMPTS} times" in summary.failed[0][1]
    assert summary.completed == 1
    assert (trials[trials.problem == "sleepy-line"].shape[0]) == 8


# -- Ctrl-C ----------------------------------------------------------------------------------
def write_suite(path, problems, strategies, seeds, budget):
    path.write_text(f'name = "{path.stem}"\nproblems = {list(problems)!r}\n'
                    f"strategies = {list(strategies)!r}\nseeds = {seeds}\nbudget = {budget}\n"
                    .replace("'", '"'))
    return path


def left_in_group(pgid, wait=10.0):
    """Live processes of a process group, after giving them ``wait`` seconds to end."""
    import psutil

    deadline = time.monotonic() + wait
    while True:
        alive = []
        for p in psutil.process_iter(["status"]):
            try:
                if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                    alive.append(p.pid)
            except (ProcessLookupError, psutil.Error):
                continue
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def cli_env(catalogue):
    return dict(os.environ, SEARCHBENCH_CATALOGUE=catalogue)


def stored_trials(store_path):
    import sqlite3

    if not store_path.exists():
        return 0
    db = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)  # never create it
    try:
        return db.execute("SELECT count(*) FROM trials").fetchone()[0]
    except sqlite3.OperationalError:  # being created
        return 0
    finally:
        db.close()


def as_from_a_terminal():
    """In the child, before it runs: Ctrl-C's default action, which a command typed at a
    terminal has. A test session started from a backgrounded non-interactive shell
    (``(make test &)``) ignores SIGINT; its children inherit that, Python then installs no
    KeyboardInterrupt handler, and the Ctrl-C these tests send would go unseen."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_trials(store_path, count, proc, limit=240):
    deadline = time.monotonic() + limit
    while stored_trials(store_path) < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no trials arrived"
        time.sleep(0.1)


def trials_of(store_path):
    from bench.catalogue import load_catalogue

    catalogue = load_catalogue("scale_catalogue")
    store = open_store(store_path, catalogue.fingerprint, create=False)
    try:
        return store.trials_frame()[RESULT].sort_values(["problem", "strategy", "seed", "trial"],
                                                        ignore_index=True)
    finally:
        store.close()


@pytest.mark.serial
@pytest.mark.slow
def test_ctrl_c_stops_the_workers_and_the_run_resumes_to_the_same_trials(tmp_path):
    suite = write_suite(tmp_path / "long.toml", ["sleepy-line", "sleepier-line"],
                        ["random", "skopt_gp"], 2, 12)
    store = tmp_path / "s.sqlite"

    def run(store):
        return [sys.executable, "-m", "bench", "run", str(suite), "--store", str(store),
                "--jobs", "2", "--no-progress"]

    command = run(store)
    # A terminal sends Ctrl-C to its whole foreground process group: workers and children too.
    proc = subprocess.Popen(command, cwd=ROOT, env=cli_env("scale_catalogue"), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=as_from_a_terminal)
    wait_for_trials(store, 10, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not left_in_group(proc.pid), "a worker or an evaluation child outlived Ctrl-C"
    interrupted = stored_trials(store)
    assert 10 <= interrupted < 2 * 2 * 2 * 12
    assert not trials_of(store).query("status != 'ok'").shape[0]  # Ctrl-C failed no trial

    resumed = subprocess.run(command, cwd=ROOT, env=cli_env("scale_catalogue"), text=True,
                             capture_output=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "to resume" in resumed.stderr
    reference = tmp_path / "ref.sqlite"
    subprocess.run(run(reference), cwd=ROOT, check=True,
                   env=cli_env("scale_catalogue"), capture_output=True, timeout=600)
    pd.testing.assert_frame_equal(trials_of(store), trials_of(reference))


# -- Dask ------------------------------------------------------------------------------------
@pytest.fixture
def cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, scheduler_port=0)
    client = distributed.Client(cluster)
    try:
        yield cluster, client
    finally:
        client.close()
        cluster.close()


@pytest.mark.serial
@pytest.mark.slow
def test_a_suite_on_a_dask_cluster_gives_the_local_scores(tmp_path, cluster, cli):
    local_cluster, _ = cluster
    suite = ["tiny", "--strategies", "random,skopt_gp", "--no-progress"]
    there = cli("run", *suite, "--store", tmp_path / "dask.sqlite", "--scheduler",
                local_cluster.scheduler_address, catalogue="tiny_catalogue", check=0)
    assert "on 2 worker(s)" in there.stderr and "12 completed, 0 failed" in there.stderr
    cli("run", *suite, "--store", tmp_path / "local.sqlite", "--jobs", "1",
        catalogue="tiny_catalogue", check=0)
    frames = []
    for name in ("dask", "local"):
        from bench.catalogue import load_catalogue

        store = open_store(tmp_path / f"{name}.sqlite", load_catalogue("tiny_catalogue").fingerprint,
                           create=False)
        frames.append(store.trials_frame()[RESULT])
        store.close()
    assert len(frames[0]) == 2 * 3 * 2 * 8
    pd.testing.assert_frame_equal(frames[0], frames[1])


def running_threads(client):
    """Tasks occupying a thread of each worker, by address. Cancelled ones count: the scheduler
    forgets a cancelled task at once (``processing()`` is empty), while a worker thread may
    still be running it."""
    return client.run(lambda dask_worker: len(dask_worker.state.all_running_tasks))


@pytest.mark.serial
@pytest.mark.slow
def test_a_killed_dask_worker_s_runs_finish_elsewhere_with_no_trial_lost_or_doubled(tmp_path,
                                                                                   cluster):
    local_cluster, client = cluster
    suite = write_suite(tmp_path / "dask.toml", ["sleepier-line", "sleepy-line"],
                        ["random", "grid"], 2, 15)
    store = tmp_path / "s.sqlite"
    command = [sys.executable, "-m", "bench", "run", str(suite), "--no-progress", "--store"]
    proc = subprocess.Popen([*command, str(store), "--scheduler", local_cluster.scheduler_address],
                            cwd=ROOT, env=cli_env("scale_catalogue"), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=as_from_a_terminal)
    wait_for_trials(store, 5, proc)
    busy = [address for address, n in running_threads(client).items() if n]
    assert busy, "no worker is running a run"
    pids = client.run(os.getpid)
    os.kill(pids[busy[0]], signal.SIGKILL)  # its nanny starts a new one
    killed_at = stored_trials(store)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "8 completed, 0 failed" in err
    reference = tmp_path / "ref.sqlite"
    subprocess.run([*command, str(reference), "--jobs", "1"], cwd=ROOT, check=True,
                   env=cli_env("scale_catalogue"), capture_output=True, timeout=600)
    trials, expected = trials_of(store), trials_of(reference)
    assert killed_at < len(expected) == 4 * 15 + 4 * 14  # the grid has 7 x 2 points
    assert not trials.duplicated(["problem", "strategy", "seed", "trial"]).any()
    pd.testing.assert_frame_equal(trials, expected)


@pytest.mark.serial
@pytest.mark.slow
def test_ctrl_c_cancels_the_runs_on_the_dask_cluster(tmp_path, cluster):
    local_cluster, client = cluster
    suite = write_suite(tmp_path / "long.toml", ["sleepier-line"], ["random"], 4, 60)
    store = tmp_path / "s.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "bench", "run", str(suite), "--store",
                             str(store), "--no-progress", "--scheduler",
                             local_cluster.scheduler_address],
                            cwd=ROOT, env=cli_env("scale_catalogue"), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=as_from_a_terminal)
    wait_for_trials(store, 5, proc)
    assert any(running_threads(client).values())
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    deadline = time.monotonic() + 20
    while any(running_threads(client).values()):  # the runs stop between two trials
        assert time.monotonic() < deadline, "the cluster is still running the interrupted runs"
        time.sleep(0.2)
    assert stored_trials(store) < 4 * 60


def test_a_worker_whose_versions_differ_from_the_owner_s_refuses_the_run(tiny):
    from bench.environment import CORE, versions
    from bench.records import Finished, Started, Task
    from bench.worker import work

    info = discover()["random"]
    spec = RunSpec("tree-blobs", "random", info.version, 0, 3, tiny.fingerprint)
    here = versions(CORE)
    owner = tuple((name, "0.0" if name == "numpy" else version) for name, version in here)
    events = []
    outcome = work(Task(spec, tiny.problems["tree-blobs"], info, environment=owner), events.append)
    assert outcome.status == "failed"
    assert "numpy" in outcome.error and "0.0 on the owner" in outcome.error
    assert [type(e) for e in events] == [Started, Finished]  # nothing was evaluated

    from dataclasses import replace

    edited = replace(info, source_hash="0123456789")  # the owner's copy of the file differs
    outcome = work(Task(replace(spec, strategy_version=edited.version), tiny.problems["tree-blobs"],
                        edited, environment=here), events.append)
    assert outcome.status == "failed" and "strategy random is" in outcome.error


# -- replay divergence and versions ----------------------------------------------------------
def test_a_resumed_run_that_replays_otherwise_is_rerun_counted_and_reported(tmp_path, tiny):
    from bench.readme import data_notes
    from bench.report_inputs import collect

    suite = tiny_suite(problems=("ridge-line",), strategies=("random",), seeds=1)
    strategies = [discover()["random"]]
    _, expected = run_suite(tiny, suite, tmp_path / "fresh.sqlite", SerialBackend())
    store = open_store(tmp_path / "s.sqlite", tiny.fingerprint)
    try:
        spec = build_plan(suite, tiny, strategies, store).todo[0].spec
        store.start_run(spec)
        # a stored trial that the strategy, replayed with its seed, does not propose
        store.add_trial(TrialRecord(spec.run_id, 0, {"alpha": 0.5, "fit_intercept": False}, 1.0,
                                    1.0, 0.1, 0.0, 0.1, 0.01, 0.0, "ok", "", "t"))
        plan = build_plan(suite, tiny, strategies, store)
        assert plan.resumed == 1
        summary = execute(plan.todo, store, SerialBackend(), progress=False)
        assert summary.diverged == 1 and summary.completed == 1
        assert store.run_diverged([spec.run_id]) == {spec.run_id: 1}
        pd.testing.assert_frame_equal(store.trials_frame()[RESULT], expected)
        notes = data_notes(collect(suite, tiny, strategies, store))
    finally:
        store.close()
    assert any("1 resumed run(s) started over" in line and "`random` 1" in line for line in notes)


def test_a_run_under_another_scikit_learn_version_is_refused_with_exit_2(tmp_path, monkeypatch,
                                                                         capsys):
    import bench.environment
    from bench.cli import main

    monkeypatch.setenv("SEARCHBENCH_CATALOGUE", "tiny_catalogue")
    store = tmp_path / "s.sqlite"
    args = ["run", "tiny", "--store", str(store), "--strategies", "random", "--problems",
            "ridge-line", "--seeds", "2", "--budget", "2", "--jobs", "1", "--no-progress"]
    assert main(args) == 0
    installed = bench.environment.distribution_version("scikit-learn")
    real = bench.environment.distribution_version
    monkeypatch.setattr(bench.environment, "distribution_version",
                        lambda d: "0.0.fake" if d == "scikit-learn" else real(d))
    capsys.readouterr()
    assert main(args) == 2
    error = capsys.readouterr().err.strip()
    assert f"scikit-learn {installed} -> 0.0.fake (2 runs)" in error
    assert "\n" not in error
    monkeypatch.setattr(bench.environment, "distribution_version", real)
    assert main(args) == 0  # the versions it holds: nothing to run, nothing refused
    assert "nothing to run" in capsys.readouterr().err
