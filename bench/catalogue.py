"""The catalogue: the fixed, versioned set of problems, their frozen references and the suites.

The built-in catalogue lives in the ``datasets/`` folder of the repository (imported as
``bench.datasets``). Another module with the same names (``VERSION``, ``PROBLEMS`` and
optionally ``REFERENCES`` and ``SUITES_DIR``) can stand in for it through the
``SEARCHBENCH_CATALOGUE`` environment variable, which is how tests bring problems of their own.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BadInput

if TYPE_CHECKING:
    from bench.records import CataloguedProblem

DEFAULT_MODULE = "bench.datasets"


@dataclass(frozen=True)
class Reference:
    """Frozen per-problem values of the normalized score (see DESIGN: Analysis)."""

    ref_random: float
    ref_best: float
    eval_seconds: float | None = None  # median seconds per evaluation in the reference run
    digest: str | None = None  # the problem digest the values were made for (None: unchecked)
    cost_curve: tuple | None = None  # c(f) as ((fidelity, relative cost), ...) (bench.costcurve)
    ref_best_sem: float | None = None  # fold-to-fold standard error of the reference best

    @property
    def saturated(self) -> bool:
        return not self.ref_best > self.ref_random

    def normalize(self, score: float) -> float:
        return (score - self.ref_random) / (self.ref_best - self.ref_random)


@dataclass(frozen=True)
class Catalogue:
    """Problems by id, with the catalogue's version, references and built-in suites."""

    version: str
    problems: Mapping[str, CataloguedProblem]
    references: Mapping[str, Reference] = field(default_factory=dict)
    suites_dir: Path | None = None
    module: str = DEFAULT_MODULE
    #: The user's problems among ``problems`` (:mod:`bench.plugins`), by id, with the file each
    #: comes from (None: defined in Python). They stay out of the fingerprint.
    user: Mapping[str, Path | None] = field(default_factory=dict)

    @classmethod
    def from_problems(cls, problems: Sequence[Any], version: str = "test", **kwargs) -> Catalogue:
        by_id: dict[str, Any] = {}
        for p in problems:
            if p.id in by_id:
                raise ValueError(f"problem id {p.id!r} appears twice in the catalogue")
            by_id[p.id] = p
        return cls(version=version, problems=by_id, **kwargs)

    def metric(self, problem: str) -> str:
        """The scorer ``problem`` is judged by, as its definition names it."""
        return self.problems[problem].to_dict().get("metric") or "score"

    @functools.cached_property
    def problem_digests(self) -> dict[str, str]:
        """A hash per problem, of its definition and its data (remembered between commands,
        see :mod:`bench.memo`: hashing loads every dataset and builds every estimator)."""
        from bench.memo import catalogue_digests

        if self.user:  # the built-in problems' digests as ever (remembered), then the user's
            builtin = replace(self, problems={p: v for p, v in self.problems.items()
                                              if p not in self.user}, user={})
            return {**builtin.problem_digests,
                    **{pid: self.problems[pid].user_digest() for pid in self.user}}
        return catalogue_digests(self, self._hash_problems)

    def _hash_problems(self) -> dict[str, str]:
        out = {}
        for pid, problem in sorted(self.problems.items()):
            definition = json.dumps(problem.to_dict(), sort_keys=True, default=repr)
            digest = hashlib.sha256(definition.encode())
            digest.update(problem.data_digest().encode())
            out[pid] = digest.hexdigest()
        return out

    @functools.cached_property
    def fingerprint(self) -> str:
        """A hash of the version, every problem's definition and every dataset's contents."""
        h = hashlib.sha256(self.version.encode())
        for pid, digest in self.problem_digests.items():
            if pid not in self.user:  # the user's problems never change the catalogue's
                h.update(f"{pid}={digest};".encode())
        return h.hexdigest()

    def run_fingerprint(self, problem_id: str) -> str:
        """What a run of ``problem_id`` is made under: the catalogue's fingerprint, or for a
        user's problem its own digest, so that editing it starts its runs afresh while the
        store and every built-in run stay as they are."""
        if problem_id in self.user:
            return f"user:{self.problem_digests[problem_id][:40]}"
        return self.fingerprint

    def reference(self, problem_id: str) -> Reference | None:
        """The problem's frozen reference; None if it has none, or if its reference was made for
        another definition of the problem (stale: ignored, with a warning on stderr)."""
        ref = self.references.get(problem_id)
        if ref is not None and ref.digest is not None:
            if ref.digest != self.problem_digests.get(problem_id):
                _warn_stale(problem_id)
                return None
        return ref

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("problem_digests", "fingerprint")}


_STALE_WARNED: set[str] = set()


def _warn_stale(problem_id: str) -> None:
    if problem_id not in _STALE_WARNED:
        _STALE_WARNED.add(problem_id)
        print(f"searchbench: warning: the reference of {problem_id} was made for another "
              "definition of it and is ignored (reported by rank only); recompute it with "
              f"`searchbench references --problems {problem_id}`", file=sys.stderr)


def load_references(path: Path) -> dict[str, Reference]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {
        pid: Reference(float(v["ref_random"]), float(v["ref_best"]), v.get("eval_seconds"),
                       v.get("digest"), _curve(v.get("cost_curve")), v.get("ref_best_sem"))
        for pid, v in data.get("problems", {}).items()
    }


def _curve(value) -> tuple | None:
    return tuple((float(f), float(c)) for f, c in value) if value else None


def load_catalogue(module_name: str | None = None) -> Catalogue:
    """The catalogue from ``module_name`` (default: ``$SEARCHBENCH_CATALOGUE`` or the built-in)."""
    # resolved before the cache, so that a process that changes the variable gets its catalogue
    return _load_catalogue(module_name or os.environ.get("SEARCHBENCH_CATALOGUE") or DEFAULT_MODULE)


@functools.cache
def _load_catalogue(module_name: str) -> Catalogue:
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BadInput(f"catalogue module {module_name!r} cannot be imported: {exc}") from None
    references = getattr(module, "REFERENCES", None)
    if references is None:
        references = load_references(Path(module.__file__).with_name("references.json"))
    suites_dir = getattr(module, "SUITES_DIR", Path(module.__file__).with_name("suites"))
    return Catalogue.from_problems(
        module.PROBLEMS, version=module.VERSION, references=references,
        suites_dir=Path(suites_dir), module=module_name,
    )
