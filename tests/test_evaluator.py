import pytest

from bench.evaluator import ChildEvaluator, evaluate_here


def test_the_child_gives_the_same_scores_as_in_process(tiny):
    problem = tiny.problems["tree-blobs"]
    config = {"max_depth": 4, "criterion": "entropy", "min_impurity_decrease": 0.01}
    child = ChildEvaluator()
    try:
        there = child(problem, config, 1.0)
    finally:
        child.close()
    here = evaluate_here(problem, config, 1.0)
    assert there.status == "ok"
    assert (there.score, there.score_std, there.test_score) == (here.score, here.score_std, here.test_score)


@pytest.mark.serial
def test_a_trial_past_its_time_limit_is_stopped_and_the_next_one_runs(tiny):
    problem = tiny.problems["slow-line"]  # time_limit 1 s; alpha > 1 sleeps alpha seconds per fold
    child = ChildEvaluator()
    try:
        slow = child(problem, {"alpha": 2.5}, 1.0)
        fast = child(problem, {"alpha": 0.5}, 1.0)
    finally:
        child.close()
    assert slow.status == "timeout" and "time limit of 1 s" in slow.error
    assert slow.score is None
    assert fast.status == "ok" and fast.score > 0.9


def test_model_errors_come_back_as_failed_trials(tiny):
    child = ChildEvaluator()
    try:
        outcome = child(tiny.problems["raising-blobs"], {"max_depth": 8}, 1.0)
    finally:
        child.close()
    assert outcome.status == "failed" and "max_depth=8 is not supported" in outcome.error
