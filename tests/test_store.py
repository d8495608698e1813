import sqlite3
from dataclasses import replace

import pytest

from bench.errors import BadInput
from bench.records import RunOutcome, RunSpec, TrialRecord
from bench.store import SCHEMA_VERSION, open_store


def record(run_id, trial, score=0.5):
    return TrialRecord(run_id, trial, {"x": trial}, 1.0, 1.0, score, 0.1, score, 0.01, 0.001,
                       "ok", "", "2026-01-01T00:00:00")


@pytest.fixture
def spec():
    return RunSpec("p", "s", "v", 0, 3, "fp-a")


def test_trials_round_trip_and_are_stored_once(tmp_path, spec):
    store = open_store(tmp_path / "s.sqlite", "fp-a")
    store.start_run(spec)
    assert store.add_trial(record(spec.run_id, 0))
    assert not store.add_trial(record(spec.run_id, 0))  # a duplicate is ignored
    assert store.add_trial(record(spec.run_id, 1))
    assert [r.trial for r in store.trials(spec.run_id)] == [0, 1]
    assert store.trials(spec.run_id)[1] == record(spec.run_id, 1)
    assert store.run_status([spec.run_id]) == {spec.run_id: "partial"}
    store.finish_run(RunOutcome(spec.run_id, "complete", "", 2, 2.0))
    assert store.run_status([spec.run_id]) == {spec.run_id: "complete"}
    frame = store.trials_frame([spec.run_id])
    assert list(frame["trial"]) == [0, 1] and set(frame["problem"]) == {"p"}


def test_each_trial_is_committed_at_once(tmp_path, spec):
    store = open_store(tmp_path / "s.sqlite", "fp-a")
    store.start_run(spec)
    store.add_trial(record(spec.run_id, 0))
    # another connection sees it without the writer closing anything
    other = sqlite3.connect(tmp_path / "s.sqlite")
    assert other.execute("SELECT count(*) FROM trials").fetchone() == (1,)


def test_reset_forgets_a_run_s_trials(tmp_path, spec):
    store = open_store(tmp_path / "s.sqlite", "fp-a")
    store.start_run(spec)
    store.add_trial(record(spec.run_id, 0))
    store.reset_run(spec.run_id)
    assert store.trials(spec.run_id) == []


def test_a_run_s_state_changes_with_every_trial_it_gains_or_loses(tmp_path, spec):
    """What the report's up-to-date check reads: a trial added to a partial run must show."""
    store = open_store(tmp_path / "s.sqlite", "fp-a")
    assert store.run_states([spec.run_id]) == {}
    store.start_run(spec)
    seen = [store.run_states([spec.run_id])[spec.run_id]]
    store.add_trial(record(spec.run_id, 0))
    seen.append(store.run_states([spec.run_id])[spec.run_id])
    store.add_trial(record(spec.run_id, 1))
    seen.append(store.run_states([spec.run_id])[spec.run_id])
    store.drop_trials(spec.run_id, 1)
    assert store.run_states([spec.run_id])[spec.run_id] == seen[1]  # back to one trial
    store.add_trial(replace(record(spec.run_id, 1), finished_at="2026-01-02T00:00:00"))
    seen.append(store.run_states([spec.run_id])[spec.run_id])  # same count, another trial
    store.finish_run(RunOutcome(spec.run_id, "complete", "", 2, 2.0))
    seen.append(store.run_states([spec.run_id])[spec.run_id])
    assert len(set(seen)) == len(seen), seen
    assert [state[1] for state in seen] == [0, 1, 2, 2, 2]


def test_the_store_refuses_another_fingerprint(tmp_path, spec):
    path = tmp_path / "s.sqlite"
    open_store(path, "fp-a").close()
    before = path.read_bytes()
    with pytest.raises(BadInput, match="never mixes"):
        open_store(path, "fp-b")
    assert path.read_bytes() == before


def test_a_corrupted_or_foreign_file_is_bad_input(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BadInput, match="corrupted"):
        open_store(junk, "fp")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    with pytest.raises(BadInput, match="not a searchbench store"):
        open_store(other, "fp")


