"""Tree-structured Parzen estimator (hyperopt's ``tpe.suggest``, its default settings).

hyperopt has no public ask/tell: its ``fmin`` loop asks ``tpe.suggest`` for new trial documents,
inserts them into a ``Trials`` object, evaluates them and writes their results back. This adapter
runs exactly those steps, one trial at a time, with the harness in the evaluator's place. The
space is flat (every dimension searched; the configuration keeps the active ones); categorical
choices are drawn as indices. A draw that lands on a forbidden combination is written back as a
failed trial (hyperopt's TPE counts it as an infinitely bad point) and the strategy draws again,
without spending the harness's budget.
"""

import math

import numpy as np

from bench.strategy import Strategy

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


class HyperoptTPE(Strategy):
    library = "hyperopt"

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

        for _ in range(MAX_REDRAWS):
            doc = self._new_trial()
            config = self._config(doc["misc"]["vals"])
            if not self.space.is_forbidden(config):
                self._doc = doc
                return config
            self._finish(doc, {"status": STATUS_FAIL})
        raise RuntimeError(f"{MAX_REDRAWS} draws in a row fell on forbidden combinations")

    def tell(self, suggestion, score):
        from hyperopt import STATUS_OK

        self._finish(self._doc, {"loss": -score, "status": STATUS_OK})  # hyperopt minimizes

    def _new_trial(self):
        from hyperopt import JOB_STATE_RUNNING, tpe

        ids = self.trials.new_trial_ids(1)
        self.trials.refresh()
        docs = tpe.suggest(ids, self.domain, self.trials, int(self.rng.integers(2**31 - 1)))
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

    def _config(self, vals):
        flat = {}
        for d in self.space:
            value = vals[d.name][0]
            if d.kind == "categorical":
                flat[d.name] = d.choices[int(value)]
            elif d.kind == "integer":
                flat[d.name] = int(min(max(round(value), d.low), d.high))
            else:
                flat[d.name] = float(min(max(value, d.low), d.high))
        return self.space.project(flat)
