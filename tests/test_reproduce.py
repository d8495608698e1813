"""bench.reproduce: a recomputed runs.csv against a committed one, apart from timing."""

import numpy as np
import pandas as pd
from conftest import ROOT

from bench.reproduce import close, differences, main

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


SCORES = ["best_score", "best_test_score", "normalized_score", "normalized_test_score"]


def test_scores_that_differ_in_their_last_bits_agree_within_the_default_tolerance(tmp_path,
                                                                                  capsys):
    """Another CPU's BLAS rounds the last bits otherwise (0.506145061438512 against a committed
    0.5061450614385118): every score a few units in the last place away still agrees, and the
    command says which tolerance it used."""
    other = pd.read_csv(RUNS)
    for column in SCORES:
        values = other[column].to_numpy()
        other[column] = np.nextafter(np.nextafter(values, np.inf), np.inf)  # two ulps up
    assert (other[SCORES] != pd.read_csv(RUNS)[SCORES]).any().all()  # all moved, not rounded away
    path = write(other, tmp_path / "runs.csv")
    assert main([str(RUNS), str(path)]) == 0
    assert "floats within a relative 1e-09" in capsys.readouterr().out
    assert main([str(RUNS), str(path), "--rtol", "0"]) == 1  # exactly: they do differ
    out = capsys.readouterr().out
    assert "best_score differs in" in out and "(floats compared exactly)" in out


def test_a_different_score_is_named_with_its_run(tmp_path, capsys):
    other = pd.read_csv(RUNS)
    row = one(other)
    other.loc[row, "best_score"] = other.loc[row, "best_score"] * (1 + 1e-7)  # a real difference
    assert main([str(RUNS), str(write(other, tmp_path / "runs.csv"))]) == 1
    out = capsys.readouterr().out
    assert "best_score differs in 1 run, e.g. svc-wine/random/1" in out
    assert "normalized_score" not in out  # only what differs is named
    assert "(floats within a relative 1e-09)" in out


def test_the_tolerance_is_relative_and_set_by_rtol(tmp_path, capsys):
    other = pd.read_csv(RUNS)
    row = one(other)
    other.loc[row, "best_score"] = other.loc[row, "best_score"] * (1 + 1e-7)
    path = str(write(other, tmp_path / "runs.csv"))
    assert main([str(RUNS), path, "--rtol", "1e-6"]) == 0
    assert "(floats within a relative 1e-06)" in capsys.readouterr().out
    zero = pd.Series([0.0, 0.0, 1.0])
    assert close(zero, pd.Series([0.0, 1e-300, 1.0 + 1e-12])).tolist() == [True, False, True]
    assert close(pd.Series([3, 4]), pd.Series([3, 5])).tolist() == [True, False]  # ints exactly
    for bad in ("-1", "nan", "1"):
        assert main([str(RUNS), path, "--rtol", bad]) == 2
        assert f"--rtol must be at least 0 and below 1, not {float(bad)}" in capsys.readouterr().err


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
