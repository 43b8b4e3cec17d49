"""Parse the compendium text into 60 structured, cleaned case records."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

AWARD_SPECIAL = "特等奖"
AWARD_TOP = "十大创新案例"
AWARD_NOMINATED = "提名奖"
AWARDS = (AWARD_SPECIAL, AWARD_TOP, AWARD_NOMINATED)


# Headings that structure a case; the text has them as "做法", "**做法**", "案例 简介", "案例\n简介".
SECTION_HEADINGS = ("背景", "做法", "成效", "案例简介")
EXPERT_HEADING = "专家点评"
# A paragraph ending in one of these is complete; anything else was cut by a page break.
SENTENCE_END = "。！？!?；;：:…”’）)》】"
CLAUSE_MARKS = "，,、；;：:。"
MAX_HEADING_CHARS = 25
# A word names a case's unit when no other unit holds it and no other case uses it (马桥; not 建筑, which 徐汇滨江's
# case uses for the workers it serves).
UNIT_WORD_CASES = 1
# A short form of a unit keeps its characters in order, at most this many left out between two (宝钢 of 宝山钢铁, 上汽 of
# 上海汽车集团).
UNIT_SHORTENING_GAP = 3
# The back cover starts with this slogan; nothing after it belongs to a case.
BACK_MATTER_MARK = "大力塑造海纳百川"
PREFACE_TITLE = "让创新的源泉充分涌流"
AWARD_LIST_START = "十大创新案例获奖名单"
PREAMBLE = "概述"
# A case's own sections that state the problem it answers (a why-question's background besides its category's).
OWN_BACKGROUND_SECTIONS = ("背景", PREAMBLE)


class CorpusError(ValueError):
    """The compendium text does not have the structure the parser expects."""


@dataclass(frozen=True)
class Section:
    name: str
    text: str


@dataclass(frozen=True)
class ExpertComment:
    expert: str
    affiliation: str
    text: str


@dataclass(frozen=True)
class Case:
    id: str
    award: str
    category: str
    number: str
    title: str
    unit: str
    aliases: tuple[str, ...]
    sections: tuple[Section, ...]
    background: str = ""
    expert_comments: tuple[ExpertComment, ...] = ()

    @property
    def body(self) -> str:
        """All section texts of the case, in order."""
        return "\n\n".join(section.text for section in self.sections)

    @property
    def searchable_text(self) -> str:
        """Everything a question about this case may match: names, sections, background, expert comments."""
        comments = "\n".join(f"{c.affiliation} {c.expert} {c.text}" for c in self.expert_comments)
        return "\n".join((self.title, self.unit, *self.aliases, self.background, self.body, comments))

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    @property
    def book_order(self) -> tuple[int, int, int]:
        """Where the book prints the case: 特等奖, then 十大创新案例, then 提名奖, each by category and number."""
        tier, group, item = re.fullmatch(r"\d+-([TAN])(\d+)-(\d+)", self.id).groups()
        return "TAN".index(tier), int(group), int(item)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "award": self.award,
            "category": self.category,
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "aliases": list(self.aliases),
            "background": self.background,
            "sections": [{"name": s.name, "text": s.text} for s in self.sections],
            "expert_comments": [
                {"expert": c.expert, "affiliation": c.affiliation, "text": c.text} for c in self.expert_comments
            ],
        }


def unit_holding(word: str, cases: Sequence[Case]) -> Case | None:
    """The one case whose unit line holds the word (two characters or more), None when no unit or several do."""
    word = word.lower()
    holding = [c for c in cases if word in compact(c.unit).lower()] if len(word) > 1 else []
    return holding[0] if len(holding) == 1 else None


@dataclass(frozen=True)
class Compendium:
    cases: tuple[Case, ...]
    preface: str
    body_text: str = field(repr=False)

    def get(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)

    def cases_using(self, word: str) -> int:
        """How many cases use the word (lower case) in their searchable text."""
        return sum(word in text for text in self._searchable_texts)

    def unit_named(self, word: str, shortened: bool = False) -> Case | None:
        """The case whose unit the word names: no other unit holds it, and no other case mentions it (马桥,
        长白新村, 花旗; not 职工 or 工作, which every case uses); `shortened`: or a short form of its unit that only its
        case says (宝钢 of 宝山钢铁, 上汽 of 上海汽车集团: pass it for names, not for nouns)."""
        word = word.lower()
        using = [c for c, text in zip(self.cases, self._searchable_texts) if word in text]
        if len(using) > UNIT_WORD_CASES:
            return None
        case = unit_holding(word, self.cases)
        if case is None and shortened and using and len(word) > 1:
            return using[0] if shortened_in(word, compact(using[0].unit).lower(), UNIT_SHORTENING_GAP) else None
        return case

    @cached_property
    def _searchable_texts(self) -> tuple[str, ...]:
        return tuple(case.searchable_text.lower() for case in self.cases)


@dataclass(frozen=True)
class AwardEntry:
    award: str
    category: str
    number: str
    title: str
    unit: str

    @property
    def case_id(self) -> str:
        prefix = {AWARD_SPECIAL: "T", AWARD_TOP: "A", AWARD_NOMINATED: "N"}[self.award]
        group, _, item = self.number.partition("-")
        return f"2017-{prefix}{group}-{item or 1}"


def compact(text: str) -> str:
    """Text without whitespace or stray markup, for comparing spellings."""
    return re.sub(r"[\s*]", "", text)


# Numerals as questions and the book write a count or an ordinal (三项, 两个, 第2个).
NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2} | {str(i): i for i in range(1, 10)}


def numeral_value(number: str) -> int:
    """A count as written in digits or in Chinese numerals up to 99 (「11」「十四」「两」「6」)."""
    if number.isdigit():
        return int(number)
    tens, ten, units = number.partition("十")
    return (NUMERALS.get(tens, 1) * 10 if ten else 0) + sum(NUMERALS.get(c, 0) for c in (units if ten else number))


def shortened_in(word: str | Sequence[str], text: str, gap: int) -> bool:
    """The text holds a longer word the word shortens: its characters (or the words of a name) in order, at most `gap`
    left out between two (华师大 of 华东师范大学, 国企 of 国有企业; 饿了么, 总部 of 「“饿了么”公司总部」)."""
    return re.search(f".{{0,{gap}}}".join(map(re.escape, word)), text) is not None


def tidy_title(text: str) -> str:
    """One line, single spaces, no spaces hugging Chinese quotes."""
    text = re.sub(r"\s+", " ", text.replace("*", "")).strip()
    return re.sub(r"\s*([“”])\s*", r"\1", text)


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, compact(a), compact(b)).ratio()


def parse_award_list(text: str) -> list[AwardEntry]:
    """The award list in the front matter: 1 special award, 29 top cases, 30 nominated."""
    start = text.find(AWARD_LIST_START)
    if start < 0:
        raise CorpusError("找不到获奖名单")
    entries: list[AwardEntry] = []
    award, category = AWARD_SPECIAL, AWARD_SPECIAL
    for line in text[start:].splitlines():
        if "特等奖" in line and "个" in line:
            award = AWARD_SPECIAL
        elif "提名" in line and "个" in line:
            award = AWARD_NOMINATED
        elif "十大创新案例" in line and "个" in line:
            award = AWARD_TOP
        if "\t" not in line or line.startswith("序号") or line.startswith("案例名"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if award == AWARD_SPECIAL:
            entries.append(AwardEntry(award, AWARD_SPECIAL, "1", tidy_title(cells[0]), cells[1]))
            continue
        number, title, unit = cells[0], tidy_title(cells[1]), cells[2] if len(cells) > 2 else ""
        if not unit:
            category = title
            continue
        if "-" not in number:
            category = title
        entries.append(AwardEntry(award, category, number, title, unit))
        if award == AWARD_NOMINATED and number == "18":
            break
    return entries


@dataclass
class _Block:
    text: str
    gap_before: int  # newlines before this block: 2 is a paragraph break, 4+ a section break


def _blocks(text: str) -> list[_Block]:
    parts = re.split(r"(\n{2,})", text)
    blocks, gap = [], 0
    for part in parts:
        if part.startswith("\n\n") and not part.strip():
            gap = len(part)
        elif part.strip():
            blocks.append(_Block(part.strip(), gap))
    return blocks


def _clean_line(line: str) -> str:
    line = re.sub(r"^\s*-\s+", "", line)
    return line.replace("**", "").strip()


def _heading_name(text: str) -> str | None:
    name = compact(text)
    if name in SECTION_HEADINGS or name == EXPERT_HEADING:
        return name
    return None


def _is_cut(paragraph: str) -> bool:
    """A paragraph cut mid-sentence by a page break (not a short heading)."""
    last = paragraph.splitlines()[-1].strip()
    if not last or last[-1] in SENTENCE_END:
        return False
    return len(last) > MAX_HEADING_CHARS or any(mark in last for mark in CLAUSE_MARKS)


def _repair(blocks: list[_Block]) -> list[_Block]:
    """Clean markup and join paragraphs that a page break split mid-sentence."""
    repaired: list[_Block] = []
    for block in blocks:
        text = "\n".join(filter(None, (_clean_line(line) for line in block.text.splitlines())))
        if not text:
            continue
        if repaired and _is_cut(repaired[-1].text) and _heading_name(text) is None:
            repaired[-1].text += text
        else:
            repaired.append(_Block(text, block.gap_before))
    return repaired


def _find_headers(blocks: list[_Block], entries: list[AwardEntry]) -> list[int]:
    """Block index of each case's title line, in award-list order (the body keeps that order)."""
    positions, cursor = [], 0
    for entry in entries:
        for i in range(cursor, len(blocks) - 1):
            if _similar(blocks[i].text, entry.title) >= 0.8 and _similar(blocks[i + 1].text, entry.unit) >= 0.6:
                positions.append(i)
                cursor = i + 2
                break
        else:
            raise CorpusError(f"正文中找不到案例：{entry.title}（{entry.unit}）")
    return positions


