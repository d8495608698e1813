"""The user's own problems: the Python API, plug-in problem files, the leaderboard without
frozen references and the refusal of bad input (issue 26). Tiny budgets, on the tests' own
catalogue, in process where possible."""

import json
import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from searchbench import (Categorical, Integer, Real, Space, compare, estimator_problem,
                         function_problem)
from bench.catalogue import load_catalogue
from bench.cli import main
from bench.errors import BadInput
from bench.plugins import load_problem_file, references_path, with_problems
from bench.problem import TrialFailed

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def tiny_catalogue(monkeypatch):
    monkeypatch.setenv("SEARCHBENCH_CATALOGUE", "tiny_catalogue")


def bowl(config, fidelity, seed):
    return -(config["x"] - 0.3) ** 2 - 0.1 * (config["kind"] == "b")


def bowl_problem(name="bowl", **kw):
    return function_problem(name, bowl, Space([Real("x", 0.0, 1.0),
                                               Categorical("kind", ("a", "b"))]), **kw)


def small_data():
    from sklearn.datasets import make_classification

    return make_classification(n_samples=90, n_features=5, random_state=0)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


GOOD_FILE = """
    from searchbench import Real, Space, function_problem

    def f(config, fidelity, seed):
        return -abs(config["x"] - 0.25)

    PROBLEMS = [function_problem("plug", f, Space([Real("x", 0.0, 1.0)]))]
"""


# -- the Python API -----------------------------------------------------------------------------
def test_compare_returns_a_leaderboard_with_normalized_scores_and_adds_random_search(tmp_path,
                                                                                     capsys):
    result = compare([bowl_problem()], strategies=["sobol"], seeds=2, budget=6,
                     store=tmp_path / "s.sqlite", jobs=1, progress=False, figures=False)
    board = result.leaderboard.set_index("strategy")
    assert set(board.index) == {"sobol", "random"}  # random search added: it is the baseline
    assert board["normalized_score"].notna().all()
    assert (board["normalized_score"] <= 1 + 1e-12).all()
    readme = (result.folder / "README.md").read_text()
    assert "normalized within this report" in readme and "searchbench references" in readme
    # the best of all runs is 1 on that scale: some run of some strategy reached it
    runs = __import__("pandas").read_csv(result.folder / "runs.csv")
    assert runs["normalized_score"].max() == pytest.approx(1.0)


def test_estimator_problem_is_evaluated_with_the_catalogue_protocol():
    X, y = small_data()
    from sklearn.tree import DecisionTreeClassifier

    problem = estimator_problem("tree-mine", DecisionTreeClassifier(random_state=0),
                                Space([Integer("max_depth", 1, 6)]), X, y, cv=3)
    assert problem.id == "tree-mine" and problem.task == "classification"
    first = problem.evaluate({"max_depth": 3})
    assert first == problem.evaluate({"max_depth": 3})  # fixed split and folds
    assert 0 <= first.score <= 1 and 0 <= first.test_score <= 1
    assert len(problem.folds) == 3
    train = len(problem.splits[0])
    assert train == 72  # the 20% holdout split
    # a configuration the estimator refuses fails that trial, naming the problem and the value
    refusing = estimator_problem("tree-split", DecisionTreeClassifier(random_state=0),
                                 Space([Integer("min_samples_split", 1, 4)]), X, y, cv=3)
    with pytest.raises(TrialFailed, match=r"^problem tree-split: InvalidParameterError: .*"
                                          r"min_samples_split.*Got 1 instead"):
        refusing.evaluate({"min_samples_split": 1})


def test_user_problems_never_change_the_catalogue_fingerprint():
    catalogue = load_catalogue()
    added = with_problems(catalogue, [bowl_problem()])
    assert added.fingerprint == catalogue.fingerprint
    assert "bowl" in added.problems and "bowl" in added.user
    assert added.run_fingerprint("ridge-line") == catalogue.fingerprint
    # the problem's own digest: its space, its source and its declared data version
    other_version = with_problems(catalogue, [bowl_problem(data_version="2")])
    other_space = with_problems(catalogue, [function_problem(
        "bowl", bowl, Space([Real("x", 0.0, 2.0), Categorical("kind", ("a", "b"))]))])
    digests = {c.run_fingerprint("bowl") for c in (added, other_version, other_space)}
    assert len(digests) == 3


def test_an_id_of_the_catalogue_is_refused():
    with pytest.raises(BadInput, match="ridge-line.*already a built-in problem"):
        with_problems(load_catalogue(), [bowl_problem("ridge-line")])


