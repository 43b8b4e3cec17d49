"""How build time, search latency, index size and memory grow with the corpus replicated ×N (synthetic ids).

Replicas repeat the same passage texts, so the embedding cache serves them: the build time shown is the
indexing cost (Chroma + BM25); embedding new text costs ~0.2 s per passage on top (see the 1× line).
Run: .venv/bin/python -m benchmarks.scale [N ...]   (default: 1 10 50)
"""

from __future__ import annotations

import dataclasses
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from assistant import corpus, index
from assistant.metrics import percentile
from assistant.retrieval import Searcher
from assistant.settings import Settings

QUESTIONS = ["怎样组建外卖骑手工会？", "保姆遇到法律纠纷怎么办？", "劳模看病难怎么办？", "宝钢职工岗位创新的成效",
             "哪些案例讲农民专业合作社？", "扫马路的环卫工人夏天哪里喝水？", "工会经费怎么依法催缴？"]


def replicate(compendium: corpus.Compendium, times: int) -> corpus.Compendium:
    cases = tuple(dataclasses.replace(case, id=f"{case.id}-r{k}") if k else case
                  for k in range(times) for case in compendium.cases)
    return dataclasses.replace(compendium, cases=cases)


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main(factors: list[int]) -> None:
    settings = Settings.from_env()
    source = index.open_index(settings, show_progress=False)  # the repo index provides the embedding cache
    original = corpus.load(settings.corpus_path)
    print(f"{'×':>4}{'cases':>8}{'passages':>10}{'build s':>9}{'index MB':>10}{'search p50 ms':>15}"
          f"{'p95 ms':>8}{'peak RSS MB':>13}")
    for factor in factors:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "index"
            target.mkdir()
            for cache in settings.index_dir.glob("embedding-cache-*.npz"):
                shutil.copy(cache, target / cache.name)
            local = dataclasses.replace(settings, index_dir=target)
            replicated = replicate(original, factor)
            started = time.perf_counter()
            built = index.build(local, embeddings=source.embeddings, show_progress=False, compendium=replicated)
            build_s = time.perf_counter() - started
            searcher = Searcher(built, replicated)
            for question in QUESTIONS:
                searcher.search(question)
            timings = []
            for _ in range(3):
                for question in QUESTIONS:
                    timings.append(searcher.search(question).timings_ms["search"])
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{factor:>4}{len(replicated.cases):>8}{len(built.chunks):>10}{build_s:>9.1f}"
                  f"{folder_mb(built.store):>10.1f}{percentile(timings, 0.5):>15.1f}"
                  f"{percentile(timings, 0.95):>8.1f}{rss:>13.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 50])
