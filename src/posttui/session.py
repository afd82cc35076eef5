"""Sessions that survive: every paper opened, every draft version, usage and cost, in one SQLite file.

The store lives in ``Config.data_path() / "sessions.db"`` (stdlib :mod:`sqlite3`, WAL journal), so a session
can be listed (``posttui sessions``), reopened (``posttui resume ID``) and offered again when the same paper is
opened. While a model streams, :class:`StreamRecorder` writes the text received at least once a second; a
committed WAL transaction survives ``kill -9``, so a crash loses at most the last second.

Only a database that really is corrupt is moved aside (and a fresh one started; :attr:`SessionStore.notice` says
so, for the app and the CLI to show). One that another program holds locked is waited for, then refused for
writing (listing opens read-only); one written by a newer posttui is refused with a clear message; a read-only
one is used read-only. The schema carries a version (``PRAGMA user_version``) with upgrade steps.
The API key is never stored: nothing here has a place for it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .errors import SessionError

DB_NAME = "sessions.db"

ORIGINS = ("stream", "edit", "fix", "repair", "regenerate", "resume", "save")
"""Where a draft version came from (``save``: the image lines settled as the post was saved, see posttui.claims)."""

FLUSH_INTERVAL = 0.5
"""Seconds between writes of a running stream (half the one-second promise, so a flush is never late)."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


# Each step upgrades the schema from version i to i + 1, as statements run in one transaction.
# Never edit a released step: append a new one.
UPGRADES: list[tuple[str, ...]] = [
    (  # 1: sessions, draft versions, usage
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            paper_key TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            prompt TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        "CREATE INDEX sessions_paper ON sessions(paper_key, updated)",
        """CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            created TEXT NOT NULL,
            origin TEXT NOT NULL,
            text TEXT NOT NULL,
            complete INTEGER NOT NULL DEFAULT 1
        )""",
        "CREATE INDEX versions_session ON versions(session_id, id)",
        """CREATE TABLE usage (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            created TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cost REAL NOT NULL DEFAULT 0
        )""",
    ),
    (  # 2: prompt mode, backend and model, finish reason, where the post was saved
        "ALTER TABLE sessions ADD COLUMN prompt_mode TEXT NOT NULL DEFAULT 'site'",
        "ALTER TABLE sessions ADD COLUMN backend TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN model TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN saved_path TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE versions ADD COLUMN finish_reason TEXT NOT NULL DEFAULT ''",
    ),
    (  # 3: undo/redo survive a restart: each version knows the one it was made from, the session what is shown
        "ALTER TABLE versions ADD COLUMN parent_id INTEGER",
        "ALTER TABLE sessions ADD COLUMN current_version INTEGER",
    ),
    (  # 4: a call whose model has no price is "cost unknown", never $0
        "ALTER TABLE usage ADD COLUMN cost_known INTEGER NOT NULL DEFAULT 1",
    ),
]
SCHEMA_VERSION = len(UPGRADES)
MAX_ID = 2**63 - 1
"""The largest SQLite integer: ids and limits beyond it cannot exist (and would overflow the driver)."""


@dataclass(frozen=True)
class Session:
    id: int
    paper_key: str
    """The paper's identity: the arXiv id, or the resolved path of a local source."""
    origin: str
    """What the user opened (id, URL or path), to reopen it."""
    title: str
    prompt: str
    prompt_mode: str
    backend: str
    model: str
    created: str
    updated: str
    saved_path: str
    versions: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    """USD of the calls whose price is known."""
    unpriced_calls: int = 0
    """Calls whose model had no price: the session's cost is then a lower bound ("cost unknown")."""


@dataclass(frozen=True)
class DraftVersion:
    id: int
    session_id: int
    created: str
    origin: str
    """stream, edit, fix, repair, regenerate or resume."""
    text: str
    complete: bool
    """False while (or if, after a crash) a stream was still writing this version."""
    finish_reason: str
    parent_id: int | None = None
    """The version this one was made from (None for the first, or for versions written before schema 3)."""