def _find_category_heading(blocks: list[_Block], category: str, before: int, after: int) -> int | None:
    for i in range(before - 1, after - 1, -1):
        if _similar(blocks[i].text, category) >= 0.8:
            return i
    return None


def _expert_comments(blocks: list[_Block]) -> tuple[ExpertComment, ...]:
    comments: list[list[str]] = []
    for block in blocks:
        text = block.text
        if text[-1] in ":：" and len(text) < 100:
            affiliation, _, expert = text[:-1].rpartition(" ")
            comments.append([expert.strip(), affiliation.strip()])
        elif comments:
            comments[-1].append(text)
        else:
            raise CorpusError(f"专家点评缺少专家署名：{text[:20]}")
    return tuple(ExpertComment(c[0], c[1], "\n\n".join(c[2:])) for c in comments)


def _join(blocks: list[_Block]) -> str:
    return "\n\n".join(b.text for b in blocks)


def _split_parts(blocks: list[_Block]) -> list[list[_Block]]:
    """Split at section breaks (4+ newlines); image captions too short to stand alone join the next part."""
    parts: list[list[_Block]] = []
    for block in blocks:
        if not parts or block.gap_before >= 4:
            parts.append([])
        parts[-1].append(block)
    merged: list[list[_Block]] = []
    carry: list[_Block] = []
    for part in parts:
        if len(_join(part)) < 40 and part is not parts[-1]:
            carry += part
            continue
        merged.append(carry + part)
        carry = []
    return merged


