"""The normalizing-flow and diffusion problems: each trains at its minimum fidelity to a finite
score that is the same when evaluated again, a trained flow's held-out likelihood beats constant
and Gaussian densities, and each diffusion problem's own scoring ranks held-out data above a
collapsed sampler and a blur."""

import math

import numpy as np
import pytest

from bench.catalogue import load_catalogue

# every test here evaluates a deep problem or its scoring: run in the torch phase of `make test`
pytestmark = pytest.mark.torch

BUILT_IN = load_catalogue("bench.datasets")
FLOWS = ["flow-ring8", "flow-china_patches", "flow-wine"]
DIFFUSION = ["diffusion-ring8", "diffusion-spiral", "diffusion-digits"]
EXTRAS = {
    "flow-ring8": {"train_log_likelihood"}, "flow-china_patches": {"train_log_likelihood"},
    "flow-wine": {"train_log_likelihood"},
    "diffusion-ring8": {"modes_covered", "high_quality_fraction", "memorization"},
    "diffusion-spiral": {"precision", "recall", "memorization"},
    "diffusion-digits": {"fid", "classes_covered", "memorization"},
}


def _config(pid):
    """A configuration away from the default, exercising the conditional dimensions."""
    config = BUILT_IN.problems[pid].space.default()
    config.update(optimizer="sgd", momentum=0.5, learning_rate=0.01)
    del config["beta1"], config["beta2"]
    if pid.startswith("diffusion"):
        config.update(schedule="linear", noise_steps=20, ema_rate=0.5)
    return config


@pytest.mark.parametrize("pid", FLOWS + DIFFUSION)
def test_each_problem_trains_at_its_minimum_fidelity_reproducibly(pid):
    pytest.importorskip("torch")
    problem = BUILT_IN.problems[pid]
    config = _config(pid)
    problem.space.validate(config)
    f = problem.fidelity.min_fraction
    first, second = problem.evaluate(config, f), problem.evaluate(config, f)
    assert math.isfinite(first.score) and math.isfinite(first.test_score)
    assert (first.score, first.test_score, first.extras) == (second.score, second.test_score,
                                                             second.extras)
    assert set(first.extras) == EXTRAS[pid]
    assert problem.to_dict()["extras"] == sorted(EXTRAS[pid], key=list(problem.extras_doc).index)


def test_the_searched_noise_steps_stay_at_most_200_and_the_schedules_end_near_noise():
    from bench.datasets import diffusion

    space = BUILT_IN.problems["diffusion-ring8"].space
    steps = next(d for d in space.dimensions if d.name == "noise_steps")
    assert steps.high <= 200
    for schedule in ("linear", "cosine"):
        for T in (steps.low, 50, steps.high):
            betas = diffusion.betas(schedule, T)
            assert betas.shape == (T,) and ((betas > 0) & (betas < 1)).all()
            assert np.prod(1 - betas) < 0.01  # x_T is (nearly) pure noise, whatever T


def _gaussian_log_likelihood(train, held):
    mean, cov = train.mean(0), np.cov(train, rowvar=False)
    diff = held - mean
    _, logdet = np.linalg.slogdet(cov)
    maha = np.einsum("ij,jk,ik->i", diff, np.linalg.inv(cov), diff)
    return float(np.mean(-0.5 * (maha + logdet + train.shape[1] * np.log(2 * np.pi))))


def test_a_trained_flow_beats_a_constant_and_a_gaussian_density_on_held_out_data():
    pytest.importorskip("torch")
    problem = BUILT_IN.problems["flow-ring8"]
    train, valid, _ = problem.splits3
    train, valid = train.astype(np.float64), valid.astype(np.float64)
    # the uniform density on the box of all the points, held-out ones included (its best case)
    both = np.vstack([train, valid])
    uniform = -float(np.log(np.prod(both.max(0) - both.min(0))))
    gaussian = _gaussian_log_likelihood(train, valid)
    trained = problem.evaluate(problem.space.default())
    untrained = problem.evaluate(problem.space.default(), problem.fidelity.min_fraction)
    assert trained.score > max(uniform, gaussian)
    assert trained.score > untrained.score  # the steps are a real fidelity


class _Samples:
    """A stand-in model whose 'samples' are given: the problem's own scoring judges them."""

    def __init__(self, draw):
        self.draw = draw

    def fit_sample(self, train, n):
        return self.draw(n)


def _scores(problem, draw):
    valid, test, extras = problem._score(_Samples(draw))
    return valid, extras


@pytest.mark.parametrize("pid", DIFFUSION)
def test_each_diffusion_metric_ranks_held_out_data_above_collapse_and_blur(pid):
    problem = BUILT_IN.problems[pid]
    problem.folds
    train, valid, test = (s.astype(np.float64) for s in problem.splits3)
    rng = np.random.default_rng(0)
    # real points the validation score has not seen: the training and test splits
    pool = np.vstack([train, test])

    def data(n):
        return pool[rng.permutation(len(pool))[:n]]

    def collapsed(n):  # every sample near one real point
        out = test[0] + 0.01 * rng.standard_normal((n, train.shape[1]))
        return np.clip(out, 0, 1) if pid == "diffusion-digits" else out

    def blur(n):  # a Gaussian with the data's mean and covariance
        out = rng.multivariate_normal(pool.mean(0), np.cov(pool, rowvar=False), n)
        return np.clip(out, 0, 1) if pid == "diffusion-digits" else out

    real, real_extras = _scores(problem, data)
    assert real > _scores(problem, collapsed)[0]
    assert real > _scores(problem, blur)[0]
    if pid == "diffusion-digits":  # and above real digits blurred as images
        from scipy import ndimage

        def blurred(n):
            images = data(n).reshape(-1, 8, 8)
            return ndimage.gaussian_filter(images, sigma=(0, 1, 1)).reshape(n, 64)

        assert real > _scores(problem, blurred)[0]
    assert set(real_extras) == EXTRAS[pid] and math.isfinite(real_extras["memorization"])
