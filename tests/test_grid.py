"""The practitioner's grid of protocol v3 (bench/grid.py): one sub-grid per branch, every choice
of every categorical kept with shares within one configuration of each other, the whole within the
budget, or the problem left out with the reason."""

import json
from collections import Counter

import pytest

from bench.grid import GridDoesNotFit
from bench.records import RunSpec
from bench.registry import discover
from bench.runner import execute_run
from bench.space import Categorical, Forbidden, Integer, Real, Space, when

PIPELINES = ("pipe-friedman1_n500", "pipe-sunspots_lag9")


@pytest.fixture(scope="module")
def problems():
    from bench.catalogue import load_catalogue

    return load_catalogue("bench.datasets").problems


def _shares(made, name):
    """The budget each choice of the structural categorical ``name`` was given."""
    shares = Counter()
    for branch in made.branches:
        if name in branch.assignment:
            shares[repr(branch.assignment[name])] += branch.share
    return shares


def _whole(space, branch):
    """Whether ``branch`` holds its whole grid: no real dimension, every integer at all its
    values, every other categorical crossed (nothing a larger share could add)."""
    dims = {d.name: d for d in space}
    numeric = [dims[n] for n in branch.levels
               if n not in branch.assignment and not isinstance(dims[n], Categorical)]
    return not branch.spread and all(isinstance(d, Integer) and branch.levels[d.name] >= d.cardinality
                                     for d in numeric)


def _shares_past_whole(space, made, name):
    """The shares of ``name``'s choices whose branches could use more, and the shares of those
    whose every branch holds its whole grid (they give the rest of their share to the others)."""
    open_, whole = Counter(), Counter()
    for branch in made.branches:
        if name in branch.assignment:
            key = repr(branch.assignment[name])
            (whole if _whole(space, branch) else open_)[key] += branch.share
    for key in set(open_) & set(whole):  # a choice with a branch that can grow is open
        open_[key] += whole.pop(key)
    return open_, whole


def _counts(configs, name):
    return Counter(repr(c[name]) for c in configs if name in c)


def _within_one(counter, choices):
    values = [counter[repr(c)] for c in choices]
    return min(values) >= 1 and max(values) - min(values) <= 1


@pytest.mark.parametrize("pid", PIPELINES)
def test_pipeline_grid_has_every_model_and_scaler_with_shares_within_one(problems, pid):
    space = problems[pid].space
    made = space.practitioners_grid(50)
    assert made.fits, made.reason
    assert 0 < len(made.configs) <= 50
    for config in made.configs:
        space.validate(config)
    # every model and every preprocessing branch, given budget shares within one configuration
    for name in ("model", "pca"):
        assert _within_one(_shares(made, name), space[name].choices), _shares(made, name)
        assert set(_counts(made.configs, name)) == {repr(c) for c in space[name].choices}
    # the scaler switches nothing on: its choices take turns, each within one of the others
    assert _within_one(_counts(made.configs, "scaler"), space["scaler"].choices)
    assert set(_counts(made.configs, "knn_weights")) == {"'uniform'", "'distance'"}
    # each model's own parameters are searched, not only the first models' (v2: "never active")
    for name in ("svm_C", "linear_strength", "knn_n_neighbors", "tree_min_samples_leaf"):
        assert len({c[name] for c in made.configs if name in c}) >= 2, name
    # no branch takes more than its share
    for branch in made.branches:
        assert 1 <= branch.size <= branch.share
    details = space.describe_grid(50)
    assert not any("never active" in line for line in details), details


def test_svc_moons_grid_gives_every_kernel_a_share_within_one(problems):
    space = problems["svc-moons_n500"].space
    made = space.practitioners_grid(50)
    assert made.fits and len(made.configs) <= 50
    kernels = space["kernel"].choices
    assert _within_one(_shares(made, "kernel"), kernels)
    counts = _counts(made.configs, "kernel")
    # v2 gave rbf 4 of 38 configurations and poly 24; each now fills most of its share
    for branch in made.branches:
        assert branch.share - 5 < branch.size <= branch.share, branch
    rbf = [c for c in made.configs if c["kernel"] == "rbf"]
    assert len({c["C"] for c in rbf}) >= 3 and len({c["gamma"] for c in rbf}) >= 3
    assert counts["'rbf'"] >= 12 and sum(counts.values()) == len(made.configs)


def test_a_space_whose_branches_cannot_all_fit_is_left_out_with_the_reason():
    space = Space([
        Categorical("model", ("a", "b", "c", "d")),
        Real("x", 0, 1, condition=when("model", "a", "b")),
        Integer("k", 1, 9, condition=when("model", "c")),
    ])
    made = space.practitioners_grid(3)
    assert not made.fits and made.configs == ()
    assert "4 branches" in made.reason and "smallest budget that keeps every choice is 4" \
        in made.reason
    with pytest.raises(GridDoesNotFit, match="budget of 3"):
        space.finest_grid(3)
    assert space.describe_grid(3) == [f"left out of the grid at budget 3: {made.reason}"]
    assert space.practitioners_grid(4).fits  # one configuration per branch: the defaults
    assert len(space.practitioners_grid(4).configs) == 4


