"""Deep generative problems: small VAEs and GANs in PyTorch, trained on the CPU, offline.

Eight problems, each a multilayer perceptron trained for a fixed number of gradient steps (the
fidelity; a full evaluation is ``steps`` updates, so the batch size does not multiply the work).
The step counts (150 for ``vae-digits``, 200 for the first GANs and ``vae-digits_binary``, 300
for the Gaussian VAEs, 400 for ``gan-grid25`` and ``gan-spiral``) keep a full evaluation at a
mean under 0.5 CPU seconds and a 90th percentile under 1.5 s over random configurations on a
shared two-core machine (measured with ``python -m bench.datasets.eval_costs``):

``vae-digits``
    A VAE on scikit-learn's 8x8 digits. Each pixel takes one of 17 grey levels (0..16), and the
    decoder gives each pixel a logistic distribution discretized to those levels (Salimans et al.
    2017): a proper discrete likelihood, so the ELBO is a lower bound on log p(x) in nats
    (Kingma & Welling 2014).
``vae-digits_binary``
    A VAE on the same digits binarized at level 8, with a Bernoulli decoder.
``gan-digits``
    A GAN on the digits (grey levels scaled to [0, 1]). Scored by the negated Fréchet distance
    (FID, Heusel et al. 2017) between generated and held-out digits in the feature space of a
    fixed classifier that the project trains on the training digits (scikit-learn's
    ``MLPClassifier``, 32 tanh units, ``random_state=0``); the features are its hidden layer.
``gan-ring8``
    A GAN on the classic two-dimensional ring of eight Gaussians (radius 2, standard deviation
    0.1; Metz et al. 2017 use 0.02, which takes thousands of steps to fit). Scored by the mode
    metric of :mod:`datasets.modes` (VEEGAN, Srivastava et al. 2017): the fraction of the eight
    modes covered times the share of high-quality samples (within 3 standard deviations of a
    mode), on 1,000 generated points; the test score on 1,000 other points of the same generator
    (fresh latent draws), so that picking the best validation score does not pick its sampling
    luck too. The squared MMD to the validation points (Gretton et al. 2012; Gaussian kernels
    of bandwidths 0.1, 0.5 and 2), the score of earlier versions, is recorded beside it with the
    two parts: it ranked a blur covering no mode near the top.
``gan-grid25``
    The same GAN and metric on the 5 x 5 grid of Gaussians (std 0.05, :mod:`datasets.toy2d`),
    with the memorization side value below. Its modes are sharp: few configurations cover one
    within 400 steps, so most scores are 0 or near it.
``gan-spiral``
    The same GAN on a two-armed spiral, a curve and not a mixture: scored by the harmonic mean
    of k-nearest-neighbour precision and recall (Kynkäänniemi et al. 2019,
    :mod:`datasets.sample_metrics`) of 1,000 samples against the validation points, the test
    score of 1,000 other latent draws against the test points; precision and recall beside it.
    Both newer GANs record the memorization ratio (samples' median distance to the nearest
    training point over that to the nearest validation point; about 1 unless training points
    are copied).
``vae-china_patches``, ``vae-wine``
    VAEs with a Gaussian decoder (the mean from the code, one learned log-variance per
    feature, its standard deviation at least 0.01) on standardized continuous data: 4 x 4 grey
    patches of a photograph and the 13 wine features. The ELBO is then a bound on the
    log-density of the standardized features (nats per example, not comparable with the
    digits' discrete likelihoods).

Search spaces follow the literature: learning rates on a log scale (separate ones for the
generator and the discriminator of a GAN, the two time-scale update rule of Heusel et al. 2017),
depth, width, batch size, latent dimension, the optimizer with its conditional betas or momentum,
weight decay, and for the GANs the discriminator steps per generator step and the loss
(non-saturating, hinge, Wasserstein with gradient penalty and its weight), as compared by Lucic
et al. 2018. A GAN's ``steps`` count every update, discriminator and generator alike, so more
discriminator steps per generator step cost no extra compute and leave the generator fewer steps.

Protocol: an exception to the catalogue's 5-fold cross-validation. Each problem has one fixed
validation split (20% of the training part) that the strategy sees and a separate holdout test
split (20%) for the recorded test score: five fits would cost five times. Side metrics
(reconstruction and KL terms of the ELBO, modes or classes covered) go into the trial record as
named extras, not into the score.

Determinism: one torch thread, fixed seeds for the initial weights, the batches and the samples
that are scored, and ``torch.use_deterministic_algorithms``. The same configuration gives the
same score on the same machine and library build; float results may differ across processors.

PyTorch is the ``searchbench[torch]`` extra. It is imported only inside an evaluation, never when
the catalogue is imported (evaluation processes may be forked, and torch must not be loaded
before a fork). Without it the problems are listed as unavailable, with the reason.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from bench.problem import Dataset, Evaluation, Fidelity, Problem, TrialFailed
from bench.space import Categorical, Config, Integer, Real, Space, when

from . import modes, sample_metrics
from .toy2d import (GRID25, GRID_MEANS, GRID_STD, RING8, RING_MEANS,  # noqa: F401 (re-exported)
                    RING_MODES, RING_STD, SPIRAL)
from .data import DATASETS

#: The searchbench extra that provides what these problems need.
EXTRA = "torch"

#: Generated samples scored per evaluation (fixed, so that sample-based metrics compare): 1,000
#: digits for the FID, 1,000 points of the ring for its validation score and 1,000 others for its
#: test score.
N_GENERATED = 1000
RING_GENERATED = 1000

MMD_BANDWIDTHS = (0.1, 0.5, 2.0)


def torch_missing() -> str | None:
    """Why the deep problems cannot run here, or None."""
    if importlib.util.find_spec("torch") is None:
        return f"needs the {EXTRA} extra: pip install 'searchbench[{EXTRA}]' (torch is not installed)"
    return None


# -- data ------------------------------------------------------------------------------------
def _digit_levels():
    X, _ = load_digits(return_X_y=True)
    return X.astype(np.int64), None  # grey levels 0..16


def _digits_unit():
    X, _ = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), None


DIGITS_LEVELS = Dataset("digits", "density", _digit_levels,
                        "scikit-learn's 8x8 digits, 17 grey levels per pixel")
DIGITS_BINARY = DATASETS["density"]["digits_binary"]  # the RBM's: pixels above 7 set to 1
DIGITS_UNIT = Dataset("digits", "generative", _digits_unit,
                      "scikit-learn's 8x8 digits, grey levels scaled to [0, 1]")


# -- search spaces ---------------------------------------------------------------------------
def _optimizer_dims(prefix: str = "") -> list:
    return [
        Categorical("optimizer", ("adam", "sgd")),
        Real("beta1", 0.0, 0.95, default=0.9, condition=when("optimizer", "adam")),
        Real("beta2", 0.9, 0.9999, default=0.999, condition=when("optimizer", "adam")),
        Real("momentum", 0.0, 0.99, default=0.9, condition=when("optimizer", "sgd")),
        Real("weight_decay", 1e-7, 1e-2, log=True, default=1e-5),
    ]


VAE_SPACE = Space([
    Real("learning_rate", 1e-4, 3e-2, log=True, default=1e-3),
    Integer("n_layers", 1, 3, default=1),
    Integer("width", 16, 256, log=True, default=128),
    Integer("batch_size", 16, 128, log=True, default=64),
    Integer("latent_dim", 2, 32, log=True, default=8),
    *_optimizer_dims(),
])

GAN_SPACE = Space([
    Real("g_learning_rate", 1e-5, 1e-2, log=True, default=1e-4),
    Real("d_learning_rate", 1e-5, 1e-2, log=True, default=4e-4),
    Integer("n_layers", 1, 3, default=2),
    Integer("width", 16, 256, log=True, default=64),
    Integer("batch_size", 16, 128, log=True, default=64),
    Integer("latent_dim", 2, 64, log=True, default=16),
    *_optimizer_dims(),
    Integer("d_steps", 1, 5, default=1),
    Categorical("loss", ("non_saturating", "hinge", "wgan_gp")),
    Real("gp_weight", 0.1, 100.0, log=True, default=10.0, condition=when("loss", "wgan_gp")),
])


# -- the models (torch imported inside) ------------------------------------------------------
def _setup_torch():
    """Import torch with one thread and deterministic algorithms."""
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    return torch


def _mlp(torch, sizes: list[int], activation: str):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.LeakyReLU(0.2) if activation == "leaky" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def _optimizer(torch, params, config: Config, lr: float):
    if config["optimizer"] == "adam":
        return torch.optim.AdamW(params, lr=lr, betas=(config["beta1"], config["beta2"]),
                                 weight_decay=config["weight_decay"])
    return torch.optim.SGD(params, lr=lr, momentum=config["momentum"],
                           weight_decay=config["weight_decay"])


def _batches(torch, n: int, batch_size: int, generator):
    """Endless minibatch indices: a fresh permutation per epoch (the last short batch is kept)."""
    while True:
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            yield order[start:start + batch_size]


@dataclass(frozen=True)
class VAE:
    """A multilayer-perceptron VAE with a Gaussian encoder and, per pixel, a discretized logistic
    (``levels`` > 2 grey levels), a Bernoulli (``levels`` == 2) or, for continuous standardized
    features (``levels`` == 0), a Gaussian decoder whose mean depends on the code and whose
    log-variance is one learned value per feature; trained for ``steps`` gradient steps."""

    levels: int
    steps: int
    learning_rate: float
    n_layers: int
    width: int
    batch_size: int
    latent_dim: int
    optimizer: str
    weight_decay: float
    beta1: float = 0.9
    beta2: float = 0.999
    momentum: float = 0.0
    seed: int = 0

    def fit_score(self, train: np.ndarray, scored: list[np.ndarray]) -> list[dict[str, float]]:
        """Train on ``train``; the mean ELBO per example (nats) and its terms on each of ``scored``."""
        torch = _setup_torch()
        config = vars(self)
        torch.manual_seed(self.seed)
        d = train.shape[1]
        out = d * (2 if self.levels > 2 else 1)  # a location and a log-scale per pixel, or a logit
        hidden = [self.width] * self.n_layers
        encoder = _mlp(torch, [d, *hidden, 2 * self.latent_dim], "relu")
        decoder = _mlp(torch, [self.latent_dim, *hidden, out], "relu")
        if self.levels == 0:  # the Gaussian decoder's per-feature log-variance, learned
            decoder.log_var = torch.nn.Parameter(torch.zeros(d))
        params = [*encoder.parameters(), *decoder.parameters()]
        opt = _optimizer(torch, params, config, self.learning_rate)
        gen = torch.Generator().manual_seed(self.seed)
        x_train = torch.as_tensor(np.asarray(train, dtype=np.float32))
        for _, idx in zip(range(self.steps), _batches(torch, len(train), self.batch_size, gen)):
            recon, kl = self._terms(torch, encoder, decoder, x_train[idx], gen)
            loss = (recon + kl).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        results = []
        with torch.no_grad():
            for X in scored:
                gen = torch.Generator().manual_seed(self.seed + 1)
                x = torch.as_tensor(np.asarray(X, dtype=np.float32))
                # the reconstruction term is averaged over 4 posterior samples per example
                recon = torch.stack([self._terms(torch, encoder, decoder, x, gen)[0]
                                     for _ in range(4)]).mean(0)
                kl = self._terms(torch, encoder, decoder, x, gen)[1]
                results.append({"elbo": float(-(recon + kl).mean()),
                                "reconstruction_nll": float(recon.mean()),
                                "kl": float(kl.mean())})
        return results

    def _terms(self, torch, encoder, decoder, x, gen):
        """Per-example negative reconstruction log-likelihood and KL(q(z|x) || N(0, I))."""
        F = torch.nn.functional
        xin = x / (self.levels - 1) if self.levels else x
        mu, logvar = encoder(xin).chunk(2, dim=1)
        logvar = logvar.clamp(-20, 10)
        eps = torch.randn(mu.shape, generator=gen)
        z = mu + eps * torch.exp(0.5 * logvar)
        out = decoder(z)
        if self.levels == 0:
            # clamped below (std >= 0.01 on unit-variance features): a density may not spike
            log_var = decoder.log_var.clamp(min=-9.2)
            recon = 0.5 * (math.log(2 * math.pi) + log_var
                           + (x - out).pow(2) * torch.exp(-log_var)).sum(1)
        elif self.levels > 2:
            recon = -_discretized_logistic(x, *out.chunk(2, dim=1), self.levels - 1).sum(1)
        else:
            recon = F.binary_cross_entropy_with_logits(out, x, reduction="none").sum(1)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
        return recon, kl


def _discretized_logistic(x, loc, log_scale, top: int):
    """log P(x) per pixel for grey levels 0..``top`` under a logistic discretized to unit bins,
    the two end bins taking the tails (Salimans et al. 2017, PixelCNN++)."""
    import torch

    F = torch.nn.functional
    log_scale = log_scale.clamp(min=-7.0)
    inv = torch.exp(-log_scale)
    plus, minus = inv * (x - loc + 0.5), inv * (x - loc - 0.5)
    log_cdf_plus = -F.softplus(-plus)  # log sigmoid(plus): the lowest bin
    log_sf_minus = -F.softplus(minus)  # log (1 - sigmoid(minus)): the highest bin
    mid = torch.log((torch.sigmoid(plus) - torch.sigmoid(minus)).clamp(min=1e-12))
    return torch.where(x <= 0, log_cdf_plus, torch.where(x >= top, log_sf_minus, mid))


@dataclass(frozen=True)
class GAN:
    """A multilayer-perceptron GAN trained for ``steps`` updates (discriminator and generator
    updates together; ``d_steps`` discriminator updates per generator update)."""

    output: str  # "sigmoid" (images in [0, 1]) or "linear" (points in the plane)
    steps: int
    g_learning_rate: float
    d_learning_rate: float
    n_layers: int
    width: int
    batch_size: int
    latent_dim: int
    optimizer: str
    weight_decay: float
    d_steps: int
    loss: str
    beta1: float = 0.9
    beta2: float = 0.999
    momentum: float = 0.0
    gp_weight: float = 10.0
    seed: int = 0

    def fit_sample(self, train: np.ndarray, n: int) -> np.ndarray:
        """Train on ``train``; ``n`` generated samples (fixed latent draws)."""
        torch = _setup_torch()
        F = torch.nn.functional
        config = vars(self)
        torch.manual_seed(self.seed)
        d = train.shape[1]
        hidden = [self.width] * self.n_layers
        G = _mlp(torch, [self.latent_dim, *hidden, d], "relu")
        if self.output == "sigmoid":
            G.append(torch.nn.Sigmoid())
        D = _mlp(torch, [d, *hidden, 1], "leaky")
        g_opt = _optimizer(torch, G.parameters(), config, self.g_learning_rate)
        d_opt = _optimizer(torch, D.parameters(), config, self.d_learning_rate)
        gen = torch.Generator().manual_seed(self.seed)
        x_train = torch.as_tensor(np.asarray(train, dtype=np.float32))
        batches = _batches(torch, len(train), self.batch_size, gen)
        done = 0
        while done < self.steps:
            for _ in range(min(self.d_steps, self.steps - done)):
                real = x_train[next(batches)]
                z = torch.randn((len(real), self.latent_dim), generator=gen)
                with torch.no_grad():
                    fake = G(z)
                d_real, d_fake = D(real).squeeze(1), D(fake).squeeze(1)
                if self.loss == "non_saturating":
                    d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
                elif self.loss == "hinge":
                    d_loss = F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()
                else:
                    d_loss = d_fake.mean() - d_real.mean() + self.gp_weight * _penalty(
                        torch, D, real, fake, gen)
                d_opt.zero_grad()
                d_loss.backward()
                d_opt.step()
                done += 1
            if done >= self.steps:
                break
            z = torch.randn((self.batch_size, self.latent_dim), generator=gen)
            d_fake = D(G(z)).squeeze(1)
            g_loss = F.softplus(-d_fake).mean() if self.loss == "non_saturating" else -d_fake.mean()
            g_opt.zero_grad()
            g_loss.backward()
            g_opt.step()
            done += 1
        with torch.no_grad():
            z = torch.randn((n, self.latent_dim), generator=torch.Generator().manual_seed(self.seed + 1))
            return G(z).numpy().astype(np.float64)


def _penalty(torch, D, real, fake, gen):
    """The WGAN-GP gradient penalty (Gulrajani et al. 2017) at points between real and fake."""
    alpha = torch.rand((len(real), 1), generator=gen)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(D(mixed).sum(), mixed, create_graph=True)
    return (grad.norm(dim=1) - 1).pow(2).mean()


# -- metrics (numpy and scikit-learn) --------------------------------------------------------
def _gram(A: np.ndarray, B: np.ndarray, bandwidths=MMD_BANDWIDTHS) -> np.ndarray:
    sq = np.maximum((A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2 * A @ B.T, 0)
    return sum(np.exp(-sq / (2 * h * h)) for h in bandwidths)


def _within(K: np.ndarray) -> float:
    """The mean of a Gram matrix off its diagonal (the unbiased within-sample term)."""
    m = len(K)
    return float((K.sum(dtype=np.float64) - np.trace(K, dtype=np.float64)) / (m * (m - 1)))


def mmd2(X: np.ndarray, *Ys: np.ndarray, bandwidths=MMD_BANDWIDTHS) -> float | list[float]:
    """Unbiased squared MMD between ``X`` and each of ``Ys``, with the sum of Gaussian kernels
    of the given bandwidths (one float for one ``Y``). ``X``'s own term is computed once."""
    # single precision halves the time; the sums are pairwise, so the result keeps ~6 digits
    X, Ys = X.astype(np.float32), [Y.astype(np.float32) for Y in Ys]
    xx = _within(_gram(X, X, bandwidths))
    out = [xx + _within(_gram(Y, Y, bandwidths)) - 2 * float(_gram(X, Y, bandwidths).mean(dtype=np.float64))
           for Y in Ys]
    return out[0] if len(out) == 1 else out


