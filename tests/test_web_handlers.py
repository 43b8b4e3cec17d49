"""The handlers behind the web page, called directly as the page's events call them: a real Assistant on the session
index, a real feedback database, real files. No browser (test_web.py drives the page itself)."""

from __future__ import annotations

import copy
import dataclasses
import os
import sqlite3
import time
from pathlib import Path

import gradio as gr
import pytest

from assistant.access import RateLimiter
from assistant.feedback import FeedbackStore
from assistant.pipeline import Assistant
from assistant.web import (
    DOWNLOAD_KEEP_S,
    CaseLibrary,
    Chat,
    DownloadFolder,
    Feedback,
    Trainer,
    build_app,
    sheet_questions,
)
from assistant.web.chat import ALL, ERROR_TEXT
from assistant.web.next_questions import next_questions
from assistant.web.rendering import case_markdown, case_question

RIDER_QUESTION = "怎样组建外卖骑手工会？"
RIDER_CASE = "2017-A3-2"
RIDER_TITLE = "聚焦网约送餐员 创新建会入会方法"
RIDER_UNIT = "普陀区网约送餐员行业工会联合会"
OUT_OF_SCOPE = "北京市2020年有哪些工会创新案例？"
SANITATION_UNIT = "上海市绿化市容行业工会"


def ask_in_chat(chat: Chat, question: str, messages=(), turns=(), records=None, unit: str = "",
                mode: str = "extractive") -> list[tuple]:
    """Every update the 提问 event sends to the page, as the page receives it (copied when sent, as Gradio does)."""
    updates = chat.chat(question, list(messages), list(turns), dict(records or {}), ALL, ALL, unit, mode, None)
    return [copy.deepcopy(update) for update in updates]


def final(updates: list[tuple]) -> tuple:
    """The last update: (messages, chat view, turns, records, question box)."""
    return updates[-1]


# ---------------------------------------------------------------- chat

