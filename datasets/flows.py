"""Normalizing-flow problems: RealNVP in PyTorch, scored by exact held-out log-likelihood.

A RealNVP flow (Dinh et al. 2017) maps a point x to z = f(x) through ``n_couplings`` affine
coupling layers with alternating masks: each keeps half of the coordinates (the even or the odd
ones) and moves the other half by ``x * exp(s) + t``, where ``s`` and ``t`` come from a
multilayer perceptron (``n_layers`` hidden layers of ``width`` units) of the kept half. The base
density is a standard normal, so log p(x) = log N(f(x)) + log |det df/dx| exactly.

The log-scales are bounded, ``s = SCALE_BOUND * tanh(raw)`` (as in the Glow and RealNVP code
bases), so that one bad step cannot blow a coordinate up by exp(100); a diverged model (a
non-finite loss in training) is a failed trial. The data enter through a fixed standardization
computed on the training split, whose constant log-Jacobian is included: the likelihood is that
of the data in their own units.

Problems (each a fixed validation split and a held-out test split, as the other deep problems;
fidelity: gradient steps, 150 in a full evaluation, which keeps its mean under 0.4 CPU seconds
and its 90th percentile under 0.75 s over random configurations on one thread, measured with
``python -m bench.datasets.eval_costs --problems flow-ring8 --configs 20``):

``flow-ring8``
    The ring of eight Gaussians (:mod:`datasets.toy2d`), a multimodal density in 2-D. (The 5 x 5
    grid was tried first: in a few hundred steps no configuration tried beat a uniform density
    over its bounding box, so it would have ranked configurations by noise.)
``flow-china_patches``
    1,000 standardized grey 4 x 4 patches of scikit-learn's ``china.jpg`` (16-D).
``flow-wine``
    scikit-learn's wine features, standardized (13-D, 178 examples: overfitting is the risk
    weight decay and early stopping by the step count must manage).

Score: the mean log-likelihood per example (nats) of the validation split; the test score the
same on the test split; the training split's mean is recorded as ``train_log_likelihood`` (its
gap to the validation value shows overfitting). Torch is imported only inside an evaluation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bench.problem import Dataset
from bench.space import Integer, Real, Space

from .data import DATASETS
from .deep import DeepProblem, _batches, _mlp, _optimizer, _optimizer_dims, _problem, _setup_torch
from .toy2d import RING8

#: The bound of a coupling's log-scale: a layer scales a coordinate by at most e^2 either way.
SCALE_BOUND = 2.0

FLOW_SPACE = Space([
    Real("learning_rate", 1e-4, 3e-2, log=True, default=1e-3),
    Integer("n_couplings", 2, 8, default=4),
    Integer("n_layers", 1, 3, default=2),
    Integer("width", 16, 256, log=True, default=64),
    Integer("batch_size", 16, 256, log=True, default=64),
    *_optimizer_dims(),
])


@dataclass(frozen=True)
class RealNVP:
    """A RealNVP flow with ``n_couplings`` affine couplings (alternating even/odd masks) and a
    standard normal base, trained by maximum likelihood for ``steps`` gradient steps."""

    steps: int
    learning_rate: float
    n_couplings: int
    n_layers: int
    width: int
    batch_size: int
    optimizer: str
    weight_decay: float
    beta1: float = 0.9
    beta2: float = 0.999
    momentum: float = 0.0
    seed: int = 0

    def fit_score(self, train: np.ndarray, scored: list[np.ndarray]) -> list[float]:
        """Train on ``train``; the mean log-likelihood per example (nats) of each of ``scored``."""
        torch = _setup_torch()
        torch.manual_seed(self.seed)
        train = np.asarray(train, dtype=np.float64)
        mean, std = train.mean(0), train.std(0)
        std = np.where(std > 0, std, 1.0)
        # log |d(standardized)/dx| per example: the standardization is part of the density
        log_jac = -float(np.log(std).sum())
        d = train.shape[1]
        masks = [torch.as_tensor((np.arange(d) % 2 == i % 2).astype(np.float32))
                 for i in range(self.n_couplings)]
        nets = torch.nn.ModuleList(
            _mlp(torch, [d, *[self.width] * self.n_layers, 2 * d], "relu")
            for _ in range(self.n_couplings))
        for net in nets:  # start at the identity map: every coupling's last layer is zero
            torch.nn.init.zeros_(net[-1].weight)
            torch.nn.init.zeros_(net[-1].bias)
        opt = _optimizer(torch, nets.parameters(), vars(self), self.learning_rate)

        def standardize(X):
            return torch.as_tensor(((np.asarray(X, dtype=np.float64) - mean) / std)
                                   .astype(np.float32))

        def log_prob(x):
            total = torch.zeros(len(x))
            for mask, net in zip(masks, nets):
                kept = x * mask
                s, t = net(kept).chunk(2, dim=1)
                s = SCALE_BOUND * torch.tanh(s) * (1 - mask)
                x = kept + (1 - mask) * (x * torch.exp(s) + t)
                total = total + s.sum(1)
            base = -0.5 * (x.pow(2).sum(1) + d * math.log(2 * math.pi))
            return base + total + log_jac

        gen = torch.Generator().manual_seed(self.seed)
        x_train = standardize(train)
        for _, idx in zip(range(self.steps), _batches(torch, len(train), self.batch_size, gen)):
            loss = -log_prob(x_train[idx]).mean()
            if not torch.isfinite(loss):
                raise FloatingPointError(f"the training loss diverged ({float(loss)})")
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            return [float(log_prob(standardize(X)).double().mean()) for X in scored]


@dataclass(frozen=True)
class FlowProblem(DeepProblem):
    def _score(self, model):
        train, valid, test = self.splits3
        v, t, tr = model.fit_score(train, [valid, test, train])
        return v, t, {"train_log_likelihood": tr}


LOG_LIKELIHOOD = "held-out log-likelihood per example (nats)"
FLOW_EXTRAS = ("train_log_likelihood",)


def _flow(dataset, full: int):
    return _problem(FlowProblem, "flow", dataset, RealNVP, FLOW_SPACE, full,
                    LOG_LIKELIHOOD, FLOW_EXTRAS)


#: The ring's points as a density task: a flow is scored by its likelihood, not by its samples.
RING8_DENSITY = Dataset(RING8.name, "density", RING8.load, RING8.description)

PROBLEMS = [
    _flow(RING8_DENSITY, 150),
    _flow(DATASETS["density"]["china_patches"], 150),
    _flow(DATASETS["density"]["wine"], 150),
]
