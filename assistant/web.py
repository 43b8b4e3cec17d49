"""Gradio web chat: ask in everyday words, get an answer with its source cases and units."""

from __future__ import annotations

import html

from .answering import Answer
from .pipeline import Assistant, QuestionError, Turn
from .retrieval import Filters

EXAMPLES = [
    "怎样组建外卖骑手工会？",
    "保姆遇到法律纠纷，工会能提供什么帮助？",
    "扫马路的环卫工人夏天没地方喝水歇脚，工会能做什么？",
    "哪些案例讲农民专业合作社建工会？",
    "专家怎么评价顾村镇的非公企业工会改革？",
]
ALL = "全部"
AWARD_CHOICES = [ALL, "特等奖", "十大创新案例", "提名奖"]


def sources_markdown(answer: Answer) -> str:
    """The quoted evidence under an answer, one block per citation; user text is never rendered as HTML."""
    if answer.refused:
        return "**已拒答**：案例集中没有能回答这个问题的内容，因此没有引用任何案例。"
    blocks = []
    for c in answer.citations:
        blocks.append(f"**[{c.n}] 《{html.escape(c.title)}》— {html.escape(c.unit)}（{c.award}，{c.section}）**\n\n"
                      f"> {html.escape(c.quote)}")
    return "\n\n".join(blocks)


def respond(assistant: Assistant, message: str, chat: list[dict], turns: list[Turn], award: str):
    """One chat turn: the answer text goes into the chat, its sources into the panel beside it."""
    chat = list(chat or [])
    shown = html.escape(message or "")
    try:
        answer = assistant.ask(message, turns, Filters(award=None if award == ALL else award))
    except QuestionError as error:
        return chat + [{"role": "user", "content": shown}, {"role": "assistant", "content": f"⚠️ {error}"}], turns, ""
    except Exception:  # noqa: BLE001 - the page shows a message, never a stack trace
        message_text = "⚠️ 系统暂时出错了，请稍后再试。"
        return chat + [{"role": "user", "content": shown}, {"role": "assistant", "content": message_text}], turns, ""
    mark = "（已拒答）\n\n" if answer.refused else ""
    chat += [{"role": "user", "content": shown}, {"role": "assistant", "content": mark + answer.answer}]
    return chat, turns + [Turn(message, answer)], sources_markdown(answer)


def build_app(assistant: Assistant):
    import gradio as gr

    with gr.Blocks(title="工会案例问答助手") as app:
        gr.Markdown("# 工会案例问答助手\n依据《2017年度上海市基层工会创新案例集》回答，每个回答都注明出处案例和单位。"
                    "答案模式：抽取式（离线，不需要大模型）。")
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="对话", height=520, sanitize_html=True)
                question = gr.Textbox(label="您的问题", placeholder="例如：怎样组建外卖骑手工会？", max_length=2000)
                with gr.Row():
                    send = gr.Button("提问", variant="primary")
                    clear = gr.Button("新对话")
                gr.Examples(EXAMPLES, inputs=question, label="示例问题")
            with gr.Column(scale=2):
                award = gr.Dropdown(AWARD_CHOICES, value=ALL, label="奖项筛选")
                sources = gr.Markdown(label="出处", value="回答的出处原文会显示在这里。")

        def ask(message, chat_value, turn_value, award_value):
            new_chat, new_turns, new_sources = respond(assistant, message, chat_value, turn_value, award_value)
            return new_chat, new_turns, new_sources or "（无出处）", ""

        for trigger in (send.click, question.submit):
            trigger(ask, [question, chat, turns, award], [chat, turns, sources, question])
        clear.click(lambda: ([], [], "回答的出处原文会显示在这里。"), None, [chat, turns, sources])
    return app
