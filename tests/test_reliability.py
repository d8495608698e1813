"""Reliability, end to end through the real command line: kill -9 and resume, failing models and
strategies, time limits, bad input, and two processes on one store."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import psutil
import pytest

from conftest import ROOT, run_cli

TINY = "tiny_catalogue"
KEY = ["problem", "strategy", "seed", "trial"]
COMPARED = [*KEY, "params", "fidelity", "score", "test_score", "status"]


def suite_file(tmp_path, problems, strategies, seeds=2, budget=12, name="rel"):
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nproblems = {problems!r}\nstrategies = {strategies!r}\n'
        f"seeds = {seeds}\nbudget = {budget}\n".replace("'", '"')
    )
    return path


def stored_trials(store):
    with sqlite3.connect(store) as db:
        frame = pd.read_sql_query(
            "SELECT r.problem, r.strategy, r.seed, t.* FROM trials t JOIN runs r USING (run_id)", db)
    return frame.sort_values(KEY).reset_index(drop=True)


def count_trials(store):
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM trials").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0


def plugin_dir(tmp_path, source, name="extraplug"):
    """A folder that, on PYTHONPATH, installs a strategy through the entry-point group."""
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(source)
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[searchbench.strategies]\n{name} = {name}:Plugin\n")
    return folder


def with_path(folder):
    return os.pathsep.join([str(folder), os.environ["PYTHONPATH"]])


def cli_with_plugins(folder, *args, check=None):
    env = dict(os.environ, PYTHONPATH=with_path(folder), SEARCHBENCH_CATALOGUE=TINY)
    proc = subprocess.run([sys.executable, "-m", "bench", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


# -- kill -9 ----------------------------------------------------------------------------------
def test_killed_at_random_moments_resumes_to_the_uninterrupted_result(tmp_path):
    suite = suite_file(tmp_path, ["tree-blobs", "knn-blobs", "ridge-line"], ["random", "optuna_tpe"],
                       budget=25)
    reference = tmp_path / "reference.sqlite"
    run_cli("run", suite, "--store", reference, "--jobs", "2", "--no-progress", catalogue=TINY,
            check=0)
    expected = stored_trials(reference)
    total = len(expected)
    assert total == 3 * 2 * 2 * 25

    store = tmp_path / "killed.sqlite"
    rng = random.Random(7)
    env = dict(os.environ, SEARCHBENCH_CATALOGUE=TINY)
    counts, orphans = [], []
    for attempt in range(10):
        before = count_trials(store)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench", "run", str(suite), "--store", str(store),
             "--jobs", str(1 + attempt % 2), "--no-progress"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        # wait for progress, then kill at a random moment shortly after
        while count_trials(store) <= before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.3))
        children = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts.append(count_trials(store))
        orphans += children
    final = run_cli("run", suite, "--store", store, "--jobs", "2", "--no-progress",
                    catalogue=TINY, check=0)
    assert "to resume" in final.stderr

    got = stored_trials(store)
    assert len(got) == total
    assert not got.duplicated(KEY).any()
    pd.testing.assert_frame_equal(got[COMPARED], expected[COMPARED])
    # the kills landed mid-run: the store grew between kills and was never complete before the end
    assert sum(1 for c in counts if 0 < c < total) >= 8, counts
    # no helper process outlived the killed command: each watches its parent every half second
    # (bench/lifetime.py), so all are gone within seconds even on a busy machine
    deadline = time.monotonic() + 10
    while (alive := [p for p in orphans if _running(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive, [p.cmdline() for p in alive]


def _running(process: psutil.Process) -> bool:
    """Whether ``process`` still runs (a zombie has ended; only its exit status is left)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# -- failures that stop nothing else ----------------------------------------------------------
EXPLODING = '''
from bench.strategy import Strategy

class Plugin(Strategy):
    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        self.asked = 0

    def ask(self):
        self.asked += 1
        if self.asked == 3:
            raise RuntimeError("the plug-in lost its way")
        return self.space.default()

    def tell(self, suggestion, score):
        pass
'''


