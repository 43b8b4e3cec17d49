"""Gradio web app: chat with sourced answers, the case library, feedback and the trainer's batch Q&A sheet."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

import gradio as gr

from . import export
from .access import RateLimiter, credentials_from_env, rate_limiter_from_env
from .batch import QuestionFileError, answer_all, questions_from_text, read_questions
from .corpus import AWARDS, Case
from .feedback import FeedbackError, FeedbackStore
from .pipeline import Assistant, QuestionError, Turn
from .rendering import CSS, answer_message, case_markdown, escape, mode_label, partial_message
from .retrieval import Filters
from .types import MODE_EXTRACTIVE, MODE_LLM, Answer

log = logging.getLogger(__name__)

TITLE = "工会案例问答助手"
EXAMPLES = [
    "怎样组建外卖骑手工会？",
    "保姆遇到法律纠纷，工会能提供什么帮助？",
    "扫马路的环卫工人夏天没地方喝水歇脚，工会能做什么？",
    "哪些案例讲农民专业合作社建工会？",
    "专家怎么评价顾村镇的非公企业工会改革？",
]
ALL = "全部"
# Every update of a growing answer re-sends the conversation to the page, so there are few of them: a model's
# text is shown at most every STREAM_INTERVAL_S; an extractive answer, ready at once, is revealed in REVEAL_STEPS
# (so both modes stream the same way).
STREAM_INTERVAL_S = 0.1
REVEAL_STEPS = 3
REVEAL_STEP_DELAY_S = 0.03
MAX_COMMENT_CHARS = 1000
MAX_SHEET_QUESTIONS = 100
_LIST_MARK = re.compile(r"^\s*(\d{1,3}\s*[.．、)）]|[-*•])\s*")
ERROR_TEXT = "⚠️ 系统暂时出错了，没能回答这个问题。请稍后再试；如果一直出错，请联系管理员。"
WELCOME = ("请用日常说法提问，例如「外卖小哥怎么入会？」。每个回答都注明出自哪个案例、哪个单位；"
           "点开回答下方的出处卡片可查看案例全文。")
# Gradio recognises a progress tracker by this default value (the same single instance a default argument would be).
_PROGRESS = gr.Progress()
_SYSTEM_FONTS = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
# Events handled at once: extractive answers share the CPU whatever the number (20 users on /ask: 31 answers/s at 4,
# 30 at 16), while model answers mostly wait on the network and should not queue behind each other.
QUEUE_CONCURRENCY = 16
# Files made for download (Q&A sheets, feedback CSV) are removed after a day, Gradio's served copies too.
DOWNLOAD_KEEP_S = 24 * 3600


class DownloadFolder:
    """Where the app writes files for download: a new folder each time; folders older than DOWNLOAD_KEEP_S are
    removed, and the whole folder when the app exits."""

    def __init__(self) -> None:
        self._root = tempfile.TemporaryDirectory(prefix="assistant-downloads-")

    def new(self) -> Path:
        oldest = time.time() - DOWNLOAD_KEEP_S
        for folder in Path(self._root.name).iterdir():
            if folder.stat().st_mtime < oldest:
                shutil.rmtree(folder, ignore_errors=True)
        return Path(tempfile.mkdtemp(dir=self._root.name))


def filters_from(award: str | None, category: str | None, unit: str | None) -> Filters:
    def value(text: str | None) -> str | None:
        text = (text or "").strip()
        return None if not text or text == ALL else text

    return Filters(award=value(award), category=value(category), unit=value(unit))


def stream_answer(assistant: Assistant, question: str, history: Sequence[Turn], filters: Filters,
                  mode: str = MODE_EXTRACTIVE, delay_s: float = REVEAL_STEP_DELAY_S) -> Iterator[tuple[str, Answer | None]]:
    """(text so far, None) while the answer grows, then (final text, Answer) once. Raises QuestionError as ask does.

    A language model's text streams as it is written (`stream_ask` yields the growing text, then the verified
    Answer, whose text replaces what was shown). An answer that arrives whole (extractive, refused, fallback) is
    revealed a few lines at a time, so the page streams the same way in every mode.
    """
    streamed = False
    shown_at = 0.0
    for event in assistant.stream_ask(question, history, filters, mode=mode):
        if isinstance(event, Answer):
            if not streamed:
                lines = event.answer.split("\n")
                step = -(-len(lines) // REVEAL_STEPS)
                for count in range(step, len(lines), step):
                    yield "\n".join(lines[:count]), None
                    if delay_s:
                        time.sleep(delay_s)
            yield event.answer, event
            return
        streamed = True
        if time.monotonic() - shown_at >= STREAM_INTERVAL_S:
            shown_at = time.monotonic()
            yield str(event), None
    raise RuntimeError("the answer stream ended without an Answer")


def case_rows(cases: Sequence[Case], query: str = "", award: str = ALL, category: str = ALL) -> list[list[str]]:
    """The case table, narrowed by words (all must appear in the case) and by award and category."""
    words = (query or "").split()
    rows = []
    for case in cases:
        if award and award != ALL and case.award != award:
            continue
        if category and category != ALL and case.category != category:
            continue
        text = f"{case.id}\n{case.searchable_text}"
        if all(word.lower() in text.lower() for word in words):
            rows.append([case.id, case.award, case.category, case.title, case.unit])
    return rows


def sheet_questions(text: str, upload: str | None) -> list[str]:
    """The trainer's questions: pasted lines, then the uploaded file's; list marks ("1." "2、" "-") and repeats dropped.

    Raises QuestionFileError."""
    questions: list[str] = []
    for question in [*questions_from_text(text or ""), *(read_questions(upload) if upload else [])]:
        question = _LIST_MARK.sub("", question).strip()
        if question and question not in questions:
            questions.append(question)
    return questions


def case_question(case: Case) -> str:
    return f"《{case.title}》（{case.unit}）是怎么做的？取得了哪些成效？"


# ---------------------------------------------------------------- the app

def _client(request: gr.Request | None) -> str:
    """Who is asking, for the rate limit: the client address (one bucket for unknown callers)."""
    return getattr(getattr(request, "client", None), "host", None) or "unknown"


def build_app(assistant: Assistant, store: FeedbackStore | None = None, limiter: RateLimiter | None = None):
    """The whole web app for one loaded Assistant; feedback goes to `store` (default: ASSISTANT_FEEDBACK_DB)."""
    store = store or FeedbackStore.from_env()
    limiter = limiter if limiter is not None else rate_limiter_from_env()
    downloads = DownloadFolder()
    cases = assistant.compendium.cases
    case_texts = {case.id: case_markdown(case) for case in cases}
    by_id = {case.id: case for case in cases}
    categories = [ALL, *sorted({case.category for case in cases})]
    modes = [MODE_EXTRACTIVE, MODE_LLM] if assistant.settings.llm_enabled else [MODE_EXTRACTIVE]
    default_mode = assistant.settings.answer_mode if assistant.settings.answer_mode in modes else MODE_EXTRACTIVE

    # ---- chat

    def chat(message, messages, turns, records, award, category, unit, mode, request: gr.Request):
        messages = [*messages, {"role": "user", "content": escape((message or "").strip()) or "（空）"},
                    {"role": "assistant", "content": "⏳ 正在查找相关案例…"}]
        if limiter and not limiter.allow(_client(request)):
            messages[-1] = {"role": "assistant", "content": f"⚠️ {limiter.message}"}
            yield messages, messages, turns, records, gr.skip()
            return
        # Until the answer is final only the chat view changes: the conversation's states are stored once, at the
        # end (every stored state costs the server work on each update; see benchmarks/load.py).
        yield gr.skip(), messages, gr.skip(), gr.skip(), ""
        mode = mode if mode in modes else default_mode
        try:
            for text, answer in stream_answer(assistant, message, turns, filters_from(award, category, unit), mode):
                if answer is None:
                    messages[-1] = {"role": "assistant", "content": partial_message(text)}
                    yield gr.skip(), messages, gr.skip(), gr.skip(), gr.skip()
        except QuestionError as error:
            messages[-1] = {"role": "assistant", "content": f"⚠️ {escape(str(error))}"}
            yield messages, messages, turns, records, gr.skip()
            return
        except Exception:  # the user gets a message, the log gets the stack trace
            log.exception("answering failed for %r", message)
            messages[-1] = {"role": "assistant", "content": ERROR_TEXT}
            yield messages, messages, turns, records, gr.skip()
            return
        messages[-1] = {"role": "assistant", "content": answer_message(answer, case_texts)}
        records = {**records, len(messages) - 1: {
            "question": answer.question, "answer": answer.answer, "mode": answer.mode,
            "citations": [asdict(c) for c in answer.citations]}}
        yield messages, messages, [*turns, Turn(answer.question, answer)], records, gr.skip()

    def new_chat():
        return [], [], [], {}, {}, None, "", gr.update(visible=False), "", ""

    # ---- feedback

    def rate(records, rated, data: gr.LikeData):
        """👍/👎 on an answer: one record per answer, changed when the user switches, removed when withdrawn.

        `rated` maps a chat message to its feedback record; it is kept apart from `records`, which a chat turn
        still streaming may write back."""
        index = data.index if isinstance(data.index, int) else data.index[0]
        record = records.get(index)
        if record is None:
            return gr.skip(), None, "这条消息不是回答，不需要评价。", gr.update(visible=False)
        record_id = rated.get(index)
        try:
            if data.liked not in (True, False):  # the same thumb clicked again
                if record_id is not None:
                    store.remove(record_id)
                return {**rated, index: None}, None, "已撤销评价。", gr.update(visible=False)
            rating = "up" if data.liked else "down"
            if record_id is None:
                record_id = store.add(record["question"], record["answer"], record["citations"], record["mode"], rating)
            else:
                store.set_rating(record_id, rating)
        except FeedbackError as error:
            return gr.skip(), None, f"⚠️ {error}", gr.update(visible=False)
        thumb = "👍" if data.liked else "👎"
        return ({**rated, index: record_id}, record_id, f"已记录您的 {thumb} 评价，谢谢！可以在下面补充意见（可选）。",
                gr.update(visible=True))

    def comment(text, record_id):
        text = (text or "").strip()[:MAX_COMMENT_CHARS]
        if record_id is None:
            return "请先点回答下方的 👍 或 👎，再填写意见。", gr.skip(), gr.skip()
        if not text:
            return "意见是空的：写几句再提交，或者不填也可以。", gr.skip(), gr.skip()
        try:
            store.set_comment(record_id, text)
        except FeedbackError as error:
            return f"⚠️ {error}", gr.skip(), gr.skip()
        return "已收到您的意见，谢谢！", gr.update(visible=False), ""

    def export_feedback():
        try:
            path = store.export_csv(downloads.new() / "反馈记录.csv")
        except FeedbackError as error:
            return gr.update(visible=False), f"⚠️ {error}"
        return gr.update(value=str(path), visible=True), ""

    # ---- case library

    def show_case(event: gr.SelectData):
        case = by_id.get(event.row_value[0]) if event.row_value else None
        if case is None:
            return None, "请在表格中选择一个案例。", gr.update(interactive=False)
        return case.id, case_texts[case.id], gr.update(interactive=True)

    def ask_about(case_id):
        case = by_id.get(case_id)
        if case is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return gr.Tabs(selected="chat"), case_question(case), case.unit, ALL, ALL

    # ---- trainer

    def run_batch(text, upload, progress=_PROGRESS):
        no_files = [gr.update(interactive=False, value=None)] * 3
        try:
            questions = sheet_questions(text, upload)
        except QuestionFileError as error:
            return f"⚠️ {error}", [], *no_files
        if not questions:
            return "请先粘贴问题（每行一个），或上传 .txt / .csv / .xlsx 文件。", [], *no_files
        note = ""
        if len(questions) > MAX_SHEET_QUESTIONS:
            note = f"（共 {len(questions)} 题，一次最多回答 {MAX_SHEET_QUESTIONS} 题，只回答了前 {MAX_SHEET_QUESTIONS} 题）"
            questions = questions[:MAX_SHEET_QUESTIONS]

        def announced():
            for i, question in enumerate(questions):
                progress((i, len(questions)), desc=f"正在回答第 {i + 1}/{len(questions)} 题")
                yield question

        entries = list(answer_all(assistant, announced()))
        paths = export.write_all(entries, downloads.new())
        answered = sum(e.status == "已回答" for e in entries)
        status = f"已完成 {len(entries)} 题：回答 {answered} 题，拒答或未能回答 {len(entries) - answered} 题。{note}"
        buttons = [gr.update(value=str(paths[kind]), interactive=True) for kind in ("md", "csv", "docx")]
        return status, export.table_rows(entries), *buttons

    # ---- API: the same JSON as `python -m assistant ask --json`

    def ask(question: str, award: str = "", category: str = "", unit: str = "", request: gr.Request = None) -> dict:
        """回答一个问题，返回与命令行 `python -m assistant ask --json` 相同的 JSON。"""
        if limiter and not limiter.allow(_client(request)):
            return {"question": question, "error": limiter.message}
        try:
            return assistant.ask(question, (), filters_from(award, category, unit)).to_dict()
        except QuestionError as error:
            return {"question": question, "error": str(error)}

    hidden_api = {"api_visibility": "undocumented"}
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, DOWNLOAD_KEEP_S)) as app:
        gr.Markdown(f"# {TITLE}\n依据《2017年度上海市基层工会创新案例集》（60 个案例）回答，每个回答都注明出处案例和单位。")
        with gr.Tabs(selected="chat") as tabs:
            with gr.Tab("对话", id="chat"):
                messages, turns, records = gr.State([]), gr.State([]), gr.State({})
                rated, feedback_id = gr.State({}), gr.State(None)
                with gr.Row():
                    with gr.Column(scale=4):
                        chatbot = gr.Chatbot(label="对话", height=600, elem_id="chat", placeholder=WELCOME,
                                             latex_delimiters=[], buttons=["copy"])
                        with gr.Row():
                            question = gr.Textbox(show_label=False, placeholder="输入问题，例如：怎样组建外卖骑手工会？",
                                                  max_length=2000, scale=5, elem_id="question", submit_btn=False)
                            send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                            clear = gr.Button("新对话", scale=1, elem_id="new-chat")
                        gr.Markdown("**示例问题**（点击即问）")
                        with gr.Row():
                            example_buttons = [gr.Button(text, size="sm") for text in EXAMPLES]
                        feedback_status = gr.Markdown(elem_id="feedback-status")
                        with gr.Row(visible=False) as comment_row:
                            comment_box = gr.Textbox(label="补充意见（可选）", placeholder="哪里有用，哪里不对？",
                                                     max_length=MAX_COMMENT_CHARS, scale=5, elem_id="comment")
                            comment_send = gr.Button("提交意见", scale=1, elem_id="comment-send")
                    with gr.Column(scale=1, min_width=260):
                        mode = gr.Radio([(mode_label(m), m) for m in modes], value=default_mode, label="答案模式",
                                        interactive=len(modes) > 1, elem_id="mode")
                        award = gr.Dropdown([ALL, *AWARDS], value=ALL, label="奖项", elem_id="award")
                        category = gr.Dropdown(categories, value=ALL, label="类别", elem_id="category")
                        unit = gr.Textbox(label="单位（可留空）", placeholder="例如：普陀区", elem_id="unit")
                        gr.Markdown("筛选只在所选范围内查找案例。追问（如「那他们的成效呢？」）会接着上一个回答的案例。")
                        with gr.Accordion("反馈记录", open=False):
                            export_button = gr.Button("导出全部反馈（CSV）", size="sm", elem_id="export-feedback")
                            export_file = gr.File(label="反馈 CSV", visible=False, elem_id="feedback-file")
                            export_status = gr.Markdown()
            with gr.Tab("案例库", id="cases"):
                with gr.Row():
                    search = gr.Textbox(label="搜索（标题、单位、正文）", placeholder="例如：外卖 或 普陀区", scale=3,
                                        elem_id="case-search")
                    library_award = gr.Dropdown([ALL, *AWARDS], value=ALL, label="奖项", scale=1)
                    library_category = gr.Dropdown(categories, value=ALL, label="类别", scale=2)
                selected_case = gr.State(None)
                with gr.Row():
                    with gr.Column(scale=3):
                        table = gr.Dataframe(case_rows(cases), headers=["编号", "奖项", "类别", "标题", "单位"],
                                             type="array", interactive=False, wrap=True, max_height=640,
                                             elem_id="case-table")
                    with gr.Column(scale=2):
                        ask_case = gr.Button("就这个案例提问", variant="primary", interactive=False, elem_id="ask-case")
                        case_view = gr.Markdown("在左侧表格中点击一个案例，这里显示全文。", elem_id="case-view")
            with gr.Tab("培训备课", id="trainer"):
                gr.Markdown("批量提问，导出带出处（案例、单位、原文）的问答单。")
                with gr.Row():
                    batch_text = gr.Textbox(label="问题（每行一个）", lines=6, scale=3, elem_id="batch-text",
                                            placeholder="怎样组建外卖骑手工会？\n环卫工人的爱心接力站是怎么建的？")
                    batch_file = gr.File(label="或上传 .txt / .csv / .xlsx（取「问题」列或第一列）",
                                         file_types=[".txt", ".csv", ".xlsx"], type="filepath", scale=2,
                                         elem_id="batch-file")
                run = gr.Button("生成问答单", variant="primary", elem_id="run-batch")
                batch_status = gr.Markdown(elem_id="batch-status")
                with gr.Row():
                    download_md = gr.DownloadButton("下载 Markdown", interactive=False, elem_id="download-md")
                    download_csv = gr.DownloadButton("下载 CSV", interactive=False, elem_id="download-csv")
                    download_docx = gr.DownloadButton("下载 Word（DOCX）", interactive=False, elem_id="download-docx")
                batch_table = gr.Dataframe(headers=["序号", "问题", "状态", "回答", "引用案例", "单位"], type="array",
                                           interactive=False, wrap=True, elem_id="batch-table")

        chat_inputs = [question, messages, turns, records, award, category, unit, mode]
        chat_outputs = [messages, chatbot, turns, records, question]
        for trigger in (send.click, question.submit):
            trigger(chat, chat_inputs, chat_outputs, **hidden_api)
        for button, text in zip(example_buttons, EXAMPLES):
            button.click(lambda t=text: t, None, question, **hidden_api).then(chat, chat_inputs, chat_outputs, **hidden_api)
        for trigger in (clear.click, chatbot.clear):  # 新对话, or the chat's own 清空 icon
            trigger(new_chat, None, [messages, chatbot, turns, records, rated, feedback_id, feedback_status,
                                     comment_row, comment_box, unit], **hidden_api)
        chatbot.like(rate, [records, rated], [rated, feedback_id, feedback_status, comment_row], **hidden_api)
        for trigger in (comment_send.click, comment_box.submit):
            trigger(comment, [comment_box, feedback_id], [feedback_status, comment_row, comment_box], **hidden_api)
        export_button.click(export_feedback, None, [export_file, export_status], **hidden_api)

        for trigger in (search.change, library_award.change, library_category.change):
            trigger(lambda *narrowing: case_rows(cases, *narrowing), [search, library_award, library_category], table,
                    **hidden_api)
        table.select(show_case, None, [selected_case, case_view, ask_case], **hidden_api)
        ask_case.click(ask_about, selected_case, [tabs, question, unit, award, category], **hidden_api)

        run.click(run_batch, [batch_text, batch_file], [batch_status, batch_table, download_md, download_csv,
                                                         download_docx], **hidden_api)
        gr.api(ask, api_name="ask")
    return app


def build_error_app(reason: str):
    """The page shown when the assistant could not load: what happened and what to do, no stack trace."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(f"# {TITLE}\n\n## ⚠️ 助手没能启动\n\n{escape(reason)}\n\n"
                    "请管理员在终端运行 `.venv/bin/python -m assistant build` 查看详细原因，修复后重新启动 `python app.py`。")
    return app


def launch(app, host: str = "127.0.0.1", port: int = 7860, **options):
    """Serve on loopback by default; nothing is fetched from outside (system fonts, no analytics, no share link).

    ASSISTANT_AUTH / ASSISTANT_AUTH_FILE put a password in front of the page and the API."""
    options.setdefault("auth", credentials_from_env())
    if options["auth"]:
        options.setdefault("auth_message", "工会案例问答助手：请输入用户名和密码")
    theme = gr.themes.Default(font=_SYSTEM_FONTS, font_mono=["Noto Sans Mono CJK SC", "monospace"])
    return app.queue(default_concurrency_limit=QUEUE_CONCURRENCY).launch(
        server_name=host, server_port=port, share=False, theme=theme, css=CSS, footer_links=["api"],
        show_error=False, **options)
