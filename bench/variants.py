"""Strategy variants: one class with declared parameters, each setting run under its own name.

A strategy class declares its parameters as class attributes, with a default and the allowed
values, and may give some settings a name of their own (aliases)::

    class Nevergrad(NevergradStrategy):
        optimizer = Parameter("NGOpt", allowed=ask_tell_optimizers)
        aliases = {"ng_ngopt": {"optimizer": "NGOpt"}, "ng_de": {"optimizer": "TwoPointsDE"}}

``searchbench list strategies`` shows the aliases; any other setting is named on the command
line and in suite files as ``nevergrad[optimizer=PSO]``. A variant's name is canonical: every
parameter in declared order, or the alias when one names the same setting, so ``ng_de`` and
``nevergrad[optimizer=TwoPointsDE]`` are one strategy with one identity and one seed. The name,
and so the parameters, are part of every run's identity.

A variant is a subclass of its strategy with the parameters set as class attributes; it lives in
this module under a name that encodes its base class and parameters, so that a worker process
unpickles it by rebuilding it (see :func:`__getattr__`).
"""

from __future__ import annotations

import base64
import difflib
import fnmatch
import importlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.errors import BadInput
from bench.strategy import Strategy, StrategyInfo, describe

#: ``name[key=value,...]``: a bracket holding ``=`` names a variant, not a glob character class.
VARIANT = re.compile(r"^(?P<base>[^\[\]=,]+)\[(?P<body>[^\[\]]*=[^\[\]]*)\]$")
PREFIX = "Variant_"


@dataclass(frozen=True)
class Parameter:
    """A strategy parameter: its default and the values it may take.

    ``allowed`` is a tuple, or a function returning them (for lists a library computes, such as
    nevergrad's registry, only asked for when needed). ``requires`` names extra distributions a
    value needs (``{"GP": ("torch",)}``).
    """

    default: Any
    allowed: tuple | Callable[[], Iterable[Any]] = ()
    help: str = ""
    requires: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)

    def values(self) -> tuple:
        allowed = self.allowed() if callable(self.allowed) else self.allowed
        return tuple(allowed) or (self.default,)

    def __get__(self, obj, owner):  # the class and its instances read the default
        return self.default


def parameters(cls: type) -> dict[str, Parameter]:
    """The parameters a strategy class declares, in declaration order (bases first)."""
    found: dict[str, Parameter] = {}
    for klass in reversed(cls.__mro__):
        for key, value in vars(klass).items():
            if isinstance(value, Parameter):
                found[key] = value
    return found


def _text(value: Any) -> str:
    return str(value)


def canonical_name(base: str, params: Mapping[str, Any]) -> str:
    return f"{base}[{','.join(f'{k}={_text(v)}' for k, v in params.items())}]"


def variant_class(base: type[Strategy], params: Mapping[str, Any]) -> type[Strategy]:
    """The subclass of ``base`` with ``params`` set (one class object per setting)."""
    key = PREFIX + base64.urlsafe_b64encode(json.dumps(
        [base.__module__, base.__qualname__, list(params.items())]).encode()).decode().rstrip("=")
    cls = _CLASSES.get(key)
    if cls is None:
        declared = parameters(base)
        extra = tuple(d for k, v in params.items()
                      for d in declared[k].requires.get(v, ()) if d not in base.requires)
        namespace = dict(params, __module__=__name__, __qualname__=key,
                         variant_of=base, variant_params=dict(params),
                         requires=tuple(base.requires) + extra)
        cls = _CLASSES[key] = type(base)(key, (base,), namespace)
    return cls


_CLASSES: dict[str, type[Strategy]] = {}


def __getattr__(name: str):
    """Pickle finds a variant class by its qualified name in this module: rebuild it."""
    if not name.startswith(PREFIX):
        raise AttributeError(name)
    if name not in _CLASSES:
        data = base64.urlsafe_b64decode(name[len(PREFIX):] + "=" * (-len(name) % 4))
        module, qualname, items = json.loads(data)
        base: Any = importlib.import_module(module)
        for part in qualname.split("."):
            base = getattr(base, part)
        variant_class(base, dict(items))
    return _CLASSES[name]


def named(cls: type[Strategy], name: str, origin: str) -> list[StrategyInfo]:
    """The strategies a discovered class registers: itself, or each of its aliases."""
    declared = parameters(cls)
    if not declared:
        return [describe(cls, name, origin)]
    out = []
    for alias, given in getattr(cls, "aliases", {}).items():
        params = {k: given.get(k, p.default) for k, p in declared.items()}
        out.append(describe(variant_class(cls, params), alias, origin))
    return out


@dataclass(frozen=True)
class Base:
    """A parametrized strategy class as discovered: what ``name[...]`` refers to."""

    name: str
    cls: type[Strategy]
    origin: str


def parse(text: str) -> tuple[str, dict[str, str]] | None:
    """``"name[a=1,b=x]"`` to ``("name", {"a": "1", "b": "x"})``; None if not a variant."""
    match = VARIANT.match(text.strip())
    if not match:
        return None
    params: dict[str, str] = {}
    for item in match["body"].split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise BadInput(f"malformed strategy variant {text!r}: expected name[key=value,...]")
        if key.strip() in params:
            raise BadInput(f"strategy variant {text!r} sets {key.strip()!r} twice")
        params[key.strip()] = value.strip()
    return match["base"].strip(), params


