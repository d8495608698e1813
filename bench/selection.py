"""The default suite's selection rule, applied by code to the frozen references.

A problem can decide between search strategies only if random search leaves room to improve at
the suite's budget, if that room is large against the noise of its score, and if it is cheap
enough for the suite to run in its time limit. Each problem qualifies when all of these hold:

1. it has a reference of the pooled protocol, with random search's scores stored
   (``random_scores``: 100 random configurations, :mod:`bench.references`);
2. **room**: the expected normalized best of :data:`BUDGET` random configurations is at most
   :data:`MAX_EXPECTED`. It is estimated without bias from the stored random configurations
   (the mean best over every subset of ``BUDGET`` of them: :func:`expected_best`), but on two
   disjoint halves of them (:func:`split_draws`): the rule selects on the first half and the
   room it reports (``held_out``) comes from the second, which the selection did not see
   (with 100 draws stored, each half's estimate is the best of its 50; a reference made with a
   larger budget stores more and makes both finer; fewer than ``2 * BUDGET`` draws: out).
   Selecting on the same draws that measure the room overstates it for the problems selected
   (regression to the mean: chosen on 100 draws, the second default suite predicted 0.772 and
   random search reached 0.834);
3. **resolution against noise**: the reference range ``ref_best - ref_random`` is at least
   :data:`MIN_STANDARD_ERRORS` standard errors of the score (:func:`bench.resolution.score_noise`:
   the fold scores' standard error under cross-validation, the spread over training seeds of
   the reference's best configuration for a single split, never less than one step of an
   accuracy), so that a normalized unit is not noise;
4. **cost**: a full evaluation takes at most :data:`MAX_EVAL_SECONDS` of CPU time (the median
   over the configurations the cost curve is measured with, one thread, in one process:
   ``cost_curve_seconds``; the reference runs' wall times depend on what else the machine did).

The suite then takes qualifying problems, cheapest first, while its estimated compute fits the
time limit of ``make bench`` (:data:`TIME_LIMIT` on :data:`CORES` cores, less
:data:`SETUP` for installing and reporting): a problem costs :data:`SEEDS` seeds x
:data:`STRATEGIES` strategies x :data:`BUDGET` trials of its evaluation (its median CPU
seconds times :data:`EVAL_WALL_FACTOR`), and the strategies' suggestions,
:data:`SUGGEST_PER_SEED` per seed; both constants were measured on a run of the suite.
Before filling by cost, it takes the cheapest problems the minimums need: density problems,
regression problems, problems whose lowest fidelity costs at most :data:`CHEAP_FIDELITY` of a
full evaluation, and one problem of each model family until there are enough families. The
minimums (:data:`MINIMUMS`) are then checked, and a shortfall is reported, not hidden.
``searchbench list problems --selection`` prints every problem with its measures and the reasons
it is in or out; the default suite file lists exactly what this rule selects, which a test
recomputes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln

from bench.catalogue import Catalogue
from bench.references import PROTOCOL
from bench.resolution import score_noise

BUDGET = 50
SEEDS = 5
MAX_EXPECTED = 0.9
MIN_STANDARD_ERRORS = 10
MAX_EVAL_SECONDS = 0.5
CHEAP_FIDELITY = 0.25
#: The minimums the selection must meet.
MINIMUMS = {"problems": 36, "families": 8, "regression": 8, "density": 4, "cheap_fidelity": 8}

# -- the time limit and the cost model that fills it ------------------------------------------------
TIME_LIMIT = 60 * 60.0
SETUP = 5 * 60.0  # a fresh clone's install (about a minute) and the report, with a margin
CORES = 2
EFFICIENCY = 0.9  # of the cores, over a run of the suite
#: The default suite's strategies: one per family of search method, by family (default.toml
#: lists exactly these; the other variants run in ``full``).
FAMILY_STRATEGIES = {
    "grid search": "grid", "random search": "random", "quasi-random search": "sobol",
    "Gaussian-process BO": "skopt_gp", "random-forest BO": "skopt_rf", "TPE": "optuna_tpe",
    "CMA-ES": "optuna_cmaes", "differential evolution": "ng_de", "SMAC": "smac",
    "bandit multi-fidelity": "hyperband", "model-based multi-fidelity": "smac_mf",
}
STRATEGIES = len(FAMILY_STRATEGIES)
#: Wall seconds of an evaluation in a run of the suite per median CPU second of the problem's
#: cost curve: the evaluation child's overhead and, above all, the searched configurations' heavy
#: tail (a strategy spends its budget where the median configuration does not). Measured over
#: the 5,735 trials of the first 23 minutes of ``make bench`` on the 19 problems that qualify
#: (1.77 overall; 1.1 to 5.4 by problem: gmm-digits_pca16 and an SVR the most).
EVAL_WALL_FACTOR = 1.77
#: Seconds the eleven strategies spend suggesting for one seed of one problem at budget 50,
#: measured in the same run: skopt's GP 9.0 s and random forest 13.6 s per run, SMAC 2.7 s, its
#: multi-fidelity facade 3.1 s, the other seven together about 1 s.
SUGGEST_PER_SEED = 29.0
CPU_BUDGET = (TIME_LIMIT - SETUP) * CORES * EFFICIENCY


def problem_cpu_seconds(eval_seconds: float) -> float:
    """The estimated CPU seconds of one problem in the suite, from one evaluation's."""
    return SEEDS * (STRATEGIES * BUDGET * eval_seconds * EVAL_WALL_FACTOR + SUGGEST_PER_SEED)


