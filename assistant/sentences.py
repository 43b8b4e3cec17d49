"""A case as the composer reads it: verbatim sentences with their place (section, step), and clause-level cuts."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .corpus import NUMERALS, OWN_BACKGROUND_SECTIONS, Case

# Where a sentence ends; a semicolon ends one too (the book strings a case's moves together with ；).
SENTENCE_ENDS = "。！？；!?;"
_SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}]+[{SENTENCE_ENDS}]*")
CLAUSE_ENDS = "，,：:、"
_CLAUSE = re.compile(rf"[^{CLAUSE_ENDS}{SENTENCE_ENDS}]+[{CLAUSE_ENDS}{SENTENCE_ENDS}]*")
# A step or result heading: "1. 开展调研。", "一是…", "第一，…".
NUMBERED = re.compile(r"^\s*(\d{1,2}\s*[.．、]|[（(][一二三四五六七八九十\d]{1,2}[)）])")
# Also a series the case counts by its own words: 「一季度为…」「（…包括:）第一级绿色通道——…」「首先…其次…」, and moves
# named by a one- or two-character label (「学：…」「思：…」).
_ENUMERATED = re.compile(r"(?:^|^[^。；;]{0,8}?|^[^。；;]{0,20}[:：])([一二三四五六七八九十]是|第[一二三四五六七八九十][，,、是]|"
                         r"[一二三四]季度|第[一二三四五六七八九十][级步]|首先|其次|再次)|^([\u4e00-\u9fff]{1,2}[：:])")
# A paragraph this short with no sentence end is a heading line of its own ("制作一份纪念照").
HEADING_LINE_CHARS = 30
# A sentence at most this much longer than the room it is cut to is quoted whole: what a cut would save is little,
# what it leaves out is often the rest of a list (「…饮用热水、冰箱、微波炉…」). (Answers of the tuning sets carrying all
# their key facts 2532 to 2565 of 2890, follow-ups 3232 to 3271 of 3751; median length 225 to 231.)
WHOLE_SLACK = 1.4
SHARED_BACKGROUND = "背景（同类别案例共用）"


@dataclass(frozen=True)
class Sentence:
    """One sentence of a case, verbatim; `head` marks a step or result heading, `step` the step it belongs to."""

    text: str
    section: str
    paragraph: int
    position: int
    head: bool = False
    step: int = -1


def split(text: str) -> list[str]:
    """The sentences of a paragraph, verbatim and stripped."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def clauses(sentence: str) -> list[str]:
    """The clauses of a sentence, each with its trailing mark; they join back to the sentence."""
    return _CLAUSE.findall(sentence)


def _is_heading_line(paragraph: str) -> bool:
    paragraph = paragraph.strip()
    return (len(paragraph) <= HEADING_LINE_CHARS and paragraph[-1] not in SENTENCE_ENDS + "，,：:"
            and "|" not in paragraph and not paragraph.startswith("【"))


def enumerated_start(sentence: str) -> int | None:
    """Where an enumerated move ("一是…") starts in a sentence ("主要做法：一是…" → at 一是), None if none."""
    found = _ENUMERATED.search(sentence)
    return found.start(found.lastindex) if found else None


def move_text(sentence: str) -> str:
    """A move's words without its number or quote marks (「1. “整合思维”，…」 → 「整合思维”，…」)."""
    numbered = NUMBERED.match(sentence)
    start = numbered.end() if numbered else enumerated_start(sentence) or 0
    return sentence[start:].lstrip(" “\"")


def section_sentences(name: str, text: str, start: int = 0) -> list[Sentence]:
    """The sentences of one section, with its moves marked: numbered paragraphs if it has them, else heading lines,
    else enumerated sentences (「一是…二是…」) — one level only, so a numbered move's 「一是」 stays inside it."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    pieces = [split(p) for p in paragraphs]
    numbered = [bool(NUMBERED.match(p)) for p in paragraphs]
    headings = [_is_heading_line(p) for p in paragraphs]
    if sum(numbered) >= 2:
        style = "numbered"
    elif sum(headings) >= 2:
        style = "heading"
    else:
        style = "enumerated"
    found: list[Sentence] = []
    step = steps = -1
    for p, paragraph_pieces in enumerate(pieces):
        for i, piece in enumerate(paragraph_pieces):
            if style == "numbered":
                head = i == 0 and numbered[p]
            elif style == "heading":
                head = i == 0 and headings[p]
            else:
                head = enumerated_start(piece) is not None
                if i == 0 and not head:
                    # Enumerated moves end with their paragraph: one that opens with none tells something else, most
                    # often what came of them (「…第三级绿色通道——…」 then 「劳模就医“绿色通道”的打造,成效明显。」).
                    step = -1
            if head:
                steps += 1
                step = steps
            found.append(Sentence(piece, name, p, start + len(found), head, step))
    return found


@lru_cache(maxsize=256)
def of_case(case: Case) -> tuple[Sentence, ...]:
    """Every sentence of the case's own sections, in order."""
    found: list[Sentence] = []
    for section in case.sections:
        found += section_sentences(section.name, section.text, len(found))
    return tuple(found)


