"""The trainer's Q&A sheet: every question with its answer (or why none), the cited cases, units and the passages
quoted, in Markdown, CSV (Excel opens it) and Word (A4, with header, page numbers and our name as author)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from markdown_it import MarkdownIt

from assistant import export, quoting
from assistant.chunking import KIND_EXPERT
from assistant.drafting import QUOTE_GAP
from assistant.pipeline import Assistant
from assistant.types import COMPENDIUM, MODE_LLM, REFERENCES_HEADING, Answer, Citation

RIDER_QUESTION = "怎样组建外卖骑手工会？"
RIDER_CASE = "2017-A3-2"
RIDER_TITLE = "聚焦网约送餐员 创新建会入会方法"
RIDER_UNIT = "普陀区网约送餐员行业工会联合会"
SANITATION_QUESTION = "环卫工人的爱心接力站是怎么建的？"
OUT_OF_SCOPE = "北京市2020年有哪些工会创新案例？"
CREATED = datetime(2026, 11, 27, 9, 30)
TRAILING_MARK = re.compile(r"\[(\d+)\]$")


@pytest.fixture(scope="module")
def rider(assistant: Assistant) -> Answer:
    return assistant.ask(RIDER_QUESTION)


@pytest.fixture(scope="module")
def sheet(assistant: Assistant, rider: Answer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    entries = [export.SheetEntry(RIDER_QUESTION, rider), export.SheetEntry(OUT_OF_SCOPE, assistant.ask(OUT_OF_SCOPE)),
               export.SheetEntry(SANITATION_QUESTION, assistant.ask(SANITATION_QUESTION)),
               export.SheetEntry("", error="问题是空的")]
    return export.write_all(entries, tmp_path_factory.mktemp("sheet"), assistant.compendium, CREATED)


def answer_paragraphs(document, number: int) -> list[str]:
    """The paragraphs of the number-th question's answer: after its heading, up to 参考案例 or the next heading."""
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 2" and p.text.startswith(f"{number}. "))
    found = []
    for p in paragraphs[start + 1:]:
        if p.style.name.startswith("Heading") or p.text == REFERENCES_HEADING:
            break
        found.append(p.text)
    return found


def case_paragraphs(assistant: Assistant, case_id: str) -> set[str]:
    case = assistant.compendium.get(case_id)
    texts = [s.text for s in case.sections] + [case.background] + [c.text for c in case.expert_comments]
    return {p.strip() for text in texts for p in text.split("\n") if p.strip()}


# ---------------------------------------------------------------- all formats