class SessionStore:
    """The session database. Open with :meth:`open` (which recovers from a corrupt or locked file)."""

    def __init__(self, db: sqlite3.Connection, path: Path | None, notice: str | None = None, *,
                 readonly: bool = False):
        self.db = db
        self.path = path
        self.notice = notice
        """A message for the user when the store had to be recovered (moved aside) or is read-only, else None."""
        self.readonly = readonly
        self.lock = threading.RLock()
        """Held through every write transaction: the one connection serves the event loop and worker threads
        (``check_same_thread=False``), and two threads' ``BEGIN`` on it must never interleave."""

    # ----- opening ----------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str | None = None, *, config=None, timeout: float = 2.0,
             readonly: bool = False) -> "SessionStore":
        """Open (or, unless ``readonly``, create) the database.

        A corrupt file is moved aside and a fresh one started, saying so in :attr:`notice`. Anything else is never
        moved: a lock held longer than ``timeout`` seconds or a newer schema raise :class:`SessionError`; a file
        that cannot be written is opened read-only (``notice`` says nothing new is recorded). ``readonly`` (for
        listing) never writes, and a missing database reads as an empty one."""
        if path is None:
            from .config import load_config

            config = config or load_config()
            path = config.data_path() / DB_NAME
        path = Path(path)
        if readonly:
            if not path.exists():
                return cls.memory(path=path)
            try:
                return cls(_connect_readonly(path, timeout), path, readonly=True)
            except sqlite3.DatabaseError as exc:
                raise _open_error(exc, path, timeout) from None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SessionError(f"cannot create the session folder ({exc.strerror})", path=path.parent,
                               hint="set data_dir in the config file or POSTTUI_DATA_DIR to a writable folder")
        try:
            return cls(_connect(path, timeout), path)
        except sqlite3.DatabaseError as exc:
            kind = _failure_kind(exc)
            if kind == "other" and path.is_file() and "unable to open" in str(exc).lower():
                kind = "read-only"  # a WAL database in a folder we cannot write (no room for its index file)
            if kind == "read-only":
                try:
                    store = cls(_connect_readonly(path, timeout), path, readonly=True)
                except sqlite3.DatabaseError as exc2:
                    raise _open_error(exc2, path, timeout) from None
                store.notice = (f"The session database {path} is read-only: earlier sessions can be listed and "
                                "reopened, but nothing new is recorded.")
                return store
            if kind != "corrupt":
                raise _open_error(exc, path, timeout) from None
            aside = _move_aside(path)
            notice = (f"The session database {path} was unreadable ({exc}); it was moved to {aside.name} and a fresh "
                      "one was started. Earlier sessions are in the moved file.")
            try:
                return cls(_connect(path, timeout), path, notice)
            except sqlite3.DatabaseError as exc2:
                raise SessionError(f"cannot open the session database ({exc2})", path=path,
                                   hint="check the folder is writable, or set POSTTUI_DATA_DIR elsewhere") from None

    @classmethod
    def memory(cls, notice: str | None = None, *, path: Path | None = None) -> "SessionStore":
        """A throw-away store (used when the real one cannot be opened at all, or does not exist yet when only
        listing: ``path`` then names where it would be)."""
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _prepare(db)
        return cls(db, path, notice)

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    # ----- sessions ---------------------------------------------------------------------------------------------
    def create(self, paper_key: str, *, origin: str = "", title: str = "", prompt: str = "",
               prompt_mode: str = "site", backend: str = "", model: str = "") -> Session:
        now = _now()
        cur = self._write(
            "INSERT INTO sessions (paper_key, origin, title, prompt, created, updated, prompt_mode, backend, model)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (paper_key, origin, title, prompt, now, now, prompt_mode, backend, model),
        )
        return self.get(cur.lastrowid)

    def get(self, session_id: int) -> Session:
        if not 0 < session_id <= MAX_ID:
            raise SessionError(f"no session with id {session_id}", path=self.path,
                               hint="`posttui sessions` lists the sessions you can resume")
        row = self.db.execute(_SESSION_SELECT + " WHERE s.id = ? GROUP BY s.id", (session_id,)).fetchone()
        if row is None:
            raise SessionError(f"no session with id {session_id}", path=self.path,
                               hint="`posttui sessions` lists the sessions you can resume")
        return Session(*row)

    def list(self, limit: int = 50, paper_key: str | None = None) -> list[Session]:
        """Sessions, most recently updated first."""
        limit = max(0, min(int(limit), MAX_ID))
        where, params = ("WHERE s.paper_key = ?", (paper_key,)) if paper_key else ("", ())
        rows = self.db.execute(
            _SESSION_SELECT + f" {where} GROUP BY s.id ORDER BY s.updated DESC, s.id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [Session(*r) for r in rows]

    def resumable(self, paper_key: str) -> Session | None:
        """The latest session of this paper that has a draft worth offering, or None."""
        for session in self.list(limit=20, paper_key=paper_key):
            latest = self.latest(session.id)
            if latest is not None and latest.text.strip():
                return session
        return None

    def update_session(self, session_id: int, **fields) -> None:
        allowed = {"prompt", "prompt_mode", "backend", "model", "saved_path", "title", "origin"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown session fields: {sorted(bad)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        self._write(f"UPDATE sessions SET {sets}, updated = ? WHERE id = ?", (*fields.values(), _now(), session_id))

    def delete(self, session_id: int) -> None:
        self._write("DELETE FROM sessions WHERE id = ?", (session_id,))

    # ----- draft versions ---------------------------------------------------------------------------------------
    def add_version(self, session_id: int, text: str, origin: str, *, complete: bool = True,
                    finish_reason: str = "", parent: int | None = None) -> int:
        """Add a version made from ``parent`` (default: the version shown now) and show it."""
        if origin not in ORIGINS:
            raise ValueError(f"unknown version origin {origin!r}; expected one of {ORIGINS}")
        now = _now()
        with self._transaction():
            if parent is None:
                shown = self._current_id(session_id)
                parent = shown
            cur = self.db.execute(
                "INSERT INTO versions (session_id, created, origin, text, complete, finish_reason, parent_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, now, origin, text, int(complete), finish_reason, parent),
            )
            self.db.execute("UPDATE sessions SET updated = ?, current_version = ? WHERE id = ?",
                            (now, cur.lastrowid, session_id))
        return int(cur.lastrowid)

    # ----- what is shown, undo and redo -------------------------------------------------------------------------
    def _current_id(self, session_id: int) -> int | None:
        row = self.db.execute(
            "SELECT COALESCE(s.current_version, (SELECT MAX(id) FROM versions v WHERE v.session_id = s.id))"
            " FROM sessions s WHERE s.id = ?", (session_id,)).fetchone()
        return row[0] if row else None

    def current(self, session_id: int) -> DraftVersion | None:
        """The version the user last saw (after an undo, the older one), or None for a session with no draft."""
        version_id = self._current_id(session_id)
        return self.version(version_id) if version_id is not None else None

    def show(self, session_id: int, version_id: int) -> DraftVersion:
        """Make ``version_id`` the version shown (persisted, so resuming shows it)."""
        version = self.version(version_id)
        if version.session_id != session_id:
            raise SessionError(f"version {version_id} belongs to session {version.session_id}, not {session_id}",
                               path=self.path)
        self._write("UPDATE sessions SET current_version = ?, updated = ? WHERE id = ?",
                    (version_id, _now(), session_id))
        return version

    def undo_target(self, session_id: int) -> DraftVersion | None:
        """The version the shown one was made from, skipping ancestors with the same text (None at the start)."""
        current = self.current(session_id)
        if current is None:
            return None
        node = current
        while True:
            parent_id = node.parent_id
            if parent_id is None:  # versions written before schema 3: fall back to the order of writing
                row = self.db.execute(_VERSION_SELECT + " WHERE session_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
                                      (session_id, node.id)).fetchone()
                node = _version(row) if row else None
            else:
                node = self.version(parent_id)
            if node is None or node.text != current.text:
                return node

    def redo_target(self, session_id: int) -> DraftVersion | None:
        """The newest version made from the shown one (where an undo came from), or None."""
        current = self.current(session_id)
        if current is None:
            return None
        node = current
        while True:
            row = self.db.execute(_VERSION_SELECT + " WHERE session_id = ? AND parent_id = ? ORDER BY id DESC LIMIT 1",
                                  (session_id, node.id)).fetchone()
            if row is None:
                return None
            node = _version(row)
            if node.text != current.text:
                return node

    def update_version(self, version_id: int, text: str, *, complete: bool | None = None,
                       finish_reason: str | None = None) -> None:
        sets, params = ["text = ?"], [text]
        if complete is not None:
            sets.append("complete = ?")
            params.append(int(complete))
        if finish_reason is not None:
            sets.append("finish_reason = ?")
            params.append(finish_reason)
        self._write(f"UPDATE versions SET {', '.join(sets)} WHERE id = ?", (*params, version_id))

    def versions(self, session_id: int) -> list[DraftVersion]:
        rows = self.db.execute(_VERSION_SELECT + " WHERE session_id = ? ORDER BY id", (session_id,)).fetchall()
        return [_version(r) for r in rows]

    def version(self, version_id: int) -> DraftVersion:
        row = self.db.execute(_VERSION_SELECT + " WHERE id = ?", (version_id,)).fetchone()
        if row is None:
            raise SessionError(f"no draft version {version_id}", path=self.path)
        return _version(row)

    def latest(self, session_id: int) -> DraftVersion | None:
        row = self.db.execute(_VERSION_SELECT + " WHERE session_id = ? ORDER BY id DESC LIMIT 1",
                              (session_id,)).fetchone()
        return _version(row) if row else None

    # ----- usage ------------------------------------------------------------------------------------------------
    def record_usage(self, session_id: int, *, model: str = "", input_tokens: int = 0, output_tokens: int = 0,
                     cost: float | None = 0.0) -> None:
        """Count one model call; ``cost`` None means the model has no known price (kept as unknown, not $0)."""
        with self._transaction():
            self.db.execute(
                "INSERT INTO usage (session_id, created, model, input_tokens, output_tokens, cost, cost_known)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, _now(), model, int(input_tokens or 0), int(output_tokens or 0), float(cost or 0.0),
                 int(cost is not None)),
            )
            self.db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (_now(), session_id))

    # ----- streams ----------------------------------------------------------------------------------------------
    def recorder(self, session_id: int, origin: str = "stream", *, base: str = "",
                 clock: Callable[[], float] = time.monotonic, interval: float = FLUSH_INTERVAL) -> "StreamRecorder":
        """A recorder writing a new (incomplete until finished) version; ``base`` is text it starts from."""
        return StreamRecorder(self, session_id, origin, base=base, clock=clock, interval=interval)

    # ----- internals --------------------------------------------------------------------------------------------
    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._transaction():
            return self.db.execute(sql, params)

    def _transaction(self):
        return _Transaction(self)


class _Transaction:
    def __init__(self, store: SessionStore):
        self.store = store

    def __enter__(self):
        self.store.lock.acquire()
        try:
            return self._begin()
        except BaseException:
            self.store.lock.release()
            raise

    def _begin(self):
        if self.store.readonly:
            raise SessionError("the session database is read-only; nothing new is recorded", path=self.store.path,
                               hint="make the file and its folder writable, or set POSTTUI_DATA_DIR elsewhere")
        try:
            self.store.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise SessionError(f"cannot write the session database ({exc})", path=self.store.path,
                               hint="another posttui may hold it; close it, or set POSTTUI_DATA_DIR") from None
        return self

    def __exit__(self, kind, value, tb):
        try:
            return self._end(kind, value)
        finally:
            self.store.lock.release()

    def _end(self, kind, value):
        try:
            self.store.db.execute("ROLLBACK" if kind else "COMMIT")
        except sqlite3.Error as exc:
            if kind is None:
                raise SessionError(f"cannot write the session database ({exc})", path=self.store.path) from None
        if kind is not None and issubclass(kind, sqlite3.Error):  # e.g. a full disk: say so, never a traceback
            raise SessionError(f"cannot write the session database ({value})", path=self.store.path) from None
        return False


class StreamRecorder:
    """Persists a streaming draft as one version, at most ``interval`` seconds behind what was received.

    Call :meth:`feed` with each chunk (it writes when the last write is older than ``interval``), :meth:`tick`
    from a timer (it writes pending text even when no chunk arrives), and :meth:`finish` at the end.
    """

    def __init__(self, store: SessionStore, session_id: int, origin: str = "stream", *, base: str = "",
                 clock: Callable[[], float] = time.monotonic, interval: float = FLUSH_INTERVAL):
        self.store = store
        self.session_id = session_id
        self.clock = clock
        self.interval = interval
        self.parts: list[str] = [base] if base else []
        self.version_id = store.add_version(session_id, base, origin, complete=False)
        self._last_write = clock()
        self._dirty = False
        self.writes = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def feed(self, chunk: str) -> None:
        if chunk:
            self.parts.append(chunk)
            self._dirty = True
        self.tick()

    def tick(self) -> None:
        if self._dirty and self.clock() - self._last_write >= self.interval:
            self.flush()

    def flush(self) -> None:
        if not self._dirty:
            return
        text = "".join(self.parts)
        self.parts = [text]
        self.store.update_version(self.version_id, text)
        self._last_write = self.clock()
        self._dirty = False
        self.writes += 1

    def finish(self, text: str | None = None, *, finish_reason: str = "STOP") -> int:
        """Write the final text and mark the version complete; returns the version id."""
        final = self.text if text is None else text
        self.parts = [final]
        self.store.update_version(self.version_id, final, complete=True, finish_reason=finish_reason)
        self._dirty = False
        return self.version_id


_SESSION_SELECT = (
    "SELECT s.id, s.paper_key, s.origin, s.title, s.prompt, s.prompt_mode, s.backend, s.model, s.created,"
    " s.updated, s.saved_path,"
    " (SELECT COUNT(*) FROM versions v WHERE v.session_id = s.id),"
    " COALESCE((SELECT SUM(input_tokens) FROM usage u WHERE u.session_id = s.id), 0),"
    " COALESCE((SELECT SUM(output_tokens) FROM usage u WHERE u.session_id = s.id), 0),"
    " COALESCE((SELECT SUM(cost) FROM usage u WHERE u.session_id = s.id), 0.0),"
    " COALESCE((SELECT SUM(1 - cost_known) FROM usage u WHERE u.session_id = s.id), 0)"
    " FROM sessions s"
)
_VERSION_SELECT = "SELECT id, session_id, created, origin, text, complete, finish_reason, parent_id FROM versions"


def _version(row) -> DraftVersion:
    return DraftVersion(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7])


