"""The web page: its layout and which event calls which handler (chat, case library, feedback, trainer); the page
shown when loading failed; serving it."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
from starlette.middleware import Middleware

from ..access import RateLimiter, rate_limiter
from ..corpus import AWARDS
from ..feedback import FeedbackStore
from ..pipeline import Assistant
from ..types import APP_NAME
from .admin import Admin
from .chat import ALL, Chat
from .client import PAGE_JS, ChineseInterface
from .downloads import DOWNLOAD_KEEP_S, DownloadFolder
from .feedback import MAX_COMMENT_CHARS, Feedback
from .library import RESULTS_JS, RESULTS_TEMPLATE, SHOW_CASE_JS, CaseLibrary
from .rendering import CSS, case_texts, escape, mode_label
from .trainer import SHEET_TABLE, Trainer

TITLE = APP_NAME
EXAMPLES = [
    "怎样组建外卖骑手工会？",
    "保姆遇到法律纠纷，工会能提供什么帮助？",
    "扫马路的环卫工人夏天没地方喝水歇脚，工会能做什么？",
    "哪些案例讲农民专业合作社建工会？",
    "专家怎么评价顾村镇的非公企业工会改革？",
]
WELCOME = ("请用日常说法提问，例如「外卖小哥怎么入会？」。每个回答都注明出自哪个案例、哪个单位；"
           "点开回答下方的出处卡片可查看案例全文。")
_SYSTEM_FONTS = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
# Events handled at once: extractive answers share the CPU whatever the number (20 users on /ask: 31 answers/s at 4,
# 30 at 16), while model answers mostly wait on the network and should not queue behind each other.
QUEUE_CONCURRENCY = 16
# The page's own events are reachable (the browser calls them) but not listed among the API's endpoints; /ask is.
_HIDDEN_API = {"api_visibility": "undocumented"}


@dataclass(frozen=True)
class _ChatFields:
    """The chat tab's inputs that 就这个案例提问 in the case library fills in."""

    question: gr.Textbox
    unit: gr.Textbox
    award: gr.Dropdown
    category: gr.Dropdown


def build_app(assistant: Assistant, store: FeedbackStore | None = None, limiter: RateLimiter | None = None,
              admin: Admin | None = None) -> gr.Blocks:
    """The whole web app for one loaded Assistant; feedback goes to `store` and questions are rate-limited by
    `limiter`, by default as the assistant's settings say (feedback_db, rate_limit); `admin` runs the 管理与评测 tab
    (by default: the settings' admin_password, eval/questions.jsonl, runs written to eval-runs in the index folder)."""
    settings = assistant.settings
    store = store or FeedbackStore(settings.feedback_db)
    limiter = limiter if limiter is not None else rate_limiter(settings.rate_limit)
    downloads = DownloadFolder()
    texts = case_texts(assistant.compendium.cases)
    chat = Chat(assistant, limiter)
    feedback = Feedback(store)
    library = CaseLibrary(assistant.compendium.cases, assistant.index.lexicon, texts)
    trainer = Trainer(assistant, downloads)
    admin = admin or Admin(assistant, store, downloads, settings.admin_password)

    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, DOWNLOAD_KEEP_S)) as app:
        gr.Markdown(f"# {TITLE}\n依据《2017年度上海市基层工会创新案例集》（60 个案例）回答，每个回答都注明出处案例和单位。",
                    elem_id="page-head")
        with gr.Tabs(selected="chat") as tabs:
            with gr.Tab("对话", id="chat"):
                fields = _chat_tab(chat, feedback, library.categories)
            with gr.Tab("案例库", id="cases"):
                _library_tab(library, tabs, fields)
            with gr.Tab("培训备课", id="trainer"):
                _trainer_tab(trainer)
            with gr.Tab("管理与评测", id="admin"):
                _admin_tab(admin)
        gr.api(chat.ask, api_name="ask")
    return app


