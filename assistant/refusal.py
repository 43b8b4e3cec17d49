"""Decide, before any answer is written, whether the compendium can answer a question at all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .lexicon import Lexicon
from .retrieval import SearchResult

# Requests to change the assistant's rules are data, never instructions.
INJECTION = re.compile(
    r"(忽略|无视|忘记|忘掉|不要管|跳过).{0,8}(指令|指示|规则|提示|设定|要求|限制)"
    r"|(系统|system)\s*(提示词|提示|prompt)|扮演|你现在是|越狱|jailbreak"
    r"|ignore\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above)|disregard\s+.*instructions",
    re.IGNORECASE,
)
YEAR = re.compile(r"((?:19|20)\d\d)\s*年?")
EDITION = re.compile(r"((?:19|20)\d\d)\s*年度")
COMPENDIUM_YEAR = "2017"
# jieba part-of-speech tags of names: places, organisations, brands (plain person names are too noisy).
PROPER_NOUN_TAGS = ("ns", "nt", "nz", "nrt")
# Words jieba tags as names that are not names of anything a question could be about.
NOT_NAMES = frozenset({"英文", "英语", "中文", "汉语", "普通话", "上海话"})
LATIN = re.compile(r"[A-Za-z]")
# Unrelated Chinese questions score about 0.83-0.87 against every passage; related ones 0.89 and up.
MIN_DENSE = 0.87
# Thresholds calibrated on eval/questions.jsonl (see README): weak lexical evidence that the dense and
# BM25 rankings do not agree on, or a best case that covers few of the question's words.
MIN_BM25_WITHOUT_AGREEMENT, MAX_CASE_COVERAGE_WITHOUT_AGREEMENT = 4.0, 0.5
MIN_CASE_COVERAGE, MIN_BM25_AT_LOW_COVERAGE = 0.25, 8.0
# English questions have no BM25 evidence; only the cross-lingual dense score speaks for them.
MIN_DENSE_LATIN = 0.76


@dataclass(frozen=True)
class Verdict:
    refused: bool
    reason: str = ""
    coverage: float = 1.0


class RefusalGate:
    """Combines rules that hold for unseen questions: unknown years, places and names; topic coverage."""

    def __init__(self, lexicon: Lexicon, corpus_text: str) -> None:
        self.lexicon = lexicon
        self.corpus_text = corpus_text

    @cached_property
    def _years(self) -> frozenset[str]:
        return frozenset(YEAR.findall(self.corpus_text))

    @cached_property
    def _everyday_words(self) -> frozenset[str]:
        return frozenset(word for rule in self.lexicon.synonyms for word in rule.everyday)

    @cached_property
    def _posseg(self):
        import jieba.posseg

        return jieba.posseg.POSTokenizer(self.lexicon._jieba())

    def unknown_names(self, question: str) -> list[str]:
        """Place, organisation and brand names the compendium never mentions."""
        return [
            pair.word for pair in self._posseg.cut(question)
            if pair.flag in PROPER_NOUN_TAGS and len(pair.word) > 1 and pair.word not in self.corpus_text
            and pair.word not in self._everyday_words and pair.word not in NOT_NAMES
        ]

    def coverage(self, question: str, text: str | None = None) -> float:
        """Share of the question's content words found in `text` (default: the compendium or our synonyms)."""
        tokens = list(dict.fromkeys(self.lexicon.tokenize(question)))
        if not tokens:
            return 0.0
        if text is not None:
            return sum(t in text for t in tokens) / len(tokens)
        known = [t for t in tokens if t in self.corpus_text or any(t in w or w in t for w in self._everyday_words)]
        return len(known) / len(tokens)

    def check(self, question: str, result: SearchResult) -> Verdict:
        if INJECTION.search(question):
            return Verdict(True, "injection")
        other_years = [y for y in YEAR.findall(question) if y not in self._years]
        other_years += [y for y in EDITION.findall(question) if y != COMPENDIUM_YEAR]
        if other_years:
            return Verdict(True, f"year:{other_years[0]}")
        if not result.hits:
            return Verdict(True, "no-hits", 0.0)
        if len(LATIN.findall(question)) > len(question) / 2:
            refused = result.top_dense < MIN_DENSE_LATIN
            return Verdict(refused, "off-topic" if refused else "", 0.0)
        names = self.unknown_names(question)
        if names:
            return Verdict(True, f"unknown:{names[0]}")
        coverage = self.coverage(question)
        best = result.hits[0].case
        case_coverage = self.coverage(question, best.searchable_text)
        strong_lexical = result.agreement and result.top_bm25 >= MIN_BM25_AT_LOW_COVERAGE
        # top_dense is 0 when the configuration ran no dense search (bm25 only): then it is no evidence.
        dense_weak = 0.0 < result.top_dense < MIN_DENSE
        if coverage == 0.0 or (dense_weak and not strong_lexical):
            return Verdict(True, "off-topic", coverage)
        weak = result.top_bm25 < MIN_BM25_WITHOUT_AGREEMENT and not result.agreement
        if weak and case_coverage < MAX_CASE_COVERAGE_WITHOUT_AGREEMENT:
            return Verdict(True, "off-topic", coverage)
        if case_coverage < MIN_CASE_COVERAGE and result.top_bm25 < MIN_BM25_AT_LOW_COVERAGE:
            return Verdict(True, "off-topic", coverage)
        return Verdict(False, "", coverage)