class NewerSchemaError(sqlite3.DatabaseError):
    """The database was written by a newer posttui (its schema version is beyond :data:`SCHEMA_VERSION`)."""


def _failure_kind(exc: sqlite3.DatabaseError) -> str:
    """Why opening failed: ``locked``, ``newer``, ``read-only``, ``corrupt`` or ``other``. Only ``corrupt`` may
    ever be moved aside."""
    if isinstance(exc, NewerSchemaError):
        return "newer"
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "locked"
    if "readonly" in text or "read-only" in text:
        return "read-only"
    if isinstance(exc, sqlite3.OperationalError) and "malformed" not in text and "not a database" not in text:
        return "other"
    if any(word in text for word in ("not a database", "malformed", "integrity check failed", "corrupt")):
        return "corrupt"
    return "other"


def _open_error(exc: sqlite3.DatabaseError, path: Path, timeout: float) -> SessionError:
    kind = _failure_kind(exc)
    if kind == "locked":
        return SessionError(f"the session database is locked by another program (waited {timeout:g} s)", path=path,
                            hint="wait for the other posttui to finish, then try again; nothing was changed")
    if kind == "newer":
        return SessionError(f"the session database was written by a newer posttui ({exc}); it was left as it is",
                            path=path, hint="upgrade posttui, or set POSTTUI_DATA_DIR to use a separate database")
    if kind == "read-only":
        return SessionError(f"the session database is read-only and needs an upgrade first ({exc})", path=path,
                            hint="open it once with write access, or set POSTTUI_DATA_DIR elsewhere")
    return SessionError(f"cannot open the session database ({exc}); it was left as it is", path=path,
                        hint="check the file and its folder, or set POSTTUI_DATA_DIR elsewhere")


