"""Cut cases into passages that never cross a case boundary and always say whose they are."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .corpus import Case, Compendium

MAX_CHARS = 300
OVERLAP_CHARS = 80
KIND_SECTION, KIND_BACKGROUND, KIND_EXPERT = "section", "background", "expert"
EXPERT_SECTION = "专家点评"
BACKGROUND_SECTION = "类别背景"
# Words every unit name shares; what is left identifies the unit inside an expert's prose.
_GENERIC_UNIT_WORDS = re.compile(r"上海市|上海|中国|有限|股份|集团|公司|委员会|联合会|工会|总|区|街道|镇|\(.*?\)|[\s、]")
_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]?\n*")


@dataclass(frozen=True)
class Chunk:
    id: str
    case_ids: tuple[str, ...]
    kind: str
    title: str
    unit: str
    award: str
    category: str
    section: str
    position: int
    text: str

    @property
    def case_id(self) -> str:
        return self.case_ids[0]

    @property
    def embed_text(self) -> str:
        """What gets embedded and indexed: never an anonymous passage."""
        return f"{self.title} / {self.unit} / {self.section}\n{self.text}"

    def metadata(self) -> dict[str, str | int]:
        return {
            "case_id": self.case_id,
            "case_ids": ",".join(self.case_ids),
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "award": self.award,
            "category": self.category,
            "section": self.section,
            "position": self.position,
        }


def split_text(text: str, max_chars: int = MAX_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Split at sentence ends into pieces of at most ~max_chars, repeating the last short sentence."""
    text = text.strip()
    if len(text) <= max_chars * 1.2:
        return [text]
    sentences = [s for s in _SENTENCE.findall(text) if s.strip()]
    pieces: list[list[str]] = [[]]
    for sentence in sentences:
        current = pieces[-1]
        if current and len("".join(current)) + len(sentence) > max_chars:
            tail = current[-1]
            pieces.append([tail] if len(tail) <= overlap and len(tail) + len(sentence) <= max_chars else [])
        pieces[-1].append(sentence)
    return ["".join(p).strip() for p in pieces if "".join(p).strip()]


def _unit_key(unit: str) -> str:
    return _GENERIC_UNIT_WORDS.sub("", unit)


def _mentioned(cases: list[Case], text: str) -> tuple[str, ...]:
    """Cases of a category that an expert's paragraph names (by the distinctive part of the unit)."""
    named = []
    for case in cases:
        key = _unit_key(case.unit)
        match = difflib.SequenceMatcher(None, key, text, autojunk=False).find_longest_match(0, len(key), 0, len(text))
        if match.size >= 2:
            named.append(case.id)
    return tuple(named)


def _case_chunks(case: Case) -> Iterable[Chunk]:
    position = 0
    for section in case.sections:
        for piece in split_text(section.text):
            yield Chunk(
                f"{case.id}#{position}", (case.id,), KIND_SECTION, case.title, case.unit, case.award,
                case.category, section.name, position, piece,
            )
            position += 1


def _category_chunks(cases: list[Case]) -> Iterable[Chunk]:
    first = cases[0]
    ids = tuple(c.id for c in cases)
    title = first.category if len(cases) > 1 else first.title
    unit = "、".join(dict.fromkeys(c.unit for c in cases))
    position = 0
    for piece in split_text(first.background) if first.background else []:
        yield Chunk(f"{first.id}#bg{position}", ids, KIND_BACKGROUND, title, unit, first.award,
                    first.category, BACKGROUND_SECTION, position, piece)
        position += 1
    for comment in first.expert_comments:
        for paragraph in comment.text.split("\n\n"):
            named = _mentioned(cases, paragraph) if len(cases) > 1 else ()
            linked = named if 0 < len(named) < len(cases) else ids
            for piece in split_text(paragraph):
                text = f"{comment.affiliation} {comment.expert}：{piece}"
                yield Chunk(f"{first.id}#ex{position}", linked, KIND_EXPERT, title, unit, first.award,
                            first.category, EXPERT_SECTION, position, text)
                position += 1


def chunk(compendium: Compendium) -> list[Chunk]:
    """All passages: each case's sections, then each category's background and expert comments."""
    chunks: list[Chunk] = []
    categories: dict[str, list[Case]] = {}
    for case in compendium.cases:
        chunks += _case_chunks(case)
        categories.setdefault(case.category, []).append(case)
    for cases in categories.values():
        chunks += _category_chunks(cases)
    return chunks
