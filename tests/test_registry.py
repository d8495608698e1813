from bench.registry import discover
from bench.strategy import source_hash


def test_strategies_are_found_by_file_with_their_identity():
    found = discover()
    grid = found["grid"]
    assert grid.available and grid.origin.endswith("strategies/grid.py")
    assert grid.version.startswith("searchbench-") and len(grid.source_hash) == 10
    assert found["skopt_gp"].library == "scikit-optimize"


def test_identity_hashes_the_helpers_a_strategy_inherits_from():
    from bench.strategies._skopt import SkoptStrategy
    from bench.strategies.skopt_gp import SkoptGP

    class Other(SkoptStrategy):
        pass

    assert source_hash(SkoptGP) != source_hash(Other)  # different files, same helper