def test_sheet_in_all_formats_lists_cited_cases_and_units(sheet: dict[str, Path], assistant: Assistant):
    markdown = sheet["md"].read_text(encoding="utf-8")
    assert f"## 1. {RIDER_QUESTION}" in markdown and f"[1] 《{RIDER_TITLE}》（{RIDER_UNIT}）" in markdown
    assert "**已拒答**" in markdown and "**未能回答**" in markdown
    assert markdown.count(REFERENCES_HEADING) == 2  # once per answered question, never the chat's list again

    document = Document(sheet["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [export.TITLE, f"1. {RIDER_QUESTION}", f"2. {OUT_OF_SCOPE}", f"3. {SANITATION_QUESTION}", "4. "]
    assert any(p.text.startswith(f"[1] 《{RIDER_TITLE}》（{RIDER_UNIT}）") and p.style.name == "List Bullet"
               for p in document.paragraphs)
    rows = export.table_rows([export.SheetEntry(RIDER_QUESTION, assistant.ask(RIDER_QUESTION)),
                              export.SheetEntry("", error="问题是空的")])
    assert rows[0][2] == "已回答" and rows[0][4] == f"[1] 《{RIDER_TITLE}》" and rows[0][5] == RIDER_UNIT
    assert rows[1][2] == "未能回答"


def test_csv_opens_in_excel_with_one_row_per_question_and_the_passages(assistant: Assistant, rider: Answer,
                                                                        tmp_path: Path):
    paths = export.write_all([export.SheetEntry(RIDER_QUESTION, rider), export.SheetEntry("问", error="问题太短")],
                             tmp_path, assistant.compendium, created=CREATED)
    raw = paths["csv"].read_bytes()
    assert raw.startswith("\ufeff".encode())  # the BOM tells Excel the text is UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(export.CSV_HEADER)
    assert list(export.CSV_HEADER[:8]) == ["序号", "问题", "状态", "回答", "引用案例", "单位", "奖项", "出处原文"]
    assert [r["序号"] for r in rows] == ["1", "2"] and rows[1]["状态"] == "未能回答" and rows[1]["回答"] == "问题太短"
    cited = rider.citations
    assert rows[0]["单位"].splitlines() == [c.unit for c in cited]
    assert rows[0]["出处部分"] == f"[1] {cited[0].section}"
    passage = rows[0]["出处原文"].removeprefix("[1] ")
    assert rows[0]["出处原文"].startswith("[1] ") and passage.splitlines()[0] in case_paragraphs(assistant, RIDER_CASE)
    assert passage != cited[0].quote and QUOTE_GAP not in passage  # the book's paragraphs, not the answer re-joined
    assert "**" not in rows[0]["回答"] and "**" not in passage  # Markdown bold is for the page, not for a spreadsheet
    assert "2026-11-27 09:30" in paths["md"].read_text(encoding="utf-8")


# ---------------------------------------------------------------- the Word document

def test_docx_is_a4_with_the_compendium_in_the_header_page_numbers_and_our_name(sheet: dict[str, Path]):
    document = Document(sheet["docx"])
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert COMPENDIUM in section.header.paragraphs[0].text
    footer = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert "第" in section.footer.paragraphs[0].text
    properties = document.core_properties
    assert properties.author == properties.last_modified_by == "工会案例问答助手"
    assert properties.title == export.TITLE and "python-docx" not in properties.comments
    assert properties.created.replace(tzinfo=None) == CREATED


def test_docx_answer_cites_each_run_of_lines_once(sheet: dict[str, Path]):
    document = Document(sheet["docx"])
    for number in (1, 3):
        lines = answer_paragraphs(document, number)
        marks = [TRAILING_MARK.search(line) for line in lines]
        assert any(marks), lines
        assert not any(m and n and m.group() == n.group() for m, n in zip(marks, marks[1:])), lines
        assert not any(re.fullmatch(r"(\s*\[\d+\])+", line) for line in lines)


def test_a_model_marking_every_line_is_cited_once_per_run(assistant: Assistant, rider: Answer, tmp_path: Path):
    body = rider.answer.split(REFERENCES_HEADING)[0].strip().replace(" [1]", "")
    every_line = "\n".join(f"{line}[1]" for line in body.splitlines())
    answer = Answer(RIDER_QUESTION, every_line, False, MODE_LLM, rider.citations)
    path = export.write_docx([export.SheetEntry(RIDER_QUESTION, answer)], tmp_path / "sheet.docx",
                             assistant.compendium, CREATED)
    lines = answer_paragraphs(Document(path), 1)
    assert len(lines) == len(body.splitlines()) > 2
    assert [bool(TRAILING_MARK.search(line)) for line in lines] == [False] * (len(lines) - 1) + [True]


def test_docx_source_is_the_book_passage_with_the_quoted_words_highlighted(sheet: dict[str, Path],
                                                                          assistant: Assistant):
    from docx.enum.text import WD_COLOR_INDEX

    quotes = [p for p in Document(sheet["docx"]).paragraphs if p.style.name == "Quote"]
    rider_quotes = [p for p in quotes if p.text in case_paragraphs(assistant, RIDER_CASE)]
    assert rider_quotes, [p.text for p in quotes]
    highlighted = [r.text for p in rider_quotes for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    plain = [r.text for p in rider_quotes for r in p.runs if r.font.highlight_color is None]
    assert highlighted and plain  # what the answer took, and the book's words around it
    assert all(piece in "".join(highlighted) for piece in
               assistant.ask(RIDER_QUESTION).citations[0].quote.split(QUOTE_GAP))


# ---------------------------------------------------------------- pieces

def test_cite_once_marks_the_end_of_each_run_from_one_source():
    assert export.cite_once("甲。[1]\n乙。 [1]\n丙。[2]") == "甲。\n乙。 [1]\n丙。[2]"
    assert export.cite_once("甲 [1][2]\n乙 [1][2]") == "甲\n乙 [1][2]"
    assert export.cite_once("甲 [1]\n乙 [2]\n丙 [1]") == "甲 [1]\n乙 [2]\n丙 [1]"
    assert export.cite_once("没有出处。") == "没有出处。"


def test_a_passage_not_in_the_book_as_quoted_is_shown_as_it_is(assistant: Assistant):
    comment = next(c for c in assistant.index.chunks if c.kind == KIND_EXPERT and RIDER_CASE in c.case_ids)
    citation = Citation(1, RIDER_CASE, RIDER_TITLE, RIDER_UNIT, "十大创新案例", "专家点评", comment.text)
    assert quoting.cited_passage(citation, assistant.compendium.get(RIDER_CASE)) == [[(comment.text, False)]]


def test_markdown_bold_marks_survive_a_markdown_renderer(sheet: dict[str, Path]):
    html = MarkdownIt().render(sheet["md"].read_text(encoding="utf-8"))
    assert "<strong>" in html and "**" not in html  # 「台**“饿了么”」 would stay literal: quotes sit outside the marks
