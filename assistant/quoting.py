"""Where an answer's quotes sit in the book: the paragraphs of the case a citation quotes, the quoted words marked.
Shown by the chat's source cards and the trainer's sheets alike."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from .corpus import Case
from .drafting import QUOTE_GAP
from .types import Citation

# A run of a passage's text, and whether the answer quotes it.
Span = tuple[str, bool]


def _case_paragraphs(case: Case, cited_sections: str) -> list[str]:
    """The case's paragraphs, those of the cited sections first, then the rest, the background and expert comments."""
    named = cited_sections.split("、")
    sections = sorted(case.sections, key=lambda s: s.name not in named)
    texts = [*(s.text for s in sections), case.background, *(c.text for c in case.expert_comments)]
    return [p.strip() for text in texts for p in text.split("\n") if p.strip()]


def quoted_spans(paragraph: str, pieces: Sequence[str]) -> list[Span]:
    """The paragraph cut into runs, each marked whether one of the quoted pieces covers it."""
    quoted = [False] * len(paragraph)
    for piece in pieces:
        start = paragraph.find(piece)
        if start >= 0:
            quoted[start:start + len(piece)] = [True] * len(piece)
    return [("".join(ch for ch, _ in run), flag) for flag, run in groupby(zip(paragraph, quoted), key=lambda x: x[1])]


def cited_passage(citation: Citation, case: Case | None) -> list[list[Span]]:
    """The paragraphs of the case the citation quotes, in the book's words, each as spans with the quoted words
    marked. The quote as it is, unmarked, when its words are not all found there (a model's passage is one)."""
    pieces = [p for p in citation.quote.split(QUOTE_GAP) if p.strip()]
    paragraphs = _case_paragraphs(case, citation.section) if case else []
    chosen: set[int] = set()
    for piece in pieces:
        found = next((i for i, paragraph in enumerate(paragraphs) if piece in paragraph), None)
        if found is None:
            return [[(citation.quote, False)]]
        chosen.add(found)
    return [quoted_spans(paragraphs[i], pieces) for i in sorted(chosen)]