class TestChat:
    def test_answer_streams_then_ends_with_source_cards_and_remembered_states(self, assistant: Assistant):
        updates = ask_in_chat(Chat(assistant), RIDER_QUESTION)
        first = updates[0]
        assert first[1][-1]["content"].startswith("⏳") and first[4] == ""  # searching; the question box is emptied
        assert any("▌" in update[1][-1]["content"] for update in updates[1:-1])  # partial answers in between
        messages, shown, turns, records, _ = final(updates)
        assert shown == messages and messages[0] == {"role": "user", "content": RIDER_QUESTION}
        answer = messages[-1]["content"]
        assert f"《{RIDER_TITLE}》" in answer and 'class="source-card source-1"' in answer and "答案模式：抽取式" in answer
        assert "▌" not in answer
        assert [turn.question for turn in turns] == [RIDER_QUESTION]
        assert records[1]["question"] == RIDER_QUESTION and records[1]["citations"][0]["case_id"] == RIDER_CASE

    def test_follow_up_leans_on_the_previous_answer(self, assistant: Assistant):
        chat = Chat(assistant)
        messages, _, turns, records, _ = final(ask_in_chat(chat, RIDER_QUESTION))
        messages, _, turns, records, _ = final(ask_in_chat(chat, "那他们的成效呢？", messages, turns, records))
        assert len(messages) == 4 and set(records) == {1, 3} and len(turns) == 2
        assert RIDER_UNIT in messages[-1]["content"]

    def test_the_case_under_discussion_is_shown_and_can_be_cleared(self, assistant: Assistant):
        chat = Chat(assistant)
        chip, forget = chat.context([])
        assert chip["visible"] is False and forget["visible"] is False
        _, _, turns, _, _ = final(ask_in_chat(chat, RIDER_QUESTION))
        chip, forget = chat.context(turns)
        assert chip["visible"] and chip["value"] == f"正在讨论：《{RIDER_TITLE}》（{RIDER_UNIT}）" and forget["visible"]
        cleared, chip, forget = chat.forget_discussed()
        assert cleared == [] and chip["visible"] is False and forget["visible"] is False

    def test_a_refusal_offers_its_close_cases_as_questions(self, assistant: Assistant):
        chat = Chat(assistant)
        messages, _, turns, _, _ = final(ask_in_chat(chat, "饿了么物流公司的骑手工会是怎么建的？"))
        assert turns[-1].answer.refused
        assert chat.context(turns)[0]["visible"] is False  # a refused turn leaves nothing under discussion
        options = messages[-1]["options"]
        assert options and options[0]["label"] == f"改问：《{RIDER_TITLE}》"
        question = chat.picked_option(gr.SelectData(None, {"index": 0, "value": options[0]}))
        assert question.startswith(f"《{RIDER_TITLE}》（{RIDER_UNIT}）")
        _, _, turns, _, _ = final(ask_in_chat(chat, question, turns=turns))
        assert not turns[-1].answer.refused and turns[-1].answer.citations[0].case_id == RIDER_CASE

    def test_an_answer_offers_what_its_case_has_not_yet_shown(self, assistant: Assistant):
        messages = final(ask_in_chat(Chat(assistant), RIDER_QUESTION))[0]
        labels = [option["label"] for option in messages[-1]["options"]]
        assert "取得了哪些成效？" in labels and "专家怎么评价？" in labels  # the answer quoted 做法 only
        assert "具体是怎么做的？" not in labels

    def test_every_offered_question_is_answered_from_the_case_it_names(self, assistant: Assistant):
        """For every case: its whole-case question, then each option offered under that answer, lands on the case
        (and 成效 / 专家 options quote that part)."""
        wrong = []
        for case in assistant.compendium.cases:
            answer = assistant.ask(case_question(case))
            for option in next_questions(answer, assistant.compendium):
                if option["label"].startswith("相关案例"):
                    continue
                followed = assistant.ask(option["value"])
                sections = {c.section for c in followed.citations if c.case_id == case.id}
                expected = {"取得了哪些成效？": "成效", "专家怎么评价？": "专家点评"}.get(option["label"], "")
                if (followed.refused or followed.citations[0].case_id != case.id
                        or not any(expected in s for s in sections)):
                    wrong.append((case.id, option["label"]))
        assert not wrong

    def test_a_filter_is_shown_as_a_chip_and_said_under_the_answer(self, assistant: Assistant):
        chat = Chat(assistant)
        chip, clear = chat.filter_chip(ALL, ALL, "")
        assert chip["visible"] is False and clear["visible"] is False
        chip, clear = chat.filter_chip("提名奖", ALL, "普陀区")
        assert chip["value"] == "筛选：只在奖项「提名奖」、单位「普陀区」中查找" and clear["visible"]
        assert chat.clear_filters() == (ALL, ALL, "")
        messages = final(ask_in_chat(chat, "环卫工人的爱心接力站是怎么建的？", unit="绿化市容"))[0]
        assert "只在单位「绿化市容」中查找" in messages[-1]["content"]

    def test_citations_link_to_cards_that_show_the_quoted_words_marked(self, assistant: Assistant):
        messages = final(ask_in_chat(Chat(assistant), RIDER_QUESTION))[0]
        content = messages[-1]["content"]
        assert '<a class="cite" href="#source-1"' in content and 'class="source-card source-1"' in content
        passage = content.split('<div class="source-passage">', 1)[1].split("</div>", 1)[0]
        assert "<mark>" in passage and "“饿了么”公司总部建会" in passage  # the book's paragraph, quoted words marked
        plain = content.split('<div class="copy-text">', 1)[1].split("</div>", 1)[0]
        assert "<" not in plain.replace("&lt;", "") and "参考案例：&#10;[1] 《" in plain  # clean text to copy

    def test_bad_question_gets_a_chinese_message_and_changes_no_state(self, assistant: Assistant):
        messages, _, turns, records, _ = final(ask_in_chat(Chat(assistant), "工会" * 300))
        assert "⚠️ 问题太长了" in messages[-1]["content"] and turns == [] and records == {}

    def test_html_in_a_question_is_escaped(self, assistant: Assistant):
        messages = final(ask_in_chat(Chat(assistant), "<b>x</b> " + RIDER_QUESTION))[0]
        assert messages[0]["content"] == "&lt;b&gt;x&lt;/b&gt; " + RIDER_QUESTION

    def test_rate_limit_answers_in_chinese_without_asking(self, assistant: Assistant):
        chat = Chat(assistant, RateLimiter(limit=1, window=600))
        assert "答案模式" in final(ask_in_chat(chat, RIDER_QUESTION))[0][-1]["content"]
        updates = ask_in_chat(chat, RIDER_QUESTION)
        assert len(updates) == 1 and "提问太频繁" in final(updates)[0][-1]["content"]
        assert 'class="not-an-answer"' in final(updates)[0][-1]["content"]  # shown without 👍/👎
        assert chat.ask(RIDER_QUESTION)["error"] == chat.limiter.message  # the API shares the budget
        # an empty question is told it is empty, not that the limit is reached
        assert "问题是空的" in final(ask_in_chat(chat, "  "))[0][-1]["content"]
        assert "空" in chat.ask("")["error"]

    def test_a_mode_not_offered_falls_back_to_the_default(self, assistant: Assistant):
        chat = Chat(assistant)
        assert chat.modes == ["extractive"] and chat.default_mode == "extractive"  # no model configured
        assert "答案模式：抽取式" in final(ask_in_chat(chat, RIDER_QUESTION, mode="llm"))[0][-1]["content"]

    def test_an_internal_failure_shows_a_chinese_message(self, assistant: Assistant):
        class IndexGone:
            """The real assistant, except that answering fails."""

            settings, compendium = assistant.settings, assistant.compendium

            def stream_ask(self, *args, **kwargs):
                raise RuntimeError("the index went away")

        messages, _, turns, _, _ = final(ask_in_chat(Chat(IndexGone()), RIDER_QUESTION))
        assert ERROR_TEXT in messages[-1]["content"] and "not-an-answer" in messages[-1]["content"] and turns == []

    def test_new_chat_clears_every_state_and_the_unit_filter(self, assistant: Assistant):
        messages, shown, turns, records, rated, record_id, status, comment_row, comment, unit = Chat(assistant).new_chat()
        assert (messages, shown, turns, records, rated, record_id, status, comment, unit) == ([], [], [], {}, {}, None,
                                                                                              "", "", "")
        assert comment_row["visible"] is False

    def test_api_answers_like_ask_json(self, assistant: Assistant):
        chat = Chat(assistant)
        result = chat.ask(RIDER_QUESTION)
        assert result == assistant.ask(RIDER_QUESTION).to_dict() | {"timings_ms": result["timings_ms"]}
        filtered = chat.ask("环卫工人的爱心接力站是怎么建的？", unit="绿化市容")
        assert filtered["citations"] and all("绿化市容" in c["unit"] for c in filtered["citations"])  # filters apply
        assert set(chat.ask("")) == {"question", "error"}


