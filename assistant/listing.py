"""Which cases a list question names: every case found with a sentence on the question's topic (any item of an
enumeration it makes), or a whole category of the book when the question asks for one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from . import sentences as sent
from .asking import HOWTO, Asked, fact_marks, strip_list_words
from .corpus import (
    AWARD_NOMINATED,
    AWARD_SPECIAL,
    AWARD_TOP,
    Case,
    ExpertComment,
    compact,
    numeral_value,
    shortened_in,
)
from .retrieval import CaseHit
from .scoring import FACT_BONUS, NAMED, NAMED_BONUS, SECTIONS_FOR, Scored, SentenceScorer
from .sentences import Sentence

# A list answer names every case found whose best sentence on the list's topic holds at least half of what the
# best case's does (tuning part of eval/answers.jsonl, list questions: 0.6 names 0.78 of the gold cases at
# precision 0.75, 0.5 names 0.87 at 0.70, 0.4 names 0.94 at 0.62).
LIST_SENTENCE_SHARE = 0.5
# A list's topic: the question's words rarer than this (in about an eighth of the passages or fewer).
TOPIC_IDF = 2.0
# A list whose topic words are mostly (by weight) in a category's name asks for that category.
CATEGORY_TOPIC_SHARE = 0.5
# A shortened word leaves out at most this many characters between two it keeps (国企: 国有企业).
ABBREVIATED_GAP = 2
# 「那一类的四个案例」「三个案例各…」: the question asks for a whole category of the book.
_CATEGORY = re.compile(r"[这那此该同]一?[类组]|类别|([两二三四五六七八九\d])个(?:提名)?案例")
# Lists by how the book is arranged: a category of one case, a unit with two.
_OWN_CATEGORY = re.compile(r"单独成?一?类|自成一类|独立成类|一类只有一个")
_SAME_UNIT = re.compile(r"同一(?:个|家)?(?:申报)?(?:单位|工会|企业)")
_SEVERAL = re.compile(r"[两二2几多]个")
# Words many units hold that name no one unit or place: 「上海」「工会」「街道」 pick no cases out.
_GENERIC_UNIT_WORDS = frozenset("上海 上海市 中国 工会 总工 总工会 街道 行业 集团 公司 有限 有限公司 分公司 股份 委员 "
                                "委员会 联合 联合会 工会联合会 单位 系统 案例 入选 获奖 下面 下属 这本 哪些 几个 "
                                "报送 申报 选送 参评 上榜 评上 报上 上来 报上来 收进 收录 入围 "  # how a unit's case came in
                                "来自 属于 名称 写明 开头 创新".split())  # how a question points at a unit
_GENERIC_LONGEST_FIRST = tuple(sorted(_GENERIC_UNIT_WORDS, key=len, reverse=True))  # 总工会 before 工会


# How a question names an award tier.
_AWARD_WORDS = {AWARD_SPECIAL: r"特等奖", AWARD_TOP: r"十大|十佳", AWARD_NOMINATED: r"提名"}


class ListMatcher:
    """Finds the cases a list question asks for among those the search found."""

    def __init__(self, scorer: SentenceScorer) -> None:
        self.scorer = scorer
        self.lexicon = scorer.lexicon

    def topic(self, query: str) -> dict[str, float]:
        """The words a list question is about: its rarer words, without the words that ask for the list, without
        function words (自己, 一起, 这么: pronouns, adverbs, numerals by jieba's tags)."""
        text = strip_list_words(query)
        function_words = self.lexicon.function_words(text)
        weights = self.scorer.weights(text)  # the book's words for the question's words count in full: a list needs them
        return {t: w for t, w in weights.items() if self.scorer.idf(t) >= TOPIC_IDF and t not in function_words}

    def alternatives(self, question: str, topic: dict[str, float]) -> list[dict[str, float]]:
        """The items of an enumeration in the question (「外卖小哥、快递员、保姆、护工」), each with its topic words and
        the book's words for it: any one of them answers, so a case is scored by the best item it holds."""
        items = []
        for clause in re.split(r"[，,。？?！!；;]", strip_list_words(question)):
            parts = [p for p in clause.split("、") if p.strip()]
            if len(parts) < 2:
                continue
            # 「扫马路的、送快递的这些在户外干活的人」: what follows 这些/等 is shared by all the items.
            parts[-1] = re.split(r"这些|这类|这种|这样的|之类|等", parts[-1])[0]
            for part in parts:
                words = set(self.lexicon.tokenize(part)) | set(self.lexicon.tokenize(" ".join(
                    self.lexicon.expansion(part))))
                items.append({t: w for t, w in topic.items() if t in words})
        return [item for item in items if item]

    def on_topic(self, hit: CaseHit, topic: dict[str, float], want: Asked,
                  alternatives: Sequence[dict[str, float]] = ()) -> Scored | None:
        """The case's sentence most about the list's topic; words of an enumeration count by its best item."""
        rest = self.scorer.for_case(self._own(topic, alternatives), hit.case)
        best = None
        for s in sent.of_case(hit.case):
            value = self._about(s.text, rest, alternatives)
            if want.wants_fact:
                value += FACT_BONUS * fact_marks(s.text, want)
            elif value > 0 and NAMED.search(s.text):
                value += NAMED_BONUS  # the line names the case's programme (“88共享出行”), which a cadre can ask about
            if best is None or value > best.score:
                best = Scored(value, s)
        return best

    def _about(self, text: str, weights: dict[str, float], alternatives: Sequence[dict[str, float]]) -> float:
        value = self.scorer.relevance(text, weights)
        if alternatives:
            # An item and the book's words for it are one thing said several ways: its best word counts.
            value += max(max((w for t, w in item.items() if t in text.lower()), default=0.0) for item in alternatives)
        return value

    @staticmethod
    def _own(topic: dict[str, float], alternatives: Sequence[dict[str, float]]) -> dict[str, float]:
        listed = {t for item in alternatives for t in item}
        return {t: w for t, w in topic.items() if t not in listed}

    def matching(self, hits: list[CaseHit], question: str, query: str,
                  want: Asked) -> list[tuple[CaseHit, Sentence | None]]:
        """The cases the list names: each has a sentence nearly as much about the list's topic as the best case's
        best sentence, or a title that is (the title says what the whole case is about, its words in full, while a
        sentence counts them less: 「组建农业合作社工会…」 whose sentences say 农民专业合作社); best first."""
        topic = self.topic(query) or self.scorer.weights(query, question)
        alternatives = self.alternatives(question, topic)
        own = self._own(topic, alternatives)
        scored = [(h, self.on_topic(h, topic, want, alternatives)) for h in hits]
        best = max((s.score for _, s in scored if s is not None), default=0.0)
        about = {h.case.id: max(s.score, self._about(h.case.title, own, alternatives)) for h, s in scored if s is not None}
        chosen = [(h, s) for h, s in scored if s is not None and about[h.case.id] > 0
                  and about[h.case.id] >= LIST_SENTENCE_SHARE * best]
        if not chosen:
            chosen = scored[:1]
        top = hits[0].score or 1.0
        chosen.sort(key=lambda hs: -(about[hs[0].case.id] if hs[1] else 0.0) / (best or 1.0) - hs[0].score / top)
        return [(h, s.sentence if s else None) for h, s in chosen]

    def by_book_field(self, question: str, hits: list[CaseHit],
                      cases: Sequence[Case]) -> list[tuple[CaseHit, Sentence | None]]:
        """The cases (of `cases`, the book's within the filters, in its order; the search finds only some) a list
        question picks by what the book says of them rather than by topic: the expert it names commented on them
        (「石云教授点评了哪些案例？」), or their unit names the place or organisation it names (「杨浦区有哪些案例？」
        「中国移动上海的工会有两个案例」) and it asks about nothing else; in the book's order."""
        named = self.experts_named(question, cases)
        if named:
            names = {e.expert for e in named}
            members = [c for c in cases if any(e.expert in names for e in c.expert_comments)]
        else:
            members = self._by_unit(question, cases) or self._by_structure(question, cases)
        if len(members) < 2:
            return []
        found = {h.case.id: h for h in hits}
        return [(found.get(c.id) or CaseHit(c, 0.0, ()), first_move(c)) for c in members]

    @staticmethod
    def experts_named(question: str, cases: Sequence[Case]) -> list[ExpertComment]:
        """The commenting experts the question names (「石云教授点评了哪些案例？」), each once."""
        experts = {c.expert: c for case in cases for c in case.expert_comments if c.expert and c.expert in question}
        return list(experts.values())

    def _by_unit(self, question: str, cases: Sequence[Case]) -> list[Case]:
        """The cases whose unit holds the longest word of the question that two or more units hold, when the rest of
        the question names no topic of its own."""
        units = {c.id: compact(c.unit) for c in cases}
        holding = {w: sum(w in u for u in units.values()) for w in self.lexicon.tokenize(question) if len(w) > 1}
        # Longest first, then held by the fewest units (南翔 before 嘉定 in 「嘉定南翔镇总工会」), ties in the question's
        # order (a set's order changes from one process to the next).
        words = sorted(holding, key=lambda w: (-len(w), holding[w]))
        shared = [w for w in words if holding[w] >= 2 and w not in _GENERIC_UNIT_WORDS]
        if not shared:
            return []
        word = shared[0]
        members = [c for c in cases if word in units[c.id]]
        rest = strip_list_words(question).replace(word, " ")
        # The rest of the name all these units share (「黄浦区南京东路街道总工会」) is no topic; 「徐汇区有哪些给环卫工人
        # 歇脚的地方？」「搞过快递行业工会的有哪些地方？」 ask for a topic within the place or the kind of union.
        if any(len(t) > 1 and t not in _GENERIC_UNIT_WORDS and t not in word and word not in t
               and not all(t in units[c.id] for c in members) for t in self.topic(rest)):
            return []
        return members

    @staticmethod
    def _by_structure(question: str, cases: Sequence[Case]) -> list[Case]:
        """The cases a question picks by how the book is arranged: those whose unit has another case too (「同一个单位
        有两个案例入选的」), or those alone in their category (「单独成一类的是哪几个」)."""
        if _OWN_CATEGORY.search(question):
            sizes = Counter(c.category for c in cases)
            return [c for c in cases if sizes[c.category] == 1]
        if _SAME_UNIT.search(question) and _SEVERAL.search(question):
            sizes = Counter(c.unit for c in cases)
            return [c for c in cases if sizes[c.unit] > 1]
        return []

    def category(self, question: str, hits: list[CaseHit],
                 cases: Sequence[Case]) -> list[tuple[CaseHit, Sentence | None]]:
        """A question about a whole category (「…那一类的四个案例」, or a list whose topic is mostly a category's name, in
        its words or shortened: 「集体协商这一块有哪几个案例？」「国企帮带非公企业的例子」): every case of the category
        whose name the question uses most among those found (the best case's category when it names none), found or
        not (of `cases`, the book's within the filters)."""
        found = _CATEGORY.search(question)
        weights = self.scorer.weights(strip_list_words(question))
        # A category is named by its heading and by the award all its cases hold (「劳动竞赛那一类提名案例」).
        awards = {c.category: c.award for c in cases}
        names = {c: f"{c} {awards.get(c, '')}" for c in dict.fromkeys(h.case.category for h in hits)}
        categories = list(names)
        named = {c: self.scorer.relevance(names[c], weights) for c in categories}
        category = max(categories, key=lambda c: (named[c], -categories.index(c)))
        if not found:
            topic = self.topic(question)
            named_topic = sum(w for t, w in topic.items() if shortens(t, names[category].lower()))
            if not any(shortens(t, category.lower()) for t in topic) \
                    or named_topic < CATEGORY_TOPIC_SHARE * sum(topic.values()):
                return []  # the award alone names no category (「提名奖里街道总工会报的有哪些」)
        found_hits = {h.case.id: h for h in hits}
        members = [found_hits.get(c.id) or CaseHit(c, 0.0, ()) for c in cases if c.category == category]
        count = found.group(1) if found else None
        if count and len(members) != numeral_value(count) and not named[category]:
            return []
        if len(members) < 2:
            return []
        # Within a category its name fits every case: each case is told by its own first move, in the book's order
        # (so 「第二个」 is the second as the book prints them).
        return [(h, first_move(h.case)) for h in sorted(members, key=lambda h: h.case.book_order)]


    @staticmethod
    def of_award(question: str, chosen: list[tuple[CaseHit, Sentence | None]]) -> list[tuple[CaseHit, Sentence | None]]:
        """Those of the award the question names (「提名奖里…有哪些」「十大案例里…」), when it names one and any holds it."""
        named = [award for award, words in _AWARD_WORDS.items() if re.search(words, question)]
        kept = [(h, s) for h, s in chosen if h.case.award in named]
        return kept if len(named) == 1 and kept else chosen


def distinctive(word: str) -> bool:
    """A word of a unit's name that tells the unit from others: more than the words many units hold (not 行业工会,
    which is 行业 and 工会)."""
    rest = word
    for generic in _GENERIC_LONGEST_FIRST:
        rest = rest.replace(generic, "")
    return len(rest) > 1


def shortens(word: str, name: str) -> bool:
    """The name says the word, or the longer word it shortens (国企 of 国有企业)."""
    return word in name or (len(word) > 1 and shortened_in(word, name, ABBREVIATED_GAP))


def first_move(case: Case) -> Sentence | None:
    """What the case did first: the sentence introducing its moves, else its first move's heading."""
    items = [s for s in sent.of_case(case) if s.section in SECTIONS_FOR[HOWTO]] or list(sent.of_case(case))
    heads = [s for s in items if s.head]
    if heads:
        before = [s for s in items if s.position == heads[0].position - 1 and s.step < 0
                  and s.section == heads[0].section and not sent.announces(s.text)]
        return before[0] if before else heads[0]
    return items[0] if items else None
