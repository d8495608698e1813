"""The noise a reference measures for the selection's resolution rule (bench/references.py,
bench/resolution.py): the folds' standard error under cross-validation, the spread over
training seeds of the reference's best configuration for a single split."""

import json
import math
import statistics
from types import SimpleNamespace

import pytest

from bench import references as refs
from bench.catalogue import load_catalogue
from bench.records import TrialRecord
from bench.resolution import score_noise

BUILT_IN = load_catalogue("bench.datasets")


def trial(score, std):
    return TrialRecord("r", 0, {"a": score}, 1.0, 1.0, score, std, score, 0.1, 0.0, "ok", "", "")


def test_the_entry_keeps_the_folds_standard_error_and_none_for_a_single_split():
    runs = {name: [trial(0.5, 0.1), trial(0.8, 0.06)] for _, name in refs.FAMILIES}
    assert refs.summarize(runs, folds=3)["ref_best_sem"] == pytest.approx(0.06 / math.sqrt(3))
    assert refs.summarize(runs, folds=1)["ref_best_sem"] is None


def test_the_noise_is_the_folds_standard_error_or_the_seeds_spread():
    cv5 = SimpleNamespace(cv=5, metric="r2")
    # stored as the folds' population deviation over sqrt(5): n - 1 degrees of freedom
    assert score_noise(cv5, {"ref_best_sem": 0.01}) == pytest.approx(0.01 * math.sqrt(5 / 4))
    assert score_noise(cv5, {"ref_best_sem": None}) is None
    assert score_noise(cv5, {"ref_best_sem": 0.0}) is None  # equal folds measure nothing
    one = SimpleNamespace(cv=1, metric="elbo")
    assert score_noise(one, {"ref_best_sem": 0.0}) is None  # a single split has no folds
    assert score_noise(one, {"ref_best_sem": 0.0, "seed_std": 0.3}) == 0.3


def test_the_training_seed_is_the_models_own():
    assert refs.training_seed_parameter(BUILT_IN.problems["tree-wine"]) == "random_state"
    assert refs.training_seed_parameter(BUILT_IN.problems["gan-ring8"]) == "seed"
    assert refs.training_seed_parameter(BUILT_IN.problems["knn-wine"]) is None
    with pytest.raises(ValueError, match="no training seed"):
        refs.seed_noise(BUILT_IN.problems["knn-wine"], BUILT_IN.problems["knn-wine"].space.default())


def test_a_single_split_reference_measures_its_spread_over_five_other_training_seeds(tmp_path):
    pytest.importorskip("torch")
    pid = "vae-digits_binary"
    problem = BUILT_IN.problems[pid]
    entries = refs.read_entries(refs.references_path(BUILT_IN))
    entry = {k: v for k, v in entries[pid].items() if k not in ("seed_scores", "seed_std")}
    assert entry["digest"] == BUILT_IN.problem_digests[pid]
    assert refs.needs_seed_noise(problem, entry)
    assert not refs.needs_seed_noise(BUILT_IN.problems["tree-wine"], entries["tree-wine"])
    path = tmp_path / "references.json"
    path.write_text(json.dumps({"catalogue_version": "v", "method": {"budget": 100},
                                "problems": {pid: entry}}))
    done, failed = refs.add_seed_noise(BUILT_IN, [pid, "gan-ring8"], path, say=lambda _: None)
    assert "gan-ring8" in failed  # its reference is stale: nothing to measure
    scores = done[pid]["seed_scores"]
    assert len(scores) == len(refs.NOISE_SEEDS) == 5 and len(set(scores)) == 5
    assert done[pid]["seed_std"] == pytest.approx(statistics.stdev(scores))
    # the seeds are the model's: seed 1 of the same configuration, evaluated directly
    import dataclasses

    again = dataclasses.replace(problem, fixed={**problem.fixed, "seed": 1})
    assert again.evaluate(entry["best_params"]).score == scores[0]
    written = json.loads(path.read_text())
    assert written["method"] == {"budget": 100}  # the method's description is kept
    assert written["problems"][pid]["seed_std"] == done[pid]["seed_std"]
    assert not refs.needs_seed_noise(problem, written["problems"][pid])
