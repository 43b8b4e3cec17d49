"""The extractive composer: the answer first, then what supports it, then where to learn more — by kind of question,
every quoted sentence verbatim from the compendium with its [n]."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

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
    asks_each,
    asks_how,
    asks_members,
    fact_marks,
    has_quantity,
    joined_measures,
    kind,
    lists_members,
    member_terms,
    members_counted,
    members_listed,
    members_named,
)
from .chunking import KIND_BACKGROUND
from .corpus import AWARDS, OWN_BACKGROUND_SECTIONS, Case, compact, unit_holding
from .drafting import QUOTE_GAP, Draft, joiner
from .evidence import LIST_CASE_SHARE, leading_cases
from .lexicon import Lexicon
from .listing import ListMatcher, first_move
from .refusal import NAME_TAGS
from .retrieval import CaseHit, close_cases
from .scoring import NAMED, NAMED_BONUS, SECTIONS_FOR, Scored, SentenceScorer
from .sentences import Sentence
from .types import Citation

__all__ = ["QUOTE_GAP", "ExtractiveComposer", "intent"]

# Lengths, in characters: an opening sentence longer than this is cut to the clauses that hold the asked-for fact.
OPENING_CHARS = 90
SUPPORT_CHARS = 70
# An expert's points quoted: seven from one expert, three each when two experts commented on the case, sharing
# about this many characters (seven and 500, not five and 400: expert answers of the tuning sets carrying all their key
# facts 0.69 to 0.88, their median length 347 to 364).
EXPERT_POINTS, EXPERT_POINTS_EACH = 7, 3
EXPERT_CHARS = 500
# A how-to answer quotes about this many characters of moves, shared among them (each between the two bounds).
HOWTO_CHARS = 520
STEP_MIN_CHARS, STEP_MAX_CHARS = 60, 200
STEP_SHARE_EVEN = 0.25  # of the characters, the share spread evenly; the rest goes by how much each move is about the question
# Under a move's heading: its best sentences, the best one cut to the first length, the others to the second.
STEP_SENTENCES, FIRST_PIECE_CHARS, STEP_PIECE_CHARS = 4, 120, 50
MIN_PIECE_CHARS = 16
# A case told without numbered moves: its sentences most about the question, each cut to about this length.
PROSE_SENTENCES, PROSE_CHARS = 6, 80
# What the book says before the first move names the approach, cut to about this length (at 80, 同济's lost
# 「…组建5支宣传队伍…」).
INTRO_CHARS = 120
# Of the background, those most about the question, in the book's order (four, not three: key facts of the why tuning
# answers 0.65 to 0.81, from the background as often).
WHY_SENTENCES = 4
# … and at most this many of the case's own sentences on its problem, where they are more about the question.
WHY_OWN = 2
# A sentence whose question words weigh less than this says only words most cases say (职工 0.06, 活动 0.3).
SAYS_QUESTION = 0.5
LIST_LINE_CHARS = 60
LIST_SHORT_LINE_CHARS = 30  # a line of a list of more than LIST_MAX cases
MAX_STEPS = 5
MAX_MEMBERS = 8
ANNOUNCED_WITHIN = 3  # the moves a sentence counts may follow it after a sentence announcing them (「6项举措为:」)
# A list the quoted sentence opens or belongs to (「…三个原则：一是…；二是…」) is quoted on, within the first number of
# characters; inside a move's line each of its items is cut to about the second.
LIST_CHARS, LIST_ITEM_CHARS = 200, 40
SHORT_HEADING_CHARS = 20
# Sentences after the opening: an outcome is told by its results, three more of them; a fact needs one at most.
SUPPORTS = {OUTCOME: 3}
SUPPORT_CANDIDATES = 4
WHICH_SUPPORTS = 1  # which unit: the case's name, then why it is this case, then one more sentence
DEFINITION_SUPPORTS = 2  # what a thing is: where the case first names it, then the two sentences most about it
# A general outcome question: up to four of the case's numbered results, each in about this many characters (120,
# not 80: answers of the tuning sets carrying all their key facts 2565 to 2581 of 2890, median length 231 to 236).
MAX_RESULTS, RESULT_CHARS = 4, 120
RESULT_LEAD = "成效："  # a case asked about as a whole: one result after its moves
NAMED_CASES = 5
OTHER_PHRASE_WEIGHT = 0.25
# What a thing consists of: named in the question by quotes or a word this long, quoted in at most SPELLED_CHARS.
MEMBER_TERM_CHARS, SPELLED_CHARS = 2, 130
# Under a move's heading the first sentence usually says what the move is; under a result's, the one with figures
# says how much.
_CHINESE_WORD = re.compile(r"[\u4e00-\u9fff]+")
RARE_WORD_WEIGHT = 4.0  # a word found in few passages (IDF): it names something particular (芝麻奖, 隔音罩)
FIRST_BODY_BONUS = 2.0
RESULT_FIGURE_BONUS = 3.0
_CODE = re.compile(r"[A-Za-z]*\d+[A-Za-z+＋]+\d*|[A-Za-z]+\d+")
_QUOTED = re.compile(r"[“\"]([^”\"]{1,20})[”\"]|《([^》]{2,30})》")
# What a question counts (「哪三个平台」: 平台).
_KIND_COUNTED = re.compile(r"[几两二三四五六七八九十\d]+[个种项类大条][“\"「]?([\u4e00-\u9fff]{2})")
# 「“五定一勤”具体指什么」「三张清单分别是什么」: the members of a counted thing the question names.
_MEMBERS_ASKED = re.compile(r"[一二三四五六七八九十两\d][个项条种类大张维定化联样级]?[\u4e00-\u9fff“”\"]{0,8}"
                            r"(?:分别|具体|都)?(?:是什么|是啥|是哪些|指什么|指啥|指的是什么|是哪几)")
LIST_LONG = 5  # more cases than this: say the list is long and ordered by relevance
LIST_MAX = 8


# A sentence that points back to what the one before it named, in its first words (「…为该教师办理入会手续后」「针对这一
# 问题」; not 此外, 该项, 这些).
_POINTS_BACK = re.compile(r"^[^，,。；;]{0,16}?(?:该|此|这)(?![外前后次时项举种样些])[\u4e00-\u9fff]")


def _quoted(question: str) -> list[str]:
    """What the question quotes (“三访三查”, 《关爱指南》)."""
    return [q for m in _QUOTED.finditer(question) for q in m.groups() if q and len(q) >= 2]


def _terms(question: str, items: Sequence[Sentence]) -> list[str]:
    """The names of things the question gives as such: what it quotes, codes of digits with letters or signs (6+2,
    4G), and what the case's sentences quote that the question says unquoted (三维阵地 of 「“三维阵地”凸显幸福指数」)."""
    terms = _quoted(question)
    terms += [c for c in _CODE.findall(question) if not any(c in t for t in terms)]
    said = {q for s in items for q in _quoted(s.text) if q in question}
    return terms + sorted((q for q in said if not any(q in t for t in terms)), key=len, reverse=True)


