"""The extractive composer: the answer first, then what supports it, then where to learn more — by kind of question,
every quoted sentence verbatim from the compendium with its [n]."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import sentences as sent
from .asking import (
    EXPERT,
    HOWTO,
    LIST,
    OUTCOME,
    WHICH,
    WHY,
    Asked,
    ask_phrases,
    asked,
    fact_marks,
    has_quantity,
    kind,
    strip_list_words,
)
from .corpus import AWARDS, Case, compact
from .evidence import LIST_CASE_SHARE, leading_cases
from .lexicon import Lexicon
from .retrieval import CaseHit
from .sentences import Sentence
from .types import Citation, reference_list

# Sentence score = the IDF of the question's words it holds (words naming the case count for less: they find the
# case, not the fact), plus these bonuses, in IDF units.
NAMING_WORD_WEIGHT = 0.3
FACT_BONUS = 3.0  # per kind of asked-for fact the sentence carries (a figure, one in the asked unit, a date …)
NO_FACT_PENALTY = 3.0  # a question asking for a figure gets little from a sentence without one
QUANTITY_BONUS = 1.0  # an outcome is told in figures
SECTION_BONUS = 1.5  # the section the kind of question is answered from (成效 for outcomes)
HEAD_BONUS = 0.5
HEADING_CONTEXT = 0.5
BEST_PASSAGE_BONUS, OTHER_PASSAGE_BONUS = 2.0, 1.0
SECTIONS_FOR = {OUTCOME: ("成效",), HOWTO: ("做法", "案例简介")}
# Lengths, in characters: an opening sentence longer than this is cut to the clauses that hold the asked-for fact.
OPENING_CHARS = 90
SUPPORT_CHARS = 70
# An expert's points quoted: four from one expert, two each when two experts commented on the case.
EXPERT_POINTS, EXPERT_POINTS_EACH = 5, 3
# A how-to answer quotes about this many characters of moves, shared among them (each between the two bounds).
HOWTO_CHARS = 520
STEP_MIN_CHARS, STEP_MAX_CHARS = 60, 160
MIN_PIECE_CHARS = 16
PROSE_SENTENCES, PROSE_CHARS = 6, 80
INTRO_CHARS = 80
LIST_LINE_CHARS = 60
MAX_STEPS = 5
SHORT_HEADING_CHARS = 20
# Sentences after the opening: an outcome is told by its results, two more of them; a fact needs one at most.
SUPPORTS = {OUTCOME: 2}
SUPPORT_CANDIDATES = 4
# A general outcome question: up to four of the case's numbered results, each in about this many characters.
MAX_RESULTS, RESULT_CHARS = 4, 80
# A fact question may be answered from another case found nearly as good (this share of the best score, among the
# first few) when that case holds more of the asked-for fact.
FACT_CASES, FACT_CASE_SHARE = 3, 0.8
NAMED_CASES = 5
# Under a move's heading: the first sentence usually says what the move is; a quoted name (“…”, 《…》) is the
# programme a cadre can ask about.
FIRST_BODY_BONUS = 1.0
NAMED_BONUS = 1.5
_QUOTED = re.compile(r"[“\"]([^”\"]{1,20})[”\"]|《([^》]{2,30})》")
_NAMED = re.compile(r"“[^”]{2,20}”|《[^》]{2,30}》")
# A list answer names every case found whose best sentence on the list's topic holds at least half of what the
# best case's does (tuning part of eval/answers.jsonl, list questions: 0.6 names 0.78 of the gold cases at
# precision 0.75, 0.5 names 0.87 at 0.70, 0.4 names 0.94 at 0.62).
LIST_SENTENCE_SHARE = 0.5
# A list's topic: the question's words rarer than this (in about an eighth of the passages or fewer).
TOPIC_IDF = 2.0
# jieba tags of words that carry no topic: pronouns, adverbs, numerals, conjunctions, prepositions, particles.
FUNCTION_TAGS = ("r", "d", "m", "c", "p", "u", "y", "e", "o", "q")
SINGLE_CHARACTER_WEIGHT = 0.3
EXPANSION_WEIGHT = 0.5
LIST_LONG = 5  # more cases than this: say the list is long and ordered by relevance
LIST_MAX = 8
# 「那一类的四个案例」「三个案例各…」: the question asks for a whole category of the book.
_CATEGORY = re.compile(r"[这那此该同]一?类|类别|([两二三四五六七八九\d])个(?:提名)?案例")
_CN_DIGITS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


# Between two quoted pieces that are not next to each other in the book.
QUOTE_GAP = "……"


def _joiner(previous: str) -> str:
    """A heading line has no full stop of its own: a colon joins it to what is quoted after it."""
    return "" if previous[-1] in sent.SENTENCE_ENDS + sent.CLAUSE_ENDS else "："


def intent(question: str) -> str:
    """What kind of answer the question wants: howto, outcome, which, fact, expert, multi (a list) or why."""
    return kind(question)


@dataclass
class _Group:
    """What an answer quotes from one case (its sections in order): one source, one [n]."""

    case: Case
    sections: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    n: int = 0


class _Draft:
    """Lines of an answer with the case each quotes; a [n] closes each run of lines quoting one case, so a
    reference list of one line per case (参考案例) numbers every source."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, _Group | None]] = []
        self.groups: list[_Group] = []

    def group(self, case: Case, section: str) -> _Group:
        found = next((g for g in self.groups if g.case.id == case.id), None)
        if found is None:
            found = _Group(case, n=len(self.groups) + 1)
            self.groups.append(found)
        if section not in found.sections:
            found.sections.append(section)
        return found

    def quote(self, prefix: str, case: Case, section: str, sentence: str, part: str | None = None) -> None:
        """A line: template words, then a verbatim sentence (or the part of it that was kept)."""
        part = part if part is not None else sentence
        group = self.group(case, section)
        group.pieces.append(part)
        self.lines.append((prefix + sent.marked(part, sentence), group))

    def extend(self, text: str, case: Case, section: str, sentence: str, part: str | None = None) -> None:
        """Add a quote to the end of the last line."""
        part = part if part is not None else sentence
        group = self.group(case, section)
        group.pieces.append(part)
        line, last = self.lines[-1]
        if last is not None and last is not group:
            line += f" [{last.n}]"
        self.lines[-1] = (line + text + sent.marked(part, sentence), group)

    def text(self, line: str) -> None:
        self.lines.append((line, None))

    def render(self) -> tuple[str, tuple[Citation, ...]]:
        out = []
        for i, (line, group) in enumerate(self.lines):
            following = self.lines[i + 1][1] if i + 1 < len(self.lines) else None
            out.append(f"{line} [{group.n}]" if group is not None and following is not group else line)
        citations = tuple(Citation(g.n, g.case.id, g.case.title, g.case.unit, g.case.award, "、".join(g.sections),
                                   QUOTE_GAP.join(g.pieces)) for g in self.groups)
        return "\n".join(out + ["", reference_list(citations)]), citations


