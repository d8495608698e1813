"""bench.reproduce: a recomputed runs.csv against a committed one, apart from timing."""

import numpy as np
import pandas as pd
from conftest import ROOT

from bench.reproduce import differences, main

RUNS = ROOT / "results" / "quick" / "runs.csv"


def write(frame, path):
    frame.to_csv(path, index=False)
    return path


def one(frame, problem="svc-wine", strategy="random", seed=1):
    return frame.index[(frame.problem == problem) & (frame.strategy == strategy)
                       & (frame.seed == seed)][0]


def test_equal_tables_agree_whatever_their_timing(tmp_path, capsys):
    other = pd.read_csv(RUNS)
    other["eval_seconds"] *= 3
    other["suggest_seconds"] += 1
    other = other.sample(frac=1, random_state=0)  # row order does not matter
    assert main([str(RUNS), str(write(other, tmp_path / "runs.csv"))]) == 0
    assert f"{len(other)} runs equal apart from" in capsys.readouterr().out


def test_a_different_score_is_named_with_its_run(tmp_path, capsys):
    other = pd.read_csv(RUNS)
    row = one(other)
    other.loc[row, "best_score"] = other.loc[row, "best_score"] + 1e-15
    assert main([str(RUNS), str(write(other, tmp_path / "runs.csv"))]) == 1
    out = capsys.readouterr().out
    assert "best_score differs in 1 run, e.g. svc-wine/random/1" in out
    assert "normalized_score" not in out  # only what differs is named


def test_missing_values_are_equal_to_missing_values_only(tmp_path):
    committed = pd.read_csv(RUNS)
    row = one(committed)
    committed.loc[row, "best_test_score"] = np.nan
    committed = pd.read_csv(write(committed, tmp_path / "committed.csv"))
    assert differences(committed, committed.copy()) == []
    other = committed.copy()
    other.loc[row, "best_test_score"] = 0.5
    assert differences(committed, other)[0].startswith("best_test_score differs in 1 run")


def test_seeds_restricts_the_comparison_to_the_first_seeds(tmp_path, capsys):
    committed = pd.read_csv(RUNS)
    other = committed.copy()
    later = other.seed >= 2
    other.loc[later, "best_score"] = other.loc[later, "best_score"] + 1  # differ beyond seed 1
    other = write(other, tmp_path / "runs.csv")
    assert main([str(RUNS), str(other), "--seeds", "2"]) == 0
    assert main([str(RUNS), str(other)]) == 1
    assert "best_score differs in" in capsys.readouterr().out
    first_two = write(committed[committed.seed < 2], tmp_path / "first_two.csv")
    assert main([str(RUNS), str(first_two), "--seeds", "2"]) == 0
    assert main([str(RUNS), str(first_two)]) == 1
    assert "runs only in the committed table" in capsys.readouterr().out


def test_a_missing_repeated_or_renamed_run_or_column_is_a_difference():
    committed = pd.read_csv(RUNS)
    assert differences(committed, committed.iloc[1:])[0].startswith("1 run only in the committed")
    assert differences(committed, pd.concat([committed, committed.iloc[:2]]))[0].startswith(
        "2 runs repeated in the other table")
    assert differences(committed, committed.drop(columns=["cost"]))[0].startswith("columns differ")


def test_bad_input_exits_2(tmp_path, capsys):
    assert main([str(RUNS), str(tmp_path / "absent.csv")]) == 2
    assert "absent.csv" in capsys.readouterr().err
    assert main([str(RUNS), str(RUNS), "--seeds", "0"]) == 2
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main([str(RUNS), str(empty)]) == 2
    no_key = write(pd.read_csv(RUNS).drop(columns=["seed"]), tmp_path / "no_seed.csv")
    assert main([str(RUNS), str(no_key), "--seeds", "2"]) == 2
    assert "no column seed" in capsys.readouterr().err
