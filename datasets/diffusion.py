"""Denoising-diffusion problems: small DDPMs in PyTorch, scored on their samples.

A denoising diffusion probabilistic model (Ho et al. 2020) with ``noise_steps`` (T) steps: a
multilayer perceptron predicts the noise added to a training point at a random step t, from the
noisy point and a sinusoidal embedding of t, with the simple squared-error loss; samples come
from T steps of ancestral sampling from pure noise, with the weights' exponential moving average
(rate ``ema_rate``; 0 samples with the last weights). The noise schedule is ``linear`` (Ho et
al.'s 1e-4..0.02 over 1,000 steps, rescaled by 1000 / T as in Nichol & Dhariwal 2021, so that
any T ends near pure noise) or ``cosine`` (Nichol & Dhariwal 2021); betas are capped at 0.999.
T is searched on a log scale up to 200, so that sampling stays within the cost limit. The data
enter centred and divided by one overall standard deviation (of the training split); samples are
mapped back, and digits clipped to [0, 1].

Problems (fidelity: gradient steps; a diverged model, a non-finite training loss, is a failed
trial). A full evaluation is 500 steps on the ring, 400 on the spiral and the digits: with the
sampling (T network passes over 2,000 points, 1,000 digits), a mean under 0.47 CPU seconds and a
90th percentile under 0.62 s over random configurations on one thread (measured with
``python -m bench.datasets.eval_costs --problems diffusion-ring8 --configs 20``):

``diffusion-ring8``
    The ring of eight Gaussians, scored as ``gan-ring8``: :func:`datasets.modes.mode_score` of
    1,000 samples for validation and of 1,000 other samples (fresh noise) for the test score.
``diffusion-spiral``
    The two-armed spiral, scored by k-NN precision and recall (:mod:`datasets.sample_metrics`):
    their harmonic mean of 1,000 samples against the validation split, and of 1,000 others
    against the test split; ``precision`` and ``recall`` recorded beside it.
``diffusion-digits``
    The 8x8 digits, scored as ``gan-digits``: the negated FID of 1,000 samples in the fixed digit
    classifier's features against the validation (score) and the test digits; ``fid`` and
    ``classes_covered`` recorded beside it.

Each records ``memorization`` (:func:`datasets.sample_metrics.memorization` of the validation
samples against the training and validation splits; in the classifier's features for digits).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from bench.space import Categorical, Integer, Real, Space

from . import modes, sample_metrics
from .deep import (DIGITS_UNIT, N_GENERATED, DeepProblem, DigitGANProblem, _batches, _mlp,
                   _optimizer, _optimizer_dims, _problem, _setup_torch, classifier_features,
                   frechet_distance)
from .toy2d import RING8, RING_MEANS, RING_STD, SPIRAL

#: Samples per split scored on the 2-D sets (validation and test each).
N_SAMPLES_2D = 1000
#: The sinusoidal time embedding's size.
TIME_EMBEDDING = 16
MAX_BETA = 0.999

DIFFUSION_SPACE = Space([
    Real("learning_rate", 1e-4, 3e-2, log=True, default=3e-3),
    Integer("n_layers", 1, 3, default=2),
    Integer("width", 16, 256, log=True, default=128),
    Integer("batch_size", 16, 256, log=True, default=128),
    Integer("noise_steps", 10, 200, log=True, default=50),
    Categorical("schedule", ("linear", "cosine"), default="cosine"),
    Real("ema_rate", 0.0, 0.999, default=0.9),
    *_optimizer_dims(),
])


def betas(schedule: str, T: int) -> np.ndarray:
    """The noise schedule's T betas (float64)."""
    if schedule == "linear":
        scale = 1000.0 / T
        b = np.linspace(1e-4 * scale, 0.02 * scale, T)
    else:
        s = 0.008
        t = np.arange(T + 1) / T
        alpha_bar = np.cos((t + s) / (1 + s) * math.pi / 2) ** 2
        b = 1 - alpha_bar[1:] / alpha_bar[:-1]
    return np.clip(b, 0.0, MAX_BETA)


