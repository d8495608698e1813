"""The adapters' translation helpers: index-coded values, the unit box, redrawing."""

import numpy as np
import pytest

from bench.codec import UnitBox, decode, encode, redraw
from bench.space import Categorical, Forbidden, Integer, Real, Space, when

SPACE = Space([
    Categorical("kind", ("a", "b", None)),
    Real("lr", 1e-4, 1.0, log=True),
    Integer("depth", 1, 12),
    Real("momentum", 0.0, 0.9, condition=when("kind", "b")),
], forbidden=[Forbidden({"kind": "a", "depth": 12})])


def test_decode_maps_indices_clips_rounds_and_projects():
    config = decode(SPACE, [2, 5.0, 12.6, 0.3])
    assert config == {"kind": None, "lr": 1.0, "depth": 12}  # clipped, rounded, momentum dropped
    assert type(config["depth"]) is int and type(config["lr"]) is float
    assert decode(SPACE, {"kind": "1", "lr": 1e-5, "depth": 0.2, "momentum": 0.95}) == \
        {"kind": "b", "lr": 1e-4, "depth": 1, "momentum": 0.9}
    # a mapping may leave out inactive dimensions (libraries that know conditions)
    assert decode(SPACE, {"kind": 0, "lr": 0.01, "depth": 3}) == \
        {"kind": "a", "lr": 0.01, "depth": 3}


def test_encode_is_the_inverse_of_decode():
    config = {"kind": "b", "lr": 0.01, "depth": 4, "momentum": 0.5}
    assert encode(SPACE, config) == {"kind": 1, "lr": 0.01, "depth": 4, "momentum": 0.5}
    assert decode(SPACE, encode(SPACE, config)) == config


def test_unit_box_one_hot_categoricals_and_round_trip():
    box = UnitBox(SPACE)
    assert box.dim == 3 + 1 + 1 + 1
    rng = np.random.default_rng(0)
    for _ in range(200):
        config = box.decode(rng.random(box.dim))
        assert SPACE.violation(config) in (None, "forbidden combination: kind='a' and depth=12")
        again = box.decode(box.encode(config))
        assert again["kind"] == config["kind"] and again["depth"] == config["depth"]
        assert np.isclose(again["lr"], config["lr"])
    assert box.decode([0, 0, 1, 0, 0, 0])["kind"] is None  # the largest coordinate wins
    assert box.decode([2, -1, 0, 1.5, -3, 0.5]) == {"kind": "a", "lr": 1.0, "depth": 1}


def test_redraw_refuses_forbidden_draws_and_gives_up_saying_why():
    draws = iter([("x1", {"kind": "a", "lr": 0.1, "depth": 12}),
                  ("x2", {"kind": "a", "lr": 0.1, "depth": 11})])
    refused = []
    assert redraw(lambda: next(draws), SPACE, refused.append) == \
        ("x2", {"kind": "a", "lr": 0.1, "depth": 11})
    assert refused == ["x1"]
    with pytest.raises(RuntimeError, match="5 candidates in a row fell on forbidden"):
        redraw(lambda: ("x", {"kind": "a", "lr": 0.1, "depth": 12}), SPACE, tries=5,
               what="candidates")
