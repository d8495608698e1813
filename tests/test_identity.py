"""A strategy's identity follows the code that runs, not the bytes of its files: editing a
docstring or a comment keeps it, editing the code changes it."""

import importlib.metadata
import importlib.util
import sys
from pathlib import Path

import bench
from bench.strategy import code_digest, source_hash

ROOT = Path(__file__).resolve().parents[1]


def identity(folder, text):
    """The source hash of the strategy class defined by ``text``, saved as ``random.py`` in
    ``folder`` and imported as a module of its own."""
    folder.mkdir()
    path = folder / "random.py"
    path.write_text(text)
    name = f"identity_{folder.name}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        return source_hash(module.RandomSearch)
    finally:
        del sys.modules[name]


def test_docstrings_and_comments_keep_a_strategys_identity_its_code_does_not(strategies_copy):
    original = (strategies_copy / "random.py").read_text()
    base = strategies_copy.parent
    same = identity(base / "original", original)

    docstring = original.replace("Random search:", "Random search, as a baseline:")
    assert docstring != original
    method_doc = original.replace(
        "    def ask(self):\n", '    def ask(self):\n        """A uniform draw."""\n')
    assert method_doc != original
    comment = original.replace(
        "        self.rng = np.random.default_rng(seed)\n",
        "        # one generator per run, seeded by the harness\n"
        "        self.rng = np.random.default_rng(seed)  # numpy's PCG64\n\n")
    assert comment != original
    for n, text in enumerate((docstring, method_doc, comment)):
        assert identity(base / f"edited{n}", text) == same

    code = original.replace("default_rng(seed)", "default_rng(seed + 1)")
    assert code != original
    assert identity(base / "code", code) != same
    returned = original.replace("        pass\n", "        return None\n")
    assert returned != original
    assert identity(base / "code2", returned) != same


def test_a_harness_file_is_hashed_by_its_code():
    """The shaping files of the harness (the run loop, the space) too: a comment or docstring
    fixed in runner.py invalidates no stored run."""
    source = (ROOT / "bench" / "runner.py").read_text()
    edited = source.replace('"""One run:', '"""One run of a strategy:', 1).replace(
        "        started = time.perf_counter()\n",
        "        started = time.perf_counter()  # the strategy's own time\n", 1)
    assert edited != source
    assert code_digest(edited.encode()) == code_digest(source.encode())
    changed = source.replace("spent += cost", "spent += 2 * cost", 1)
    assert changed != source
    assert code_digest(changed.encode()) != code_digest(source.encode())


def test_the_version_is_the_installed_distributions():
    assert bench.__version__ == importlib.metadata.version("searchbench")