def _chat_tab(chat: Chat, feedback: Feedback, categories: list[str]) -> _ChatFields:
    """The conversation, the chips saying what narrows it (the case under discussion, the filters), the question box,
    examples and feedback on the left; answer mode and filters on the right (folded away on a phone, where the
    question box stays at the bottom of the screen)."""
    messages, turns, records = gr.State([]), gr.State([]), gr.State({})
    rated, feedback_id = gr.State({}), gr.State(None)
    with gr.Row(elem_id="chat-layout"):
        with gr.Column(scale=4, elem_id="chat-column"):
            chatbot = gr.Chatbot(label="对话", height=600, elem_id="chat", placeholder=WELCOME, latex_delimiters=[],
                                 buttons=[])  # no copy button: 复制回答 under each answer copies clean text
            with gr.Row(elem_id="chips"):
                discussed = gr.Markdown(visible=False, elem_id="discussed")
                forget = gr.Button("✕ 不再接着这个案例问", size="sm", visible=False, elem_id="forget-discussed")
                filters_chip = gr.Markdown(visible=False, elem_id="filters-chip")
                clear_filters = gr.Button("✕ 清除筛选", size="sm", visible=False, elem_id="clear-filters")
            with gr.Row(elem_id="composer"):
                question = gr.Textbox(label="问题", show_label=False, placeholder="输入问题，例如：外卖小哥怎么入会？",
                                      lines=1, max_lines=4, max_length=2000, scale=5, min_width=120,
                                      elem_id="question", submit_btn=False)
                send = gr.Button("提问", variant="primary", scale=1, min_width=56, elem_id="send")
                clear = gr.Button("新对话", scale=1, min_width=56, elem_id="new-chat")
            gr.Markdown("**示例问题**（点击即问）", elem_id="examples-label")
            with gr.Row(elem_id="examples"):
                example_buttons = [gr.Button(text, size="sm") for text in EXAMPLES]
            feedback_status = gr.Markdown(elem_id="feedback-status")
            with gr.Row(visible=False) as comment_row:
                comment_box = gr.Textbox(label="补充意见（可选）", placeholder="哪里有用，哪里不对？",
                                         max_length=MAX_COMMENT_CHARS, scale=5, elem_id="comment")
                comment_send = gr.Button("提交意见", scale=1, elem_id="comment-send")
        with gr.Column(scale=1, min_width=260, elem_id="chat-side"):
            with gr.Accordion("答案模式与筛选", open=True, elem_id="chat-options"):
                mode = gr.Radio([(mode_label(m), m) for m in chat.modes], value=chat.default_mode, label="答案模式",
                                interactive=len(chat.modes) > 1, elem_id="mode")
                award = gr.Dropdown([ALL, *AWARDS], value=ALL, label="奖项", elem_id="award")
                category = gr.Dropdown(categories, value=ALL, label="类别", elem_id="category")
                unit = gr.Textbox(label="单位（可留空）", placeholder="例如：普陀区", elem_id="unit")
                gr.Markdown("筛选后只在所选范围内查找案例，对话框下方会显示正在用的筛选。追问（如「那他们的成效呢？」）"
                            "会接着上一个回答的案例，对话框下方显示「正在讨论」的案例，点 ✕ 即不再接着它问。")

    chat_inputs = [question, messages, turns, records, award, category, unit, mode]
    chat_outputs = [messages, chatbot, turns, records, question]

    def answer_then_context(event) -> None:
        event.then(chat.chat, chat_inputs, chat_outputs, **_HIDDEN_API).then(
            chat.context, turns, [discussed, forget], **_HIDDEN_API)

    for trigger in (send.click, question.submit):
        trigger(chat.chat, chat_inputs, chat_outputs, **_HIDDEN_API).then(chat.context, turns, [discussed, forget],
                                                                          **_HIDDEN_API)
    for button, text in zip(example_buttons, EXAMPLES):
        answer_then_context(button.click(lambda t=text: t, None, question, **_HIDDEN_API))
    answer_then_context(chatbot.option_select(chat.picked_option, None, question, **_HIDDEN_API))
    forget.click(chat.forget_discussed, None, [turns, discussed, forget], **_HIDDEN_API)
    for field in (award, category, unit):
        field.change(chat.filter_chip, [award, category, unit], [filters_chip, clear_filters], **_HIDDEN_API)
    clear_filters.click(chat.clear_filters, None, [award, category, unit], **_HIDDEN_API)
    for trigger in (clear.click, chatbot.clear):  # 新对话, or the chat's own 清空 icon
        trigger(chat.new_chat, None, [messages, chatbot, turns, records, rated, feedback_id, feedback_status,
                                      comment_row, comment_box, unit], **_HIDDEN_API).then(
            chat.context, turns, [discussed, forget], **_HIDDEN_API)
    chatbot.like(feedback.rate, [records, rated], [rated, feedback_id, feedback_status, comment_row], **_HIDDEN_API)
    for trigger in (comment_send.click, comment_box.submit):
        trigger(feedback.comment, [comment_box, feedback_id], [feedback_status, comment_row, comment_box],
                **_HIDDEN_API)
    return _ChatFields(question, unit, award, category)


