"""Facts about the catalogue remembered between commands, so that a command does not rebuild them.

The catalogue's fingerprint hashes every problem's definition and data, and a kNN problem's
smallest training fraction depends on its dataset's length: computed afresh, both load every
dataset and build every estimator at each start (half a second, for a command that may run one
trial); reading each strategy library's version parses its metadata. They are computed once and kept in small JSON files in the user's cache folder
(``$SEARCHBENCH_CACHE``, else ``$XDG_CACHE_HOME/searchbench``, else ``~/.cache/searchbench``;
``SEARCHBENCH_CACHE=off`` turns this off), under a key made of everything they are computed from:

- the source of every module of the project that is loaded (every module from outside the Python
  installation and its site-packages: the harness, the catalogue, a test's catalogue);
- the installed libraries: the Python version and interpreter, and the modification time of each
  folder of the import path that belongs to the installation (installing, upgrading or removing a
  package changes its site-packages folder), which covers scikit-learn's bundled data;
- the ``SEARCHBENCH_*`` environment variables, which may choose another catalogue.

A library edited in place, file by file, changes none of these: set ``SEARCHBENCH_CACHE=off`` or
delete the folder after doing that. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Entries kept per file, unless said otherwise: commands that load different sets of modules
#: (tests, say) use different keys, and the oldest are dropped.
KEEP = 16


def folder() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    given = os.environ.get("SEARCHBENCH_CACHE")
    if given:
        return None if given.lower() in ("off", "0", "no", "false") else Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "searchbench"


@functools.cache
def _installation() -> tuple[str, ...]:
    return tuple({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                 sys.base_exec_prefix)})


def _installed(path: str) -> bool:
    return _installed_folder(os.path.dirname(path))


@functools.cache
def _installed_folder(folder: str) -> bool:
    # cached by folder: resolving the links of each of a thousand modules' paths took 0.2 s
    real = os.path.realpath(folder)
    return any(real == p or real.startswith(p + os.sep) for p in _installation())


def environment_key() -> str:
    """The interpreter, the state of the installed libraries and the ``SEARCHBENCH_*``
    variables (see the module's docstring)."""
    parts = [*_libraries()]
    parts += sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("SEARCHBENCH_"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@functools.cache
def _libraries() -> tuple[str, ...]:
    parts = [sys.version, sys.executable]
    for entry in sys.path:
        if entry and os.path.isdir(entry) and _installed_folder(entry):
            parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
    return tuple(parts)


@functools.cache
def file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def project_sources() -> list[str]:
    """``path=digest`` of the source of every loaded module that is not installed with Python
    or in its site-packages."""
    out = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.endswith(".py") and not _installed(path):
            out.append(f"{path}={file_digest(path)}")
    return sorted(out)


def remember(kind: str, key_parts: list[str], compute: Callable[[], Any], keep: int = KEEP) -> Any:
    """``compute()``, or what it returned before for the same ``kind`` and key (JSON values);
    the file of ``kind`` keeps the last ``keep`` values."""
    where = folder()
    if where is None:
        return compute()
    key = hashlib.sha256("\n".join([environment_key(), *key_parts]).encode()).hexdigest()
    path = where / f"{kind}.json"
    entries = dict(_read(path))
    if key in entries:
        return entries[key]["value"]
    value = compute()
    entries[key] = {"value": value}
    entries = dict(list(entries.items())[-keep:])
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=where, prefix=f".{kind}-", delete=False) as f:
            json.dump(entries, f)
        os.replace(f.name, path)  # atomic: concurrent commands never read half a file
    except OSError:
        try:
            os.unlink(f.name)
        except (OSError, NameError):
            pass
    return value


_READ: dict[Path, tuple[tuple[int, int], dict]] = {}


def _read(path: Path) -> dict:
    """The entries of ``path``, parsed again only when the file has changed (a command asks for
    a dozen library versions, one by one)."""
    try:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        if path in _READ and _READ[path][0] == stamp:
            return _READ[path][1]
        entries = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    entries = entries if isinstance(entries, dict) else {}
    _READ[path] = (stamp, entries)
    return entries


def _describe(value: Any) -> str:
    """A description of a loader's captured value that is stable from one process to the next
    (functions by their qualified names rather than by their addresses)."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    return repr(value)


def dataset_key(dataset: Any) -> list[str]:
    """What a dataset's data is made from: its declaration, its loader's code and captured
    values, and the source of the module that defines the loader."""
    load = dataset.load
    module = sys.modules.get(getattr(load, "__module__", ""), None)
    source = getattr(module, "__file__", None)
    code = getattr(load, "__code__", None)
    cells = [_describe(c.cell_contents) for c in (getattr(load, "__closure__", None) or ())]
    return [dataset.name, dataset.task, dataset.description, _describe(load),
            hashlib.sha256(code.co_code).hexdigest() if code else "", repr(cells),
            file_digest(source) if source else "no source"]


def dataset_length(dataset: Any) -> int:
    """The number of samples of ``dataset``, without loading it when it is remembered."""
    return remember("dataset-lengths", dataset_key(dataset), lambda: len(dataset.arrays()[0]),
                    keep=1024)


def catalogue_digests(catalogue: Any, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The catalogue's problem digests (``compute()``), remembered when the catalogue is its
    module's own list of problems, whose definitions the loaded modules' sources determine; a
    catalogue assembled otherwise (a test's :meth:`Catalogue.from_problems`) is always hashed."""
    module = sys.modules.get(catalogue.module)
    own = getattr(module, "PROBLEMS", None)
    if own is None or len(own) != len(catalogue.problems) or any(
            catalogue.problems.get(p.id) is not p for p in own):
        return compute()
    key = [catalogue.module, catalogue.version, *project_sources()]
    return remember("problem-digests", key, compute)
