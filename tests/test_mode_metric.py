"""The mode metric of 2-D mixtures (datasets/modes.py): it ranks covering the modes with sharp
samples above partial coverage, and that above collapse and blur, where a kernel distance
ranked a blur near the top; gan-ring8 is scored by it."""

import math

import numpy as np
import pytest

from bench.datasets import modes

MEANS = modes.ring_means(8, 2.0)
STD = 0.1
N = 1000


def mixture(rng, means, n=N, std=STD):
    return means[rng.integers(0, len(means), size=n)] + std * rng.standard_normal((n, 2))


def samplers(rng):
    true = mixture(rng, MEANS)
    half = mixture(rng, MEANS[::2])  # 4 of the 8 modes, as sharp as the truth
    collapse = mixture(rng, MEANS[:1])
    # a Gaussian with the ring's overall mean and covariance: the blur a wide kernel rewards
    blur = rng.multivariate_normal(true.mean(axis=0), np.cov(true, rowvar=False), size=N)
    return {"true": true, "4 of 8": half, "collapse": collapse, "blur": blur}


@pytest.mark.parametrize("seed", range(5))
def test_the_metric_orders_truth_above_half_the_modes_above_collapse_and_blur(seed):
    scores = {name: modes.mode_score(x, MEANS, STD) for name, x in
              samplers(np.random.default_rng(seed)).items()}
    value = {name: s.score for name, s in scores.items()}
    assert value["true"] > value["4 of 8"] > max(value["collapse"], value["blur"]), value
    assert scores["true"].modes_covered == 8 and scores["4 of 8"].modes_covered == 4
    assert scores["collapse"].modes_covered == 1 and scores["blur"].modes_covered == 0
    # the parts: sharp samples only near the modes; the truth's share is P(chi2_2 <= 9)
    assert scores["true"].high_quality_fraction == pytest.approx(1 - math.exp(-4.5), abs=0.01)
    assert scores["collapse"].high_quality_fraction > 0.97
    assert scores["blur"].high_quality_fraction < 0.15


def test_the_two_parts_combine_as_a_product():
    rng = np.random.default_rng(0)
    sharp = mixture(rng, MEANS[:2], n=600)
    noise = rng.uniform(-10, 10, size=(400, 2))  # far from every mode, almost surely
    noise = noise[np.linalg.norm(noise, axis=1) > 4][:200]
    mixed = np.vstack([sharp[:400], noise])
    scored = modes.mode_score(mixed, MEANS, STD)
    assert scored.modes_covered == 2
    assert scored.score == pytest.approx(2 / 8 * scored.high_quality_fraction)
    assert scored.high_quality_fraction == pytest.approx(400 / 600 * (1 - math.exp(-4.5)),
                                                         abs=0.02)


def test_it_takes_any_mixture_a_25_gaussian_grid_and_unequal_weights():
    grid = np.array([(x, y) for x in range(-4, 5, 2) for y in range(-4, 5, 2)], float)
    rng = np.random.default_rng(2)
    assert modes.mode_score(mixture(rng, grid, n=2500, std=0.05), grid, 0.05).modes_covered == 25
    nine = modes.mode_score(mixture(rng, grid[:9], n=2500, std=0.05), grid, 0.05)
    assert nine.modes_covered == 9 and nine.score == pytest.approx(9 / 25 * nine.high_quality_fraction)
    # a mode with a tenth of the weight is covered by a tenth as many samples
    weights = [1.0] * 7 + [0.1]
    x = np.vstack([mixture(rng, MEANS[:7], n=700), mixture(rng, MEANS[7:], n=10)])
    assert modes.mode_score(x, MEANS, STD, weights).modes_covered == 8
    assert modes.mode_score(x, MEANS, STD).modes_covered == 7


def test_degenerate_samples_score_zero_and_bad_shapes_are_refused():
    assert modes.mode_score(np.full((10, 2), np.nan), MEANS, STD).score == 0.0
    assert modes.mode_score(np.empty((0, 2)), MEANS, STD).score == 0.0
    with pytest.raises(ValueError, match="same d"):
        modes.mode_score(np.zeros((5, 3)), MEANS, STD)
    with pytest.raises(ValueError, match="std must be positive"):
        modes.mode_score(np.zeros((5, 2)), MEANS, 0.0)


def test_gan_ring8_is_scored_by_it_with_the_mmd_recorded_beside():
    from bench.catalogue import load_catalogue
    from bench.datasets import deep

    ring = load_catalogue("bench.datasets").problems["gan-ring8"]
    assert "modes covered" in ring.to_dict()["metric"]
    assert "mmd2" in ring.to_dict()["extras"]
    train, _, _ = ring.splits3
    data = train[:N].astype(float)
    assert deep.ring_modes(data)["mode_score"] == modes.mode_score(data, MEANS, STD).score
    assert np.allclose(deep.RING_MEANS, MEANS)


def test_a_trained_ring_gan_reports_score_and_parts_consistently():
    pytest.importorskip("torch")
    from bench.catalogue import load_catalogue

    ring = load_catalogue("bench.datasets").problems["gan-ring8"]
    ev = ring.evaluate(ring.space.default(), ring.fidelity.min_fraction)
    assert set(ev.extras) == {"modes_covered", "high_quality_fraction", "mmd2"}
    assert ev.score == pytest.approx(ev.extras["modes_covered"] / 8
                                     * ev.extras["high_quality_fraction"])
    assert 0.0 <= ev.test_score <= 1.0 and ev.extras["mmd2"] > -0.1