def test_a_categorical_whose_choices_find_no_room_is_left_out_with_the_reason():
    # five choices of c exist only under model b, whose share at budget 6 is 3 configurations
    space = Space([
        Categorical("model", ("a", "b")),
        Categorical("c", ("p", "q", "r", "s", "t"), condition=when("model", "b")),
        Real("x", 0, 1, condition=when("model", "a")),
    ])
    made = space.practitioners_grid(6)
    assert not made.fits and "c's choices" in made.reason and "'s', 't'" in made.reason
    assert "smallest budget that keeps every choice is 10" in made.reason
    assert _counts(space.practitioners_grid(10).configs, "c") == Counter(
        {"'p'": 1, "'q'": 1, "'r'": 1, "'s'": 1, "'t'": 1})


def test_the_grid_strategy_refuses_to_start_and_the_run_fails_with_the_reason():
    space = Space([Categorical("model", ("a", "b", "c")),
                   Real("x", 0, 1, condition=when("model", "a"))])

    class Tiny:
        id = "tiny"
        fidelity = type("F", (), {"min_fraction": 1.0})()

    Tiny.space = space
    records = []
    spec = RunSpec("tiny", "grid", "v", 0, 2, "fp")
    outcome = execute_run(spec, Tiny(), discover()["grid"], lambda *a: None, records.append)
    assert outcome.status == "failed" and records == []
    assert "raised while starting" in outcome.error
    assert "GridDoesNotFit" in outcome.error and "3 branches" in outcome.error


def test_forbidden_combinations_stay_out_and_every_allowed_choice_stays_in():
    space = Space([
        Categorical("kind", ("a", "b", "c")),
        Categorical("flag", (True, False, None)),
        Real("m", 0, 1, condition=when("kind", "b")),
        Integer("w", 1, 8),
    ], forbidden=[Forbidden({"kind": "c", "flag": (True, None)}), Forbidden({"kind": "a", "w": 5})])
    for budget in (3, 7, 20, 50):
        made = space.practitioners_grid(budget)
        assert made.fits, made.reason
        assert len(made.configs) <= budget
        for config in made.configs:
            space.validate(config)
        assert set(_counts(made.configs, "kind")) == {"'a'", "'b'", "'c'"}
        assert set(_counts(made.configs, "flag")) == {"True", "False", "None"}
        assert {c["flag"] for c in made.configs if c["kind"] == "c"} == {False}


@pytest.mark.parametrize("budget", [10, 25, 50])
def test_every_catalogue_grid_fits_the_budget_and_keeps_every_choice(problems, budget):
    for pid, problem in problems.items():
        space = problem.space
        made = space.practitioners_grid(budget)
        assert made.fits, (pid, made.reason)
        assert 0 < len(made.configs) <= budget, pid
        assert sum(b.size for b in made.branches) == len(made.configs)
        assert len({json.dumps(c, sort_keys=True) for c in made.configs}) == len(made.configs)
        for d in space:
            if isinstance(d, Categorical):
                counts = _counts(made.configs, d.name)
                assert set(counts) == {repr(c) for c in d.choices}, (pid, d.name, counts)
                if d.name in {b for br in made.branches for b in br.assignment}:
                    # shares within one, but for a choice whose branches hold their whole grid
                    # in less: it takes that and leaves the rest to the others
                    open_, whole = _shares_past_whole(space, made, d.name)
                    rest = [c for c in d.choices if repr(c) not in whole]
                    assert not rest or _within_one(open_, rest), (pid, d.name, open_, whole)
                    assert all(v <= min(open_.values(), default=v) for v in whole.values()), \
                        (pid, d.name, open_, whole)
                else:  # crossed or taking turns: configurations within one of each other
                    assert _within_one(counts, d.choices), (pid, d.name, counts)


def test_a_branch_smaller_than_its_share_is_taken_whole_and_the_rest_goes_to_the_others():
    """Two branches at a budget of 40: `b` has only 4 configurations, so it takes those 4 and
    `a`'s real dimension gets the other 36; a grid that fits the budget whole is taken whole."""
    space = Space([Categorical("kind", ("a", "b")),
                   Real("x", 0.0, 1.0, condition=when("kind", "a")),
                   Integer("n", 1, 4, condition=when("kind", "b"))])
    made = space.practitioners_grid(40)
    sizes = {b.assignment["kind"]: b.size for b in made.branches}
    assert sizes == {"a": 36, "b": 4}
    finite = Space([Categorical("kind", ("a", "b")),
                    Integer("m", 1, 3, condition=when("kind", "a")),
                    Integer("n", 1, 30, condition=when("kind", "b"))])
    assert len(finite.practitioners_grid(40).configs) == 33  # 3 + 30: the whole grid


def test_the_grid_is_deterministic_and_its_order_follows_the_seed(problems):
    space = problems["pipe-friedman1_n500"].space
    first, again = space.practitioners_grid(50), space.practitioners_grid(50)
    assert first == again
    grid = discover()["grid"].cls
    orders = [[json.dumps(s, sort_keys=True) for s in _drain(grid(space, 50, seed))]
              for seed in (0, 0, 1)]
    assert orders[0] == orders[1] and orders[0] != orders[2]
    assert sorted(orders[0]) == sorted(json.dumps(c, sort_keys=True) for c in first.configs)


def _drain(strategy):
    out = []
    while (suggestion := strategy.ask()) is not None:
        out.append(suggestion)
    return out