def intent(question: str) -> str:
    """What kind of answer the question wants: howto, outcome, which, fact, expert, multi (a list) or why."""
    return kind(question)


class ExtractiveComposer:
    """Composes an answer from verbatim sentences of the best cases; needs no language model."""

    def __init__(self, lexicon: Lexicon, passages: list[str]) -> None:
        self.lexicon = lexicon
        self.scorer = SentenceScorer(lexicon, passages)
        self.lists = ListMatcher(self.scorer)

    # --- composing -----------------------------------------------------------------------------------------------

    def compose(self, question: str, query: str, hits: list[CaseHit], cases: Sequence[Case] = (),
                listing: bool = False, whole: bool = False) -> tuple[str, tuple[Citation, ...]]:
        """The answer and its citations from the cases found (`hits`, best first); a list by unit or expert may name
        any of `cases` (the book's cases within the filters), found or not. `listing`: the conversation asked for
        other cases (「同一类的还有别的吗」), a list whatever the question's own words; `whole`: `hits` are all of them
        (the other cases of the expert, unit or category under discussion), named in the book's order."""
        experts = tuple(dict.fromkeys(c.expert for h in hits[:3] for c in h.case.expert_comments))
        want = asked(question, experts, one_case=not listing and self._names_one_unit(question, cases))
        if listing:
            want = dataclasses.replace(want, kind=LIST)
        weights = self.scorer.weights(query, question)
        draft = Draft()
        hit = hits[0] if want.kind == LIST else self._explained(hits) if want.kind == WHY \
            else self._named(question, query, hits)
        if want.kind == LIST and len(hits) > 1:
            self._list(draft, question, query, hits, weights, want, cases, whole)
        elif want.kind == EXPERT and hit.case.expert_comments:
            self._expert(draft, hit, weights, want, question)
        elif want.kind == WHY:
            self._why(draft, hit, weights, want)
        elif want.kind == WHICH:
            self._which(draft, hit, weights, want)
        elif want.kind == HOWTO:
            self._howto(draft, hit, weights, want, question=question, with_result=not asks_how(question))
        elif want.kind == OUTCOME and not want.wants_fact and len(self._steps(self._results(hit.case))) >= 2:
            self._outcomes(draft, hit, weights, want)
        else:
            self._fact(draft, hit if hit is not hits[0] else self._carrying(question, hits, want, cases), weights, want,
                       question)
        return draft.render()

    def introduce(self, question: str, query: str, hit: CaseHit) -> tuple[str, tuple[Citation, ...]]:
        """The one other case a conversation asked for (「他们还有一个关于经费的案例」「这个街道另一个案子」): which case
        it is and what it is about, then its key moves, and what came of it unless the question asks how."""
        want = dataclasses.replace(asked(question), kind=HOWTO)
        case, draft = hit.case, Draft()
        draft.text(f"This is 《{case.title}》 ({case.unit}, {case.award})." if want.english
                   else f"是《{case.title}》（{case.unit}，{case.award}）。")
        weights = self.scorer.weights(query, question)
        # What the case is about: its sentence most like its own title (「…建立八片区楼宇工会工作室…」 for 《建立有形阵地
        # 打造身边工会》), from its background or its moves, then the moves.
        about = [s for s in sent.of_case(case) if s.section in (*OWN_BACKGROUND_SECTIONS, *SECTIONS_FOR[HOWTO])]
        titled = self.scorer.weights(case.title)
        first = max(about, key=lambda s: (self.scorer.relevance(s.text, titled), -s.position), default=None)
        if first is not None:
            draft.quote("", case, first.section, first.text, self.scorer.cut(first.text, titled, want, OPENING_CHARS))
        self._howto(draft, hit, weights, want, shown=frozenset({first.text} if first else ()),
                    with_result=not asks_how(question))
        return draft.render()

    @staticmethod
    def _named(question: str, query: str, hits: list[CaseHit]) -> CaseHit:
        """The case a question names by what it quotes (「“4G”劳动竞赛」) or by its award (「特等奖」, or the special
        prize in English: the search's `query` holds the book's words for the question's): the best found case that
        says all of it, when the best one does not."""
        quoted = _quoted(question)
        awards = [a for a in AWARDS if a in query]
        if not quoted and not awards:
            return hits[0]

        def says(hit: CaseHit) -> bool:
            text = compact(hit.case.searchable_text)
            return all(compact(q) in text for q in quoted) and all(a == hit.case.award for a in awards)

        # An award is the book's own field: its case may be found anywhere in the ranking (「拿特等奖的是哪个」).
        return next((h for h in (hits if awards and not quoted else hits[:NAMED_CASES]) if says(h)), hits[0])

    @staticmethod
    def _explained(hits: list[CaseHit]) -> CaseHit:
        """The case a why-question is answered from: among the first few found, the one whose background (its
        category's or its own) is the best passage found, when it is (「为啥要让国企工会去带动非公企业工会改革？」 is
        answered by the background of 国企带动非公, wherever its cases rank); else the best case."""
        def background(hit: CaseHit) -> float:
            return max((p.fused for p in hit.passages
                        if p.chunk.kind == KIND_BACKGROUND or p.chunk.section in OWN_BACKGROUND_SECTIONS), default=0.0)

        explained = max(hits[:NAMED_CASES], key=background)
        best = max((p.fused for p in hits[0].passages), default=0.0)
        return explained if background(explained) >= best else hits[0]

    def _names_one_unit(self, question: str, cases: Sequence[Case]) -> bool:
        """The question names one unit, by names of it that no other unit holds and no other unit's case says
        (长白新村, 新河; not 「顾村和南翔」, nor 创新 of 「…推进工会工作创新这一类」, nor the noun 建筑 of 「中国建筑…」)."""
        named = set()
        for word in self.lexicon.tokenize(question):
            if len(word) < 2 or self.lexicon.dictionary_tag(word) not in ("", *NAME_TAGS) \
                    or not any(word in compact(c.unit).lower() for c in cases):
                continue  # the cases' texts are read only for a name some unit holds
            using = {c.unit for c in cases if word in c.searchable_text.lower()}
            if len(using) == 1:
                named |= using
        return len(named) == 1

    def _names_unit(self, question: str, case: Case, cases: Sequence[Case]) -> bool:
        """The question names the case's unit by a word of it that no other unit of the book has (百事通, 顾村)."""
        return any(unit_holding(t, cases) is case for t in self.lexicon.tokenize(question))

    def _carrying(self, question: str, hits: list[CaseHit], want: Asked, cases: Sequence[Case]) -> CaseHit:
        """The case to answer a fact question from: the best one, unless a case found nearly as good holds more of
        the asked-for fact (a phone number, a date) in one sentence — the answer has to carry it."""
        if not want.wants_fact or self._names_unit(question, hits[0].case, cases):
            return hits[0]  # 「百事通维权热线多少？」 asks 百事通's, whoever else prints a hotline
        close = close_cases(hits)

        def held(hit: CaseHit) -> int:
            return max((fact_marks(s.text, want) for s in sent.of_case(hit.case)), default=0)

        best = max(close, key=held)
        return best if held(best) > held(hits[0]) else hits[0]

    @staticmethod
    def _results(case: Case) -> list[Sentence]:
        return [s for s in sent.of_case(case) if s.section == "成效"]

    @classmethod
    def _came_of(cls, case: Case) -> list[Sentence]:
        """What came of the case: its 成效, else (a case told in one 案例简介) what it says after its moves."""
        items = sent.of_case(case)
        heads = [s for s in items if s.head]
        return cls._results(case) or [s for s in items if heads and s.step < 0 and s.position > heads[0].position]

    def _outcomes(self, draft: Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """An outcome asked for in general (「取得了哪些成效」): the case's own numbered results, the one most about
        the question first on the opening line, then the others in the book's order."""
        case = hit.case
        weights = self.scorer.for_case(weights, case)
        results = self._steps(self._results(case))
        ranked = self.scorer.rank(self._results(case), weights, want, hit)
        order = list(dict.fromkeys(x.sentence.step for x in ranked if x.sentence.step in results))
        first, rest = order[0], sorted(order[1:MAX_RESULTS])
        lead = self._english_lead(want, case) or f"{case.unit}："
        for i, step in enumerate([first, *rest]):
            self._step_line(draft, case, results[step], weights, want, RESULT_CHARS, lead if i == 0 else None)

    @staticmethod
    def _told_elsewhere(weights: dict[str, float], want: Asked, results: Sequence[Sentence],
                        items: Sequence[Sentence]) -> bool:
        """The question asks a figure of a thing it names (a rare Chinese word) that the case's results never mention
        and another of its sentences gives with such a figure (「芝麻奖一年省了多少」): the outcome is told there."""
        named = [t for t, w in weights.items() if w >= RARE_WORD_WEIGHT and len(t) > 1 and _CHINESE_WORD.fullmatch(t)
                 and not any(t in s.text for s in results)]
        return want.wants_fact and any(t in s.text and fact_marks(s.text, want) for t in named for s in items)

    def _english_lead(self, want: Asked, case: Case) -> str:
        return f"From the case 《{case.title}》 ({case.unit}): " if want.english else ""

    def _fact(self, draft: Draft, hit: CaseHit, weights: dict[str, float], want: Asked, question: str) -> None:
        """Outcome or fact: the sentence with the asked-for figure first (one per fact asked, in the order asked),
        then what supports it."""
        case = hit.case
        weights = self.scorer.for_case(weights, case)
        items = sent.of_case(case)
        results = self._results(case)
        if want.kind == OUTCOME and results and (not want.wants_fact or any(fact_marks(s.text, want) for s in results)) \
                and not self._told_elsewhere(weights, want, results, items):
            items = results  # an outcome is told where the case tells its results
        sections = SECTIONS_FOR.get(want.kind, ())
        ranked = self.scorer.by_fact(self.scorer.rank(items, weights, want, hit, sections), want)
        if not ranked:
            return self._howto(draft, hit, weights, want)
        opening, spelled = self._opening(items, ranked, hit, weights, want, question, sections)
        lead = self._english_lead(want, case) or f"{case.unit}："
        limit = OPENING_CHARS if len(opening) == 1 else SUPPORT_CHARS
        listed = 1
        moves = self._counted_moves(opening[0], items, want, question) if len(opening) == 1 and not spelled else []
        # A move whose heading counts members (「一是创新五种建会模式…」) tells them in its own sentences, not the moves.
        own_members = len(opening) == 1 and opening[0].head and members_counted(opening[0].text) >= 2 \
            and all(m.head for m in moves)
        moves = [] if own_members else moves
        named = self._named_moves(items, question) if len(opening) == 1 and not moves and not spelled \
            and not own_members else []
        each_term = self._term_moves(items, question)
        if each_term:
            named, spelled = each_term, None
        if named or (moves and opening[0].head):
            # The best sentence is one of the moves, or the moves are named as asked: all of them, in order.
            moves = named or moves
            opening, moves = self._with_next(moves[0], items), moves[1:]
        if len(opening) == 1 and not moves and spelled in (None, opening[0].text):
            opening = sent.continued(opening[0], items, LIST_CHARS, want.items, announces_members=own_members)
            listed = len(opening)
        if asks_each(question) and not moves and not spelled:
            # 「分别…各…」 asks of every member: the whole list each answering sentence is an item of.
            opening = list(dict.fromkeys(x for s in opening for x in sent.list_around(s, items, LIST_CHARS)))
            listed = max(listed, len(opening))
        draft.quote_joined(lead, case, [
            (s.section, s.text, (spelled if i == 0 else None)
             or self.scorer.cut(s.text, weights, want, limit if i == 0 else SUPPORT_CHARS)) for i, s in enumerate(opening)])
        if moves:
            # 「哪四个联系」: the numbered moves the opening sentence announces, each by its first words.
            for move in moves:  # a short heading says little alone: with the sentence after it
                draft.quote_joined("- ", case, [(s.section, s.text, self.scorer.cut(s.text, weights, want, LIST_ITEM_CHARS))
                                                for s in self._with_next(move, items)])
            return
        supports = [x.sentence for x in ranked if x.sentence not in opening][:DEFINITION_SUPPORTS] if want.definition \
            else self._support(ranked[1:], opening, weights, want)[:SUPPORTS.get(want.kind, 1) if listed == 1 else 0]
        for support in supports:
            draft.quote("", case, support.section, support.text,
                        self.scorer.cut(support.text, weights, want, SUPPORT_CHARS))

    def _opening(self, items: Sequence[Sentence], ranked: list[Scored], hit: CaseHit, weights: dict[str, float],
                 want: Asked, question: str, sections: tuple[str, ...]) -> tuple[list[Sentence], str | None]:
        """The sentences that answer a fact question first, with the part to quote of the first when it is not cut
        by the question's words: where the case lists what a thing the question names consists of (「“三访三查”查些
        啥」) when the best sentence lists nothing, else one sentence per fact asked (「在哪儿、有多大」), else where it
        says what the thing asked about is, else the best one."""
        best = ranked[0].sentence
        spelled = self._spelled_out(items, question, weights, hit.case) \
            if want.kind != OUTCOME and asks_members(question, want) and not lists_members(best.text) else None
        if spelled:
            return [spelled[0]], spelled[1]
        phrases = ask_phrases(question) if want.asks >= 2 \
            else joined_measures(question) if want.kind == OUTCOME or want.english else []
        if len(phrases) >= 2:
            opening: list[Sentence] = []
            for phrase in phrases:
                # Each asked fact by its own words; the rest of the question counts for little (it may name the other fact).
                own = self.scorer.for_case(self.scorer.weights(phrase, phrase), hit.case)  # English: in the book's words
                local = {**{t: w * OTHER_PHRASE_WEIGHT for t, w in weights.items()}, **own}
                part_want = dataclasses.replace(asked(phrase), kind=want.kind)
                if want.english:
                    # "how many meetings and working days": each thing asked for a figure as the whole question asks,
                    # told by a sentence in the book's words for it (the rest of the question, in English, says little).
                    part_want = dataclasses.replace(part_want, number=part_want.number or want.number)
                found = [x.sentence for x in
                         self.scorer.by_fact(self.scorer.rank(items, local, part_want, hit, sections), part_want)]
                # Of the sentences as good for the fact asked (「一般谈几轮」: any with a figure), the first in the phrase's
                # own words (「以三轮谈判为原则」); an English phrase's own words are the book's words for it: any sentence.
                top = found if want.english else \
                    [s for s in found if fact_marks(s.text, part_want) == fact_marks(found[0].text, part_want)]
                pick = next(iter([s for s in top if self.scorer.relevance(s.text, own) > 0] or found), None)
                if pick is not None and pick not in opening:
                    opening.append(pick)
            if opening:
                return opening, None
        if want.definition:
            # A thing is told where the case says what it is (「“6+2”指的是…」), else where it first names it
            # (「…设立“爱心集享格”储物柜…」), then where it says most; the thing is what the question quotes, if the
            # case says it, else its weightiest word.
            said = [t for t in _terms(question, items) if any(t in s.text for s in items)]
            term = said[0] if said else max((t for t in weights if len(t) > 1 and any(t in s.text for s in items)),
                                            key=weights.get, default=None)
            in_order = sorted(items, key=lambda s: s.position)
            first = next((s for s in in_order if sent.defines(s.text, term)), None) or \
                next((s for s in in_order if term in s.text), None) if term else None
            if first is not None:
                return self._with_next(first, items), None
        return self._with_next(best, items), None

    @staticmethod
    def _spelled_out(items: Sequence[Sentence], question: str, weights: dict[str, float],
                     case: Case) -> tuple[Sentence, str] | None:
        """A sentence that lists the members of a thing the question names, with the part that names it and lists
        them: the first in the book's order for the first of the thing's names that has one (as the book quotes it,
        then the question's own words right before asking them)."""
        named = members_named(question)  # the words right before 「主要干哪几件事」: 职工创新工作室
        # The thing as the book names it (quoted), then the question's words for it.
        terms = [(t, "") for t in _terms(question, items)] + [(t, question) for t in sorted(
            (t for t in weights if len(t) >= MEMBER_TERM_CHARS and t in named and t not in case.unit),
            key=lambda t: -weights[t])]  # the unit is who did it, not the thing asked about
        for term, asked_as in terms:
            for s in sorted(items, key=lambda x: x.position):
                part = sent.spelled_out(s.text, term, SPELLED_CHARS, asked_as) if term in s.text else None
                if part:
                    return s, part
        return None

    @staticmethod
    def _counted_moves(s: Sentence, items: Sequence[Sentence], want: Asked, question: str) -> list[Sentence]:
        """The numbered moves (一是…二是…) a question for the members of a counted set asks (「哪四个联系」「分哪几类」
        「“五定一勤”具体指什么」): those the sentence is the first of or announces right before them, in the book's
        order, at most MAX_MEMBERS (a set counts its members: 「“6+2”…那6样具体是啥」); or the sentences that each
        quote one under the heading of the same moves that counts as many as the question does."""
        if not (want.counted or want.items or _MEMBERS_ASKED.search(question)):
            return []
        after = next((x for x in items if x.position == s.position + 1), None)
        head = next((x for x in items if x.head and x.section == s.section and x.position > s.position), None)
        # 「6项举措为:」 right before the moves, close after the sentence or counting as many as the question asks.
        announcer = next((x for x in items if head is not None and x.position == head.position - 1
                          and sent.opens_list(x.text)), None)
        announced = announcer is not None and (head.position - s.position <= ANNOUNCED_WITHIN
                                               or 0 < want.members == members_counted(announcer.text))
        # 「2.立足三大平台」 tells its three platforms one per sentence of its move, each by a quoted name: the heading
        # counts as many as the question and says what it counts (「哪三个平台」).
        kind_counted = _KIND_COUNTED.search(question)
        counting = next((x for x in items if x.head and x.section == s.section
                         and members_counted(x.text) == want.members >= 2
                         and (s.head or (kind_counted is not None and kind_counted.group(1) in x.text))), None)
        quoting = [x for x in items if counting and x.section == s.section and x.step == counting.step
                   and not x.head and any(q not in counting.text for q in _quoted(x.text))]
        if quoting and len(quoting) == want.members:
            return quoting
        if s.head:
            moves = [x for x in items if x.head and x.section == s.section]
        elif (after is not None and after.head and after.section == s.section) or announced:
            moves = [x for x in items if x.head and x.section == s.section and x.position > s.position]
        else:
            return []
        return moves[:MAX_MEMBERS] if len(moves) >= 2 else []

    @staticmethod
    def _named_moves(items: Sequence[Sentence], question: str) -> list[Sentence]:
        """The numbered moves of one section whose headings each name the kind of member asked (「哪几项机制」:
        「工会联席会机制」「职代会授权机制」…) or start with a member the question lists (「学、思、悟、行分别指啥」),
        at least two, in the book's order, at most MAX_STEPS."""
        best: list[Sentence] = []
        listed = members_listed(question)
        candidates = [[x for x in items if x.head and any(sent.move_text(x.text).startswith(m) for m in listed)]] \
            if listed else [[x for x in items if x.head and term in x.text] for term in member_terms(question)]
        for heads in candidates:
            for section in dict.fromkeys(x.section for x in heads):
                moves = [x for x in heads if x.section == section]
                if len(moves) > len(best):
                    best = moves
        return best[:MAX_STEPS] if len(best) >= 2 else []

    @staticmethod
    def _term_moves(items: Sequence[Sentence], question: str) -> list[Sentence]:
        """The moves whose headings name the terms a question asks each of, when at least two do (「“四个清单”“四项基础”
        “四项服务”分别指什么」: one move each), in the book's order."""
        terms = _terms(question, items) if asks_each(question) else []
        heads = [x for x in items if x.head and any(t in x.text for t in terms)]
        return heads[:MAX_STEPS] if len({t for x in heads for t in terms if t in x.text}) >= 2 else []

    @staticmethod
    def _with_next(s: Sentence, items: Sequence[Sentence]) -> list[Sentence]:
        """A short heading says little alone: it comes with the sentence after it in the same move."""
        if not s.head or len(s.text) > SHORT_HEADING_CHARS:
            return [s]
        after = next((x for x in items if x.position == s.position + 1), None)
        return [s, after] if after is not None and after.step == s.step and after.section == s.section else [s]

    def _support(self, ranked: list[Scored], opening: list[Sentence], weights: dict[str, float],
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

    def _which(self, draft: Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """Which unit: title and unit first, then the sentence that shows why it is this case, and the next best
        one that holds what it does not (the programme's name, a figure)."""
        case = hit.case
        # The question describes what the unit did, often in the words of the case's title: they find the sentence.
        lead = "This is " if want.english else "是"
        draft.text(f"{lead}{case.unit}：《{case.title}》（{case.award}）。")
        ranked = self.scorer.rank(sent.of_case(case), weights, want, hit)
        if ranked:
            s = ranked[0].sentence
            draft.quote("", case, s.section, s.text, self.scorer.cut(s.text, weights, want, OPENING_CHARS))
            for support in self._support(ranked[1:], [s], weights, want)[:WHICH_SUPPORTS]:
                draft.quote("", case, support.section, support.text,
                            self.scorer.cut(support.text, weights, want, SUPPORT_CHARS))

    def _howto(self, draft: Draft, hit: CaseHit, weights: dict[str, float], want: Asked,
               shown: frozenset[str] = frozenset(), question: str = "", with_result: bool = False) -> None:
        """How-to: the case's own key moves (at most about five, those most about the question, in the book's
        order), then whom to learn from; a case told without moves gives its sentences most about the question
        (but those already `shown`). The moves follow where the case lists what the thing asked about consists of
        (「创新工作室主要任务有哪些」), else what it says before the first move. `with_result`: the question asks
        about the case as a whole (「第二个呢」), so what came of it follows the moves (`_key_result`)."""
        case = hit.case
        weights = self.scorer.for_case(weights, case)
        sections = SECTIONS_FOR[HOWTO]
        items = [s for s in sent.of_case(case) if s.section in sections] or list(sent.of_case(case))
        steps = self._steps(items)
        ranked = self.scorer.rank(items, weights, want, hit, sections)
        lead = self._english_lead(want, case) or f"{case.unit}的做法："
        spelled = self._spelled_out(list(sent.of_case(case)), question, weights, case) \
            if asks_members(question, want) else None
        if len(steps) >= 2:
            best_step: dict[int, float] = {}
            for item in ranked:
                best_step.setdefault(item.sentence.step, item.score)
            # As many moves as the question counts, when it counts more (「那6项举措是什么」); the first move, where the
            # book starts the approach (「一是…新职工推荐自己最喜欢的一本书」), whatever its words.
            count = max(MAX_STEPS, min(want.members, MAX_MEMBERS))
            first_step = min(steps)
            chosen = sorted([first_step] + sorted((k for k in steps if k != first_step),
                                                  key=lambda k: -best_step.get(k, 0.0))[:count - 1])
            limits = self._step_limits(chosen, best_step)
            # What the book says before the first move often names the whole approach (「…“四联系双发展”机制」).
            first_head = steps[min(steps)][0]
            intro = [x for x in items if x.section == first_head.section and x.position == first_head.position - 1
                     and x.step < 0 and not sent.announces(x.text) and x.text not in shown]
            if spelled:
                draft.quote(lead, case, spelled[0].section, spelled[0].text, spelled[1])
            elif intro:
                # 「…为该教师办理入会手续后…」 points back: the sentence it points to comes first.
                before = [x for x in items if x.section == intro[0].section and x.position == intro[0].position - 1
                          and x.step < 0] if _POINTS_BACK.search(intro[0].text) else []
                draft.quote_joined(lead, case, [(s.section, s.text,
                                                 self.scorer.cut(s.text, weights, want, INTRO_CHARS, named=True))
                                                for s in before + intro[:1]])
            else:
                draft.text(lead)
            quoted_first = spelled[0] if spelled else None
            for step in chosen:  # the sentence quoted first is not quoted again under its move
                moves = [x for i, x in enumerate(steps[step]) if i == 0 or x is not quoted_first]
                self._step_line(draft, case, moves, weights, want, limits[step])
        else:
            # Where the case spells out what the thing asked about consists of is quoted, whatever its rank
            # (「都搞些啥活动」: 「具体开展的活动有亲子活动系列、…」).
            picked, size = ([spelled], len(spelled[1])) if spelled else ([], 0)
            for item in [x for x in ranked if x.sentence.text not in shown
                         and not (spelled and x.sentence is spelled[0])][:PROSE_SENTENCES]:
                if size >= HOWTO_CHARS:
                    break
                # The sentence most about the question gets the room a move's first sentence gets (「要求…可服务 2 至
                # 3 人的室内场所,…饮用热水、冰箱、微波炉…」 is what 「接力站要满足啥条件」 asks).
                limit = PROSE_CHARS if picked else FIRST_PIECE_CHARS
                part = self.scorer.cut(item.sentence.text, weights, want, limit, named=True)
                picked.append((item.sentence, part))
                size += len(part)
            for i, (s, part) in enumerate(sorted(picked, key=lambda sp: sp[0].position)):
                draft.quote(lead if i == 0 else "", case, s.section, s.text, part)
        result = self._key_result(hit, weights) if with_result else None
        if result is not None:
            draft.quote(RESULT_LEAD, case, result.section, result.text,
                        self.scorer.cut(result.text, weights, want, RESULT_CHARS))
        draft.text(f"可向《{case.title}》（{case.unit}）学习。")

    def _key_result(self, hit: CaseHit, weights: dict[str, float]) -> Sentence | None:
        """The case's result most about the question, figures counting as much as a weighty word of it: 「第二个呢」
        is told by a result with figures, 「还有别的单位帮职工解决住房的吗」 by the one on housing. `weights` are already
        those for the case (`Scorer.for_case`)."""
        return min(self._came_of(hit.case), default=None, key=lambda s: (
            -self.scorer.relevance(s.text, weights) - RESULT_FIGURE_BONUS * has_quantity(s.text), s.position))

    @staticmethod
    def _step_limits(chosen: list[int], best_step: dict[int, float]) -> dict[int, int]:
        """The characters each chosen move gets of HOWTO_CHARS: more for the moves more about the question (「人怎么配」
        is told under one move), each between the two bounds."""
        value = {k: max(best_step.get(k, 0.0), 0.0) for k in chosen}
        total = sum(value.values()) or 1.0
        share = {k: STEP_SHARE_EVEN / len(chosen) + (1 - STEP_SHARE_EVEN) * value[k] / total for k in chosen}
        return {k: max(STEP_MIN_CHARS, min(STEP_MAX_CHARS, round(HOWTO_CHARS * share[k]))) for k in chosen}

    @staticmethod
    def _steps(items: Sequence[Sentence]) -> dict[int, list[Sentence]]:
        """Step number → its sentences (the heading first), for sections written as numbered or headed moves."""
        steps: dict[int, list[Sentence]] = {}
        for s in items:
            if s.step >= 0:
                steps.setdefault(s.step, []).append(s)
        return {k: v for k, v in steps.items() if v[0].head}

    def _step_line(self, draft: Draft, case: Case, step: list[Sentence], weights: dict[str, float],
                   want: Asked, limit: int, lead: str | None = None) -> None:
        """One move in at most about `limit` characters: its heading, then from under it the sentences most about
        the question (the first one usually says what the move is; a quoted name is a programme to ask about),
        cut short."""
        head, body = step[0], step[1:]
        start = sent.enumerated_start(head.text) or 0
        head_part = head.text[start:]
        prefix = lead if lead is not None else "" if sent.NUMBERED.match(head_part) else "- "
        if len(head_part) > limit:
            head_part = self.scorer.cut(head_part, weights, want, limit, named=True, most=limit)
        draft.quote(prefix, case, head.section, head.text, head_part)

        def value(s: Sentence) -> float:
            # A result is told in figures; a move by what it names.
            told = (RESULT_FIGURE_BONUS * has_quantity(s.text) if s.section == "成效"
                    else NAMED_BONUS * len(NAMED.findall(s.text)))
            return self.scorer.relevance(s.text, weights) + FIRST_BODY_BONUS * (s is body[0]) + told

        # The best sentences under the heading, the better ones first to get the room, each cut to its clauses most
        # about the question, shown in the book's order: what the move is, then its other key terms, not its every
        # sentence (the best in 120 characters and three more in 50 each, instead of two whole sentences: all key facts
        # of the answer tuning sets 0.820 to 0.839 on average, of the dialogue follow-ups 0.729 to 0.731, at the same
        # median length).
        room, kept = limit - len(head_part), []
        for s in sorted(body, key=lambda s: (-value(s), s.position))[:STEP_SENTENCES]:
            if room < MIN_PIECE_CHARS:
                break
            piece = STEP_PIECE_CHARS if kept else FIRST_PIECE_CHARS
            part = self.scorer.cut(s.text, weights, want, min(room, piece), named=True,
                                   most=room + MIN_PIECE_CHARS // 2)
            if len(part) > room + MIN_PIECE_CHARS // 2:
                continue
            kept.append((s, part))
            room -= len(part)
        glue = joiner(head_part)
        shown = {s for s, _ in kept}
        for s, part in sorted(kept, key=lambda sp: sp[0].position):
            draft.extend(glue, case, s.section, s.text, part)
            glue = ""
            if sent.opens_list(part):
                # 「…依据三个原则：」 promises its items: they follow, each cut short.
                for item in sent.continued(s, step, LIST_CHARS)[1:]:
                    if item not in shown:
                        shown.add(item)
                        draft.extend("", case, item.section, item.text,
                                     self.scorer.cut(item.text, weights, want, LIST_ITEM_CHARS))

    def _why(self, draft: Draft, hit: CaseHit, weights: dict[str, float], want: Asked) -> None:
        """Why: the background sentences most about the question (the category's, then the case's own statement of its
        problem), then the case that answers it."""
        case = hit.case
        background = sent.background_of(case)
        weights_case = self.scorer.for_case(weights, case)
        if background:
            ranked = [x.sentence for x in self.scorer.rank(background, weights_case, Asked(WHY), hit)]
            shared = [s for s in ranked if s.section == sent.SHARED_BACKGROUND]
            case_own = [s for s in ranked if s not in shared]
            if not any(self._says_any(s, weights_case) for s in shared) \
                    and any(self._says_any(s, weights_case) for s in case_own):
                # The category's background says nothing the question does and the case's own does (「南翔为啥暑假要搞
                # “小候鸟”活动」 in a category told by housing and meals): it is about the category's other cases.
                ranked, shared = case_own, []
            # The category's background answers why for all its cases; the case's own statement of its problem is
            # added where it is more about the question than the background's last sentence picked.
            shared = shared[:WHY_SENTENCES]
            last = ranked.index(shared[-1]) if shared else len(ranked)
            own = [s for s in ranked[:last] if s not in shared][:WHY_OWN] if shared else ranked[:WHY_SENTENCES]
            picked = sorted(shared + own, key=background.index)
            for i, s in enumerate(picked):
                draft.quote(self._english_lead(want, case) if i == 0 else "", case, s.section, s.text,
                            self.scorer.cut(s.text, weights_case, want, OPENING_CHARS))
        quoted = {b.text for b in background}
        items = [s for s in sent.of_case(case) if s.text not in quoted]
        ranked = self.scorer.rank(items, weights_case, Asked(HOWTO), hit, SECTIONS_FOR[HOWTO])
        if ranked:
            for i, s in enumerate(self._with_next(ranked[0].sentence, items)):
                part = self.scorer.cut(s.text, weights_case, want, SUPPORT_CHARS)
                if i == 0:
                    draft.quote(f"{case.unit}的做法：", case, s.section, s.text, part)
                else:
                    draft.extend("", case, s.section, s.text, part)
        draft.text(f"可向《{case.title}》（{case.unit}）学习。")

    def _says_any(self, s: Sentence, weights: dict[str, float]) -> bool:
        """The sentence says a word of the question that few cases say (not only 职工, 服务 or 活动)."""
        return self.scorer.relevance(s.text, weights) >= SAYS_QUESTION

    def _expert(self, draft: Draft, hit: CaseHit, weights: dict[str, float], want: Asked, question: str) -> None:
        """Expert: the commenting expert's name and affiliation, then their points that bear on the question (with
        the members of what the question asks about, when the comment lists them: 「“五到位”是指哪五个方面」)."""
        case = hit.case
        comments = case.expert_comments
        # Words of the case's own name point to the sentences about it in a comment shared by its category.
        naming = {t: self.scorer.idf(t) * 0.5 for t in self.lexicon.tokenize(case.title + case.unit) if t not in weights}
        scored = []
        for comment in comments:
            items = sent.section_sentences(f"专家点评（{comment.expert}）", comment.text)
            person = self.scorer.relevance(comment.expert + comment.affiliation, weights)
            scored.append((person, comment, self.scorer.rank(items, {**naming, **weights}, Asked(EXPERT), hit)))
        # A question that points to one expert (「复旦那位教授」) gets that one; otherwise every expert who commented.
        if any(person for person, _, _ in scored):
            scored = [max(scored, key=lambda c: (c[0], sum(x.score for x in c[2][:3])))]
        points = EXPERT_POINTS if len(scored) == 1 else EXPERT_POINTS_EACH
        for _, comment, ranked in scored:
            # The points an expert numbers (「第一,法治方向、职工主体。」) are the points, however few words they share
            # with the question; the sentences most about it fill the rest.
            heads = [x.sentence for x in ranked if x.sentence.head]
            rest = [x.sentence for x in ranked if not x.sentence.head]
            picked = sorted((heads + rest)[:max(points, len(heads) + 1)], key=lambda s: s.position)
            spelled = self._spelled_out([x.sentence for x in ranked], question, weights, case) \
                if asks_members(question, want) else None
            if spelled and spelled[0] not in picked:
                picked = sorted([spelled[0], *picked[:-1]], key=lambda s: s.position)
            lead = f"{comment.affiliation} {comment.expert}" + (" commented: " if want.english else "点评：")
            # The points share the room: the short ones first, leaving more for a long one (「…坚持“强基层、强基础、
            # 强队伍”的思路,…为…“五到位”提供有力的保障」).
            room, parts = EXPERT_CHARS // len(scored), {}
            for i, s in enumerate(sorted(picked, key=lambda x: len(x.text))):
                limit = max(SUPPORT_CHARS, room // (len(picked) - i))
                parts[s] = spelled[1] if spelled and s is spelled[0] else \
                    self.scorer.cut(s.text, {**naming, **weights}, want, limit)
                room -= len(parts[s])
            for i, s in enumerate(picked):
                draft.quote(lead if i == 0 else "", case, s.section, s.text, parts[s])

    # --- lists ---------------------------------------------------------------------------------------------------

    def _list(self, draft: Draft, question: str, query: str, hits: list[CaseHit], weights: dict[str, float],
              want: Asked, cases: Sequence[Case], whole: bool = False) -> None:
        """A list: one line per matching case (《标题》— 单位：one key sentence), all of them, in the book's order; a long
        list chosen by topic (more than LIST_LONG cases) best first."""
        by_book: list[tuple[CaseHit, Sentence | None]] = []
        if want.english:
            # The book is Chinese: an English question's words find no sentence, its meaning found the cases.
            chosen = [(h, self.lists.on_topic(h, weights, want)) for h in leading_cases(hits, LIST_CASE_SHARE)]
            chosen = [(h, s.sentence if s else None) for h, s in chosen]
        else:
            by_book = [(h, first_move(h.case)) for h in sorted(hits, key=lambda h: h.case.book_order)] if whole \
                else self.lists.by_book_field(question, hits, cases) or self.lists.category(question, hits, cases)
            chosen = by_book or self.lists.matching(hits, question, query, want)
            chosen = self.lists.of_award(question, chosen)
        # What the book says of them (their unit, expert, category) picks every case of a list in full: all of them are
        # named, each with a shorter quote when they are many. A list by topic names the best few.
        found = len(chosen)
        many = bool(by_book) and found > LIST_MAX
        if by_book:
            note = "（按案例集中的顺序）"
        else:
            chosen = chosen[:LIST_MAX]
            note = "（案例较多，按相关程度排列）" if len(chosen) > LIST_LONG else ""
            if not note:
                # A short list reads in the book's order, as a reader of the book lists them: 「第二个」 then means the
                # second in the book (on the dialogue tuning sets ordinal turns 50 to 53 of 64 right).
                chosen = sorted(chosen, key=lambda hb: hb[0].case.book_order)
        experts = self.lists.experts_named(question, cases) if by_book else []
        commented = len(experts) == 1 and all(any(c.expert == experts[0].expert for c in hit.case.expert_comments)
                                              for hit, _ in chosen)
        if want.english:
            draft.text(f"{len(chosen)} cases in the book:")
        elif commented:
            # A list by the expert's comments says whose they are (「石云（…）点评了这 4 个案例」).
            draft.text(f"{experts[0].expert}（{experts[0].affiliation}）点评了案例集中的 {found} 个案例{note}：")
        else:
            draft.text(f"案例集中有 {found} 个相关案例{note}：")
        for i, (hit, best) in enumerate(chosen, start=1):
            case = hit.case
            prefix = f"{i}. 《{case.title}》— {case.unit}："
            if best is None:
                draft.text(prefix.rstrip("："))
                continue
            local = self.scorer.for_case(weights, case)
            for j, s in enumerate([best] if many else self._with_next(best, sent.of_case(case))):
                part = self.scorer.cut(s.text, local, want, LIST_SHORT_LINE_CHARS if many else LIST_LINE_CHARS)
                if j == 0:
                    draft.quote(prefix, case, s.section, s.text, part)
                else:
                    draft.extend(joiner(best.text), case, s.section, s.text, part)
