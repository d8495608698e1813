"""References that hold (bench/holding.py): a reference that published runs beat by more than
0.02 normalized on average over a strategy's seeds is named for a refresh with a larger budget."""

import csv
import json

import pytest

from bench import holding
from bench.holding import PublishedRun

ENTRY = {"ref_random": 0.0, "ref_best": 10.0, "digest": "d", "budget": 100}


def runs(strategy, normalized, problem="p", digest="d", report="results/x"):
    return [PublishedRun(report, problem, strategy, seed, 10.0 * score, digest)
            for seed, score in enumerate(normalized)]


def test_a_reference_is_beaten_by_the_mean_excess_over_a_strategys_seeds():
    found = holding.beaten_references(
        runs("lucky", [1.166, 0.5, 0.4])  # one seed far above: 0.055 on average
        + runs("close", [1.03, 1.02, 1.0])  # 0.0167 on average: within the margin
        + runs("below", [0.9, 0.99, 0.95]),
        {"p": ENTRY})
    assert [(b.problem, b.strategy, b.seeds) for b in found] == [("p", "lucky", 3)]
    assert found[0].mean_excess == pytest.approx(0.166 / 3)
    assert found[0].best == pytest.approx(1.166)
    assert holding.beaten_problems(found) == ["p"]


def test_runs_of_another_definition_or_a_saturated_reference_say_nothing():
    lucky = [1.2, 1.2, 1.2]
    assert not holding.beaten_references(runs("s", lucky, digest="other"), {"p": ENTRY})
    assert not holding.beaten_references(runs("s", lucky, digest=None), {"p": ENTRY})
    assert not holding.beaten_references(runs("s", lucky), {"p": {**ENTRY, "ref_best": 0.0}})
    assert not holding.beaten_references(runs("s", lucky, problem="q"), {"p": ENTRY})


def test_published_reports_are_read_with_their_manifests_digests(tmp_path):
    report = tmp_path / "results" / "gen"
    report.mkdir(parents=True)
    (report / "manifest.json").write_text(json.dumps(
        {"catalogue": {"problem_digests": {"p": "d"}}}))
    with (report / "runs.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["problem", "strategy", "seed", "best_score"])
        writer.writerows([["p", "tpe", 0, 11.66], ["p", "tpe", 1, 5.0], ["p", "tpe", 2, ""],
                          ["q", "tpe", 0, 3.0]])
    found = holding.published_runs(tmp_path / "results")
    assert [(r.report, r.problem, r.seed, r.best_score, r.digest) for r in found] == [
        ("results/gen", "p", 0, 11.66, "d"), ("results/gen", "p", 1, 5.0, "d"),
        ("results/gen", "q", 0, 3.0, None)]
    beaten = holding.beaten_references(found, {"p": ENTRY})
    line = holding.describe(beaten)
    assert "p (tpe in results/gen: 0.083 above on average over 2 seeds, up to 1.166)" in line
    assert "--beaten" in line


def test_a_beaten_reference_is_remade_with_twice_its_budget():
    assert holding.larger_budget(ENTRY, 100) == 200
    assert holding.larger_budget({**ENTRY, "budget": 200}, 100) == 400
    assert holding.larger_budget({"ref_best": 1.0}, 100) == 200  # made before budgets were kept


def test_the_selection_list_names_the_beaten_references_of_the_published_runs(cli):
    from bench.catalogue import load_catalogue
    from bench.paths import project_root
    from bench.references import read_entries, references_path

    entries = read_entries(references_path(load_catalogue("bench.datasets")))
    beaten = holding.beaten_references(holding.published_runs(project_root() / "results"),
                                       entries)
    out = cli("list", "problems", "--selection", check=0).stdout
    if beaten:
        line = next(l for l in out.splitlines() if l.startswith("references to refresh"))
        assert all(f"{pid} (" in line for pid in holding.beaten_problems(beaten))
    else:
        assert "references to refresh" not in out


def test_references_refuses_beaten_with_a_choice_of_problems(cli, tmp_path):
    proc = cli("references", "--beaten", "--problems", "tree-wine", "--out",
               tmp_path / "r.json", check=2)
    assert "--beaten chooses the problems itself" in proc.stderr


def test_references_beaten_remakes_the_beaten_ones_with_twice_their_budget(tmp_path, monkeypatch):
    from bench.catalogue import load_catalogue
    from bench.cli import main

    monkeypatch.setenv("SEARCHBENCH_CATALOGUE", "tiny_catalogue")
    tiny = load_catalogue()
    digests = tiny.problem_digests
    old = {"protocol": "pooled-4", "ref_random": 0.5, "ref_best": 0.6, "budget": 3,
           "digest": digests["tree-blobs"]}
    out = tmp_path / "references.json"
    out.write_text(json.dumps({"problems": {"tree-blobs": old,
                                            "knn-blobs": {**old, "digest": digests["knn-blobs"]}}}))
    published = [PublishedRun("results/t", "tree-blobs", "random", s, 0.7, digests["tree-blobs"])
                 for s in range(3)]  # every seed 1 normalized unit above the reference
    monkeypatch.setattr(holding, "published_runs", lambda results: published)
    code = main(["references", "--beaten", "--out", str(out), "--store",
                 str(tmp_path / "r.sqlite"), "--jobs", "1", "--no-progress"])
    assert code == 0
    written = json.loads(out.read_text())["problems"]
    assert written["tree-blobs"]["budget"] == 6 and len(written["tree-blobs"]["random_scores"]) == 6
    assert written["knn-blobs"] == {**old, "digest": digests["knn-blobs"]}  # not beaten: kept
