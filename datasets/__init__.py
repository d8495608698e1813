"""The searchbench catalogue: every problem, exactly as it is searched.

A problem is a dataset, a model (``estimator``), the parameters fixed for it, its search space, a
metric and the protocol (a 20% holdout test split, then 5-fold CV on the rest, stratified for
classification). The problems are the model families of ``classifiers.py``, ``regressors.py``
and ``generative.py`` crossed with the datasets of ``data.py``; the spaces they share are in
``spaces.py``. ``deep.py`` adds VAEs and GANs in PyTorch (the ``searchbench[torch]`` extra,
imported only when one is evaluated), with one fixed validation split instead of the folds. ``searchbench list problems --details`` prints the catalogue as a table, and
``CATALOGUE.md`` is that table rendered for reading on a repository page.

Frozen references for the normalized score are in ``references.json`` (made by
``searchbench references``); the built-in suites are in ``suites/``.
"""

from __future__ import annotations

from . import classifiers, deep, generative, regressors

#: Bump when a definition changes; the fingerprint changes with any definition or data anyway.
VERSION = "2026.11"

PROBLEMS = [*classifiers.PROBLEMS, *regressors.PROBLEMS, *generative.PROBLEMS, *deep.PROBLEMS]