def ring_modes(samples: np.ndarray) -> dict[str, float]:
    """The ring's mode metric (:func:`datasets.modes.mode_score`) and its two parts."""
    scored = modes.mode_score(samples, RING_MEANS, RING_STD)
    return {"mode_score": scored.score, "modes_covered": scored.modes_covered,
            "high_quality_fraction": scored.high_quality_fraction}


#: The digit FID's feature extractors, by split: trained once per process.
_CLASSIFIERS: dict[tuple, Any] = {}


def _train_classifier(X: np.ndarray, y: np.ndarray):
    """The fixed feature extractor of the digit FID, trained on the training digits."""
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(32,), activation="tanh", max_iter=500,
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    return clf


def classifier_features(clf, X: np.ndarray) -> np.ndarray:
    """The classifier's hidden layer: the space in which the FID is computed."""
    return np.tanh(X @ clf.coefs_[0] + clf.intercepts_[0])


def frechet_distance(A: np.ndarray, B: np.ndarray) -> float:
    """The Fréchet distance between Gaussians fitted to two feature sets (the FID formula)."""
    from scipy import linalg

    mu_a, mu_b = A.mean(0), B.mean(0)
    ca, cb = np.cov(A, rowvar=False), np.cov(B, rowvar=False)
    root = np.real(linalg.sqrtm(ca @ cb))
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(ca + cb - 2 * root))


