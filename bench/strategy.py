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
receives the suggestion just asked and its score (higher is better; a failed evaluation is told
as the worst score of the run so far). The harness calls them strictly in turn.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from bench.space import Config, Space


@dataclass(frozen=True)
class Suggestion:
    """A configuration to evaluate, at a fraction ``fidelity`` of a full evaluation."""

    params: Config
    fidelity: float = 1.0


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
    """

    name: ClassVar[str] = ""
    library: ClassVar[str] = "searchbench"
    requires: ClassVar[tuple[str, ...]] = ()
    multi_fidelity: ClassVar[bool] = False

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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.cls is not None

    @property
    def version(self) -> str:
        """The identity that keys runs: library version plus a hash of the strategy's source."""
        return f"{self.library}-{self.library_version}+{self.source_hash}"


def distribution_version(dist: str) -> str | None:
    """The installed version of ``dist`` (None if missing), remembered between commands
    (:mod:`bench.memo`): parsing every strategy library's metadata took a tenth of a second."""
    from bench.memo import remember

    return remember("versions", [dist], lambda: _installed_version(dist), keep=1024)


def _installed_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def source_hash(cls: type) -> str:
    """Hash of the source files that define ``cls`` and its strategy base classes, so that
    editing a strategy file, or a helper it inherits from, changes the strategy's identity."""
    digest = hashlib.sha256()
    for klass in cls.__mro__:
        if klass is Strategy or not (isinstance(klass, type) and issubclass(klass, Strategy)):
            continue
        try:
            path = inspect.getsourcefile(klass)
            data = Path(path).read_bytes() if path else inspect.getsource(klass).encode()
        except (TypeError, OSError):
            data = f"{klass.__module__}.{klass.__qualname__}".encode()
        digest.update(data)
    return digest.hexdigest()[:10]


def describe(cls: type[Strategy], name: str, origin: str) -> StrategyInfo:
    """Check a strategy class and what it needs; say why it is unavailable if it is."""
    common = dict(name=name, origin=origin, library=cls.library, multi_fidelity=cls.multi_fidelity)
    version = distribution_version(cls.library) or ""
    missing = [d for d in (*cls.requires, cls.library) if distribution_version(d) is None]
    if missing:
        return StrategyInfo(reason=f"needs {', '.join(missing)} (not installed)",
                            library_version=version, **common)
    return StrategyInfo(cls=cls, library_version=version, source_hash=source_hash(cls), **common)
