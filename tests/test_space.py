import json

import numpy as np
import pytest

from bench.space import Categorical, Forbidden, Integer, OutsideSpace, Real, Space, when


@pytest.fixture(scope="module")
def catalogue_problems():
    from bench.catalogue import load_catalogue

    return load_catalogue("bench.datasets").problems


@pytest.fixture
def mlp_space():
    return Space([
        Categorical("solver", ("sgd", "adam")),
        Real("alpha", 1e-5, 1e-1, log=True),
        Integer("layers", 10, 1000, log=True),
        Real("momentum", 0.5, 0.99, condition=when("solver", "sgd")),
    ])


def test_samples_respect_types_bounds_and_conditions(mlp_space):
    rng = np.random.default_rng(0)
    for _ in range(300):
        config = mlp_space.sample(rng)
        mlp_space.validate(config)
        assert isinstance(config["layers"], int)
        assert ("momentum" in config) == (config["solver"] == "sgd")


def test_log_scale_samples_spread_over_decades():
    space = Space([Real("C", 1e-3, 1e3, log=True)])
    rng = np.random.default_rng(0)
    values = np.array([space.sample(rng)["C"] for _ in range(2000)])
    share_below_one = np.mean(values < 1.0)
    assert 0.45 < share_below_one < 0.55  # uniform in log10: half the decades are below 1


@pytest.mark.parametrize("config, rule", [
    ({"solver": "adam", "alpha": 1e-2}, "layers is missing"),
    ({"solver": "lbfgs", "alpha": 1e-2, "layers": 10}, "not one of"),
    ({"solver": "adam", "alpha": 2.0, "layers": 10}, "outside"),
    ({"solver": "adam", "alpha": 1e-2, "layers": 10.5}, "not an integer"),
    ({"solver": "adam", "alpha": 1e-2, "layers": 10, "momentum": 0.9}, "inactive"),
    ({"solver": "sgd", "alpha": 1e-2, "layers": 10}, "momentum is missing"),
    ({"solver": "adam", "alpha": 1e-2, "layers": 10, "other": 1}, "unknown parameter"),
])
def test_violations_name_the_broken_rule(mlp_space, config, rule):
    with pytest.raises(OutsideSpace, match=rule):
        mlp_space.validate(config)


def test_forbidden_combinations_are_never_sampled_and_are_rejected():
    space = Space(
        [Categorical("penalty", ("l1", "l2")), Categorical("solver", ("lbfgs", "saga"))],
        forbidden=[Forbidden({"penalty": "l1", "solver": "lbfgs"})],
    )
    rng = np.random.default_rng(1)
    seen = {tuple(space.sample(rng).values()) for _ in range(200)}
    assert seen == {("l1", "saga"), ("l2", "lbfgs"), ("l2", "saga")}
    with pytest.raises(OutsideSpace, match="forbidden combination"):
        space.validate({"penalty": "l1", "solver": "lbfgs"})
    assert len(list(space.grid({}))) == 3


def test_conditional_grid_enumerates_distinct_configurations(mlp_space):
    configs = list(mlp_space.grid({"alpha": 2, "layers": 1, "momentum": 3}))
    # adam: 2 alphas; sgd: 2 alphas x 3 momenta
    assert len(configs) == 2 + 6
    assert len({json.dumps(c, sort_keys=True) for c in configs}) == len(configs)


def test_finest_grid_shares_levels_evenly_and_fits_the_budget():
    space = Space([Real("a", 0, 1), Real("b", 1e-3, 1e3, log=True), Categorical("c", ("x", "y"))])
    levels, grid = space.finest_grid(50)
    assert len(grid) <= 50
    assert levels == {"a": 5, "b": 5, "c": 2}  # 5 x 5 x 2 = 50
    b_values = sorted({c["b"] for c in grid})
    # centres of five equal cells of [-3, 3] on the log scale: never the bounds
    assert np.allclose(np.log10(b_values), [-2.4, -1.2, 0, 1.2, 2.4])
    assert np.allclose(sorted({c["a"] for c in grid}), [0.1, 0.3, 0.5, 0.7, 0.9])
    # one more level anywhere would overflow
    assert space.grid_size({"a": 6, "b": 5}) > 50


def test_finest_grid_caps_integer_levels_at_their_cardinality():
    space = Space([Integer("k", 1, 3), Real("x", 0, 1)])
    levels, grid = space.finest_grid(30)
    assert levels["k"] == 3 and levels["x"] == 10
    assert len(grid) == 30


def test_integer_levels_are_cell_centres_and_every_value_at_full_cardinality():
    k = Integer("k", 1, 9)
    assert k.levels(3) == [2, 5, 8]  # cells [0.5, 3.5], [3.5, 6.5], [6.5, 9.5]
    assert k.levels(9) == list(range(1, 10)) and k.levels(20) == list(range(1, 10))