def split_draws(scores: Sequence[float | None]) -> tuple[list, list]:
    """The stored random draws in two disjoint halves: ``(selection's, held out)``, the first
    and the second half in trial order (the draws are independent, so any split is fair; this
    one keeps the first draws, which a larger reference budget repeats, on the selection's
    side)."""
    half = len(scores) // 2
    return list(scores[:half]), list(scores[half:2 * half])


def expected_best(scores: Sequence[float | None], n: int = BUDGET) -> float:
    """The expected best of ``n`` random configurations, estimated without bias from ``scores``,
    the scores of N >= n random configurations: the mean, over every subset of n of them, of the
    subset's best (the k-th lowest of N is a subset's best with probability C(k-1, n-1) / C(N,
    n)). A failed configuration (None) ranks below every score; the estimate is conditional on
    at least one success. (Drawing n with replacement would underestimate it: repeated draws
    see fewer distinct configurations.)"""
    total = len(scores)
    ok = np.sort(np.asarray([s for s in scores if s is not None and math.isfinite(s)], float))
    if not len(ok) or n > total:
        return float("nan")
    ranks = total - len(ok) + np.arange(1, len(ok) + 1)  # the successes' ranks among all N
    # C(k-1, n-1) / C(N, n), in logs (N = 100, n = 50 overflows nothing but is large)
    log_w = (gammaln(ranks) - gammaln(n) - gammaln(ranks - n + 1)
             - (gammaln(total + 1) - gammaln(n + 1) - gammaln(total - n + 1)))
    weights = np.where(ranks >= n, np.exp(log_w), 0.0)
    return float((weights * ok).sum() / weights.sum())


@dataclass
class Verdict:
    """One problem under the rule: its measures and the reasons it is out (none: it qualifies)."""

    problem: str
    family: str
    task: str
    expected: float | None = None  # the selection's estimate of the room, on its half of the draws
    held_out: float | None = None  # the room reported, on the draws the selection did not use
    standard_errors: float | None = None  # the reference range in standard errors of the score
    eval_seconds: float | None = None
    min_fidelity_cost: float | None = None
    reasons: list[str] = field(default_factory=list)
    selected: bool = False

    @property
    def qualifies(self) -> bool:
        return not self.reasons

    @property
    def cheap_fidelity(self) -> bool:
        return self.min_fidelity_cost is not None and self.min_fidelity_cost <= CHEAP_FIDELITY


