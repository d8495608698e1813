"""A newcomer's path: ``report`` never replaces results it did not come from and says what the
store holds, a strategy file that fails to import is named, ``--version``, and a README whose
numbers agree with the tool. The commands run in process (``bench.cli.main``)."""

import hashlib
import re
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from bench import registry, report_target
from bench.errors import BadInput
from bench.cli import main

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "results" / "quick"
#: A run of the quick suite small enough to compute in a test: svc-wine evaluates in milliseconds
#: (at a budget of 4, the smallest whose grid keeps each of svc-wine's kernels).
SMALL = ["--problems", "svc-wine", "--strategies", "random,grid", "--seeds", "1", "--budget", "4"]


def folder_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def other_store(tmp_path_factory):
    """A store other than the default one, holding the runs of SMALL (computed here)."""
    store = tmp_path_factory.mktemp("other") / "other.sqlite"
    assert main(["run", "quick", "--store", str(store), *SMALL, "--jobs", "1",
                 "--no-progress"]) == 0
    return store


def test_version_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert capsys.readouterr().out.strip() == f"searchbench {declared}"


def test_a_report_from_another_store_leaves_the_committed_results_as_they_are(other_store,
                                                                              capsys):
    before = folder_digest(QUICK)
    assert main(["report", "quick", "--store", str(other_store), *SMALL]) == 0
    err = capsys.readouterr().err
    assert folder_digest(QUICK) == before
    own = other_store.parent / "other-quick"  # named after the store, beside it
    assert f"written to {own}" in err
    board = pd.read_csv(own / "leaderboard.csv")
    assert set(board["strategy"]) == {"random", "grid"}
    # after writing it says who leads, from the leaderboard it wrote, and the power statement
    first = board.iloc[0]
    assert f"1. {first['strategy']}" in err
    assert f"normalized score {first['normalized_score']:.3f}" in err
    power = next(line for line in (own / "leaderboard.md").read_text().splitlines()
                 if line.startswith("Power"))
    assert power in err

    # asked to write into the committed folder, it refuses and names both ways out
    code = main(["report", "quick", "--store", str(other_store), *SMALL, "--out", str(QUICK)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{QUICK} holds results tracked by git" in err
    assert "--out" in err and "--overwrite" in err
    assert folder_digest(QUICK) == before


def test_a_folder_holding_a_report_of_other_settings_is_replaced_only_when_told(other_store,
                                                                               tmp_path, capsys):
    out = tmp_path / "mine"
    assert main(["report", "quick", "--store", str(other_store), *SMALL, "--out", str(out)]) == 0
    written = folder_digest(out)
    fewer = [*SMALL[:3], "random", *SMALL[4:]]  # the same runs, random search alone
    code = main(["report", "quick", "--store", str(other_store), *fewer, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "holds a report made with other settings" in err and "strategies random,grid" in err
    assert folder_digest(out) == written
    # --force keeps its meaning (write although nothing changed); --overwrite replaces
    assert main(["report", "quick", "--store", str(other_store), *fewer, "--out", str(out),
                 "--overwrite"]) == 0
    assert set(pd.read_csv(out / "leaderboard.csv")["strategy"]) == {"random"}


def test_the_settings_a_store_holds_are_named_when_the_suites_runs_are_not_in_it(other_store,
                                                                                capsys):
    before = folder_digest(QUICK)
    code = main(["report", "quick", "--store", str(other_store)])
    err = capsys.readouterr().err
    assert code == 2
    assert "holds none of the quick runs asked for" in err
    assert "--budget 4 --seeds 1 --strategies grid,random --problems svc-wine (2 runs)" in err
    assert folder_digest(QUICK) == before


def test_settings_held_names_only_the_options_that_differ():
    held = [("a", "random", 0, 10), ("a", "random", 1, 10), ("b", "grid", 0, 20)]
    assert report_target.settings_held(held, ["random", "grid"], ["a"], (20, 3)) == [
        "--budget 10 --seeds 2 --strategies random (2 runs)",
        "--budget 20 --seeds 1 --strategies grid --problems b (1 runs)",
    ]
    # the very settings asked for, yet not the suite's runs: other identities
    same = report_target.settings_held([("a", "random", 0, 20)], ["random"], ["a"], (20, 1))
    assert "made by other versions" in same[0]


def test_an_empty_folder_or_one_of_the_same_settings_is_not_committed(tmp_path):
    settings = report_target.Settings("s", ("p",), ("random",), 2, 10)
    assert report_target.committed(tmp_path / "missing", settings) == ""
    assert report_target.committed(tmp_path, settings) == ""
    (tmp_path / "manifest.json").write_text(
        '{"suite": {"name": "s", "problem_patterns": ["p"], "strategy_patterns": ["random"], '
        '"seeds": [0, 1], "budget": 10}}')
    assert report_target.committed(tmp_path, settings) == ""
    other = report_target.Settings("s", ("p",), ("random",), 3, 10)
    assert "other settings" in report_target.committed(tmp_path, other)
    (tmp_path / "manifest.json").write_text("not json")
    assert "settings it does not record" in report_target.committed(tmp_path, settings)


# -- plug-in errors ------------------------------------------------------------------------------
BROKEN = "import a_module_that_does_not_exist\n"
NEEDS = """from bench.strategy import Strategy


class Needs(Strategy):
    library = "numpy"
    requires = ("a_distribution_that_is_not_installed",)

    def ask(self):
        return None

    def tell(self, suggestion, score):
        pass
"""


@pytest.fixture
def broken_strategy(tmp_path, monkeypatch):
    """strategies/ as a copy holding one more file that fails to import, read in this process."""
    import bench.strategies as package

    folder = tmp_path / "strategies"
    shutil.copytree(ROOT / "strategies", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "broken.py").write_text(BROKEN)
    (folder / "needs.py").write_text(NEEDS)  # loads, but its library is missing
    monkeypatch.setattr(package, "__path__", [str(folder)])
    monkeypatch.setenv("SEARCHBENCH_STRATEGIES", str(folder))  # evaluation children too
    monkeypatch.setenv("SEARCHBENCH_CATALOGUE", "tiny_catalogue")
    registry._scan.cache_clear()
    yield folder / "broken.py"
    registry._scan.cache_clear()


def test_a_strategy_file_that_fails_to_import_is_named_by_a_run_that_would_take_it(
        broken_strategy, tmp_path, capsys):
    failures = registry.load_failures()
    assert [(f.name, f.origin) for f in failures] == [("broken", str(broken_strategy))]
    line = (f"searchbench: strategy file {broken_strategy} left out: import failed: "
            "ModuleNotFoundError: No module named 'a_module_that_does_not_exist'")

    store = tmp_path / "s.sqlite"
    assert main(["run", "tiny", "--strategies", "brok*,random", "--problems", "ridge-line",
                 "--seeds", "1", "--budget", "3", "--store", str(store), "--jobs", "1",
                 "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert line in err.splitlines()
    assert "1 completed, 0 failed" in err  # the others go on

    # every strategy (a suite without a list): named too, before anything else is checked
    suite = tmp_path / "every.toml"
    suite.write_text('name = "every"\nproblems = ["ridge-line"]\nseeds = 1\nbudget = 3\n')
    assert main(["report", str(suite), "--store", str(tmp_path / "none.sqlite")]) == 2
    assert line in capsys.readouterr().err.splitlines()

    # a list that names it is bad input, as before, and names no failure it was not asked for
    assert main(["run", "tiny", "--strategies", "broken,random", "--store",
                 str(tmp_path / "t.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "strategy 'broken' cannot be used: import failed" in err
    assert "left out" not in err


def test_a_missing_library_is_not_a_load_failure(broken_strategy):
    needs = registry.discover()["needs"]
    assert not needs.available and needs.reason.startswith("needs a_distribution_that_is_not")
    assert "needs" not in {f.name for f in registry.load_failures()}


# -- the README ---------------------------------------------------------------------------------
README = (ROOT / "README.md").read_text()


def test_the_readme_is_short_and_starts_with_the_set_up_commands():
    lines = README.splitlines()
    assert len(lines) <= 250
    head = "\n".join(lines[:60])
    assert re.search(r"^make bench\b", head, re.M) and re.search(r"^make test\b", head, re.M)
    sections = re.split(r"^### ", README.split("\n## Results\n", 1)[1].split("\n## ", 1)[0],
                        flags=re.M)[1:]
    assert len(sections) == 3
    for section in sections:
        assert len(section.splitlines()) <= 40, section.splitlines()[0]


def test_the_counts_the_readme_and_the_catalogue_page_state_are_the_catalogues():
    from bench.catalogue import load_catalogue

    catalogue = load_catalogue("bench.datasets")
    counts: dict[str, int] = {}
    for problem in catalogue.problems.values():
        counts[problem.task] = counts.get(problem.task, 0) + 1
    stated = re.search(r"(\d+) problems \(([^)]*)\)", README.replace("\n", " "))
    assert int(stated.group(1)) == len(catalogue.problems)
    by_task = {m.group(2): int(m.group(1))
               for m in re.finditer(r"(\d+) (\w+)", stated.group(2))}
    assert by_task == counts
    page = (ROOT / "docs" / "catalogue.md").read_text()
    assert page.startswith(f"# Catalogue\n\n{len(catalogue.problems)} problems")
    for task, n in counts.items():
        assert re.search(rf"^- \*\*{n} {task}", page, re.M), task


def test_the_bibtex_entry_agrees_with_citation_cff_and_the_package():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    cff = (ROOT / "CITATION.cff").read_text()
    entry = re.search(r"```bibtex\n(@software\{.*?\n\})\n```", README, re.S).group(1)
    assert f"version = {{{version}}}" in entry.replace("  ", " ").replace("  ", " ")
    assert re.search(rf"^version: {re.escape(version)}$", cff, re.M)
    title = re.search(r'^title: "(.*)"$', cff, re.M).group(1)
    assert f"{{{title}}}" in entry


def test_every_link_of_the_readme_and_the_docs_pages_leads_to_a_file():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_only_the_default_store_with_the_suite_s_own_settings_writes_results_suite(
        tmp_path, monkeypatch):
    from bench.suite import Suite

    default = tmp_path / ".searchbench" / "store.sqlite"
    monkeypatch.setattr(report_target, "default_store", lambda: default)
    quick = Suite("quick", ("svc-wine",), None, seeds=3, budget=20)
    own = report_target.output_folder(quick, quick, default, None)
    assert own == QUICK
    report_target.check_replace(own, quick, quick, default, overwrite=False)  # make bench-quick
    assert report_target.output_folder(quick, quick, default, tmp_path / "x") == tmp_path / "x"

    fewer = quick.with_overrides(seeds=1)
    other = report_target.output_folder(fewer, quick, default, None)
    assert other == default.parent / "store-quick"
    elsewhere = tmp_path / "other.sqlite"
    assert report_target.output_folder(quick, quick, elsewhere, None) == tmp_path / "other-quick"
    # the committed folder named explicitly: refused from other settings or another store
    for suite, store in ((fewer, default), (quick, elsewhere)):
        with pytest.raises(BadInput, match="tracked by git.*--out.*--overwrite"):
            report_target.check_replace(QUICK, suite, quick, store, overwrite=False)
        report_target.check_replace(QUICK, suite, quick, store, overwrite=True)