def _hint(word: str, options: Sequence[str]) -> str:
    lowered = {option.lower(): option for option in options}  # case is the usual slip
    close = [lowered[c] for c in difflib.get_close_matches(word.lower(), lowered, n=3, cutoff=0.5)]
    return f" (did you mean {', '.join(close)}?)" if close else ""


def resolve_variant(text: str, bases: Mapping[str, Base],
                    discovered: Mapping[str, StrategyInfo]) -> StrategyInfo:
    """The strategy a variant names: its alias when it has one, else the canonical variant."""
    parsed = parse(text)
    base_name, given = parsed if parsed else (text, {})
    base = bases.get(base_name)
    if base is None:
        raise BadInput(f"unknown strategy {base_name!r} in {text!r}{_hint(base_name, list(bases))}"
                       f"; parametrized strategies: {', '.join(bases) or 'none'} "
                       "(see `searchbench list strategies --variants`)")
    declared = parameters(base.cls)
    params = {}
    for key, value in given.items():
        if key not in declared:
            raise BadInput(f"strategy {base_name!r} has no parameter {key!r}"
                           f"{_hint(key, list(declared))}; its parameters: {', '.join(declared)}")
    for key, parameter in declared.items():
        if key not in given:
            params[key] = parameter.default
            continue
        allowed = parameter.values()
        by_text = {_text(v): v for v in allowed}
        if given[key] not in by_text:
            shown = ", ".join(by_text) if len(by_text) <= 40 else \
                f"{len(by_text)} values, see `searchbench list strategies --variants`"
            raise BadInput(f"{base_name}: {key}={given[key]!r} is not allowed"
                           f"{_hint(given[key], list(by_text))}; allowed: {shown}")
        params[key] = by_text[given[key]]
    for alias, setting in getattr(base.cls, "aliases", {}).items():
        if {k: setting.get(k, p.default) for k, p in declared.items()} == params \
                and alias in discovered:
            return discovered[alias]
    return describe(variant_class(base.cls, params), canonical_name(base_name, params), base.origin)


def is_variant(text: str) -> bool:
    return VARIANT.match(text.strip()) is not None


def split_names(text: str | None) -> list[str] | None:
    """A comma-separated list of names, split on the commas outside brackets."""
    if text is None:
        return None
    items, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        current += char
    items.append(current.strip())
    if not all(items):
        raise BadInput(f"empty name in list {text!r}")
    return items


def select(patterns: Sequence[str] | None, discovered: Mapping[str, StrategyInfo],
           bases: Mapping[str, Base]) -> list[StrategyInfo]:
    """The strategies to run: names, glob patterns and variants, without repeats.

    Every available named strategy when ``patterns`` is None. A strategy named exactly (or a
    variant) that cannot load is bad input; one only matched by a glob pattern is left out.
    """
    if patterns is None:
        # Strategies of an extra run only where a suite names them, so that installing an
        # extra (torch for optuna_gp, botorch) does not change what a suite without a list runs.
        return [info for info in discovered.values() if info.available and not info.needs_extra]
    chosen: dict[str, StrategyInfo] = {}
    for pattern in patterns:
        if is_variant(pattern) or (pattern in bases and pattern not in discovered):
            info = resolve_variant(pattern, bases, discovered)
            if not info.available:
                raise BadInput(f"strategy {info.name!r} cannot be used: {info.reason} "
                               f"({info.origin})")
            chosen.setdefault(info.name, info)
            continue
        matches = fnmatch.filter(list(discovered), pattern)
        if not matches:
            names = list(discovered) + list(bases)
            raise BadInput(f"unknown strategy {pattern!r}{_hint(pattern, names)}; see "
                           "`searchbench list strategies`")
        for name in matches:
            info = discovered[name]
            if not info.available and name == pattern:
                raise BadInput(f"strategy {name!r} cannot be used: {info.reason} ({info.origin})")
            if info.available:
                chosen.setdefault(name, info)
    if not chosen:
        raise BadInput(f"no available strategy matches {', '.join(patterns)}")
    return list(chosen.values())


def describe_variants(bases: Mapping[str, Base], width: int = 100) -> str:
    """What can be named: each parametrized strategy, its parameters, values and aliases."""
    import textwrap

    lines = []
    for name, base in bases.items():
        declared = parameters(base.cls)
        lines.append(f"{name}[{','.join(f'{k}=...' for k in declared)}]  ({base.origin})")
        for key, parameter in declared.items():
            try:
                values = ", ".join(_text(v) for v in parameter.values())
            except Exception as exc:  # a library that is missing cannot list its values
                values = f"(cannot be listed: {type(exc).__name__}: {exc})"
            text = f"{key} (default {_text(parameter.default)}): {values}"
            lines += textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ")
        aliases = getattr(base.cls, "aliases", {})
        if aliases:
            defaults = {k: p.default for k, p in declared.items()}
            shown = "; ".join(f"{a} = {canonical_name(name, {**defaults, **s})}"
                              for a, s in aliases.items())
            lines += textwrap.wrap(f"aliases: {shown}", width, initial_indent="  ",
                                   subsequent_indent="    ")
    return "\n".join(lines)
