"""How well a sentence of the book answers a question: the question's words by their rarity, the asked-for fact,
where the sentence stands in its case; and which part of a long sentence to quote."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import sentences as sent
from .asking import HOWTO, OUTCOME, Asked, fact_marks, has_quantity, is_english
from .corpus import Case
from .lexicon import Lexicon
from .retrieval import CaseHit
from .sentences import Sentence

# Sentence score = the IDF of the question's words it holds (words naming the case count for less: they find the
# case, not the fact), plus these bonuses, in IDF units.
NAMING_WORD_WEIGHT = 0.3
SINGLE_CHARACTER_WEIGHT = 0.3
EXPANSION_WEIGHT = 0.5
FACT_BONUS = 3.0  # per unit of asked-for fact the sentence carries (a figure, one in the asked unit, a date …)
NO_FACT_PENALTY = 3.0  # a question asking for a figure gets little from a sentence without one
# An outcome is told in figures (5, not 1: on every answer tuning set more outcome answers carry all their key
# facts, 0.81 to 0.87 with three supports, and the opening line holds the asked-for figure more often, 0.71 to 0.76).
QUANTITY_BONUS = 5.0
SECTION_BONUS = 1.5  # the section the kind of question is answered from (成效 for outcomes)
HEAD_BONUS = 0.5
HEADING_CONTEXT = 0.5
BEST_PASSAGE_BONUS, OTHER_PASSAGE_BONUS = 2.0, 1.0
NAMED_BONUS = 1.5  # a quoted name (“…”, 《…》) is the programme a cadre can ask about
SECTIONS_FOR = {OUTCOME: ("成效",), HOWTO: ("做法", "案例简介")}
NAMED = re.compile(r"“[^”]{2,20}”|《[^》]{2,30}》")


@dataclass(frozen=True)
class Scored:
    score: float
    sentence: Sentence


class SentenceScorer:
    """Weights of a question's words by their rarity in the book's passages, and sentences ranked by them."""

    def __init__(self, lexicon: Lexicon, passages: list[str]) -> None:
        self.lexicon = lexicon
        frequencies: dict[str, int] = {}
        for text in passages:
            for token in set(lexicon.tokenize(text)):
                frequencies[token] = frequencies.get(token, 0) + 1
        self._idf = {t: math.log((len(passages) + 1) / (df + 0.5)) for t, df in frequencies.items()}
        self._passages = passages

    def idf(self, token: str) -> float:
        """Inverse passage frequency; a word jieba cuts differently inside passages (「健步走」) is counted where it
        occurs as written."""
        found = self._idf.get(token)
        if found is None:
            df = sum(token in text for text in self._passages)
            found = self._idf[token] = math.log((len(self._passages) + 1) / (df + 0.5))
        return found

    def weights(self, query: str, question: str | None = None) -> dict[str, float]:
        """The question's words and their weights. A single character counts for less, since it is found inside
        unrelated words too (「拉」 in 「拉扎斯」, 「进」 in 「推进」); so do the book's words the synonym list added
        (after the question, in the query): several ways of saying one thing are not several things. An English
        question's everyday words count in the book's words for them."""
        if question is not None and is_english(question):
            query = " ".join([query, *self.lexicon.english_wording(question)])
        tokens = list(dict.fromkeys(self.lexicon.tokenize(query)))
        own = set(self.lexicon.tokenize(question)) if question is not None else set(tokens)
        return {t: self.idf(t) * (SINGLE_CHARACTER_WEIGHT if len(t) == 1 else 1.0)
                * (1.0 if t in own else EXPANSION_WEIGHT)
                for t in tokens}

    @staticmethod
    def for_case(weights: dict[str, float], case: Case) -> dict[str, float]:
        """Words that name the case (its title, its unit) find the case, not the sentence that answers."""
        naming = case.title + case.unit
        return {t: w * (NAMING_WORD_WEIGHT if t in naming else 1.0) for t, w in weights.items()}

    @staticmethod
    def relevance(text: str, weights: dict[str, float]) -> float:
        """The weight of the question's words the text holds (tokens are lower case: 「app」 finds 「APP」)."""
        text = text.lower()
        return sum(w for t, w in weights.items() if t in text)

    def rank(self, items: Sequence[Sentence], weights: dict[str, float], want: Asked, hit: CaseHit | None = None,
             sections: tuple[str, ...] = ()) -> list[Scored]:
        """Sentences best first for what the question asks for."""
        own = [p.chunk.text for p in hit.passages] if hit else []
        best_passage, other_passages = (own[0], " ".join(own[1:])) if own else ("", "")
        # A numbered move or result is named by its heading: what the heading says counts for the sentences under it.
        heads = {(s.section, s.step): self.relevance(s.text, weights) for s in items if s.head}
        scored = []
        for s in items:
            score = self.relevance(s.text, weights)
            if not s.head:
                score += HEADING_CONTEXT * heads.get((s.section, s.step), 0.0)
            if want.wants_fact:
                marks = fact_marks(s.text, want)
                score += FACT_BONUS * marks if marks else -NO_FACT_PENALTY
            elif want.kind == OUTCOME and has_quantity(s.text):
                score += QUANTITY_BONUS
            if s.section in sections:
                score += SECTION_BONUS
            if s.head:
                score += HEAD_BONUS
            if s.text in best_passage:
                score += BEST_PASSAGE_BONUS
            elif s.text in other_passages:
                score += OTHER_PASSAGE_BONUS
            scored.append(Scored(score, s))
        return sorted(scored, key=lambda x: (-x.score, x.sentence.position))

    def cut(self, text: str, weights: dict[str, float], want: Asked, limit: int, named: bool = False,
            most: int | None = None) -> str:
        """The part of a sentence to quote: the clauses with the asked-for fact and the question's words (and, for
        a move, the programmes it names); `most`: the room left, which a whole sentence must fit."""
        def score(part: str) -> float:
            value = self.relevance(part, weights) + (FACT_BONUS * fact_marks(part, want) if want.wants_fact else 0.0)
            return value + (NAMED_BONUS * len(NAMED.findall(part)) if named else 0.0)

        return sent.clip(text, score, limit, most)

    @staticmethod
    def by_fact(ranked: list[Scored], want: Asked) -> list[Scored]:
        """The answer has to carry the asked-for fact: sentences holding more of it first, however well others
        match the question's words."""
        if not want.wants_fact:
            return ranked
        return sorted(ranked, key=lambda x: -fact_marks(x.sentence.text, want))
