"""The searchbench catalogue: every problem, exactly as it is searched.

A problem is a dataset, a model (``estimator``), the parameters fixed for it, its search space, a
metric and the protocol (a 20% holdout test split, then 5-fold CV on the rest, stratified for
classification). The problems are the model families of ``classifiers.py``, ``regressors.py``
and ``generative.py`` crossed with the datasets of ``data.py`` (bundled with scikit-learn or
statsmodels, or generated); the spaces they share are in
``spaces.py``. ``pipelines.py`` searches the preprocessing and the model together. ``deep.py`` adds VAEs and GANs in PyTorch, ``flows.py`` normalizing flows and ``diffusion.py``
diffusion models (the ``searchbench[torch]`` extra,
imported only when one is evaluated), with one fixed validation split instead of the folds. ``searchbench list problems --details`` prints the catalogue as a table, and
``CATALOGUE.md`` is that table rendered for reading on a repository page.

Frozen references for the normalized score are in ``references.json`` (made by
``searchbench references``); the built-in suites are in ``suites/``.
"""

from __future__ import annotations

from . import classifiers, deep, diffusion, flows, generative, pipelines, regressors

#: Bump with every release of the catalogue (problems added, removed or redefined); the
#: fingerprint changes with any definition or data anyway. A change to how an existing problem is
#: computed must also show in its definition (``to_dict``): references and seeding compare each
#: problem's own digest, not this version. CHANGELOG.md lists what each version changed.
VERSION = "2026.12.2"

PROBLEMS = [*classifiers.PROBLEMS, *regressors.PROBLEMS, *generative.PROBLEMS, *deep.PROBLEMS,
            *flows.PROBLEMS, *diffusion.PROBLEMS,
            *pipelines.PROBLEMS]
