"""Finding strategies: one file per strategy in ``strategies/``, plus installed plug-ins.

Every module of the ``strategies/`` folder (imported as ``bench.strategies``) that defines one
:class:`~bench.strategy.Strategy` subclass is a strategy named after the file (unless the class
sets ``name``). Installed packages add theirs through the ``searchbench.strategies`` entry-point
group. A module that fails to import, or a strategy whose libraries are missing, is listed as
unavailable with the reason rather than breaking the others.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import inspect
import pkgutil
from pathlib import Path

from bench.strategy import Strategy, StrategyInfo, describe

PACKAGE = "bench.strategies"
ENTRY_POINT_GROUP = "searchbench.strategies"


@functools.cache
def discover() -> dict[str, StrategyInfo]:
    """Every strategy found, available or not, by name (files first, then entry points)."""
    found: dict[str, StrategyInfo] = {}
    for info in _from_folder():
        found.setdefault(info.name, info)
    for info in _from_entry_points():
        if info.name in found:
            other = found[info.name].origin
            info = StrategyInfo(name=info.name, origin=info.origin,
                                reason=f"name already taken by {other}")
            found[f"{info.name}@{info.origin}"] = info
            continue
        found[info.name] = info
    return dict(sorted(found.items()))


def _from_folder() -> list[StrategyInfo]:
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
            reason = f"import failed: {type(exc).__name__}: {exc}"
            infos.append(StrategyInfo(name=module_info.name, origin=origin, reason=reason))
            continue
        classes = [
            obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Strategy)
            and obj.__module__ == module.__name__ and not inspect.isabstract(obj)
        ]
        if len(classes) != 1:
            reason = f"defines {len(classes)} Strategy classes; a strategy file defines exactly one"
            infos.append(StrategyInfo(name=module_info.name, origin=origin, reason=reason))
            continue
        cls = classes[0]
        infos.append(describe(cls, cls.name or module_info.name, origin))
    return infos


def _from_entry_points() -> list[StrategyInfo]:
    infos = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        origin = f"entry point {ep.value}"
        try:
            cls = ep.load()
        except Exception as exc:
            infos.append(StrategyInfo(name=ep.name, origin=origin,
                                      reason=f"import failed: {type(exc).__name__}: {exc}"))
            continue
        if not (inspect.isclass(cls) and issubclass(cls, Strategy)):
            infos.append(StrategyInfo(name=ep.name, origin=origin,
                                      reason="entry point is not a Strategy subclass"))
            continue
        infos.append(describe(cls, ep.name, origin))
    return infos
