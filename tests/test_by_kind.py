"""Results by kind of problem: groups formed from each problem's definition, the effect of a group
the mean of the leaderboard's per-problem differences, intervals that hold the mean, none for one
problem, and the same files from the same store."""

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import synthetic_store as synth
from bench.by_kind import BY_KIND_CSV, BY_KIND_MD, CSV_COLUMNS, dimension_group, group_interval
from bench.catalogue import Catalogue, Reference
from bench.report import write_report
from bench.stats import problem_means
from bench.store import open_store
from bench.suite import Suite


@dataclass(frozen=True)
class KindProblem:
    """A made-up problem with a task, a model family and a space of ``dims`` dimensions, the
    last ``conditional`` of them with a condition: what the breakdowns read of a problem."""

    id: str
    task: str
    model: str
    dims: int
    conditional: bool = False
    metric: str = "accuracy"
    requires: tuple[str, ...] = ()
    unavailable: str | None = None

    def to_dict(self) -> dict:
        dims = [{"name": f"x{i}", "kind": "real"} for i in range(self.dims)]
        if self.conditional:
            dims[-1]["condition"] = {"parent": "x0", "values": ["a"]}
        return {"id": self.id, "task": self.task, "model": self.model, "metric": self.metric,
                "space": {"dimensions": dims, "forbidden": []}}

    def data_digest(self) -> str:
        return ""


#: problem -> (task, model, dims, conditional)
KINDS = {
    "a-svc": ("classification", "svc", 2, False),
    "b-svc": ("classification", "svc", 5, True),
    "c-knn": ("classification", "knn", 3, False),
    "d-tree": ("regression", "tree", 4, False),
    "e-tree": ("regression", "tree", 7, True),
    "f-gmm": ("density", "gmm", 3, False),
    "g-vae": ("generative", "vae", 8, True),
}
BEHAVIOURS = {"random": synth.Behaviour(0), "good": synth.Behaviour(2),
              "odd": synth.Behaviour(1)}