def _library_tab(library: CaseLibrary, tabs: gr.Tabs, chat: _ChatFields) -> None:
    """Search and filters above the cases found (a table on a computer, cards on a phone); the clicked case in full
    beside them (below on a phone), with 就这个案例提问."""
    with gr.Row():
        search = gr.Textbox(label="搜索案例（日常说法也行，多个词用空格隔开）", placeholder="例如：外卖、保姆、普陀区",
                            scale=3, min_width=240, elem_id="case-search")
        library_award = gr.Dropdown([ALL, *AWARDS], value=ALL, label="奖项", scale=1, min_width=120,
                                    elem_id="case-award")
        library_category = gr.Dropdown(library.groups, value=ALL, label="类别", scale=2, min_width=160,
                                       elem_id="case-category")
    selected_case = gr.State(None)
    with gr.Row():
        with gr.Column(scale=3, min_width=320):
            results = gr.HTML(library.search(), html_template=RESULTS_TEMPLATE, js_on_load=RESULTS_JS,
                              elem_id="case-results")
        with gr.Column(scale=2, min_width=320):
            ask_case = gr.Button("就这个案例提问", variant="primary", interactive=False, elem_id="ask-case")
            case_view = gr.Markdown("点击一个案例，这里显示全文。", elem_id="case-view")

    for trigger in (search.change, library_award.change, library_category.change):
        # On every keystroke: no progress overlay over the list, and no waiting in the queue behind answers.
        trigger(library.search, [search, library_award, library_category], results, show_progress="hidden",
                queue=False, **_HIDDEN_API)
    results.select(library.show_case, None, [selected_case, case_view, ask_case], **_HIDDEN_API).then(
        None, js=SHOW_CASE_JS, **_HIDDEN_API)
    ask_case.click(library.ask_about, selected_case, [tabs, chat.question, chat.unit, chat.award, chat.category],
                   **_HIDDEN_API)


def _trainer_tab(trainer: Trainer) -> None:
    """Questions pasted or uploaded, 生成问答单, the sheet's downloads and its table."""
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
    batch_table = gr.Dataframe(type="array", interactive=False, wrap=True, buttons=["fullscreen"],
                               elem_id="batch-table", **SHEET_TABLE)

    run.click(trainer.run_batch, [batch_text, batch_file], [batch_status, batch_table, download_md, download_csv,
                                                            download_docx], **_HIDDEN_API)


