"""Domain vocabulary: jieba tokenisation with our user dictionary, stop words, everyday-word synonyms and the English
names of the book's units, places, programmes and topics."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

_TOKEN = re.compile(r"[\w+]+")
# jieba tags of words that carry no topic: pronouns, adverbs, numerals, conjunctions, prepositions, particles,
# interjections, onomatopoeia, measure words.
FUNCTION_TAGS = ("r", "d", "m", "c", "p", "u", "y", "e", "o", "q")
# A question's subject starts after words with these tags and is made of words with these (and numbers, Latin).
_LEADING_TAGS = ("c", "d", "r", "p", "y", "e", "u")
_SUBJECT_TAGS = ("n", "j", "eng")
_NAME_PART = re.compile(r"[0-9A-Za-z〇]+")
_LATIN = re.compile(r"[A-Za-z]{2}")
# How jieba learns the names of bodies outside the book: as names (nz), as likely as the user dictionary's words.
NAME_TAG, NAME_FREQUENCY = "nz", 3000


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Synonym:
    everyday: tuple[str, ...]
    compendium: tuple[str, ...]


def _split_words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in re.split(r"[,，]", text) if word.strip())


def _rules(path: Path) -> tuple[Synonym, ...]:
    """Lines of 「word, word = the book's word, word」."""
    rules = []
    for line in _lines(path):
        left, sep, right = line.partition("=")
        if not sep:
            raise ValueError(f"{path.name}: missing '=' in {line!r}")
        rules.append(Synonym(_split_words(left), _split_words(right)))
    return tuple(rules)