def test_invalid_space_and_arguments_are_refused_with_the_field_named():
    with pytest.raises(BadInput, match="'p': space must be a bench.space.Space"):
        function_problem("p", bowl, {"x": (0, 1)})
    with pytest.raises(BadInput, match="function must accept"):
        function_problem("p", lambda config: 0.0, Space([Real("x", 0.0, 1.0)]))
    with pytest.raises(BadInput, match="time_limit"):
        bowl_problem(time_limit=0)
    with pytest.raises(BadInput, match="problem name 'a b'"):
        bowl_problem("a b")
    from sklearn.tree import DecisionTreeClassifier

    X, y = small_data()
    with pytest.raises(BadInput, match="max_dept are not parameters of DecisionTreeClassifier"):
        estimator_problem("t", DecisionTreeClassifier(), Space([Integer("max_dept", 1, 5)]), X, y)
    with pytest.raises(BadInput, match="X has 90 rows but y has 10"):
        estimator_problem("t", DecisionTreeClassifier(), Space([Integer("max_depth", 1, 5)]),
                          X, y[:10])


@pytest.mark.parametrize("value, message", [
    (float("nan"), "problem bad returned score=nan, not a finite number"),
    ("high", "problem bad returned score='high' (str), not a number"),
    ({"test_score": 1.0}, "problem bad returned a mapping without 'score' (keys: test_score)"),
    ({"score": 1.0, "loss": None}, "problem bad returned loss=None (NoneType), not a number"),
])
def test_a_bad_value_fails_the_trial_naming_the_problem_and_the_value(value, message):
    problem = function_problem("bad", lambda config, fidelity, seed: value,
                               Space([Real("x", 0.0, 1.0)]))
    with pytest.raises(TrialFailed) as caught:
        problem.evaluate({"x": 0.5})
    assert str(caught.value) == message


def test_a_mapping_gives_the_test_score_and_extras():
    problem = function_problem(
        "m", lambda config, fidelity, seed: {"score": 0.5, "test_score": 0.4, "kl": 2},
        Space([Real("x", 0.0, 1.0)]))
    ev = problem.evaluate({"x": 0.1})
    assert (ev.score, ev.test_score, dict(ev.extras)) == (0.5, 0.4, {"kl": 2.0})