@lru_cache(maxsize=256)
def background_of(case: Case) -> tuple[Sentence, ...]:
    """What explains why the case was needed: the category background, then the case's own problem as it states it
    (its 背景 or 概述, else the opening paragraph of its first section before any move: 「…形成了留守儿童再次留守问题」,
    not 「1. 推进“饿了么”公司总部建会。」)."""
    shared = tuple(section_sentences(SHARED_BACKGROUND, case.background)) if case.background else ()
    own = [s for s in case.sections if s.name in OWN_BACKGROUND_SECTIONS]
    if own:
        return shared + tuple(s for section in own for s in section_sentences(section.name, section.text))
    if not case.sections:
        return shared
    first = case.sections[0].name
    return shared + tuple(s for s in of_case(case) if s.section == first and s.paragraph == 0 and s.step < 0)


_ANNOUNCES = re.compile(r"(?<![\d\s人家个名位岁元万])以下|如下|下列|[:：]$")  # not 「25 人以下」
# The items of a list the book opens with a colon: 「一是…」「第一…」「（1）…」「①…」.
_LIST_ITEM = re.compile(r"^(?:[一二三四五六七八九十]是|第[一二三四五六七八九十]|[（(][一二三四五六七八九十\d]{1,2}[)）]|"
                        r"\d{1,2}\s*[.．、]|[①-⑩])")
LIST_ITEM_ENDS = ("；", ";")


def announces(text: str) -> bool:
    """A sentence that only announces what follows (「主要从以下几方面开展工作。」) says nothing of its own."""
    return bool(_ANNOUNCES.search(text.strip()))


def opens_list(text: str) -> bool:
    """A sentence ending in a colon (「…依据三个原则：」): without the items after it, it promises what is not there."""
    return text.strip().endswith(("：", ":"))


def continued(s: Sentence, items: Sequence[Sentence], limit: int, named: tuple[str, ...] = (),
              announces_members: bool = False) -> list[Sentence]:
    """The sentence with the rest of the list it opens (「…依据三个原则：」 → 「一是…」「二是…」) or is an item of (the
    book ends a list's items with ；, its last with 。): the sentences right after it in the same move, within about
    `limit` characters. A list counted by what it lists (「分为四大阶段」, `named` 「阶段」) goes on while the sentences
    name it (「一季度为调研策划阶段…」); a heading that `announces_members` of its move (「一是创新五种建会模式…。」) is
    followed by the move's first sentence, whatever ends it."""
    opens = opens_list(s.text)
    after = {x.position: x for x in items if x.section == s.section and x.step == s.step and not x.head}
    found, size = [s], len(s.text)
    while (x := after.get(found[-1].position + 1)) is not None and size + len(x.text) <= limit:
        if not (found[-1].text.endswith(LIST_ITEM_ENDS) or (opens and _LIST_ITEM.match(x.text))
                or any(name in x.text for name in named) or (announces_members and found[-1] is s)):
            break
        found.append(x)
        size += len(x.text)
    return found


def list_around(s: Sentence, items: Sequence[Sentence], limit: int) -> list[Sentence]:
    """The whole list the sentence is an item of (「建会企业…列出9大服务内容;基层工会…列出10大服务内容;会员职工…23项」):
    the items before it in the same move ending with ；, itself and the items after it, within about `limit` characters
    (nearest first); the sentence alone when it is no list item."""
    same = {x.position: x for x in items if x.section == s.section and x.step == s.step and not x.head}
    before: list[Sentence] = []
    size = len(s.text)
    while (x := same.get((before[0] if before else s).position - 1)) is not None and x.text.endswith(LIST_ITEM_ENDS) \
            and size + len(x.text) <= limit:
        before.insert(0, x)
        size += len(x.text)
    return before + continued(s, items, limit - (size - len(s.text)))


# A named thing's members follow it within this many characters (「…创新工作室的主要任务为“现场攻关、…」).
MEMBERS_LEAD = 24
_MEMBERS_MIN = 3  # a list: at least three members, two 、 between them
_SPELLING = re.compile(r"指的是|是指|包括|包含|分为|分成|即|为|是|有|设置|设有|配备|配有|集成|涵盖|[:：]")
_SPELLING_LEAD = 6
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PART_ENDS = re.compile(r"[，,。；;！？!?]")


