import pytest

from bench.errors import BadInput
from bench.suite import load_suite, resolve, split_list


def write(tmp_path, text):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    return path


def test_a_suite_file_is_read(tmp_path):
    path = write(tmp_path, 'name = "mine"\nproblems = ["a-*"]\nseeds = 2\nbudget = 5\n')
    suite = load_suite(str(path), None)
    assert (suite.name, suite.problems, suite.strategies, suite.seeds, suite.budget) == (
        "mine", ("a-*",), None, 2, 5)


@pytest.mark.parametrize("text, message", [
    ('problems = ["x"]\nseeds = 2\nbudget = 5\nbudgett = 3\n', "unknown key"),
    ('problems = ["x"]\nseeds = 0\nbudget = 5\n', "seeds must be an integer"),
    ('problems = ["x"]\nseeds = 2\nbudget = "many"\n', "budget must be an integer"),
    ('problems = "x"\nseeds = 2\nbudget = 5\n', "problems must be a non-empty list"),
    ('problems = ["x"]\nseeds = 2\n', "missing key 'budget'"),
    ('problems = ["x"\n', "not valid TOML"),
])
def test_malformed_suite_files_are_bad_input(tmp_path, text, message):
    with pytest.raises(BadInput, match=message):
        load_suite(str(write(tmp_path, text)), None)


def test_unknown_suite_names_the_built_in_ones(tiny):
    with pytest.raises(BadInput, match="unknown suite 'nope'.*tiny"):
        load_suite("nope", tiny.suites_dir)


def test_overrides_replace_the_suite_values(tiny):
    suite = load_suite("tiny", tiny.suites_dir).with_overrides(strategies=["random"], seeds=1)
    assert suite.strategies == ("random",) and suite.seeds == 1 and suite.budget == 8
    with pytest.raises(BadInput, match="--budget"):
        suite.with_overrides(budget=0)


def test_patterns_resolve_in_catalogue_order_and_unknowns_are_named():
    names = ["svc-wine", "svc-digits", "knn-wine"]
    assert resolve(["*-wine", "svc-*"], names, "problem") == ["svc-wine", "knn-wine", "svc-digits"]
    with pytest.raises(BadInput, match="unknown problem 'svc-wines'.*did you mean svc-wine"):
        resolve(["svc-wines"], names, "problem")
    with pytest.raises(BadInput, match="empty name"):
        split_list("a,,b")
