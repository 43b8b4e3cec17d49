"""Many questions at once: one reader for every kind of question file (the CLI's --batch and the trainer's upload)
and one runner that answers them in order, where a bad question never loses the batch."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.batch import FAILED_TEXT, QuestionFileError, answer_all, read_questions
from assistant.pipeline import Assistant
from assistant.settings import ROOT

RIDER_QUESTION = "怎样组建外卖骑手工会？"
RIDER_CASE = "2017-A3-2"
OUT_OF_SCOPE = "北京市2020年有哪些工会创新案例？"


class TestReadQuestions:
    def test_text_one_per_line_in_utf8_or_gbk(self, tmp_path: Path):
        (tmp_path / "q.txt").write_text("  怎样建会？\n\n怎样入会？\n", encoding="gb18030")
        assert read_questions(tmp_path / "q.txt") == ["怎样建会？", "怎样入会？"]
        (tmp_path / "q").write_text("\ufeff怎样建会？\n怎样建会？\n", encoding="utf-8")  # no suffix: a pipe, /dev/fd/3
        assert read_questions(str(tmp_path / "q")) == ["怎样建会？", "怎样建会？"]  # each line gets its own answer

    def test_jsonl_lines_give_their_question_field(self, tmp_path: Path):
        lines = [{"id": "a", "question": "怎样建会？"}, {"question": ["有没有外卖骑手的案例？", "是哪个单位？"]}]
        (tmp_path / "q.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n怎样入会？\n",
                                          encoding="utf-8")
        assert read_questions(tmp_path / "q.jsonl") == ["怎样建会？", "有没有外卖骑手的案例？是哪个单位？", "怎样入会？"]
        (tmp_path / "bad.jsonl").write_text('{"text": "怎样建会？"}\n', encoding="utf-8")
        with pytest.raises(QuestionFileError, match="question 字段"):
            read_questions(tmp_path / "bad.jsonl")

    def test_dash_reads_standard_input(self):
        assert read_questions("-", stdin=io.StringIO('怎样建会？\n{"question": "怎样入会？"}\n')) == ["怎样建会？", "怎样入会？"]

    def test_csv_and_xlsx_give_the_question_column(self, tmp_path: Path):
        (tmp_path / "q.csv").write_text("编号,问题\n1,怎样建会？\n2,怎样入会？\n", encoding="utf-8-sig")
        assert read_questions(tmp_path / "q.csv") == ["怎样建会？", "怎样入会？"]
        (tmp_path / "plain.csv").write_text("怎样建会？,第一课\n怎样入会？,第二课\n", encoding="utf-8")
        assert read_questions(tmp_path / "plain.csv") == ["怎样建会？", "怎样入会？"]  # no header: the first column

        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["问题", "备注"])
        book.active.append(["怎样建会？", "第一课"])
        book.active.append([None, None])
        book.active.append(["怎样入会？", None])
        book.save(tmp_path / "q.xlsx")
        assert read_questions(tmp_path / "q.xlsx") == ["怎样建会？", "怎样入会？"]

    def test_unreadable_files_give_a_chinese_message(self, tmp_path: Path):
        (tmp_path / "q.pdf").write_bytes(b"%PDF")
        with pytest.raises(QuestionFileError, match="不支持"):
            read_questions(tmp_path / "q.pdf")
        (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
        with pytest.raises(QuestionFileError, match="无法读取"):
            read_questions(tmp_path / "bad.xlsx")
        with pytest.raises(QuestionFileError, match="找不到文件"):
            read_questions(tmp_path / "missing.txt")


class TestAnswerAll:
    def test_answers_in_order_and_a_bad_question_becomes_an_entry(self, assistant: Assistant):
        entries = list(answer_all(assistant, [RIDER_QUESTION, "", OUT_OF_SCOPE, "问" * 600]))
        assert [e.question for e in entries] == [RIDER_QUESTION, "", OUT_OF_SCOPE, "问" * 600]
        assert entries[0].status == "已回答" and entries[0].citations[0].case_id == RIDER_CASE
        assert entries[1].answer is None and "问题是空的" in entries[1].error
        assert entries[2].status == "已拒答"
        assert entries[3].status == "未能回答" and "问题太长了" in entries[3].error

    def test_entries_come_one_by_one_as_answered(self, assistant: Assistant):
        asked = []

        def questions():
            for question in (RIDER_QUESTION, OUT_OF_SCOPE):
                asked.append(question)
                yield question

        entries = answer_all(assistant, questions())
        assert next(entries).question == RIDER_QUESTION and asked == [RIDER_QUESTION]  # the second is not asked yet
        assert next(entries).question == OUT_OF_SCOPE

    def test_a_failure_inside_the_assistant_does_not_lose_the_batch(self, assistant: Assistant):
        class BreaksOnOneQuestion:
            """The real assistant, except that answering one question fails (an index gone, a bug)."""

            def ask(self, question, *args, **kwargs):
                if question == "坏":
                    raise RuntimeError("the index went away")
                return assistant.ask(question, *args, **kwargs)

        entries = list(answer_all(BreaksOnOneQuestion(), ["坏", RIDER_QUESTION]))
        assert entries[0].answer is None and entries[0].error == FAILED_TEXT
        assert entries[1].citations[0].case_id == RIDER_CASE


def test_cli_batch_prints_one_json_line_per_question_and_exits_2_for_a_bad_one(built_index, tmp_path: Path):
    batch = tmp_path / "questions.csv"
    batch.write_text(f"问题\n{RIDER_QUESTION}\n{'工' * 600}\n{OUT_OF_SCOPE}\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "ASSISTANT_INDEX_DIR": str(built_index.settings.index_dir)}
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", "--batch", str(batch), "--json"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False)
    assert result.returncode == 2, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == [RIDER_QUESTION, "工" * 600, OUT_OF_SCOPE]
    assert lines[0]["citations"][0]["case_id"] == RIDER_CASE and lines[2]["refused"] is True
    assert set(lines[1]) == {"question", "error"} and "问题太长了" in lines[1]["error"]

    missing = subprocess.run([sys.executable, "-m", "assistant", "ask", "--batch", str(tmp_path / "none.txt")],
                             capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False)
    assert missing.returncode == 2 and "找不到文件" in missing.stderr and "Traceback" not in missing.stderr
