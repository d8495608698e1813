"""SMAC3's multi-fidelity facade: Hyperband brackets whose new configurations come from a
random-forest model fitted on the trials at the highest fidelity with enough data, instead of at
random (BOHB-style model-based Hyperband; Falkner et al., 2018, with SMAC's forest in place of
BOHB's kernel density estimator).

Fidelity runs from the problem's minimum fraction up to 1 with eta = 3, as for ``hyperband``.
The forest and the acquisition maximizer are ``smac``'s (one thread, no leaf limit, 1000 random
challengers, local-search starts in a fixed order, for cost and reproducibility: see smac.py).
"""

from bench.strategies.smac import SMAC, forest, maximizer


class SmacMultiFidelity(SMAC):
    multi_fidelity = True

    def facade(self, scenario):
        from smac import MultiFidelityFacade as MF

        return MF(
            scenario, None,  # the harness evaluates; SMAC only asks and is told
            model=forest(scenario), acquisition_maximizer=maximizer(scenario),
            intensifier=MF.get_intensifier(scenario, eta=3),
            logging_level=False, overwrite=True,
        )
