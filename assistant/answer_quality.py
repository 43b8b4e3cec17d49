"""Answer-quality metrics for the eval report: the asked-for fact in the opening line, answer length, list
completeness and why-questions answered from the background, per kind of question."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from functools import lru_cache

from . import corpus
from .corpus import Case
from .sentences import background_of
from .settings import Settings
from .types import REFERENCES_HEADING

OUT_OF_SCOPE = "out_of_scope"
LIST_KIND, WHY_KIND = "multi", "why"
# An answer quotes a background when it shares a run of this many characters with it (whitespace removed): long
# enough that no stock phrase of the book (「非公企业工会改革」) makes it by chance.
BACKGROUND_QUOTE_CHARS = 20
LABELS = {
    "lead_in_opening": "关键事实在首行",
    "answer_chars_median": "回答长度中位数（字，不含参考案例）",
    "list_completeness": "列举完整度（正确案例被点名的比例）",
    "why_from_background": "原因题引用背景",
}


def compact(text: str) -> str:
    """Text without whitespace: the compendium puts spaces around numbers that question writers leave out."""
    return re.sub(r"\s+", "", text)


def body(answer: str) -> str:
    """The answer without the reference list the code appends."""
    return answer.split(REFERENCES_HEADING)[0].strip()


def opening(answer: str) -> str:
    """The first line of the answer: what a reader sees before anything else."""
    return next((line for line in body(answer).splitlines() if line.strip()), "")


def contains(text: str, key: str) -> bool:
    """Whether a key fact appears in the text, whitespace ignored."""
    return compact(key) in compact(text)


def quotes(text: str, source: str, run: int = BACKGROUND_QUOTE_CHARS) -> bool:
    """Whether the text shares a run of `run` characters with the source (whitespace ignored)."""
    text, source = compact(text), compact(source)
    return any(source[i:i + run] in text for i in range(max(0, len(source) - run + 1)))


@lru_cache(maxsize=1)
def _default_cases() -> dict[str, Case]:
    return {case.id: case for case in corpus.load(Settings.from_env().corpus_path).cases}


def background_text(case: Case) -> str:
    """What a why-question is answered from (`sentences.background_of`): the category background and the case's own
    statement of its problem (its 背景 or 概述, else the opening paragraph of its first section, before any move)."""
    return "\n".join(s.text for s in background_of(case))


def named(case: Case, text: str, shared_units: set[str]) -> bool:
    """Whether an answer names the case: its title, or its unit when no other case has that unit."""
    text = compact(text)
    if compact(case.title) in text:
        return True
    return case.unit not in shared_units and any(compact(u) in text for u in (case.unit, *case.aliases))


def score(question_type: str, gold: Sequence[str], lead: Sequence[str], answer: str, refused: bool,
          cases: Mapping[str, Case] | None = None) -> dict:
    """Per-question answer-quality fields (None where a metric does not apply)."""
    if question_type == OUT_OF_SCOPE or refused:
        return {"lead_in_opening": None if not lead else False, "answer_chars": None,
                "list_share": None if question_type != LIST_KIND else 0.0,
                "from_background": None if question_type != WHY_KIND else False}
    cases = cases if cases is not None else _default_cases()
    text, first = body(answer), opening(answer)
    gold_cases = [cases[g] for g in gold if g in cases]
    units = [c.unit for c in cases.values()]
    shared = {u for u in units if units.count(u) > 1}
    list_share = None
    if question_type == LIST_KIND and gold_cases:
        list_share = sum(named(c, text, shared) for c in gold_cases) / len(gold_cases)
    from_background = None
    if question_type == WHY_KIND:
        from_background = any(quotes(text, background_text(c)) for c in gold_cases)
    return {
        "lead_in_opening": all(contains(first, key) for key in lead) if lead else None,
        "answer_chars": len(compact(text)),
        "list_share": list_share,
        "from_background": from_background,
    }


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.fmean(values), 4) if values else None


def summarize(rows: Sequence[dict]) -> dict:
    """The answer-quality numbers over a set of per-question rows."""
    lengths = [r["answer_chars"] for r in rows if r.get("answer_chars") is not None]
    return {
        "lead_in_opening": _mean([r.get("lead_in_opening") for r in rows]),
        "answer_chars_median": statistics.median(lengths) if lengths else None,
        "list_completeness": _mean([r.get("list_share") for r in rows]),
        "why_from_background": _mean([r.get("from_background") for r in rows]),
    }


def per_kind(rows: Sequence[dict]) -> dict[str, dict]:
    """Kind of question (English questions also on their own) → its numbers, with key facts complete."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        if row["type"] == OUT_OF_SCOPE:
            continue
        groups.setdefault(row["type"], []).append(row)
        if row.get("lang") == "en":
            groups.setdefault("英文 en", []).append(row)
    table = {}
    for kind, group in sorted(groups.items()):
        table[kind] = {"questions": len(group),
                       "must_contain": _mean([r["must_found"] == r["must_total"] for r in group]),
                       **summarize(group)}
    return table


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else f"{value:g}"


def markdown(rows: Sequence[dict]) -> list[str]:
    """Report lines: answer quality per kind of question."""
    lines = ["", "## 回答质量 / Answer quality", "",
             "关键事实在首行：有 `lead` 的题，`lead` 全部出现在回答第一行的比例；长度：回答正文的字数（不含空白和参考案例），"
             "取中位数；列举完整度：列举题（multi）中正确案例被点名（标题，或不与他案共用的单位）的比例；"
             "原因题引用背景：原因题（why）的回答引用了正确案例的背景原文。", "",
             "| 题型 kind | 题数 n | 关键内容齐全 | 关键事实在首行 | 长度中位数 | 列举完整度 | 引用背景 |",
             "|---|---|---|---|---|---|---|"]
    for kind, s in per_kind(rows).items():
        lines.append(f"| {kind} | {s['questions']} | {_fmt(s['must_contain'])} | {_fmt(s['lead_in_opening'])} | "
                     f"{_fmt(s['answer_chars_median'])} | {_fmt(s['list_completeness'])} | "
                     f"{_fmt(s['why_from_background'])} |")
    return lines
