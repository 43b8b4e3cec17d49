"""What a cadre may ask next, offered under an answer as one-click options: what the cited case has that the answer
did not show (成效, 做法, 专家点评), a close case the question also found; after a refusal, the close cases it offers.

Each option asks a question naming the case by its title, so it is answered the same way inside or outside the
conversation."""

from __future__ import annotations

from ..corpus import Case, Compendium
from ..types import Answer
from .rendering import case_question

MAX_OPTIONS = 3
OFFERED_PREFIX = "改问："


def _option(label: str, question: str) -> dict[str, str]:
    return {"label": label, "value": question}


def _about_case(case: Case, quoted_sections: set[str]) -> list[dict[str, str]]:
    names = {section.name for section in case.sections}
    options = []
    if "成效" in names and "成效" not in quoted_sections:
        options.append(_option("取得了哪些成效？", f"《{case.title}》取得了哪些成效？"))
    if "做法" in names and "做法" not in quoted_sections:
        options.append(_option("具体是怎么做的？", f"《{case.title}》具体是怎么做的？"))
    if case.expert_comments and not any(s.startswith("专家点评") for s in quoted_sections):
        options.append(_option("专家怎么评价？", f"专家怎么评价《{case.title}》？"))
    return options


def next_questions(answer: Answer, compendium: Compendium) -> list[dict[str, str]]:
    """Gradio chat options ({"label", "value": the question}) for the message showing `answer`."""
    if answer.refused:
        offered = [compendium.get(s.case_id) for s in answer.suggestions]
        return [_option(f"{OFFERED_PREFIX}《{c.title}》", case_question(c)) for c in offered if c][:MAX_OPTIONS]
    cited_ids = answer.cited_cases
    if not cited_ids:
        return []
    first = compendium.get(cited_ids[0])
    quoted = {section for c in answer.citations if c.case_id == first.id for section in c.section.split("、")}
    options = _about_case(first, quoted)[:MAX_OPTIONS - 1]
    close = next((compendium.get(r.case_id) for r in answer.retrieved if r.case_id not in cited_ids), None)
    if close:
        options.append(_option(f"相关案例：《{close.title}》", case_question(close)))
    return options[:MAX_OPTIONS]
