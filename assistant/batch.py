"""Many questions at once: read from a file (`ask --batch`, the trainer tab) and answered one by one."""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from .export import SheetEntry
from .pipeline import Assistant, QuestionError
from .retrieval import Filters

log = logging.getLogger(__name__)

STDIN = "-"
# Text files hold one question a line (plain, or a JSON object with "question"); a name without a suffix is read as
# text too (`--batch /dev/fd/3`, a pipe). Tables give their 问题 column.
TEXT_SUFFIXES = ("", ".txt", ".jsonl")
TABLE_SUFFIXES = (".csv", ".xlsx")
QUESTION_HEADERS = ("问题", "question", "提问", "题目")
FAILED_TEXT = "系统出错，未能回答这道题。"


class QuestionFileError(ValueError):
    """A question file that cannot be read; the message is for the user, in Chinese."""


def read_questions(source: str | Path, stdin: TextIO | None = None) -> list[str]:
    """The questions of a file, in order: one a line (blank lines skipped) in .txt / .jsonl, where a line that is a
    JSON object gives its "question" field; the 问题 column (else the first) of a .csv / .xlsx table. `-` reads
    standard input as text. Repeats are kept: each question gets its own answer.

    Raises QuestionFileError, with a Chinese message, when the file is missing, unreadable or of another kind.
    """
    if str(source) == STDIN:
        return questions_from_text((stdin or sys.stdin).read())
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + TABLE_SUFFIXES:
        raise QuestionFileError(f"不支持「{path.suffix}」文件，请用 .txt、.jsonl、.csv 或 .xlsx 文件。")
    try:
        if suffix == ".xlsx":
            return questions_from_text(_question_column(_workbook_rows(path)))
        text = _decode(path.read_bytes())
        if suffix == ".csv":
            return questions_from_text(_question_column(list(csv.reader(io.StringIO(text)))))
        return questions_from_text(text)
    except QuestionFileError:
        raise
    except FileNotFoundError:
        raise QuestionFileError(f"找不到文件「{path}」。") from None
    except Exception as error:  # a damaged file gets a message, not a stack trace
        raise QuestionFileError(f"无法读取文件「{path.name}」，请确认它是有效的 .txt、.jsonl、.csv 或 .xlsx 文件。") from error


def questions_from_text(text: str) -> list[str]:
    """One question a line, stripped; blank lines skipped; a line that is a JSON object gives its "question"."""
    questions = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            questions.append(_json_question(line) if line.startswith("{") else line)
    return questions


def _json_question(line: str) -> str:
    try:
        value = json.loads(line)["question"]
    except (ValueError, KeyError, TypeError):
        raise QuestionFileError(f"「{line[:40]}」以「{{」开头，却不是带 question 字段的 JSON。") from None
    if isinstance(value, list) and all(isinstance(turn, str) for turn in value):
        # A conversation (eval/questions.jsonl's follow-ups) has no history in a batch: its turns are asked as one.
        return "".join(value)
    if not isinstance(value, str):
        raise QuestionFileError(f"「{line[:40]}」的 question 字段不是文字。")
    return value


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise QuestionFileError("文件不是 UTF-8 或 GBK 编码的文本，请另存为 UTF-8 后再试。")


def _workbook_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _question_column(rows: list[list]) -> str:
    """The question column of a table as text, one cell a line: the column headed 问题/question, else the first
    (a header row is skipped)."""
    rows = [[str(cell).strip() if cell is not None else "" for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return ""
    header = [cell.lower() for cell in rows[0]]
    column = next((i for i, cell in enumerate(header) if cell in QUESTION_HEADERS), None)
    body = rows[1:] if column is not None else rows
    column = column or 0
    return "\n".join(row[column] for row in body if len(row) > column)


def answer_all(assistant: Assistant, questions: Iterable[str], filters: Filters | None = None,
               mode: str | None = None) -> Iterator[SheetEntry]:
    """Each question answered on its own (no history), in order, each entry yielded as soon as it is ready.

    A question that cannot be asked (empty, too long) or whose answering fails gives an entry with a Chinese
    error instead of an answer; the batch goes on.
    """
    for question in questions:
        try:
            entry = SheetEntry(question, assistant.ask(question, (), filters, mode=mode))
        except QuestionError as error:
            entry = SheetEntry(question, error=str(error))
        except Exception:  # one failed question does not lose the batch; the log gets the stack trace
            log.exception("batch answering failed for %r", question)
            entry = SheetEntry(question, error=FAILED_TEXT)
        yield entry
