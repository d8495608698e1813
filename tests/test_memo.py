"""Facts remembered between commands (bench.memo): computed once, recomputed when what they are
made from changes, never used for a catalogue they do not describe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import memo
from bench.catalogue import Catalogue, load_catalogue

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SEARCHBENCH_CACHE", str(folder))
    return folder


def counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_computed_once_per_key(cache):
    compute, calls = counting({"a": 1})
    assert memo.remember("kind", ["k"], compute) == {"a": 1}
    assert memo.remember("kind", ["k"], compute) == {"a": 1}
    assert len(calls) == 1
    memo.remember("kind", ["other"], compute)
    assert len(calls) == 2
    assert (cache / "kind.json").exists()


def test_off_always_computes(monkeypatch):
    monkeypatch.setenv("SEARCHBENCH_CACHE", "off")
    compute, calls = counting(3)
    memo.remember("kind", ["k"], compute)
    memo.remember("kind", ["k"], compute)
    assert len(calls) == 2


def test_a_searchbench_variable_changes_the_key(cache, monkeypatch):
    compute, calls = counting(3)
    memo.remember("kind", ["k"], compute)
    monkeypatch.setenv("SEARCHBENCH_SOMETHING", "else")
    memo.remember("kind", ["k"], compute)
    assert len(calls) == 2


def test_an_unwritable_cache_still_gives_the_value(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SEARCHBENCH_CACHE", str(blocker / "cache"))
    compute, calls = counting(5)
    assert memo.remember("kind", ["k"], compute) == 5
    assert memo.remember("kind", ["k"], compute) == 5
    assert len(calls) == 2


def test_only_the_last_entries_are_kept(cache):
    for i in range(5):
        memo.remember("kind", [str(i)], lambda: 0, keep=3)
    compute, calls = counting(0)
    memo.remember("kind", ["4"], compute, keep=3)
    memo.remember("kind", ["0"], compute, keep=3)
    assert len(calls) == 1  # "4" was kept, "0" was dropped


def test_an_edited_loader_module_changes_a_datasets_key(tmp_path, monkeypatch):
    module = tmp_path / "loader_mod.py"
    module.write_text("def load():\n    return [[1.0]] * 3, None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    from bench.problem import Dataset

    mod = importlib.import_module("loader_mod")
    before = memo.dataset_key(Dataset("d", "density", mod.load))
    module.write_text("def load():\n    return [[1.0]] * 4, None\n")
    memo.file_digest.cache_clear()
    after = memo.dataset_key(Dataset("d", "density", mod.load))
    assert before != after
    sys.modules.pop("loader_mod", None)


def test_the_catalogue_digests_are_remembered_and_equal(cache):
    catalogue = load_catalogue("tiny_catalogue")
    fresh = catalogue._hash_problems()
    assert memo.catalogue_digests(catalogue, catalogue._hash_problems) == fresh
    assert memo.catalogue_digests(catalogue, lambda: pytest.fail("recomputed")) == fresh


def test_a_catalogue_assembled_otherwise_is_always_hashed(cache):
    own = load_catalogue("tiny_catalogue")
    other = Catalogue.from_problems(list(own.problems.values())[:1], module="tiny_catalogue")
    memo.catalogue_digests(own, own._hash_problems)
    compute, calls = counting({})
    memo.catalogue_digests(other, compute)
    memo.catalogue_digests(other, compute)
    assert len(calls) == 2


CHECK_NO_DATA = """
import bench.problem as problem
loaded = []
arrays = problem.Dataset.arrays
problem.Dataset.arrays = lambda self: loaded.append(self.name) or arrays(self)
from bench.catalogue import load_catalogue
catalogue = load_catalogue()
print(catalogue.fingerprint)
print(",".join(loaded))
"""


def test_the_second_command_loads_no_data_and_has_the_same_fingerprint(cache):
    env = dict(os.environ, SEARCHBENCH_CACHE=str(cache))
    env.pop("SEARCHBENCH_CATALOGUE", None)

    def start():
        out = subprocess.run([sys.executable, "-c", CHECK_NO_DATA], capture_output=True,
                             text=True, env=env, cwd=ROOT, check=True).stdout.splitlines()
        return out[0], out[1] if len(out) > 1 else ""

    first_print, first_loaded = start()
    second_print, second_loaded = start()
    assert first_loaded  # the first start hashed the data
    assert second_loaded == ""
    assert first_print == second_print
    off = dict(env, SEARCHBENCH_CACHE="off")
    uncached = subprocess.run([sys.executable, "-c", CHECK_NO_DATA], capture_output=True,
                              text=True, env=off, cwd=ROOT, check=True).stdout.splitlines()[0]
    assert uncached == first_print
