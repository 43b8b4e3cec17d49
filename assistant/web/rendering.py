"""How answers and cases are shown on the page: escaped Markdown, source cards, the whole case, their CSS."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from ..corpus import Case, Compendium
from ..drafting import QUOTE_GAP
from ..quoting import cited_passage, quoted_spans
from ..types import MODE_EXTRACTIVE, MODE_LLM, Answer

MODE_LABELS = {MODE_EXTRACTIVE: "抽取式（原文摘录，离线）", MODE_LLM: "大模型生成"}
CSS = """
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
.source-head { font-weight: 600; }
.source-meta, .mode-line { color: var(--body-text-color-subdued); font-size: 0.9em; }
.case-full summary { cursor: pointer; color: var(--link-text-color); }
.case-full h4 { font-size: 1em; margin: 10px 0 4px; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 8px; font-weight: 600; }
.badge-refused { background: #fde2e1; color: #9b1c1c; }
.badge-notice { background: #fef3c7; color: #8a4b08; }
.source-passage p { margin: 6px 0; }
.source-passage mark, .case-full mark { background: #fff3b0; color: inherit; padding: 0 1px; }
.source-card.cited { outline: 2px solid var(--color-accent); }
.source-card.cited mark { background: #ffd84d; }
a.cite { text-decoration: none; font-weight: 600; cursor: pointer; }
.copy-answer { margin-left: 8px; padding: 0 8px; border: 1px solid var(--border-color-primary); border-radius: 4px;
  color: var(--body-text-color); text-decoration: none; }
.copy-text { display: none; }
/* A message in place of an answer (an error, the rate limit) is not rated. */
#chat .message-row:has(.not-an-answer) .message-buttons { display: none; }
/* The conversation fills the screen above the question box (which stays in view). */
#chat { height: clamp(320px, calc(100vh - 330px), 720px) !important; }
#chips { align-items: center; gap: 8px; }
#chips > * { flex: 0 1 auto; min-width: 0; }
/* A phone: the question box and its buttons stay at the bottom of the screen, the conversation fills the rest. */
@media (max-width: 640px) {
  .gradio-container { padding-bottom: 72px !important; }
  #page-head p { display: none; }
  #page-head h1 { font-size: 1.3em; margin: 0; }
  #chat { height: calc(100dvh - 210px) !important; min-height: 260px; }
  #composer { align-items: center; }
  #composer { position: fixed; left: 0; right: 0; bottom: 0; z-index: 20; margin: 0; padding: 8px;
    flex-wrap: nowrap; gap: 6px; background: var(--background-fill-primary);
    border-top: 1px solid var(--border-color-primary); }
  #composer > * { min-width: 0 !important; }
  #composer #question { flex: 1 1 0 !important; padding: 4px; }
  #composer #send, #composer #new-chat { flex: 0 0 auto !important; width: auto; padding: 6px 10px; }
  #examples-label { display: none; }
  .source-card { padding: 6px 8px; overflow-wrap: anywhere; }
}
/* ---- 案例库 (library.py RESULTS_TEMPLATE): a table on a computer, cards on a phone ---- */
#case-results .case-summary { margin: 2px 0 8px; }
#case-results .case-expanded, #case-results .case-id, #case-results .case-category, #case-results .case-hint {
  color: var(--body-text-color-subdued); }
#case-results .case-head, #case-results .case-item {
  display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 4fr) 6.5em minmax(0, 3fr) 5.5em; gap: 2px 12px;
  padding: 8px 10px; text-align: left; }
#case-results .case-head { font-weight: 600; border-bottom: 2px solid var(--border-color-primary);
  position: sticky; top: 0; background: var(--background-fill-primary); z-index: 1; }
#case-results .case-item { width: 100%; border: 0; border-bottom: 1px solid var(--border-color-primary);
  background: none; color: inherit; font: inherit; cursor: pointer; }
#case-results .case-item:hover, #case-results .case-item:focus-visible { background: var(--background-fill-secondary); }
#case-results .case-item.selected { background: var(--color-accent-soft); }
#case-results .case-title { font-weight: 600; }
#case-results .case-id, #case-results .case-category { font-size: 0.9em; }
#case-results .case-hint { grid-column: 1 / -1; font-size: 0.9em; }
#case-results .case-hint mark { background: #fef3c7; color: inherit; }
@media (min-width: 641px) { #case-results .case-list { max-height: 70vh; overflow-y: auto; } }
@media (max-width: 640px) {
  #case-results .case-head { display: none; }
  #case-results .case-item { display: block; margin: 0 0 10px; padding: 10px 12px;
    border: 1px solid var(--border-color-primary); border-radius: 8px; }
  #case-results .case-item > span { display: block; }
  #case-results .case-unit { margin: 2px 0; }
  #case-results .case-item > .case-award, #case-results .case-item > .case-id {
    display: inline; font-size: 0.9em; color: var(--body-text-color-subdued); }
  #case-results .case-award::after { content: " · "; }
  #case-results .case-item > .case-category { display: none; }
  #case-results .case-hint { margin-top: 4px; }
}
/* ---- end 案例库 ---- */
"""
_NUMBERED_ITEM = re.compile(r"(?m)^(\s*[-*] )(\d+)\.")
_CITE = re.compile(r"\[(\d{1,2})\]")


def escape(text: str) -> str:
    """Text shown as text: any HTML a user (or a quoted passage) contains is displayed, never rendered."""
    return html.escape(text or "", quote=False)


def answer_markdown(text: str) -> str:
    """An answer's Markdown made safe to show: HTML escaped; a quoted step number ("- 1. …") stays text, not a list."""
    return _NUMBERED_ITEM.sub(r"\1\2\\.", escape(text))


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)