def stored(path: Path, query: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()


def _sleepy(config, fidelity, seed):
    if config["x"] > 0.75:
        time.sleep(5)
    return config["x"]


def _raising(config, fidelity, seed):
    if config["x"] > 0.5:
        raise RuntimeError(f"diverged at x={config['x']:.2f}")
    return config["x"]


def _nan(config, fidelity, seed):
    return math.nan if config["x"] > 0.5 else config["x"]


@pytest.mark.serial  # a time limit of 0.5 s: timing-sensitive, run alone
def test_failing_problems_fail_their_trials_and_leave_other_runs_intact(tmp_path):
    store = tmp_path / "s.sqlite"
    compare([bowl_problem()], strategies=["random"], seeds=1, budget=5, store=store, jobs=1,
            progress=False, figures=False)
    before = stored(store, "SELECT * FROM trials ORDER BY run_id, trial")
    assert len(before) == 5
    space = Space([Real("x", 0.0, 1.0)])
    bad = [function_problem("sleepy", _sleepy, space, time_limit=0.5),
           function_problem("raising", _raising, space),
           function_problem("nan", _nan, space)]
    result = compare(bad, strategies=["random"], seeds=1, budget=4, store=store, jobs=1,
                     progress=False, figures=False)
    assert result.failed == ()  # failed trials, not failed runs
    rows = stored(store, "SELECT r.problem, t.status, t.error FROM trials t JOIN runs r "
                         "USING (run_id)")
    after = stored(store, "SELECT * FROM trials ORDER BY run_id, trial")
    assert set(before) <= set(after)  # the first runs' stored trials are untouched
    errors = {(p, status): e for p, status, e in rows if status != "ok"}
    assert errors[("sleepy", "timeout")] == "stopped after its time limit of 0.5 s"
    assert errors[("raising", "failed")].startswith(
        "problem raising raised RuntimeError: diverged at x=")
    assert errors[("nan", "failed")] == "problem nan returned score=nan, not a finite number"
    assert {p for p, status, _ in rows if status == "ok"} >= {"sleepy", "raising", "nan"}


# -- plug-in problem files ----------------------------------------------------------------------
def test_a_problem_file_runs_with_no_suite_and_reports(tmp_path, capsys):
    file = write(tmp_path / "mine.py", GOOD_FILE)
    store = tmp_path / "s.sqlite"
    args = ["--problems-from", str(file), "--strategies", "sobol", "--seeds", "1",
            "--budget", "4", "--store", str(store)]
    assert main(["run", *args, "--no-progress", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "random added" in err and "suite mine: 2 runs" in err
    assert main(["report", *args, "--out", str(tmp_path / "report")]) == 0
    board = (tmp_path / "report" / "leaderboard.csv").read_text()
    assert "sobol" in board and "random" in board
    import pandas as pd

    assert pd.read_csv(tmp_path / "report" / "leaderboard.csv")["normalized_score"].notna().all()
    # the built-in problems run in the same store, under the same fingerprint
    assert main(["run", "tiny", "--problems", "ridge-line", "--strategies", "random", "--seeds",
                 "1", "--budget", "2", "--store", str(store), "--no-progress"]) == 0


def test_a_suite_file_names_its_problem_files(tmp_path, capsys):
    write(tmp_path / "mine.py", GOOD_FILE)
    suite = write(tmp_path / "s.toml", """
        problems = ["plug", "ridge-line"]
        problems_from = ["mine.py"]
        strategies = ["random"]
        seeds = 1
        budget = 3
    """)
    assert main(["run", str(suite), "--store", str(tmp_path / "s.sqlite"), "--no-progress",
                 "--jobs", "1"]) == 0
    assert "2 runs (0 done" in capsys.readouterr().err
    assert main(["list", "problems", "--problems-from", str(tmp_path / "mine.py")]) == 0
    assert "plug" in capsys.readouterr().out


def test_a_file_that_does_not_import_is_refused_before_anything_runs(tmp_path, capsys):
    broken = write(tmp_path / "broken.py", "import numpy\nraise ImportError('no module gan')\n")
    store = tmp_path / "s.sqlite"
    code = main(["run", "--problems-from", str(broken), "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and not store.exists()
    assert err.strip() == (f"searchbench: error: problem file {broken} failed to import: "
                           "ImportError: no module gan")
    # listing names it in one line and lists the rest
    good = write(tmp_path / "good.py", GOOD_FILE)
    assert main(["list", "problems", "--problems-from", str(broken), "--problems-from",
                 str(good)]) == 0
    out, err = capsys.readouterr()
    assert err.count("broken.py") == 1 and "plug" in out


def test_an_invalid_space_in_a_file_is_refused_naming_the_file_and_the_field(tmp_path, capsys):
    bad = write(tmp_path / "bad_space.py", """
        from searchbench import Real, Space, function_problem
        PROBLEMS = [function_problem("p", lambda c, f, s: 0.0, Space([Real("lr", 1.0, 0.1)]))]
    """)
    assert main(["run", "--problems-from", str(bad), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert f"problem file {bad} failed to import: ValueError: lr: low=1.0 must be below " \
           "high=0.1" in err
    empty = write(tmp_path / "empty.py", "PROBLEMS = ['svc-digits']\n")
    assert main(["run", "--problems-from", str(empty), "--store", str(tmp_path / "s")]) == 2
    assert "PROBLEMS[0] is a str, not a problem" in capsys.readouterr().err


def test_references_of_a_file_are_written_beside_it(tmp_path, capsys):
    file = write(tmp_path / "mine.py", GOOD_FILE)
    builtin = (ROOT / "datasets" / "references.json").read_bytes()
    assert main(["references", "--problems-from", str(file), "--budget", "4", "--jobs", "1",
                 "--no-progress", "--store", str(tmp_path / "r.sqlite")]) == 0
    written = json.loads(references_path(file).read_text())
    assert set(written["problems"]) == {"plug"}
    assert (ROOT / "datasets" / "references.json").read_bytes() == builtin
    catalogue = with_problems(load_catalogue(), load_problem_file(file), [file.resolve()])
    assert catalogue.reference("plug") is not None


# -- the examples -------------------------------------------------------------------------------
def test_the_estimator_example_runs_at_a_tiny_budget(tmp_path):
    problems = load_problem_file(ROOT / "examples" / "my_problems.py")
    result = compare(problems, strategies=["random"], seeds=1, budget=2,
                     store=tmp_path / "s.sqlite", jobs=1, progress=False, figures=False)
    assert result.leaderboard["normalized_score"].notna().all()


TORCH_EXAMPLE = """
from searchbench import compare
from bench.plugins import load_problem_file

problems = load_problem_file({file!r})
result = compare(problems, strategies=["random"], seeds=1, budget=2, store={store!r}, jobs=1,
                 progress=False, figures=False)
print(result.leaderboard["normalized_score"].notna().all())
"""


def test_the_torch_example_runs_at_a_tiny_budget_in_its_own_process(tmp_path):
    pytest.importorskip("torch")
    code = TORCH_EXAMPLE.format(file=str(ROOT / "examples" / "torch_vae.py"),
                                store=str(tmp_path / "s.sqlite"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "True"


def test_the_readme_section_uses_only_the_public_api():
    import re

    import searchbench

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Benchmark strategies on your own model"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    compile(code, "README.md", "exec")
    imported = re.search(r"^from searchbench import (.*)$", code, re.M).group(1).split(", ")
    assert set(imported) <= set(searchbench.__all__)
    assert "docs/own-model.md" in section.split("\n## ", 1)[0]