def _admin_tab(admin: Admin) -> None:
    """The administrator's password (when one is set) above two pages: 评测 (the latest report of the question set,
    two runs compared, 运行评测 with a progress bar) and 反馈导出 (all feedback as CSV)."""
    gr.Markdown(admin.notice, elem_id="admin-notice")
    password = gr.Textbox(label="管理员密码", type="password", max_lines=1, visible=bool(admin.password),
                          elem_id="admin-password")
    with gr.Tabs(selected="evaluation"):
        with gr.Tab("评测", id="evaluation"):
            with gr.Row():
                show = gr.Button("查看最新报告", variant="primary", elem_id="show-report")
                run = gr.Button("运行评测", elem_id="run-eval")
            gr.Markdown(f"「运行评测」把题集 {admin.questions.name} 的每道题问一遍正在运行的助手（与用户的问法相同），"
                        "写出一份新报告；不会覆盖仓库里的 eval/reports。")
            report_status = gr.Markdown(elem_id="report-status")
            with gr.Column(visible=False, elem_id="report") as report_area:
                with gr.Row():
                    with gr.Column(min_width=360):
                        gr.Markdown("### 总体指标")
                        overall = gr.Dataframe(type="array", interactive=False, wrap=True, max_height=900,
                                               elem_id="report-overall")
                    with gr.Column(min_width=360):
                        gr.Markdown("### 按题型\n图：每种题型的命中@3（域外题为拒答率），每个配置一种颜色；"
                                    "表：报告第一个配置的分组指标。")
                        chart = gr.Image(show_label=False, type="pil", interactive=False, buttons=[],
                                         elem_id="report-chart")
                        kinds = gr.Dataframe(type="array", interactive=False, wrap=True, max_height=900,
                                             elem_id="report-kinds")
                gr.Markdown("### 最差的题目及检索到的案例")
                worst = gr.Dataframe(type="array", interactive=False, wrap=True, max_height=520,
                                     elem_id="report-worst")
            gr.Markdown("### 两次运行对比")
            with gr.Row():
                first = gr.Dropdown(label="运行 A", choices=[], scale=3, elem_id="run-a")
                second = gr.Dropdown(label="运行 B", choices=[], scale=3, elem_id="run-b")
                compare = gr.Button("比较", scale=1, elem_id="compare-runs")
            compare_status = gr.Markdown(elem_id="compare-status")
            comparison = gr.Dataframe(type="array", interactive=False, wrap=True, visible=False,
                                      elem_id="comparison")
        with gr.Tab("反馈导出", id="feedback-export"):
            gr.Markdown("导出全部 👍/👎 评价和意见（CSV，Excel 可直接打开；时间为北京时间）。")
            export = gr.Button("导出全部反馈（CSV）", elem_id="export-feedback")
            export_file = gr.File(label="反馈 CSV", visible=False, elem_id="feedback-file")
            export_status = gr.Markdown(elem_id="export-status")

    report_outputs = [report_status, report_area, overall, kinds, chart, worst, first, second]
    compare_inputs, compare_outputs = [first, second, password], [compare_status, comparison]
    show.click(admin.show_reports, password, report_outputs, **_HIDDEN_API).then(
        admin.compare, compare_inputs, compare_outputs, **_HIDDEN_API)
    # One run at a time: a second click waits for the first run to end.
    run.click(admin.run_evaluation, password, report_outputs, concurrency_limit=1, concurrency_id="evaluation",
              **_HIDDEN_API).then(admin.compare, compare_inputs, compare_outputs, **_HIDDEN_API)
    compare.click(admin.compare, compare_inputs, compare_outputs, **_HIDDEN_API)
    export.click(admin.export_feedback, password, [export_file, export_status], **_HIDDEN_API)


def build_error_app(reason: str) -> gr.Blocks:
    """The page shown when the assistant could not load: what happened and what to do, no stack trace."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(f"# {TITLE}\n\n## ⚠️ 助手没能启动\n\n{escape(reason)}\n\n"
                    "请管理员在终端运行 `.venv/bin/python -m assistant build` 查看详细原因，修复后重新启动 `python app.py`。")
    return app


def launch(app: gr.Blocks, host: str, port: int, **options):
    """Serve at host:port (app.py: Settings.host / port, loopback by default); nothing is fetched from outside (system
    fonts, no analytics, no share link).

    auth=[(user, password), …] (Settings.credentials) puts a password in front of the page and the API."""
    if options.get("auth"):
        options.setdefault("auth_message", "工会案例问答助手：请输入用户名和密码")
    theme = gr.themes.Default(font=_SYSTEM_FONTS, font_mono=["Noto Sans Mono CJK SC", "monospace"])
    # No footer: its links lead to Gradio's own pages, in English (the /ask API is described in README.md).
    return app.queue(default_concurrency_limit=QUEUE_CONCURRENCY).launch(
        server_name=host, server_port=port, share=False, theme=theme, css=CSS, js=PAGE_JS, footer_links=[],
        show_error=False, app_kwargs={"middleware": [Middleware(ChineseInterface)]}, **options)
