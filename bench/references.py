"""The reference run: the frozen per-problem values behind the normalized score.

For each problem, ``ref_random`` is the median CV score of random configurations and ``ref_best``
the best full-fidelity CV score of a pooled reference search by several strategy families, so
that the normalized score's 1 is no one strategy's own optimum; ``eval_seconds`` is the median
wall time of one evaluation in those runs (used to schedule runs and to estimate a suite's wall
time, never to score), and ``cost_curve`` the problem's relative compute c(f) of a trial at
fidelity f (:mod:`bench.costcurve`), which the runner charges. They are made by ``searchbench
references`` with the harness itself: the runner, the evaluation child processes and a store of
their own, so the run resumes where it stopped like any other. The protocol (``pooled-4``):

- one run of each family of :data:`FAMILIES` (random search, Gaussian-process BO, TPE and an
  evolution strategy), :data:`POOL_BUDGET` evaluations each, at seed :data:`REFERENCE_SEED` (no
  suite uses it: suites use seeds 0..N-1 with N at most 10,000);
- ``ref_random``: the median of the random run's scores, which are stored in the entry
  (``random_scores``, in trial order, failed trials as null) for what is computed from random
  search's distribution of scores;
- ``ref_best``: the best full-fidelity score of the pool; ``best_found_by`` lists the families
  whose runs reached it;
- ``ref_best_sem``: the fold-to-fold standard error of that best configuration's CV score, the
  resolution of a continuous score (the folds' population deviation over sqrt(k));
- for a problem scored on one validation split (``cv`` = 1, the deep problems), which has no
  folds to measure its noise with, ``seed_scores`` and ``seed_std``: that best configuration's
  scores under :data:`NOISE_SEEDS` other training seeds and their standard deviation
  (:func:`seed_noise`; ``searchbench references --seed-noise`` adds them to an entry made
  without);
- ``budget``: the evaluations of each family's run. A reference that published runs beat
  (:mod:`bench.holding`) is remade with a larger one (``searchbench references --beaten``:
  twice the entry's own, or ``--budget``), and the catalogue version bumped.

``references.json`` records, for every problem, the protocol its values follow and the digest of
the definition they were made for: when a problem changes, or its entry follows an older
protocol, it is recomputed by the next ``searchbench references`` (until then an older entry is
still used, marked with its protocol). Same seeds and locked packages give the same values; only
``eval_seconds`` and, marginally, ``cost_curve`` depend on the machine.
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.catalogue import Catalogue
from bench.costcurve import METHOD as CURVE_METHOD
from bench.costcurve import METHOD_V2 as CURVE_METHOD_V2
from bench.costcurve import measure_curve
from bench.errors import BadInput
from bench.plan import make_task
from bench.records import RunSpec, Summary, Task, TrialRecord
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import MAX_SEEDS

#: The seed of the reference runs: outside every suite's seeds (0..N-1, N <= MAX_SEEDS).
REFERENCE_SEED = MAX_SEEDS
RANDOM_STRATEGY = "random"
#: The pooled families: (family, strategy). Random search must come first: its median is
#: ref_random.
FAMILIES = (("random", "random"), ("gaussian-process BO", "skopt_gp"),
            ("TPE", "optuna_tpe"), ("evolution strategy", "optuna_cmaes"))
POOL_BUDGET = 100
#: The training seeds of a single-split problem's noise measurement: not 0, the seed the
#: reference's best configuration was picked at (its score there is the luckiest of many).
NOISE_SEEDS = (1, 2, 3, 4, 5)
PROTOCOL = "pooled-4"
#: How entries made before the pooled protocol were made (they keep this mark until recomputed).
LEGACY_PROTOCOL = "random100+skopt_gp60"
LEGACY_DESCRIPTION = ("ref_random: median of 100 random configurations; ref_best: best of those "
                      "and of 60 skopt_gp evaluations, seed 10000 (favours skopt_gp, whose own "
                      "optimum it is on most problems)")
#: Problems per batch: references.json is rewritten after each, so an interrupted reference run
#: loses nothing it finished, in the file as in the store.
BATCH = 4


@dataclass(frozen=True)
class Method:
    """How references are made; written into references.json beside the values."""

    seed: int = REFERENCE_SEED
    families: tuple[tuple[str, str], ...] = FAMILIES
    budget: int = POOL_BUDGET
    protocol: str = PROTOCOL
    curve_configs: int = field(default=12)

    @property
    def runs(self) -> list[tuple[str, int]]:
        return [(strategy, self.budget) for _, strategy in self.families]

    def describe(self) -> dict[str, Any]:
        names = ", ".join(f"{s} ({fam})" for fam, s in self.families)
        return {
            **asdict(self),
            "command": "searchbench references",
            "ref_random": f"median CV score of the {self.budget} configurations of "
                          f"{self.families[0][1]} (failed trials left out); the scores are in "
                          "random_scores",
            "ref_best": f"best full-fidelity CV score of the pooled runs of {names}, "
                        f"{self.budget} evaluations each; best_found_by names the families that "
                        "reached it",
            "eval_seconds": "median wall seconds of one successful evaluation in those runs, "
                            "on the machine that made them",
            "cost_curve": "c(f) = t(f)/t(1) at the eta=3 rungs from the minimum fidelity to 1: "
                          "mean CPU seconds of one evaluation over the default and "
                          f"{self.curve_configs} random configurations, timed as trials are (in "
                          "the runs' evaluation child, one thread, fixed overhead included), "
                          "neither clipped nor made monotone, interpolated in log f "
                          "(bench/costcurve.py); entries so measured say cost_curve_method "
                          f"{CURVE_METHOD!r}",
            "cost_curve_methods": {
                CURVE_METHOD: "this method",
                CURVE_METHOD_V2: "entries without cost_curve_method: median CPU seconds of "
                                 "problem.evaluate in the measuring process, made non-decreasing "
                                 "and clipped at 1, so that a fidelity dearer than a full "
                                 "evaluation (fixed overhead, subsampling the folds) was charged "
                                 "1 or less"},
            "seed_std": "single-split problems only: standard deviation (n - 1) of the best "
                        "configuration's score under training seeds "
                        f"{', '.join(map(str, NOISE_SEEDS))} (seed_scores), the score's noise",
            "budget_of_an_entry": "an entry's own budget, when it records one, overrides the "
                                  "method's (a reference that published runs beat is remade "
                                  "with a larger one)",
            "protocols": {self.protocol: "this method", LEGACY_PROTOCOL: LEGACY_DESCRIPTION},
        }


def references_path(catalogue: Catalogue) -> Path:
    """``references.json`` beside the catalogue module (``datasets/references.json``)."""
    import importlib

    module = importlib.import_module(catalogue.module)
    return Path(module.__file__).with_name("references.json")


def read_entries(path: Path) -> dict[str, dict]:
    """The per-problem entries of a references file (empty if there is none)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        return dict(data["problems"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"references file {path} is not valid: {exc}") from None


def needing_references(catalogue: Catalogue, entries: dict[str, dict],
                       protocol: str = PROTOCOL) -> list[str]:
    """Problems without an entry, whose entry was made for another definition, or by an older
    protocol."""
    digests = catalogue.problem_digests
    return [pid for pid in catalogue.problems
            if pid not in entries or entries[pid].get("digest") != digests[pid]
            or entries[pid].get("protocol", LEGACY_PROTOCOL) != protocol]


def reference_specs(catalogue: Catalogue, problems: Sequence[str],
                    strategies: dict[str, StrategyInfo], method: Method) -> list[RunSpec]:
    runs = method.runs
    for name, _ in runs:
        info = strategies.get(name)
        if info is None or not info.available:
            reason = info.reason if info is not None else "not found"
            raise BadInput(f"the reference run needs strategy {name!r}: {reason}")
    return [
        RunSpec(problem=pid, strategy=name, strategy_version=strategies[name].version,
                seed=method.seed, budget=budget, fingerprint=catalogue.run_fingerprint(pid))
        for pid in problems for name, budget in runs
    ]


def _tasks(specs: Sequence[RunSpec], catalogue: Catalogue, strategies: dict[str, StrategyInfo],
           store: Store) -> list[Task]:
    status = store.run_status(s.run_id for s in specs)
    tasks = []
    for spec in specs:
        state = status.get(spec.run_id)
        if state == "complete":
            continue
        prior = tuple(store.trials(spec.run_id)) if state == "partial" else ()
        tasks.append(make_task(spec, catalogue, strategies[spec.strategy], prior))
    store.check_versions({t.spec.run_id: t.environment for t in tasks})
    for task in tasks:
        if status.get(task.spec.run_id) == "failed":
            store.reset_run(task.spec.run_id)  # a failed reference run is retried from scratch
    return tasks


def summarize(runs: dict[str, Sequence[TrialRecord]],
              families: Sequence[tuple[str, str]] = FAMILIES, folds: int = 5) -> dict:
    """One problem's entry from its pooled reference runs (by strategy name; the first family's
    strategy is random search); ``folds`` is the problem's number of CV folds (``score_std`` is
    their deviation; with one split there is none)."""
    def full_ok(trials):
        return [t for t in trials if t.status == "ok" and math.isclose(t.fidelity, 1.0)]

    random_name = families[0][1]
    random_trials = runs[random_name]
    random_ok = full_ok(random_trials)
    if not random_ok:
        raise ValueError("every random configuration failed")
    pool = [(family, t) for family, name in families for t in full_ok(runs[name])]
    best_score = max(t.score for _, t in pool)
    # the first trial of the first family (in FAMILIES order) to reach it gives the parameters
    family, best = next((fam, t) for fam, t in pool if t.score == best_score)
    found_by = sorted({fam for fam, t in pool if t.score == best_score})
    seconds = [t.eval_seconds for _, t in pool]
    return {
        "ref_random": statistics.median(t.score for t in random_ok),
        "ref_best": best.score,
        "ref_best_sem": (best.score_std / math.sqrt(folds))
        if best.score_std is not None and folds >= 2 else None,
        "eval_seconds": round(statistics.median(seconds), 6),
        "random_test_median": statistics.median(t.test_score for t in random_ok),
        "best_test_score": best.test_score,
        "best_params": best.params,
        "best_found_by": found_by,
        "random_scores": [t.score if t.status == "ok" else None for t in random_trials],
        "random_ok": len(random_ok),
        "failed": {name: sum(1 for t in runs[name] if t.status != "ok") for _, name in families},
    }


def training_seed_parameter(problem) -> str | None:
    """The name of the parameter that seeds ``problem``'s training: ``seed`` for the deep models
    (dataclasses), ``random_state`` for a scikit-learn estimator; None if it has neither."""
    example = problem.make_estimator(problem.space.default())
    if dataclasses.is_dataclass(example):
        names = {f.name for f in dataclasses.fields(example)}
    elif hasattr(example, "get_params"):
        names = set(example.get_params())
    else:
        names = set()
    return next((name for name in ("seed", "random_state") if name in names), None)


def seed_noise(problem, params: dict, seeds: Sequence[int] = NOISE_SEEDS) -> dict:
    """``params`` (the reference's best configuration) evaluated in this process under each of
    ``seeds`` as the training seed: ``{"seed_scores", "seed_std"}``, a failed fit as None and
    the standard deviation (n - 1 degrees of freedom) over the others (None below two)."""
    from bench.problem import TrialFailed

    name = training_seed_parameter(problem)
    if name is None:
        raise ValueError(f"{problem.id} has no training seed to vary")
    scores: list[float | None] = []
    for seed in seeds:
        reseeded = dataclasses.replace(problem, fixed={**problem.fixed, name: seed})
        try:
            scores.append(float(reseeded.evaluate(dict(params)).score))
        except TrialFailed:
            scores.append(None)
    ok = [x for x in scores if x is not None]
    return {"seed_scores": scores, "seed_std": statistics.stdev(ok) if len(ok) >= 2 else None}


def needs_seed_noise(problem, entry: dict | None) -> bool:
    """Whether ``entry`` lacks the noise measurement its single-split problem needs."""
    return getattr(problem, "cv", 5) < 2 and bool(entry) and "seed_std" not in entry


def add_seed_noise(catalogue: Catalogue, problems: Sequence[str], path: Path,
                   say: Callable[[str], None] = print) -> tuple[dict[str, dict], dict[str, str]]:
    """Measure the seed noise of ``problems``' up-to-date entries in ``path`` that lack it, and
    write it into them (no reference run is made). Returns the updated entries and the problems
    that could not be measured, with the reason."""
    entries = read_entries(path)
    done: dict[str, dict] = {}
    failed: dict[str, str] = {}
    for pid in problems:
        entry = entries.get(pid)
        if not entry or entry.get("digest") != catalogue.problem_digests[pid]:
            failed[pid] = "no up-to-date reference to measure the noise of"
            continue
        try:
            entry = {**entry, **seed_noise(catalogue.problems[pid], entry["best_params"])}
        except ValueError as exc:
            failed[pid] = str(exc)
            continue
        done[pid] = entry
        say(f"references: {pid}: seed std {entry['seed_std']}")
    if done:
        write_references(path, catalogue, done, keep_method=True)
    return done, failed


def make_references(
    catalogue: Catalogue,
    problems: Sequence[str],
    strategies: dict[str, StrategyInfo],
    store: Store,
    execute: Callable[[list[Task], str], Summary],
    path: Path,
    method: Method = Method(),
    say: Callable[[str], None] = print,
    keep_method: bool = False,
    *,
    evaluate: Callable[..., Any],
) -> tuple[dict[str, dict], dict[str, str]]:
    """Run (or resume) the reference runs of ``problems`` and merge their entries into ``path``.

    ``execute(tasks, label)`` runs tasks and commits their trials to ``store`` (the caller
    chooses where they run). ``evaluate`` is the evaluator the cost curves are measured with,
    the one runs use (a :class:`bench.evaluator.ChildEvaluator`, which the caller closes). Each
    entry records its ``budget``; with ``keep_method`` the file's description of the method is
    left as it was (a few references remade with a larger budget do not change how the others
    were made). Returns the new entries and the problems that got none, with the reason.
    """
    made: dict[str, dict] = {}
    failed: dict[str, str] = {}
    for start in range(0, len(problems), BATCH):
        batch = list(problems[start:start + BATCH])
        specs = reference_specs(catalogue, batch, strategies, method)
        tasks = _tasks(specs, catalogue, strategies, store)
        if tasks:
            summary = execute(tasks, f"references {start + len(batch)}/{len(problems)}")
            for spec, error in summary.failed:
                lines = error.strip().splitlines()
                failed[spec.problem] = f"{spec.strategy}: {lines[-1] if lines else 'failed'}"
        entries = {}
        for pid in batch:
            if pid in failed:
                continue
            mine = [s for s in specs if s.problem == pid]
            try:
                problem = catalogue.problems[pid]
                entry = summarize({s.strategy: store.trials(s.run_id) for s in mine},
                                  method.families, getattr(problem, "cv", 5))
                if getattr(problem, "cv", 5) < 2:  # one split: no folds measure the noise
                    entry.update(seed_noise(problem, entry["best_params"]))
                curve = measure_curve(problem, evaluate, method.curve_configs)
            except ValueError as exc:
                failed[pid] = str(exc)
                continue
            entries[pid] = {
                "protocol": method.protocol,
                "budget": method.budget,
                **entry,
                "cost_curve": curve["curve"],
                "cost_curve_seconds": curve["seconds"],
                "cost_curve_method": CURVE_METHOD,
                "digest": catalogue.problem_digests[pid],
                "catalogue_version": catalogue.version,
                "strategies": {s.strategy: s.strategy_version for s in mine},
                "made_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        write_references(path, catalogue, entries, method, keep_method)
        made.update(entries)
        say(f"references: {len(made)} of {len(problems)} problems done, written to {path}")
    return made, failed


def write_references(path: Path, catalogue: Catalogue, entries: dict[str, dict],
                     method: Method = Method(), keep_method: bool = False) -> None:
    """Merge ``entries`` into the references file (other problems' entries are kept; with
    ``keep_method``, and a file to keep it from, so is its description of the method)."""
    merged = read_entries(path)
    described = method.describe()
    if keep_method and path.exists():
        described = json.loads(path.read_text()).get("method", described)
    for entry in merged.values():  # entries made before protocols were recorded
        entry.setdefault("protocol", LEGACY_PROTOCOL)
    merged.update(entries)
    document = {
        "catalogue_version": catalogue.version,
        "method": described,
        "problems": {pid: merged[pid] for pid in sorted(merged)},
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    tmp.replace(path)  # a kill never leaves a half-written file