# -- the problems ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DeepProblem(Problem):
    """A deep generative problem: a fixed train/validation/test split, one model per trial."""

    scoring: str = ""  # what the score is, for the catalogue
    valid_size: float = 0.2
    cv: int = 1
    extras_doc: tuple[str, ...] = field(default_factory=tuple)
    #: torch's version changes a trained model's score, so runs record it beside scikit-learn's.
    requires: ClassVar[tuple[str, ...]] = ("scikit-learn", "torch")

    @property
    def unavailable(self) -> str | None:
        return torch_missing()

    @property
    def extra(self) -> str:
        return EXTRA

    @functools.cached_property
    def splits3(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(train, validation, test)``: the fixed splits, computed once."""
        X, _ = self.dataset.arrays()
        rest, test = train_test_split(X, test_size=self.test_size, random_state=self.split_seed)
        train, valid = train_test_split(rest, test_size=self.valid_size,
                                        random_state=self.split_seed)
        return train, valid, test

    @functools.cached_property
    def folds(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The one fixed validation split, as a fold of the training part (loads the data and
        whatever the metric needs once, before the first trial is timed)."""
        train, valid, _ = self.splits3
        self._prepare()
        n = len(train) + len(valid)
        return [(np.arange(len(train)), np.arange(len(train), n))]

    def _prepare(self) -> None:
        pass

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("splits", "folds", "splits3")}

    def make_estimator(self, config: Config, fidelity: float = 1.0):
        params = dict(self.fixed)
        params.update(config)
        params["steps"] = max(1, round(fidelity * self.fidelity.full))
        return self.estimator(**params)

    def evaluate(self, config: Config, fidelity: float = 1.0) -> Evaluation:
        missing = torch_missing()
        if missing:
            raise TrialFailed(missing)
        model = self.make_estimator(config, fidelity)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                valid, test, extras = self._score(model)
        except Exception as exc:  # a diverged or broken model is a failed trial
            raise TrialFailed(f"{type(exc).__name__}: {exc}") from exc
        if not (math.isfinite(valid) and math.isfinite(test)):
            raise TrialFailed(f"non-finite score (validation {valid}, test {test})")
        return Evaluation(valid, 0.0, test, extras)

    def _score(self, model) -> tuple[float, float, dict[str, float]]:
        raise NotImplementedError

    def to_dict(self) -> dict:
        """The problem's description (:meth:`Problem.to_dict`), with what differs here: the
        model's settings, the score, the split protocol, the side metrics and the extra."""
        example = self.make_estimator(self.space.default())
        return {
            **super().to_dict(),
            "metric": self.scoring,
            "estimator": {"class": f"{type(example).__module__}.{type(example).__qualname__}",
                          "params": {k: v for k, v in sorted(vars(example).items())}},
            "protocol": {"validation_size": self.valid_size, "test_size": self.test_size,
                         "split_seed": self.split_seed},
            "extras": list(self.extras_doc),
            "requires": f"searchbench[{EXTRA}]",
        }


