"""The 培训备课 tab's event: pasted or uploaded questions answered one by one into a Q&A sheet to download."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import gradio as gr

from .. import export
from ..batch import QuestionFileError, answer_all, questions_from_text, read_questions
from ..pipeline import Assistant
from .downloads import DownloadFolder

MAX_SHEET_QUESTIONS = 100
# A list mark a trainer's pasted list carries: "1." "2、" "3)" "-" "•".
_LIST_MARK = re.compile(r"^\s*(\d{1,3}\s*[.．、)）]|[-*•])\s*")
# The sheet's table on the page (序号, 问题, 状态, 回答, 引用案例, 单位): widths in pixels, so at 1366 px every column
# is in view and on a phone the table scrolls sideways with columns still readable (shares of its width left a phone
# three characters a line); the answer cut to its opening (a click shows it all), several cases one a line.
SHEET_TABLE = {"headers": list(export.TABLE_HEADERS), "datatype": ["str", "str", "str", "str", "markdown", "markdown"],
               "column_widths": ["48px", "180px", "64px", "420px", "260px", "180px"], "max_chars": 120}
# Gradio recognises a progress tracker by this default value (the same single instance a default argument would be).
_PROGRESS = gr.Progress()


def sheet_questions(text: str, upload: str | None) -> list[str]:
    """The trainer's questions: pasted lines, then the uploaded file's; list marks ("1." "2、" "-") and repeats dropped.

    Raises QuestionFileError."""
    questions: list[str] = []
    for question in [*questions_from_text(text or ""), *(read_questions(upload) if upload else [])]:
        question = _LIST_MARK.sub("", question).strip()
        if question and question not in questions:
            questions.append(question)
    return questions


def _announced(questions: Sequence[str], progress: Callable) -> Iterator[str]:
    """The questions, each announced on the progress bar as it is about to be answered."""
    for i, question in enumerate(questions):
        progress((i, len(questions)), desc="正在回答", unit="题")  # shown as 「正在回答 2/5 题」
        yield question


class Trainer:
    """Batch answers for a trainer: at most MAX_SHEET_QUESTIONS a sheet, written as Markdown, CSV and DOCX into the
    DownloadFolder."""

    def __init__(self, assistant: Assistant, downloads: DownloadFolder) -> None:
        self.assistant = assistant
        self.downloads = downloads

    def run_batch(self, text: str, upload: str | None, progress: gr.Progress = _PROGRESS) -> tuple:
        """生成问答单: (status text, the sheet's table rows, the Markdown, CSV and DOCX download buttons)."""
        no_files = [gr.update(interactive=False, value=None)] * 3
        try:
            questions = sheet_questions(text, upload)
        except QuestionFileError as error:
            return f"⚠️ {error}", [], *no_files
        if not questions:
            return "请先粘贴问题（每行一个），或上传 .txt / .csv / .xlsx 文件。", [], *no_files
        note = ""
        if len(questions) > MAX_SHEET_QUESTIONS:
            note = (f"（共 {len(questions)} 题，一次最多回答 {MAX_SHEET_QUESTIONS} 题，"
                    f"只回答了前 {MAX_SHEET_QUESTIONS} 题）")
            questions = questions[:MAX_SHEET_QUESTIONS]
        entries = list(answer_all(self.assistant, _announced(questions, progress)))
        paths = export.write_all(entries, self.downloads.new(), self.assistant.compendium)
        answered = sum(e.status == "已回答" for e in entries)
        status = f"已完成 {len(entries)} 题：回答 {answered} 题，拒答或未能回答 {len(entries) - answered} 题。{note}"
        buttons = [gr.update(value=str(paths[kind]), interactive=True) for kind in ("md", "csv", "docx")]
        return status, export.table_rows(entries), *buttons
