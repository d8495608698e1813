"""The store: an embedded SQLite database (WAL) that the user's process alone writes.

Every finished trial is committed in its own transaction, so a kill at any moment loses at most
the trial being evaluated. Trials are keyed by (run, trial index) and inserted with
``INSERT OR IGNORE``: a trial computed twice (a retried worker, two processes on one store) is
stored once. A store belongs to one catalogue fingerprint and refuses to open under another, so it
never mixes trials of different catalogue definitions, nor runs made under other versions of what
computes their scores (each run records them).

The schema has a version: a store of an older one is brought up to date on open by
:data:`MIGRATIONS`, one step per version; a store of a newer one is refused.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from bench.environment import Versions, differences
from bench.errors import BadInput
from bench.records import RunOutcome, RunSpec, TrialRecord, now

#: The schema this code writes. To change it: write the new tables in ``_SCHEMA``, add the step
#: from the previous version to :data:`MIGRATIONS`, and increase this number.
SCHEMA_VERSION = 4

#: The statements that bring a store of schema version N to N + 1 (applied in order on open).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: ("ALTER TABLE runs ADD COLUMN versions TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE runs ADD COLUMN diverged INTEGER NOT NULL DEFAULT 0"),
    2: ("ALTER TABLE trials ADD COLUMN extras TEXT",),  # named side metrics (NULL before)
    # CPU seconds of each evaluation; NULL for trials stored before (not measured then)
    3: ("ALTER TABLE trials ADD COLUMN eval_cpu_seconds REAL",),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    problem TEXT NOT NULL,
    strategy TEXT NOT NULL,
    strategy_version TEXT NOT NULL,
    seed INTEGER NOT NULL,
    budget INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,           -- partial | complete | failed
    error TEXT NOT NULL DEFAULT '',
    n_trials INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    versions TEXT NOT NULL DEFAULT '',  -- JSON {package: version} it ran under ('': not recorded)
    diverged INTEGER NOT NULL DEFAULT 0  -- times its resumed strategy proposed otherwise: rerun
);
CREATE TABLE IF NOT EXISTS trials (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    trial INTEGER NOT NULL,
    params TEXT NOT NULL,
    fidelity REAL NOT NULL,
    cost REAL NOT NULL,
    score REAL,
    score_std REAL,
    test_score REAL,
    eval_seconds REAL NOT NULL,
    suggest_seconds REAL NOT NULL,
    status TEXT NOT NULL,
    error TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    extras TEXT,                    -- JSON object of named side metrics, or NULL
    eval_cpu_seconds REAL,          -- CPU seconds of the evaluation; NULL: not known
    PRIMARY KEY (run_id, trial)
) WITHOUT ROWID;
"""

_TRIAL_COLUMNS = (
    "run_id", "trial", "params", "fidelity", "cost", "score", "score_std", "test_score",
    "eval_seconds", "suggest_seconds", "status", "error", "finished_at", "extras",
    "eval_cpu_seconds",
)
_RUN_COLUMNS = ("problem", "strategy", "strategy_version", "seed", "budget", "fingerprint")


