"""Suites: problems x strategies x seeds x budget, built in by name or written as a TOML file.

A suite file looks like this (``strategies`` may be left out: every available strategy that
needs no extra; a strategy of an extra, such as ``optuna_gp``, runs only where it is named)::

    name = "my-suite"
    problems = ["svc-*", "knn-wine"]   # ids or glob patterns
    strategies = ["random", "skopt-gp"]
    seeds = 5                          # seeds 0..4
    budget = 30                        # full-fidelity evaluations per run
    problems_from = ["my_problems.py"]  # optional: plug-in problem files, relative to this file
"""

from __future__ import annotations

import difflib
import fnmatch
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.errors import BadInput

KEYS = {"name", "problems", "strategies", "seeds", "budget", "description", "problems_from"}
MAX_SEEDS = 10_000
MAX_BUDGET = 100_000


@dataclass(frozen=True)
class Suite:
    """What to run. ``strategies=None`` means every available strategy that needs no extra."""

    name: str
    problems: tuple[str, ...]
    strategies: tuple[str, ...] | None
    seeds: int
    budget: int
    description: str = ""
    problems_from: tuple[Path, ...] = ()  # plug-in problem files (bench.plugins)

    def with_overrides(self, problems=None, strategies=None, seeds=None, budget=None) -> Suite:
        changes = {}
        if problems is not None:
            changes["problems"] = tuple(problems)
        if strategies is not None:
            changes["strategies"] = tuple(strategies)
        if seeds is not None:
            changes["seeds"] = check_count("--seeds", seeds, MAX_SEEDS)
        if budget is not None:
            changes["budget"] = check_count("--budget", budget, MAX_BUDGET)
        return replace(self, **changes)


def check_count(what: str, value, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise BadInput(f"{what} must be an integer from 1 to {maximum}, got {value!r}")
    return value


def builtin_suites(suites_dir: Path | None) -> list[str]:
    if suites_dir is None or not suites_dir.is_dir():
        return []
    return sorted(p.stem for p in suites_dir.glob("*.toml"))


def load_suite(arg: str, suites_dir: Path | None) -> Suite:
    """A built-in suite by name, or a suite file by path (``*.toml``)."""
    path = Path(arg)
    if arg.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise BadInput(f"suite file {arg!r} does not exist")
        return parse_suite(path, default_name=path.stem)
    names = builtin_suites(suites_dir)
    if arg not in names:
        raise BadInput(f"unknown suite {arg!r}; built-in suites: {', '.join(names) or 'none'} "
                       "(or give a path to a .toml file)")
    return parse_suite(suites_dir / f"{arg}.toml", default_name=arg)


def parse_suite(path: Path, default_name: str) -> Suite:
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"suite file {path} is not valid TOML: {exc}") from None
    unknown = set(data) - KEYS
    if unknown:
        raise BadInput(f"suite file {path}: unknown key(s) {', '.join(sorted(unknown))}; "
                       f"allowed: {', '.join(sorted(KEYS))}")
    for key in ("problems", "seeds", "budget"):
        if key not in data:
            raise BadInput(f"suite file {path}: missing key {key!r}")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name or "/" in name:
        raise BadInput(f"suite file {path}: name must be a non-empty string without '/', got {name!r}")
    problems = _string_list(path, "problems", data["problems"])
    strategies = data.get("strategies")
    if strategies is not None:
        strategies = tuple(_string_list(path, "strategies", strategies))
    problems_from = data.get("problems_from", [])
    if isinstance(problems_from, str):
        problems_from = [problems_from]
    files = tuple(path.parent / f for f in _string_list(path, "problems_from", problems_from)) \
        if problems_from else ()
    return Suite(
        name=name,
        problems_from=files,
        problems=tuple(problems),
        strategies=strategies,
        seeds=check_count(f"suite file {path}: seeds", data["seeds"], MAX_SEEDS),
        budget=check_count(f"suite file {path}: budget", data["budget"], MAX_BUDGET),
        description=str(data.get("description", "")),
    )


def _string_list(path: Path, key: str, value) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise BadInput(f"suite file {path}: {key} must be a non-empty list of strings, got {value!r}")
    return value


def split_list(text: str | None) -> list[str] | None:
    """``"a,b"`` from the command line to ``["a", "b"]``."""
    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise BadInput(f"empty name in list {text!r}")
    return items


def resolve(patterns: Sequence[str], available: Iterable[str], kind: str) -> list[str]:
    """Expand ids and glob patterns against what exists, in catalogue order, without repeats.

    A pattern that matches nothing is bad input, named in the message.
    """
    names = list(available)
    chosen: dict[str, None] = {}
    for pattern in patterns:
        matches = fnmatch.filter(names, pattern)
        if not matches:
            close = difflib.get_close_matches(pattern, names, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise BadInput(f"unknown {kind} {pattern!r}{hint}; see `searchbench list {kind}s`")
        chosen.update(dict.fromkeys(matches))
    return list(chosen)