def _paragraphs(text: str, marked: Sequence[str] = ()) -> str:
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    return "\n\n".join(_marked(quoted_spans(p, marked)) if marked else escape(p) for p in paragraphs)


def case_markdown(case: Case, marked: Sequence[str] = ()) -> str:
    """One case in full: sections in order, the category background, the expert comments; the `marked` words (an
    answer's quotes) highlighted."""
    aliases = f"（又称：{escape('、'.join(case.aliases))}）" if case.aliases else ""
    facts = f"单位：{escape(case.unit)}{aliases}　奖项：{escape(case.award)}　类别：{escape(case.category)}　编号：{case.id}"
    lines = [f"**《{escape(case.title)}》**", "", facts, ""]
    for section in case.sections:
        lines += [f"#### {escape(section.name or '正文')}", "", _paragraphs(section.text, marked), ""]
    if case.background:
        lines += ["#### 类别背景", "", _paragraphs(case.background, marked), ""]
    for comment in case.expert_comments:
        lines += [f"#### 专家点评 · {escape(comment.affiliation)} {escape(comment.expert)}", "",
                  _paragraphs(comment.text, marked), ""]
    return "\n".join(lines).strip()


def case_texts(cases: Iterable[Case]) -> dict[str, str]:
    """Every case in full, by id: what a source card opens and the case library shows."""
    return {case.id: case_markdown(case) for case in cases}


def _marked(paragraph: list[tuple[str, bool]]) -> str:
    return "".join(f"<mark>{escape(text)}</mark>" if quoted else escape(text) for text, quoted in paragraph)


def source_cards(answer: Answer, compendium: Compendium) -> str:
    """Under an answer: one card per citation (title, unit, award, section), showing the paragraphs it quotes with the
    quoted words marked, and opening the whole case (the same words marked there too)."""
    cards = []
    for c in answer.citations:
        case = compendium.get(c.case_id)
        passage = "".join(f"<p>{_marked(paragraph)}</p>" for paragraph in cited_passage(c, case))
        pieces = [piece for piece in c.quote.split(QUOTE_GAP) if piece.strip()]
        full = case_markdown(case, pieces) if case else ""
        cards.append(
            f'<div class="source-card source-{c.n}">\n'
            f'<div class="source-head">[{c.n}] 《{escape(c.title)}》</div>\n'
            f'<div class="source-meta">单位：{escape(c.unit)}　奖项：{escape(c.award)}　出处：{escape(c.section)}</div>\n'
            f'<div class="source-passage">{passage}</div>\n'
            f'<details class="case-full"><summary>查看案例全文</summary>\n\n{full}\n\n</details>\n</div>')
    return "**出处**\n\n" + "\n\n".join(cards) if cards else ""


def answer_message(answer: Answer, compendium: Compendium, filters: str = "") -> str:
    """The chat message of an answer: marks (refused, notice), the answer with each [n] a link to its source card,
    the cards, then the mode, the filters it was narrowed by and 复制回答 (the answer as plain text)."""
    parts = []
    if answer.refused:
        parts.append('<span class="badge badge-refused">已拒答</span>')
    if answer.notice:
        parts.append(f'<span class="badge badge-notice">⚠️ {escape(answer.notice)}</span>')
    parts.append(_CITE.sub(r'<a class="cite" href="#source-\1" title="查看出处 [\1]">[\1]</a>',
                           answer_markdown(answer.answer)))
    cards = source_cards(answer, compendium)
    if cards:
        parts.append(cards)
    took = answer.timings_ms.get("total")
    took_text = f" · 用时 {took / 1000:.1f} 秒" if took else ""
    filters_text = f" · 只在{escape(filters)}中查找" if filters else ""
    # The page keeps only plain HTML (no buttons, no data- attributes): the text to copy is hidden in the message,
    # one line per line (&#10;: a blank line would end the HTML block), and page.js copies it.
    plain = html.escape(answer.answer).replace("\n", "&#10;")
    parts.append(f'<div class="mode-line">答案模式：{escape(mode_label(answer.mode))}{took_text}{filters_text}'
                 f' <a class="copy-answer" href="#copy" title="复制回答的文字和参考案例">复制回答</a></div>'
                 f'<div class="copy-text">{plain}</div>')
    return "\n\n".join(parts)


def not_an_answer(text: str) -> str:
    """A message in place of an answer (an error, the rate limit): shown, but not rated."""
    return f'<div class="not-an-answer">{escape(text)}</div>'


def partial_message(text: str) -> str:
    """An answer still being written, with a cursor."""
    return answer_markdown(text) + " ▌"


def case_question(case: Case) -> str:
    """The question 就这个案例提问 puts in the chat box."""
    return f"《{case.title}》（{case.unit}）是怎么做的？取得了哪些成效？"
