"""Strategy variants: ``name[key=value]`` on the command line, aliases, identity, bad input."""

import importlib.metadata
import pickle
import subprocess
import sys

import cloudpickle
import pytest

from bench import registry
from bench.errors import BadInput
from bench.registry import discover, parametrized
from bench.strategy import describe
from bench.variants import select, split_names

TINY = "tiny_catalogue"


def pick(*patterns):
    return select(list(patterns), discover(), parametrized())


def test_commas_split_outside_brackets_only():
    assert split_names("a,b[x=1,y=2], c") == ["a", "b[x=1,y=2]", "c"]
    with pytest.raises(BadInput, match="empty name"):
        split_names("a,,b")


def test_an_alias_and_its_spelled_out_variant_are_one_strategy():
    chosen = pick("ng_de", "nevergrad[optimizer=TwoPointsDE]", "skopt[surrogate=RF]", "skopt_rf")
    assert [info.name for info in chosen] == ["ng_de", "skopt_rf"]
    assert chosen[0].version == discover()["ng_de"].version
    # a parametrized strategy named alone is its default setting, which has an alias here
    assert [info.name for info in pick("nevergrad")] == ["ng_ngopt"]


def test_a_variant_without_alias_gets_a_canonical_name_and_its_parameters():
    (info,) = pick("nevergrad[optimizer=RandomSearch]")
    assert info.name == "nevergrad[optimizer=RandomSearch]" and info.available
    assert info.cls.optimizer == "RandomSearch"
    assert info.cls.variant_params == {"optimizer": "RandomSearch"}
    # the parameters are in the name, so in every run's identity; the version is the file's
    assert info.version == discover()["ng_de"].version
    (again,) = pick("nevergrad[ optimizer = RandomSearch ]")
    assert again.cls is info.cls


def test_a_bracket_without_equals_sign_is_still_a_glob():
    assert {info.name for info in pick("ng_[dn]*")} == {"ng_de", "ng_ngopt"}


@pytest.mark.parametrize("text, message", [
    ("nevergrad[optimizer=PSo]", "optimizer='PSo' is not allowed (did you mean PSO"),
    ("nevergrad[optimzer=PSO]", "has no parameter 'optimzer' (did you mean optimizer?); "
                                "its parameters: optimizer"),
    ("skopt[surrogate=gp]",
     "surrogate='gp' is not allowed (did you mean GP?); allowed: GP, RF, ET, GBRT"),
    ("nevergrd[optimizer=PSO]", "unknown strategy 'nevergrd' in 'nevergrd[optimizer=PSO]' "
                                "(did you mean nevergrad?)"),
    ("skopt[surrogate=GP,surrogate=RF]", "sets 'surrogate' twice"),
    ("skopt[surrogate]", "unknown strategy"),
])
def test_unknown_parameters_and_values_are_bad_input_naming_the_allowed(text, message):
    with pytest.raises(BadInput) as err:
        pick(text)
    assert message in str(err.value)


def test_a_variant_class_travels_to_another_process_unchanged():
    (info,) = pick("nevergrad[optimizer=RandomSearch]")
    assert pickle.loads(pickle.dumps(info.cls)) is info.cls
    assert cloudpickle.loads(cloudpickle.dumps(info)).cls is info.cls
    code = ("import pickle, sys; from bench.strategy import describe; "
            "info = pickle.loads(sys.stdin.buffer.read()); "
            "print(describe(info.cls, info.name, info.origin).version, info.cls.optimizer)")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(info),
                         capture_output=True, check=True).stdout.decode().split()
    assert out == [info.version, "RandomSearch"]
    assert describe(info.cls, info.name, info.origin).version == info.version


def test_the_command_line_runs_a_variant_once_under_its_canonical_name(tmp_path, cli_here):
    store = tmp_path / "store.sqlite"
    proc = cli_here("run", "tiny", "--strategies",
                    "nevergrad[optimizer=RandomSearch],ng_de,nevergrad[optimizer=TwoPointsDE]",
                    "--problems", "ridge-line", "--seeds", "1", "--budget", "3", "--store", store,
                    "--jobs", "2", "--no-progress", catalogue=TINY, check=0)
    assert "2 runs (0 done, 0 to resume, 2 new" in proc.stderr and "2 completed" in proc.stderr
    import sqlite3

    names = {row[0] for row in sqlite3.connect(store).execute("SELECT strategy FROM runs")}
    assert names == {"nevergrad[optimizer=RandomSearch]", "ng_de"}
    bad = cli_here("run", "tiny", "--strategies", "optuna[sampler=TPEE]", "--store", tmp_path / "x",
                   catalogue=TINY, check=2)
    assert "sampler='TPEE' is not allowed (did you mean TPE" in bad.stderr
    listed = cli_here("list", "strategies", "--variants", check=0).stdout
    assert "optuna[sampler=...]" in listed and "optuna_tpe = optuna[sampler=TPE]" in listed


DUPLICATE = '''"""A second strategy called ng_de, which an alias of nevergrad.py already names."""

from bench.strategies.random import RandomSearch


class Again(RandomSearch):
    pass
'''


def test_two_strategies_with_one_name_fail_discovery_loudly(cli, strategies_copy):
    (strategies_copy / "ng_de.py").write_text(DUPLICATE)
    proc = cli("list", "strategies", check=2)
    assert "two strategies are named 'ng_de'" in proc.stderr
    assert str(strategies_copy / "nevergrad.py") in proc.stderr
    assert str(strategies_copy / "ng_de.py") in proc.stderr


def test_an_entry_point_reusing_a_name_fails_discovery_loudly(monkeypatch):
    point = importlib.metadata.EntryPoint(
        name="random", value="bench.strategies.sobol:SobolSearch", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [point] if group == registry.ENTRY_POINT_GROUP else [])
    registry._scan.cache_clear()
    try:
        with pytest.raises(registry.DuplicateStrategy, match="two strategies are named 'random'"):
            discover()
    finally:
        monkeypatch.undo()
        registry._scan.cache_clear()
