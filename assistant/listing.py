"""Which cases a list question names: every case found with a sentence on the question's topic (any item of an
enumeration it makes), or a whole category of the book when the question asks for one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import sentences as sent
from .asking import HOWTO, Asked, fact_marks, strip_list_words
from .corpus import Case
from .retrieval import CaseHit
from .scoring import FACT_BONUS, SECTIONS_FOR, Scored, SentenceScorer
from .sentences import Sentence

# A list answer names every case found whose best sentence on the list's topic holds at least half of what the
# best case's does (tuning part of eval/answers.jsonl, list questions: 0.6 names 0.78 of the gold cases at
# precision 0.75, 0.5 names 0.87 at 0.70, 0.4 names 0.94 at 0.62).
LIST_SENTENCE_SHARE = 0.5
# A list's topic: the question's words rarer than this (in about an eighth of the passages or fewer).
TOPIC_IDF = 2.0
# 「那一类的四个案例」「三个案例各…」: the question asks for a whole category of the book.
_CATEGORY = re.compile(r"[这那此该同]一?类|类别|([两二三四五六七八九\d])个(?:提名)?案例")
_CN_DIGITS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


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
        listed = {t for item in alternatives for t in item}
        rest = self.scorer.for_case({t: w for t, w in topic.items() if t not in listed}, hit.case)
        best = None
        for s in sent.of_case(hit.case):
            value = self.scorer.relevance(s.text, rest)
            if alternatives:
                # An item and the book's words for it are one thing said several ways: its best word counts.
                text = s.text.lower()
                value += max(max((w for t, w in item.items() if t in text), default=0.0) for item in alternatives)
            if want.wants_fact:
                value += FACT_BONUS * fact_marks(s.text, want)
            if best is None or value > best.score:
                best = Scored(value, s)
        return best

    def matching(self, hits: list[CaseHit], question: str, query: str,
                  want: Asked) -> list[tuple[CaseHit, Sentence | None]]:
        """The cases the list names: each has a sentence nearly as much about the list's topic as the best case's
        best sentence; best first."""
        topic = self.topic(query) or self.scorer.weights(query, question)
        alternatives = self.alternatives(question, topic)
        scored = [(h, self.on_topic(h, topic, want, alternatives)) for h in hits]
        best = max((s.score for _, s in scored if s is not None), default=0.0)
        chosen = [(h, s) for h, s in scored if s is not None and s.score > 0 and s.score >= LIST_SENTENCE_SHARE * best]
        if not chosen:
            chosen = scored[:1]
        top = hits[0].score or 1.0
        chosen.sort(key=lambda hs: -(hs[1].score if hs[1] else 0.0) / (best or 1.0) - hs[0].score / top)
        return [(h, s.sentence if s else None) for h, s in chosen]

    def category(self, question: str, hits: list[CaseHit]) -> list[tuple[CaseHit, Sentence | None]]:
        """A question about a whole category (「…那一类的四个案例」): every case found of the category whose name
        the question uses most (the best case's category when it names none)."""
        found = _CATEGORY.search(question)
        if not found:
            return []
        weights = self.scorer.weights(strip_list_words(question))
        categories = list(dict.fromkeys(h.case.category for h in hits))
        named = {c: self.scorer.relevance(c, weights) for c in categories}
        category = max(categories, key=lambda c: (named[c], -categories.index(c)))
        members = [h for h in hits if h.case.category == category]
        count = found.group(1)
        if count and len(members) != (int(count) if count.isdigit() else _CN_DIGITS[count]) and not named[category]:
            return []
        if len(members) < 2:
            return []
        # Within a category its name fits every case: each case is told by its own first move, in the book's order
        # (so 「第二个」 is the second as the book prints them).
        return [(h, first_move(h.case)) for h in sorted(members, key=lambda h: h.case.book_order)]


def first_move(case: Case) -> Sentence | None:
    """What the case did first: the sentence introducing its moves, else its first move's heading."""
    items = [s for s in sent.of_case(case) if s.section in SECTIONS_FOR[HOWTO]] or list(sent.of_case(case))
    heads = [s for s in items if s.head]
    if heads:
        before = [s for s in items if s.position == heads[0].position - 1 and s.step < 0
                  and s.section == heads[0].section and not sent.announces(s.text)]
        return before[0] if before else heads[0]
    return items[0] if items else None
