"""From stored trials to the trial record, best-so-far curves, per-run results and normalized scores.

Everything here is a table transformation; the statistics that compare strategies live in
:mod:`bench.stats`. The functions work on whole tables at once (no Python loop per run), so a
report over tens of thousands of trials takes seconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bench.catalogue import Catalogue
from bench.records import COST_EPS, RunSpec
from bench.store import Store

#: The trial record of DESIGN.md, in order.
TRIAL_COLUMNS = [
    "suite", "problem", "strategy", "strategy_version", "seed", "trial", "params", "fidelity",
    "cost", "score", "score_std", "test_score", "best_score", "best_test_score", "eval_seconds",
    "eval_cpu_seconds", "suggest_seconds", "status", "error", "finished_at", "fingerprint",
    "extras",
]
RUN_KEYS = ["problem", "strategy", "seed"]
CURVE_COLUMNS = [*RUN_KEYS, "cost", "best_score", "best_test_score", "seconds"]
#: One row per run at the budget (``runs.csv``).
RUN_COLUMNS = [
    *RUN_KEYS, "strategy_version", "trials", "cost", "exhausted", "failed_trials", "timeouts",
    "best_score", "best_test_score", "normalized_score", "normalized_test_score",
    "suggest_seconds", "eval_seconds",
]


def trial_records(store: Store, specs: Sequence[RunSpec], suite: str) -> pd.DataFrame:
    """The trial record of ``specs``' complete runs, one row per trial, with the running bests."""
    frame = store.trials_frame([s.run_id for s in specs])
    frame = frame[frame["run_status"] == "complete"]
    frame = frame.assign(suite=suite)
    frame = add_running_best(frame)
    order = {s.run_id: i for i, s in enumerate(specs)}
    frame = frame.assign(_order=frame["run_id"].map(order)).sort_values(["_order", "trial"])
    return frame[TRIAL_COLUMNS].reset_index(drop=True)


def add_running_best(frame: pd.DataFrame) -> pd.DataFrame:
    """``best_score``: best full-fidelity CV score so far in the run (failed trials never count);
    ``best_test_score``: the holdout test score of the incumbent, the first configuration of the
    run to reach that best (a later configuration that only ties it does not replace it: the
    incumbent is what a practitioner running the search would have kept)."""
    counts = (frame["status"] == "ok") & np.isclose(frame["fidelity"], 1.0)
    eligible = frame["score"].astype(float).where(counts)
    best = eligible.groupby(frame["run_id"]).cummax().groupby(frame["run_id"]).ffill()
    before = best.groupby(frame["run_id"]).shift(1)
    # the trial that holds the running best: the one that raised it, strictly
    is_new_best = counts & (before.isna() | (frame["score"].astype(float) > before))
    holder_test = frame["test_score"].astype(float).where(is_new_best)
    best_test = holder_test.groupby(frame["run_id"]).ffill()
    return frame.assign(best_score=best, best_test_score=best_test)


