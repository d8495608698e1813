"""Plug-in problem files: the user's problems beside the built-in catalogue, never in place of it.

A problem file is a Python file that defines ``PROBLEMS``, a list of problems made with
:func:`bench.api.estimator_problem` or :func:`bench.api.function_problem`::

    searchbench run --problems-from my_problems.py --strategies random,optuna_tpe

The file's problems are added to the catalogue (an id the catalogue already has is refused);
they never enter the catalogue's fingerprint, so the default store opens as before and every
built-in run keeps its identity. Each user problem's digest is made of its space, the parsed
source of its file and the data version it declares. Its frozen references, once made by
``searchbench references --problems-from FILE``, are written beside the file
(``FILE.references.json``), never into ``datasets/references.json``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.catalogue import Catalogue, load_references
from bench.errors import BadInput
from bench.suite import Suite, builtin_suites, load_suite

ATTRIBUTE = "PROBLEMS"


def references_path(file: Path) -> Path:
    """Where the frozen references of ``file``'s problems are written: beside it."""
    return file.with_name(f"{file.stem}.references.json")


def load_problem_file(path: Path | str) -> list[Any]:
    """The problems ``path`` defines in ``PROBLEMS``; bad input naming the file and what is
    wrong when it does not exist, does not import, or defines anything else."""
    from bench.userproblem import is_user_problem

    path = Path(path)
    if not path.is_file():
        raise BadInput(f"problem file {path} does not exist")
    resolved = path.resolve()
    name = f"searchbench_problems_{path.stem}_{hashlib.sha256(str(resolved).encode()).hexdigest()[:8]}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, resolved)
        if spec is None or spec.loader is None:
            raise BadInput(f"problem file {path} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:  # anything the user's file raises, SystemExit included
            del sys.modules[name]
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise BadInput(f"problem file {path} failed to import: {type(exc).__name__}: "
                           f"{_first_line(exc)}") from None
        import cloudpickle  # workers cannot import the file by name: its code travels by value

        cloudpickle.register_pickle_by_value(module)
    problems = getattr(module, ATTRIBUTE, None)
    if not isinstance(problems, (list, tuple)) or not problems:
        raise BadInput(f"problem file {path}: {ATTRIBUTE} must be a non-empty list of problems "
                       f"(from estimator_problem or function_problem), got {problems!r:.60}")
    source = source_digest_of_file(resolved)
    out = []
    for i, problem in enumerate(problems):
        if not is_user_problem(problem):
            raise BadInput(f"problem file {path}: {ATTRIBUTE}[{i}] is a "
                           f"{type(problem).__name__}, not a problem made with "
                           "estimator_problem or function_problem")
        out.append(replace(problem, source=hashlib.sha256(
            f"{problem.source}:{source}".encode()).hexdigest()))
    return out


def source_digest_of_file(path: Path) -> str:
    """The file's parsed source, docstrings and comments left out (see ``code_digest``)."""
    from bench.userproblem import code_digest

    try:
        return code_digest(path.read_text())
    except (SyntaxError, UnicodeDecodeError):  # it imported all the same: hash its bytes
        return hashlib.sha256(path.read_bytes()).hexdigest()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "(no message)"


def with_problems(catalogue: Catalogue, problems: Sequence[Any],
                  files: Sequence[Path | None] | None = None) -> Catalogue:
    """``catalogue`` with the user's ``problems`` added (``files[i]``: where problem i comes
    from, None for a problem defined in Python). An id the catalogue or another user problem
    already has is bad input. The references of a file's problems are read beside it."""
    from bench.userproblem import is_user_problem

    files = list(files) if files is not None else [None] * len(problems)
    merged = dict(catalogue.problems)
    user = dict(catalogue.user)
    references = dict(catalogue.references)
    for problem, file in zip(problems, files):
        if not is_user_problem(problem):
            raise BadInput(f"{problem!r:.60} is not a problem made with estimator_problem or "
                           "function_problem")
        if problem.id in merged and not (file is not None and user.get(problem.id) == file):
            where = f"problem file {file}" if file else "problem"
            clash = f"a problem of {user[problem.id] or 'Python'}" if problem.id in user \
                else "a built-in problem"
            raise BadInput(f"{where}: id {problem.id!r} is already {clash}; rename it")
        merged[problem.id] = problem
        user[problem.id] = file
        if file is not None:
            references.update({pid: ref for pid, ref in
                               load_references(references_path(file)).items()
                               if pid == problem.id})
    return replace(catalogue, problems=merged, user=user, references=references)


def with_problem_files(catalogue: Catalogue, paths: Iterable[Path | str]) -> Catalogue:
    """``catalogue`` with the problems of every file in ``paths`` (see :func:`with_problems`)."""
    problems, files = [], []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.resolve() in seen:  # named twice (by a suite and on the command line): once
            continue
        seen.add(path.resolve())
        found = load_problem_file(path)
        problems += found
        files += [path.resolve()] * len(found)
    return with_problems(catalogue, problems, files) if problems else catalogue


def loadable(paths: Iterable[Path | str], say: Callable[[str], None]) -> list[Path]:
    """The files of ``paths`` that load; ``say`` gets one line naming each other one and its
    error (for ``list problems``, which lists what loads and says what does not)."""
    good = []
    for path in paths:
        try:
            load_problem_file(path)
        except BadInput as exc:
            say(str(exc))
        else:
            good.append(Path(path))
    return good


def suite_and_problems(name: str | None, files: Sequence[Path],
                       catalogue: Catalogue) -> tuple[Catalogue, Suite]:
    """The catalogue with the problems of ``files`` and of the suite's ``problems_from`` added,
    and the suite: the one ``name`` names (default: ``default``), or, when no suite is named and
    files are given, the files' problems under the default suite's seeds and budget."""
    if name is None and files:
        default = load_suite("default", catalogue.suites_dir) \
            if "default" in builtin_suites(catalogue.suites_dir) else None
        catalogue = with_problem_files(catalogue, files)
        mine = {Path(f).resolve() for f in files}
        ids = tuple(pid for pid, file in catalogue.user.items() if file in mine)
        return catalogue, Suite(
            name="-".join(dict.fromkeys(Path(f).stem for f in files)), problems=ids,
            strategies=None, seeds=default.seeds if default else 3,
            budget=default.budget if default else 50,
            description=f"problems of {', '.join(map(str, files))}")
    suite = load_suite(name or "default", catalogue.suites_dir)
    if suite.problems_from or files:
        catalogue = with_problem_files(catalogue, [*suite.problems_from, *files])
    return catalogue, suite
