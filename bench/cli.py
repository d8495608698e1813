"""The command line: ``searchbench run | report | list`` (also ``python -m bench``).

Exit codes: 0 when everything asked for completed, 1 when some runs failed (they are listed with
their reason), 2 on bad input, which is refused before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.errors import BadInput

def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def version() -> str:
    """searchbench's version, from the installed package's metadata (``pyproject.toml``)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("searchbench")
    except PackageNotFoundError:  # a checkout that was never installed
        return "unknown (not installed: `make install`)"


PROBLEMS_FROM_HELP = ("a Python file of your own problems (its PROBLEMS list), added to the "
                      "catalogue; repeatable")


class Parser(argparse.ArgumentParser):
    """argparse, with one-line errors (the usage block is one ``--help`` away)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="searchbench",
        description="Compare hyperparameter-search strategies on a fixed catalogue of problems.",
    )
    parser.add_argument("--version", action="version", version=f"searchbench {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="execute what a suite needs (resumes, skips what is done)")
    run.add_argument("suite", nargs="?", help="built-in suite name or .toml file (default: "
                     "`default`, or the problems of --problems-from when it is given alone)")
    run.add_argument("--strategies", help="comma-separated names or glob patterns")
    run.add_argument("--problems", help="comma-separated ids or glob patterns")
    run.add_argument("--seeds", type=positive_int, help="number of seeds (0..N-1)")
    run.add_argument("--budget", type=positive_int, help="full-fidelity evaluations per run")
    run.add_argument("--jobs", type=positive_int, help="parallel workers (default: all cores)")
    run.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    run.add_argument("--store", type=Path, help="store file (default: .searchbench/store.sqlite)")
    run.add_argument("--problems-from", action="append", type=Path, metavar="FILE",
                     help=PROBLEMS_FROM_HELP)
    run.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    run.add_argument("--no-seed", action="store_true",
                     help="do not seed a new store from the committed results/SUITE/, so that "
                          "every run is computed (to reproduce them; runs already in an existing "
                          "store are kept)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("--dry-run", action="store_true",
                     help="print the plan and its estimated wall time; run nothing")

    report = sub.add_parser("report", help="write results/SUITE/ from the store (a report from "
                            "another store or other options: beside its store, or --out)")
    report.add_argument("suite", nargs="?", help="built-in suite name or .toml file (default: "
                        "as for run)")
    report.add_argument("--strategies", help="as for run: report the runs of these strategies")
    report.add_argument("--problems", help="as for run: report these problems")
    report.add_argument("--seeds", type=positive_int, help="as for run: number of seeds")
    report.add_argument("--budget", type=positive_int, help="as for run: evaluations per run")
    report.add_argument("--store", type=Path, help="store file (default: .searchbench/store.sqlite)")
    report.add_argument("--out", type=Path,
                        help="output folder (default: results/SUITE from the default store and "
                             "the suite's own settings, else STORE-SUITE beside the store)")
    report.add_argument("--problems-from", action="append", type=Path, metavar="FILE",
                        help=PROBLEMS_FROM_HELP)
    report.add_argument("--force", action="store_true",
                        help="write the report even if nothing it is made from has changed")
    report.add_argument("--overwrite", action="store_true",
                        help="replace the results in the output folder even when they are "
                             "committed (tracked by git, or a report of other settings); "
                             "without it, a report from another store or other options is "
                             "written beside its store or to --out")

    lister = sub.add_parser("list", help="what exists: strategies, problems or suites")
    lister.add_argument("what", choices=("strategies", "problems", "suites"))
    lister.add_argument("--problems-from", action="append", type=Path, metavar="FILE",
                        help=PROBLEMS_FROM_HELP)
    lister.add_argument("--details", action="store_true", help="problems: show the search spaces")
    lister.add_argument("--variants", action="store_true",
                        help="strategies: the parametrized ones, their parameters and values")
    lister.add_argument("--grid-budget", type=positive_int, metavar="N",
                        help="problems, with --details: the grid that grid search makes at "
                             "budget N")
    lister.add_argument("--markdown", action="store_true",
                        help="problems: the catalogue table as Markdown (datasets/CATALOGUE.md)")
    lister.add_argument("--selection", action="store_true",
                        help="problems: the default suite's selection rule, with why each "
                             "problem is in or out")

    refs = sub.add_parser("references", help="compute the frozen references (references.json)")
    refs.add_argument("suite", nargs="?", help="only this suite's problems (default: every "
                      "problem without an up-to-date reference)")
    refs.add_argument("--problems", help="comma-separated ids or glob patterns")
    refs.add_argument("--problems-from", action="append", type=Path, metavar="FILE",
                      help=PROBLEMS_FROM_HELP)
    refs.add_argument("--jobs", type=positive_int, help="parallel workers (default: all cores)")
    refs.add_argument("--store", type=Path,
                      help="store of the reference runs (default: .searchbench/references-*.sqlite)")
    refs.add_argument("--out", type=Path, help="references file (default: datasets/references.json)")
    refs.add_argument("--no-progress", action="store_true", help="no progress bar")
    refs.add_argument("--budget", type=positive_int, metavar="N",
                      help="evaluations of each pooled family's run (default 100; larger for "
                           "references that published runs beat)")
    refs.add_argument("--beaten", action="store_true",
                      help="remake the references that published runs (results/) beat, with "
                           "twice their budget unless --budget is given")
    refs.add_argument("--seed-noise", action="store_true",
                      help="only measure the score's spread over training seeds for the "
                           "single-split problems whose reference lacks it (no reference runs)")
    return parser


def entry() -> None:
    """The command line as a program (``searchbench``, ``python -m bench``): :func:`main`, then
    the exit, made cheaper by freezing what the garbage collector would otherwise walk through
    once more while the interpreter tears down scikit-learn, SciPy and pandas (a third of a second
    of a one-trial command). Exit handlers run as usual."""
    code = main()
    import gc

    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            from bench.commands import run_command

            return run_command(args)
        if args.command == "report":
            from bench.commands import report_command

            return report_command(args)
        if args.command == "references":
            from bench.commands import references_command

            return references_command(args)
        from bench.commands import list_command

        return list_command(args)
    except BadInput as exc:
        print(f"searchbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("searchbench: interrupted; finished trials are stored, run again to resume",
              file=sys.stderr)
        return 130
