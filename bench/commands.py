"""What each command does, once its arguments are parsed. Everything that can be checked before
running is checked first, so that bad input writes nothing."""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

from bench.backends import make_backend
from bench.catalogue import Catalogue, load_catalogue
from bench.errors import BadInput
from bench.evaluator import ChildEvaluator
from bench.owner import execute
from bench.paths import default_store, project_root
from bench.plan import build_plan, select_strategies, suite_problems
from bench.registry import discover, load_failures
from bench.store import check_store_path, open_store
from bench.strategy import StrategyInfo
from bench.suite import Suite, builtin_suites, load_suite, parse_suite, split_list
from bench.variants import split_names
from bench.warm import local_workers, single_run, start_fork_server


@dataclass(frozen=True)
class Context:
    """What the arguments of ``run`` or ``report`` resolve to, checked before anything is
    written: the catalogue, the suite with its overrides, its strategies and the store."""

    catalogue: Catalogue
    suite: Suite
    strategies: list[StrategyInfo]
    problems: list[str]
    store_path: Path


def build_context(args: argparse.Namespace, store: str) -> Context:
    """``store``: "write" (created if missing), "read" (must exist) or "peek" (may be missing)."""
    catalogue, suite = user_suite(args, load_catalogue())
    suite = suite.with_overrides(
        problems=split_list(args.problems), strategies=split_names(args.strategies),
        seeds=args.seeds, budget=args.budget)
    strategies = select_strategies(suite.strategies, discover())
    warn_load_failures(suite.strategies)
    problems = suite_problems(suite, catalogue)
    unreferenced = [p for p in problems if p in catalogue.user and catalogue.reference(p) is None]
    if unreferenced and suite.strategies is not None:
        from bench.stats import BASELINE

        if BASELINE not in {s.name for s in strategies}:
            # random search is the baseline that normalizes a problem without frozen references
            suite = suite.with_overrides(strategies=[*suite.strategies, BASELINE])
            strategies = select_strategies(suite.strategies, discover())
            print(f"searchbench: {BASELINE} added: it is the baseline that normalizes "
                  f"{', '.join(unreferenced[:3])}{' ...' if len(unreferenced) > 3 else ''} "
                  "(no frozen references)", file=sys.stderr)
    store_path = args.store or default_store()
    if store != "peek" or store_path.exists():
        check_store_path(store_path, catalogue.fingerprint, create=store == "write")
    return Context(catalogue, suite, strategies, problems, store_path)


def user_suite(args: argparse.Namespace, catalogue: Catalogue) -> tuple[Catalogue, Suite]:
    """The catalogue with the ``--problems-from`` files' problems and the suite (see
    :func:`bench.plugins.suite_and_problems`)."""
    from bench.plugins import suite_and_problems  # scikit-learn: only when it is needed

    return suite_and_problems(args.suite, getattr(args, "problems_from", None) or [], catalogue)


def warn_load_failures(patterns: Sequence[str] | None) -> None:
    """One line on stderr for each strategy file that failed to load and that ``patterns`` would
    otherwise take in (every strategy, or a glob pattern that matches its name), so that a broken
    file does not silently drop out of a run or a report. One named exactly is bad input, raised
    by the selection before this is reached."""
    for info in load_failures():
        if patterns is None or any(p != info.name and fnmatch.fnmatchcase(info.name, p)
                                   for p in patterns):
            where = info.origin if info.origin.startswith("entry point") else \
                f"file {info.origin}"
            print(f"searchbench: strategy {where} left out: {info.reason}", file=sys.stderr)


