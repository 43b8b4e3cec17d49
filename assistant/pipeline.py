"""The assistant as one object: loads the index once, then answers questions (CLI, web and eval all use it)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from . import asking, corpus, refusal_model
from .answering import ExtractiveComposer
from .details import asks_a_detail
from .evidence import model_passages
from .followup import CONTINUE_COVERAGE, FollowUpJudge
from .index import open_index
from .listing import distinctive
from .llm import NO_LLM_NOTICE, LLMAnswerer, LLMError, LLMResult
from .refusal import RefusalGate, asked, is_english
from .retrieval import CaseHit, Filters, PassageHit, RetrievalConfig, Searcher, SearchResult
from .settings import Settings
from .types import (
    ANSWER_MODES,
    COMPENDIUM,
    FOLLOW_UP_CONTINUE,
    FOLLOW_UP_NEW,
    FOLLOW_UP_ORDINAL,
    FOLLOW_UP_OTHERS,
    MODE_EXTRACTIVE,
    MODE_LLM,
    REFUSAL_INJECTION,
    REFUSAL_LEGAL,
    REFUSAL_MISSING_DETAIL,
    REFUSAL_NO_HITS,
    REFUSAL_OFF_TOPIC,
    REFUSAL_OPINION,
    REFUSAL_OTHER_PLACE,
    REFUSAL_POLICY,
    REFUSAL_UNKNOWN_NAME,
    REFUSAL_WRITING,
    REFUSAL_YEAR,
    Answer,
    FollowUp,
    RetrievedCase,
    Verdict,
)

MAX_QUESTION_CHARS = 500
RETRIEVED_SHOWN = 5
REFUSAL_SUGGESTIONS = 2
# 「还有别的吗」 is answered by another case only when it scores at least this share of the discussed one on the
# conversation's topic; below that the compendium has no other case to offer.
OTHERS_SHARE = 0.5
# A request for others naming at least this many words of its own topic (「还有别的地方专门给家政服务员搞法律维权服务的
# 吗？」) is searched by its own words; a barer one (「别的区有类似做法吗？」) together with the previous question and the
# discussed case's title, which says what 「这么干」 points to.
OTHERS_OWN_TOPIC_WORDS = 2
# A follow-up with a topic of its own (at least ASIDE_TOPIC_WORDS words; a bare 「会费交得咋样」 has one or two) that
# the discussed case mostly does not say (less than ASIDE_COVERAGE of them) is an aside the book cannot answer when the
# learned decision gives it less than DOUBTED_ASIDE chance alone.
DOUBTED_ASIDE, ASIDE_COVERAGE, ASIDE_TOPIC_WORDS = 0.5, 0.5, 3
# A question names what it is about in at least this many topic words before a case counts as about it.
ABOUT_WORDS = 2
# Refused for where or whom it asked about: the same question may be asked again of the book's own place.
RETARGETED_REFUSALS = (REFUSAL_OTHER_PLACE, REFUSAL_UNKNOWN_NAME)
# An English question's place or body names one unit when its Chinese name is in that unit's name and in at most
# this many cases (天平街道: its own case and one that mentions it).
ENGLISH_NAME_CASES = 2


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
    follow_up: FollowUp
    result: SearchResult
    hits: list[CaseHit]
    verdict: Verdict
    retrieved: tuple[RetrievedCase, ...]
    started: float
    retrieved_at: float
    filters: Filters | None
    listing: bool = False  # the other cases of the discussed one's category or unit, all of them, as a list
    whole: tuple[CaseHit, ...] = ()  # those other cases (of its category, unit or expert), when there are any


class Assistant:
    """Retrieval, refusal gate and answer composer (extractive, or a language model when configured)."""

    def __init__(self, settings: Settings | None = None, retrieval: RetrievalConfig | None = None,
                 show_progress: bool = True) -> None:
        self.settings = settings or Settings.from_env()
        self.compendium = corpus.load(self.settings.corpus_path)
        self.index = open_index(self.settings, show_progress=show_progress)
        self.searcher = Searcher(self.index, self.compendium, retrieval)
        self.gate = RefusalGate(self.index.lexicon, self.compendium, self.settings.corpus_path.read_text(encoding="utf-8"),
                                self.index.embeddings)
        self.gate.model = refusal_model.load_or_train(self.index.store, self.searcher, self.gate, show_progress)
        self.followups = FollowUpJudge(self.index.lexicon, self.compendium)
        self.composer = ExtractiveComposer(self.index.lexicon, [c.text for c in self.index.chunks])
        self.llm: LLMAnswerer | None = None
        if self.settings.llm_enabled:
            # Loads and checks the prompt templates now: a broken template fails start-up, not a question.
            self.llm = LLMAnswerer.from_settings(self.settings)

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
        question = self._retargeted(question, history) or question
        asking = asked(question)  # without markup or 「请用英文回答」: what it asks
        # The question's own search over the whole compendium: the evidence for both decisions that follow.
        alone = self.searcher.search(asking, k=len(self.compendium.cases), filters=filters)
        # Every turn is judged on its own first: the exact rules hold whatever was said before.
        ruled = self.gate.exact_rule(asking, alone)
        own = ruled or self.gate.judge(asking, alone)
        follow = FollowUp(FOLLOW_UP_NEW, (), "确定规则已判定") if ruled \
            else self.followups.decide(asking, history, alone, not own.refused)
        if follow.kind in (FOLLOW_UP_CONTINUE, FOLLOW_UP_ORDINAL) and filters \
                and not filters.accept(self.compendium.get(follow.case_ids[0])):
            follow = FollowUp(FOLLOW_UP_NEW, (), "正在讨论的案例不在当前的筛选范围内")
        elsewhere = self.gate.named_elsewhere(asking) if follow.kind != FOLLOW_UP_NEW else None
        if elsewhere:
            follow, own = FollowUp(FOLLOW_UP_NEW, (), "问题提到了案例集以外的单位或地方"), elsewhere
        result, hits, verdict, listing, whole = alone, list(alone.hits), own, False, ()
        if follow.kind in (FOLLOW_UP_CONTINUE, FOLLOW_UP_ORDINAL):
            case_id = follow.case_ids[0]
            hits = [self._case_hit(case_id, alone), *(h for h in hits if h.case.id != case_id)]
            verdict = self._continue_verdict(asking, case_id, own)
        elif follow.kind == FOLLOW_UP_OTHERS:
            result, hits, verdict, listing, whole = self._others(asking, history, follow, filters)
        elif not own.refused and (not self.followups.topic(asking)
                                  or self.followups.leans_on_a_refusal(asking, history, alone)):
            # Nothing under discussion and nothing asked about (「他们的成效呢？」), or pointing back to a refused
            # question (「那这种纠纷一般怎么调解？」): about what the book does not contain.
            verdict = Verdict(True, REFUSAL_OFF_TOPIC, coverage=0.0)
        learned_refusal = verdict.refused and verdict.kind == REFUSAL_OFF_TOPIC and verdict.probability is not None
        if (not verdict.refused or learned_refusal) and hits and follow.kind != FOLLOW_UP_OTHERS:
            # The case that answers must print the detail asked for (a price, a person's name, a phone number): the
            # discussed one, the one case the question names, or any case found nearly as good as the best. A question
            # the learned decision refused is told so more exactly when the case found is about what it asks and only
            # the detail is missing (「上港放心食堂的套餐一份多少钱？」).
            answering = hits[:1] if follow.kind in (FOLLOW_UP_CONTINUE, FOLLOW_UP_ORDINAL) else self._named_only(asking, hits)
            missing = self.gate.missing_detail(asking, answering)
            if missing and (not verdict.refused or self._about(asking, answering[0].case.id)):
                verdict = missing
        if follow.kind == FOLLOW_UP_NEW and not verdict.refused:
            result = self._named_first(asking, result)
            hits = list(result.hits)
        retrieved_at = time.perf_counter()
        hits = hits[:RETRIEVED_SHOWN]
        return _Retrieval(question, follow, result, hits, verdict, tuple(self._retrieved(h) for h in hits), started,
                          retrieved_at, filters, listing, whole)

    def _retargeted(self, question: str, history: Sequence[Turn]) -> str | None:
        """The refused question asked again of a place the book has (「杭州有没有给快递员建驿站的做法？」 refused for 杭州,
        then 「那上海的呢？」, nothing asked but the place): the refused question with that place for the name it was
        refused for."""
        if not history or not history[-1].answer.refused:
            return None
        verdict = history[-1].answer.verdict
        previous = history[-1].question
        if verdict is None or verdict.kind not in RETARGETED_REFUSALS or not verdict.detail \
                or verdict.detail not in previous:
            return None
        place = self.gate.book_place(question)
        if not place or any(word not in place for word in self.followups.topic(question)):
            return None  # 「那浦东机场这个联合会…」 asks about what it names
        return previous.replace(verdict.detail, place)

    def _named_first(self, question: str, result: SearchResult) -> SearchResult:
        """The case whose unit the question names by a word only it has (「花旗那个工会的线上平台是干嘛的」「宝钢那边的师徒结对
        是怎么搞的」「How much did fund collection grow in Tianping subdistrict?」: by the book's names for an English
        question's) answers it, wherever the search ranked it."""
        if is_english(question):
            names = self.index.lexicon.english_names(question)
            # The book's name of one unit (天平街道), not a district many cases are in (浦东新区).
            named = self.followups.units_named(" ".join(names)) | {
                case.id for name in names if (case := corpus.unit_holding(name, self.compendium.cases))
                and self.compendium.cases_using(name.lower()) <= ENGLISH_NAME_CASES}
        else:
            named = self.followups.units_named(question)
        if len(named) != 1 or not result.hits or result.hits[0].case.id in named:
            return result
        first = [h for h in result.hits if h.case.id in named]
        return dataclasses.replace(result, hits=(*first, *(h for h in result.hits if h.case.id not in named))) \
            if first else result

    def _named_only(self, question: str, hits: list[CaseHit]) -> list[CaseHit]:
        """For a detail asked (a price, a name), the one case whose unit the question names, when found first
        (「宝钢芝麻奖一等奖奖金多少」 is not answered by another case's 「一等奖 5000 元」); else all the cases found."""
        if not asks_a_detail(question, self.index.lexicon):
            return hits
        named = self.followups.units_named(question)
        return hits[:1] if len(named) == 1 and hits[0].case.id in named else hits

    def _about(self, question: str, case_id: str) -> bool:
        """The case is about what the question asks: it says most of the question's topic, of more than one word
        (「上港放心食堂的套餐」, not 「社保」 alone, which a case may mention in passing)."""
        return len(self.followups.topic(question)) >= ABOUT_WORDS and \
            self.followups.case_coverage(question, case_id) >= CONTINUE_COVERAGE

    def _case_hit(self, case_id: str, alone: SearchResult) -> CaseHit:
        """The discussed case as a hit: as the question's own search found it, else with its first passages."""
        found = next((h for h in alone.hits if h.case.id == case_id), None)
        if found is not None and found.passages:
            return found
        passages = tuple(PassageHit(c, 0.0) for c in self.index.chunks if c.case_id == case_id)[:3]
        return CaseHit(self.compendium.get(case_id), 0.0, passages)

    def _continue_verdict(self, question: str, case_id: str, own: Verdict) -> Verdict:
        """A question about the discussed case is judged as it would be alone when it brings a topic of its own (a
        labour-law question about the riders just discussed is refused as it would be on its own); with no topic of
        its own (「那他们的成效呢？」), or one the case's own text says word for word (「后来反响咋样」「哪年投入使用的」,
        too bare to be answered alone) in words that set it apart (「今天上海多少度啊」 has only 上海, which most cases
        say), it is about the case and answered. A topic of its own that the case mostly does not say, which the
        learned decision doubts as well (「南京路步行街哪家生煎最好吃？」 after 南京东路's case), is an aside: refused."""
        if not own.refused:
            if own.probability is not None and own.probability < DOUBTED_ASIDE and not is_english(question) \
                    and len(self.followups.topic(question)) >= ASIDE_TOPIC_WORDS:
                coverage = self.followups.case_coverage(question, case_id)
                if coverage < ASIDE_COVERAGE:
                    return Verdict(True, REFUSAL_OFF_TOPIC, coverage=coverage, probability=own.probability)
            return Verdict(False, probability=own.probability)
        if self.followups.case_coverage(question, case_id) == 1.0 and not self.followups.common_topic(question):
            return Verdict(False, probability=own.probability)
        if is_english(question) and own.kind != REFUSAL_UNKNOWN_NAME:
            return Verdict(False, probability=own.probability)  # cross-lingual scores say little about a follow-up
        return own

    def _others(self, question: str, history: Sequence[Turn], follow: FollowUp,
                filters: Filters | None) -> tuple[SearchResult, list[CaseHit], Verdict, bool, tuple[CaseHit, ...]]:
        """Other cases on the conversation's topic (the request's own words when it names a topic, else the previous
        question with it), the discussed ones left out, within the category, unit or expert the question points to
        (then all of them, as a list, and all of them again: the hits are cut to those shown); refused when none comes
        close to the discussed case."""
        own_topic = len(self.followups.topic(question)) >= OTHERS_OWN_TOPIC_WORDS
        searched = question if own_topic \
            else f"{self.compendium.get(follow.case_ids[0]).title} {history[-1].question} {question}"
        result = self.searcher.search(searched, k=len(self.compendium.cases), filters=filters)
        discussed = {h.case.id: h.score for h in result.hits if h.case.id in follow.case_ids}
        related = self.followups.related(follow.case_ids[0], question, history[-1].answer.answer)
        if related:  # 「同一类」「这家单位」「这位专家」 name the cases themselves, found by the search or not: no score bar
            others = sorted((self._case_hit(c, result) for c in related if c not in follow.case_ids and
                             (filters is None or filters.accept(self.compendium.get(c)))), key=lambda h: -h.score)
            verdict = Verdict(not others, REFUSAL_OFF_TOPIC if not others else "", coverage=0.0)
            return result, others, verdict, True, tuple(others)
        others = [h for h in result.hits if h.case.id not in follow.case_ids]
        bar = OTHERS_SHARE * max(discussed.values(), default=0.0)
        listing = related is not None  # the category or unit named has no other case: its topic's cases, as a list
        if not others or others[0].score < bar:
            return result, others, Verdict(True, REFUSAL_OFF_TOPIC, coverage=0.0), listing, ()
        return result, self._most_on_topic(others, searched, result.query), Verdict(False), listing, ()

    def _most_on_topic(self, others: list[CaseHit], question: str, query: str) -> list[CaseHit]:
        """The other cases, those a list would name on the topic first, as it ranks them (「还有别的单位帮职工解决公租房的
        吗」: the case that says 公共租赁房 in one sentence, ranked low by the search of its whole text); as the search
        ranks them when the question names the unit of the first by a word that tells it from others (「中国电信还有别的案例
        吗」; not 行业工会 of 「别的地方有没有也组建快递行业工会的？」)."""
        if any(distinctive(word) and word in others[0].case.unit for word in self.index.lexicon.tokenize(question)):
            return others
        want = dataclasses.replace(asking.asked(question), kind=asking.LIST)
        on_topic = [h for h, _ in self.composer.lists.matching(others, question, query, want)]
        return on_topic + [h for h in others if h not in on_topic]

    def _extractive(self, r: _Retrieval) -> Answer:
        if r.verdict.refused:
            offered = self._offered(r.verdict, r.hits)
            return Answer(r.question, self._refusal(r.verdict, offered), True, MODE_EXTRACTIVE, (), r.retrieved,
                          suggestions=tuple(self._retrieved(h) for h in offered))
        # A new question's list answer may name more cases than the five shown as retrieved: the composer gets the
        # whole ranking of the same search (within the filters). A follow-up on a case is answered from that case.
        hits = list(r.result.hits) if r.follow_up.kind == FOLLOW_UP_NEW \
            else r.hits[:1] if r.follow_up.kind in (FOLLOW_UP_CONTINUE, FOLLOW_UP_ORDINAL) \
            else list(r.whole or r.hits)
        # A list by unit, expert or category may name any case within the filters, found by the search or not; a
        # request for others never names the cases under discussion.
        left_out = r.follow_up.case_ids if r.follow_up.kind == FOLLOW_UP_OTHERS else ()
        within = [c for c in self.compendium.cases
                  if (r.filters is None or r.filters.accept(c)) and c.id not in left_out]
        if r.follow_up.kind == FOLLOW_UP_OTHERS and len(hits) == 1:
            text, citations = self.composer.introduce(r.question, r.result.query, hits[0])
        else:
            # The other cases of the category or unit under discussion (「同一类的还有别的吗」) are listed, all of them;
            # others found by topic are told as a new question's cases are.
            text, citations = self.composer.compose(r.question, r.result.query, hits, within, listing=r.listing,
                                                    whole=bool(r.whole))
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
        return dataclasses.replace(answer, notice=notice or answer.notice, timings_ms=timings, verdict=r.verdict,
                                   follow_up=r.follow_up)

    @staticmethod
    def _retrieved(hit: CaseHit) -> RetrievedCase:
        return RetrievedCase(hit.case.id, hit.case.title, hit.case.unit, hit.passages[0].chunk.section,
                             round(hit.score, 4))

    @staticmethod
    def _offered(verdict: Verdict, hits: list[CaseHit]) -> list[CaseHit]:
        """The close cases a refusal offers (可参考): none for an injection, for nothing within the filters, or
        for a question with no word the compendium knows; the case asked about when it lacks the detail asked."""
        if verdict.kind in (REFUSAL_INJECTION, REFUSAL_NO_HITS) or verdict.coverage <= 0:
            return []
        return hits[:1] if verdict.kind == REFUSAL_MISSING_DETAIL else hits[:REFUSAL_SUGGESTIONS]

    @staticmethod
    def _refusal(verdict: Verdict, offered: list[CaseHit]) -> str:
        kind = verdict.kind
        if kind == REFUSAL_INJECTION:
            return ("抱歉，我只能依据案例集回答工会工作方面的问题，不能更改规则或透露系统设定。"
                    "请直接提问，例如「怎样组建外卖骑手工会？」")
        text = f"抱歉，{COMPENDIUM}中没有能回答这个问题的内容。"
        if kind == REFUSAL_MISSING_DETAIL:
            text = (f"抱歉，{COMPENDIUM}中没有写到{verdict.detail}，这一点无法回答。"
                    "下面的案例介绍了相关做法，具体信息可向案例单位了解。")
        elif kind == REFUSAL_NO_HITS:
            text += "在当前的筛选条件（奖项、类别或单位）下没有找到相关案例，可以放宽筛选后再问。"
        elif kind == REFUSAL_YEAR:
            text += "本案例集收录的是 2017 年度的上海市基层工会创新案例，" + (
                f"相关案例没有写到 {verdict.detail} 年的情况。" if verdict.detail.isdigit() else "不含其他届次的评选。")
        elif kind == REFUSAL_WRITING:
            text += "我只依据案例集介绍各单位的做法和成效，不代写文稿、方案或诗文；可以先看看相关案例的做法。"
        elif kind == REFUSAL_OPINION:
            text += "我只依据案例集介绍各单位的做法和成效，不发表个人看法，也不预测今后的情况。"
        elif kind == REFUSAL_POLICY:
            text += (f"案例集只介绍工会的做法和成效，不涉及「{verdict.detail}」等社保、公积金和个税的规定；"
                     "具体政策请咨询当地社保、税务部门或工会法律服务窗口。")
        elif kind == REFUSAL_LEGAL:
            text += (f"案例集只介绍工会的做法和成效，不涉及「{verdict.detail}」这类法律程序或法律责任的判断；"
                     "具体问题请咨询工会法律服务窗口或律师。")
        elif kind == REFUSAL_OTHER_PLACE:
            text += f"案例集里的同类做法不在「{verdict.detail}」，可以参考其他地方的案例。"
        elif kind == REFUSAL_UNKNOWN_NAME:
            text += f"案例集中没有提到「{verdict.detail}」。本案例集只收录上海市基层工会的 60 个创新案例。"
        else:
            text += "我只能回答与这 60 个上海市基层工会创新案例有关的问题。"
        if offered:
            nearest = "；".join(f"《{h.case.title}》（{h.case.unit}）" for h in offered)
            text += f"\n\n可参考：{nearest}。"
        return text