def _sections(blocks: list[_Block]) -> tuple[Section, ...]:
    """Named sections of one case; where the print lost a heading, infer 做法/成效 from the layout."""
    named: list[tuple[str, list[_Block]]] = []
    for block in blocks:
        heading = _heading_name(block.text)
        if heading:
            named.append((heading, []))
        elif named:
            named[-1][1].append(block)
        else:
            named.append(("", [block]))
    names = [name for name, _ in named]
    if names == [""]:
        parts = _split_parts(named[0][1])
        if len(parts) == 1:
            return (Section("做法", _join(parts[0])),)
        return (Section("做法", _join([b for p in parts[:-1] for b in p])), Section("成效", _join(parts[-1])))
    sections: list[Section] = []
    for name, content in named:
        if not content:
            continue
        if name == "做法" and "成效" not in names:
            parts = _split_parts(content)
            if len(parts) > 1:
                sections.append(Section("做法", _join([b for p in parts[:-1] for b in p])))
                sections.append(Section("成效", _join(parts[-1])))
                continue
        sections.append(Section(name or PREAMBLE, _join(content)))
    return tuple(sections)


def _preferred_title(header_title: str, listed_title: str) -> str:
    """The award list's spacing where both spell the same words (the print's line layout adds spaces)."""
    return listed_title if compact(header_title) == compact(listed_title) else tidy_title(header_title)


