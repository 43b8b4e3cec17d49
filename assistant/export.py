"""Trainer's Q&A sheet: questions with their answers and cited cases, written as Markdown, CSV and DOCX."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .types import Answer, Citation, reference_line

TITLE = "培训备课问答单"
CSV_HEADER = ("序号", "问题", "状态", "回答", "引用案例", "单位", "奖项", "出处原文")
_SOURCE_LIST = re.compile(r"\n+参考案例：\n(?:\[\d+\][^\n]*(?:\n|$))+\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


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