_DEFINES = re.compile(r"^[”\"’」]?(?:指的是|是指|指|即|包括|包含|分为|分成)")


def defines(text: str, term: str) -> bool:
    """The sentence says what the term is: right after it, 指的是, 即, 包括 … (「“6+2”指的是6项…」)."""
    return any(_DEFINES.match(text[m.end():]) for m in re.finditer(re.escape(term), text))


def spelled_out(text: str, term: str, limit: int, asked_as: str = "") -> str | None:
    """The part of a sentence that spells out what a thing it names consists of: from the clause naming it to the end
    of the list of members that follows it closely (「“三访三查”通过采用查制度、看现场、听反映等不同形式，」), as
    printed; all such lists of the sentence, when they fit in `limit` (the duties and the tasks of 创新工作室); the
    whole sentence when it fits. A quoted name may also count the members listed right before it, as many as it
    says (「为合理布局、人员配备、工作经费、硬件配置、考核管理“五到位”提供…」). A word of the question that does not
    name the thing as the book quotes it (`asked_as`: the question) must be the same thing, not another of its kind
    (企业阵地 is not 三维阵地: the word before it in the text is not the question's), and be followed by a word that
    says what it consists of (为, 有, 包括 …), right after a word of two characters (「活动有亲子活动系列、…」), a few
    characters after a longer one (「创新工作室的主要任务为…」)."""
    spans = []
    quoted = not asked_as
    lead = MEMBERS_LEAD if quoted else _SPELLING_LEAD if len(term) > 2 else 0
    for m in re.finditer(re.escape(term), text):
        if not quoted and not _same_thing(text[max(0, m.start() - 2):m.start()], asked_as):
            continue
        window = re.split(r"[。；;]", text[m.end():], maxsplit=1)[0]
        first = window.find("、")
        start = max(text.rfind(c, 0, m.start()) for c in "，,：:。；;") + 1
        before = text[start:m.start()]
        if quoted and before.count("、") >= _MEMBERS_MIN - 1 and len(before) - before.rfind("、") <= MEMBERS_LEAD \
                and NUMERALS.get(term[0]) == before.count("、") + 1:
            # The members before the name that counts them (「为合理布局、…、考核管理“五到位”提供…」).
            close = _PART_ENDS.search(text, m.end())
            spans.append((start, close.end() if close else len(text)))
            continue
        close = _PART_ENDS.search(window, first)  # the list runs to the end of its clause
        if not 0 <= first <= MEMBERS_LEAD or window[:close.start() if close else None].count("、") < _MEMBERS_MIN - 1:
            continue
        marker = _SPELLING.search(window[:first])
        if not quoted and (marker is None or marker.start() > lead):
            continue
        spans.append((start, m.end() + (close.end() if close else len(window))))
    if not spans:
        return None
    if len(text) <= limit:
        return text
    part = text[spans[0][0]:spans[-1][1]]
    return part if len(part) <= limit else text[spans[0][0]:spans[0][1]]


def _same_thing(before: str, question: str) -> bool:
    """What the text says right before a word: no word (a mark, 的), or words the question says too."""
    return not before or not _CJK.match(before[-1]) or before[-1] == "的" or before in question


def clip(sentence: str, score: Callable[[str], float], limit: int, most: int | None = None) -> str:
    """A contiguous run of the sentence's clauses of at most about `limit` characters: the clause that scores best,
    grown towards the better-scoring neighbour (the earlier one on a tie: it names who did it). The whole sentence
    when it is short enough, and never longer than `most` (the room left)."""
    if len(sentence) <= min(limit * WHOLE_SLACK, most or len(sentence)):
        return sentence
    parts = clauses(sentence)
    scores = [score(part) for part in parts]
    lo = hi = max(range(len(parts)), key=lambda i: (scores[i], -i))
    size = len(parts[lo])
    while True:
        left = scores[lo - 1] if lo > 0 and size + len(parts[lo - 1]) <= limit else None
        right = scores[hi + 1] if hi + 1 < len(parts) and size + len(parts[hi + 1]) <= limit else None
        if left is None and right is None:
            break
        if right is None or (left is not None and left >= right):
            lo, size = lo - 1, size + len(parts[lo - 1])
        else:
            hi, size = hi + 1, size + len(parts[hi + 1])
    return "".join(parts[lo:hi + 1]).strip()


def marked(part: str, sentence: str) -> str:
    """A cut part of a sentence as shown to a reader: an ellipsis where words were left out."""
    if part == sentence:
        return part
    start = sentence.find(part)
    text = part.rstrip(CLAUSE_ENDS)
    return ("…" if start > 0 else "") + text + ("…" if start + len(part) < len(sentence) else "")
