"""Density estimation: Gaussian mixtures (fitted by EM, or variationally with a Dirichlet prior on
the weights), kernel densities and a Bernoulli RBM.

Scored by the mean held-out log-likelihood per sample (``score_samples``; higher is better), on
the validation fold for the strategy and on the holdout test split for the record. The RBM has no
tractable likelihood: scikit-learn's ``score_samples`` gives its pseudo-log-likelihood (each
sample's likelihood with one randomly chosen pixel flipped, times the number of pixels), the
standard proxy for an RBM; with the model's ``random_state`` fixed, the flipped pixels are too.
It is a generative model scored on held-out data like the others, so it counts as one.

Only kernels with unbounded support are searched for kernel densities: a bounded kernel gives a
held-out point outside every kernel a log-likelihood of minus infinity.
"""

from __future__ import annotations

from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from sklearn.neighbors import KernelDensity
from sklearn.neural_network import BernoulliRBM

from bench.problem import Fidelity
from bench.space import Categorical, Integer, Real, Space

from .data import DATASETS
from .family import Family

D = DATASETS["density"]

GMM = Family("gmm", GaussianMixture, Space([
    Integer("n_components", 1, 30, log=True, default=4),
    Categorical("covariance_type", ("full", "tied", "diag", "spherical")),
    Real("reg_covar", 1e-6, 1.0, log=True, default=1e-4),
    Categorical("init_params", ("kmeans", "k-means++", "random", "random_from_data")),
]), fixed={"random_state": 0}, fidelity=Fidelity("max_iter", full=100, min_fraction=0.1))

BGMM = Family("bgmm", BayesianGaussianMixture, Space([
    Integer("n_components", 1, 30, log=True, default=4),
    Categorical("covariance_type", ("full", "tied", "diag", "spherical")),
    Categorical("weight_concentration_prior_type",
                ("dirichlet_process", "dirichlet_distribution")),
    Real("weight_concentration_prior", 1e-3, 1e3, log=True, default=1.0),
    Real("reg_covar", 1e-6, 1.0, log=True, default=1e-4),
]), fixed={"random_state": 0}, fidelity=Fidelity("max_iter", full=100, min_fraction=0.1),
    description="variational Gaussian mixture; the weights' prior can switch components off")

KDE = Family("kde", KernelDensity, Space([
    Real("bandwidth", 1e-2, 1e1, log=True, default=0.5),
    Categorical("kernel", ("gaussian", "exponential")),
]))

RBM = Family("rbm", BernoulliRBM, Space([
    Integer("n_components", 8, 128, log=True, default=64),
    Real("learning_rate", 1e-3, 1.0, log=True, default=0.1),
    Integer("batch_size", 8, 128, log=True, default=10),
]), fixed={"random_state": 0}, fidelity=Fidelity("n_iter", full=10, min_fraction=0.2),
    description="scored by pseudo-log-likelihood")

CONTINUOUS = ["iris", "wine", "digits_pca16", "blobs_n500_d5", "moons_n500"]
PATCHES = ["china_patches", "flower_patches"]

PROBLEMS = [
    *GMM.problems(D[name] for name in CONTINUOUS),
    *KDE.problems(D[name] for name in CONTINUOUS),
    RBM.problem(D["digits_binary"]),
    *(f.problem(D[name]) for f in (GMM, KDE) for name in PATCHES),
    *BGMM.problems(D[name] for name in CONTINUOUS + PATCHES),
]
