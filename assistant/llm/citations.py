"""Check a model's answer: every [n] must name a passage it was given; renumber them; build the reference list."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..types import Citation, reference_list
from .errors import LLMCitationError, LLMResponseError

# [1]  [1][2]  [1, 3]  [1-3]  ［2］ 【2】 — at most two digits, so "[2017]" in a document number stays text.
_MARKER = re.compile(r"[\[［【]\s*(\d{1,2}(?:\s*[,，、\-–~～]\s*\d{1,2})*)\s*[\]］】]")
_MARKER_PART = re.compile(r"(\d{1,2})\s*[\-–~～]\s*(\d{1,2})|(\d{1,2})")
# A reference list the model wrote itself is dropped: the one shown is built from the verified citations.
_OWN_REFERENCES = re.compile(r"^[ \t>#*_-]*(参考案例|参考资料|参考文献|参考来源|引用来源|资料来源|出处|来源|references?)"
                             r"[*_ \t]*[：:]", re.IGNORECASE | re.MULTILINE)
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[，。；：！？、,.;:!?）)])")
_READABLE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
MIN_READABLE_CHARS = 4


@dataclass(frozen=True)
class LLMResult:
    """A verified answer: `text` ends with the reference list built from `citations`."""

    text: str
    citations: tuple[Citation, ...]
    used: tuple[int, ...]  # the given passage numbers cited, in the order of their new numbers 1, 2, …
    removed: tuple[int, ...]  # marker numbers that named no given passage
    notice: str | None
    raw: str


def _marker_numbers(inside: str) -> list[int]:
    numbers = []
    for low, high, single in _MARKER_PART.findall(inside):
        if single:
            numbers.append(int(single))
        else:
            first, last = int(low), int(high)
            numbers += list(range(first, last + 1)) if 0 < last - first < 10 else [first, last]
    return numbers


def verify(raw: str, passages: Sequence[Citation]) -> LLMResult:
    """Check and renumber the model's citations; raise LLMResponseError / LLMCitationError if unusable."""
    text = "".join(ch for ch in (raw or "").replace("\r\n", "\n") if ch in "\n\t" or ch.isprintable())
    own = _OWN_REFERENCES.search(text)
    if own and own.start() > 0:
        text = text[: own.start()]
    given = len(passages)
    new_numbers: dict[int, int] = {}
    removed: list[int] = []

    def renumber(match: re.Match) -> str:
        kept = []
        for number in _marker_numbers(match.group(1)):
            if 1 <= number <= given:
                new = new_numbers.setdefault(number, len(new_numbers) + 1)
                if new not in kept:
                    kept.append(new)
            elif number not in removed:
                removed.append(number)
        return "".join(f"[{n}]" for n in sorted(kept))

    body = _MARKER.sub(renumber, text)
    body = _SPACE_BEFORE_PUNCT.sub("", body)
    body = re.sub(r"[ \t]{2,}", " ", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    if len(_READABLE.findall(_MARKER.sub("", body))) < MIN_READABLE_CHARS:
        raise LLMResponseError("回答为空" if not body else "回答无法识别")
    if not new_numbers:
        raise LLMCitationError(detail=f"removed markers {removed}" if removed else "no [n] markers")
    used = tuple(sorted(new_numbers, key=new_numbers.get))
    citations = tuple(dataclasses.replace(passages[old - 1], n=new) for new, old in enumerate(used, start=1))
    notice = None
    if removed:
        notice = "已删除大模型回答中指向不存在段落的引用标注：" + "、".join(f"[{n}]" for n in removed) + "。"
    full = "\n".join([body, "", reference_list(citations)])
    return LLMResult(full, citations, used, tuple(removed), notice, raw or "")
