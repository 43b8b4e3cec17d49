"""The 案例库 tab's events: the case table narrowed by words, award and category; a case shown in full; asking about it."""

from __future__ import annotations

from collections.abc import Sequence

import gradio as gr

from ..corpus import Case
from .chat import ALL
from .rendering import case_question, case_texts


def case_rows(cases: Sequence[Case], query: str = "", award: str = ALL, category: str = ALL) -> list[list[str]]:
    """The case table, narrowed by words (all must appear in the case) and by award and category."""
    words = (query or "").split()
    rows = []
    for case in cases:
        if award and award != ALL and case.award != award:
            continue
        if category and category != ALL and case.category != category:
            continue
        text = f"{case.id}\n{case.searchable_text}"
        if all(word.lower() in text.lower() for word in words):
            rows.append([case.id, case.award, case.category, case.title, case.unit])
    return rows


class CaseLibrary:
    """The 60 cases as a table (编号, 奖项, 类别, 标题, 单位), each shown in full when its row is clicked."""

    def __init__(self, cases: Sequence[Case], texts: dict[str, str] | None = None) -> None:
        self.cases = list(cases)
        self.case_texts = texts if texts is not None else case_texts(self.cases)
        self._by_id = {case.id: case for case in self.cases}
        self.categories = [ALL, *sorted({case.category for case in self.cases})]

    def case_rows(self, query: str = "", award: str = ALL, category: str = ALL) -> list[list[str]]:
        """The search box or a filter changed: the rows that match."""
        return case_rows(self.cases, query, award, category)

    def show_case(self, event: gr.SelectData) -> tuple:
        """A row clicked: (selected case id, the case in full, the 就这个案例提问 button enabled)."""
        case = self._by_id.get(event.row_value[0]) if event.row_value else None
        if case is None:
            return None, "请在表格中选择一个案例。", gr.update(interactive=False)
        return case.id, self.case_texts[case.id], gr.update(interactive=True)

    def ask_about(self, case_id: str | None) -> tuple:
        """就这个案例提问: back to the chat tab with a question about the case and the unit filter set to its unit
        (award and category filters cleared)."""
        case = self._by_id.get(case_id)
        if case is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return gr.Tabs(selected="chat"), case_question(case), case.unit, ALL, ALL
