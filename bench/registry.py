"""Finding strategies: one file per strategy in ``strategies/``, plus installed plug-ins.

Every module of the ``strategies/`` folder (imported as ``bench.strategies``) that defines one
:class:`~bench.strategy.Strategy` subclass is a strategy named after the file (unless the class
sets ``name``). Installed packages add theirs through the ``searchbench.strategies`` entry-point
group. A module that fails to import, or a strategy whose libraries are missing, is listed as
unavailable with the reason rather than breaking the others; :func:`load_failures` names the
files that could not be loaded, which a command that takes every strategy prints, so that a
broken file never just vanishes from a run.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import inspect
import pkgutil
from pathlib import Path

from bench.errors import BadInput
from bench.strategy import Strategy, StrategyInfo
from bench.variants import Base, named, parameters

PACKAGE = "bench.strategies"
ENTRY_POINT_GROUP = "searchbench.strategies"
IMPORT_FAILED = "import failed: "  # how a file or entry point that raised on import is listed
NOT_ONE_CLASS = "Strategy classes; a strategy file defines exactly one"


class DuplicateStrategy(BadInput):
    """Two strategies (files, entry points or aliases) have one name: neither can be trusted."""


def discover() -> dict[str, StrategyInfo]:
    """Every strategy found, available or not, by name (files first, then entry points)."""
    return _scan()[0]


def load_failures() -> list[StrategyInfo]:
    """The strategy files and entry points that could not be loaded (an import that raised, a
    file without exactly one strategy class), with the reason. A strategy whose library is
    missing is not one of them: that is an unavailable strategy, listed by ``list strategies``."""
    return [info for info in discover().values()
            if info.reason.startswith(IMPORT_FAILED) or info.reason.endswith(NOT_ONE_CLASS)]


def parametrized() -> dict[str, Base]:
    """The strategy classes with parameters, by name: what ``name[key=value]`` refers to."""
    return _scan()[1]


@functools.cache
def _scan() -> tuple[dict[str, StrategyInfo], dict[str, Base]]:
    found: dict[str, StrategyInfo] = {}
    bases: dict[str, Base] = {}
    for info in _from_folder(bases) + _from_entry_points(bases):
        if info.name in found or (info.name in bases and bases[info.name].origin != info.origin):
            other = found[info.name].origin if info.name in found else bases[info.name].origin
            raise DuplicateStrategy(f"two strategies are named {info.name!r}: {other} and "
                                    f"{info.origin}; rename one")
        found[info.name] = info
    return dict(sorted(found.items())), dict(sorted(bases.items()))


def _register(cls: type[Strategy], name: str, origin: str,
              bases: dict[str, Base]) -> list[StrategyInfo]:
    if parameters(cls):
        if name in bases:
            raise DuplicateStrategy(f"two strategies are named {name!r}: {bases[name].origin} and "
                                    f"{origin}; rename one")
        bases[name] = Base(name, cls, origin)
    return named(cls, name, origin)


def _from_folder(bases: dict[str, Base]) -> list[StrategyInfo]:
    package = importlib.import_module(PACKAGE)
    infos = []
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_"):
            continue
        origin = str(Path(module_info.module_finder.path) / f"{module_info.name}.py")
        try:
            module = importlib.import_module(f"{PACKAGE}.{module_info.name}")
        except BaseException as exc:  # a broken plug-in file must not stop discovery
            if isinstance(exc, KeyboardInterrupt):
                raise
            reason = f"{IMPORT_FAILED}{type(exc).__name__}: {exc}"
            infos.append(StrategyInfo(name=module_info.name, origin=origin, reason=reason))
            continue
        classes = [
            obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Strategy)
            and obj.__module__ == module.__name__ and not inspect.isabstract(obj)
        ]
        if len(classes) != 1:
            reason = f"defines {len(classes)} {NOT_ONE_CLASS}"
            infos.append(StrategyInfo(name=module_info.name, origin=origin, reason=reason))
            continue
        cls = classes[0]
        infos += _register(cls, cls.name or module_info.name, origin, bases)
    return infos


def _from_entry_points(bases: dict[str, Base]) -> list[StrategyInfo]:
    infos = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        origin = f"entry point {ep.value}"
        try:
            cls = ep.load()
        except Exception as exc:
            infos.append(StrategyInfo(name=ep.name, origin=origin,
                                      reason=f"{IMPORT_FAILED}{type(exc).__name__}: {exc}"))
            continue
        if not (inspect.isclass(cls) and issubclass(cls, Strategy)):
            infos.append(StrategyInfo(name=ep.name, origin=origin,
                                      reason="entry point is not a Strategy subclass"))
            continue
        infos += _register(cls, ep.name, origin, bases)
    return infos
