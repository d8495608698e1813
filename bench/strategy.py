"""The strategy contract: ask for a configuration, tell its score. The harness owns the loop.

A strategy is one class in one file of ``strategies/`` (or a class registered by an installed
package under the ``searchbench.strategies`` entry-point group)::

    class RandomSearch(Strategy):
        library = "numpy"

        def __init__(self, space, budget, seed, min_fidelity=1.0):
            super().__init__(space, budget, seed, min_fidelity)
            self.rng = np.random.default_rng(seed)

        def ask(self):
            return self.space.sample(self.rng)

        def tell(self, suggestion, score):
            pass

``ask`` returns a configuration (a dict), a :class:`Suggestion` (a configuration and a fidelity,
for multi-fidelity strategies), or None when the strategy has nothing left to propose. ``tell``
receives the suggestion just asked and its score (higher is better). A failed evaluation (an
exception, a score that is not a number, a time limit) goes to ``tell_failure`` instead, with the
worst score of the run so far; by default it is told to ``tell`` as that score, and a strategy
whose library knows failed trials passes it on as one. The harness calls them strictly in turn,
also when it replays a resumed run's stored trials.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from bench.environment import distribution_version
from bench.space import Config, Space

#: Harness files that shape what every strategy proposes: the space (sampling, grids, the
#: checks of a configuration) and the run loop (what a strategy is told, and when).
SHAPING_FILES = ("space.py", "grid.py", "codec.py", "runner.py")


@dataclass(frozen=True)
class Suggestion:
    """A configuration to evaluate, at a fraction ``fidelity`` of a full evaluation."""

    params: Config
    fidelity: float = 1.0


#: searchbench's optional extras (pyproject.toml) and the distributions each provides.
EXTRAS = {"torch": ("torch", "botorch")}


class Strategy(ABC):
    """Base class of every search strategy.

    Class attributes
    ----------------
    name : str
        How the strategy is called on the command line and in reports; defaults to the name of
        the file that defines it.
    library : str
        The distribution that implements the algorithm; its version is part of the strategy's
        identity (so upgrading it invalidates old runs).
    requires : tuple of str
        Distributions that must be installed; when one is missing the strategy is listed as
        unavailable with the reason, instead of failing at run time.
    multi_fidelity : bool
        True if ``ask`` may return suggestions below full fidelity.
    needs_extra : str
        The searchbench extra (``pip install 'searchbench[NAME]'``) that provides what the
        strategy requires; found from ``requires`` when left empty. A strategy of an extra runs
        only in suites that name it, so installing an extra does not change the others.
    learns : bool
        True if the strategy's suggestions follow the scores it is told (a model, a population):
        the contract test then checks that true scores lead it higher than negated ones, and
        that it is told of failed trials. False for strategies whose suggestions ignore scores
        (random, quasi-random, grid, random-configuration Hyperband).
    aliases : dict of str to dict
        Names of their own for settings of a parametrized strategy (:mod:`bench.variants`),
        e.g. ``{"ng_de": {"optimizer": "TwoPointsDE"}}``; each alias is registered as a
        strategy, and the class itself is then registered only through them.
    """

    name: ClassVar[str] = ""
    library: ClassVar[str] = "searchbench"
    requires: ClassVar[tuple[str, ...]] = ()
    multi_fidelity: ClassVar[bool] = False
    needs_extra: ClassVar[str] = ""
    learns: ClassVar[bool] = False
    aliases: ClassVar[dict[str, dict[str, Any]]] = {}

    @classmethod
    def initial_design(cls, space: Space, budget: int) -> int:
        """How many trials of a run of ``budget`` on ``space`` the strategy draws before its
        model (or population update) first shapes a suggestion: its initial design. 0 for a
        strategy that learns from the first score, or that never does (``learns`` False).
        Tests size their budgets from it: just enough trials past it for the model to be used."""
        return 0


    def __init__(self, space: Space, budget: int, seed: int, min_fidelity: float = 1.0):
        self.space = space
        self.budget = budget
        self.seed = seed
        self.min_fidelity = min_fidelity

    @abstractmethod
    def ask(self) -> Config | Suggestion | None:
        """The next configuration to evaluate, or None when exhausted."""

    @abstractmethod
    def tell(self, suggestion: Suggestion, score: float) -> None:
        """The score of the suggestion last asked (higher is better)."""

    def tell_failure(self, suggestion: Suggestion, score: float) -> None:
        """The suggestion last asked failed: its evaluation raised, gave no number or ran out of
        time. ``score`` is what the worst-score convention tells in its place (the worst score
        of the run so far, else the problem's random-search reference). This default keeps that
        convention (``tell(suggestion, score)``); a strategy whose library has a failed state
        overrides it to pass the failure on as one."""
        self.tell(suggestion, score)


@dataclass(frozen=True)
class StrategyInfo:
    """A discovered strategy: its class when it can be used, else the reason it cannot."""

    name: str
    origin: str  # the file that defines it, or the entry point
    cls: type[Strategy] | None = None
    reason: str = ""
    library: str = ""
    library_version: str = ""
    source_hash: str = ""
    multi_fidelity: bool = False
    requires: tuple[str, ...] = ()
    needs_extra: str = ""  # the searchbench extra it needs ("" for none)

    @property
    def packages(self) -> tuple[str, ...]:
        """The distributions that make this strategy's suggestions."""
        return tuple(dict.fromkeys((self.library, *self.requires)))

    @property
    def available(self) -> bool:
        return self.cls is not None

    @property
    def version(self) -> str:
        """The identity that keys runs: library version plus a hash of what shapes the
        strategy's suggestions (see :func:`source_hash`)."""
        return f"{self.library}-{self.library_version}+{self.source_hash}"


def source_hash(cls: type) -> str:
    """Hash of everything that shapes what ``cls`` proposes: the code of the files that define it
    and its strategy base classes, of the helper modules of its package it uses (``_name.py``
    files beside it), of the harness's space and run loop (:data:`SHAPING_FILES`), and the
    versions of the distributions it ``requires``. Any change to the code that runs changes the
    strategy's identity; editing a comment or a docstring does not (see :func:`code_digest`)."""
    digest = hashlib.sha256()
    for path in shaping_files(cls):
        digest.update(path.name.encode() + b"\0" + code_digest(path.read_bytes()).encode())
    for klass in cls.__mro__:  # classes without a file (made at run time) by their name
        if _is_strategy(klass) and _source_file(klass) is None:
            digest.update(f"{klass.__module__}.{klass.__qualname__}".encode())
    for dist in sorted(cls.requires):
        digest.update(f"{dist}=={distribution_version(dist)}".encode())
    return digest.hexdigest()[:10]


@functools.lru_cache(maxsize=256)
def code_digest(source: bytes) -> str:
    """A hash of what a Python file runs: its syntax tree without docstrings (of the module, its
    classes and functions), dumped without positions, so comments, docstrings, blank lines and
    line breaks leave it unchanged while any change to the code changes it. Text that does not
    parse is hashed as it is."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return hashlib.sha256(b"unparsed\0" + source).hexdigest()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:]
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()


def shaping_files(cls: type) -> list[Path]:
    """The source files that shape what ``cls`` proposes (see :func:`source_hash`), in a fixed
    order: its class hierarchy, its helper modules, then the harness's."""
    files: list[Path] = []
    for klass in cls.__mro__:
        if _is_strategy(klass) and (path := _source_file(klass)) is not None:
            files.append(path)
            files += _helpers(klass, path)
    here = Path(__file__).resolve().parent
    files += [here / name for name in SHAPING_FILES]
    return list(dict.fromkeys(files))


def _is_strategy(klass: type) -> bool:
    """A strategy class with code of its own: not the base, and not a variant (a class made by
    :mod:`bench.variants`, whose parameters are in its name, not in a file)."""
    return (klass is not Strategy and isinstance(klass, type) and issubclass(klass, Strategy)
            and "variant_of" not in vars(klass))


def _source_file(klass: type) -> Path | None:
    try:
        path = inspect.getsourcefile(klass)
    except TypeError:
        return None
    return Path(path).resolve() if path and Path(path).is_file() else None


def _helpers(klass: type, path: Path) -> list[Path]:
    """The ``_name.py`` modules beside ``path`` that the module of ``klass`` uses (imports a
    name from, or imports whole)."""
    module = sys.modules.get(klass.__module__)
    found = []
    for value in vars(module).values() if module is not None else ():
        name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        other = sys.modules.get(name) if isinstance(name, str) else None
        file = getattr(other, "__file__", None)
        if file and Path(file).name.startswith("_") and Path(file).resolve().parent == path.parent \
                and Path(file).name != "__init__.py":
            found.append(Path(file).resolve())
    return sorted(set(found))


def describe(cls: type[Strategy], name: str, origin: str) -> StrategyInfo:
    """Check a strategy class and what it needs; say why it is unavailable if it is."""
    needs_extra = cls.needs_extra or next(
        (extra for extra, dists in EXTRAS.items() if set(dists) & {*cls.requires, cls.library}), "")
    common = dict(name=name, origin=origin, library=cls.library, multi_fidelity=cls.multi_fidelity,
                  requires=tuple(cls.requires), needs_extra=needs_extra)
    version = distribution_version(cls.library) or ""
    missing = [d for d in (*cls.requires, cls.library) if distribution_version(d) is None]
    if missing:
        hint = f"; pip install 'searchbench[{needs_extra}]'" if needs_extra else ""
        return StrategyInfo(reason=f"needs {', '.join(missing)} (not installed{hint})",
                            library_version=version, **common)
    return StrategyInfo(cls=cls, library_version=version, source_hash=source_hash(cls), **common)