@dataclass(frozen=True)
class VAEProblem(DeepProblem):
    def _score(self, model):
        train, valid, test = self.splits3
        v, t = model.fit_score(train, [valid, test])
        return v["elbo"], t["elbo"], {"reconstruction_nll": v["reconstruction_nll"], "kl": v["kl"]}


@dataclass(frozen=True)
class DigitGANProblem(DeepProblem):
    def _classifier(self):
        key = (self.dataset.name, self.split_seed, self.test_size, self.valid_size)
        if key not in _CLASSIFIERS:
            # the labels of the training digits, split exactly as the images are
            X, _ = self.dataset.arrays()
            _, y = load_digits(return_X_y=True)
            rest_x, _, rest_y, _ = train_test_split(X, y, test_size=self.test_size,
                                                    random_state=self.split_seed)
            train_x, _, train_y, _ = train_test_split(rest_x, rest_y, test_size=self.valid_size,
                                                      random_state=self.split_seed)
            assert np.array_equal(train_x, self.splits3[0])
            _CLASSIFIERS[key] = _train_classifier(train_x.astype(np.float64), train_y)
        return _CLASSIFIERS[key]

    def _prepare(self) -> None:
        self._classifier()

    def _score(self, model):
        train, valid, test = self.splits3
        samples = model.fit_sample(train, N_GENERATED)
        clf = self._classifier()
        feats = classifier_features(clf, samples)
        fid_valid = frechet_distance(feats, classifier_features(clf, valid.astype(np.float64)))
        fid_test = frechet_distance(feats, classifier_features(clf, test.astype(np.float64)))
        counts = np.bincount(clf.predict(samples), minlength=10)
        return -fid_valid, -fid_test, {
            "fid": fid_valid,
            "classes_covered": int((counts >= 0.02 * len(samples)).sum()),
        }


