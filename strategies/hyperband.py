"""Hyperband (Li et al., 2018): brackets of successive halving that trade the number of
configurations against the fidelity they start at, with random configurations (SMAC3's
``HyperbandFacade``: its ``Hyperband`` intensifier over budgets, driven by ask/tell).

Fidelity is the problem's own (training fraction, number of estimators or iterations) from its
minimum fraction up to 1, with eta = 3: with a minimum of 0.1 the rungs are 1/9, 1/3 and 1. A
trial at fidelity f is charged the problem's relative compute c(f) (:mod:`bench.costcurve`; f
itself for a problem without a measured curve), so how many trials a budget buys depends on the
problem: with c(f) = f a budget of 50 full evaluations buys about 130. Why SMAC: its
intensifiers are the maintained ask/tell implementation of both algorithms over real valued
budgets; optuna's pruners need the objective to report intermediate steps, which the harness's
one-shot evaluations do not have.
"""

from bench.strategies._smac import SmacStrategy


class Hyperband(SmacStrategy):
    multi_fidelity = True

    def facade(self, scenario):
        from smac import HyperbandFacade

        return HyperbandFacade(
            scenario, None,  # the harness evaluates; SMAC only asks and is told
            intensifier=HyperbandFacade.get_intensifier(scenario, eta=3),
            logging_level=False, overwrite=True,
        )
