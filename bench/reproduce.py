"""Does a recomputation reproduce committed results? ``python -m bench.reproduce COMMITTED OTHER``.

Compares two ``runs.csv`` files, as reports write them, row by row on (problem, strategy, seed):
every column must be equal except the timing columns, which depend on the machine. With
``--seeds N`` only the rows of seeds 0..N-1 are compared, so that a recomputation of some seeds
(``searchbench run default --seeds 2 --no-seed``, then ``searchbench report default --seeds 2
--out OTHER``) can be checked against the committed results of all of them. Floats are compared
exactly: the same seeds, versions and machine give the same numbers (another CPU or BLAS may
round differently). Exit code 0 when they agree, 1 when they do not (each differing column is
named with a run where it differs; runs missing on one side or repeated are named too), 2 on bad
input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from bench.analysis import RUN_KEYS as KEY

#: Columns that measure the machine, not the search.
TIMING = ("suggest_seconds", "eval_seconds")


def _value(x) -> str:
    return repr(x.item() if hasattr(x, "item") else x)


def _runs(count: int) -> str:
    return f"{count} run" + ("" if count == 1 else "s")


def _names(rows: pd.DataFrame) -> str:
    """The first three runs of ``rows`` as problem/strategy/seed."""
    return ", ".join("/".join(map(str, key)) for key in rows[KEY].head(3).values)


def differences(committed: pd.DataFrame, other: pd.DataFrame, seeds: int | None = None
                ) -> list[str]:
    """What differs between two runs tables apart from timing; empty when they agree."""
    for name, table in (("committed", committed), ("other", other)):
        missing = [k for k in KEY if k not in table.columns]
        if missing:
            raise ValueError(f"the {name} table has no column {', '.join(missing)}")
    if seeds is not None:
        committed, other = committed[committed.seed < seeds], other[other.seed < seeds]
    found = []
    for name, table in (("committed", committed), ("other", other)):
        repeated = table[table.duplicated(KEY)]
        if len(repeated):
            found.append(f"{_runs(len(repeated))} repeated in the {name} table, e.g. "
                         f"{_names(repeated)}")
    if found:
        return found
    columns = [c for c in committed.columns if c not in TIMING]
    other_columns = [c for c in other.columns if c not in TIMING]
    if sorted(columns) != sorted(other_columns):
        return [f"columns differ: {sorted(columns)} against {sorted(other_columns)}"]
    merged = committed[columns].merge(other[columns], on=KEY, how="outer",
                                      suffixes=("", " (other)"), indicator=True)
    for side, label in (("left_only", "only in the committed table"),
                        ("right_only", "only in the other table")):
        rows = merged[merged["_merge"] == side]
        if len(rows):
            found.append(f"{_runs(len(rows))} {label}, e.g. {_names(rows)}")
    both = merged[merged["_merge"] == "both"]
    for column in columns:
        if column in KEY:
            continue
        a, b = both[column], both[f"{column} (other)"]
        differ = ~((a == b) | (a.isna() & b.isna()))
        if differ.any():
            example = both.loc[differ].head(1)
            found.append(f"{column} differs in {_runs(int(differ.sum()))}, e.g. "
                         f"{_names(example)}: {_value(example[column].iloc[0])} against "
                         f"{_value(example[f'{column} (other)'].iloc[0])}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reproduce",
        description="Check that a recomputed runs.csv equals a committed one apart from timing.")
    parser.add_argument("committed", type=Path, help="the committed runs.csv")
    parser.add_argument("other", type=Path, help="the recomputed runs.csv")
    parser.add_argument("--seeds", type=int, help="compare seeds 0..N-1 only")
    args = parser.parse_args(argv)
    if args.seeds is not None and args.seeds < 1:
        print(f"--seeds must be a positive integer, not {args.seeds}", file=sys.stderr)
        return 2
    tables = []
    for path in (args.committed, args.other):
        if not path.is_file():
            print(f"no such file: {path}", file=sys.stderr)
            return 2
        try:
            tables.append(pd.read_csv(path))
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
            print(f"{path} is not a runs table: {error}", file=sys.stderr)
            return 2
    try:
        found = differences(*tables, seeds=args.seeds)
    except ValueError as error:
        print(f"{error} (is it a runs.csv?)", file=sys.stderr)
        return 2
    rows = len(tables[0] if args.seeds is None else tables[0][tables[0].seed < args.seeds])
    if found:
        print("\n".join(found))
        return 1
    print(f"{rows} runs equal apart from {', '.join(TIMING)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