@dataclass(frozen=True)
class MixtureGANProblem(DeepProblem):
    """A GAN on a mixture of isotropic Gaussians, scored by :func:`datasets.modes.mode_score`
    on ``RING_GENERATED`` samples for validation and as many other latent draws for test."""

    means: ClassVar[np.ndarray]
    std: ClassVar[float]
    #: whether the memorization side value is recorded (not for the ring, whose runs predate it)
    memorization: ClassVar[bool] = True

    def _score(self, model):
        train, valid, _ = self.splits3
        # one draw of 2n latent points: the first n are scored for validation, the rest for test
        samples = model.fit_sample(train, 2 * RING_GENERATED)
        shown, held = samples[:RING_GENERATED], samples[RING_GENERATED:]
        scored = modes.mode_score(shown, self.means, self.std)
        test = modes.mode_score(held, self.means, self.std)
        extras = {
            "modes_covered": scored.modes_covered,
            "high_quality_fraction": scored.high_quality_fraction,
            "mmd2": mmd2(shown, valid.astype(np.float64)),
        }
        if self.memorization:
            extras["memorization"] = _memorization(shown, train, valid)
        return scored.score, test.score, extras


@dataclass(frozen=True)
class RingGANProblem(MixtureGANProblem):
    means: ClassVar[np.ndarray] = RING_MEANS
    std: ClassVar[float] = RING_STD
    memorization: ClassVar[bool] = False


