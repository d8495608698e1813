"""Successive halving (Jamieson and Talwalkar, 2016; Karnin et al., 2013): start many random
configurations at the lowest fidelity, keep the best third at each rung, up to full fidelity,
then start again (SMAC3's ``SuccessiveHalving`` intensifier over budgets, driven by ask/tell,
inside its ``HyperbandFacade`` for random configurations).

Fidelity runs from the problem's minimum fraction up to 1 with eta = 3 (with a minimum of 0.1:
nine configurations at 1/9, three at 1/3, one at 1 per bracket). A trial at fidelity f is charged
the problem's relative compute c(f) (:mod:`bench.costcurve`), so a bracket costs 9 c(1/9) +
3 c(1/3) + 1 full evaluations: three full evaluations' worth, about 220 trials for a budget of 50,
only when c(f) = f (a problem without a measured curve); fixed costs make c(1/9) larger and the
trials fewer.
See hyperband.py for why SMAC's implementation.
"""

from bench.strategies._smac import SmacStrategy


class SuccessiveHalving(SmacStrategy):
    multi_fidelity = True

    def facade(self, scenario):
        from smac import HyperbandFacade
        from smac.intensifier import SuccessiveHalving as SH

        return HyperbandFacade(
            scenario, None,  # the harness evaluates; SMAC only asks and is told
            intensifier=SH(scenario, eta=3, incumbent_selection="highest_observed_budget"),
            logging_level=False, overwrite=True,
        )
