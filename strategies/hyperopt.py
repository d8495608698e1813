"""hyperopt's search algorithms, with their default settings: the tree-structured Parzen
estimator (``hyperopt_tpe``, ``tpe.suggest``) and simulated annealing (``hyperopt_anneal``,
``anneal.suggest``: samples around the best trials so far, narrowing as trials accumulate);
``hyperopt[algorithm=NAME]`` names the same.

hyperopt has no public ask/tell: its ``fmin`` loop asks the algorithm for new trial documents,
inserts them into a ``Trials`` object, evaluates them and writes their results back. This adapter
runs exactly those steps, one trial at a time, with the harness in the evaluator's place. The
space is flat (every dimension searched; the configuration keeps the active ones); categorical
choices are drawn as indices. A draw that lands on a forbidden combination is written back as a
failed trial (hyperopt's TPE counts it as an infinitely bad point) and the strategy draws again,
without spending the harness's budget. A trial whose evaluation failed is written back the same
way, as hyperopt's own ``STATUS_FAIL``, as ``fmin`` does when its objective reports a failure.
"""

import math

import numpy as np

from bench.codec import decode, redraw
from bench.strategy import Strategy
from bench.variants import Parameter

#: Forbidden draws allowed in a row before the strategy gives up (and its run fails, saying why).
MAX_REDRAWS = 1000


def hyperopt_space(space):
    from hyperopt import hp

    out = {}
    for d in space:
        if d.kind == "categorical":
            out[d.name] = hp.choice(d.name, list(range(len(d.choices))))
        elif d.kind == "integer" and d.log:
            out[d.name] = hp.qloguniform(d.name, math.log(d.low), math.log(d.high), 1)
        elif d.kind == "integer":
            out[d.name] = hp.quniform(d.name, d.low, d.high, 1)
        elif d.log:
            out[d.name] = hp.loguniform(d.name, math.log(d.low), math.log(d.high))
        else:
            out[d.name] = hp.uniform(d.name, d.low, d.high)
    return out


def _unused_objective(params):
    raise RuntimeError("the harness evaluates configurations, not hyperopt")


class Hyperopt(Strategy):
    library = "hyperopt"
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)
    algorithm = Parameter("tpe", allowed=("tpe", "anneal"), help="hyperopt's suggest module")
    aliases = {"hyperopt_tpe": {"algorithm": "tpe"}, "hyperopt_anneal": {"algorithm": "anneal"}}

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        from hyperopt import Domain, Trials

        self.domain = Domain(_unused_objective, hyperopt_space(space))
        self.trials = Trials()
        # fmin draws each suggestion's seed from one generator, seeded once: so do we.
        self.rng = np.random.default_rng(seed)
        self._doc = None

    def ask(self):
        from hyperopt import STATUS_FAIL

        def draw():
            doc = self._new_trial()
            return doc, decode(self.space, {k: v[0] for k, v in doc["misc"]["vals"].items()})

        self._doc, config = redraw(draw, self.space,
                                   lambda doc: self._finish(doc, {"status": STATUS_FAIL}),
                                   MAX_REDRAWS)
        return config

    def tell(self, suggestion, score):
        from hyperopt import STATUS_OK

        self._finish(self._doc, {"loss": -score, "status": STATUS_OK})  # hyperopt minimizes

    def tell_failure(self, suggestion, score):
        from hyperopt import STATUS_FAIL

        self._finish(self._doc, {"status": STATUS_FAIL})

    @classmethod
    def initial_design(cls, space, budget):
        """TPE's random startup trials (``n_startup_jobs``, its default); annealing starts
        around the best trial from the first score on."""
        if cls.algorithm != "tpe":
            return 0
        import inspect

        from hyperopt import tpe

        return min(int(inspect.signature(tpe.suggest).parameters["n_startup_jobs"].default),
                   budget)

    def _new_trial(self):
        import importlib

        from hyperopt import JOB_STATE_RUNNING

        suggest = importlib.import_module(f"hyperopt.{self.algorithm}").suggest
        ids = self.trials.new_trial_ids(1)
        self.trials.refresh()
        docs = suggest(ids, self.domain, self.trials, int(self.rng.integers(2**31 - 1)))
        self.trials.insert_trial_docs(docs)
        self.trials.refresh()
        doc = self.trials._dynamic_trials[-1]  # the stored copy, as fmin's own loop updates it
        doc["state"] = JOB_STATE_RUNNING
        return doc

    def _finish(self, doc, result):
        from hyperopt import JOB_STATE_DONE

        doc["state"] = JOB_STATE_DONE
        doc["result"] = result
        self.trials.refresh()