@dataclass(frozen=True)
class GridGANProblem(MixtureGANProblem):
    means: ClassVar[np.ndarray] = GRID_MEANS
    std: ClassVar[float] = GRID_STD


@dataclass(frozen=True)
class CurveGANProblem(DeepProblem):
    """A GAN on a 2-D set that is not a mixture, scored by k-NN precision and recall
    (:func:`datasets.sample_metrics.precision_recall`, their harmonic mean): ``RING_GENERATED``
    samples against the validation points, as many other latent draws against the test points."""

    def _score(self, model):
        train, valid, test = self.splits3
        samples = model.fit_sample(train, 2 * RING_GENERATED)
        shown, held = samples[:RING_GENERATED], samples[RING_GENERATED:]
        scored = sample_metrics.precision_recall(shown, valid)
        tested = sample_metrics.precision_recall(held, test)
        return scored.score, tested.score, {
            "precision": scored.precision, "recall": scored.recall,
            "memorization": _memorization(shown, train, valid)}


def _memorization(samples: np.ndarray, train: np.ndarray, held_out: np.ndarray) -> float:
    """:func:`datasets.sample_metrics.memorization` (NaN, not a failed trial, for a generator
    whose samples are not all finite: its score already counts them as 0)."""
    return sample_metrics.memorization(samples, train.astype(np.float64),
                                       held_out.astype(np.float64))