def report(tmp_path, name="out", skip=()):
    problems = [KindProblem(pid, *kind) for pid, kind in KINDS.items()]
    refs = {p.id: Reference(0.5 + 0.01 * i, 0.8 + 0.01 * i) for i, p in enumerate(problems)}
    cat = Catalogue.from_problems(problems, version="kinds-1", references=refs)
    suite = Suite("kinds", ("*",), None, 3, 8)
    store = open_store(tmp_path / f"{name}.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, BEHAVIOURS, skip=skip)
    out = tmp_path / name
    written = write_report(suite, cat, infos, store, out, figures=False)
    return out, written


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    # ``odd`` has no run on one seed of a-svc and none at all on g-vae
    skip = [("a-svc", "odd", 1)] + [("g-vae", "odd", s) for s in range(3)]
    return report(tmp_path_factory.mktemp("kinds"), skip=skip)


def groups(table, breakdown):
    part = table[table["breakdown"] == breakdown]
    return list(dict.fromkeys(part["group"]))


def test_groups_are_formed_from_each_problems_definition(written):
    out, files = written
    assert {BY_KIND_MD, BY_KIND_CSV} <= {p.name for p in files}
    assert {BY_KIND_MD, BY_KIND_CSV} <= set(json.loads((out / "manifest.json").read_text())["files"])
    table = pd.read_csv(out / BY_KIND_CSV)
    assert list(table.columns) == CSV_COLUMNS
    assert set(table["strategy"]) == {"good", "odd"}  # random is the baseline, not a row
    assert groups(table, "task") == ["classification", "regression", "density/generative"]
    assert groups(table, "model") == ["gmm", "knn", "svc", "tree", "vae"]
    assert groups(table, "dimensions") == ["up to 3", "4 to 6", "more than 6"]
    assert groups(table, "space") == ["flat", "conditional"]
    good = table[table["strategy"] == "good"].set_index(["breakdown", "group"])["problems"]
    assert good[("task", "classification")] == 3 and good[("task", "regression")] == 2
    assert good[("task", "density/generative")] == 2
    assert good[("dimensions", "up to 3")] == 3 and good[("dimensions", "4 to 6")] == 2
    assert good[("dimensions", "more than 6")] == 2
    assert good[("space", "flat")] == 4 and good[("space", "conditional")] == 3
    assert good[("model", "svc")] == 2 and good[("model", "vae")] == 1
    odd = table[table["strategy"] == "odd"].set_index(["breakdown", "group"])["problems"]
    assert ("model", "vae") not in odd.index  # no run there: no row
    assert odd[("task", "density/generative")] == 1


def test_a_groups_effect_is_the_mean_of_its_problems_differences(written):
    out, _ = written
    runs = pd.read_csv(out / "runs.csv")
    means = problem_means(runs, "normalized_score")
    table = pd.read_csv(out / BY_KIND_CSV).set_index(["breakdown", "group", "strategy"])
    for strategy in ("good", "odd"):
        diff = (means[strategy] - means["random"]).dropna()
        for breakdown, group, members in (
                ("task", "classification", ["a-svc", "b-svc", "c-knn"]),
                ("space", "conditional", ["b-svc", "e-tree", "g-vae"]),
                ("dimensions", "more than 6", ["e-tree", "g-vae"])):
            expected = diff.reindex(members).dropna()
            row = table.loc[(breakdown, group, strategy)]
            assert row["problems"] == len(expected)
            assert row["effect"] == pytest.approx(expected.mean(), rel=1e-5)
    # the one seed missing on a-svc: its problem's difference is over the seeds it has
    a_svc = runs[(runs["problem"] == "a-svc") & (runs["strategy"] == "odd")]
    assert len(a_svc) == 2
    # all problems: the leaderboard's effect
    board = pd.read_csv(out / "leaderboard.csv").set_index("strategy")
    flat_and_conditional = table.xs("space", level="breakdown")
    for strategy in ("good", "odd"):
        rows = flat_and_conditional.xs(strategy, level="strategy")
        pooled = (rows["effect"] * rows["problems"]).sum() / rows["problems"].sum()
        assert pooled == pytest.approx(board.loc[strategy, "effect"], rel=1e-5)


def test_intervals_hold_the_mean_and_one_problem_has_none(written):
    out, _ = written
    table = pd.read_csv(out / BY_KIND_CSV)
    for row in table.itertuples():
        if row.problems == 1:
            assert row.interval == "none"
            assert np.isnan(row.effect_low) and np.isnan(row.effect_high)
        else:
            assert row.interval == ("bootstrap" if row.problems >= 5 else "t")
            assert row.effect_low <= row.effect <= row.effect_high
    assert {"none", "t"} <= set(table["interval"])
    markdown = (out / BY_KIND_MD).read_text()
    vae = next(line for line in markdown.splitlines() if line.startswith("| vae (1)"))
    assert "[" not in vae  # one problem: no interval
    svc = next(line for line in markdown.splitlines() if line.startswith("| svc (2)"))
    assert svc.count(" t") == 2  # a t interval, said so
    lines = markdown.splitlines()
    density = next(i for i, line in enumerate(lines) if line.startswith("| density/generative (2)"))
    header = next(lines[i] for i in range(density, 0, -1) if lines[i].startswith("| task"))
    cells = dict(zip([c.strip() for c in header.split("|")], [c.strip() for c in
                                                            lines[density].split("|")]))
    assert cells["odd"].endswith("(1)") and "[" not in cells["odd"]  # one of the two problems
    assert cells["good"].endswith("] t")
    for heading in ("## By task", "## By model family", "## By dimensionality",
                    "## By conditional or flat space", "## Each problem's kind"):
        assert heading in markdown
    readme = (out / "README.md").read_text()
    assert "(by_kind.md)" in readme and "`by_kind.md`, `by_kind.csv`" in readme


def test_the_interval_is_a_bootstrap_from_five_problems_and_a_t_interval_below():
    values = np.array([0.1, 0.3, -0.05, 0.2, 0.15, 0.4])
    low, high, how = group_interval(values)
    assert how == "bootstrap" and low < values.mean() < high
    low4, high4, how4 = group_interval(values[:4])
    assert how4 == "t" and low4 < values[:4].mean() < high4
    half = 3.182446305284263 * values[:4].std(ddof=1) / 2  # t(0.975, 3) x SE
    assert (low4, high4) == pytest.approx((values[:4].mean() - half, values[:4].mean() + half))
    assert group_interval(values[:1])[2] == "none"
    assert [dimension_group(d) for d in (1, 3, 4, 6, 7, 20)] == [
        "up to 3", "up to 3", "4 to 6", "4 to 6", "more than 6", "more than 6"]


def test_the_same_store_gives_the_same_files(tmp_path):
    a, _ = report(tmp_path, "a")
    b, _ = report(tmp_path, "b")
    for name in (BY_KIND_MD, BY_KIND_CSV):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