def judge(catalogue: Catalogue, pid: str, entry: Mapping | None) -> Verdict:
    """``pid`` under the rule, from its entry of ``references.json``."""
    problem = catalogue.problems[pid]
    verdict = Verdict(pid, problem.model, problem.task)
    if problem.extra:  # the default suite must run without extras, installed here or not
        verdict.reasons.append(f"needs the {problem.extra} extra")
    elif problem.unavailable:
        verdict.reasons.append(f"unavailable here ({problem.unavailable})")
    if not entry or entry.get("protocol") != PROTOCOL or not entry.get("random_scores"):
        verdict.reasons.append("no pooled reference with random search's scores")
        return verdict
    if entry.get("digest") != catalogue.problem_digests[pid]:
        verdict.reasons.append("reference made for another definition of the problem")
        return verdict
    low, high = float(entry["ref_random"]), float(entry["ref_best"])
    curve = entry.get("cost_curve") or []
    verdict.min_fidelity_cost = float(curve[0][1]) if curve and curve[0][0] < 1 else None
    seconds = (entry.get("cost_curve_seconds") or {}).get("1")
    if seconds is None:
        verdict.reasons.append("no measured CPU time of a full evaluation")
        return verdict
    verdict.eval_seconds = float(seconds)
    if not math.isfinite(verdict.eval_seconds):
        verdict.reasons.append("no measured CPU time of a full evaluation")
        return verdict
    if not high > low:
        verdict.reasons.append("saturated: random search's median is the reference best")
        return verdict
    chosen_on, held_out = split_draws(entry["random_scores"])
    if len(held_out) < BUDGET:
        verdict.reasons.append(f"{len(entry['random_scores'])} random draws stored: too few to "
                               f"select on {BUDGET} and hold {BUDGET} out")
        return verdict
    verdict.expected = (expected_best(chosen_on) - low) / (high - low)
    verdict.held_out = (expected_best(held_out) - low) / (high - low)
    noise = score_noise(problem, entry)
    verdict.standard_errors = (high - low) / noise if noise else None
    # written as "not within": a NaN (no usable measure) fails every criterion
    if not verdict.expected <= MAX_EXPECTED:
        verdict.reasons.append(f"no room: random search's expected normalized best at {BUDGET} "
                               f"is {verdict.expected:.3f} on the selection's draws, not at most "
                               f"{MAX_EXPECTED}")
    if verdict.standard_errors is None or math.isnan(verdict.standard_errors):
        verdict.reasons.append("the score's noise is not measured"
                               + (" (no spread over training seeds: `searchbench references "
                                  "--seed-noise`)" if getattr(problem, "cv", 5) < 2 else ""))
    elif not verdict.standard_errors >= MIN_STANDARD_ERRORS:
        verdict.reasons.append(f"reference range only {verdict.standard_errors:.1f} standard "
                               f"errors of the score (< {MIN_STANDARD_ERRORS})")
    if not verdict.eval_seconds <= MAX_EVAL_SECONDS:
        verdict.reasons.append(f"a full evaluation takes {verdict.eval_seconds:.3f} CPU s > "
                               f"{MAX_EVAL_SECONDS} s")
    return verdict


@dataclass
class Selection:
    verdicts: list[Verdict]
    counts: dict[str, int]
    shortfalls: list[str]
    cpu_seconds: float = 0.0  # the selected problems' estimated compute in the suite

    @property
    def problems(self) -> list[str]:
        return [v.problem for v in self.verdicts if v.selected]