def _problem(cls, model, dataset, estimator, space, full, scoring, extras, fixed=None):
    return cls(model, dataset, estimator, space, fixed=fixed or {},
               fidelity=Fidelity("steps", full=full, min_fraction=0.1),
               scoring=scoring, extras_doc=tuple(extras), time_limit=60.0,
               description=scoring)


def _vae(levels: int):
    return functools.partial(VAE, levels)


def _gan(output: str):
    return functools.partial(GAN, output)


ELBO = "held-out ELBO per example (nats)"
VAE_EXTRAS = ("reconstruction_nll", "kl")
GAUSSIAN_ELBO = "held-out ELBO per example (nats, a bound on the log-density)"
#: Full step counts of the newer problems, within the cost rule of the module's docstring:
#: mean / 90th-percentile CPU seconds of a full evaluation over the default and 15 random
#: configurations (seed 0, one thread): gan-grid25 0.36 / 0.52, gan-spiral 0.36 / 0.52,
#: vae-china_patches 0.34 / 0.52, vae-wine 0.35 / 0.53.
GRID_STEPS = SPIRAL_STEPS = 400
PATCH_STEPS = WINE_STEPS = 300
MODE_METRIC = "modes covered x share of samples within 3 std of a mode"
MODE_EXTRAS = ("modes_covered", "high_quality_fraction", "mmd2")

PROBLEMS = [
    _problem(VAEProblem, "vae", DIGITS_LEVELS, _vae(17), VAE_SPACE, 150, ELBO, VAE_EXTRAS),
    _problem(VAEProblem, "vae", DIGITS_BINARY, _vae(2), VAE_SPACE, 200, ELBO, VAE_EXTRAS),
    _problem(DigitGANProblem, "gan", DIGITS_UNIT, _gan("sigmoid"), GAN_SPACE, 200,
             "negated FID in a fixed digit classifier's features", ("fid", "classes_covered")),
    _problem(RingGANProblem, "gan", RING8, _gan("linear"), GAN_SPACE, 200, MODE_METRIC,
             MODE_EXTRAS),
    _problem(GridGANProblem, "gan", GRID25, _gan("linear"), GAN_SPACE, GRID_STEPS, MODE_METRIC,
             (*MODE_EXTRAS, "memorization")),
    _problem(CurveGANProblem, "gan", SPIRAL, _gan("linear"), GAN_SPACE, SPIRAL_STEPS,
             "harmonic mean of k-NN precision and recall (k=3) against held-out points",
             ("precision", "recall", "memorization")),
    _problem(VAEProblem, "vae", DATASETS["density"]["china_patches"], _vae(0), VAE_SPACE,
             PATCH_STEPS, GAUSSIAN_ELBO, VAE_EXTRAS),
    _problem(VAEProblem, "vae", DATASETS["density"]["wine"], _vae(0), VAE_SPACE, WINE_STEPS,
             GAUSSIAN_ELBO, VAE_EXTRAS),
]
