"""Does a recomputation reproduce committed results? ``python -m bench.reproduce COMMITTED OTHER``.

Compares two ``runs.csv`` files, as reports write them, row by row on (problem, strategy, seed):
every column must be equal except the timing columns, which depend on the machine. With
``--seeds N`` only the rows of seeds 0..N-1 are compared, so that a recomputation of some seeds
(``searchbench run default --seeds 2 --no-seed``, then ``searchbench report default --seeds 2
--out OTHER``) can be checked against the committed results of all of them. Floats are equal
when they agree to a relative tolerance, ``--rtol``, by default 1e-9: the same seeds and versions
give the same numbers up to the last bits that another CPU's BLAS rounds differently (about 1e-16
relative), while a search that proposes or scores a trial otherwise moves a score by far more
than 1e-9. ``--rtol 0`` compares exactly, for a recomputation on the machine that made the
committed results. Integers, booleans and text are always compared exactly. Exit code 0 when they agree, 1 when they do not (each differing column is
named with a run where it differs; runs missing on one side or repeated are named too), 2 on bad
input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.analysis import RUN_KEYS as KEY

#: Columns that measure the machine, not the search.
TIMING = ("suggest_seconds", "eval_seconds")

#: The default relative tolerance of float columns: far above the last-bit differences of
#: another processor's numerical kernels, far below what a different trial changes.
RTOL = 1e-9


def close(a: pd.Series, b: pd.Series, rtol: float = RTOL) -> pd.Series:
    """Element-wise equality of two aligned columns, missing equal to missing only; floats
    within ``rtol`` of the larger magnitude (as :func:`math.isclose`, no absolute tolerance, so
    that 0 equals only 0), anything else exactly."""
    same = (a == b) | (a.isna() & b.isna())
    if rtol and pd.api.types.is_float_dtype(a) and pd.api.types.is_float_dtype(b):
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            near = np.abs(x - y) <= rtol * np.maximum(np.abs(x), np.abs(y))
        same = same | pd.Series(near, index=a.index)
    return same


def tolerance(rtol: float) -> str:
    """How floats were compared, as the command says it."""
    return "floats compared exactly" if rtol == 0 else f"floats within a relative {rtol:g}"


def _value(x) -> str:
    return repr(x.item() if hasattr(x, "item") else x)


def _runs(count: int) -> str:
    return f"{count} run" + ("" if count == 1 else "s")


def _names(rows: pd.DataFrame) -> str:
    """The first three runs of ``rows`` as problem/strategy/seed."""
    return ", ".join("/".join(map(str, key)) for key in rows[KEY].head(3).values)


def differences(committed: pd.DataFrame, other: pd.DataFrame, seeds: int | None = None,
                rtol: float = RTOL) -> list[str]:
    """What differs between two runs tables apart from timing; empty when they agree. Floats
    agree within the relative tolerance ``rtol`` (0: exactly)."""
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
        differ = ~close(a, b, rtol)
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
    parser.add_argument("--rtol", type=float, default=RTOL,
                        help=f"relative tolerance of float columns (default {RTOL:g}, what "
                             "another CPU's rounding stays within; 0: exactly)")
    args = parser.parse_args(argv)
    if args.seeds is not None and args.seeds < 1:
        print(f"--seeds must be a positive integer, not {args.seeds}", file=sys.stderr)
        return 2
    if not 0 <= args.rtol < 1:  # also refuses nan
        print(f"--rtol must be at least 0 and below 1, not {args.rtol}", file=sys.stderr)
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
        found = differences(*tables, seeds=args.seeds, rtol=args.rtol)
    except ValueError as error:
        print(f"{error} (is it a runs.csv?)", file=sys.stderr)
        return 2
    rows = len(tables[0] if args.seeds is None else tables[0][tables[0].seed < args.seeds])
    if found:
        print("\n".join(found))
        print(f"({tolerance(args.rtol)})")
        return 1
    print(f"{rows} runs equal apart from {', '.join(TIMING)} ({tolerance(args.rtol)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