def select(catalogue: Catalogue, entries: Mapping[str, Mapping],
           cpu_budget: float = CPU_BUDGET) -> Selection:
    """Judge every problem of ``catalogue`` and pick the suite (see the module's docstring)."""
    verdicts = [judge(catalogue, pid, entries.get(pid)) for pid in sorted(catalogue.problems)]
    pool = sorted((v for v in verdicts if v.qualifies), key=lambda v: (v.eval_seconds, v.problem))
    chosen: list[Verdict] = []
    spent = 0.0

    def add(v: Verdict) -> bool:
        nonlocal spent
        cost = problem_cpu_seconds(v.eval_seconds)
        if v in chosen or spent + cost > cpu_budget:
            return False
        chosen.append(v)
        spent += cost
        return True

    def take(candidates, count):
        for v in candidates:
            if count <= 0:
                return
            count -= add(v)

    take([v for v in pool if v.task == "density"], MINIMUMS["density"])
    take([v for v in pool if v.task == "regression"], MINIMUMS["regression"])
    take([v for v in pool if v.cheap_fidelity],
         MINIMUMS["cheap_fidelity"] - sum(v.cheap_fidelity for v in chosen))
    for v in pool:  # one problem of each family not yet in, cheapest first
        if len({c.family for c in chosen}) >= MINIMUMS["families"]:
            break
        if v.family not in {c.family for c in chosen}:
            add(v)
    for v in pool:
        add(v)
    for v in chosen:
        v.selected = True
    picked = [v for v in verdicts if v.selected]
    counts = {"problems": len(picked), "families": len({v.family for v in picked}),
              "regression": sum(v.task == "regression" for v in picked),
              "density": sum(v.task == "density" for v in picked),
              "cheap_fidelity": sum(v.cheap_fidelity for v in picked)}
    shortfalls = [f"{name}: {counts[name]} of the {minimum} required"
                  for name, minimum in MINIMUMS.items() if counts[name] < minimum]
    return Selection(verdicts, counts, shortfalls, spent)


def selection_table(selection: Selection, beaten: Sequence = ()) -> str:
    """Every problem with its measures and why it is in or out, then the counts, the selected
    problems' room on held-out draws, and the references that published runs beat (``beaten``:
    :func:`bench.holding.beaten_references`)."""
    from tabulate import tabulate

    def number(x, fmt):
        return "-" if x is None else format(x, fmt)

    rows = sorted(selection.verdicts, key=lambda v: (not v.selected, not v.qualifies, v.problem))
    table = tabulate(
        [[v.problem, v.family, v.task, number(v.expected, ".3f"), number(v.held_out, ".3f"),
          number(v.standard_errors, ".1f"), number(v.eval_seconds, ".3f"),
          number(v.min_fidelity_cost, ".2f"),
          "selected" if v.selected else ("qualifies; over the time limit" if v.qualifies
                                         else "out: " + "; ".join(v.reasons))]
         for v in rows],
        headers=["problem", "family", "task", f"E[best@{BUDGET}] sel.", "held out",
                 "range/SE", "CPU s", "c(min f)", "verdict"])
    counts = ", ".join(f"{k} {selection.counts[k]} (at least {m})" for k, m in MINIMUMS.items())
    qualified = sum(v.qualifies for v in selection.verdicts)
    tail = (f"\n\n{qualified} of {len(selection.verdicts)} problems qualify; selected: {counts}; "
            f"estimated {selection.cpu_seconds / 60:.0f} of the {CPU_BUDGET / 60:.0f} CPU "
            f"minutes the time limit leaves ({TIME_LIMIT / 60:.0f} minutes on {CORES} cores).")
    picked = [v for v in selection.verdicts if v.selected]
    if picked:
        tail += (f"\nroom of the selected problems, random search's mean expected normalized best "
                 f"at {BUDGET}: {np.mean([v.expected for v in picked]):.3f} on the draws they "
                 f"were selected on, {np.nanmean([v.held_out for v in picked]):.3f} on held-out "
                 "draws (the estimate to report).")
    if selection.shortfalls:
        tail += "\nshort of the minimums: " + "; ".join(selection.shortfalls)
    if beaten:
        from bench.holding import describe

        tail += "\n" + describe(beaten)
    return table + tail
