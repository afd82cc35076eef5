"""The session store: versions, usage, streams persisted within a second, recovery, schema upgrades."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from posttui.errors import SessionError
from posttui.session import UPGRADES, SessionStore, _prepare, paper_key


@pytest.fixture
def store(tmp_path):
    s = SessionStore.open(tmp_path / "sessions.db")
    yield s
    s.close()


def test_default_location_is_the_data_dir(isolated_env):
    s = SessionStore.open()
    assert s.path == isolated_env / "data" / "sessions.db"
    assert s.path.is_file() and s.notice is None
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()


def test_versions_usage_and_listing(store):
    a = store.create("2511.10640", origin="2511.10640", title="A paper", prompt="P", backend="offline", model="m")
    b = store.create("/tmp/x", origin="/tmp/x", title="Other")
    v1 = store.add_version(a.id, "first", "stream")
    v2 = store.add_version(a.id, "second", "fix")
    store.add_version(a.id, "second", "edit")
    store.record_usage(a.id, model="m", input_tokens=100, output_tokens=20, cost=0.5)
    store.record_usage(a.id, model="m", input_tokens=10, output_tokens=2, cost=0.25)
    got = store.get(a.id)
    assert (got.versions, got.input_tokens, got.output_tokens, got.cost) == (3, 110, 22, 0.75)
    assert got.prompt == "P" and got.backend == "offline"
    assert [s.id for s in store.list()] == [a.id, b.id]  # a updated last
    assert [v.origin for v in store.versions(a.id)] == ["stream", "fix", "edit"]
    latest = store.latest(a.id)
    assert latest.text == "second"
    # Undo skips versions identical to the current text; it is persisted, and redo goes back.
    assert store.undo_target(a.id).id == v1
    store.show(a.id, v1)
    assert store.current(a.id).id == v1 and store.undo_target(a.id) is None
    assert store.redo_target(a.id).text == "second"
    store.show(a.id, v2)
    assert store.current(a.id).id == v2 and store.undo_target(a.id).id == v1
    assert store.resumable("2511.10640").id == a.id
    assert store.resumable("/tmp/x") is None  # no draft yet


def test_unknown_origin_and_session(store):
    s = store.create("k")
    with pytest.raises(ValueError):
        store.add_version(s.id, "x", "magic")
    with pytest.raises(SessionError, match="posttui sessions"):
        store.get(999)


def test_recorder_writes_at_most_interval_behind(store):
    s = store.create("k")
    now = [0.0]
    rec = store.recorder(s.id, clock=lambda: now[0], interval=0.5)
    for i in range(10):  # 10 chunks within 0.45 s: no write yet
        now[0] = i * 0.05
        rec.feed(f"c{i} ")
    assert store.version(rec.version_id).text == ""
    now[0] = 0.5
    rec.feed("late ")
    assert store.version(rec.version_id).text == rec.text
    rec.feed("pending")
    now[0] = 1.2
    rec.tick()  # a timer tick writes text even when no chunk arrives
    v = store.version(rec.version_id)
    assert v.text.endswith("pending") and not v.complete
    rec.finish(finish_reason="STOP")
    v = store.version(rec.version_id)
    assert v.complete and v.finish_reason == "STOP"


def test_stream_survives_kill_9(tmp_path):
    db = tmp_path / "s.db"
    code = textwrap.dedent(
        f"""
        import sys, time
        from posttui.session import SessionStore
        store = SessionStore.open({str(db)!r})
        s = store.create("k")
        rec = store.recorder(s.id)
        i = 0
        while True:
            rec.feed(f"chunk{{i}} ")
            if i == 20:
                print("ready", flush=True)
            i += 1
            time.sleep(0.02)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = SessionStore.open(db)
    v = store.latest(store.list()[0].id)
    assert not v.complete
    chunks = v.text.split()
    assert len(chunks) >= 40  # more than a second of chunks (50/s) made it to disk
    assert chunks == [f"chunk{i}" for i in range(len(chunks))]  # in order, never torn
    store.close()


