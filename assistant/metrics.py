"""The measurement kit shared by the eval reports and the benchmarks: percentile, hit@k and MRR."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable, Sequence


def percentile(values: Iterable[float], q: float) -> float:
    """The q-quantile (0 ≤ q ≤ 1) by nearest rank: the smallest value with more than a fraction q of the values at or
    below it, i.e. rank ⌊q·n⌋ + 1 of the n sorted values (the largest value when q = 1).

    No interpolation, so "p95" is always a latency that was measured; p50 of an even count is the upper median.
    Every report (eval/reports, benchmarks) uses this one definition.
    """
    if not 0 <= q <= 1:
        raise ValueError(f"q must be between 0 and 1, got {q}")
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def gold_rank(ranked: Sequence[str], gold: Collection[str]) -> int | None:
    """1-based position of the first gold case in a ranking, None when no gold case was retrieved."""
    return next((position for position, case_id in enumerate(ranked, 1) if case_id in gold), None)


def hit_at(rank: int | None, k: int) -> bool:
    """Whether a gold case is among the first k."""
    return rank is not None and rank <= k


def reciprocal_rank(rank: int | None) -> float:
    """1/rank, 0 when no gold case was retrieved; its mean over questions is the MRR."""
    return 1 / rank if rank else 0.0


def hit_rate(ranks: Iterable[int | None], k: int) -> float:
    """hit@k: the share of questions with a gold case among the first k."""
    return statistics.fmean(hit_at(rank, k) for rank in ranks)


def mean_reciprocal_rank(ranks: Iterable[int | None]) -> float:
    """MRR: the mean of 1/rank over questions (0 for a question whose gold case was not retrieved)."""
    return statistics.fmean(reciprocal_rank(rank) for rank in ranks)