def _unit_and_aliases(header_unit: str, listed_unit: str) -> tuple[str, tuple[str, ...]]:
    """Keep the case header's spelling; the award list's differing spelling becomes an alias."""
    unit = re.sub(r"\s+", " ", header_unit).strip()
    if compact(unit) == compact(listed_unit.replace("、", "")):
        return listed_unit, ()
    return unit, (listed_unit,)


def parse(text: str) -> Compendium:
    """Parse the whole compendium text."""
    entries = parse_award_list(text)
    list_end = text.find(entries[-1].title, text.find(AWARD_LIST_START)) + len(entries[-1].title)
    back = text.find(BACK_MATTER_MARK, list_end)
    body_text = text[list_end: back if back > 0 else len(text)]
    body_text = body_text[body_text.index("\n"):]
    blocks = _repair(_blocks(body_text))
    headers = _find_headers(blocks, entries)

    # Category headings and backgrounds of multi-case categories.
    category_start: dict[str, int] = {}
    background: dict[str, str] = {}
    previous_end = 0
    for entry, pos in zip(entries, headers):
        if entry.category not in category_start and entry.number.count("-"):
            heading = _find_category_heading(blocks, entry.category, pos, previous_end)
            if heading is None:
                raise CorpusError(f"找不到类别标题：{entry.category}")
            category_start[entry.category] = heading
            content = [b for b in blocks[heading + 1: pos] if _heading_name(b.text) != "背景"]
            background[entry.category] = _join(content)
        previous_end = pos + 2

    # Each case runs to the next case header or category heading.
    boundaries = sorted(set(headers) | set(category_start.values()) | {len(blocks)})
    raw: list[tuple[AwardEntry, list[_Block], list[_Block]]] = []
    comments_by_category: dict[str, tuple[ExpertComment, ...]] = {}
    for entry, pos in zip(entries, headers):
        end = next(b for b in boundaries if b > pos)
        span = blocks[pos + 2: end]
        expert_at = next((i for i, b in enumerate(span) if _heading_name(b.text) == EXPERT_HEADING), len(span))
        if expert_at < len(span):
            comments_by_category[entry.category] = _expert_comments(span[expert_at + 1:])
        raw.append((entry, span[:expert_at], blocks[pos: pos + 2]))

    cases = []
    for entry, content, (title_block, unit_block) in raw:
        unit, aliases = _unit_and_aliases(unit_block.text, entry.unit)
        cases.append(
            Case(
                id=entry.case_id,
                award=entry.award,
                category=entry.category,
                number=entry.number,
                title=_preferred_title(title_block.text, entry.title),
                unit=unit,
                aliases=aliases,
                sections=_sections(content),
                background=background.get(entry.category, ""),
                expert_comments=comments_by_category.get(entry.category, ()),
            )
        )
    return Compendium(tuple(cases), _preface(text), body_text)


def _preface(text: str) -> str:
    start = text.find(PREFACE_TITLE)
    end = text.find("2017 年度上海市基层工会 " + AWARD_LIST_START)
    if start < 0 or end < 0:
        return ""
    return _join(_repair(_blocks(text[start:end])))


@lru_cache(maxsize=4)
def load(path: Path) -> Compendium:
    """Parse the compendium file (cached per path)."""
    return parse(Path(path).read_text(encoding="utf-8"))