class Lexicon:
    """Tokeniser and query expander; jieba is loaded on first use, once, thread-safely."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._tokenizer = None
        self._tagger = None

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(word for line in _lines(self.directory / "stopwords.txt") for word in line.split())

    @cached_property
    def synonyms(self) -> tuple[Synonym, ...]:
        return _rules(self.directory / "synonyms.txt")

    @cached_property
    def english(self) -> tuple[tuple[re.Pattern, tuple[str, ...]], ...]:
        """English names (Baosteel, Gucun, little red card) as whole-word patterns, with the book's words for them."""
        return self._english_rules("english.txt")

    @cached_property
    def english_elsewhere(self) -> tuple[tuple[re.Pattern, tuple[str, ...]], ...]:
        """English names of places and bodies the book does not contain (Hangzhou, Meituan), with their Chinese
        names."""
        return self._english_rules("english-elsewhere.txt")

    @cached_property
    def english_words(self) -> tuple[tuple[re.Pattern, tuple[str, ...]], ...]:
        """Everyday English words (satisfaction, dance, insurance), plural and past forms too, with the book's words
        for them."""
        return self._english_rules("english-words.txt", inflected=True)

    def _english_rules(self, name: str, inflected: bool = False) -> tuple[tuple[re.Pattern, tuple[str, ...]], ...]:
        path = self.directory / name
        rules = _rules(path) if path.exists() else ()
        ending = r"(?:s|es|d|ed|ing)?" if inflected else ""
        return tuple((re.compile(r"\b(?:" + "|".join(re.escape(w) for w in rule.everyday) + rf"){ending}\b",
                                 re.IGNORECASE), rule.compendium) for rule in rules)

    def english_wording(self, question: str) -> list[str]:
        """The book's words for the everyday English words of a question: they find the sentence that answers it
        inside a case, not the case (they would make any English question look like one about the book)."""
        return list(dict.fromkeys(w for pattern, words in self.english_words if pattern.search(question) for w in words))

    @cached_property
    def names_elsewhere_in_chinese(self) -> tuple[str, ...]:
        """Well-known companies and bodies the book does not contain (美团, 携程, 拼多多): jieba learns them as names."""
        path = self.directory / "names-elsewhere.txt"
        return tuple(word for line in _lines(path) for word in line.split()) if path.exists() else ()

    def names_elsewhere(self, question: str) -> list[str]:
        """The Chinese names of the places and bodies outside the book that an English question names."""
        return [word for pattern, words in self.english_elsewhere if pattern.search(question) for word in words]

    def _jieba(self):
        with self._lock:
            if self._tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                with open(self.directory / "userdict.txt", "rb") as userdict:
                    tokenizer.load_userdict(userdict)
                for name in self.names_elsewhere_in_chinese:
                    tokenizer.add_word(name, NAME_FREQUENCY, NAME_TAG)
                self._tokenizer = tokenizer
            return self._tokenizer

    @lru_cache(maxsize=512)  # noqa: B019 - one lexicon per index; a question is tagged by several readers
    def tag(self, text: str) -> tuple[tuple[str, str], ...]:
        """The text's words with jieba's part-of-speech tags (same dictionary as `tokenize`)."""
        return tuple((pair.word, pair.flag) for pair in self._posseg().cut(text))

    def subject(self, text: str) -> list[tuple[str, str]]:
        """What a question is about, with jieba's tags: its leading noun phrase, after 那/请问-like words
        (conjunctions, adverbs, pronouns, prepositions, particles), nouns joined by 的 (新天地的商户), with numbers and
        Latin letters (M50创意园)."""
        pairs = self.tag(text)
        start = next((i for i, (_, tag) in enumerate(pairs) if not tag.startswith(_LEADING_TAGS)), len(pairs))
        found = []
        for i in range(start, len(pairs)):
            word, tag = pairs[i]
            if tag == "uj" and i > start:
                continue  # one phrase
            if not (tag.startswith(_SUBJECT_TAGS) or _NAME_PART.fullmatch(word)):
                break
            found.append((word, tag))
        return found

    def dictionary_tag(self, word: str) -> str:
        """The part of speech jieba's dictionary gives the word ('' when it has none)."""
        return self._posseg().word_tag_tab.get(word, "")

    def _posseg(self):
        tokenizer = self._jieba()
        with self._lock:
            if self._tagger is None:
                import jieba.posseg

                self._tagger = jieba.posseg.POSTokenizer(tokenizer)
            return self._tagger

    def function_words(self, text: str) -> set[str]:
        """The text's words that carry no topic, by their jieba tags: pronouns, adverbs, numerals, conjunctions,
        prepositions, particles, measure words (自己, 一起, 这么, 几个)."""
        return {word for word, tag in self.tag(text) if tag[:1] in FUNCTION_TAGS}

    def tokenize(self, text: str) -> list[str]:
        """Search tokens (overlapping sub-words) without stop words or punctuation."""
        words = self._jieba().lcut_for_search(text.lower())
        return [w for w in words if _TOKEN.fullmatch(w) and w not in self.stopwords]

    @cached_property
    def _topic_words(self) -> re.Pattern:
        words = {w for rule in self.synonyms for w in (*rule.everyday, *rule.compendium) if len(w) > 1}
        return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))

    def mask_topics(self, text: str) -> str:
        """The text with the book's topics (外卖骑手, 保姆, 网约送餐员, 入会 … both sides of the synonym list) as 「某」:
        what is left is how the question asks."""
        return self._topic_words.sub("某", text)

    def english_names(self, question: str) -> list[str]:
        """The book's names for the English names a question says (Tianping subdistrict → 天平街道, 天平路街道, 天平)."""
        return [w for pattern, words in self.english if pattern.search(question) for w in words]

    def expansion(self, question: str) -> list[str]:
        """The compendium's words for the everyday words and English names found in the question."""
        extra: list[str] = []
        found = [rule.compendium for rule in self.synonyms if any(word in question for word in rule.everyday)]
        if _LATIN.search(question):
            found.append(self.english_names(question))
        for words in found:
            extra += [w for w in words if w not in question and w not in extra]
        return extra

    def expand(self, question: str) -> str:
        extra = self.expansion(question)
        return f"{question} {' '.join(extra)}" if extra else question