def run_command(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.scheduler is not None:
        raise BadInput("give --jobs or --scheduler, not both")
    if args.dry_run:
        return dry_run_command(args)
    # With a new store there is work to do: the local workers' fork server starts now and
    # imports while this process loads the catalogue and plans (bench.warm), unless the
    # arguments name a single run, which runs here. With an existing store nothing starts
    # before the plan, so that a command with nothing left to run stays quick.
    fresh = not (args.store or default_store()).exists()
    if fresh and not args.scheduler and local_workers(args.jobs) > 1 and not single_run(args):
        start_fork_server()
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    # Resolve everything before the store is touched: problems, strategies, fingerprint.
    ctx = build_context(args, "write")
    catalogue, suite, strategies, store_path = (ctx.catalogue, ctx.suite, ctx.strategies,
                                                ctx.store_path)
    empty = not store_path.exists()
    # An unreachable scheduler is bad input, found before the store is touched; local workers
    # start only if there is something to run.
    backend = make_backend(scheduler=args.scheduler) if args.scheduler else None
    store = open_store(store_path, catalogue.fingerprint)
    try:
        if args.no_seed and not empty:
            print(f"--no-seed: the store {store_path} already exists, so it is not seeded "
                  "anyway, and the runs it holds (computed or seeded) are not computed again; "
                  "give a new --store to compute every run", file=sys.stderr)
        elif empty and args.no_seed:
            print("empty store, not seeded (--no-seed): every run is computed", file=sys.stderr)
        elif empty:  # a fresh clone computes only what the committed results do not hold
            from bench.plan import run_specs
            from bench.seeding import seed_store

            seed_store(store, suite, catalogue, strategies, run_specs(suite, catalogue, strategies),
                       project_root() / "results" / suite.name,
                       lambda text: print(text, file=sys.stderr))
        plan = build_plan(suite, catalogue, strategies, store, retry_failed=args.retry_failed)
        new = len(plan.todo) - plan.resumed
        print(
            f"suite {suite.name}: {len(plan.specs)} runs ({len(plan.done)} done, "
            f"{plan.resumed} to resume, {new} new, {len(plan.failed)} failed before); "
            f"{len(strategies)} strategies, budget {suite.budget}, store {store_path}",
            file=sys.stderr,
        )
        if not plan.todo:
            print("nothing to run: every run is already in the store", file=sys.stderr)
            summary = None
        else:
            backend = backend or make_backend(args.jobs, runs=len(plan.todo))
            summary = execute(plan.todo, store, backend, progress=not args.no_progress,
                              label=suite.name, costs=plan.costs)
            print(f"executed {summary.executed} runs ({summary.trials} trials) in "
                  f"{summary.seconds:.1f} s on {backend.workers} worker(s); "
                  f"{summary.completed} completed, {len(summary.failed)} failed", file=sys.stderr)
            if summary.diverged:
                print(f"{summary.diverged} resumed run(s) started over: their strategy proposed "
                      "otherwise than the stored trials (a strategy that is not deterministic "
                      "for its seed)", file=sys.stderr)
        failed = list(summary.failed) if summary else []
        errors = store.run_errors(s.run_id for s in plan.failed)
        failed += [(spec, errors.get(spec.run_id, "")) for spec in plan.failed]
    finally:
        store.close()
        if backend is not None:
            backend.close()
    if failed:
        print(f"{len(failed)} run(s) failed:", file=sys.stderr)
        for spec, error in failed:
            first = error.strip().splitlines()[0] if error.strip() else "no message"
            print(f"  {spec.problem} / {spec.strategy} / seed {spec.seed}: {first}", file=sys.stderr)
            last = error.strip().splitlines()[-1] if error.strip() else ""
            if last and last != first:
                print(f"    {last}", file=sys.stderr)
        if plan.failed:
            print("runs that failed before are not retried without --retry-failed", file=sys.stderr)
        return 1
    return 0


def report_command(args: argparse.Namespace) -> int:
    from bench import report_target
    from bench.plan import run_specs
    from bench.report import check_output, write_report

    ctx = build_context(args, "read")
    suite = ctx.suite
    base = user_suite(args, ctx.catalogue)[1]  # before the command's overrides
    out = report_target.output_folder(suite, base, ctx.store_path, args.out)
    check_output(out)
    store = open_store(ctx.store_path, ctx.catalogue.fingerprint, create=False)
    try:
        # Whether the store holds the runs asked for, then whether the folder may be replaced:
        # both before anything is written.
        specs = run_specs(suite, ctx.catalogue, ctx.strategies)
        status = store.run_status(spec.run_id for spec in specs)
        complete = sum(1 for state in status.values() if state == "complete")
        report_target.check_runs_present(store, complete, suite,
                                         [s.name for s in ctx.strategies], ctx.problems,
                                         ctx.store_path)
        report_target.check_replace(out, suite, base, ctx.store_path, args.overwrite)
        written = write_report(suite, ctx.catalogue, ctx.strategies, store, out,
                               force=args.force)
    finally:
        store.close()
    if written:
        print(f"report for suite {suite.name} written to {out} ({len(written)} files)",
              file=sys.stderr)
    else:
        print(f"report for suite {suite.name} in {out} is up to date: nothing it is made from has "
              "changed (--force writes it again)", file=sys.stderr)
    report_target.summary(out, lambda text: print(text, file=sys.stderr))
    return 0


def list_command(args: argparse.Namespace) -> int:
    if args.markdown:
        if args.what != "problems":
            raise BadInput(f"--markdown lists problems only, not {args.what}")
        from bench.catalogue_doc import catalogue_markdown

        print(catalogue_markdown(load_catalogue()), end="")
        return 0
    if args.what == "strategies" and getattr(args, "variants", False):
        from bench.registry import parametrized
        from bench.variants import describe_variants

        print(describe_variants(parametrized()))
        return 0
    if args.what == "strategies":
        rows = [
            [info.name, info.library or "-", info.library_version or "-",
             "yes" if info.multi_fidelity else "no",
             (f"available (extra {info.needs_extra}: runs where a suite names it)"
              if info.needs_extra else "available")
             if info.available else f"unavailable: {info.reason}"]
            for info in discover().values()
        ]
        headers = ["strategy", "library", "version", "multi-fidelity", "status"]
        print(tabulate(rows, headers=headers))
        available = sum(1 for i in discover().values() if i.available)
        own = {"searchbench", "numpy", "scipy"}  # the project's own strategies count as one
        libraries = {"searchbench" if i.library in own else i.library
                     for i in discover().values() if i.available}
        print(f"\n{available} available strategies from {len(libraries)} libraries (searchbench's "
              "own numpy/scipy strategies counted as one); `--variants` lists what else can be "
              "named")
        return 0
    catalogue = load_catalogue()
    files = getattr(args, "problems_from", None) or []
    if files and args.what == "problems":  # what loads is listed; what does not, named
        from bench.plugins import loadable, with_problem_files

        catalogue = with_problem_files(catalogue, loadable(
            files, lambda text: print(f"searchbench: {text}", file=sys.stderr)))
    if getattr(args, "selection", False):
        if args.what != "problems":
            raise BadInput(f"--selection lists problems only, not {args.what}")
        from bench.holding import beaten_references, published_runs
        from bench.references import read_entries, references_path
        from bench.selection import select, selection_table

        entries = read_entries(references_path(catalogue))
        beaten = beaten_references(published_runs(project_root() / "results"), entries)
        print(selection_table(select(catalogue, entries), beaten))
        return 0
    if args.what == "problems":
        print(problems_table(catalogue, details=args.details,
                             grid_budget=getattr(args, "grid_budget", None)))
        return 0
    rows = []
    for name in builtin_suites(catalogue.suites_dir):
        suite = parse_suite(catalogue.suites_dir / f"{name}.toml", default_name=name)
        rows.append([name, len(suite.problems), ", ".join(suite.strategies) if suite.strategies
                     else "all available", suite.seeds, suite.budget, suite.description])
    print(tabulate(rows, headers=["suite", "problem patterns", "strategies", "seeds", "budget",
                                  "description"]))
    return 0


def problems_table(catalogue: Catalogue, details: bool = False, fmt: str = "simple",
                   grid_budget: int | None = None) -> str:
    rows = []
    for pid, problem in catalogue.problems.items():
        ref = catalogue.reference(pid)
        row = [pid, problem.task, problem.model, problem.dataset.name,
               problem.metric or problem.to_dict()["metric"], len(problem.space),
               "yes" if problem.space.is_conditional else "no",
               "saturated" if ref and ref.saturated else ("yes" if ref else "no")]
        reason = problem.unavailable
        row.append(f"unavailable: {reason}" if reason else "available")
        if details:
            row += ["<br>".join(problem.space.describe()) if fmt == "github"
                    else "\n".join(problem.space.describe()), problem.fidelity.describe()]
            if grid_budget:  # the grid search strategy's grid at this budget
                row.append(("<br>" if fmt == "github" else "\n").join(
                    problem.space.describe_grid(grid_budget)))
        rows.append(row)
    headers = ["problem", "task", "model", "dataset", "metric", "dims", "conditional", "refs",
               "status"]
    if details:
        headers += ["search space", "fidelity"] + ([f"grid at budget {grid_budget}"]
                                                   if grid_budget else [])
    counts = {}
    for p in catalogue.problems.values():
        counts[p.task] = counts.get(p.task, 0) + 1
    total = ", ".join(f"{n} {task}" for task, n in sorted(counts.items()))
    return tabulate(rows, headers=headers, tablefmt=fmt) + (
        f"\n\n{len(rows)} problems ({total}); catalogue version {catalogue.version}"
    )


# -- catalogue: dry runs and the reference run ------------------------------------------------------
def dry_run_command(args: argparse.Namespace) -> int:
    """``run --dry-run``: the plan and its estimated wall time; nothing is run or written."""
    from bench.estimate import estimate, render, suggest_costs

    ctx = build_context(args, "peek")
    catalogue, suite, strategies = ctx.catalogue, ctx.suite, ctx.strategies
    store = open_store(ctx.store_path, catalogue.fingerprint, create=False, read_only=True) \
        if ctx.store_path.exists() else None
    try:
        plan = build_plan(suite, catalogue, strategies, store, retry_failed=args.retry_failed)
        measured = suggest_costs(store)
    finally:
        if store is not None:
            store.close()
    workers = args.jobs or os.cpu_count() or 1
    new = len(plan.todo) - plan.resumed
    print(f"suite {suite.name}: {len(ctx.problems)} problems x "
          f"{len(strategies)} strategies x {suite.seeds} seeds = {len(plan.specs)} runs "
          f"({len(plan.done)} done, {plan.resumed} to resume, {new} new, {len(plan.failed)} "
          f"failed before), budget {suite.budget}")
    print(render(estimate(plan, catalogue, measured, workers)))
    if args.scheduler:
        print("(on a Dask cluster, divide the CPU hours by its number of worker threads)")
    return 0


def references_command(args: argparse.Namespace) -> int:
    """``searchbench references``: make the frozen references of the problems that need them."""
    from bench import references as refs
    from bench.suite import resolve

    catalogue = load_catalogue()
    out = args.out or refs.references_path(catalogue)
    if args.problems and args.suite:
        raise BadInput("give a suite or --problems, not both")
    if args.beaten and (args.problems or args.suite or args.seed_noise):
        raise BadInput("--beaten chooses the problems itself: give no suite, --problems or "
                       "--seed-noise with it")
    files = args.problems_from or []
    if files:  # the user's problems: their references go beside their file
        from bench.plugins import references_path as user_references_path, with_problem_files

        if args.suite or args.beaten or args.seed_noise:
            raise BadInput("--problems-from makes the references of its files' problems: give "
                           "no suite, --beaten or --seed-noise with it")
        catalogue = with_problem_files(catalogue, files)
        chosen = resolve(split_list(args.problems) or ["*"], list(catalogue.user), "problem")
        homes = {catalogue.user[pid] for pid in chosen}
        if len(homes) > 1 and args.out is None:
            raise BadInput("--problems-from: give one file at a time (each file's references "
                           "are written beside it), or --out")
        out = args.out or user_references_path(homes.pop())
    entries = refs.read_entries(out)
    budgets: dict[str, int] = {}
    if files:
        needing = set(refs.needing_references(catalogue, entries))
        problems = [pid for pid in chosen if args.problems or pid in needing]
    elif args.beaten:
        from bench.holding import beaten_problems, beaten_references, larger_budget, \
            published_runs

        problems = beaten_problems(beaten_references(published_runs(project_root() / "results"),
                                                     entries))
        budgets = {pid: args.budget or larger_budget(entries.get(pid), refs.POOL_BUDGET)
                   for pid in problems}
    elif args.problems:
        problems = resolve(split_list(args.problems), catalogue.problems, "problem")
    elif args.seed_noise:
        problems = [pid for pid in catalogue.problems]
    else:
        needing = set(refs.needing_references(catalogue, entries))
        scope = catalogue.problems
        if args.suite:
            scope = resolve(load_suite(args.suite, catalogue.suites_dir).problems,
                            catalogue.problems, "problem")
        problems = [pid for pid in scope if pid in needing]
    if args.seed_noise:
        if args.suite:
            scope = resolve(load_suite(args.suite, catalogue.suites_dir).problems,
                            catalogue.problems, "problem")
            problems = [pid for pid in problems if pid in scope]
        problems = [pid for pid in problems
                    if refs.needs_seed_noise(catalogue.problems[pid], entries.get(pid))
                    and entries[pid].get("digest") == catalogue.problem_digests[pid]]
        if not problems:
            print("nothing to measure: every single-split problem asked for that has an "
                  f"up-to-date reference in {out} has its seed noise", file=sys.stderr)
            return 0
        done, failed = refs.add_seed_noise(catalogue, problems, out,
                                           say=lambda text: print(text, file=sys.stderr))
        for pid, reason in failed.items():
            print(f"no seed noise for {pid}: {reason}", file=sys.stderr)
        return 1 if failed else 0
    strategies = discover()
    refs.reference_specs(catalogue, problems, strategies, refs.Method())  # checks the strategies
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise BadInput(f"references file {out} cannot be written: {out.parent} is not a "
                       "writable directory")
    if args.budget and not budgets:
        budgets = {pid: args.budget for pid in problems}
    if not problems and args.beaten:
        print("no reference is beaten by the published runs", file=sys.stderr)
        return 0
    if not problems:
        print(f"every problem asked for has an up-to-date reference in {out}", file=sys.stderr)
        return 0
    store_path = args.store or (project_root() / ".searchbench" /
                                f"references-{catalogue.fingerprint[:12]}.sqlite")
    check_store_path(store_path, catalogue.fingerprint, create=True)
    # problems remade with a larger budget (--budget, --beaten) go in groups of one budget
    groups: dict[int, list[str]] = {}
    for pid in problems:
        groups.setdefault(budgets.get(pid, refs.POOL_BUDGET), []).append(pid)
    runs = len(refs.Method().runs) * len(problems)
    backend = make_backend(args.jobs, runs=runs)
    print(f"references for {len(problems)} problems ({runs} runs), store "
          f"{store_path}, written to {out}", file=sys.stderr)
    store = open_store(store_path, catalogue.fingerprint)
    made: dict[str, dict] = {}
    failed: dict[str, str] = {}
    curves = ChildEvaluator()  # cost curves are timed on the trials' own path
    try:
        for budget, group in sorted(groups.items()):
            done, missed = refs.make_references(
                catalogue, group, strategies, store,
                lambda tasks, label: execute(tasks, store, backend,
                                             progress=not args.no_progress, label=label),
                out, refs.Method(budget=budget), say=lambda text: print(text, file=sys.stderr),
                keep_method=budget != refs.POOL_BUDGET, evaluate=curves)
            made.update(done)
            failed.update(missed)
    finally:
        curves.close()
        store.close()
        backend.close()
    rows = [[pid, f"{e['ref_random']:.6g}", f"{e['ref_best']:.6g}", f"{e['eval_seconds']:.3f}",
             sum(e["failed"].values()), ", ".join(e["best_found_by"])]
            for pid, e in made.items()]
    if rows:
        print(tabulate(rows, headers=["problem", "ref_random", "ref_best", "s / evaluation",
                                      "failed trials", "best found by"]))
    for pid, reason in failed.items():
        print(f"no reference for {pid}: {reason}", file=sys.stderr)
    return 1 if failed else 0