class Store:
    """Runs and trials of one catalogue fingerprint, in one SQLite file.

    Use :func:`open_store` to get one: it checks the file before anything is written.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self._db = connection
        self._select = ", ".join(_TRIAL_COLUMNS)

    # -- writing ------------------------------------------------------------------------------
    def start_run(self, spec: RunSpec, versions: Versions = ()) -> None:
        """Record a run about to start and the versions it runs under (see
        :meth:`check_versions`)."""
        recorded = json.dumps(dict(versions), sort_keys=True) if versions else ""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs (run_id, problem, strategy, strategy_version, seed, "
                "budget, fingerprint, status, updated_at, versions) "
                "VALUES (?,?,?,?,?,?,?, 'partial', ?, ?)",
                (spec.run_id, spec.problem, spec.strategy, spec.strategy_version, spec.seed,
                 spec.budget, spec.fingerprint, now(), recorded),
            )
            if recorded:  # a run stored before versions were recorded
                db.execute("UPDATE runs SET versions=? WHERE run_id=? AND versions=''",
                           (recorded, spec.run_id))

    def add_trial(self, record: TrialRecord) -> bool:
        """Commit one trial; False if that trial of that run was already stored."""
        row = (
            record.run_id, record.trial, json.dumps(record.params, sort_keys=True),
            record.fidelity, record.cost, record.score, record.score_std, record.test_score,
            record.eval_seconds, record.suggest_seconds, record.status, record.error,
            record.finished_at,
            None if record.extras is None else json.dumps(record.extras, sort_keys=True),
            record.eval_cpu_seconds,
        )
        with self._tx() as db:
            cur = db.execute(
                f"INSERT OR IGNORE INTO trials ({', '.join(_TRIAL_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_TRIAL_COLUMNS))})",
                row,
            )
            return cur.rowcount == 1

    def finish_run(self, outcome: RunOutcome) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET status=?, error=?, n_trials=?, cost=?, updated_at=? WHERE run_id=?",
                (outcome.status, outcome.error, outcome.n_trials, outcome.cost, now(), outcome.run_id),
            )

    def reset_run(self, run_id: str, diverged: bool = False) -> None:
        """Forget a run's trials and mark it partial; ``diverged``: because its strategy no
        longer replays them (counted, and shown in the summary and the report)."""
        with self._tx() as db:
            db.execute("DELETE FROM trials WHERE run_id=?", (run_id,))
            db.execute("UPDATE runs SET status='partial', error='', n_trials=0, cost=0, "
                       "updated_at=?, diverged=diverged+? WHERE run_id=?",
                       (now(), int(diverged), run_id))

    def drop_trials(self, run_id: str, first: int) -> None:
        """Forget a run's trials from index ``first`` on (a retried run that went another way)."""
        with self._tx() as db:
            db.execute("DELETE FROM trials WHERE run_id=? AND trial>=?", (run_id, first))

    # -- reading ------------------------------------------------------------------------------
    def run_status(self, run_ids: Iterable[str]) -> dict[str, str]:
        return self._run_column("status", run_ids)

    def run_errors(self, run_ids: Iterable[str]) -> dict[str, str]:
        return self._run_column("error", run_ids)

    def run_diverged(self, run_ids: Iterable[str]) -> dict[str, int]:
        """How often each run was started over because its strategy replayed otherwise."""
        return self._run_column("diverged", run_ids)

    def run_versions(self, run_ids: Iterable[str]) -> dict[str, dict[str, str]]:
        """The versions each run was made under (runs that recorded them)."""
        return {run_id: json.loads(text) for run_id, text
                in self._run_column("versions", run_ids).items() if text}

    def check_versions(self, wanted: dict[str, Versions]) -> None:
        """Raise :class:`BadInput` if a stored run was made under other versions than ``wanted``
        (by run id) names: continuing or reporting it would mix scores of two environments."""
        found: dict[str, int] = {}
        for run_id, stored in self.run_versions(wanted).items():
            for change in differences(stored, wanted[run_id]):
                found[change] = found.get(change, 0) + 1
        if found:
            changes = ", ".join(f"{c} ({n} runs)" for c, n in sorted(found.items()))
            raise BadInput(f"store {self.path} holds runs made under other versions: {changes}; "
                           "a store never mixes them: install the stored versions or use "
                           "another --store")

    def complete_runs(self) -> list[tuple[str, str, int, int]]:
        """(problem, strategy, seed, budget) of every complete run, whatever its settings: what
        ``report`` names when a suite's own runs are not in this store."""
        q = "SELECT problem, strategy, seed, budget FROM runs WHERE status = 'complete'"
        return [tuple(row) for row in self._db.execute(q).fetchall()]

    def run_states(self, run_ids: Iterable[str]) -> dict[str, tuple]:
        """What changes whenever a stored run moves: its status, when it last changed, how many
        trials it holds and when the last of them finished (trials arrive without touching the
        run's row until it finishes). Reads the trials' keys, not the trials."""
        ids = list(run_ids)
        runs = self._run_column("status || ' ' || updated_at", ids)
        out: dict[str, tuple] = {i: (state, 0, "") for i, state in runs.items()}
        for chunk in _chunks(ids, 500):
            q = ("SELECT run_id, COUNT(*), MAX(finished_at) FROM trials WHERE run_id IN "
                 f"({','.join('?' * len(chunk))}) GROUP BY run_id")
            for run_id, count, last in self._db.execute(q, chunk).fetchall():
                out[run_id] = (runs.get(run_id, ""), count, last)
        return out

    def _run_column(self, column: str, run_ids: Iterable[str]) -> dict:
        out: dict[str, str] = {}
        for chunk in _chunks(list(run_ids), 500):
            q = f"SELECT run_id, {column} FROM runs WHERE run_id IN ({','.join('?' * len(chunk))})"
            out.update(dict(self._db.execute(q, chunk).fetchall()))
        return out

    def trials(self, run_id: str) -> list[TrialRecord]:
        rows = self._db.execute(
            f"SELECT {self._select} FROM trials WHERE run_id=? ORDER BY trial",
            (run_id,),
        ).fetchall()
        return [_record(row) for row in rows]

    def trials_frame(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Trials joined with their runs, one row per trial, ordered by run and trial."""
        cols = ", ".join(f"r.{c}" for c in _RUN_COLUMNS) + ", r.status AS run_status"
        query = (f"SELECT {cols}, t.* FROM (SELECT {self._select} FROM trials) t "
                 "JOIN runs r ON r.run_id = t.run_id")
        if run_ids is None:
            frame = pd.read_sql_query(query, self._db)
        else:
            ids = list(run_ids)
            parts = [
                pd.read_sql_query(f"{query} WHERE t.run_id IN ({','.join('?' * len(c))})",
                                  self._db, params=c)
                for c in _chunks(ids, 500)
            ]
            frame = pd.concat(parts, ignore_index=True) if parts else pd.read_sql_query(
                f"{query} WHERE 0", self._db)
        return frame.sort_values(["run_id", "trial"], kind="stable").reset_index(drop=True)

    def timings(self) -> tuple[dict[str, float], dict[str, float]]:
        """Mean seconds per full evaluation by problem, and per suggestion by strategy, over
        the stored trials (what the scheduler expects of runs not yet made)."""
        join = "FROM trials t JOIN runs r ON r.run_id = t.run_id"
        evals = self._db.execute(f"SELECT r.problem, sum(t.eval_seconds) / sum(t.cost) {join} "
                                 "WHERE t.cost > 0 GROUP BY r.problem").fetchall()
        suggests = self._db.execute(f"SELECT r.strategy, avg(t.suggest_seconds) {join} "
                                    "GROUP BY r.strategy").fetchall()
        return dict(evals), dict(suggests)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._db:  # one transaction: committed on success, rolled back on error
            yield self._db


def _record(row: tuple) -> TrialRecord:
    values = dict(zip(_TRIAL_COLUMNS, row))
    values["params"] = json.loads(values["params"])
    values["extras"] = None if values["extras"] is None else json.loads(values["extras"])
    return TrialRecord(**values)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def check_store_path(path: Path, fingerprint: str, create: bool) -> None:
    """Raise :class:`BadInput` if ``path`` cannot serve as a store; writes nothing."""
    if path.exists():
        if path.is_dir():
            raise BadInput(f"store {path} is a directory, not a file")
        if not os.access(path, os.R_OK) or (create and not os.access(path, os.W_OK)):
            raise BadInput(f"store {path} is not readable and writable")
        stored, schema = _read_meta(path)
        if schema > SCHEMA_VERSION:
            raise BadInput(f"store {path} has schema version {schema}, newer than this "
                           f"searchbench's ({SCHEMA_VERSION}): upgrade searchbench or use "
                           "another --store")
        if stored != fingerprint:
            raise BadInput(
                f"store {path} holds trials of catalogue fingerprint {stored[:12]}, but the "
                f"catalogue's is now {fingerprint[:12]}: the store never mixes them; "
                "use another --store (or move this one aside)"
            )
        return
    if not create:
        raise BadInput(f"store {path} does not exist (run `searchbench run` first)")
    parent = _existing_parent(path)
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise BadInput(f"store {path} cannot be created: {parent} is not a writable directory")


def open_store(path: Path | str, fingerprint: str, create: bool = True,
               read_only: bool = False) -> Store:
    """Open (or create) the store at ``path`` for catalogue ``fingerprint``, migrating an older
    schema; ``read_only`` opens an existing store without ever writing to it (an older schema
    is then refused, as migrating it would write)."""
    path = Path(path)
    check_store_path(path, fingerprint, create and not read_only)
    if read_only:
        if _read_meta(path)[1] < SCHEMA_VERSION:
            raise BadInput(f"store {path} has schema version {_read_meta(path)[1]} and needs "
                           f"migrating to {SCHEMA_VERSION}, which a read-only command does not "
                           "do: `searchbench run` or `searchbench report` migrates it")
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return Store(path, db, fingerprint)
    if not path.exists():
        _create(path, fingerprint)
        check_store_path(path, fingerprint, create)  # another process may have won the race
    db = sqlite3.connect(path, timeout=60, isolation_level="DEFERRED", check_same_thread=False)
    db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable against a killed process
    db.execute("PRAGMA busy_timeout=60000")
    _migrate(db)
    return Store(path, db, fingerprint)


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the store's schema to :data:`SCHEMA_VERSION`, one step of :data:`MIGRATIONS` at a
    time, each in one transaction (a process that migrates meanwhile is waited for)."""
    while True:
        with db:
            db.execute("BEGIN IMMEDIATE")  # read and change the version with nobody between
            version = _schema(db)
            if version >= SCHEMA_VERSION:
                return
            for statement in MIGRATIONS[version]:
                db.execute(statement)
            db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(version + 1),))


def _schema(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    return int(row[0]) if row is not None else 1


def _create(path: Path, fingerprint: str) -> None:
    """Create a complete store file atomically: built aside, then linked into place, so that a
    process opening the store at the same moment never sees it half made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.new")
    db = sqlite3.connect(partial)
    try:
        db.execute("PRAGMA journal_mode=WAL")  # persistent: recorded in the file itself
        with db:
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
    finally:
        db.close()
    try:
        os.link(partial, path)
    except FileExistsError:
        pass  # created meanwhile by another process; check_store_path judges it
    finally:
        partial.unlink()


def _read_meta(path: Path) -> tuple[str, int]:
    """The fingerprint a store file was made for and its schema version; BadInput if it is not
    a searchbench store."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
            db.execute("SELECT count(*) FROM trials").fetchone()
            schema = _schema(db)
        finally:
            db.close()
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise BadInput(f"store {path} is not a searchbench store or is corrupted ({exc})") from None
    if row is None:
        raise BadInput(f"store {path} is not a searchbench store (no fingerprint)")
    return row[0], schema


def _existing_parent(path: Path) -> Path:
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    return parent
