"""The reference run: the frozen per-problem values behind the normalized score.

For each problem, ``ref_random`` is the median CV score of random configurations and ``ref_best``
the best CV score of a reference run; ``eval_seconds`` is the median wall time of one evaluation
in that run (used to schedule runs and to estimate a suite's wall time, never to score). They are
made by ``searchbench references`` with the harness itself: the runner, the evaluation child
processes and a store of their own, so the run resumes where it stopped like any other:

- ``random``, :data:`RANDOM_BUDGET` evaluations at seed :data:`REFERENCE_SEED` (no suite uses it:
  suites use seeds 0..N-1 with N at most 10,000); its median is ``ref_random``;
- ``skopt_gp``, :data:`MODEL_BUDGET` evaluations at the same seed; the best full-fidelity score
  of both runs is ``ref_best``.

``references.json`` records, for every problem, the digest of the definition the values were made
for: when a problem changes, its reference is stale, ignored with a warning, and recomputed by
the next ``searchbench references``. Same seeds and locked packages give the same values; only
``eval_seconds`` depends on the machine.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.catalogue import Catalogue
from bench.errors import BadInput
from bench.plan import make_task
from bench.records import RunSpec, Summary, Task, TrialRecord
from bench.store import Store
from bench.strategy import StrategyInfo

#: The seed of the reference runs: outside every suite's seeds (0..N-1, N <= 10,000).
REFERENCE_SEED = 10_000
RANDOM_STRATEGY, RANDOM_BUDGET = "random", 100
MODEL_STRATEGY, MODEL_BUDGET = "skopt_gp", 60
#: Problems per batch: references.json is rewritten after each, so an interrupted reference run
#: loses nothing it finished, in the file as in the store.
BATCH = 8


@dataclass(frozen=True)
class Method:
    """How references are made; written into references.json beside the values."""

    seed: int = REFERENCE_SEED
    random_strategy: str = RANDOM_STRATEGY
    random_budget: int = RANDOM_BUDGET
    model_strategy: str = MODEL_STRATEGY
    model_budget: int = MODEL_BUDGET

    def describe(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "command": "searchbench references",
            "ref_random": f"median CV score of the {self.random_budget} configurations of "
                          f"{self.random_strategy} (failed trials left out)",
            "ref_best": f"best full-fidelity CV score of {self.random_strategy} "
                        f"({self.random_budget} evaluations) and {self.model_strategy} "
                        f"({self.model_budget} evaluations)",
            "eval_seconds": "median wall seconds of one successful evaluation in those runs, "
                            "on the machine that made them",
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


def needing_references(catalogue: Catalogue, entries: dict[str, dict]) -> list[str]:
    """Problems without an entry, or whose entry was made for another definition."""
    digests = catalogue.problem_digests
    return [pid for pid in catalogue.problems
            if pid not in entries or entries[pid].get("digest") != digests[pid]]


def reference_specs(catalogue: Catalogue, problems: Sequence[str],
                    strategies: dict[str, StrategyInfo], method: Method) -> list[RunSpec]:
    runs = [(method.random_strategy, method.random_budget),
            (method.model_strategy, method.model_budget)]
    for name, _ in runs:
        info = strategies.get(name)
        if info is None or not info.available:
            reason = info.reason if info is not None else "not found"
            raise BadInput(f"the reference run needs strategy {name!r}: {reason}")
    return [
        RunSpec(problem=pid, strategy=name, strategy_version=strategies[name].version,
                seed=method.seed, budget=budget, fingerprint=catalogue.fingerprint)
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


def summarize(random_trials: Sequence[TrialRecord], model_trials: Sequence[TrialRecord]) -> dict:
    """One problem's entry from its two reference runs."""
    def full_ok(trials):
        return [t for t in trials if t.status == "ok" and math.isclose(t.fidelity, 1.0)]

    random_ok, model_ok = full_ok(random_trials), full_ok(model_trials)
    if not random_ok:
        raise ValueError("every random configuration failed")
    candidates = [("random", t) for t in random_ok] + [("model", t) for t in model_ok]
    source, best = max(candidates, key=lambda c: c[1].score)
    seconds = [t.eval_seconds for t in random_ok + model_ok]
    return {
        "ref_random": statistics.median(t.score for t in random_ok),
        "ref_best": best.score,
        "eval_seconds": round(statistics.median(seconds), 6),
        "random_test_median": statistics.median(t.test_score for t in random_ok),
        "best_test_score": best.test_score,
        "best_params": best.params,
        "best_found_by": source,
        "random_ok": len(random_ok),
        "random_failed": len(random_trials) - len(random_ok),
        "model_failed": len(model_trials) - len(model_ok),
    }


def make_references(
    catalogue: Catalogue,
    problems: Sequence[str],
    strategies: dict[str, StrategyInfo],
    store: Store,
    execute: Callable[[list[Task], str], Summary],
    path: Path,
    method: Method = Method(),
    say: Callable[[str], None] = print,
) -> tuple[dict[str, dict], dict[str, str]]:
    """Run (or resume) the reference runs of ``problems`` and merge their entries into ``path``.

    ``execute(tasks, label)`` runs tasks and commits their trials to ``store`` (the caller
    chooses where they run). Returns the new entries and the problems that got none, with the
    reason.
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
            random_spec, model_spec = (s for s in specs if s.problem == pid)
            try:
                entry = summarize(store.trials(random_spec.run_id), store.trials(model_spec.run_id))
            except ValueError as exc:
                failed[pid] = str(exc)
                continue
            entries[pid] = {
                **entry,
                "digest": catalogue.problem_digests[pid],
                "catalogue_version": catalogue.version,
                "strategies": {s.strategy: s.strategy_version for s in (random_spec, model_spec)},
                "made_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        write_references(path, catalogue, entries, method)
        made.update(entries)
        say(f"references: {len(made)} of {len(problems)} problems done, written to {path}")
    return made, failed


def write_references(path: Path, catalogue: Catalogue, entries: dict[str, dict],
                     method: Method = Method()) -> None:
    """Merge ``entries`` into the references file (other problems' entries are kept)."""
    merged = read_entries(path)
    merged.update(entries)
    document = {
        "catalogue_version": catalogue.version,
        "method": method.describe(),
        "problems": {pid: merged[pid] for pid in sorted(merged)},
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    tmp.replace(path)  # a kill never leaves a half-written file
