import math

import pytest

from bench.costcurve import charge, make_curve, measure_curve, rungs


def test_rungs_go_from_the_minimum_fidelity_to_one_by_thirds():
    assert rungs(0.1) == pytest.approx([0.1, 1 / 9, 1 / 3, 1.0])
    assert rungs(1 / 9) == pytest.approx([1 / 9, 1 / 3, 1.0])
    assert rungs(1.0) == [1.0]


def test_the_curve_is_the_measured_ratio_neither_clipped_nor_made_monotone():
    # what saves nothing is charged as saving nothing; what costs more (overhead) costs more
    curve = make_curve({1 / 9: 0.6, 1 / 3: 0.4, 1.0: 1.0})
    assert [c for _, c in curve] == pytest.approx([0.6, 0.4, 1.0])
    curve = make_curve({1 / 9: 0.3, 1 / 3: 1.3, 1.0: 1.0})
    assert [c for _, c in curve] == pytest.approx([0.3, 1.3, 1.0])
    assert charge(1 / 3, curve) == pytest.approx(1.3)
    with pytest.raises(ValueError, match="fidelity 1"):
        make_curve({1 / 9: 0.3})


def test_charge_interpolates_in_log_fidelity_between_rungs():
    curve = ((1 / 9, 0.4), (1 / 3, 0.6), (1.0, 1.0))
    assert charge(1 / 9, curve) == pytest.approx(0.4)
    assert charge(1 / math.sqrt(27), curve) == pytest.approx(0.5)  # halfway on the log scale
    assert charge(0.05, curve) == pytest.approx(0.4)  # never below the lowest rung's cost
    assert charge(1.0, curve) == 1.0
    assert charge(0.3, None) == 0.3  # no curve: the nominal rule


def test_a_measured_curve_covers_the_problems_fidelities(tiny):
    from bench.evaluator import ChildEvaluator

    child = ChildEvaluator()  # as the references and eval_costs measure: on the trials' path
    try:
        measured = measure_curve(tiny.problems["tree-blobs"], child, configs=2)
    finally:
        child.close()
    fids = [f for f, _ in measured["curve"]]
    assert fids == pytest.approx(rungs(tiny.problems["tree-blobs"].fidelity.min_fraction)) and measured["curve"][-1] == [1.0, 1.0]
    assert all(c > 0 for _, c in measured["curve"])
    assert set(measured["seconds"]) == {f"{f:.6g}" for f in fids} and measured["configs"] == 3
