"""Trainer's Q&A sheet: questions read from text/CSV/Excel, answers with their cited cases written as Markdown, CSV, DOCX."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .types import Answer, Citation, reference_line

MAX_QUESTIONS = 100
TITLE = "培训备课问答单"
QUESTION_HEADERS = ("问题", "question", "提问", "题目")
CSV_HEADER = ("序号", "问题", "状态", "回答", "引用案例", "单位", "奖项", "出处原文")
_SOURCE_LIST = re.compile(r"\n+参考案例：\n(?:\[\d+\][^\n]*(?:\n|$))+\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


class QuestionFileError(ValueError):
    """A question file that cannot be read; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class SheetEntry:
    """One line of the sheet: the question, and either its answer or why it got none."""

    question: str
    answer: Answer | None = None
    error: str = ""

    @property
    def status(self) -> str:
        if self.answer is None:
            return "未能回答"
        return "已拒答" if self.answer.refused else "已回答"

    @property
    def citations(self) -> tuple[Citation, ...]:
        return self.answer.citations if self.answer else ()

    @property
    def body(self) -> str:
        """The answer without its trailing 参考案例 list (the sheet lists sources with their quotes itself)."""
        if self.answer is None:
            return self.error
        return _SOURCE_LIST.sub("", self.answer.answer).strip()


def parse_questions(text: str) -> list[str]:
    """Pasted text: one question per line; blank lines, list numbers ("1." "2、") and duplicates dropped."""
    questions: list[str] = []
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(\d{1,3}\s*[.．、)）]|[-*•])\s*", "", line).strip()
        if line and line not in questions:
            questions.append(line)
    return questions


def _from_rows(rows: list[list[str]]) -> list[str]:
    """The question column of a table: the one headed 问题/question, else the first; a header row is skipped."""
    rows = [[str(cell).strip() if cell is not None else "" for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    header = [cell.lower() for cell in rows[0]]
    column = next((i for i, cell in enumerate(header) if cell in QUESTION_HEADERS), None)
    body = rows[1:] if column is not None else rows
    column = column or 0
    return parse_questions("\n".join(row[column] for row in body if len(row) > column))


def read_questions(path: Path | str) -> list[str]:
    """Questions from an uploaded .txt (one per line), .csv or .xlsx (the 问题 column, else the first column)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
            finally:
                book.close()
            return _from_rows(rows)
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise QuestionFileError("文件不是 UTF-8 或 GBK 编码的文本，请另存为 UTF-8 后再上传。")
        if suffix == ".csv":
            return _from_rows(list(csv.reader(io.StringIO(text))))
        if suffix == ".txt":
            return parse_questions(text)
    except QuestionFileError:
        raise
    except Exception as error:  # a damaged upload gets a message, not a stack trace
        raise QuestionFileError(f"无法读取文件「{path.name}」，请确认它是有效的 .txt、.csv 或 .xlsx 文件。") from error
    raise QuestionFileError(f"不支持「{path.suffix or path.name}」文件，请上传 .txt、.csv 或 .xlsx。")


def _plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def table_rows(entries: Sequence[SheetEntry]) -> list[list[str]]:
    """The sheet as shown on the page: 序号, 问题, 状态, 回答, 引用案例, 单位."""
    return [[str(i), e.question, e.status, _plain(e.body),
             "\n".join(f"[{c.n}] 《{c.title}》" for c in e.citations), "\n".join(c.unit for c in e.citations)]
            for i, e in enumerate(entries, start=1)]


def to_csv(entries: Sequence[SheetEntry]) -> str:
    """One row per question; several cited cases are listed one per line inside their cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for i, e in enumerate(entries, start=1):
        cited = e.citations
        writer.writerow((i, e.question, e.status, _plain(e.body),
                         "\n".join(f"[{c.n}] 《{c.title}》" for c in cited), "\n".join(c.unit for c in cited),
                         "\n".join(c.award for c in cited), "\n".join(f"[{c.n}] {c.quote}" for c in cited)))
    return buffer.getvalue()


def _heading(created: datetime | None) -> str:
    created = created or datetime.now()
    return f"依据《2017年度上海市基层工会创新案例集》生成，{created:%Y-%m-%d %H:%M}"


def to_markdown(entries: Sequence[SheetEntry], created: datetime | None = None) -> str:
    lines = [f"# {TITLE}", "", _heading(created), ""]
    for i, e in enumerate(entries, start=1):
        lines += [f"## {i}. {e.question}", ""]
        if e.status != "已回答":
            lines += [f"**{e.status}**", ""]
        lines += [e.body, ""]
        if e.citations:
            lines += ["**出处：**", ""]
            for c in e.citations:
                lines += [f"- {reference_line(c, with_section=True)}", f"  > {c.quote}"]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_docx(entries: Sequence[SheetEntry], path: Path | str, created: datetime | None = None) -> Path:
    """The sheet as a Word document: each question a heading, its answer, then its sources with quotes."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    for style_name in ("Normal", "Heading 1", "Heading 2", "List Bullet", "Quote"):
        style = document.styles[style_name]
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(TITLE, level=1)
    document.add_paragraph(_heading(created))
    for i, e in enumerate(entries, start=1):
        document.add_heading(f"{i}. {e.question}", level=2)
        if e.status != "已回答":
            document.add_paragraph().add_run(e.status).bold = True
        for line in _plain(e.body).splitlines():
            line = line.strip()
            if line.startswith("- "):
                document.add_paragraph(line[2:], style="List Bullet")
            elif line:
                document.add_paragraph(line)
        if e.citations:
            document.add_paragraph().add_run("出处：").bold = True
            for c in e.citations:
                document.add_paragraph(reference_line(c, with_section=True), style="List Bullet")
                document.add_paragraph(c.quote, style="Quote")
    path = Path(path)
    document.save(path)
    return path


def write_all(entries: Sequence[SheetEntry], folder: Path | str, created: datetime | None = None) -> dict[str, Path]:
    """The sheet in all three formats in one folder: {"md": …, "csv": …, "docx": …}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    created = created or datetime.now()
    paths = {"md": folder / f"{TITLE}.md", "csv": folder / f"{TITLE}.csv", "docx": folder / f"{TITLE}.docx"}
    paths["md"].write_text(to_markdown(entries, created), encoding="utf-8")
    paths["csv"].write_text("\ufeff" + to_csv(entries), encoding="utf-8")
    write_docx(entries, paths["docx"], created)
    return paths
