"""Discovery: strategy files, their identity, and files that cannot be used."""

from bench.registry import discover
from bench.strategy import Strategy, describe, source_hash

TINY = "tiny_catalogue"


def test_strategies_are_found_by_file_with_their_identity():
    found = discover()
    grid = found["grid"]
    assert grid.available and grid.origin.endswith("strategies/grid.py")
    assert grid.version.startswith("searchbench-") and len(grid.source_hash) == 10
    assert found["skopt_gp"].library == "scikit-optimize"
    assert found["hyperband"].multi_fidelity and not found["smac"].multi_fidelity


def test_identity_hashes_the_helpers_a_strategy_inherits_from():
    from bench.strategies._skopt import SkoptStrategy
    from bench.strategies.skopt import Skopt

    class Other(SkoptStrategy):
        pass

    assert source_hash(Skopt) != source_hash(Other)  # different files, same helper


def test_a_missing_requirement_makes_a_strategy_unavailable_with_the_reason():
    class NeedsMissing(Strategy):
        library = "optuna"
        requires = ("a-distribution-that-is-not-installed",)

        def ask(self):
            return {}

        def tell(self, suggestion, score):
            pass

    info = describe(NeedsMissing, "needs_missing", "here")
    assert not info.available
    assert info.reason == "needs a-distribution-that-is-not-installed (not installed)"
    assert info.library_version  # optuna itself is installed: its version is still shown


BROKEN = '''"""A strategy whose module fails to import."""

import a_module_that_does_not_exist  # noqa: F401
'''


def test_a_strategy_file_that_fails_to_import(tmp_path, cli, strategies_copy):
    (strategies_copy / "broken.py").write_text(BROKEN)

    listing = cli("list", "strategies", check=0).stdout
    row = next(line for line in listing.splitlines() if line.startswith("broken "))
    assert ("unavailable: import failed: ModuleNotFoundError: "
            "No module named 'a_module_that_does_not_exist'") in row
    assert "available strategies from" in listing  # the others are listed as before
    assert next(line for line in listing.splitlines() if line.startswith("random ")).endswith(
        " available")

    # selecting it by name is bad input, refused before anything is written
    store = tmp_path / "store.sqlite"
    refused = cli("run", "tiny", "--strategies", "broken,random", "--store", store,
                  catalogue=TINY, check=2)
    assert "strategy 'broken' cannot be used: import failed: ModuleNotFoundError" in refused.stderr
    assert str(strategies_copy / "broken.py") in refused.stderr
    assert not store.exists()

    # a pattern that happens to match it leaves it out: every other strategy still runs
    ran = cli("run", "tiny", "--strategies", "*", "--problems", "ridge-line", "--seeds", "1",
              "--budget", "3", "--store", store, "--jobs", "2", "--no-progress",
              catalogue=TINY, check=0)
    available = sum(1 for info in discover().values() if info.available)
    assert f"{available} completed, 0 failed" in ran.stderr
    assert f"{available} strategies" in ran.stderr
