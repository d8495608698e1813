"""The command line: end to end in separate processes, as a user drives it (a run, a report, a
rerun, exit codes), and its logic through ``main()`` in this process."""

import sqlite3

import pandas as pd

from bench.analysis import TRIAL_COLUMNS

TINY = "tiny_catalogue"


def test_run_report_and_rerun(tmp_path, cli):
    store, out = tmp_path / "store.sqlite", tmp_path / "out"
    first = cli("run", "tiny", "--store", store, "--jobs", "2", "--no-progress", catalogue=TINY, check=0)
    assert "18 new" in first.stderr and "18 completed, 0 failed" in first.stderr

    cli("report", "tiny", "--store", store, "--out", out, catalogue=TINY, check=0)
    for name in ("trials.csv", "leaderboard.csv", "leaderboard.md", "convergence.png"):
        assert (out / name).stat().st_size > 0, name
    trials = pd.read_csv(out / "trials.csv")
    assert list(trials.columns) == TRIAL_COLUMNS
    assert set(trials["suite"]) == {"tiny"}
    per_run = trials.groupby(["problem", "strategy", "seed"])
    assert per_run.ngroups == 3 * 3 * 2
    cost = per_run["cost"].sum()
    assert (cost <= 8).all()
    short = cost[cost < 8]
    assert set(short.index.get_level_values("strategy")) <= {"grid"}  # only an exhausted grid
    assert (per_run["trial"].apply(lambda t: list(t) == list(range(len(t))))).all()
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(board["strategy"]) == {"grid", "random", "skopt_gp"}

    # what keeps a second run quick is that it starts nothing: no worker, no evaluation
    # (how long it takes is measured by perf/, not asserted here)
    again = cli("run", "tiny", "--store", store, "--jobs", "2", catalogue=TINY, check=0)
    assert "nothing to run" in again.stderr and "18 done" in again.stderr
    assert "executed" not in again.stderr
    report_again = cli("report", "tiny", "--store", store, "--out", out, catalogue=TINY, check=0)
    assert "is up to date" in report_again.stderr


def test_the_same_seed_gives_identical_scores_in_separate_runs(tmp_path, cli_here):
    cli = cli_here
    frames = []
    for name in ("a", "b"):
        store = tmp_path / f"{name}.sqlite"
        cli("run", "tiny", "--store", store, "--strategies", "random,skopt_gp", "--no-progress",
            "--jobs", "1" if name == "a" else "2", catalogue=TINY, check=0)
        with sqlite3.connect(store) as db:  # the stored trials themselves, not a report of them
            frame = pd.read_sql_query(
                "SELECT r.problem, r.strategy, r.seed, t.trial, t.params, t.score, t.test_score "
                "FROM trials t JOIN runs r USING (run_id)", db)
        frames.append(frame.sort_values(["problem", "strategy", "seed", "trial"])
                      .reset_index(drop=True))
    assert len(frames[0]) == 2 * 3 * 2 * 8
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_quick_suite_on_the_real_catalogue_with_overrides(tmp_path, cli_here):
    cli = cli_here
    store = tmp_path / "s.sqlite"
    proc = cli("run", "quick", "--store", store, "--problems", "svc-wine", "--strategies",
               "random", "--seeds", "1", "--budget", "3", "--no-progress", check=0)
    assert "1 runs (0 done" in proc.stderr


def test_list_commands(cli_here):
    cli = cli_here
    strategies = cli("list", "strategies", check=0).stdout
    status = {line.split()[0]: line.rstrip() for line in strategies.splitlines()[2:] if line.strip()}
    for name in ("grid", "skopt_gp"):  # "unavailable: ..." also contains "available"
        assert status[name].endswith(" available"), status[name]
    problems = cli("list", "problems", "--details", check=0).stdout
    assert "mlp_classic-digits" in problems and "learning_rate" in problems
    suites = cli("list", "suites", check=0).stdout
    assert "quick" in suites and "default" in suites


def test_list_problems_shows_the_grid_at_a_budget(cli_here):
    cli = cli_here
    out = cli("list", "problems", "--details", "--grid-budget", "12", catalogue=TINY,
              check=0).stdout
    assert "grid at budget 12" in out and "configurations for a budget of 12" in out
    proc = cli("list", "problems", "--details", "--grid-budget", "0", catalogue=TINY, check=2)
    assert "argument --grid-budget: expected a positive integer, got '0'" in proc.stderr


def test_bad_input_exits_2_and_names_the_value(tmp_path, cli):
    store = tmp_path / "s.sqlite"
    proc = cli("run", "nosuch", "--store", store, check=2)
    assert "unknown suite 'nosuch'" in proc.stderr
    proc = cli("run", "tiny", "--store", store, "--strategies", "nosuch", catalogue=TINY, check=2)
    assert "unknown strategy 'nosuch'" in proc.stderr
    assert not store.exists()
