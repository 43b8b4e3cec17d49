"""Answer feedback (👍/👎 and an optional comment): one store over SQLite (embedded, the default) or PostgreSQL (shared
by several app processes), safe with many users at once, exportable as CSV."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

RATINGS = {"up": "👍", "down": "👎"}
# A writer waits this long for another writer's lock, and tries this many times, before giving up.
BUSY_TIMEOUT_MS = 2000
ATTEMPTS = 6
CSV_HEADER = ("编号", "时间", "问题", "回答", "引用（JSON）", "模式", "评价", "意见")
# Exported times are Shanghai's whatever the server's clock says (a container often runs on UTC). A fixed offset is
# exact: China has kept UTC+8 without daylight saving since 1991, and it needs no time-zone database.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
CSV_TIME = "%Y-%m-%d %H:%M:%S"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    mode TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT ''
)
"""
_COLUMNS = ("id", "created_at", "question", "answer", "citations", "mode", "rating", "comment")
# What a stored rating holds besides its id, in this order (the INSERT of both backends).
ROW_COLUMNS = _COLUMNS[1:]
# The columns a stored rating may change (the backends put this name into their UPDATE).
UPDATABLE = ("rating", "comment")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: Path | str) -> bool:
    """Whether ASSISTANT_FEEDBACK_DB names a PostgreSQL database rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


class FeedbackError(RuntimeError):
    """Feedback could not be stored or read; the message is for the user, in Chinese."""


def _is_busy(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _user_message(error: sqlite3.Error, path: Path) -> str:
    text = str(error).lower()
    if _is_busy(error):
        return "反馈暂时没能保存：反馈数据库正忙（被其他程序占用），请稍后再点一次。"
    if "readonly" in text or "read-only" in text or "permission" in text or "unable to open" in text:
        return f"反馈没能保存：反馈数据库 {path.name} 是只读的或无法打开，请联系管理员检查文件权限。"
    return "反馈没能保存：反馈数据库出错了，请联系管理员。"


class Backend(Protocol):
    """Where the records are kept: the SQLite file (below) or PostgreSQL (feedback_postgres.py). Each method raises
    FeedbackError with a Chinese message when the database fails."""

    def insert(self, row: tuple) -> int: ...

    def update(self, record_id: int, column: str, value: str) -> int: ...

    def delete(self, record_id: int) -> None: ...

    def select(self) -> list[tuple]: ...

    def close(self) -> None: ...


class FeedbackStore:
    """All feedback of the app (Settings.feedback_db, ASSISTANT_FEEDBACK_DB): a SQLite file path, or a `postgresql://…`
    URL when several app processes share one database. The same records, schema and CSV either way."""

    def __init__(self, target: Path | str, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                 attempts: int = ATTEMPTS) -> None:
        self.backend: Backend
        if is_postgres_url(target):
            from .feedback_postgres import PostgresBackend  # psycopg is imported only when it is used

            self.backend = PostgresBackend(str(target))
        else:
            self.backend = SqliteBackend(Path(target), busy_timeout_ms, attempts)

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return getattr(self.backend, "path", None)

    def __repr__(self) -> str:
        return f"FeedbackStore({self.backend!r})"

    def add(self, question: str, answer: str, citations: Sequence[dict], mode: str, rating: str,
            comment: str = "") -> int:
        """Store one rating ("up" or "down"); returns its id, used to attach a comment later."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {sorted(RATINGS)}")
        created = datetime.now().astimezone().isoformat(timespec="seconds")
        row = (created, question, answer, json.dumps(list(citations), ensure_ascii=False), mode, rating, comment.strip())
        return self.backend.insert(row)

    def set_comment(self, record_id: int, comment: str) -> None:
        """Attach (or replace) the comment of a stored rating."""
        self._update(record_id, "comment", comment.strip())

    def set_rating(self, record_id: int, rating: str) -> None:
        """Change a stored rating (the user switched from 👍 to 👎 or back)."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {sorted(RATINGS)}")
        self._update(record_id, "rating", rating)

    def remove(self, record_id: int) -> None:
        """Delete a rating the user withdrew (clicked the same thumb again)."""
        self.backend.delete(record_id)

    def _update(self, record_id: int, column: str, value: str) -> None:
        if column not in UPDATABLE:
            raise ValueError(f"column must be one of {UPDATABLE}")
        if self.backend.update(record_id, column, value) != 1:
            raise FeedbackError("没有找到这条评价记录，请重新点一次 👍 或 👎。")

    def records(self) -> list[dict]:
        """All feedback, oldest first; citations decoded from JSON."""
        return [dict(zip(_COLUMNS, row)) | {"citations": json.loads(row[4])} for row in self.backend.select()]

    def to_csv(self) -> str:
        """All feedback as CSV text (Chinese header, citations as JSON)."""
        return records_to_csv(self.records())

    def export_csv(self, target: Path | str) -> Path:
        """Write all feedback to a CSV file (UTF-8 with BOM, so Excel shows Chinese), atomically."""
        target = Path(target)
        write_atomic(target, ("\ufeff" + self.to_csv()).encode("utf-8"))
        return target

    def close(self) -> None:
        """Release the database connections (PostgreSQL's pool; nothing to do for SQLite)."""
        self.backend.close()


class SqlStatements:
    """The feedback table's statements, for a backend whose driver takes `mark` as its placeholder and whose
    `_run(work)` runs work(connection)."""

    mark = "?"

    def _insert_sql(self) -> str:
        return f"INSERT INTO feedback ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join([self.mark] * len(ROW_COLUMNS))})"

    def update(self, record_id: int, column: str, value: str) -> int:
        sql = f"UPDATE feedback SET {column} = {self.mark} WHERE id = {self.mark}"
        return self._run(lambda connection: connection.execute(sql, (value, record_id)).rowcount)

    def delete(self, record_id: int) -> None:
        sql = f"DELETE FROM feedback WHERE id = {self.mark}"
        self._run(lambda connection: connection.execute(sql, (record_id,)))

    def select(self) -> list[tuple]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY id"
        return self._run(lambda connection: connection.execute(sql).fetchall())


class SqliteBackend(SqlStatements):
    """One SQLite file in WAL mode; every call opens its own short connection, so threads and processes can share it."""

    def __init__(self, path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS, attempts: int = ATTEMPTS) -> None:
        if busy_timeout_ms < 0 or attempts < 1:
            raise ValueError("busy_timeout_ms must be >= 0 and attempts >= 1")
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.attempts = attempts
        self._ready = False

    def __repr__(self) -> str:
        return f"SqliteBackend({str(self.path)!r})"

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            if not self._ready:
                # WAL lets readers and one writer work at once; the mode is stored in the file, so this runs once.
                if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(_SCHEMA)
                self._ready = True
            yield connection
        finally:
            connection.close()

    def _run(self, work):
        """Run work(connection), retrying with jittered back-off while another writer holds the lock."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FeedbackError(f"反馈没能保存：无法创建反馈数据库所在的文件夹 {self.path.parent}。") from error
        for attempt in itertools.count(1):
            try:
                with self._connection() as connection:
                    return work(connection)
            except sqlite3.Error as error:
                if not _is_busy(error) or attempt >= self.attempts:
                    raise FeedbackError(_user_message(error, self.path)) from error
                time.sleep(0.05 * (2 ** attempt) * (0.5 + random.random()))

    def insert(self, row: tuple) -> int:
        sql = self._insert_sql()
        return self._run(lambda connection: int(connection.execute(sql, row).lastrowid))

    def select(self) -> list[tuple]:
        return super().select() if self.path.exists() else []

    def close(self) -> None:
        pass


def local_time(created_at: str) -> str:
    """A stored time (ISO 8601 with the server's offset) as Shanghai's clock shows it: 2026-11-27 12:30:05."""
    return datetime.fromisoformat(created_at).astimezone(SHANGHAI).strftime(CSV_TIME)


def records_to_csv(records: Sequence[dict]) -> str:
    """The CSV of both backends: times in Shanghai's local time, citations as JSON, ratings as 👍/👎."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for r in records:
        writer.writerow((r["id"], local_time(r["created_at"]), r["question"], r["answer"],
                         json.dumps(r["citations"], ensure_ascii=False), r["mode"], RATINGS.get(r["rating"], r["rating"]),
                         r["comment"]))
    return buffer.getvalue()


def write_atomic(target: Path, data: bytes) -> None:
    """Write a file through a temporary sibling and a rename, so readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
