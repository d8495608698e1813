"""Any optimizer of nevergrad's registry, by name: ``nevergrad[optimizer=PSO]``.

Named variants: ``ng_ngopt`` (NGOpt, nevergrad's algorithm selector, its recommended default),
``ng_de`` (TwoPointsDE: differential evolution with two-points crossover, its default DE for
mixed and discrete spaces), ``ng_pso`` (particle swarm), ``ng_oneplusone`` (the (1+1) evolution
strategy with the one-fifth rule) and ``ng_cma`` (CMA-ES). Every optimizer in the registry is
driven through nevergrad's ask/tell interface (scipy-based ones such as ``Cobyla`` run in a
background thread that nevergrad feeds); ``searchbench list strategies --variants`` lists them.
Some are specialised (continuous only, one-shot designs): on a space they cannot handle their
runs fail with nevergrad's own message.
"""

from bench.strategies._nevergrad import NevergradStrategy
from bench.variants import Parameter


def registry():
    import nevergrad as ng

    return sorted(ng.optimizers.registry)


class Nevergrad(NevergradStrategy):
    optimizer = Parameter("NGOpt", allowed=registry, help="a name in nevergrad's registry")
    aliases = {"ng_ngopt": {"optimizer": "NGOpt"}, "ng_de": {"optimizer": "TwoPointsDE"},
               "ng_pso": {"optimizer": "PSO"}, "ng_oneplusone": {"optimizer": "OnePlusOne"},
               "ng_cma": {"optimizer": "CMA"}}