def test_corrupt_database_is_moved_aside(tmp_path):
    db = tmp_path / "sessions.db"
    db.write_bytes(b"this is not a database" * 100)
    s = SessionStore.open(db)
    assert s.notice and "moved to" in s.notice and "sessions.db.broken-" in s.notice
    assert s.list() == []
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("sessions.db.broken-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    s.close()


def test_locked_database_is_refused_not_moved_and_listing_waits(tmp_path):
    """Held with an exclusive lock (rollback journal): opening waits, then refuses; nothing is moved aside, and
    the sessions are all there once the lock goes."""
    db = tmp_path / "sessions.db"
    first = SessionStore.open(db)
    first.create("old")
    first.close()
    holder = sqlite3.connect(str(db), isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    for readonly in (False, True):
        with pytest.raises(SessionError, match="locked by another program"):
            SessionStore.open(db, timeout=0.2, readonly=readonly)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.db"]
    holder.close()
    s = SessionStore.open(db, readonly=True)
    assert [x.paper_key for x in s.list()] == ["old"]
    s.close()


def test_schema_upgrade_from_version_1(tmp_path):
    db_path = tmp_path / "sessions.db"
    db = sqlite3.connect(str(db_path), isolation_level=None)
    _prepare(db, UPGRADES[:1])
    db.execute("INSERT INTO sessions (paper_key, created, updated) VALUES ('old', 't', 't')")
    db.execute("INSERT INTO versions (session_id, created, origin, text) VALUES (1, 't', 'stream', 'kept')")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()
    s = SessionStore.open(db_path)
    assert s.notice is None
    assert s.db.execute("PRAGMA user_version").fetchone()[0] == len(UPGRADES)
    old = s.get(1)
    assert old.paper_key == "old" and old.prompt_mode == "site" and old.saved_path == ""
    assert s.latest(1).text == "kept" and s.latest(1).finish_reason == ""
    s.close()


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    db_path = tmp_path / "sessions.db"
    db = sqlite3.connect(str(db_path))
    db.execute(f"PRAGMA user_version = {len(UPGRADES) + 5}")
    db.close()
    before = db_path.read_bytes()
    for readonly in (False, True):
        with pytest.raises(SessionError, match="written by a newer posttui"):
            SessionStore.open(db_path, readonly=readonly)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.db"]


def test_api_key_never_reaches_the_database(tmp_path, monkeypatch):
    key = "AIzaSy-test-secret-key-0123456789"
    monkeypatch.setenv("GEMINI_API_KEY", key)
    s = SessionStore.open(tmp_path / "sessions.db")
    sess = s.create("k", prompt="prompt text", backend="gemini", model="gemini-2.5-pro")
    rec = s.recorder(sess.id)
    rec.feed("draft")
    rec.finish()
    s.record_usage(sess.id, model="gemini-2.5-pro", input_tokens=1, output_tokens=1, cost=0.1)
    s.close()
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"draft" in blob or b"prompt text" in blob
    assert key.encode() not in blob


def test_paper_key(tmp_path):
    class P:
        arxiv_id = None
        origin = str(tmp_path / "a" / ".." / "a")

    assert paper_key(P()) == str((tmp_path / "a").resolve())
    P.arxiv_id = "2511.10640"
    assert paper_key(P()) == "2511.10640"


def test_cli_sessions_lists_and_resume_rejects_unknown_ids(isolated_env, capsys):
    from posttui.cli import main

    assert main(["sessions"]) == 0
    assert "No sessions yet" in capsys.readouterr().out
    s = SessionStore.open()
    a = s.create("2611.01234", origin="examples/synthetic-paper", title="Tempered nested sampling", backend="offline")
    s.add_version(a.id, "draft", "stream")
    s.record_usage(a.id, model="m", input_tokens=10, output_tokens=5, cost=0.125)
    s.close()
    assert main(["sessions"]) == 0
    out = capsys.readouterr().out
    assert "Tempered nested sampling" in out and "2611.01234" in out and "$ 0.125" in out
    assert "posttui resume ID" in out
    assert main(["sessions", "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == a.id and rows[0]["versions"] == 1 and rows[0]["cost"] == 0.125
    assert main(["sessions", "--paper", "arXiv:2611.01234", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    import pathlib

    folder = pathlib.Path("examples/synthetic-paper")
    if folder.is_dir():  # a path finds the session of the paper opened from it (keyed by its arXiv id)
        assert main(["sessions", "--paper", str(folder), "--json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["sessions", "--paper", "2501.99999", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["resume", "999"]) == 2
    err = capsys.readouterr().err
    assert "no session with id 999" in err and "posttui sessions" in err


def test_undo_after_an_edit_goes_to_what_the_edit_was_made_from(tmp_path):
    """v1 -> v2 -> v3, undo to v2, edit to v4: undo from v4 is v2 (not v3), redo from v2 is v4 (the newest)."""
    store = SessionStore.open(tmp_path / "s.db")
    s = store.create("p")
    v1 = store.add_version(s.id, "one", "stream")
    v2 = store.add_version(s.id, "two", "fix")
    v3 = store.add_version(s.id, "three", "repair")
    store.show(s.id, v2)
    v4 = store.add_version(s.id, "four", "edit")
    assert store.version(v4).parent_id == v2
    assert store.undo_target(s.id).id == v2
    store.show(s.id, v2)
    assert store.redo_target(s.id).id == v4
    store.show(s.id, v1)
    assert store.redo_target(s.id).id == v2 and v3
    store.close()
    reopened = SessionStore.open(tmp_path / "s.db")
    assert reopened.current(s.id).id == v1  # what the user last saw comes back after a restart
    reopened.close()