def test_a_raising_model_and_a_raising_strategy_fail_only_what_they_touch(tmp_path):
    plugins = plugin_dir(tmp_path, EXPLODING)
    suite = suite_file(tmp_path, ["raising-blobs", "tree-blobs"], ["random", "extraplug"],
                       seeds=1, budget=10)
    store, out = tmp_path / "s.sqlite", tmp_path / "out"
    proc = cli_with_plugins(plugins, "run", suite, "--store", store, "--no-progress", check=1)
    assert "2 run(s) failed" in proc.stderr
    assert "extraplug" in proc.stderr and "raised in ask()" in proc.stderr
    assert "the plug-in lost its way" in proc.stderr

    trials = stored_trials(store)
    random_runs = trials[trials["strategy"] == "random"]
    assert len(random_runs) == 20  # both random runs completed their budget
    raising = random_runs[random_runs["problem"] == "raising-blobs"]
    failed = raising[raising["status"] == "failed"]
    assert len(failed) > 0 and failed["error"].str.contains("is not supported").all()
    assert failed["score"].isna().all()
    with sqlite3.connect(store) as db:
        runs = dict(db.execute("SELECT strategy || '/' || problem, status FROM runs"))
        error = db.execute("SELECT error FROM runs WHERE strategy='extraplug' LIMIT 1").fetchone()[0]
    assert runs == {"random/raising-blobs": "complete", "random/tree-blobs": "complete",
                    "extraplug/raising-blobs": "failed", "extraplug/tree-blobs": "failed"}
    assert "Traceback" in error and "extraplug.py" in error

    # the failed runs are reported, not retried, on the next invocation...
    again = cli_with_plugins(plugins, "run", suite, "--store", store, "--no-progress", check=1)
    assert "2 failed before" in again.stderr and "not retried" in again.stderr
    # ...and the report leaves them out but still writes the leaderboard
    cli_with_plugins(plugins, "report", suite, "--store", store, "--out", out, check=0)
    assert set(pd.read_csv(out / "leaderboard.csv")["strategy"]) == {"random"}


@pytest.mark.serial
def test_a_trial_past_its_time_limit_is_a_timeout_and_the_run_goes_on(tmp_path):
    suite = suite_file(tmp_path, ["slow-line"], ["random"], seeds=1, budget=6)
    store = tmp_path / "s.sqlite"
    run_cli("run", suite, "--store", store, "--no-progress", catalogue=TINY, check=0)
    trials = stored_trials(store)
    assert len(trials) == 6
    timeouts = trials[trials["status"] == "timeout"]
    finished = trials[trials["status"] == "ok"]
    assert len(timeouts) >= 1 and len(finished) >= 1  # random alphas on both sides of 1
    assert all(json.loads(p)["alpha"] > 1 for p in timeouts["params"])
    assert all(json.loads(p)["alpha"] <= 1 for p in finished["params"])
    assert timeouts["error"].str.contains("time limit of 1 s").all()
    assert (timeouts["eval_seconds"] == 1.0).all()


# -- bad input --------------------------------------------------------------------------------
BROKEN_IMPORT = "import a_module_that_does_not_exist\n"


@pytest.fixture
def populated(tmp_path, cli_here):
    """A store holding one finished run, and a way to check it is left byte for byte."""
    store = tmp_path / "store.sqlite"
    cli_here("run", "tiny", "--store", store, "--strategies", "random", "--problems", "ridge-line",
             "--seeds", "1", "--budget", "3", "--no-progress", catalogue=TINY, check=0)
    return store


