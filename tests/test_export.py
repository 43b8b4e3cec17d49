"""The trainer's Q&A sheet: every question with its answer (or why none), the cited cases, units and quotes,
in Markdown, CSV (Excel opens it) and Word."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from assistant import export
from assistant.pipeline import Assistant

RIDER_QUESTION = "怎样组建外卖骑手工会？"
RIDER_TITLE = "聚焦网约送餐员 创新建会入会方法"
RIDER_UNIT = "普陀区网约送餐员行业工会联合会"
OUT_OF_SCOPE = "北京市2020年有哪些工会创新案例？"


def test_sheet_in_all_formats_lists_cited_cases_and_units(assistant: Assistant, tmp_path: Path):
    entries = [export.SheetEntry(RIDER_QUESTION, assistant.ask(RIDER_QUESTION)),
               export.SheetEntry(OUT_OF_SCOPE, assistant.ask(OUT_OF_SCOPE)),
               export.SheetEntry("", error="问题是空的")]
    paths = export.write_all(entries, tmp_path)
    markdown = paths["md"].read_text(encoding="utf-8")
    assert f"## 1. {RIDER_QUESTION}" in markdown and f"《{RIDER_TITLE}》— {RIDER_UNIT}" in markdown
    assert "**已拒答**" in markdown and "**未能回答**" in markdown
    assert markdown.count("参考案例：") == 0  # the sheet lists sources itself, with their quotes

    from docx import Document

    document = Document(paths["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [export.TITLE, f"1. {RIDER_QUESTION}", f"2. {OUT_OF_SCOPE}", "3. "]
    assert any(RIDER_UNIT in p.text and p.style.name == "List Bullet" for p in document.paragraphs)
    rows = export.table_rows(entries)
    assert rows[0][2] == "已回答" and rows[0][5].splitlines()[0] == RIDER_UNIT and rows[2][2] == "未能回答"


def test_csv_opens_in_excel_with_one_row_per_question_and_the_quotes(assistant: Assistant, tmp_path: Path):
    answer = assistant.ask(RIDER_QUESTION)
    paths = export.write_all([export.SheetEntry(RIDER_QUESTION, answer), export.SheetEntry("问", error="问题太短")],
                             tmp_path, created=datetime(2026, 11, 27, 9, 30))
    raw = paths["csv"].read_bytes()
    assert raw.startswith("\ufeff".encode())  # the BOM tells Excel the text is UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(export.CSV_HEADER)
    assert [r["序号"] for r in rows] == ["1", "2"] and rows[1]["状态"] == "未能回答" and rows[1]["回答"] == "问题太短"
    cited = answer.citations
    assert rows[0]["单位"].splitlines() == [c.unit for c in cited]
    assert rows[0]["出处原文"].splitlines()[0] == f"[1] {cited[0].quote}"
    assert "**" not in rows[0]["回答"]  # Markdown bold is for the page, not for a spreadsheet
    assert "2026-11-27 09:30" in paths["md"].read_text(encoding="utf-8")
