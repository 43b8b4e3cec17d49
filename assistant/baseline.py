"""The naive LangChain recipe we measure ourselves against: 500/50 character splits + Chroma + same embedding, top-4."""

from __future__ import annotations

import bisect
import time

from langchain_core.embeddings import Embeddings

from . import corpus
from .settings import Settings
from .types import MODE_EXTRACTIVE, Answer, Citation, RetrievedCase

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 500, 50, 4


class NaiveRecipe:
    """Split the raw text, embed every piece, return the 4 nearest pieces as the 'answer'."""

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        text = settings.corpus_path.read_text(encoding="utf-8")
        self.compendium = corpus.load(settings.corpus_path)
        # Where each case starts in the raw text, to name the case a piece comes from.
        self._starts, self._cases = [], []
        cursor = text.find(self.compendium.body_text[:200])
        for case in self.compendium.cases:
            at = text.find(case.unit.split("、")[0], text.find(corpus.compact(case.title)[:4], cursor))
            self._starts.append(at)
            self._cases.append(case)
            cursor = max(cursor, at)
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                                  add_start_index=True)
        documents = splitter.create_documents([text])
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        started = time.perf_counter()
        self.store = Chroma.from_documents(documents, embeddings, client=client, collection_name="naive-recipe")
        self.build_seconds = time.perf_counter() - started

    def case_at(self, offset: int) -> corpus.Case | None:
        position = bisect.bisect_right(self._starts, offset) - 1
        return self._cases[position] if position >= 0 else None

    def ask(self, question: str, history=(), filters=None) -> Answer:
        started = time.perf_counter()
        documents = self.store.similarity_search(question, k=TOP_K)
        citations, retrieved = [], []
        for document in documents:
            case = self.case_at(document.metadata["start_index"])
            if case is None:
                continue
            if case.id not in {r.case_id for r in retrieved}:
                retrieved.append(RetrievedCase(case.id, case.title, case.unit, "", 0.0))
                citations.append(Citation(len(citations) + 1, case.id, case.title, case.unit, case.award, "",
                                          document.page_content))
        total = (time.perf_counter() - started) * 1000
        answer = "\n\n".join(d.page_content for d in documents)
        return Answer(question, answer, False, MODE_EXTRACTIVE, tuple(citations), tuple(retrieved), None,
                      {"retrieve": total, "answer": 0.0, "total": total})