@dataclass(frozen=True)
class DDPM:
    """A DDPM with an MLP noise predictor, trained for ``steps`` gradient steps."""

    clip: bool  # clip samples to [0, 1] (images)
    steps: int
    learning_rate: float
    n_layers: int
    width: int
    batch_size: int
    noise_steps: int
    schedule: str
    ema_rate: float
    optimizer: str
    weight_decay: float
    beta1: float = 0.9
    beta2: float = 0.999
    momentum: float = 0.0
    seed: int = 0

    def fit_sample(self, train: np.ndarray, n: int) -> np.ndarray:
        """Train on ``train``; ``n`` samples (fixed noise), with the EMA weights."""
        torch = _setup_torch()
        torch.manual_seed(self.seed)
        train = np.asarray(train, dtype=np.float64)
        mean, scale = train.mean(0), float(train.std()) or 1.0
        d, T = train.shape[1], self.noise_steps
        net = _mlp(torch, [d + TIME_EMBEDDING, *[self.width] * self.n_layers, d], "relu")
        ema = _mlp(torch, [d + TIME_EMBEDDING, *[self.width] * self.n_layers, d], "relu")
        ema.load_state_dict(net.state_dict())
        ema.requires_grad_(False)
        opt = _optimizer(torch, net.parameters(), vars(self), self.learning_rate)
        beta = betas(self.schedule, T)
        alpha_bar = np.cumprod(1 - beta)
        sqrt_ab = torch.as_tensor(np.sqrt(alpha_bar), dtype=torch.float32)
        sqrt_1mab = torch.as_tensor(np.sqrt(1 - alpha_bar), dtype=torch.float32)
        freqs = torch.exp(-math.log(1000.0) * torch.arange(TIME_EMBEDDING // 2) / (TIME_EMBEDDING // 2))

        def embed(t):  # t: integer steps 0..T-1, as a fraction of T
            angle = (t.float() / T * 1000.0)[:, None] * freqs[None]
            return torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)

        gen = torch.Generator().manual_seed(self.seed)
        x_train = torch.as_tensor(((train - mean) / scale).astype(np.float32))
        for _, idx in zip(range(self.steps), _batches(torch, len(train), self.batch_size, gen)):
            x0 = x_train[idx]
            t = torch.randint(0, T, (len(x0),), generator=gen)
            eps = torch.randn(x0.shape, generator=gen)
            xt = sqrt_ab[t, None] * x0 + sqrt_1mab[t, None] * eps
            loss = (net(torch.cat([xt, embed(t)], dim=1)) - eps).pow(2).mean()
            if not torch.isfinite(loss):
                raise FloatingPointError(f"the training loss diverged ({float(loss)})")
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                for e, p in zip(ema.parameters(), net.parameters()):
                    e.mul_(self.ema_rate).add_(p, alpha=1 - self.ema_rate)
        with torch.no_grad():
            sample_gen = torch.Generator().manual_seed(self.seed + 1)
            x = torch.randn((n, d), generator=sample_gen)
            for step in reversed(range(T)):
                t = torch.full((n,), step, dtype=torch.long)
                eps = ema(torch.cat([x, embed(t)], dim=1))
                x = (x - beta[step] / sqrt_1mab[step] * eps) / math.sqrt(1 - beta[step])
                if step > 0:
                    x = x + math.sqrt(beta[step]) * torch.randn((n, d), generator=sample_gen)
            out = x.double().numpy() * scale + mean
        return np.clip(out, 0.0, 1.0) if self.clip else out


def _ddpm(clip: bool):
    return functools.partial(DDPM, clip)


@dataclass(frozen=True)
class RingDiffusionProblem(DeepProblem):
    def _score(self, model):
        train, valid, _ = self.splits3
        samples = model.fit_sample(train, 2 * N_SAMPLES_2D)
        shown, held = samples[:N_SAMPLES_2D], samples[N_SAMPLES_2D:]
        scored = modes.mode_score(shown, RING_MEANS, RING_STD)
        test = modes.mode_score(held, RING_MEANS, RING_STD)
        return scored.score, test.score, {
            "modes_covered": scored.modes_covered,
            "high_quality_fraction": scored.high_quality_fraction,
            "memorization": sample_metrics.memorization(shown, train, valid),
        }


@dataclass(frozen=True)
class SpiralDiffusionProblem(DeepProblem):
    def _score(self, model):
        train, valid, test = self.splits3
        samples = model.fit_sample(train, 2 * N_SAMPLES_2D)
        shown, held = samples[:N_SAMPLES_2D], samples[N_SAMPLES_2D:]
        scored = sample_metrics.precision_recall(shown, valid)
        tested = sample_metrics.precision_recall(held, test)
        return scored.score, tested.score, {
            "precision": scored.precision, "recall": scored.recall,
            "memorization": sample_metrics.memorization(shown, train, valid),
        }


@dataclass(frozen=True)
class DigitDiffusionProblem(DigitGANProblem):
    """Scored exactly as ``gan-digits`` (the same classifier and samples count), with the
    memorization of the samples measured in the classifier's features."""

    def _score(self, model):
        train, valid, test = self.splits3
        samples = model.fit_sample(train, N_GENERATED)
        clf = self._classifier()
        feats = classifier_features(clf, samples)
        valid_feats = classifier_features(clf, valid.astype(np.float64))
        fid_valid = frechet_distance(feats, valid_feats)
        fid_test = frechet_distance(feats, classifier_features(clf, test.astype(np.float64)))
        counts = np.bincount(clf.predict(samples), minlength=10)
        return -fid_valid, -fid_test, {
            "fid": fid_valid,
            "classes_covered": int((counts >= 0.02 * len(samples)).sum()),
            "memorization": sample_metrics.memorization(
                feats, classifier_features(clf, train.astype(np.float64)), valid_feats),
        }


PROBLEMS = [
    _problem(RingDiffusionProblem, "diffusion", RING8, _ddpm(False), DIFFUSION_SPACE, 500,
             "modes covered x share of samples within 3 std of a mode",
             ("modes_covered", "high_quality_fraction", "memorization")),
    _problem(SpiralDiffusionProblem, "diffusion", SPIRAL, _ddpm(False), DIFFUSION_SPACE, 400,
             "harmonic mean of k-NN precision and recall of samples against held-out points",
             ("precision", "recall", "memorization")),
    _problem(DigitDiffusionProblem, "diffusion", DIGITS_UNIT, _ddpm(True), DIFFUSION_SPACE, 400,
             "negated FID in a fixed digit classifier's features",
             ("fid", "classes_covered", "memorization")),
]
