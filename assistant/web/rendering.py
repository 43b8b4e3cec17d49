"""How answers and cases are shown on the page: escaped Markdown, source cards, the whole case, their CSS."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ..corpus import Case
from ..types import MODE_EXTRACTIVE, MODE_LLM, Answer

MODE_LABELS = {MODE_EXTRACTIVE: "抽取式（原文摘录，离线）", MODE_LLM: "大模型生成"}
CSS = """
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
.source-head { font-weight: 600; }
.source-meta, .mode-line { color: var(--body-text-color-subdued); font-size: 0.9em; }
.source-quote { margin: 6px 0; }
.case-full summary { cursor: pointer; color: var(--link-text-color); }
.case-full h4 { font-size: 1em; margin: 10px 0 4px; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 8px; font-weight: 600; }
.badge-refused { background: #fde2e1; color: #9b1c1c; }
.badge-notice { background: #fef3c7; color: #8a4b08; }
"""
_NUMBERED_ITEM = re.compile(r"(?m)^(\s*[-*] )(\d+)\.")


def escape(text: str) -> str:
    """Text shown as text: any HTML a user (or a quoted passage) contains is displayed, never rendered."""
    return html.escape(text or "", quote=False)


def answer_markdown(text: str) -> str:
    """An answer's Markdown made safe to show: HTML escaped; a quoted step number ("- 1. …") stays text, not a list."""
    return _NUMBERED_ITEM.sub(r"\1\2\\.", escape(text))


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)


def _paragraphs(text: str) -> str:
    return "\n\n".join(escape(p.strip()) for p in text.split("\n") if p.strip())


def case_markdown(case: Case) -> str:
    """One case in full: sections in order, the category background, the expert comments."""
    aliases = f"（又称：{escape('、'.join(case.aliases))}）" if case.aliases else ""
    facts = f"单位：{escape(case.unit)}{aliases}　奖项：{escape(case.award)}　类别：{escape(case.category)}　编号：{case.id}"
    lines = [f"**《{escape(case.title)}》**", "", facts, ""]
    for section in case.sections:
        lines += [f"#### {escape(section.name or '正文')}", "", _paragraphs(section.text), ""]
    if case.background:
        lines += ["#### 类别背景", "", _paragraphs(case.background), ""]
    for comment in case.expert_comments:
        lines += [f"#### 专家点评 · {escape(comment.affiliation)} {escape(comment.expert)}", "",
                  _paragraphs(comment.text), ""]
    return "\n".join(lines).strip()


def case_texts(cases: Iterable[Case]) -> dict[str, str]:
    """Every case in full, by id: what a source card opens and the case library shows."""
    return {case.id: case_markdown(case) for case in cases}


def source_cards(answer: Answer, case_texts: dict[str, str]) -> str:
    """Under an answer: one card per citation (title, unit, award, section, quote) that opens the whole case."""
    cards = []
    for c in answer.citations:
        full = case_texts.get(c.case_id, "")
        cards.append(
            f'<div class="source-card" data-case="{escape(c.case_id)}">\n'
            f'<div class="source-head">[{c.n}] 《{escape(c.title)}》</div>\n'
            f'<div class="source-meta">单位：{escape(c.unit)}　奖项：{escape(c.award)}　出处：{escape(c.section)}</div>\n'
            f'<blockquote class="source-quote">{escape(c.quote)}</blockquote>\n'
            f'<details class="case-full"><summary>查看案例全文</summary>\n\n{full}\n\n</details>\n</div>')
    return "**出处**\n\n" + "\n\n".join(cards) if cards else ""


def answer_message(answer: Answer, case_texts: dict[str, str]) -> str:
    """The chat message of an answer: marks (refused, notice), the Markdown answer, its source cards, the mode."""
    parts = []
    if answer.refused:
        parts.append('<span class="badge badge-refused">已拒答</span>')
    if answer.notice:
        parts.append(f'<span class="badge badge-notice">⚠️ {escape(answer.notice)}</span>')
    parts.append(answer_markdown(answer.answer))
    cards = source_cards(answer, case_texts)
    if cards:
        parts.append(cards)
    took = answer.timings_ms.get("total")
    took_text = f" · 用时 {took / 1000:.1f} 秒" if took else ""
    parts.append(f'<div class="mode-line">答案模式：{escape(mode_label(answer.mode))}{took_text}</div>')
    return "\n\n".join(parts)


def partial_message(text: str) -> str:
    """An answer still being written, with a cursor."""
    return answer_markdown(text) + " ▌"


def case_question(case: Case) -> str:
    """The question 就这个案例提问 puts in the chat box."""
    return f"《{case.title}》（{case.unit}）是怎么做的？取得了哪些成效？"