# ---------------------------------------------------------------- feedback

@pytest.fixture
def answered(assistant: Assistant) -> dict:
    """The records of a chat with one answer (message 1)."""
    return final(ask_in_chat(Chat(assistant), RIDER_QUESTION))[3]


def like(index: int, liked) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


class TestFeedback:
    def test_rating_is_stored_changed_withdrawn_and_commented(self, answered: dict, tmp_path: Path):
        store = FeedbackStore(tmp_path / "fb.sqlite3")
        feedback = Feedback(store)
        rated, record_id, status, row = feedback.rate(answered, {}, like(1, True))
        assert "已记录您的 👍 评价" in status and row["visible"] is True and rated == {1: record_id}
        [stored] = store.records()
        assert stored["rating"] == "up" and stored["question"] == RIDER_QUESTION
        assert stored["citations"][0]["unit"] == RIDER_UNIT

        rated, record_id, status, _ = feedback.rate(answered, rated, like(1, False))  # changed: the same record
        assert "👎" in status and [(r["id"], r["rating"]) for r in store.records()] == [(record_id, "down")]

        status, row, box = feedback.comment("  希望给出联系人  " + "长" * 2000, record_id)
        assert status == "已收到您的意见，谢谢！" and row["visible"] is False and box == ""
        assert store.records()[0]["comment"] == "希望给出联系人  " + "长" * (1000 - 9)  # at most 1000 characters

        rated, record_id, status, _ = feedback.rate(answered, rated, like(1, None))  # the same thumb again
        assert status == "已撤销评价。" and record_id is None and rated == {1: None} and store.records() == []

    def test_what_cannot_be_rated_or_commented_says_why(self, answered: dict, tmp_path: Path):
        feedback = Feedback(FeedbackStore(tmp_path / "fb.sqlite3"))
        assert feedback.rate(answered, {}, like(0, True))[2] == "这条消息不是回答，不需要评价。"  # the user's question
        assert feedback.comment("很好", None)[0].startswith("请先点回答下方的 👍 或 👎")
        assert feedback.comment("   ", 1)[0].startswith("意见是空的")

    def test_a_locked_database_gives_a_chinese_message(self, answered: dict, tmp_path: Path):
        store = FeedbackStore(tmp_path / "fb.sqlite3", busy_timeout_ms=100, attempts=1)
        store.add("已有的一条", "回答", [], "extractive", "up")
        holder = sqlite3.connect(store.path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            _, record_id, status, row = Feedback(store).rate(answered, {}, like(1, True))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert "反馈数据库正忙" in status and record_id is None and row["visible"] is False


# ---------------------------------------------------------------- case library

@pytest.fixture(scope="module")
def library(assistant: Assistant) -> CaseLibrary:
    return CaseLibrary(assistant.compendium.cases, assistant.index.lexicon)


class TestCaseLibrary:
    @staticmethod
    def ids(result: dict) -> list[str]:
        return [row["id"] for row in result["cases"]]

    @pytest.mark.parametrize("words, first", [
        ("外卖", RIDER_CASE), ("骑手入会", RIDER_CASE), ("外卖 骑手", RIDER_CASE), ("外卖小哥怎么入会", RIDER_CASE),
        ("快递小哥", "2017-A3-4"), ("保姆", "2017-A3-3"), ("扫马路的", "2017-N11-1"), ("环卫工人喝水", "2017-N11-1"),
        ("师傅带徒弟", "2017-N13-1"), ("涨工资", "2017-A4-1"), ("普陀区", RIDER_CASE), ("2017-A3-2", RIDER_CASE),
    ])
    def test_everyday_words_find_their_case_first(self, library: CaseLibrary, words: str, first: str):
        result = library.search(words)
        assert self.ids(result)[0] == first
        assert result["summary"].startswith(f"找到 {len(result['cases'])} 个案例")

    def test_the_book_words_searched_are_named_and_the_case_where_found_is_quoted(self, library: CaseLibrary):
        result = library.search("外卖")
        assert result["expanded"] == "「网约送餐员」、「骑手」、「送餐」"
        rider, *others = result["cases"]
        assert rider["hint"] is None  # found in its title
        canteen = next(row for row in others if row["id"] == "2017-A2-1")  # 送餐车 in its text
        assert canteen["hint"]["word"] == "送餐" and canteen["hint"]["after"].startswith("车")
        assert library.search("普陀区")["expanded"] == ""

    def test_every_typed_word_must_be_found(self, library: CaseLibrary):
        assert self.ids(library.search("外卖 骑手")) == [RIDER_CASE]
        assert set(self.ids(library.search("送餐 普陀区"))) < set(self.ids(library.search("送餐")))
        assert self.ids(library.search("2017-A3-2")) == [RIDER_CASE]  # an id is not split into 2017, a3, 2

    def test_nothing_found_says_what_to_try(self, library: CaseLibrary):
        result = library.search("xyz不存在")
        assert result["cases"] == [] and result["expanded"] == ""
        assert result["summary"].startswith("没有找到与「xyz不存在」相关的案例") and "「对话」" in result["summary"]
        filtered = library.search("送餐", award="特等奖")
        assert filtered["cases"] == [] and filtered["summary"].startswith("在所选奖项、类别中没有找到")

    def test_filters_narrow_and_the_list_starts_with_all_cases(self, library: CaseLibrary):
        everything = library.search()
        assert len(everything["cases"]) == 60 and everything["summary"].startswith("共 60 个案例")
        nominated = library.search(award="提名奖")
        assert len(nominated["cases"]) == 30 and {row["award"] for row in nominated["cases"]} == {"提名奖"}
        assert nominated["summary"].startswith("找到 30 个案例")
        category = "创新行业工会组织模式 服务灵活分散流动就业群体"
        assert category in library.groups
        assert {row["category"] for row in library.search(category=category)["cases"]} == {category}
        assert RIDER_CASE in self.ids(library.search("外卖", category=category))

    def test_a_category_that_repeats_the_title_or_award_is_a_dash(self, library: CaseLibrary, assistant: Assistant):
        rows = {row["id"]: row for row in library.search()["cases"]}
        sanitation = assistant.compendium.get("2017-N11-1")
        assert sanitation.category == sanitation.title and rows["2017-N11-1"]["category"] == "—"
        assert rows["2017-T1-1"]["category"] == "—"  # 特等奖, as its award says
        assert rows[RIDER_CASE]["category"] == assistant.compendium.get(RIDER_CASE).category
        # Such categories are not offered as a filter here (they name one case); the chat keeps all of them.
        assert sanitation.category not in library.groups and sanitation.category in library.categories
        assert len(library.groups) == 1 + 11

    def test_search_keeps_up_with_typing(self, library: CaseLibrary):
        started = time.perf_counter()
        for words in ("外", "外卖", "外卖 ", "外卖 骑", "外卖 骑手", "怎么给保姆维权", "微信公众号"):
            library.search(words)
        assert (time.perf_counter() - started) / 7 < 0.05  # seconds per keystroke (about 1 ms measured)

    def test_a_clicked_case_shows_in_full_and_ask_about_fills_the_chat(self, library: CaseLibrary,
                                                                         assistant: Assistant):
        case_id, text, button = library.show_case(gr.EventData(None, {"case_id": RIDER_CASE}))
        assert case_id == RIDER_CASE and button["interactive"] is True
        assert text == case_markdown(assistant.compendium.get(RIDER_CASE)) and "专家点评" in text
        tabs, question, unit, award, category = library.ask_about(case_id)
        assert tabs.selected == "chat" and RIDER_TITLE in question and unit == RIDER_UNIT
        assert (award, category) == (ALL, ALL)

        assert library.show_case(gr.EventData(None, {"case_id": "2017-X"}))[0] is None
        assert all(update == gr.skip() for update in library.ask_about(None))


def test_case_markdown_escapes_and_keeps_every_part(assistant: Assistant):
    case = assistant.compendium.get(RIDER_CASE)
    text = case_markdown(case)
    for section in case.sections:
        assert f"#### {section.name}" in text
    assert all(comment.expert in text for comment in case.expert_comments)
    assert "<" not in text.replace("&lt;", "")


# ---------------------------------------------------------------- trainer

class Progress:
    """Records what the trainer shows on the progress bar."""

    def __init__(self) -> None:
        self.shown: list[tuple] = []

    def __call__(self, progress, desc=None, unit=None, **_):
        self.shown.append((progress, desc, unit))


class TestTrainer:
    def test_pasted_and_uploaded_questions_become_a_sheet_to_download(self, assistant: Assistant, tmp_path: Path):
        upload = tmp_path / "questions.csv"
        upload.write_text(f"序号,问题\n1,环卫工人的爱心接力站是怎么建的？\n2,{RIDER_QUESTION}\n", encoding="utf-8")
        progress = Progress()
        downloads = DownloadFolder()  # kept: the folder goes when it does (the app keeps it while it runs)
        status, rows, md, csv_file, docx = Trainer(assistant, downloads).run_batch(
            f"1. {RIDER_QUESTION}\n\n2、{OUT_OF_SCOPE}\n", str(upload), progress)
        assert status == "已完成 3 题：回答 2 题，拒答或未能回答 1 题。"
        assert [row[1] for row in rows] == [RIDER_QUESTION, OUT_OF_SCOPE, "环卫工人的爱心接力站是怎么建的？"]
        assert [row[2] for row in rows] == ["已回答", "已拒答", "已回答"]
        assert RIDER_UNIT in rows[0][5] and SANITATION_UNIT in rows[2][5]
        assert progress.shown == [((i, 3), "正在回答", "题") for i in range(3)]  # 「正在回答 1/3 题」
        for button, suffix in ((md, ".md"), (csv_file, ".csv"), (docx, ".docx")):
            assert button["interactive"] is True and Path(button["value"]).suffix == suffix
        assert Path(md["value"]).parent == Path(docx["value"]).parent
        assert f"《{RIDER_TITLE}》" in Path(md["value"]).read_text(encoding="utf-8")

    def test_at_most_a_hundred_questions_a_sheet(self, assistant: Assistant):
        text = "\n".join(f"第 {i} 个问题：怎样组建外卖骑手工会？" for i in range(101))
        status, rows, *_ = Trainer(assistant, DownloadFolder()).run_batch(text, None, Progress())
        assert len(rows) == 100 and "共 101 题，一次最多回答 100 题，只回答了前 100 题" in status

    def test_nothing_to_ask_or_an_unreadable_file_says_so(self, assistant: Assistant, tmp_path: Path):
        trainer = Trainer(assistant, DownloadFolder())
        status, rows, *buttons = trainer.run_batch("  \n", None, Progress())
        assert status.startswith("请先粘贴问题") and rows == []
        assert all(button["interactive"] is False and button["value"] is None for button in buttons)
        (tmp_path / "q.pdf").write_bytes(b"%PDF")
        assert trainer.run_batch("", str(tmp_path / "q.pdf"), Progress())[0].startswith("⚠️ 不支持")

    def test_list_marks_and_repeats_are_dropped(self, tmp_path: Path):
        assert sheet_questions("1. 怎样建会？\n\n2、怎样入会？\n- 怎样建会？\n", None) == ["怎样建会？", "怎样入会？"]
        (tmp_path / "q.txt").write_text("3) 怎样入会？\n• 会员有什么福利？\n", encoding="utf-8")
        assert sheet_questions("怎样建会？", str(tmp_path / "q.txt")) == ["怎样建会？", "怎样入会？", "会员有什么福利？"]


# ---------------------------------------------------------------- the app

def test_download_folders_older_than_a_day_are_removed_and_all_go_when_the_app_exits():
    downloads = DownloadFolder()
    old, recent = downloads.new(), downloads.new()
    (old / "问答单.csv").write_text("x", encoding="utf-8")
    long_ago = time.time() - DOWNLOAD_KEEP_S - 60
    os.utime(old, (long_ago, long_ago))
    fresh = downloads.new()
    assert not old.exists() and recent.is_dir() and fresh.is_dir()
    root = fresh.parent
    downloads._root.cleanup()  # what happens when the app exits
    assert not root.exists()


def test_the_chat_event_and_the_api_keep_their_names(assistant: Assistant, tmp_path: Path):
    """benchmarks/load.py and API users call /chat (question, award, category, unit, mode) and /ask by name."""
    app = build_app(assistant, FeedbackStore(tmp_path / "fb.sqlite3"), RateLimiter(limit=5))
    names = {dependency["api_name"]: dependency for dependency in app.get_config_file()["dependencies"]}
    assert {"chat", "ask", "new_chat", "rate", "comment", "export_feedback", "show_case", "ask_about",
            "run_batch"} <= set(names)
    labels = {block.label for block in app.blocks.values() if getattr(block, "label", None)}
    assert {"奖项", "类别", "单位（可留空）", "答案模式", "补充意见（可选）"} <= labels


def test_feedback_database_and_rate_limit_come_from_the_assistants_settings(built_index, tmp_path: Path):
    settings = dataclasses.replace(built_index.settings, feedback_db=tmp_path / "培训班.sqlite3", rate_limit=3)
    handlers = {bf.fn.__name__: bf.fn for bf in build_app(Assistant(settings, show_progress=False)).fns.values() if bf.fn}
    assert handlers["rate"].__self__.store.path == tmp_path / "培训班.sqlite3"
    assert handlers["chat"].__self__.limiter.limit == 3
    unlimited = dataclasses.replace(built_index.settings, rate_limit=0)
    handlers = {bf.fn.__name__: bf.fn for bf in build_app(Assistant(unlimited, show_progress=False)).fns.values() if bf.fn}
    assert handlers["chat"].__self__.limiter is None
