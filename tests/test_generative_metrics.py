"""The newer deep problems' metrics rank a good model above degenerate ones: a Gaussian-decoder
VAE's held-out ELBO beats every model that ignores its latent code (posterior collapse); the
grid's mode metric and the spiral's precision and recall put held-out data above a sampler
collapsed onto a few points and above a blur; the memorization side value tells copies of the
training points from fresh draws."""

import numpy as np
import pytest

from bench.catalogue import load_catalogue
from bench.datasets import modes, sample_metrics, toy2d
from bench.datasets.toy2d import GRID_MEANS, GRID_STD

PROBLEMS = load_catalogue("bench.datasets").problems


def _collapsed_bound(X: np.ndarray) -> float:
    """The mean log-density of ``X`` under the diagonal Gaussian fitted to ``X`` itself.

    A VAE whose decoder ignores its code has a decoder output that is one constant, so its
    model of the data is a Gaussian with one mean and variance per feature; its ELBO is at most
    its log-likelihood, which on ``X`` is at most that of the maximum-likelihood diagonal
    Gaussian of ``X``. No collapsed model can score above this on ``X``."""
    mean, var = X.mean(0), X.var(0)
    return float((-0.5 * (np.log(2 * np.pi * var) + (X - mean) ** 2 / var)).sum(1).mean())


@pytest.mark.torch  # it trains a model (the other tests need only numpy)
@pytest.mark.parametrize("pid", ["vae-china_patches", "vae-wine"])
def test_a_trained_gaussian_vae_beats_any_model_that_ignores_its_code(pid):
    pytest.importorskip("torch")
    problem = PROBLEMS[pid]
    config = problem.space.default()
    config.update(learning_rate=3e-3, width=128, n_layers=2, batch_size=64, latent_dim=8)
    result = problem.evaluate(config)  # full training: 300 Adam steps
    _, valid, test = problem.splits3
    assert result.score > _collapsed_bound(valid) + 1.0  # at least one nat per example better
    assert result.test_score > _collapsed_bound(test) + 1.0
    assert result.extras["kl"] > 0.5  # the code carries information: no posterior collapse


def _blur(real: np.ndarray, n: int, rng) -> np.ndarray:
    """A Gaussian with the data's own mean and covariance."""
    return rng.multivariate_normal(real.mean(0), np.cov(real, rowvar=False), size=n)


def _collapsed(real: np.ndarray, n: int, rng, points: int = 3) -> np.ndarray:
    """A sampler collapsed onto ``points`` of the data, with a little noise."""
    return real[:points][rng.integers(0, points, n)] + 0.01 * rng.standard_normal((n, 2))


def test_the_grid_mode_metric_ranks_held_out_data_above_collapse_and_blur():
    rng = np.random.default_rng(0)
    _, valid, test = PROBLEMS["gan-grid25"].splits3
    held = modes.mode_score(test, GRID_MEANS, GRID_STD)
    collapsed = modes.mode_score(_collapsed(valid, len(test), rng), GRID_MEANS, GRID_STD)
    blur = modes.mode_score(_blur(valid, len(test), rng), GRID_MEANS, GRID_STD)
    assert held.modes_covered == 25 and held.score > 0.9
    assert collapsed.modes_covered <= 3 and collapsed.score < 0.15
    assert blur.score < 0.1
    assert held.score > collapsed.score and held.score > blur.score


def test_the_spiral_precision_and_recall_rank_held_out_data_above_collapse_and_blur():
    rng = np.random.default_rng(0)
    _, valid, test = PROBLEMS["gan-spiral"].splits3
    held = sample_metrics.precision_recall(test, valid)
    collapsed = sample_metrics.precision_recall(_collapsed(valid, len(test), rng), valid)
    blur = sample_metrics.precision_recall(_blur(valid, len(test), rng), valid)
    assert held.score > 0.8
    assert collapsed.precision > 0.9 and collapsed.recall < 0.1  # realistic but not varied
    assert blur.recall > blur.precision  # varied but not realistic
    # the spiral fills much of its disk, so a blur is 0.4 realistic: still well below the data
    assert held.score > max(collapsed.score, blur.score) + 0.3


class _Sampler:
    """A stand-in generator that returns fixed points (no training)."""

    def __init__(self, points):
        self.points = points

    def fit_sample(self, train, n):
        assert len(self.points) >= n
        return self.points[:n].astype(np.float64)


def _fresh(pid: str, n: int) -> np.ndarray:
    """``n`` new draws of the data's own process (seed 1; the data set is seed 0's): a perfect
    generator's samples."""
    rng = np.random.default_rng(1)
    if pid == "gan-grid25":
        return GRID_MEANS[rng.integers(0, len(GRID_MEANS), n)] + GRID_STD * rng.standard_normal((n, 2))
    t = np.sqrt(rng.uniform(0.0, 1.0, n)) * toy2d.SPIRAL_TURNS * 2 * np.pi  # as toy2d._spiral
    arm = rng.integers(0, 2, n) * np.pi
    X = np.stack([t / np.pi * np.cos(t + arm), t / np.pi * np.sin(t + arm)], axis=1)
    return X + toy2d.SPIRAL_NOISE * rng.standard_normal((n, 2))


@pytest.mark.parametrize("pid", ["gan-grid25", "gan-spiral"])
def test_the_problems_score_fresh_draws_high_and_copies_of_training_points_as_memorized(pid):
    problem = PROBLEMS[pid]
    train = problem.splits3[0]
    fresh = problem._score(_Sampler(_fresh(pid, 2000)))
    copied = problem._score(_Sampler(np.concatenate([train, train[:400]])))
    assert fresh[0] > 0.9 and fresh[1] > 0.9
    assert set(fresh[2]) == set(problem.extras_doc)
    assert 0.9 < fresh[2]["memorization"] < 1.1
    # the metric compares with as many training points as held-out ones (a quarter of the
    # training set here), so only a quarter of the copies sit at distance 0: still clearly lower
    assert copied[2]["memorization"] < fresh[2]["memorization"] - 0.1
