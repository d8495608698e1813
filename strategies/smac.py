"""SMAC3's hyperparameter-optimization facade: Bayesian optimization with a random-forest
surrogate, expected improvement, a Sobol' initial design (at most a quarter of the budget) and
one configuration in five drawn at random.

Three settings differ from the facade's defaults, all for cost only. The forest is the facade's
own (``get_model``'s settings) but fitted on one thread instead of every core: the harness
already runs one worker per core, and thread hand-offs dominated the suggestion time. Its trees
have no leaf limit (``max_leaf_nodes=None``) instead of SMAC's limit of 2**20, which means the
same for a few hundred points but makes scikit-learn reserve room for a million nodes on every
fit (0.13 s per tree instead of 0.3 ms). And the acquisition maximizer scores 1000 random
configurations plus its local search per suggestion instead of 10000.

One shim, for reproducibility: SMAC's local search collects its start points in a Python set,
whose order follows string hashing and so changes from one process to the next (PYTHONHASHSEED);
the start points are put in a fixed order (by their vector encoding) so that a seed gives the
same suggestions in any process, as resuming an interrupted run requires.
"""

import numpy as np

from bench.strategies._smac import SmacStrategy

#: Random configurations the acquisition function scores per suggestion.
CHALLENGERS = 1000


def _ordered_local_search():
    from smac.acquisition.maximizer import LocalSearch

    class OrderedLocalSearch(LocalSearch):
        def _get_init_points_from_previous_configs(self, *args, **kwargs):
            points = super()._get_init_points_from_previous_configs(*args, **kwargs)
            return sorted(points, key=lambda c: tuple(np.nan_to_num(c.get_array(), nan=-1.0)))

    return OrderedLocalSearch


class SMAC(SmacStrategy):
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)

    @classmethod
    def initial_design(cls, space, budget):
        """SMAC's Sobol' initial design: 10 configurations per hyperparameter, at most a quarter
        of the budget (``get_initial_design``'s defaults; at least one)."""
        return int(max(1, min(10 * len(space), 0.25 * budget)))

    def facade(self, scenario):
        from smac import HyperparameterOptimizationFacade as HPO

        return HPO(
            scenario, None,  # the harness evaluates; SMAC only asks and is told
            model=forest(scenario), acquisition_maximizer=maximizer(scenario),
            logging_level=False, overwrite=True,
        )


def forest(scenario):
    """The facade's own random forest (``get_model``'s settings), on one thread, no leaf limit."""
    from smac.model.random_forest import RandomForest

    return RandomForest(
        scenario.configspace, log_y=True, n_trees=10, bootstrapping=True, ratio_features=1.0,
        min_samples_split=2, min_samples_leaf=1, max_depth=2**20, max_leaf_nodes=None,
        instance_features=scenario.instance_features, seed=scenario.seed, n_jobs=1,
    )


def maximizer(scenario):
    """The facade's acquisition maximizer, CHALLENGERS random configurations, ordered starts."""
    from smac import HyperparameterOptimizationFacade as HPO

    found = HPO.get_acquisition_maximizer(scenario, challengers=CHALLENGERS)
    found._local_search.__class__ = _ordered_local_search()
    return found