def _runs_in_order(trials: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Trials sorted by run (in order of first appearance) then trial; the run code of each row;
    and the run keys, one row per run code."""
    codes = trials.groupby(RUN_KEYS, sort=False).ngroup().to_numpy()
    order = np.lexsort((trials["trial"].to_numpy(), codes))
    ordered = trials.iloc[order].reset_index(drop=True)
    codes = codes[order]
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    keys = ordered.loc[first, RUN_KEYS].reset_index(drop=True)
    return ordered, codes, keys


def curves(trials: pd.DataFrame, budget: int) -> pd.DataFrame:
    """Best-so-far at every whole cost 1..budget for every run, with the time spent by then.

    A run that ended early (an exhausted strategy) is carried flat to the budget, as is a run whose
    last trial is fractional. ``seconds`` is the evaluation plus suggestion time spent so far.
    Before a run's first full-fidelity result its best score is NaN.
    """
    if trials.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    ordered, codes, keys = _runs_in_order(trials)
    by_run = ordered.groupby(codes, sort=False)
    cum_cost = by_run["cost"].cumsum().to_numpy(dtype=float)
    seconds = (ordered["eval_seconds"] + ordered["suggest_seconds"]).groupby(codes).cumsum()
    # One sorted axis for all runs: run r's cumulative costs live in [r * span, r * span + budget],
    # so a single searchsorted finds, for every (run, cost level), the last trial finished by then.
    span = float(max(budget, np.nanmax(cum_cost))) + 2.0
    n_runs = len(keys)
    levels = np.arange(1, budget + 1, dtype=float)
    run_of_query = np.repeat(np.arange(n_runs), budget)
    queries = run_of_query * span + np.tile(levels, n_runs) + COST_EPS
    idx = np.searchsorted(codes * span + cum_cost, queries, side="right") - 1
    safe = np.clip(idx, 0, None)
    valid = (idx >= 0) & (codes[safe] == run_of_query)

    def at_levels(values: np.ndarray) -> np.ndarray:
        return np.where(valid, values[safe], np.nan)

    out = keys.iloc[run_of_query].reset_index(drop=True)
    return out.assign(
        cost=np.tile(levels, n_runs),
        best_score=at_levels(ordered["best_score"].to_numpy(dtype=float)),
        best_test_score=at_levels(ordered["best_test_score"].to_numpy(dtype=float)),
        seconds=at_levels(seconds.to_numpy(dtype=float)),
    )


def time_curves(trials: pd.DataFrame, points: int = 60, shared: bool = False) -> pd.DataFrame:
    """Best-so-far against the time a run has spent (evaluation plus suggestion seconds), on a
    log-spaced grid of ``points`` times per problem (one grid for all problems if ``shared``).

    Before a run's first full-fidelity result its value is NaN; after its last trial it is
    carried flat, like the cost curves.
    """
    columns = [*RUN_KEYS, "seconds", "best_score"]
    if trials.empty:
        return pd.DataFrame(columns=columns)
    ordered, codes, keys = _runs_in_order(trials)
    elapsed = (ordered["eval_seconds"] + ordered["suggest_seconds"]).groupby(codes).cumsum()
    elapsed = elapsed.to_numpy(dtype=float)
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    group = pd.Series("", index=keys.index) if shared else keys["problem"]
    # the grid of a problem spans from its fastest first trial to its slowest run
    start = pd.Series(np.maximum(elapsed[first], 1e-6)).groupby(group.to_numpy()).min()
    end = pd.Series(elapsed[np.r_[first[1:] - 1, len(codes) - 1]]).groupby(group.to_numpy()).max()
    grids = {g: np.geomspace(start[g], max(end[g], start[g] * 1.01), points) for g in start.index}
    queries = np.concatenate([grids[g] for g in group])
    run_of_query = np.repeat(np.arange(len(keys)), points)
    span = float(elapsed.max()) * 2 + 1.0
    idx = np.searchsorted(codes * span + elapsed, run_of_query * span + queries, side="right") - 1
    safe = np.clip(idx, 0, None)
    valid = (idx >= 0) & (codes[safe] == run_of_query)
    best = ordered["best_score"].to_numpy(dtype=float)
    out = keys.iloc[run_of_query].reset_index(drop=True)
    return out.assign(seconds=queries, best_score=np.where(valid, best[safe], np.nan))


def final_scores(curve: pd.DataFrame) -> pd.DataFrame:
    """Each run's best score and its test score at the budget."""
    last = curve.sort_values("cost", kind="stable").groupby(RUN_KEYS, sort=False).tail(1)
    return last[[*RUN_KEYS, "best_score", "best_test_score", "seconds"]].reset_index(drop=True)


def references(catalogue: Catalogue, problems: Sequence[str]) -> pd.DataFrame:
    """The frozen references of ``problems``: ``ref_random``, ``ref_best`` and a ``status``,
    one of ``ok``, ``saturated`` (``ref_best <= ref_random``), ``below resolution`` (the range
    is below one step of the score, :mod:`bench.resolution`) or ``missing``; every status but
    ``ok`` leaves the problem out of normalized aggregates: it is reported by rank only."""
    from bench.resolution import rank_only

    rows = []
    for pid in problems:
        ref = catalogue.reference(pid)
        if ref is None:
            rows.append((pid, np.nan, np.nan, "missing"))
        elif ref.saturated:
            rows.append((pid, ref.ref_random, ref.ref_best, "saturated"))
        else:
            coarse = pid in catalogue.problems and rank_only(
                catalogue.problems[pid], ref.ref_random, ref.ref_best, ref.ref_best_sem)
            rows.append((pid, ref.ref_random, ref.ref_best, "below resolution" if coarse else "ok"))
    return pd.DataFrame(rows, columns=["problem", "ref_random", "ref_best", "status"]).set_index(
        "problem")


def normalize(frame: pd.DataFrame, catalogue: Catalogue, column: str = "best_score") -> pd.Series:
    """``(score - ref_random) / (ref_best - ref_random)`` with the frozen references; NaN for a
    problem without references or a saturated one.

    Each value depends only on its own row and the catalogue: adding another strategy's runs
    never moves it.
    """
    if frame.empty:
        return pd.Series(dtype=float, index=frame.index)
    refs = references(catalogue, frame["problem"].unique())
    usable = refs[refs["status"] == "ok"]
    low = frame["problem"].map(usable["ref_random"]).astype(float)
    high = frame["problem"].map(usable["ref_best"]).astype(float)
    return ((frame[column].astype(float) - low) / (high - low)).rename(None)


def run_table(trials: pd.DataFrame, curve: pd.DataFrame, catalogue: Catalogue,
              budget: int) -> pd.DataFrame:
    """One row per run at the budget: what it spent, its best scores (raw and normalized), how
    many trials failed or timed out, and the time spent suggesting and evaluating."""
    if trials.empty:
        return pd.DataFrame(columns=RUN_COLUMNS)
    final = final_scores(curve)
    per_run = trials.groupby(RUN_KEYS, sort=False).agg(
        strategy_version=("strategy_version", "first"),
        trials=("trial", "size"),
        cost=("cost", "sum"),
        failed_trials=("status", lambda s: int((s == "failed").sum())),
        timeouts=("status", lambda s: int((s == "timeout").sum())),
        suggest_seconds=("suggest_seconds", "sum"),
        eval_seconds=("eval_seconds", "sum"),
    ).reset_index()
    table = per_run.merge(final[[*RUN_KEYS, "best_score", "best_test_score"]], on=RUN_KEYS,
                          how="left")
    # at least one full evaluation left unspent: the strategy had nothing more to propose
    table["exhausted"] = table["cost"] <= budget - 1 + COST_EPS
    table["normalized_score"] = normalize(table, catalogue, "best_score")
    table["normalized_test_score"] = normalize(table, catalogue, "best_test_score")
    return table[RUN_COLUMNS]


#: One row per run cut at random search's seconds (``runs_equal_time`` of a report): the run
#: table's columns at the cut, then the seconds allowed, the seconds spent by the cut and whether
#: the run was cut before its end.
EQUAL_TIME_COLUMNS = [*RUN_COLUMNS, "time_limit", "seconds", "cut"]
#: Relative slack when comparing a run's seconds with its limit: random search's own run, whose
#: seconds are the limit, must never be cut by a rounding difference.
TIME_SLACK = 1e-9


def equal_time_runs(trials: pd.DataFrame, runs: pd.DataFrame, catalogue: Catalogue,
                    baseline: str = "random") -> pd.DataFrame:
    """Every run cut at the evaluation plus suggestion seconds that ``baseline`` (random
    search) spent on the same problem and seed: its trials, cost, seconds and best scores (raw
    and normalized) counting only the trials finished by then, the seconds being summed over
    the run's trials in order (one worker's seconds, as in :func:`time_curves`).

    A run that spent fewer seconds keeps its result at its end (its curve is flat from there:
    runs are not extended). A run without a full-fidelity result by the cut, or whose problem
    and seed have no ``baseline`` run to take the limit from, has a NaN best score. The
    seconds, and so this view, depend on the machine the runs were made on."""
    if trials.empty or runs.empty:
        return pd.DataFrame(columns=EQUAL_TIME_COLUMNS)
    ordered, codes, keys = _runs_in_order(trials)
    elapsed = (ordered["eval_seconds"] + ordered["suggest_seconds"]).groupby(codes).cumsum()
    elapsed = elapsed.to_numpy(dtype=float)
    last = np.r_[np.flatnonzero(codes[1:] != codes[:-1]), len(codes) - 1]
    keys = keys.assign(total=elapsed[last])
    limits = keys.loc[keys["strategy"] == baseline, ["problem", "seed", "total"]].rename(
        columns={"total": "time_limit"})
    keys = keys.merge(limits, on=["problem", "seed"], how="left")
    limit = keys["time_limit"].to_numpy(dtype=float)[codes]
    # seconds never decrease within a run, so the trials within the limit are a prefix of it
    within = elapsed <= limit * (1 + TIME_SLACK)
    cumulative = {
        "trials": np.ones(len(codes)), "cost": ordered["cost"].to_numpy(dtype=float),
        "failed_trials": (ordered["status"] == "failed").to_numpy(dtype=float),
        "timeouts": (ordered["status"] == "timeout").to_numpy(dtype=float),
        "suggest_seconds": ordered["suggest_seconds"].to_numpy(dtype=float),
        "eval_seconds": ordered["eval_seconds"].to_numpy(dtype=float),
    }
    counted = pd.Series(within.astype(int)).groupby(codes).sum().to_numpy()
    first = np.r_[0, last[:-1] + 1]
    at = first + counted - 1  # the last trial finished by the cut (before first if none)
    some = counted > 0
    cut = keys[RUN_KEYS].copy()
    for column, values in cumulative.items():
        sums = pd.Series(np.where(within, values, 0.0)).groupby(codes).sum().to_numpy()
        cut[column] = sums
    for column in ("best_score", "best_test_score"):
        values = ordered[column].to_numpy(dtype=float)
        cut[column] = np.where(some, values[np.clip(at, 0, None)], np.nan)
    cut["seconds"] = np.where(some, elapsed[np.clip(at, 0, None)], 0.0)
    cut["time_limit"] = keys["time_limit"].to_numpy()
    cut["cut"] = counted < (last - first + 1)
    for column in ("trials", "failed_trials", "timeouts"):
        cut[column] = cut[column].astype(int)
    table = runs[[*RUN_KEYS, "strategy_version", "exhausted"]].merge(cut, on=RUN_KEYS, how="left")
    table["normalized_score"] = normalize(table, catalogue, "best_score")
    table["normalized_test_score"] = normalize(table, catalogue, "best_test_score")
    return table[EQUAL_TIME_COLUMNS]


def problem_ranks(final: pd.DataFrame) -> pd.DataFrame:
    """Rank of each strategy on each problem (1 = best), by its mean best score over seeds."""
    means = final.groupby(["problem", "strategy"])["best_score"].mean().unstack("strategy")
    return means.rank(axis=1, ascending=False, method="average")


def in_report_references(catalogue: Catalogue, problems: Sequence[str], trials: pd.DataFrame,
                         baseline: str = "random") -> dict:
    """References made within this report for the ``problems`` that have no frozen ones (a
    user's problem before ``searchbench references``): ``ref_random`` the median score of the
    configurations random search (``baseline``) evaluated here at full fidelity, ``ref_best``
    the best full-fidelity score any run here reached. Unlike frozen references they move when
    runs are added; a problem without a random-search trial here gets none."""
    from bench.catalogue import Reference

    if trials.empty:
        return {}
    full = trials[(trials["status"] == "ok") & np.isclose(trials["fidelity"].astype(float), 1.0)]
    out = {}
    for pid in problems:
        if catalogue.reference(pid) is not None:
            continue
        mine = full[full["problem"] == pid]
        random = mine[mine["strategy"] == baseline]["score"].astype(float)
        if random.empty:
            continue
        out[pid] = Reference(float(random.median()), float(mine["score"].astype(float).max()))
    return out


def in_report_note(problems: Sequence[str], baseline: str = "random") -> str:
    """What the report says of the problems normalized within it."""
    shown = ", ".join(f"`{p}`" for p in problems)
    return (f"no frozen references for {shown}: normalized within this report (0 = the median "
            f"score of the configurations `{baseline}` evaluated in it, 1 = the best score any "
            "run in it reached); these numbers move when strategies or runs are added. "
            "`searchbench references --problems-from FILE` (with `--budget N` for a cheaper "
            "reference) freezes them.")
