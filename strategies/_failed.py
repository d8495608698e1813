"""Shared helper of the GP-based strategies: the configurations whose evaluation failed, which
they must never propose again.

A GP's model is what keeps it from a failed configuration, and a model can still land on one:
optuna's GP sampler leaves failed trials out of its model, random initial draws know nothing of
them, and an acquisition maximum on a discrete space can fall on the same point twice. Drawing
with a :class:`FailedConfigurations` in the place of the space (``bench.codec.redraw`` reads its
``is_forbidden``) treats a failed configuration like a forbidden combination: it goes to the
strategy's ``refused`` (told to its library as bad) and the strategy draws again, without
spending the harness's budget.
"""

import json

import numpy as np


def _key(config):
    return json.dumps(config, sort_keys=True,
                      default=lambda v: v.item() if isinstance(v, np.generic) else str(v))


class FailedConfigurations:
    """The failed configurations of one run, and the space with them forbidden."""

    def __init__(self, space):
        self.space = space
        self._keys = set()

    def add(self, config):
        self._keys.add(_key(config))

    def __contains__(self, config):
        return _key(config) in self._keys

    def is_forbidden(self, config):
        """Forbidden by the space, or failed before: what ``bench.codec.redraw`` reads."""
        return self.space.is_forbidden(config) or (bool(self._keys) and config in self)
