"""The one measurement kit: what "p95", hit@k and MRR mean in every eval report and benchmark."""

import pytest

from assistant import evaluation
from assistant.metrics import gold_rank, hit_at, hit_rate, mean_reciprocal_rank, percentile, reciprocal_rank


class TestPercentile:
    def test_nearest_rank_never_interpolates(self):
        values = [float(v) for v in range(1, 101)]  # 1 … 100
        assert percentile(values, 0.95) == 96.0
        assert percentile(values, 0.5) == 51.0  # the upper median of an even count
        assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0

    def test_extremes_are_the_smallest_and_largest_values(self):
        values = [5.0, 1.0, 9.0, 7.0]
        assert percentile(values, 0) == 1.0
        assert percentile(values, 1) == 9.0
        assert percentile([4.0], 0.95) == 4.0

    def test_no_values_or_a_bad_quantile_is_an_error(self):
        with pytest.raises(ValueError):
            percentile([], 0.5)
        with pytest.raises(ValueError):
            percentile([1.0], 95)

    def test_eval_reports_use_the_same_definition(self):
        rows = [{"type": "howto", "rank": 1, "refused": False, "first_citation": True, "citation_precision": 1.0,
                 "citation_recall": 1.0, "must_found": 1, "must_total": 1, "latency_ms": float(ms)}
                for ms in range(1, 101)]
        summary = evaluation.summarize(rows)
        assert (summary["latency_p50_ms"], summary["latency_p95_ms"]) == (percentile(range(1, 101), 0.5),
                                                                          percentile(range(1, 101), 0.95))


class TestRanking:
    def test_rank_of_the_first_gold_case(self):
        assert gold_rank(["a", "b", "c"], {"c", "b"}) == 2
        assert gold_rank(["a", "b"], {"z"}) is None
        assert gold_rank([], set()) is None

    def test_hit_at_k_and_reciprocal_rank(self):
        assert hit_at(3, 3) and not hit_at(4, 3) and not hit_at(None, 5)
        assert reciprocal_rank(4) == 0.25 and reciprocal_rank(None) == 0.0

    def test_rates_over_questions(self):
        ranks = [1, 2, None, 5]
        assert hit_rate(ranks, 1) == 0.25
        assert hit_rate(ranks, 3) == 0.5
        assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 0.5 + 0 + 0.2) / 4)
