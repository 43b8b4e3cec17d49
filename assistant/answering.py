"""The extractive composer: what the question asks, and which verbatim sentences of which cases answer it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .chunking import KIND_EXPERT
from .corpus import Case
from .evidence import LIST_CASE_SHARE, leading_cases
from .lexicon import Lexicon
from .retrieval import CaseHit
from .types import Citation, reference_list

# First match wins: the order settles questions that fit two intents ("取得了多少成效" is about results).
INTENTS = (
    ("expert", re.compile(r"专家|点评|评价|评述|怎么看|expert", re.I)),
    ("multi", re.compile(r"哪些案例|哪几个|几个案例|比较|对比|区别|异同|有什么不同|有何不同|列举|which cases", re.I)),
    ("outcome", re.compile(r"成效|效果|结果|成果|成绩|收获|好处|带来|取得|有什么变化|有何变化|意义|怎么样(?!才)|好转|改善|"
                           r"提高了|提升了|增加了|省了|少了|见效|管用|什么程度|咋样|[多少高低]不[多少高低]|result|outcome",
                           re.I)),
    ("which", re.compile(r"哪个单位|哪家|哪个案例|哪一个|谁|哪个|哪里|什么单位|出自|which|who", re.I)),
    ("fact", re.compile(r"多少|几[个名家人次年月天]|哪天|哪一天|什么时候|何时|哪年|日期|电话|热线|号码|叫什么|比例|金额|"
                        r"how many|when", re.I)),
    ("howto", re.compile(r"怎么|如何|怎样|做法|办法|措施|步骤|经验|方法|举措|how", re.I)),
)
SECTIONS_FOR = {
    "howto": ("做法", "案例简介", "概述", "背景"),
    "outcome": ("成效", "案例简介", "做法"),
}
# A sentence; a short numbered point heading ("1. 开展调研。") stays with the sentence after it.
_SENTENCE = re.compile(r"(?:\d+\s*[.．、]\s*[^。！？；!?;\n]{1,24}[。；;]\s*)?[^。！？；!?;\n]+[。！？；!?;]?")
# A number with a unit is a figure worth quoting; a bare digit in a name ("88 共享出行") is not.
_QUANTITY = re.compile(r"\d[\d.,，]*\s*(%|％|余|多|元|万|亿|人|名|家|个|次|项|天|年|月|日|所|座|套|期|场|张|份|户|台|"
                       r"条|件|倍|公里|平方米|小时|对|支|处|包|批)")
# How many sentences an answer quotes from one case, by intent; steps and results are lists worth giving whole.
SENTENCES_ONE_CASE = {"howto": 8, "outcome": 7, "expert": 5}
SENTENCES_DEFAULT = 5
SENTENCES_PER_CASE = 3
# A paragraph that opens with "1." or is a short heading line names a step or a result: worth quoting.
_POINT = re.compile(r"^(\d+\s*[.．、]|[一二三四五六七八九十]是|第[一二三四五六七八九十])")
_ASKS_NUMBER = re.compile(r"多少|几|比例|率|金额|how many|how much", re.I)
# Sentence score = sum of the IDF of the query words it contains, plus these bonuses (in IDF units).
POINT_BONUS = 2.0
NUMBER_BONUS = 1.5
NO_NUMBER_PENALTY = 2.0
BEST_PASSAGE_BONUS, OTHER_PASSAGE_BONUS = 2.0, 1.0


def intent(question: str) -> str:
    """What kind of answer the question wants: howto, outcome, which, fact, expert or multi."""
    return next((name for name, pattern in INTENTS if pattern.search(question)), "howto")


@dataclass(frozen=True)
class Evidence:
    """The sentences taken from one case to answer the question."""

    case: Case
    section: str
    sentences: tuple[str, ...]


class ExtractiveComposer:
    """Composes an answer from verbatim sentences of the best cases; needs no language model."""

    def __init__(self, lexicon: Lexicon, passages: list[str]) -> None:
        self.lexicon = lexicon
        frequencies: dict[str, int] = {}
        for text in passages:
            for token in set(lexicon.tokenize(text)):
                frequencies[token] = frequencies.get(token, 0) + 1
        self._idf = {t: math.log((len(passages) + 1) / (df + 0.5)) for t, df in frequencies.items()}
        self._unknown_idf = math.log(len(passages) + 1)

    def idf(self, token: str) -> float:
        return self._idf.get(token, self._unknown_idf)

    def choose_cases(self, hits: list[CaseHit], kind: str) -> list[CaseHit]:
        if kind != "multi" or len(hits) < 2:
            return hits[:1]
        return leading_cases(hits, LIST_CASE_SHARE)

    def evidence(self, hit: CaseHit, query: str, kind: str, count: int) -> Evidence:
        """The best sentences of the case for this question, in their original order."""
        tokens = {t: self.idf(t) for t in self.lexicon.tokenize(query)}
        asks_number = kind in ("fact", "outcome") and bool(_ASKS_NUMBER.search(query))
        if kind == "expert" and hit.case.expert_comments:
            texts = [(f"专家点评（{c.expert}）", c.text) for c in hit.case.expert_comments]
        else:
            preferred = SECTIONS_FOR.get(kind, ())
            sections = [s for name in preferred for s in hit.case.sections if s.name == name][:1]
            texts = [(s.name, s.text) for s in (sections or hit.case.sections)]
        own = [p.chunk.text for p in hit.passages if p.chunk.case_id == hit.case.id or p.chunk.kind == KIND_EXPERT]
        best_passage, other_passages = (own[0], " ".join(own[1:])) if own else ("", "")
        candidates = []
        for name, text in texts:
            for paragraph in text.split("\n"):
                for i, sentence in enumerate(_SENTENCE.findall(paragraph)):
                    sentence = sentence.strip()
                    if len(sentence) < 6:
                        continue
                    score = sum(weight for t, weight in tokens.items() if t in sentence)
                    if kind in ("outcome", "fact") and _QUANTITY.search(sentence):
                        score += NUMBER_BONUS
                    elif asks_number:
                        score -= NO_NUMBER_PENALTY
                    if kind in ("howto", "outcome") and i == 0 and (_POINT.match(sentence) or len(paragraph) <= 25):
                        score += POINT_BONUS
                    if sentence in best_passage:
                        score += BEST_PASSAGE_BONUS
                    elif sentence in other_passages:
                        score += OTHER_PASSAGE_BONUS
                    candidates.append((score, len(candidates), name, sentence))
        best = sorted(candidates, key=lambda c: (-c[0], c[1]))[:count]
        best.sort(key=lambda c: c[1])
        section = best[0][2] if best else (texts[0][0] if texts else "")
        return Evidence(hit.case, section, tuple(c[3] for c in best))

    def compose(self, question: str, query: str, hits: list[CaseHit]) -> tuple[str, tuple[Citation, ...]]:
        kind = intent(question)
        chosen = self.choose_cases(hits, kind)
        count = SENTENCES_ONE_CASE.get(kind, SENTENCES_DEFAULT) if len(chosen) == 1 else SENTENCES_PER_CASE
        evidence = [self.evidence(hit, query, kind, count) for hit in chosen]
        citations = tuple(
            Citation(n, e.case.id, e.case.title, e.case.unit, e.case.award, e.section, "".join(e.sentences))
            for n, e in enumerate(evidence, start=1)
        )
        lines = [self._opening(kind, evidence), ""]
        for n, item in enumerate(evidence, start=1):
            if len(evidence) > 1:
                lines.append(f"**《{item.case.title}》（{item.case.unit}）**")
            lines += [f"- {sentence} [{n}]" for sentence in item.sentences]
            if len(evidence) > 1:
                lines.append("")
        lines += ["", reference_list(citations)]
        return "\n".join(lines).replace("\n\n\n", "\n\n").strip(), citations

    @staticmethod
    def _opening(kind: str, evidence: list[Evidence]) -> str:
        first = evidence[0].case
        named = f"《{first.title}》（{first.unit}）"
        if len(evidence) > 1:
            listed = "、".join(f"《{e.case.title}》（{e.case.unit}）" for e in evidence)
            return f"案例集中有 {len(evidence)} 个相关案例：{listed}。要点如下 [1]–[{len(evidence)}]："
        if kind == "expert" and first.expert_comments:
            experts = "、".join(f"{c.affiliation} {c.expert}" for c in first.expert_comments)
            return f"关于{named}，专家点评来自{experts}，要点如下 [1]："
        openings = {
            "howto": f"可以参考{named}的做法 [1]：",
            "outcome": f"{named}取得的成效如下 [1]：",
            "which": f"这是{first.unit}的案例《{first.title}》（{first.award}）[1]。相关内容：",
            "fact": f"据{named}介绍 [1]：",
        }
        return openings.get(kind, f"参考{named} [1]：")
