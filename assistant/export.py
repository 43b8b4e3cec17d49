"""Trainer's Q&A sheet: questions with their answers and cited cases, written as Markdown, CSV and DOCX.

Each question reads as in the chat: the answer first (one [n] per run of sentences from one case), then 参考案例,
one line per case 《标题》（单位）, each with the passage it was quoted from, the quoted words marked."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .corpus import Compendium
from .quoting import Span, cited_passage
from .types import APP_NAME, COMPENDIUM, REFERENCES_HEADING, Answer, Citation

TITLE = "培训备课问答单"
TABLE_HEADERS = ("序号", "问题", "状态", "回答", "引用案例", "单位")
CSV_HEADER = ("序号", "问题", "状态", "回答", "引用案例", "单位", "奖项", "出处原文", "出处部分")
_SOURCE_LIST = re.compile(r"\n+参考案例：\n(?:\[\d+\][^\n]*(?:\n|$))+\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# A citation mark with the spaces before it: " [1]", "[1][2]" (never a line break: lines stay lines).
_MARKS = re.compile(r"(?:[ \t]*\[\d+\])+")
_NUMBER = re.compile(r"\d+")
# CommonMark does not open ** before punctuation that follows a letter (nor close it after such), as in 台**“饿**.
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)


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
        """The answer without its trailing 参考案例 list (the sheet lists sources with their passages itself), each
        run of sentences citing the same cases marked once."""
        if self.answer is None:
            return self.error
        return cite_once(_SOURCE_LIST.sub("", self.answer.answer).strip())


def cite_once(text: str) -> str:
    """The text with a citation mark dropped where the next mark cites the same cases: a run of sentences (or lines)
    from one case is marked once, at its end, however often a model marked it."""
    marks = list(_MARKS.finditer(text))
    kept, start = [], 0
    for mark, following in zip(marks, [*marks[1:], None]):
        kept.append(text[start:mark.start()])
        if following is None or _NUMBER.findall(following.group()) != _NUMBER.findall(mark.group()):
            kept.append(mark.group())
        start = mark.end()
    return "".join(kept) + text[start:]


def source_line(citation: Citation) -> str:
    """The sheet's line for a cited case: [n] 《标题》（单位）, then its award and the parts quoted."""
    details = " · ".join(part for part in (citation.award, citation.section) if part)
    return f"[{citation.n}] 《{citation.title}》（{citation.unit}）" + (f"　{details}" if details else "")


def _passage_text(passage: list[list[Span]]) -> str:
    return "\n".join("".join(text for text, _ in paragraph) for paragraph in passage)


def _bold(text: str) -> str:
    """Bold Markdown that renderers honour next to Chinese: punctuation at either end stays outside the marks."""
    before, core, after = _EDGES.match(text).groups()
    return f"{before}**{core}**{after}" if core else text


def _plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def table_rows(entries: Sequence[SheetEntry]) -> list[list[str]]:
    """The sheet as shown on the page: one row of TABLE_HEADERS a question."""
    return [[str(i), e.question, e.status, _plain(e.body),
             "\n".join(f"[{c.n}] 《{c.title}》" for c in e.citations), "\n".join(c.unit for c in e.citations)]
            for i, e in enumerate(entries, start=1)]


def to_csv(entries: Sequence[SheetEntry], compendium: Compendium) -> str:
    """One row per question; several cited cases are listed one per line inside their cells, each passage starting
    with its [n]."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for i, e in enumerate(entries, start=1):
        cited = e.citations
        passages = [f"[{c.n}] {_passage_text(cited_passage(c, compendium.get(c.case_id)))}" for c in cited]
        writer.writerow((i, e.question, e.status, _plain(e.body),
                         "\n".join(f"[{c.n}] 《{c.title}》" for c in cited), "\n".join(c.unit for c in cited),
                         "\n".join(c.award for c in cited), "\n".join(passages),
                         "\n".join(f"[{c.n}] {c.section}" for c in cited)))
    return buffer.getvalue()


def _heading(created: datetime) -> str:
    return f"依据{COMPENDIUM}生成，{created:%Y-%m-%d %H:%M}"


def to_markdown(entries: Sequence[SheetEntry], compendium: Compendium, created: datetime | None = None) -> str:
    """Each question a section: its answer (a paragraph a line), then 参考案例 with each case's passage quoted, the
    quoted words in bold."""
    lines = [f"# {TITLE}", "", _heading(created or datetime.now()), ""]
    for i, e in enumerate(entries, start=1):
        lines += [f"## {i}. {e.question}", ""]
        if e.status != "已回答":
            lines += [f"**{e.status}**", ""]
        lines += [line for text in e.body.splitlines() if text.strip() for line in (text.strip(), "")]
        if e.citations:
            lines += [f"**{REFERENCES_HEADING}**", ""]
            for c in e.citations:
                lines += [f"- {source_line(c)}", ""]
                for k, paragraph in enumerate(cited_passage(c, compendium.get(c.case_id))):
                    lines += [*(["  >"] if k else []), "  > " + "".join(_bold(t) if q else t for t, q in paragraph)]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _page_layout(document) -> None:
    """A4 with 25 mm margins; the compendium's name in the header, 第 n 页 / 共 m 页 in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
    header = section.header.paragraphs[0]
    header.text = f"{COMPENDIUM}　{TITLE}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _add_field(footer, "PAGE")
    footer.add_run(" 页 / 共 ")
    _add_field(footer, "NUMPAGES")
    footer.add_run(" 页")