def test_missing_store_for_reading_and_unwritable_folder(tmp_path):
    with pytest.raises(BadInput, match="does not exist"):
        open_store(tmp_path / "absent.sqlite", "fp", create=False)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        import os

        if os.access(locked, os.W_OK):  # running as root: permissions are not enforced
            pytest.skip("permissions are not enforced for this user")
        with pytest.raises(BadInput, match="cannot be created"):
            open_store(locked / "s.sqlite", "fp")
    finally:
        locked.chmod(0o700)


# -- schema versions ---------------------------------------------------------------------------
#: The schema as the first release of the store wrote it.
V1_SCHEMA = """
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
    updated_at TEXT NOT NULL
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
    PRIMARY KEY (run_id, trial)
) WITHOUT ROWID;
"""


def _v1_store(path, spec):
    db = sqlite3.connect(path)
    with db:
        db.executescript(V1_SCHEMA)
        db.execute("INSERT INTO meta VALUES ('fingerprint', 'fp-a'), ('schema', '1')")
        db.execute("INSERT INTO runs (run_id, problem, strategy, strategy_version, seed, budget, "
                   "fingerprint, status, updated_at) VALUES (?, 'p', 's', 'v', 0, 3, 'fp-a', "
                   "'partial', 't')", (spec.run_id,))
        row = record(spec.run_id, 0)
        db.execute("INSERT INTO trials VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (row.run_id, 0, '{"x": 0}', 1.0, 1.0, row.score, row.score_std, row.test_score,
                    row.eval_seconds, row.suggest_seconds, "ok", "", row.finished_at))
    db.close()


def test_an_older_store_is_migrated_on_open_and_keeps_its_trials(tmp_path, spec):
    path = tmp_path / "old.sqlite"
    _v1_store(path, spec)
    with pytest.raises(BadInput, match="schema version 1 and needs migrating"):
        open_store(path, "fp-a", create=False, read_only=True)  # reading never writes
    store = open_store(path, "fp-a")
    assert store.trials(spec.run_id) == [record(spec.run_id, 0)]
    assert store.run_versions([spec.run_id]) == {}  # made before versions were recorded
    store.start_run(spec, (("numpy", "1.0"),))  # the resumed run records them now
    assert store.run_versions([spec.run_id]) == {spec.run_id: {"numpy": "1.0"}}
    store.reset_run(spec.run_id, diverged=True)
    assert store.run_diverged([spec.run_id]) == {spec.run_id: 1}
    schema = store._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0]
    store.close()
    assert schema == str(SCHEMA_VERSION)
    open_store(path, "fp-a", create=False, read_only=True).close()  # up to date: readable


def test_cpu_seconds_round_trip_and_an_older_store_s_trials_have_none(tmp_path, spec):
    """A trial records its evaluation's CPU seconds; trials stored before they were recorded
    stay readable, with none."""
    path = tmp_path / "old.sqlite"
    _v1_store(path, spec)
    store = open_store(path, "fp-a")
    assert store.trials(spec.run_id)[0].eval_cpu_seconds is None
    timed = replace(record(spec.run_id, 1), eval_cpu_seconds=0.004)
    assert store.add_trial(timed)
    assert store.trials(spec.run_id)[1] == timed
    frame = store.trials_frame([spec.run_id])
    assert frame["eval_cpu_seconds"].isna().tolist() == [True, False]
    assert frame["eval_cpu_seconds"].iloc[1] == 0.004
    store.close()


def test_a_store_of_a_newer_schema_is_refused_in_one_line(tmp_path, spec):
    path = tmp_path / "new.sqlite"
    open_store(path, "fp-a").close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION + 1),))
    db.close()
    for read_only in (False, True):
        with pytest.raises(BadInput) as refused:
            open_store(path, "fp-a", create=False, read_only=read_only)
        message = str(refused.value)
        assert f"schema version {SCHEMA_VERSION + 1}, newer than" in message
        assert "\n" not in message


def test_a_run_under_other_versions_than_stored_is_refused(tmp_path, spec):
    store = open_store(tmp_path / "s.sqlite", "fp-a")
    store.start_run(spec, (("numpy", "1.0"), ("scikit-learn", "1.5.0")))
    store.check_versions({spec.run_id: (("numpy", "1.0"), ("scikit-learn", "1.5.0"))})  # same
    with pytest.raises(BadInput, match=r"scikit-learn 1\.5\.0 -> 1\.6\.0 \(1 runs\)"):
        store.check_versions({spec.run_id: (("numpy", "1.0"), ("scikit-learn", "1.6.0"))})
    store.close()
