"""Discovery: strategy files, their identity, and files that cannot be used."""

import importlib
import sys
from pathlib import Path

import pytest

from bench.registry import discover
from bench.strategy import Strategy, describe, shaping_files, source_hash

TINY = "tiny_catalogue"


def test_strategies_are_found_by_file_with_their_identity():
    found = discover()
    grid = found["grid"]
    assert grid.available and grid.origin.endswith("strategies/grid.py")
    assert grid.version.startswith("searchbench-") and len(grid.source_hash) == 10
    assert found["skopt_gp"].library == "scikit-optimize"
    assert found["hyperband"].multi_fidelity and not found["smac"].multi_fidelity


HELPER_BASE = '''"""A base class strategies inherit from."""
from bench.strategy import Strategy


class Base(Strategy):
    def tell(self, suggestion, score):
        pass
'''

HELPER_FUNCTIONS = '''"""Functions strategies call."""


def first(space):
    return space.default()
'''

STRATEGY = '''"""A strategy that inherits from one helper and calls another."""
from plugged._base import Base
from plugged._calls import first


class Plugged(Base):
    def ask(self):
        return first(self.space)
'''


@pytest.fixture
def plugged(tmp_path, monkeypatch):
    """A strategy package of its own: ``plugged/one.py`` with helpers ``_base.py``, ``_calls.py``."""
    folder = tmp_path / "plugged"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "_base.py").write_text(HELPER_BASE)
    (folder / "_calls.py").write_text(HELPER_FUNCTIONS)
    (folder / "one.py").write_text(STRATEGY)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield folder, importlib.import_module("plugged.one").Plugged
    for name in [m for m in sys.modules if m == "plugged" or m.startswith("plugged.")]:
        del sys.modules[name]


@pytest.mark.parametrize("helper", ["_base.py", "_calls.py", "one.py"])
def test_editing_a_strategy_or_any_helper_it_uses_changes_its_identity(plugged, helper):
    folder, cls = plugged
    before = source_hash(cls)
    assert source_hash(cls) == before  # stable while nothing changes
    path = folder / helper
    text = path.read_text()
    path.write_text(text + "\n# edited\n")
    assert source_hash(cls) == before  # a comment runs nothing (tests/test_identity.py)
    path.write_text(text + "\nEDITED = True\n")
    assert source_hash(cls) != before


def test_identity_covers_the_space_and_the_run_loop(plugged):
    _, cls = plugged
    bench = Path(__file__).resolve().parents[1] / "bench"
    names = [p.name for p in shaping_files(cls)]
    assert names == ["one.py", "_base.py", "_calls.py", "space.py", "grid.py", "codec.py", "runner.py"]
    assert {bench / "space.py", bench / "runner.py"} <= set(shaping_files(cls))


def test_identity_covers_the_versions_of_what_a_strategy_requires(plugged, monkeypatch):
    _, cls = plugged

    class NeedsNumpy(cls):
        requires = ("numpy",)

    before, plain = source_hash(NeedsNumpy), source_hash(cls)
    import bench.strategy

    real = bench.strategy.distribution_version
    monkeypatch.setattr(bench.strategy, "distribution_version",
                        lambda d: "0.0.fake" if d == "numpy" else real(d))
    assert source_hash(NeedsNumpy) != before
    assert source_hash(cls) == plain  # requires nothing: unaffected


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
