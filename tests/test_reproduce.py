"""bench.reproduce: a recomputed runs.csv against a committed one, apart from timing."""

import pandas as pd
from conftest import ROOT

from bench.reproduce import differences, main

RUNS = ROOT / "results" / "quick" / "runs.csv"


def write(frame, path):
    frame.to_csv(path, index=False)
    return path


def test_equal_tables_agree_whatever_their_timing(tmp_path, capsys):
    other = pd.read_csv(RUNS)
    other["eval_seconds"] *= 3
    other["suggest_seconds"] += 1
    other = other.sample(frac=1, random_state=0)  # row order does not matter
    assert main([str(RUNS), str(write(other, tmp_path / "runs.csv"))]) == 0
    assert f"{len(other)} runs equal apart from" in capsys.readouterr().out


def test_a_different_score_is_named_with_its_run(tmp_path, capsys):
    other = pd.read_csv(RUNS)
    row = other.index[(other.problem == "svc-wine") & (other.strategy == "random")
                      & (other.seed == 1)][0]
    other.loc[row, "best_score"] = other.loc[row, "best_score"] + 1e-15
    assert main([str(RUNS), str(write(other, tmp_path / "runs.csv"))]) == 1
    out = capsys.readouterr().out
    assert "best_score: 1 runs differ, e.g. svc-wine/random/1" in out
    assert "normalized_score" not in out  # only what differs is named


def test_seeds_restricts_the_comparison_to_the_first_seeds(tmp_path, capsys):
    committed = pd.read_csv(RUNS)
    first_two = write(committed[committed.seed < 2], tmp_path / "runs.csv")
    assert main([str(RUNS), str(first_two), "--seeds", "2"]) == 0
    assert main([str(RUNS), str(first_two)]) == 1
    assert "runs only in the committed table" in capsys.readouterr().out


def test_a_missing_run_or_column_is_a_difference(tmp_path):
    committed = pd.read_csv(RUNS)
    assert differences(committed, committed.iloc[1:])[0].startswith("1 runs only in the committed")
    assert differences(committed, committed.drop(columns=["cost"]))[0].startswith("columns differ")


def test_bad_input_exits_2(tmp_path, capsys):
    assert main([str(RUNS), str(tmp_path / "absent.csv")]) == 2
    assert "absent.csv" in capsys.readouterr().err
    assert main([str(RUNS), str(RUNS), "--seeds", "0"]) == 2
