import json

import numpy as np
import pytest

from bench.space import Categorical, Forbidden, Integer, OutsideSpace, Real, Space, when


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
    assert levels == {"a": 5, "b": 5}  # 5 x 5 x 2 = 50
    b_values = sorted({c["b"] for c in grid})
    assert np.allclose(np.log10(b_values), [-3, -1.5, 0, 1.5, 3])  # even on the log scale
    # one more level anywhere would overflow
    assert space.grid_size({"a": 6, "b": 5}) > 50


def test_finest_grid_caps_integer_levels_at_their_cardinality():
    space = Space([Integer("k", 1, 3), Real("x", 0, 1)])
    levels, grid = space.finest_grid(30)
    assert levels["k"] == 3 and levels["x"] == 10
    assert len(grid) == 30


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
