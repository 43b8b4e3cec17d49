"""Decide, before any answer is written, whether the compendium can answer a question at all."""

from __future__ import annotations

import re
from functools import cached_property

from .lexicon import Lexicon
from .retrieval import SearchResult
from .types import (
    REFUSAL_INJECTION,
    REFUSAL_NO_HITS,
    REFUSAL_OFF_TOPIC,
    REFUSAL_UNKNOWN_NAME,
    REFUSAL_YEAR,
    Verdict,
)

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
# The dictionary's own name tags are noisy (东西 ns, 保姆 nrt, 聊天 nz), so a dictionary word counts as a place
# only when its administrative form is common beside it in jieba's word counts: 北京市 is 10% of 北京, 杭州市 6%,
# while words that merely can be a county stay under 1% (商城县, 新建县, 长安县).
PLACE_SUFFIXES = "省市区县镇乡州"
MIN_PLACE_FORM_SHARE = 0.05
LATIN = re.compile(r"[A-Za-z]")
# Unrelated Chinese questions score about 0.83-0.87 against every passage; related ones 0.89 and up.
MIN_DENSE = 0.87
# Thresholds calibrated on eval/questions.jsonl (see README): weak lexical evidence that the dense and
# BM25 rankings do not agree on, or a best case that covers few of the question's words.
MIN_BM25_WITHOUT_AGREEMENT, MAX_CASE_COVERAGE_WITHOUT_AGREEMENT = 4.0, 0.5
MIN_CASE_COVERAGE, MIN_BM25_AT_LOW_COVERAGE = 0.25, 8.0
# A question this close in meaning to a passage is answered even when its everyday words are not the
# compendium's (a cadre's paraphrase): lexical evidence only decides below it.
STRONG_DENSE = 0.895
# English questions have no BM25 evidence; only the cross-lingual dense score speaks for them.
MIN_DENSE_LATIN = 0.76


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

    @cached_property
    def _word_counts(self) -> dict[str, int]:
        return self.lexicon._jieba().FREQ

    def is_name(self, word: str, tag: str) -> bool:
        """A name jieba had to guess (not in its dictionary, tagged as a name: 美团, 顺丰), or a place in it
        (北京, 朝阳区)."""
        if tag not in PROPER_NOUN_TAGS or len(word) < 2:
            return False
        count = self._word_counts.get(word)
        if not count:
            return True
        if tag != "ns":
            return False
        if len(word) > 2 and word[-1] in PLACE_SUFFIXES:
            return True
        return max(self._word_counts.get(word + suffix, 0) for suffix in PLACE_SUFFIXES) >= MIN_PLACE_FORM_SHARE * count

    def unknown_names(self, question: str) -> list[str]:
        """Place, organisation and brand names the compendium never mentions."""
        return [
            pair.word for pair in self._posseg.cut(question)
            if self.is_name(pair.word, pair.flag) and pair.word not in self.corpus_text
            and pair.word not in self._everyday_words
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
            return Verdict(True, REFUSAL_INJECTION)
        other_years = [y for y in YEAR.findall(question) if y not in self._years]
        other_years += [y for y in EDITION.findall(question) if y != COMPENDIUM_YEAR]
        if other_years:
            return Verdict(True, REFUSAL_YEAR, other_years[0])
        if not result.hits:
            return Verdict(True, REFUSAL_NO_HITS, coverage=0.0)
        if len(LATIN.findall(question)) > len(question) / 2:
            refused = result.top_dense < MIN_DENSE_LATIN
            return Verdict(refused, REFUSAL_OFF_TOPIC if refused else "", coverage=0.0)
        names = self.unknown_names(question)
        if names:
            return Verdict(True, REFUSAL_UNKNOWN_NAME, names[0])
        coverage = self.coverage(question)
        best = result.hits[0].case
        case_coverage = self.coverage(question, best.searchable_text)
        strong_lexical = result.agreement and result.top_bm25 >= MIN_BM25_AT_LOW_COVERAGE
        # top_dense is 0 when the configuration ran no dense search (bm25 only): then it is no evidence.
        dense_weak = 0.0 < result.top_dense < MIN_DENSE
        if coverage == 0.0 or (dense_weak and not strong_lexical):
            return Verdict(True, REFUSAL_OFF_TOPIC, coverage=coverage)
        if result.top_dense >= STRONG_DENSE:
            return Verdict(False, coverage=coverage)
        weak = result.top_bm25 < MIN_BM25_WITHOUT_AGREEMENT and not result.agreement
        if weak and case_coverage < MAX_CASE_COVERAGE_WITHOUT_AGREEMENT:
            return Verdict(True, REFUSAL_OFF_TOPIC, coverage=coverage)
        if case_coverage < MIN_CASE_COVERAGE and result.top_bm25 < MIN_BM25_AT_LOW_COVERAGE:
            return Verdict(True, REFUSAL_OFF_TOPIC, coverage=coverage)
        return Verdict(False, coverage=coverage)
