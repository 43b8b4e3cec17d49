"""Our pipeline against the naive LangChain recipe on the same questions: quality and warm latency, with ratios.

Both pay for one query embedding, so the recipe's bare top-4 retrieval is close to the latency floor.
Run: .venv/bin/python -m benchmarks.versus_naive
"""

from __future__ import annotations

from assistant import evaluation
from assistant.settings import Settings


def main() -> None:
    questions = evaluation.load_questions()
    # Run twice and keep the second: the first pays for warming jieba, Chroma and the embedding engine.
    evaluation.run(["hybrid", "naive"], Settings.from_env(), questions[:20], show_progress=False)
    report = evaluation.run(["hybrid", "naive"], Settings.from_env(), questions, show_progress=False)
    ours, naive = report["configs"]["hybrid"]["summary"], report["configs"]["naive"]["summary"]
    print(f"{len(questions)} questions (naive: last turn of follow-ups; it never refuses)")
    print(f"{'metric':<16}{'ours':>10}{'naive':>10}{'ratio':>10}")
    for key in ("hit@1", "hit@3", "must_contain", "refusal_rate", "latency_p50_ms", "latency_p95_ms"):
        ratio = ours[key] / naive[key] if naive[key] else float("inf")
        print(f"{key:<16}{ours[key]:>10}{naive[key]:>10}{ratio:>10.2f}")


if __name__ == "__main__":
    main()
