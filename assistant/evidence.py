"""The evidence policy both answer modes share: which of the retrieved cases an answer draws on, which passages."""

from __future__ import annotations

from collections.abc import Sequence

from .chunking import KIND_SECTION
from .retrieval import CaseHit
from .types import Citation

# An answer draws on at most this many cases: a list answer longer than that stops being read.
MAX_CASES = 4
# Another case joins the best one when it scores at least this share of the best score: the extractive list
# answer is stricter (it quotes every case it names), the model gets more to choose from (it cites what it uses).
LIST_CASE_SHARE = 0.6
MODEL_CASE_SHARE = 0.5
# Passages handed to the model: the best case gets more than the others.
PASSAGES_FIRST_CASE, PASSAGES_OTHER_CASE = 3, 2


def leading_cases(hits: Sequence[CaseHit], min_share: float, max_cases: int = MAX_CASES) -> list[CaseHit]:
    """The best case, and the next ones (up to max_cases in all) that score at least min_share of it."""
    if not hits:
        return []
    top = hits[0].score
    return [hits[0], *(h for h in hits[1:max_cases] if h.score >= min_share * top)]


def model_passages(hits: Sequence[CaseHit], max_cases: int = MAX_CASES) -> list[Citation]:
    """The passages shown to a model, numbered from 1, no repeats: each is a Citation in waiting.

    A passage shared by several cases (category background, expert comment) is labelled with the case it
    was found for, and its section says what it is.
    """
    passages: list[Citation] = []
    seen: set[str] = set()
    for rank, hit in enumerate(leading_cases(hits, MODEL_CASE_SHARE, max_cases)):
        limit = PASSAGES_FIRST_CASE if rank == 0 else PASSAGES_OTHER_CASE
        for passage in hit.passages[:limit]:
            chunk = passage.chunk
            if chunk.id in seen:
                continue
            seen.add(chunk.id)
            section = chunk.section if chunk.kind == KIND_SECTION else f"{chunk.section}（同类别案例共用）"
            passages.append(Citation(len(passages) + 1, hit.case.id, hit.case.title, hit.case.unit, hit.case.award,
                                     section, chunk.text))
    return passages
