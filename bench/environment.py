"""Which installed versions can change a run's scores, and reading them.

A run's scores depend on the interpreter, the numerical stack every problem uses, the libraries
of its strategy and those of its problem. The owner records them with each run and hands them to
its workers; a store refuses a run under other versions than those it already holds for it.
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Iterable

#: What every run depends on, whatever its strategy and problem.
CORE = ("python", "numpy", "scipy", "scikit-learn", "threadpoolctl")

Versions = tuple[tuple[str, str], ...]


def distribution_version(dist: str) -> str | None:
    """The installed version of ``dist``, or None if it is not installed; remembered between
    commands (:mod:`bench.memo`: installing or removing a package is noticed), since parsing
    each strategy library's metadata at every start took a tenth of a second."""
    from bench.memo import remember

    return remember("versions", [dist], lambda: _installed_version(dist), keep=1024)


def _installed_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions(names: Iterable[str]) -> Versions:
    """The versions of ``names`` in this process ("python" is the interpreter; "-" when not
    installed), sorted by name, each named once."""
    out = {}
    for name in names:
        if name == "python":
            out[name] = "%d.%d.%d" % sys.version_info[:3]
        else:
            out[name] = distribution_version(name) or "-"
    return tuple(sorted(out.items()))


def run_versions(strategy_packages: Iterable[str], problem_packages: Iterable[str]) -> Versions:
    """The versions that can change the scores of one run: the core, the strategy's libraries
    and its problem's (torch, for a problem that declares it)."""
    extra = [p for p in (*strategy_packages, *problem_packages) if p and p != "searchbench"]
    return versions((*CORE, *extra))


def differences(stored: Versions | dict, here: Versions | dict) -> list[str]:
    """``name stored -> here`` for each package whose version differs (packages only one side
    records are left out: an older record simply did not look at them)."""
    stored, here = dict(stored), dict(here)
    return [f"{name} {stored[name]} -> {here[name]}" for name in sorted(stored)
            if name in here and stored[name] != here[name]]
