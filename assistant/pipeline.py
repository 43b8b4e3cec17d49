"""The assistant as one object: loads the index once, then answers questions (CLI, web and eval all use it)."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from . import corpus, refusal_model
from .answering import ExtractiveComposer
from .evidence import model_passages
from .index import open_index
from .llm import NO_LLM_NOTICE, LLMAnswerer, LLMError, LLMResult
from .refusal import RefusalGate
from .retrieval import CaseHit, Filters, RetrievalConfig, Searcher, SearchResult
from .settings import Settings
from .types import (
    ANSWER_MODES,
    COMPENDIUM,
    MODE_EXTRACTIVE,
    MODE_LLM,
    REFUSAL_INJECTION,
    REFUSAL_NO_HITS,
    REFUSAL_UNKNOWN_NAME,
    REFUSAL_YEAR,
    Answer,
    RetrievedCase,
    Verdict,
)

MAX_QUESTION_CHARS = 500
RETRIEVED_SHOWN = 5
REFUSAL_SUGGESTIONS = 2
# A short question that leans on what was said before: 那他们的成效呢？ 这是哪个单位做的？ 专家怎么评价的？
FOLLOW_UP_REFERENCE = re.compile(
    r"^(那|这|他|她|它|该|此|其|上面|刚才)|他们|她们|[这那][个份些种项家里样次]|该案例|上述|刚才|前面")
# Words that only name an aspect of a case; a question made of nothing else has no topic of its own.
ASPECT_WORDS = re.compile(
    r"专家|点评|评价|评述|成效|效果|成果|结果|成绩|单位|做法|办法|措施|经验|覆盖率?|多少|会员|人数|时间|时候|成立|"
    r"获奖|奖项|电话|背景|目的|意义|亮点|特色|具体|详细|数据|哪年|哪天|到了|达到|怎么|如何|怎样|步骤|联系|"
    r"负责人|什么|啥|哪个|哪家|咋样?|是|的|了|呢|吗|做|搞|有|还|再|讲讲|说说|介绍")
FOLLOW_UP_MAX_CHARS = 24


class QuestionError(ValueError):
    """A question that cannot be processed; the message is for the user, in Chinese."""


def clean_question(question: str) -> str:
    """Strip control characters and surrounding space; reject empty or oversized questions."""
    text = "".join(ch for ch in (question or "") if ch in "\n\t" or ch.isprintable()).strip()
    if not text:
        raise QuestionError("问题是空的，请输入想了解的内容，例如「怎样组建外卖骑手工会？」")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题太长了（{len(text)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内，一次问一件事。")
    return text


@dataclass(frozen=True)
class Turn:
    question: str
    answer: Answer


@dataclass(frozen=True)
class _Retrieval:
    """What retrieval and the refusal gate decided for one question, before any answer is written."""

    question: str
    pinned: str | None
    result: SearchResult
    hits: list[CaseHit]
    verdict: Verdict
    retrieved: tuple[RetrievedCase, ...]
    started: float
    retrieved_at: float


class Assistant:
    """Retrieval, refusal gate and answer composer (extractive, or a language model when configured)."""

    def __init__(self, settings: Settings | None = None, retrieval: RetrievalConfig | None = None,
                 show_progress: bool = True) -> None:
        self.settings = settings or Settings.from_env()
        self.compendium = corpus.load(self.settings.corpus_path)
        self.index = open_index(self.settings, show_progress=show_progress)
        self.searcher = Searcher(self.index, self.compendium, retrieval)
        self.gate = RefusalGate(self.index.lexicon, self.settings.corpus_path.read_text(encoding="utf-8"))
        self.gate.model = refusal_model.load_or_train(self.index.store, self.searcher, self.gate, show_progress)
        self.composer = ExtractiveComposer(self.index.lexicon, [c.text for c in self.index.chunks])
        self.llm: LLMAnswerer | None = None
        if self.settings.llm_enabled:
            # Loads and checks the prompt templates now: a broken template fails start-up, not a question.
            self.llm = LLMAnswerer.from_settings(self.settings)

    def _follow_up_case(self, question: str, history: Sequence[Turn]) -> str | None:
        """The case under discussion, when the question is a follow-up to an answered turn."""
        if not history or len(question) > FOLLOW_UP_MAX_CHARS:
            return None
        topic = self.index.lexicon.tokenize(ASPECT_WORDS.sub(" ", question))
        if not FOLLOW_UP_REFERENCE.search(question) and topic:
            return None
        last = next((t.answer for t in reversed(history) if t.answer.citations), None)
        return self._discussed_case(last) if last else None

    @staticmethod
    def _discussed_case(answer: Answer) -> str:
        """The case an answer was about: its first citation; for a model's answer, which may cite a side
        passage first, the best retrieved case when the answer cites it."""
        if answer.mode == MODE_LLM and answer.retrieved:
            top = answer.retrieved[0].case_id
            if any(c.case_id == top for c in answer.citations):
                return top
        return answer.citations[0].case_id

    def ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None,
            mode: str | None = None) -> Answer:
        """Answer one question; `mode` is "extractive" or "llm" (default: settings.answer_mode).

        The refusal gate runs first in every mode. In "llm" mode any model failure (or a missing model)
        gives the extractive answer with a `notice` saying why.
        """
        mode = self._mode(mode)
        retrieval = self._retrieve(question, history, filters)
        answer = self._without_model(retrieval, mode)
        if answer:
            return answer
        try:
            result = self.llm.answer(retrieval.question, model_passages(retrieval.hits), self._history(history))
        except LLMError as error:
            return self._finish(self._extractive(retrieval), retrieval, notice=error.notice)
        return self._finish(self._llm_answer(retrieval, result), retrieval)

    def stream_ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None,
                   mode: str | None = None) -> Iterator[str | Answer]:
        """Like `ask`, for a chat page: yields the answer text so far (str, growing) while a language model
        writes, then the final, verified Answer (always last). Refusals and extractive answers yield only the
        Answer. If the model fails midway the final Answer is the extractive one with a notice, so a page
        should replace what it showed with the final Answer's text.
        """
        mode = self._mode(mode)
        retrieval = self._retrieve(question, history, filters)
        answer = self._without_model(retrieval, mode)
        if answer:
            yield answer
            return
        try:
            stream = self.llm.stream(retrieval.question, model_passages(retrieval.hits), self._history(history))
            for _ in stream:
                yield stream.text
            result = stream.result()
        except LLMError as error:
            yield self._finish(self._extractive(retrieval), retrieval, notice=error.notice)
            return
        yield self._finish(self._llm_answer(retrieval, result), retrieval)

    def _without_model(self, retrieval: _Retrieval, mode: str) -> Answer | None:
        """The answer when no model is asked: a refusal, extractive mode, or no model configured (with a notice)."""
        if retrieval.verdict.refused or mode == MODE_EXTRACTIVE:
            return self._finish(self._extractive(retrieval), retrieval)
        if self.llm is None:
            return self._finish(self._extractive(retrieval), retrieval, notice=NO_LLM_NOTICE)
        return None

    def _mode(self, mode: str | None) -> str:
        mode = (mode or self.settings.answer_mode).strip().lower()
        if mode not in ANSWER_MODES:
            raise ValueError(f"unknown answer mode {mode!r}; expected {MODE_EXTRACTIVE!r} or {MODE_LLM!r}")
        return mode

    def _retrieve(self, question: str, history: Sequence[Turn], filters: Filters | None) -> _Retrieval:
        started = time.perf_counter()
        question = clean_question(question)
        pinned = self._follow_up_case(question, history)
        if pinned and filters and not filters.accept(self.compendium.get(pinned)):
            pinned = None  # the case under discussion is outside the filters the user chose now
        query = question
        if pinned:
            case = self.compendium.get(pinned)
            query = f"{case.title} {case.unit} {question}"
        result = self.searcher.search(query, k=len(self.compendium.cases) if pinned else RETRIEVED_SHOWN,
                                      filters=filters)
        hits = list(result.hits)
        if pinned:
            hits.sort(key=lambda h: h.case.id != pinned)
            hits = hits[:RETRIEVED_SHOWN]
        retrieved_at = time.perf_counter()
        # A pinned case passed the filters, so only an unpinned question can come back without hits: the gate
        # refuses those ("no-hits").
        verdict = Verdict(False) if pinned else self.gate.check(question, result)
        retrieved = tuple(self._retrieved(h) for h in hits)
        return _Retrieval(question, pinned, result, hits, verdict, retrieved, started, retrieved_at)

    def _extractive(self, r: _Retrieval) -> Answer:
        if r.verdict.refused:
            offered = self._offered(r.verdict, r.hits)
            return Answer(r.question, self._refusal(r.verdict, offered), True, MODE_EXTRACTIVE, (), r.retrieved,
                          suggestions=tuple(self._retrieved(h) for h in offered))
        # A follow-up's own words say what it wants; the case's title only served to find the case.
        text, citations = self.composer.compose(r.question, r.question if r.pinned else r.result.query, r.hits)
        return Answer(r.question, text, False, MODE_EXTRACTIVE, citations, r.retrieved)

    @staticmethod
    def _llm_answer(r: _Retrieval, result: LLMResult) -> Answer:
        return Answer(r.question, result.text, False, MODE_LLM, result.citations, r.retrieved, result.notice)

    @staticmethod
    def _history(history: Sequence[Turn]) -> list[tuple[str, str]]:
        return [(turn.question, turn.answer.answer) for turn in history if not turn.answer.refused]

    @staticmethod
    def _finish(answer: Answer, r: _Retrieval, notice: str | None = None) -> Answer:
        """The answer with its timings and verdict (and a notice, when one is given)."""
        done = time.perf_counter()
        timings = {"retrieve": (r.retrieved_at - r.started) * 1000, "answer": (done - r.retrieved_at) * 1000,
                   "total": (done - r.started) * 1000}
        return dataclasses.replace(answer, notice=notice or answer.notice, timings_ms=timings, verdict=r.verdict)

    @staticmethod
    def _retrieved(hit: CaseHit) -> RetrievedCase:
        return RetrievedCase(hit.case.id, hit.case.title, hit.case.unit, hit.passages[0].chunk.section,
                             round(hit.score, 4))

    @staticmethod
    def _offered(verdict: Verdict, hits: list[CaseHit]) -> list[CaseHit]:
        """The close cases a refusal offers (可参考): none for an injection, for nothing within the filters, or
        for a question with no word the compendium knows."""
        if verdict.kind in (REFUSAL_INJECTION, REFUSAL_NO_HITS) or verdict.coverage <= 0:
            return []
        return hits[:REFUSAL_SUGGESTIONS]

    @staticmethod
    def _refusal(verdict: Verdict, offered: list[CaseHit]) -> str:
        kind = verdict.kind
        if kind == REFUSAL_INJECTION:
            return ("抱歉，我只能依据案例集回答工会工作方面的问题，不能更改规则或透露系统设定。"
                    "请直接提问，例如「怎样组建外卖骑手工会？」")
        text = f"抱歉，{COMPENDIUM}中没有能回答这个问题的内容。"
        if kind == REFUSAL_NO_HITS:
            text += "在当前的筛选条件（奖项、类别或单位）下没有找到相关案例，可以放宽筛选后再问。"
        elif kind == REFUSAL_YEAR:
            text += f"本案例集只收录 2017 年度的上海市基层工会创新案例，没有 {verdict.detail} 年的内容。"
        elif kind == REFUSAL_UNKNOWN_NAME:
            text += f"案例集中没有提到「{verdict.detail}」。本案例集只收录上海市基层工会的 60 个创新案例。"
        else:
            text += "我只能回答与这 60 个上海市基层工会创新案例有关的问题。"
        if offered:
            nearest = "；".join(f"《{h.case.title}》（{h.case.unit}）" for h in offered)
            text += f"\n\n可参考：{nearest}。"
        return text
