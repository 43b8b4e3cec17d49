"""Feedback on PostgreSQL (ASSISTANT_FEEDBACK_DB=postgresql://…): the same records, schema and CSV as SQLite; the table
created on first use, also by several processes at once; many writers lose nothing; an unreachable database is a
Chinese message; the password is never shown. The server is a private cluster started with deploy/run.sh."""

from __future__ import annotations

import csv
import io
import logging
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_feedback import CITATIONS, write_from_threads

from assistant.feedback import CSV_HEADER, FeedbackError, FeedbackStore, local_time
from assistant.settings import ROOT, Settings

RUN = ROOT / "deploy" / "run.sh"
PASSWORD = "Pw-never-shown-9c1e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster() -> Iterator[int]:
    """A private PostgreSQL cluster on a free loopback port (deploy/run.sh postgres-init); yields the port."""
    assert list(Path("/usr/lib/postgresql").glob("*/bin/initdb")), "run `bash scripts/servers.sh` (make test does)"
    folder = Path(tempfile.mkdtemp(prefix="assistant-postgres-"))
    folder.chmod(0o711)  # the postgres user owns the cluster folder inside
    port = free_port()
    try:
        subprocess.run(["bash", str(RUN), "postgres-init", str(folder / "data"), str(port)], timeout=120, check=True,
                       capture_output=True)
        yield port
    finally:
        subprocess.run(["bash", str(RUN), "postgres-stop", str(folder / "data")], timeout=60, check=False,
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database(cluster: int) -> str:
    """The URL of a new, empty database (no feedback table yet) owned by the app's role."""
    import psycopg

    name = f"feedback_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name} OWNER assistant")
    return f"postgresql://assistant:{PASSWORD}@127.0.0.1:{cluster}/{name}"


@pytest.fixture
def store(database: str) -> Iterator[FeedbackStore]:
    store = FeedbackStore(database)
    yield store
    store.close()


def _same_story(store: FeedbackStore) -> None:
    """What users do: rate, comment, change their mind, withdraw."""
    first = store.add("怎样组建外卖骑手工会？", "可以参考…… [1]", CITATIONS, "extractive", "down")
    store.set_comment(first, "缺少联系方式，\n另外，第二步不清楚")
    second = store.add("保姆遇到法律纠纷怎么办？", "回答", [], "extractive", "up")
    third = store.add("环卫工人的爱心接力站是怎么建的？", "回答", CITATIONS, "llm", "up")
    store.set_rating(second, "down")
    store.remove(third)
    with pytest.raises(FeedbackError, match="没有找到这条评价记录"):
        store.set_comment(third, "太晚了")


@pytest.mark.slow
def test_same_records_and_csv_as_sqlite(store: FeedbackStore, tmp_path: Path):
    sqlite = FeedbackStore(tmp_path / "fb.sqlite3")
    _same_story(sqlite)
    _same_story(store)

    def without_time(records: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "created_at"} for r in records]

    assert without_time(store.records()) == without_time(sqlite.records())
    assert [r["id"] for r in store.records()] == [1, 2]
    rows = list(csv.reader(io.StringIO(store.export_csv(tmp_path / "反馈.csv").read_bytes().decode("utf-8-sig"))))
    expected = list(csv.reader(io.StringIO(sqlite.to_csv())))
    assert rows[0] == list(CSV_HEADER)
    assert [r[:1] + r[2:] for r in rows] == [r[:1] + r[2:] for r in expected]  # all but the time
    assert rows[1][1] == local_time(store.records()[0]["created_at"])


@pytest.mark.slow
def test_schema_created_on_first_use_even_by_several_processes_at_once(database: str):
    script = ("import sys; from assistant.feedback import FeedbackStore; s = FeedbackStore(sys.argv[1]); "
              "[s.add(f'进程 {sys.argv[2]}-{i}', '回答', [], 'extractive', 'down', '意见') for i in range(20)]")
    processes = [subprocess.Popen([sys.executable, "-c", script, database, str(w)], cwd=ROOT, stderr=subprocess.PIPE,
                                  text=True) for w in range(4)]
    assert [p.wait(timeout=120) for p in processes] == [0] * 4, [p.stderr.read() for p in processes]
    store = FeedbackStore(database)
    try:
        questions = [r["question"] for r in store.records()]
    finally:
        store.close()
    assert sorted(questions) == sorted(f"进程 {w}-{i}" for w in range(4) for i in range(20))


@pytest.mark.slow
def test_concurrent_threads_lose_no_feedback(store: FeedbackStore):
    write_from_threads(store, each=25)


@pytest.mark.slow  # waits for the connection that never comes (3 s)
def test_unreachable_database_is_a_chinese_message_without_the_password(caplog: pytest.LogCaptureFixture):
    url = f"postgresql://assistant:{PASSWORD}@127.0.0.1:{free_port()}/assistant"  # nothing listens there
    store = FeedbackStore(url)
    caplog.set_level(logging.WARNING)
    try:
        started = time.monotonic()
        with pytest.raises(FeedbackError, match="连不上反馈数据库") as raised:
            store.add("问题", "回答", [], "extractive", "up")
        assert time.monotonic() - started < 10
    finally:
        store.close()
    assert "回答不受影响" in str(raised.value) and raised.value.__cause__ is None  # the driver's error stays in the log
    assert PASSWORD not in str(raised.value) and PASSWORD not in repr(store) and PASSWORD not in caplog.text
    assert "assistant:***@127.0.0.1" in repr(store) and "连不上" in caplog.text


def test_settings_take_a_postgresql_url_and_never_show_its_password():
    url = f"postgresql://assistant:{PASSWORD}@db.example:5432/assistant"
    settings = Settings.from_env({"ASSISTANT_FEEDBACK_DB": url})
    assert settings.feedback_db == url
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
    assert Settings.from_env({"ASSISTANT_FEEDBACK_DB": "data/fb.sqlite3"}).feedback_db == ROOT / "data" / "fb.sqlite3"
    with pytest.raises(ValueError, match="只能是 SQLite 文件路径或 postgresql://") as raised:
        Settings.from_env({"ASSISTANT_FEEDBACK_DB": f"mysql://root:{PASSWORD}@db/feedback"})
    assert PASSWORD not in str(raised.value)


def test_a_malformed_url_is_refused_without_its_password():
    with pytest.raises(ValueError, match="不是有效的 PostgreSQL 地址") as raised:
        FeedbackStore(f"postgresql://assistant:{PASSWORD}@127.0.0.1:5432/assistant?nonsense=1")
    assert PASSWORD not in str(raised.value) and "***" in str(raised.value)
