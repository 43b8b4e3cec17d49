"""Feedback kept in SQLite: safe with many writers at once (threads and processes), clear Chinese messages when
the database is locked or read-only, ratings changed and withdrawn, exported as CSV that Excel opens."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from assistant.feedback import CSV_TIME, SHANGHAI, FeedbackError, FeedbackStore, local_time
from assistant.settings import ROOT

RIDER_QUESTION = "怎样组建外卖骑手工会？"
RIDER_CASE = "2017-A3-2"
RIDER_TITLE = "聚焦网约送餐员 创新建会入会方法"
RIDER_UNIT = "普陀区网约送餐员行业工会联合会"

CITATIONS = [{"n": 1, "case_id": RIDER_CASE, "title": RIDER_TITLE, "unit": RIDER_UNIT, "award": "十大创新案例",
              "section": "做法", "quote": "推进“饿了么”公司总部建会。"}]


def write_from_threads(store: FeedbackStore, each: int, workers: int = 8) -> None:
    """`workers` threads each rate `each` answers at once, commenting on every third; then every record is there."""
    def write(worker: int) -> None:
        for i in range(each):
            record = store.add(f"问题 {worker}-{i}", "回答", CITATIONS, "extractive", "up" if i % 2 else "down")
            if i % 3 == 0:
                store.set_comment(record, f"意见 {worker}-{i}")

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for finished in [pool.submit(write, w) for w in range(workers)]:
            finished.result()  # re-raises whatever a writer hit
    records = store.records()
    assert sorted(r["question"] for r in records) == sorted(f"问题 {w}-{i}" for w in range(workers) for i in range(each))
    assert sum(1 for r in records if r["comment"]) == workers * len(range(0, each, 3))


def test_concurrent_threads_lose_no_feedback(tmp_path: Path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    write_from_threads(store, each=30)
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_processes_lose_no_feedback(tmp_path: Path):
    path = tmp_path / "fb.sqlite3"
    script = ("import sys; from assistant.feedback import FeedbackStore; s = FeedbackStore(sys.argv[1]); "
              "[s.add(f'进程 {sys.argv[2]}-{i}', '回答', [], 'extractive', 'down', '意见') for i in range(40)]")
    processes = [subprocess.Popen([sys.executable, "-c", script, str(path), str(w)], cwd=ROOT) for w in range(5)]
    assert [p.wait(timeout=120) for p in processes] == [0] * 5
    questions = [r["question"] for r in FeedbackStore(path).records()]
    assert sorted(questions) == sorted(f"进程 {w}-{i}" for w in range(5) for i in range(40))


def test_locked_database_gives_a_chinese_message_then_recovers(tmp_path: Path):
    store = FeedbackStore(tmp_path / "fb.sqlite3", busy_timeout_ms=100, attempts=2)
    store.add("第一条", "回答", CITATIONS, "extractive", "up")
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackError, match="反馈数据库正忙"):
            store.add("第二条", "回答", CITATIONS, "extractive", "down")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.add("第三条", "回答", CITATIONS, "extractive", "down")
    assert [r["question"] for r in store.records()] == ["第一条", "第三条"]


def test_read_only_database_gives_a_chinese_message(tmp_path: Path):
    folder = tmp_path / "readonly"
    path = folder / "fb.sqlite3"
    FeedbackStore(path).add("已有的一条", "回答", CITATIONS, "extractive", "up")
    path.chmod(0o444)
    folder.chmod(0o555)
    script = ("import sys; from assistant.feedback import FeedbackError, FeedbackStore\n"
              "try:\n    FeedbackStore(sys.argv[1]).add('新的一条', '回答', [], 'extractive', 'down')\n"
              "except FeedbackError as error:\n    print(error)\nelse:\n    print('SAVED')\n")
    # root writes through file permissions; without CAP_DAC_OVERRIDE it sees the file as read-only, like any user
    prefix = []
    if os.geteuid() == 0:
        assert shutil.which("setpriv"), "setpriv (util-linux) is needed to drop root's override of file permissions"
        prefix = ["setpriv", "--inh-caps=-dac_override,-fowner", "--bounding-set=-dac_override,-fowner"]
    try:
        result = subprocess.run([*prefix, sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True,
                                text=True, timeout=60, check=False)
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert result.returncode == 0, result.stderr
    assert "只读" in result.stdout and "SAVED" not in result.stdout and "Traceback" not in result.stderr
    assert [r["question"] for r in FeedbackStore(path).records()] == ["已有的一条"]


def test_feedback_csv_export(tmp_path: Path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    first = store.add(RIDER_QUESTION, "可以参考…… [1]", CITATIONS, "extractive", "down")
    store.set_comment(first, "缺少联系方式，\n另外，第二步不清楚")
    store.add("保姆遇到法律纠纷怎么办？", "回答", [], "extractive", "up")
    target = store.export_csv(tmp_path / "out" / "反馈.csv")
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["编号", "时间", "问题", "回答", "引用（JSON）", "模式", "评价", "意见"]
    assert rows[1][2] == RIDER_QUESTION and rows[1][6] == "👎" and rows[1][7] == "缺少联系方式，\n另外，第二步不清楚"
    assert json.loads(rows[1][4])[0]["unit"] == RIDER_UNIT
    assert rows[2][6] == "👍" and json.loads(rows[2][4]) == []
    exported = datetime.strptime(rows[1][1], CSV_TIME).replace(tzinfo=SHANGHAI)  # Shanghai's clock, no offset shown
    assert abs((datetime.now(SHANGHAI) - exported).total_seconds()) < 60
    assert store.to_csv() == raw.decode("utf-8-sig")


def test_exported_times_are_shanghai_local_time_whatever_the_server_zone():
    assert local_time("2026-11-27T04:30:05+00:00") == "2026-11-27 12:30:05"  # a server on UTC
    assert local_time("2026-11-27T17:30:05-08:00") == "2026-11-28 09:30:05"  # on US Pacific time: the next day
    assert local_time("2026-11-27T12:30:05+08:00") == "2026-11-27 12:30:05"


def test_rating_can_be_changed_and_withdrawn(tmp_path: Path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    kept = store.add(RIDER_QUESTION, "回答", CITATIONS, "extractive", "up")
    withdrawn = store.add("保姆遇到法律纠纷怎么办？", "回答", [], "extractive", "up")
    store.set_rating(kept, "down")
    store.remove(withdrawn)
    assert [(r["id"], r["rating"]) for r in store.records()] == [(kept, "down")]
    with pytest.raises(FeedbackError, match="没有找到这条评价记录"):
        store.set_comment(withdrawn, "太晚了")