def test_a_short_budget_keeps_every_choice_of_a_categorical_and_spreads_it():
    space = Space([Categorical("c", ("a", "b", "d", "e"), default="d"), Real("x", 0, 1),
                   Real("y", 1e-3, 1e3, log=True)])
    # crossing c (4) with two levels on x and y would take 16 > 10: c is not crossed but takes
    # its choices in turn along the 3 x 3 numeric grid, every one of them (protocol v3)
    levels, grid = space.finest_grid(10)
    assert len(grid) == 9 and levels == {"c": 4, "x": 3, "y": 3}
    counts = [[c["c"] for c in grid].count(v) for v in ("a", "b", "d", "e")]
    assert min(counts) >= 2 and max(counts) - min(counts) <= 1
    # the budget allows: every choice crossed, and the numeric dimensions share the rest
    levels, grid = space.finest_grid(16)
    assert levels == {"c": 4, "x": 2, "y": 2} and len(grid) == 16


def _levels_of(space, grid):
    return {d.name: sorted({repr(c[d.name]) for c in grid if d.name in c}) for d in space}


def _check_practitioners_grid(space, budget):
    made = space.practitioners_grid(budget)
    assert made.fits, made.reason
    levels, grid = space.finest_grid(budget)
    assert 0 < len(grid) <= budget
    assert len({json.dumps(c, sort_keys=True) for c in grid}) == len(grid)
    for config in grid:
        space.validate(config)  # every condition holds: children only under activating values
    for branch in made.branches:
        rows = [c for c in grid if all(c[k] == v for k, v in branch.assignment.items())]
        counts = {}
        for d in space:
            values = {c[d.name] for c in rows if d.name in c}
            if not values or isinstance(d, Categorical):
                continue
            # a searched numeric dimension: interior levels only (an integer with cells narrower
            # than two values cannot avoid its bounds: 3 of degree's 4 values include one)
            if len(values) > 1 and (isinstance(d, Real) or 2 * len(values) <= d.cardinality):
                assert all(d.low < v < d.high for v in values), (d.name, values)
            if not (isinstance(d, Integer) and len(values) == d.cardinality):
                counts[d.name] = len(values)
        # balanced within a branch: level counts of its numeric dimensions differ by at most one
        assert not counts or max(counts.values()) - min(counts.values()) <= 1, counts
    return levels, grid, _levels_of(space, grid)


def test_svc_wine_grid_is_interior_balanced_and_conditional(catalogue_problems):
    space = catalogue_problems["svc-wine"].space
    levels, grid, seen = _check_practitioners_grid(space, 20)
    rbf = [c for c in grid if c["kernel"] == "rbf"]
    assert len({c["C"] for c in rbf}) == 2 and len({c["gamma"] for c in rbf}) == 2
    assert len(seen["kernel"]) == 4  # every kernel, even at 20 (v3)
    assert all("gamma" not in c for c in grid if c["kernel"] == "linear")
    levels, grid, seen = _check_practitioners_grid(space, 50)
    assert len(seen["kernel"]) == 4
    for config in grid:  # degree only under poly, coef0 under poly and sigmoid
        assert ("degree" in config) == (config["kernel"] == "poly")
        assert ("coef0" in config) == (config["kernel"] in ("poly", "sigmoid"))


def test_mlp_iris_grid_searches_the_dimensions_that_matter(catalogue_problems):
    space = catalogue_problems["mlp-iris"].space
    levels, grid, seen = _check_practitioners_grid(space, 50)
    adam = [c for c in grid if c["solver"] == "adam"]
    for name in ("learning_rate_init", "alpha", "width", "batch_size"):
        assert len({c[name] for c in adam}) == 2, name  # the old grid left these at their centre
    assert seen["solver"] == ["'adam'", "'sgd'"]  # both solvers, each with its own sub-grid
    assert len(seen["learning_rate"]) == 3 and len(seen["nesterovs_momentum"]) == 2
    # a dimension the grid does not search stays at its default, not at its range's centre
    assert seen["beta_1"] == ["0.9"] and seen["beta_2"] == ["0.999"]
    assert all("momentum" not in c for c in adam)  # sgd-only dimensions only under sgd


def test_project_drops_inactive_dimensions(mlp_space):
    flat = {"solver": "adam", "alpha": 0.01, "layers": 100, "momentum": 0.9}
    assert mlp_space.project(flat) == {"solver": "adam", "alpha": 0.01, "layers": 100}


def test_bad_definitions_are_refused():
    with pytest.raises(ValueError, match="log scale"):
        Real("x", 0, 1, log=True)
    with pytest.raises(ValueError, match="earlier categorical"):
        Space([Real("x", 0, 1, condition=when("solver", "sgd")), Categorical("solver", ("sgd",))])
    with pytest.raises(ValueError, match="twice"):
        Space([Real("x", 0, 1), Real("x", 0, 2)])
    with pytest.raises(ValueError, match="JSON scalar"):
        Categorical("layers", ((50,), (100,)))


def test_choices_survive_json_round_trip():
    space = Space([Categorical("flag", (True, False, None, 3, "auto"))])
    for value in space["flag"].choices:
        config = json.loads(json.dumps({"flag": value}))
        space.validate(config)


def test_bool_is_not_accepted_for_an_integer_choice():
    space = Space([Categorical("k", (1, 2))])
    with pytest.raises(OutsideSpace):
        space.validate({"k": True})