def _add_field(paragraph, instruction: str) -> None:
    """A field Word (and LibreOffice) fills in when it lays the pages out: PAGE, NUMPAGES."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _styles(document) -> None:
    """Chinese fonts (宋体 for text, 黑体 for headings), Chinese for proofing, quotes upright."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name, font in (("Normal", "宋体"), ("Quote", "宋体"), ("Heading 1", "黑体"), ("Heading 2", "黑体")):
        properties = document.styles[name].element.get_or_add_rPr()
        properties.get_or_add_rFonts().set(qn("w:eastAsia"), font)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "zh-CN")
    language.set(qn("w:eastAsia"), "zh-CN")
    document.styles["Normal"].element.get_or_add_rPr().append(language)
    document.styles["Normal"].font.size = Pt(11)
    document.styles["Quote"].font.italic = False


def _answer_paragraphs(document, entry: SheetEntry) -> None:
    if entry.status != "已回答":
        document.add_paragraph().add_run(entry.status).bold = True
    for line in _plain(entry.body).splitlines():
        line = line.strip()
        if line.startswith("- "):
            document.add_paragraph(line[2:], style="List Bullet")
        elif line:
            document.add_paragraph(line)


def _sources(document, entry: SheetEntry, compendium: Compendium) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    document.add_paragraph().add_run(REFERENCES_HEADING).bold = True
    for c in entry.citations:
        document.add_paragraph(source_line(c), style="List Bullet")
        for paragraph in cited_passage(c, compendium.get(c.case_id)):
            quote = document.add_paragraph(style="Quote")
            for text, quoted in paragraph:
                run = quote.add_run(text)
                if quoted:
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def write_docx(entries: Sequence[SheetEntry], path: Path | str, compendium: Compendium,
               created: datetime | None = None) -> Path:
    """The sheet as an A4 Word document: each question a heading, its answer, then 参考案例 with each case's passage,
    the quoted words highlighted."""
    from docx import Document

    created = created or datetime.now()
    document = Document()
    _page_layout(document)
    _styles(document)
    properties = document.core_properties
    properties.author = properties.last_modified_by = APP_NAME
    properties.title, properties.subject, properties.comments = TITLE, COMPENDIUM, ""
    properties.language, properties.created, properties.modified = "zh-CN", created, created
    document.add_heading(TITLE, level=1)
    document.add_paragraph(_heading(created))
    for i, e in enumerate(entries, start=1):
        document.add_heading(f"{i}. {e.question}", level=2)
        _answer_paragraphs(document, e)
        if e.citations:
            _sources(document, e, compendium)
    path = Path(path)
    document.save(path)
    return path


def write_all(entries: Sequence[SheetEntry], folder: Path | str, compendium: Compendium,
              created: datetime | None = None) -> dict[str, Path]:
    """The sheet in all three formats in one folder: {"md": …, "csv": …, "docx": …}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    created = created or datetime.now()
    paths = {"md": folder / f"{TITLE}.md", "csv": folder / f"{TITLE}.csv", "docx": folder / f"{TITLE}.docx"}
    paths["md"].write_text(to_markdown(entries, compendium, created), encoding="utf-8")
    paths["csv"].write_text("\ufeff" + to_csv(entries, compendium), encoding="utf-8")
    write_docx(entries, paths["docx"], compendium, created)
    return paths