@dataclass(frozen=True)
class _Scored:
    score: float
    sentence: Sentence


class ExtractiveComposer:
    """Composes an answer from verbatim sentences of the best cases; needs no language model."""

    def __init__(self, lexicon: Lexicon, passages: list[str]) -> None:
        self.lexicon = lexicon
        frequencies: dict[str, int] = {}
        for text in passages:
            for token in set(lexicon.tokenize(text)):
                frequencies[token] = frequencies.get(token, 0) + 1
        self._idf = {t: math.log((len(passages) + 1) / (df + 0.5)) for t, df in frequencies.items()}
        self._passages = passages
        self._posseg = None  # jieba's part-of-speech tagger, loaded for the first list question

    def idf(self, token: str) -> float:
        """Inverse passage frequency; a word jieba cuts differently inside passages (「健步走」) is counted where it
        occurs as written."""
        found = self._idf.get(token)
        if found is None:
            df = sum(token in text for text in self._passages)
            found = self._idf[token] = math.log((len(self._passages) + 1) / (df + 0.5))
        return found

    # --- scoring -------------------------------------------------------------------------------------------------

    def _weights(self, query: str, question: str | None = None) -> dict[str, float]:
        """The question's words and their weights. A single character counts for less, since it is found inside
        unrelated words too (「拉」 in 「拉扎斯」, 「进」 in 「推进」); so do the book's words the synonym list added
        (after the question, in the query): several ways of saying one thing are not several things."""
        tokens = list(dict.fromkeys(self.lexicon.tokenize(query)))
        own = set(self.lexicon.tokenize(question)) if question is not None else set(tokens)
        return {t: self.idf(t) * (SINGLE_CHARACTER_WEIGHT if len(t) == 1 else 1.0)
                * (1.0 if t in own else EXPANSION_WEIGHT)
                for t in tokens}

    @staticmethod
    def _for_case(weights: dict[str, float], case: Case) -> dict[str, float]:
        """Words that name the case (its title, its unit) find the case, not the sentence that answers."""
        naming = case.title + case.unit
        return {t: w * (NAMING_WORD_WEIGHT if t in naming else 1.0) for t, w in weights.items()}

    @staticmethod
    def relevance(text: str, weights: dict[str, float]) -> float:
        """The weight of the question's words the text holds (tokens are lower case: 「app」 finds 「APP」)."""
        text = text.lower()
        return sum(w for t, w in weights.items() if t in text)

    def rank(self, items: Sequence[Sentence], weights: dict[str, float], want: Asked, hit: CaseHit | None = None,
             sections: tuple[str, ...] = ()) -> list[_Scored]:
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
            scored.append(_Scored(score, s))
        return sorted(scored, key=lambda x: (-x.score, x.sentence.position))

    def _cut(self, text: str, weights: dict[str, float], want: Asked, limit: int, named: bool = False) -> str:
        """The part of a sentence to quote: the clauses with the asked-for fact and the question's words (and, for
        a move, the programmes it names)."""
        def score(part: str) -> float:
            value = self.relevance(part, weights) + (FACT_BONUS * fact_marks(part, want) if want.wants_fact else 0.0)
            return value + (NAMED_BONUS * len(_NAMED.findall(part)) if named else 0.0)

        return sent.clip(text, score, limit)

    # --- composing -----------------------------------------------------------------------------------------------

    def compose(self, question: str, query: str, hits: list[CaseHit]) -> tuple[str, tuple[Citation, ...]]:
        experts = tuple(dict.fromkeys(c.expert for h in hits[:3] for c in h.case.expert_comments))
        want = asked(question, experts)
        weights = self._weights(query, question)
        draft = _Draft()
        hit = hits[0] if want.kind == LIST else self._named(question, hits)
        if want.kind == LIST and len(hits) > 1:
            self._list(draft, question, query, hits, weights, want)
        elif want.kind == EXPERT and hit.case.expert_comments:
            self._expert(draft, hit, weights, want)
        elif want.kind == WHY:
            self._why(draft, hit, weights, want)
        elif want.kind == WHICH:
            self._which(draft, hit, weights, want)
        elif want.kind == HOWTO:
            self._howto(draft, hit, weights, want)
        elif want.kind == OUTCOME and not want.wants_fact and len(self._steps(self._results(hit.case))) >= 2:
            self._outcomes(draft, hit, weights, want)
        else:
            self._fact(draft, hit if hit is not hits[0] else self._carrying(hits, weights, want), weights, want,
                       question)
        return draft.render()

    @staticmethod
    def _named(question: str, hits: list[CaseHit]) -> CaseHit:
        """The case a question names by what it quotes (「“4G”劳动竞赛」) or by its award (「特等奖」): the best found
        case that says all of it, when the best one does not."""
        quoted = [q for m in _QUOTED.finditer(question) for q in m.groups() if q and len(q) >= 2]
        awards = [a for a in AWARDS if a in question]
        if not quoted and not awards:
            return hits[0]

        def says(hit: CaseHit) -> bool:
            text = compact(hit.case.searchable_text)
            return all(compact(q) in text for q in quoted) and all(a == hit.case.award for a in awards)

        return next((h for h in hits[:NAMED_CASES] if says(h)), hits[0])

    def _carrying(self, hits: list[CaseHit], weights: dict[str, float], want: Asked) -> CaseHit:
        """The case to answer a fact question from: the best one, unless a case found nearly as good holds more of
        the asked-for fact (a phone number, a date) in one sentence — the answer has to carry it."""
        if not want.wants_fact:
            return hits[0]
        close = [h for h in hits[:FACT_CASES] if h.score >= FACT_CASE_SHARE * hits[0].score]

        def held(hit: CaseHit) -> int:
            return max((fact_marks(s.text, want) for s in sent.of_case(hit.case)), default=0)

        best = max(close, key=held)
        return best if held(best) > held(hits[0]) else hits[0]

    @staticmethod
    def _results(case: Case) -> list[Sentence]:
        return [s for s in sent.of_case(case) if s.section == "成效"]

    def _outcomes(self, draft: _Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """An outcome asked for in general (「取得了哪些成效」): the case's own numbered results, the one most about
        the question first on the opening line, then the others in the book's order."""
        case = hit.case
        weights = self._for_case(weights, case)
        results = self._steps(self._results(case))
        ranked = self.rank(self._results(case), weights, want, hit)
        order = list(dict.fromkeys(x.sentence.step for x in ranked if x.sentence.step in results))
        first, rest = order[0], sorted(order[1:MAX_RESULTS])
        lead = self._english_lead(want, case) or f"{case.unit}："
        for i, step in enumerate([first, *rest]):
            self._step_line(draft, case, results[step], weights, want, RESULT_CHARS, lead if i == 0 else None)

    def _english_lead(self, want: Asked, case: Case) -> str:
        return f"From the case 《{case.title}》 ({case.unit}): " if want.english else ""

    def _fact(self, draft: _Draft, hit: CaseHit, weights: dict[str, float], want: Asked, question: str) -> None:
        """Outcome or fact: the sentence with the asked-for figure first (one per fact asked, in the order asked),
        then what supports it."""
        case = hit.case
        weights = self._for_case(weights, case)
        items = sent.of_case(case)
        results = self._results(case)
        if want.kind == OUTCOME and results and (not want.wants_fact or any(fact_marks(s.text, want) for s in results)):
            items = results  # an outcome is told where the case tells its results
        sections = SECTIONS_FOR.get(want.kind, ())
        ranked = self._by_fact(self.rank(items, weights, want, hit, sections), want)
        if not ranked:
            return self._howto(draft, hit, weights, want)
        opening = self._with_next(ranked[0].sentence, items)
        if want.asks >= 2:
            opening = []
            for phrase in ask_phrases(question) or [question]:
                # Each asked fact by its own words, the rest of the question counting for half.
                local = {**{t: w * 0.5 for t, w in weights.items()}, **self._for_case(self._weights(phrase), case)}
                part_want = dataclasses.replace(asked(phrase), kind=want.kind)
                best = self._by_fact(self.rank(items, local, part_want, hit, sections), part_want)
                if best and best[0].sentence not in opening:
                    opening.append(best[0].sentence)
        lead = self._english_lead(want, case) or f"{case.unit}："
        limit = OPENING_CHARS if len(opening) == 1 else SUPPORT_CHARS
        previous = ""
        for i, s in enumerate(opening):
            part = self._cut(s.text, weights, want, limit)
            if i == 0:
                draft.quote(lead, case, s.section, s.text, part)
            else:
                draft.extend(_joiner(previous), case, s.section, s.text, part)
            previous = part
        for support in self._support(ranked[1:], opening, weights, want)[:SUPPORTS.get(want.kind, 1)]:
            draft.quote("", case, support.section, support.text,
                        self._cut(support.text, weights, want, SUPPORT_CHARS))

    @staticmethod
    def _by_fact(ranked: list[_Scored], want: Asked) -> list[_Scored]:
        """The answer has to carry the asked-for fact: sentences holding more of it first, however well others
        match the question's words."""
        if not want.wants_fact:
            return ranked
        return sorted(ranked, key=lambda x: -fact_marks(x.sentence.text, want))

    @staticmethod
    def _with_next(s: Sentence, items: Sequence[Sentence]) -> list[Sentence]:
        """A short heading says little alone: it comes with the sentence after it in the same move."""
        if not s.head or len(s.text) > SHORT_HEADING_CHARS:
            return [s]
        after = next((x for x in items if x.position == s.position + 1), None)
        return [s, after] if after is not None and after.step == s.step and after.section == s.section else [s]

    def _support(self, ranked: list[_Scored], opening: list[Sentence], weights: dict[str, float],
                  want: Asked) -> list[Sentence]:
        """The next best sentences that hold something the opening does not (another figure, more of the
        question)."""
        said = "".join(s.text for s in opening)
        found = []
        for item in ranked[:SUPPORT_CANDIDATES]:
            s = item.sentence
            if item.score <= 0 or s in opening:
                continue
            new_words = [t for t in weights if t in s.text and t not in said]
            if (want.wants_fact and fact_marks(s.text, want)) or new_words \
                    or (want.kind == OUTCOME and has_quantity(s.text)):
                found.append(s)
                said += s.text
        return found

    def _which(self, draft: _Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """Which unit: title and unit first, then the sentence that shows why it is this case."""
        case = hit.case
        # The question describes what the unit did, often in the words of the case's title: they find the sentence.
        lead = "This is " if want.english else "是"
        draft.text(f"{lead}{case.unit}：《{case.title}》（{case.award}）。")
        ranked = self.rank(sent.of_case(case), weights, want, hit)
        if ranked:
            s = ranked[0].sentence
            draft.quote("", case, s.section, s.text, self._cut(s.text, weights, want, OPENING_CHARS))

    def _howto(self, draft: _Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """How-to: the case's own key moves (at most about five, those most about the question, in the book's
        order), then whom to learn from; a case told without moves gives its sentences most about the question."""
        case = hit.case
        weights = self._for_case(weights, case)
        sections = SECTIONS_FOR[HOWTO]
        items = [s for s in sent.of_case(case) if s.section in sections] or list(sent.of_case(case))
        steps = self._steps(items)
        ranked = self.rank(items, weights, want, hit, sections)
        lead = self._english_lead(want, case) or f"{case.unit}的做法："
        if len(steps) >= 2:
            best_step: dict[int, float] = {}
            for item in ranked:
                best_step.setdefault(item.sentence.step, item.score)
            chosen = sorted(sorted(steps, key=lambda k: -best_step.get(k, 0.0))[:MAX_STEPS])
            limit = max(STEP_MIN_CHARS, min(STEP_MAX_CHARS, HOWTO_CHARS // len(chosen)))
            # What the book says before the first move often names the whole approach (「…“四联系双发展”机制」).
            first_head = steps[min(steps)][0]
            intro = [x for x in items if x.section == first_head.section and x.position == first_head.position - 1
                     and x.step < 0]
            if intro:
                s = intro[0]
                draft.quote(lead, case, s.section, s.text, self._cut(s.text, weights, want, INTRO_CHARS, named=True))
            else:
                draft.text(lead)
            for step in chosen:
                self._step_line(draft, case, steps[step], weights, want, limit)
        else:
            picked, size = [], 0
            for item in ranked[:PROSE_SENTENCES]:
                if size >= HOWTO_CHARS:
                    break
                part = self._cut(item.sentence.text, weights, want, PROSE_CHARS, named=True)
                picked.append((item.sentence, part))
                size += len(part)
            for i, (s, part) in enumerate(sorted(picked, key=lambda sp: sp[0].position)):
                draft.quote(lead if i == 0 else "", case, s.section, s.text, part)
        draft.text(f"可向《{case.title}》（{case.unit}）学习。")

    @staticmethod
    def _steps(items: Sequence[Sentence]) -> dict[int, list[Sentence]]:
        """Step number → its sentences (the heading first), for sections written as numbered or headed moves."""
        steps: dict[int, list[Sentence]] = {}
        for s in items:
            if s.step >= 0:
                steps.setdefault(s.step, []).append(s)
        return {k: v for k, v in steps.items() if v[0].head}

    def _step_line(self, draft: _Draft, case: Case, step: list[Sentence], weights: dict[str, float],
                   want: Asked, limit: int, lead: str | None = None) -> None:
        """One move in at most about `limit` characters: its heading, then from under it the sentences most about
        the question (the first one usually says what the move is; a quoted name is a programme to ask about),
        cut short."""
        head, body = step[0], step[1:]
        start = sent.enumerated_start(head.text) or 0
        head_part = head.text[start:]
        prefix = lead if lead is not None else "" if sent.NUMBERED.match(head_part) else "- "
        if len(head_part) > limit:
            head_part = self._cut(head_part, weights, want, limit, named=True)
        draft.quote(prefix, case, head.section, head.text, head_part)

        def value(s: Sentence) -> float:
            # A result is told in figures; a move by what it names.
            figures = QUANTITY_BONUS * has_quantity(s.text) if s.section == "成效" else 0.0
            return (self.relevance(s.text, weights) + FIRST_BODY_BONUS * (s is body[0])
                    + NAMED_BONUS * len(_NAMED.findall(s.text)) + figures)

        room = limit - len(head_part)
        joiner = _joiner(head_part)
        for s in sorted(sorted(body, key=lambda s: (-value(s), s.position))[:2], key=lambda s: s.position):
            if room < MIN_PIECE_CHARS:
                break
            part = self._cut(s.text, weights, want, room, named=True)
            if len(part) > room + MIN_PIECE_CHARS // 2:
                continue
            draft.extend(joiner, case, s.section, s.text, part)
            joiner, room = "", room - len(part)

    def _why(self, draft: _Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """Why: the background passage first, then the case that answers it."""
        case = hit.case
        background = sent.background_of(case)
        weights_case = self._for_case(weights, case)
        if background:
            ranked = self.rank(background, weights_case, Asked(WHY), hit)
            picked = sorted((x.sentence for x in ranked[:2]), key=lambda s: s.position)
            for i, s in enumerate(picked):
                draft.quote(self._english_lead(want, case) if i == 0 else "", case, s.section, s.text,
                            self._cut(s.text, weights_case, want, OPENING_CHARS))
        quoted = {b.text for b in background}
        items = [s for s in sent.of_case(case) if s.text not in quoted]
        ranked = self.rank(items, weights_case, Asked(HOWTO), hit, SECTIONS_FOR[HOWTO])
        if ranked:
            for i, s in enumerate(self._with_next(ranked[0].sentence, items)):
                part = self._cut(s.text, weights_case, want, SUPPORT_CHARS)
                if i == 0:
                    draft.quote(f"{case.unit}的做法：", case, s.section, s.text, part)
                else:
                    draft.extend("", case, s.section, s.text, part)
        draft.text(f"可向《{case.title}》（{case.unit}）学习。")

    def _expert(self, draft: _Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """Expert: the commenting expert's name and affiliation, then their points that bear on the question."""
        case = hit.case
        comments = case.expert_comments
        # Words of the case's own name point to the sentences about it in a comment shared by its category.
        naming = {t: self.idf(t) * 0.5 for t in self.lexicon.tokenize(case.title + case.unit) if t not in weights}
        scored = []
        for comment in comments:
            items = sent.section_sentences(f"专家点评（{comment.expert}）", comment.text)
            person = self.relevance(comment.expert + comment.affiliation, weights)
            scored.append((person, comment, self.rank(items, {**naming, **weights}, Asked(EXPERT), hit)))
        # A question that points to one expert (「复旦那位教授」) gets that one; otherwise every expert who commented.
        if any(person for person, _, _ in scored):
            scored = [max(scored, key=lambda c: (c[0], sum(x.score for x in c[2][:3])))]
        points = EXPERT_POINTS if len(scored) == 1 else EXPERT_POINTS_EACH
        for _, comment, ranked in scored:
            picked = sorted((x.sentence for x in ranked[:points]), key=lambda s: s.position)
            lead = f"{comment.affiliation} {comment.expert}" + (" commented: " if want.english else "点评：")
            for i, s in enumerate(picked):
                draft.quote(lead if i == 0 else "", case, s.section, s.text,
                            self._cut(s.text, weights, want, SUPPORT_CHARS))

    # --- lists ---------------------------------------------------------------------------------------------------

    def _list(self, draft: _Draft, question: str, query: str, hits: list[CaseHit], weights: dict[str, float],
              want: Asked) -> None:
        """A list: one line per matching case (《标题》— 单位：one key sentence), all of them, best first."""
        if want.english:
            # The book is Chinese: an English question's words find no sentence, its meaning found the cases.
            chosen = [(h, self._on_topic(h, weights, want)) for h in leading_cases(hits, LIST_CASE_SHARE)]
            chosen = [(h, s.sentence if s else None) for h, s in chosen]
        else:
            chosen = self._category(question, hits) or self._matching(hits, question, query, want)
        if len(chosen) > LIST_MAX:
            chosen = chosen[:LIST_MAX]
        note = "（案例较多，按相关程度排列）" if len(chosen) > LIST_LONG else ""
        draft.text(f"案例集中有 {len(chosen)} 个相关案例{note}：" if not want.english
                   else f"{len(chosen)} cases in the book:")
        for i, (hit, best) in enumerate(chosen, start=1):
            case = hit.case
            prefix = f"{i}. 《{case.title}》— {case.unit}："
            if best is None:
                draft.text(prefix.rstrip("："))
                continue
            local = self._for_case(weights, case)
            draft.quote(prefix, case, best.section, best.text,
                        self._cut(best.text, local, want, LIST_LINE_CHARS))

    def _topic(self, query: str) -> dict[str, float]:
        """The words a list question is about: its rarer words, without the words that ask for the list, without
        function words (自己, 一起, 这么: pronouns, adverbs, numerals by jieba's tags)."""
        text = strip_list_words(query)
        function_words = {w for w, tag in self._tags(text) if tag[:1] in FUNCTION_TAGS}
        weights = self._weights(text)  # the book's words for the question's words count in full: a list needs them
        return {t: w for t, w in weights.items() if self.idf(t) >= TOPIC_IDF and t not in function_words}

    def _tags(self, text: str) -> list[tuple[str, str]]:
        if self._posseg is None:
            import jieba.posseg

            self._posseg = jieba.posseg.POSTokenizer(self.lexicon._jieba())
        return [(pair.word, pair.flag) for pair in self._posseg.cut(text)]

    def _alternatives(self, question: str, topic: dict[str, float]) -> list[dict[str, float]]:
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

    def _on_topic(self, hit: CaseHit, topic: dict[str, float], want: Asked,
                  alternatives: Sequence[dict[str, float]] = ()) -> _Scored | None:
        """The case's sentence most about the list's topic; words of an enumeration count by its best item."""
        listed = {t for item in alternatives for t in item}
        rest = self._for_case({t: w for t, w in topic.items() if t not in listed}, hit.case)
        best = None
        for s in sent.of_case(hit.case):
            value = self.relevance(s.text, rest)
            if alternatives:
                # An item and the book's words for it are one thing said several ways: its best word counts.
                text = s.text.lower()
                value += max(max((w for t, w in item.items() if t in text), default=0.0) for item in alternatives)
            if want.wants_fact and fact_marks(s.text, want):
                value += FACT_BONUS
            if best is None or value > best.score:
                best = _Scored(value, s)
        return best

    def _matching(self, hits: list[CaseHit], question: str, query: str,
                  want: Asked) -> list[tuple[CaseHit, Sentence | None]]:
        """The cases the list names: each has a sentence nearly as much about the list's topic as the best case's
        best sentence; best first."""
        topic = self._topic(query) or self._weights(query, question)
        alternatives = self._alternatives(question, topic)
        scored = [(h, self._on_topic(h, topic, want, alternatives)) for h in hits]
        best = max((s.score for _, s in scored if s is not None), default=0.0)
        chosen = [(h, s) for h, s in scored if s is not None and s.score > 0 and s.score >= LIST_SENTENCE_SHARE * best]
        if not chosen:
            chosen = scored[:1]
        top = hits[0].score or 1.0
        chosen.sort(key=lambda hs: -(hs[1].score if hs[1] else 0.0) / (best or 1.0) - hs[0].score / top)
        return [(h, s.sentence if s else None) for h, s in chosen]

    def _category(self, question: str, hits: list[CaseHit]) -> list[tuple[CaseHit, Sentence | None]]:
        """A question about a whole category (「…那一类的四个案例」): every case found of the category whose name
        the question uses most (the best case's category when it names none)."""
        found = _CATEGORY.search(question)
        if not found:
            return []
        weights = self._weights(strip_list_words(question))
        categories = list(dict.fromkeys(h.case.category for h in hits))
        named = {c: self.relevance(c, weights) for c in categories}
        category = max(categories, key=lambda c: (named[c], -categories.index(c)))
        members = [h for h in hits if h.case.category == category]
        count = found.group(1)
        if count and len(members) != (int(count) if count.isdigit() else _CN_DIGITS[count]) and not named[category]:
            return []
        if len(members) < 2:
            return []
        result = []
        for h in members:
            best = self._on_topic(h, weights, Asked(HOWTO))
            result.append((h, best.sentence if best else None))
        return result
