"""The 对话 tab's events: a question answered as it streams, a new conversation, and the JSON API (/ask)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict

import gradio as gr

from ..access import RateLimiter
from ..followup import FollowUpJudge
from ..pipeline import Assistant, QuestionError, Turn
from ..retrieval import Filters
from ..types import MODE_EXTRACTIVE, MODE_LLM, Answer
from .next_questions import next_questions
from .rendering import answer_message, escape, not_an_answer, partial_message

log = logging.getLogger(__name__)

ALL = "全部"
# Every update of a growing answer re-sends the conversation to the page, so there are few of them: a model's
# text is shown at most every STREAM_INTERVAL_S; an extractive answer, ready at once, is revealed in REVEAL_STEPS
# (so both modes stream the same way).
STREAM_INTERVAL_S = 0.1
REVEAL_STEPS = 3
REVEAL_STEP_DELAY_S = 0.03
SEARCHING_TEXT = "⏳ 正在查找相关案例…"
ERROR_TEXT = "⚠️ 系统暂时出错了，没能回答这个问题。请稍后再试；如果一直出错，请联系管理员。"


def filters_from(award: str | None, category: str | None, unit: str | None) -> Filters:
    """The chat's filters as chosen on the page: 全部 or an empty box means no filter."""
    def value(text: str | None) -> str | None:
        text = (text or "").strip()
        return None if not text or text == ALL else text

    return Filters(award=value(award), category=value(category), unit=value(unit))


def filters_text(filters: Filters) -> str:
    """The active filters in words (「奖项「提名奖」、单位「普陀区」」), empty when there are none."""
    named = (("奖项", filters.award), ("类别", filters.category), ("单位", filters.unit))
    return "、".join(f"{name}「{value}」" for name, value in named if value)


def client_address(request: gr.Request | None) -> str:
    """Who is asking, for the rate limit: the client address (one bucket for unknown callers)."""
    return getattr(getattr(request, "client", None), "host", None) or "unknown"


