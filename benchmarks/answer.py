"""Warm answer latency (extractive) over the eval questions, and CLI cold start to first answer.

Run: .venv/bin/python -m benchmarks.answer   (uses the repo's index/, building it if needed)
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

from assistant.evaluation import load_questions
from assistant.metrics import percentile
from assistant.pipeline import Assistant
from assistant.settings import ROOT


def main() -> None:
    questions = [q.turns[-1] for q in load_questions()]
    started = time.perf_counter()
    assistant = Assistant(show_progress=False)
    load_ms = (time.perf_counter() - started) * 1000
    for question in questions[:10]:  # warm up jieba, the embedding engine and Chroma
        assistant.ask(question)
    totals, retrieve, answer = [], [], []
    for question in questions:
        result = assistant.ask(question)
        totals.append(result.timings_ms["total"])
        retrieve.append(result.timings_ms["retrieve"])
        answer.append(result.timings_ms["answer"])

    cold = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", "ask", "怎样组建外卖骑手工会？"], cwd=ROOT, check=True,
                   capture_output=True)
    cold_s = time.perf_counter() - cold

    print(f"questions: {len(questions)}   assistant load (index open): {load_ms:.0f} ms")
    print(f"{'stage':<10}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for name, values in (("retrieve", retrieve), ("answer", answer), ("total", totals)):
        print(f"{name:<10}{percentile(values, 0.5):>10.1f}{percentile(values, 0.95):>10.1f}"
              f"{statistics.fmean(values):>10.1f}")
    print(f"CLI cold start to first answer (python -m assistant ask …): {cold_s:.2f} s")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
