"""nevergrad's NGOpt: a wizard that picks an optimizer for the space, budget and parallelism
(nevergrad's recommended default)."""

from bench.strategies._nevergrad import NevergradStrategy


class NevergradNGOpt(NevergradStrategy):
    optimizer = "NGOpt"
