"""k-NN precision and recall, and the memorization side value, on the spiral: fresh samples of
the data score above a collapsed generator and a blur, and copies of the training points show."""

import numpy as np
import pytest

from datasets.sample_metrics import memorization, precision_recall
from datasets.toy2d import SPIRAL, _spiral


@pytest.fixture(scope="module")
def halves():
    X, _ = SPIRAL.arrays()
    return X[:1000].astype(np.float64), X[1000:2000].astype(np.float64)


def test_fresh_samples_beat_collapse_and_blur(halves):
    real, fresh = halves
    good = precision_recall(fresh, real)
    collapsed = precision_recall(np.repeat(fresh[:5], 200, axis=0)
                                 + 1e-3 * np.random.default_rng(1).standard_normal((1000, 2)), real)
    blur = precision_recall(np.random.default_rng(2).multivariate_normal(
        real.mean(0), np.cov(real.T), 1000), real)
    assert good.precision > 0.9 and good.recall > 0.9
    assert collapsed.precision > 0.9 and collapsed.recall < 0.1  # realistic, but no variety
    assert blur.recall > 0.5 and blur.precision < 0.6  # variety, but unrealistic
    assert good.score > 0.9 > max(collapsed.score, blur.score) + 0.2


def test_a_diverged_generator_scores_zero_and_bad_shapes_are_refused(halves):
    real, fresh = halves
    broken = fresh.copy()
    broken[3] = np.nan
    assert precision_recall(broken, real).score == 0.0
    with pytest.raises(ValueError, match="d=2"):
        precision_recall(np.zeros((10, 3)), real)


def test_copies_of_the_training_points_show_as_memorization(halves):
    train, held = halves
    X, _ = _spiral()
    fresh = X[2000:2500].astype(np.float64)
    copies = train[:500] + 1e-4
    assert 0.8 < memorization(fresh, train, held) < 1.25
    assert memorization(copies, train, held) < 0.1