def _bad_inputs(tmp_path, store):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('problems = ["tree-blobs"\nseeds = 2\n')
    unknown_key = tmp_path / "typo.toml"
    unknown_key.write_text('problems = ["tree-blobs"]\nseeds = 2\nbudget = 5\nstrategys = ["x"]\n')
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(os.urandom(4096))
    return [
        (["run", "nosuch", "--store", store], "unknown suite 'nosuch'"),
        (["run", "tiny", "--store", store, "--strategies", "randm"], "unknown strategy 'randm'"),
        (["run", "tiny", "--store", store, "--problems", "svm-blobs"], "unknown problem 'svm-blobs'"),
        (["run", "tiny", "--store", store, "--seeds", "0"], "--seeds: expected a positive integer, got '0'"),
        (["run", "tiny", "--store", store, "--budget", "ten"], "--budget: expected a positive integer, got 'ten'"),
        (["run", "tiny", "--store", store, "--jobs", "-2"], "--jobs: expected a positive integer, got '-2'"),
        (["run", str(bad_toml), "--store", store], "is not valid TOML"),
        (["run", str(unknown_key), "--store", store], "unknown key(s) strategys"),
        (["run", str(tmp_path / "absent.toml"), "--store", store], "absent.toml' does not exist"),
        (["run", "tiny", "--store", junk], "corrupted"),
        (["run", "tiny", "--store", tmp_path], "is a directory"),
        (["report", "tiny", "--store", tmp_path / "none.sqlite"], "does not exist"),
        (["run", "tiny", "--store", store, "--jobs", "2", "--scheduler", "tcp://x:1"], "not both"),
        (["list", "sausages"], "invalid choice: 'sausages'"),
    ]


def test_bad_input_is_refused_with_exit_2_and_the_store_untouched(tmp_path, populated, cli_here):
    """Through main() in this process: the messages and codes are its logic (tests/test_cli.py
    checks bad input's exit code end to end)."""
    before = populated.read_bytes()
    junk_before = None
    cases = _bad_inputs(tmp_path, populated)
    junk_before = (tmp_path / "junk.sqlite").read_bytes()
    for args, message in cases:
        proc = cli_here(*args, catalogue=TINY)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) <= 3, proc.stderr  # short
        assert populated.read_bytes() == before, args
    assert (tmp_path / "junk.sqlite").read_bytes() == junk_before
    assert not (tmp_path / "none.sqlite").exists()


def test_a_store_of_another_catalogue_is_refused(tmp_path, populated, cli_here):
    before = populated.read_bytes()
    proc = cli_here("run", "quick", "--store", populated)  # the built-in catalogue
    assert proc.returncode == 2 and "never mixes" in proc.stderr
    assert populated.read_bytes() == before


def test_an_explicitly_selected_strategy_that_cannot_load_is_bad_input(tmp_path, populated):
    plugins = plugin_dir(tmp_path, BROKEN_IMPORT)
    before = populated.read_bytes()
    listed = cli_with_plugins(plugins, "list", "strategies", check=0)
    assert "extraplug" in listed.stdout and "a_module_that_does_not_exist" in listed.stdout
    proc = cli_with_plugins(plugins, "run", "tiny", "--store", populated, "--strategies",
                            "extraplug", check=2)
    assert "strategy 'extraplug' cannot be used" in proc.stderr
    assert populated.read_bytes() == before
    # not selected explicitly: the others still run
    cli_with_plugins(plugins, "run", "tiny", "--store", populated, "--strategies", "random",
                     "--problems", "ridge-line", "--seeds", "2", "--budget", "3", "--no-progress",
                     check=0)


# -- two processes, one store -----------------------------------------------------------------
def test_two_concurrent_runs_on_one_store(tmp_path, cli_here):
    suite = suite_file(tmp_path, ["tree-blobs", "ridge-line"], ["random", "skopt_gp"], budget=10)
    reference = tmp_path / "reference.sqlite"
    cli_here("run", suite, "--store", reference, "--jobs", "1", "--no-progress", catalogue=TINY,
             check=0)
    store = tmp_path / "shared.sqlite"
    env = dict(os.environ, SEARCHBENCH_CATALOGUE=TINY)
    procs = [
        subprocess.Popen([sys.executable, "-m", "bench", "run", str(suite), "--store", str(store),
                          "--jobs", "1", "--no-progress"], env=env, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        statuses = {s for (s,) in db.execute("SELECT status FROM runs")}
    assert statuses == {"complete"}
    got, expected = stored_trials(store), stored_trials(reference)
    assert not got.duplicated(KEY).any()
    pd.testing.assert_frame_equal(got[COMPARED], expected[COMPARED])
