"""Two-dimensional data sets for the generative problems, drawn once from fixed seeds.

- ``ring8``: eight Gaussians on a circle of radius 2, standard deviation 0.1 (the classic GAN
  test of mode collapse; Metz et al. 2017 use a smaller spread that takes thousands of steps).
- ``grid25``: 25 Gaussians on a 5 x 5 grid with spacing 2 (means -4..4 on each axis), standard
  deviation 0.05 (the grid of VEEGAN, Srivastava et al. 2017, and of PacGAN, Lin et al. 2018).
- ``spiral``: a two-armed spiral (the arms are Archimedean spirals rotated half a turn apart)
  with Gaussian noise of 0.05: a continuous curve, not a mixture, so its samples are scored by
  k-nearest-neighbour precision and recall (:mod:`datasets.sample_metrics`), not by modes.

Each holds 2,500 points as float32, ``y`` None (density data). Mixtures expose their means and
spread for :func:`datasets.modes.mode_score`.
"""

from __future__ import annotations

import numpy as np

from bench.problem import Dataset

from . import modes

N_POINTS = 2500

RING_MODES = 8
RING_RADIUS = 2.0
RING_STD = 0.1
RING_MEANS = modes.ring_means(RING_MODES, RING_RADIUS)

GRID_SIDE = 5
GRID_SPACING = 2.0
GRID_STD = 0.05
_axis = GRID_SPACING * (np.arange(GRID_SIDE) - (GRID_SIDE - 1) / 2)
GRID_MEANS = np.array([(x, y) for x in _axis for y in _axis])

SPIRAL_TURNS = 1.5
SPIRAL_NOISE = 0.05


def _mixture(means: np.ndarray, std: float, seed: int) -> tuple[np.ndarray, None]:
    rng = np.random.default_rng(seed)
    mode = rng.integers(0, len(means), size=N_POINTS)
    return (means[mode] + std * rng.standard_normal((N_POINTS, 2))).astype(np.float32), None


def _ring():
    return _mixture(RING_MEANS, RING_STD, 0)


def _grid():
    return _mixture(GRID_MEANS, GRID_STD, 0)


def _spiral():
    rng = np.random.default_rng(0)
    t = np.sqrt(rng.uniform(0.0, 1.0, N_POINTS)) * SPIRAL_TURNS * 2 * np.pi  # even along length
    arm = rng.integers(0, 2, N_POINTS) * np.pi
    r = t / np.pi  # radius grows by 2 per turn
    X = np.stack([r * np.cos(t + arm), r * np.sin(t + arm)], axis=1)
    return (X + SPIRAL_NOISE * rng.standard_normal((N_POINTS, 2))).astype(np.float32), None


RING8 = Dataset("ring8", "generative", _ring,
                f"2,500 points of a ring of {RING_MODES} Gaussians (radius {RING_RADIUS:g}, "
                f"std {RING_STD:g}), seed 0")
GRID25 = Dataset("grid25", "generative", _grid,
                 f"2,500 points of a {GRID_SIDE}x{GRID_SIDE} grid of Gaussians (spacing "
                 f"{GRID_SPACING:g}, std {GRID_STD:g}), seed 0")
SPIRAL = Dataset("spiral", "generative", _spiral,
                 f"2,500 points of a two-armed spiral ({SPIRAL_TURNS:g} turns, noise "
                 f"{SPIRAL_NOISE:g}), seed 0")
