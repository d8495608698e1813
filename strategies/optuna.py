"""optuna's samplers, by name: ``optuna[sampler=NAME]``, driven through optuna's ask/tell.

Named variants: ``optuna_tpe`` (TPESampler, the tree-structured Parzen estimator, its default
settings), ``optuna_cmaes`` (CmaEsSampler, backed by the ``cmaes`` package: CMA-ES models the
numeric dimensions every trial shares, and categorical and conditional dimensions are drawn by
optuna's independent random sampler, as optuna documents), ``optuna_gp`` (GPSampler, Gaussian
process BO with log expected improvement; needs PyTorch, the ``torch`` extra, and is listed as
unavailable without it) and ``optuna_qmc`` (QMCSampler: a scrambled Sobol' sequence).

Any other sampler of ``optuna.samplers`` that takes a seed and no other required argument can be
named (``Random``, ``NSGAII``, ``NSGAIII``, ...; the name is the class's without ``Sampler``),
built with its defaults and ``seed``. Left out: ``Grid`` and ``PartialFixed`` (they need a grid
or fixed values), ``BruteForce`` (it cannot enumerate continuous dimensions).
"""

import inspect
import math

from bench.strategies._optuna import OptunaStrategy
from bench.variants import Parameter

EXCLUDED = {"Grid", "PartialFixed", "BruteForce"}
#: Settings that differ from a sampler's defaults, with their reason.
OPTIONS = {
    # the harness's spaces are conditional: CMA-ES falls back to random draws for the
    # dimensions it cannot model, which is expected here, not worth a warning per trial
    "CmaEs": {"warn_independent_sampling": False},
    # the same for the GP, which models only the dimensions every trial has
    "GP": {"warn_independent_sampling": False},
}


def samplers():
    import optuna.samplers

    names = []
    for name, cls in vars(optuna.samplers).items():
        if not (inspect.isclass(cls) and issubclass(cls, optuna.samplers.BaseSampler)
                and name.endswith("Sampler") and name != "BaseSampler"):
            continue
        short = name[: -len("Sampler")]
        params = inspect.signature(cls).parameters
        required = [p for p in params.values() if p.default is inspect.Parameter.empty
                    and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if short not in EXCLUDED and "seed" in params and not required:
            names.append(short)
    return sorted(names)


class Optuna(OptunaStrategy):
    sampler = Parameter("TPE", allowed=samplers, help="an optuna sampler, without 'Sampler'",
                             requires={"GP": ("torch",), "CmaEs": ("cmaes",)})
    aliases = {"optuna_tpe": {"sampler": "TPE"}, "optuna_cmaes": {"sampler": "CmaEs"},
               "optuna_gp": {"sampler": "GP"}, "optuna_qmc": {"sampler": "QMC"}}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.learns = cls.sampler not in ("QMC", "Random")  # a variant's sampler, set by now
        cls.impute_failures = cls.sampler == "GP"  # it models completed trials only

    @classmethod
    def initial_design(cls, space, budget):
        """The sampler's random startup trials (``n_startup_trials``, its default), plus for
        CMA-ES its first generation (4 + 3 ln n for the n numeric dimensions it models)."""
        import optuna.samplers

        if not cls.learns:
            return 0
        params = inspect.signature(getattr(optuna.samplers, f"{cls.sampler}Sampler")).parameters
        startup = params["n_startup_trials"].default if "n_startup_trials" in params else 0
        if cls.sampler == "CmaEs":
            shared = [d for d in space if d.kind != "categorical" and d.condition is None]
            startup += 4 + int(3 * math.log(max(len(shared), 1)))
        return min(int(startup), budget)

    def build_sampler(self, seed):
        import optuna.samplers

        cls = getattr(optuna.samplers, f"{self.sampler}Sampler")
        return cls(seed=seed, **OPTIONS.get(self.sampler, {}))
