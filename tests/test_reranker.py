"""The optional cross-encoder reranker: loaded from a folder by configuration, re-orders the best cases."""

import dataclasses

import pytest

from assistant.retrieval import RERANK_CANDIDATES, RetrievalConfig, Searcher


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch):
    """A folder that does not exist must fail here, not turn into a download attempt."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory, compendium) -> str:
    """A real (untrained, tiny) BERT cross-encoder saved in sentence-transformers-loadable form."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    characters = sorted({ch for case in compendium.cases for ch in case.title + case.unit})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *characters]
    (folder / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizer(str(folder / "vocab.txt")).save_pretrained(folder)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(folder)
    return str(folder)


class TestReranker:
    def test_reranker_reorders_the_best_cases_only(self, built_index, compendium, tiny_cross_encoder):
        plain = Searcher(built_index, compendium, RetrievalConfig())
        reranked = Searcher(built_index, compendium, RetrievalConfig(reranker=tiny_cross_encoder))
        question = "怎样组建外卖骑手工会？"
        before = plain.search(question, k=60).hits
        after = reranked.search(question, k=60).hits
        head = after[:RERANK_CANDIDATES]
        assert all(hit.rerank is not None for hit in head)
        assert [h.rerank for h in head] == sorted((h.rerank for h in head), reverse=True)
        assert {h.case.id for h in head} == {h.case.id for h in before[:RERANK_CANDIDATES]}
        assert [h.case.id for h in after[RERANK_CANDIDATES:]] == [h.case.id for h in before[RERANK_CANDIDATES:]]

    def test_no_reranker_means_no_torch_work(self, built_index, compendium):
        hits = Searcher(built_index, compendium, RetrievalConfig()).search("保姆怎么维权").hits
        assert all(hit.rerank is None for hit in hits)

    def test_missing_reranker_folder_fails_at_construction(self, built_index, compendium, tmp_path):
        with pytest.raises(Exception):  # noqa: B017 - sentence-transformers raises OSError or ValueError
            Searcher(built_index, compendium, dataclasses.replace(RetrievalConfig(), reranker=str(tmp_path / "nope")))