def stream_answer(assistant: Assistant, question: str, history: Sequence[Turn], filters: Filters,
                  mode: str = MODE_EXTRACTIVE, delay_s: float = REVEAL_STEP_DELAY_S) -> Iterator[tuple[str, Answer | None]]:
    """(text so far, None) while the answer grows, then (final text, Answer) once. Raises QuestionError as ask does.

    A language model's text streams as it is written (`stream_ask` yields the growing text, then the verified
    Answer, whose text replaces what was shown). An answer that arrives whole (extractive, refused, fallback) is
    revealed a few lines at a time, so the page streams the same way in every mode.
    """
    streamed = False
    shown_at = 0.0
    for event in assistant.stream_ask(question, history, filters, mode=mode):
        if isinstance(event, Answer):
            if not streamed:
                lines = event.answer.split("\n")
                step = -(-len(lines) // REVEAL_STEPS)
                for count in range(step, len(lines), step):
                    yield "\n".join(lines[:count]), None
                    if delay_s:
                        time.sleep(delay_s)
            yield event.answer, event
            return
        streamed = True
        if time.monotonic() - shown_at >= STREAM_INTERVAL_S:
            shown_at = time.monotonic()
            yield str(event), None
    raise RuntimeError("the answer stream ended without an Answer")


class Chat:
    """Questions asked on the chat page or through the API, answered by one Assistant, at most as often as the
    rate limiter allows each client (no limiter: no limit).

    The page keeps a conversation in four states: `messages` (what the chat shows), `turns` (the answers
    follow-ups lean on), `records` (message index -> what a 👍/👎 stores) and, kept by the feedback events, `rated`.
    """

    def __init__(self, assistant: Assistant, limiter: RateLimiter | None = None) -> None:
        self.assistant = assistant
        self.limiter = limiter
        settings = assistant.settings
        self.modes = [MODE_EXTRACTIVE, MODE_LLM] if settings.llm_enabled else [MODE_EXTRACTIVE]
        self.default_mode = settings.answer_mode if settings.answer_mode in self.modes else MODE_EXTRACTIVE

    def _allowed(self, question: str, request: gr.Request | None) -> bool:
        """Whether this client may ask now; an empty question is not counted (it gets its own message)."""
        return not question.strip() or not self.limiter or self.limiter.allow(client_address(request))

    def chat(self, message: str, messages: list, turns: list, records: dict, award: str, category: str, unit: str,
             mode: str, request: gr.Request) -> Iterator[tuple]:
        """提问: yields (messages, chat view, turns, records, question box) as the answer grows; states once, at the end.

        An answer's message carries the questions to ask next as the chat's own options (next_questions.py)."""
        messages = [*messages, {"role": "user", "content": escape((message or "").strip()) or "（空）"},
                    {"role": "assistant", "content": SEARCHING_TEXT}]
        if not self._allowed(message or "", request):
            messages[-1] = {"role": "assistant", "content": not_an_answer(f"⚠️ {self.limiter.message}")}
            yield messages, messages, turns, records, gr.skip()
            return
        # Until the answer is final only the chat view changes: the conversation's states are stored once, at the
        # end (every stored state costs the server work on each update; see benchmarks/load.py).
        yield gr.skip(), messages, gr.skip(), gr.skip(), ""
        mode = mode if mode in self.modes else self.default_mode
        filters = filters_from(award, category, unit)
        try:
            for text, answer in stream_answer(self.assistant, message, turns, filters, mode):
                if answer is None:
                    messages[-1] = {"role": "assistant", "content": partial_message(text)}
                    yield gr.skip(), messages, gr.skip(), gr.skip(), gr.skip()
        except QuestionError as error:
            messages[-1] = {"role": "assistant", "content": not_an_answer(f"⚠️ {error}")}
            yield messages, messages, turns, records, gr.skip()
            return
        except Exception:  # the user gets a message, the log gets the stack trace
            log.exception("answering failed for %r", message)
            messages[-1] = {"role": "assistant", "content": not_an_answer(ERROR_TEXT)}
            yield messages, messages, turns, records, gr.skip()
            return
        compendium = self.assistant.compendium
        messages[-1] = {"role": "assistant", "content": answer_message(answer, compendium, filters_text(filters)),
                        "options": next_questions(answer, compendium)}
        records = {**records, len(messages) - 1: {
            "question": answer.question, "answer": answer.answer, "mode": answer.mode,
            "citations": [asdict(c) for c in answer.citations]}}
        yield messages, messages, [*turns, Turn(answer.question, answer)], records, gr.skip()

    def context(self, turns: list) -> tuple:
        """After each answer: the chip naming the case under discussion (follow-ups continue on it) and its clear
        button."""
        discussed = FollowUpJudge.discussed(turns)
        case = self.assistant.compendium.get(discussed[0]) if discussed else None
        chip = f"正在讨论：《{escape(case.title)}》（{escape(case.unit)}）" if case else ""
        return gr.update(value=chip, visible=bool(chip)), gr.update(visible=bool(chip))

    @staticmethod
    def filter_chip(award: str, category: str, unit: str) -> tuple:
        """When a filter is set: the chip saying which (every question is then only looked up there) and its clear
        button."""
        text = filters_text(filters_from(award, category, unit))
        chip = f"筛选：只在{escape(text)}中查找" if text else ""
        return gr.update(value=chip, visible=bool(chip)), gr.update(visible=bool(chip))

    @staticmethod
    def clear_filters() -> tuple:
        """✕ on the filter chip: 奖项 and 类别 back to 全部, 单位 empty."""
        return ALL, ALL, ""

    @staticmethod
    def picked_option(selected: gr.SelectData) -> str:
        """An option under an answer was clicked: the question it asks."""
        return selected.value if isinstance(selected.value, str) else selected.value.get("value", "")

    @staticmethod
    def forget_discussed() -> tuple:
        """✕ on the chip: the next question is judged on its own (the conversation shown stays)."""
        return [], gr.update(value="", visible=False), gr.update(visible=False)

    def new_chat(self) -> tuple:
        """新对话 (or the chat's own 清空): messages, chat view, turns, records, ratings, feedback record, feedback
        status, comment row, comment box and unit filter all start again."""
        return [], [], [], {}, {}, None, "", gr.update(visible=False), "", ""

    def ask(self, question: str, award: str = "", category: str = "", unit: str = "", request: gr.Request = None) -> dict:
        """回答一个问题，返回与命令行 `python -m assistant ask --json` 相同的 JSON。"""
        if not self._allowed(question or "", request):
            return {"question": question, "error": self.limiter.message}
        try:
            return self.assistant.ask(question, (), filters_from(award, category, unit)).to_dict()
        except QuestionError as error:
            return {"question": question, "error": str(error)}
