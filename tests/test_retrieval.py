"""Chunking, vocabulary and hybrid search on the real compendium, plus LangChain's standard retriever tests."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant import chunking
from assistant.chunking import KIND_BACKGROUND, KIND_EXPERT, KIND_SECTION
from assistant.corpus import AWARD_NOMINATED
from assistant.lexicon import Lexicon
from assistant.retrieval import CaseRetriever, Filters, RetrievalConfig, Searcher
from assistant.settings import VOCABULARY_DIR, Settings

LEXICON = Lexicon(VOCABULARY_DIR)
SENTENCE_ENDS = "。！？；!?;"


@pytest.fixture(scope="module")
def chunks(compendium) -> list[chunking.Chunk]:
    return chunking.chunk(compendium)


def ids(result) -> list[str]:
    return [hit.case.id for hit in result.hits]


class TestChunking:
    def test_section_chunks_never_cross_a_case_boundary(self, chunks, compendium):
        sections = [c for c in chunks if c.kind == KIND_SECTION]
        assert sections
        for chunk in sections:
            case = compendium.get(chunk.case_id)
            assert chunk.case_ids == (case.id,)
            assert chunk.text in case.section(chunk.section).text, chunk.id

    def test_background_and_expert_chunks_stay_in_their_category(self, chunks, compendium):
        shared = [c for c in chunks if c.kind in (KIND_BACKGROUND, KIND_EXPERT)]
        assert {c.kind for c in shared} == {KIND_BACKGROUND, KIND_EXPERT}
        for chunk in shared:
            cases = [compendium.get(case_id) for case_id in chunk.case_ids]
            assert all(case.category == chunk.category for case in cases), chunk.id
            source = cases[0].background if chunk.kind == KIND_BACKGROUND else "\n".join(
                c.text for case in cases for c in case.expert_comments)
            text = chunk.text if chunk.kind == KIND_BACKGROUND else chunk.text.split("：", 1)[1]
            assert text in source, chunk.id

    def test_chunks_carry_their_case_identity_and_position(self, chunks, compendium):
        assert len({c.id for c in chunks}) == len(chunks)
        positions = defaultdict(list)
        for chunk in chunks:
            if chunk.kind != KIND_SECTION:
                continue
            case = compendium.get(chunk.case_id)
            assert (chunk.title, chunk.unit, chunk.award, chunk.category) == (case.title, case.unit, case.award,
                                                                               case.category)
            assert chunk.section in {s.name for s in case.sections}
            assert chunk.id == f"{case.id}#{chunk.position}"
            positions[case.id].append(chunk.position)
            metadata = chunk.metadata()
            assert metadata["case_id"] == case.id and metadata["position"] == chunk.position
            assert {"title", "unit", "award", "category", "section", "kind", "case_ids"} <= set(metadata)
        assert set(positions) == {case.id for case in compendium.cases}
        assert all(p == list(range(len(p))) for p in positions.values())

    def test_embed_text_starts_with_title_unit_and_section(self, chunks):
        for chunk in chunks:
            assert chunk.embed_text.startswith(f"{chunk.title} / {chunk.unit} / {chunk.section}\n")
            assert chunk.embed_text.endswith(chunk.text)

    def test_long_sections_are_split_at_sentence_ends(self, chunks, compendium):
        long_sections = [(case, s) for case in compendium.cases for s in case.sections
                         if len(s.text.strip()) > chunking.MAX_CHARS * 1.2]
        assert long_sections
        for case, section in long_sections:
            pieces = [c.text for c in chunks if c.kind == KIND_SECTION and c.case_id == case.id
                      and c.section == section.name]
            assert len(pieces) >= 2, (case.id, section.name)
            text = section.text.strip()
            assert text.startswith(pieces[0]) and text.endswith(pieces[-1])
            for piece in pieces[:-1]:
                assert piece[-1] in SENTENCE_ENDS or text[text.index(piece) + len(piece)] == "\n", piece[-20:]
            for piece in pieces:
                sentences = [s for s in re.findall(rf"[^{SENTENCE_ENDS}\n]*[{SENTENCE_ENDS}]?", piece) if s.strip()]
                assert len(piece) <= chunking.MAX_CHARS or len(sentences) == 1, (case.id, len(piece))

    def test_short_cases_stay_whole(self, chunks, compendium):
        short = [case for case in compendium.cases
                 if all(len(s.text.strip()) <= chunking.MAX_CHARS * 1.2 for s in case.sections)]
        assert len(short) >= 3
        for case in short:
            pieces = [c for c in chunks if c.kind == KIND_SECTION and c.case_id == case.id]
            assert [(c.section, c.text) for c in pieces] == [(s.name, s.text.strip()) for s in case.sections]


class TestLexicon:
    def test_domain_words_stay_whole(self):
        assert "网约送餐员" in LEXICON.tokenize("普陀区网约送餐员行业工会联合会")

    @pytest.mark.parametrize("question", ["如何组建工会？", "怎么帮助职工？", "有哪些案例讲过劳模？"])
    def test_question_words_are_not_tokens(self, question):
        tokens = LEXICON.tokenize(question)
        assert tokens
        assert not {"如何", "怎么", "哪些", "？"} & set(tokens)

    @pytest.mark.parametrize(("question", "compendium_word"), [
        ("外卖小哥怎么入会", "网约送餐员"),
        ("保姆遇到纠纷怎么办", "家政服务员"),
        ("扫马路的人夏天去哪喝水", "环卫工人"),
        # English names of the book's units, places and programmes (corpus/english.txt).
        ("How did Baosteel's union reward workers' ideas?", "宝钢"),
        ("What is the little red card for model workers?", "小红卡"),
        ("How many members joined in Gucun Town?", "顾村"),
    ])
    def test_everyday_words_and_english_names_expand_to_the_compendium_words(self, question, compendium_word):
        assert compendium_word in LEXICON.expansion(question)
        expanded = LEXICON.expand(question)
        assert expanded.startswith(question) and compendium_word in expanded
        assert compendium_word in LEXICON.tokenize(expanded)

    def test_question_without_everyday_words_is_unchanged(self):
        assert LEXICON.expand("职代会怎么开") == "职代会怎么开"

    def test_an_english_name_matches_whole_words_only(self):
        assert LEXICON.expansion("a reunion dinner at the Baosteelworks") == []

    def test_every_english_rule_names_words_the_book_prints(self):
        book = re.sub(r"\s+", "", Settings().corpus_path.read_text(encoding="utf-8"))
        for pattern, words in (*LEXICON.english, *LEXICON.english_words):
            assert all(re.sub(r"\s+", "", word) in book for word in words), pattern.pattern

    def test_everyday_english_words_weigh_sentences_but_do_not_expand_the_search(self):
        question = "Where did the female workers' dance team perform?"
        assert {"舞蹈", "献演", "晚会"} <= set(LEXICON.english_wording(question))  # plural and past forms match too
        assert "舞蹈" not in LEXICON.expansion(question)
        assert LEXICON.english_wording("They performed dances") and not LEXICON.english_wording("a dancehall")

    def test_the_english_names_of_places_and_bodies_elsewhere_are_never_printed_in_the_book(self):
        book = re.sub(r"\s+", "", Settings().corpus_path.read_text(encoding="utf-8"))
        assert LEXICON.english_elsewhere
        for pattern, words in LEXICON.english_elsewhere:
            assert not any(word in book for word in words), pattern.pattern
        assert LEXICON.names_elsewhere("How did the Hangzhou union organise Meituan riders?") == ["杭州", "美团"]
        assert LEXICON.names_elsewhere("What did Gucun's union do?") == []

    def test_the_chinese_names_of_bodies_elsewhere_are_never_printed_and_are_cut_as_names(self):
        book = re.sub(r"\s+", "", Settings().corpus_path.read_text(encoding="utf-8"))
        names = LEXICON.names_elsewhere_in_chinese
        assert len(names) > 100 and not [name for name in names if name in book]
        assert ("拼多多", "nz") in LEXICON.tag("拼多多的员工有工会吗")  # else 拼 / 多多


class TestHybridSearch:
    @pytest.mark.parametrize(("question", "expected"), [
        ("怎样组建外卖骑手工会？", "2017-A3-2"),
        ("扫马路的阿姨夏天哪里能喝口水", "2017-N11-1"),
        ("劳模看病难怎么办", "2017-N15-1"),
        ("住院补助不用再跑窗口、直接打进工会会员卡，这是哪家搞的？", "2017-N10-1"),  # 住院 is not 劳模就医
    ])
    def test_finds_the_case_first(self, searcher, question, expected):
        assert ids(searcher.search(question, k=5))[0] == expected

    def test_domestic_worker_legal_question(self, searcher):
        top2 = ids(searcher.search("保姆遇到法律纠纷怎么办", k=5))[:2]
        assert {"2017-N3-1", "2017-A3-3"} & set(top2), top2

    def test_english_question(self, searcher):
        assert "2017-A3-2" in ids(searcher.search("How did a union organise food delivery riders?", k=5))[:3]
        assert ids(searcher.search("How did Baosteel's union reward workers' ideas?", k=5))[0] == "2017-A7-1"

    def test_returns_at_most_k_distinct_cases(self, searcher):
        for k in (1, 3, 7):
            found = ids(searcher.search("工会如何服务职工", k=k))
            assert len(found) == k == len(set(found))


class TestFilters:
    def test_award_filter_returns_only_that_award(self, searcher):
        result = searcher.search("工会怎样服务职工？", k=10, filters=Filters(award=AWARD_NOMINATED))
        assert len(result.hits) == 10
        assert {hit.case.award for hit in result.hits} == {AWARD_NOMINATED}

    def test_unit_filter_matches_aliases(self, searcher, compendium):
        alias = "徐家汇街道家政服务行业联合工会"
        assert alias in compendium.get("2017-N3-1").aliases and alias != compendium.get("2017-N3-1").unit
        result = searcher.search("家政服务人员", k=5, filters=Filters(unit="家政服务行业联合工会"))
        assert ids(result) == ["2017-N3-1"]

    def test_category_filter(self, searcher, compendium):
        category = compendium.get("2017-A3-2").category
        result = searcher.search("工会", k=20, filters=Filters(category=category))
        assert result.hits and all(hit.case.category == category for hit in result.hits)


class TestSearchResult:
    def test_hybrid_result_exposes_dense_bm25_and_fused_scores(self, searcher):
        result = searcher.search("怎样组建外卖骑手工会？", k=3)
        assert result.question == "怎样组建外卖骑手工会？" and "网约送餐员" in result.query
        assert result.top_dense > 0 and result.top_bm25 > 0 and result.agreement is True
        best = result.hits[0]
        assert best.passages and best.score > 0
        assert [p.fused for p in best.passages] == sorted((p.fused for p in best.passages), reverse=True)
        top = best.passages[0]
        assert top.dense is not None and top.bm25 is not None and top.fused > 0
        assert any(p.dense is not None for hit in result.hits for p in hit.passages)
        assert any(p.bm25 is not None for hit in result.hits for p in hit.passages)

    def test_many_questions_at_once_rank_as_one_at_a_time(self, searcher):
        """The batched search that trains the refusal model finds what a user's question finds."""
        questions = ["怎样组建外卖骑手工会？", "环卫工人爱心接力站在哪", "今天天气怎么样", "How did a union organise riders?"]
        for alone, batched in zip([searcher.search(q) for q in questions], searcher.search_many(questions)):
            assert ids(batched) == ids(alone) and batched.query == alone.query
            assert batched.top_dense == pytest.approx(alone.top_dense, abs=1e-4)
            assert batched.top_bm25 == alone.top_bm25 and batched.agreement == alone.agreement

    @pytest.mark.parametrize("mode", ["dense", "bm25"])
    def test_single_mode_works_alone(self, built_index, compendium, mode):
        result = Searcher(built_index, compendium, RetrievalConfig(mode=mode)).search("怎样组建外卖骑手工会？", k=3)
        assert ids(result)[0] == "2017-A3-2"
        passages = [p for hit in result.hits for p in hit.passages]
        if mode == "dense":
            assert all(p.dense is not None and p.bm25 is None for p in passages)
            assert result.top_dense > 0
        else:
            assert all(p.bm25 is not None and p.dense is None for p in passages)
            assert result.top_bm25 > 0 and result.top_dense == 0.0

    @pytest.mark.parametrize("config", [{"mode": "x"}, {"rrf_k": 0}])
    def test_invalid_config_is_rejected_at_construction(self, config):
        with pytest.raises(ValueError):
            RetrievalConfig(**config)


class TestCaseRetriever:
    def test_documents_are_cases_with_their_best_passage(self, searcher):
        documents = CaseRetriever(searcher=searcher, k=3).invoke("怎样组建外卖骑手工会？")
        assert len(documents) == 3
        assert documents[0].metadata["case_id"] == "2017-A3-2"
        assert documents[0].metadata["case_unit"] == "普陀区网约送餐员行业工会联合会"
        assert [d.metadata["score"] for d in documents] == sorted((d.metadata["score"] for d in documents), reverse=True)


# The suite has async tests; the class mark runs them (pytest-asyncio, strict mode) and the filter silences its
# complaint about the suite's sync tests carrying the mark too.
@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:The test <Function:pytest.PytestWarning")
class TestCaseRetrieverStandard(RetrieversIntegrationTests):
    """LangChain's standard retriever suite, on the session index."""

    @pytest.fixture(autouse=True)
    def _session_searcher(self, searcher):
        self._searcher = searcher

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return CaseRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"searcher": self._searcher, "k": 5}

    @property
    def retriever_query_example(self) -> str:
        return "怎样组建外卖骑手工会？"