def _connect_readonly(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that never writes: ``mode=ro``, or ``immutable`` when even the WAL index cannot be made (a
    read-only folder). Refuses a newer schema, and an older one (it would need an upgrade)."""
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}"
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None,
                             check_same_thread=False)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if _failure_kind(exc) == "locked" or "unable to open" not in str(exc).lower():
            raise
        db = sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=timeout, isolation_level=None,
                             check_same_thread=False)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    try:
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(f"schema version {version}; this posttui understands up to {SCHEMA_VERSION}")
        if version < SCHEMA_VERSION:
            raise sqlite3.OperationalError(f"readonly database with the older schema version {version}")
        ok = db.execute("PRAGMA quick_check").fetchone()
        if not ok or ok[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {ok[0] if ok else 'no answer'}")
    except BaseException:
        db.close()
        raise
    return db


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        _prepare(db)
    except BaseException:
        db.close()
        raise
    return db


def _prepare(db: sqlite3.Connection, upgrades: list[tuple[str, ...]] | None = None) -> None:
    """Check the file is a sound database, switch to WAL, and upgrade the schema to the current version."""
    upgrades = UPGRADES if upgrades is None else upgrades
    db.execute("PRAGMA foreign_keys = ON")
    ok = db.execute("PRAGMA quick_check").fetchone()
    if not ok or ok[0] != "ok":
        raise sqlite3.DatabaseError(f"integrity check failed: {ok[0] if ok else 'no answer'}")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(UPGRADES):  # before anything writes to it
        raise NewerSchemaError(f"schema version {version}; this posttui understands up to {len(UPGRADES)}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    for step in range(version, len(upgrades)):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in upgrades[step]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {step + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _move_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        n += 1
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            try:
                os.rename(src, Path(str(aside) + suffix))
            except OSError as exc:
                raise SessionError(f"cannot move the broken session database aside ({exc.strerror})", path=src,
                                   hint="delete or rename the file yourself, or set POSTTUI_DATA_DIR") from None
    return aside


def paper_key(paper) -> str:
    """The identity sessions are grouped by: the arXiv id when known, else the resolved source path."""
    if getattr(paper, "arxiv_id", None):
        return str(paper.arxiv_id)
    origin = str(getattr(paper, "origin", "") or "")
    try:
        return str(Path(origin).expanduser().resolve()) if origin else "paper"
    except OSError:
        return origin


def paper_key_of_source(source: str) -> str:
    """The session key for what a user typed (an arXiv id/URL or a path), without loading the paper."""
    from .ids import normalize_arxiv

    text = str(source).strip()
    path = Path(text).expanduser()
    if not path.exists() and normalize_arxiv(text):
        return normalize_arxiv(text)
    try:
        return str(path.resolve())
    except OSError:
        return text
