"""The web app as users get it: a real server on loopback, driven by a real browser (Debian chromium via Playwright).

Also: the gradio_client API against the CLI, and app.py started as users start it. The handlers behind the page
are tested directly in test_web_handlers.py, the feedback store in test_feedback.py, the sheets in test_export.py.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browsing import (
    ARTIFACTS,
    DESKTOP,
    DISLIKE,
    LIKE,
    OUT_OF_SCOPE,
    PHONE,
    RIDER_CASE,
    RIDER_QUESTION,
    RIDER_TITLE,
    RIDER_UNIT,
    SCREENSHOTS,
    Server,
    ask,
    free_port,
    last_answer,
    open_page,
    watch_for_partial_answers,
)

from assistant.feedback import FeedbackStore
from assistant.pipeline import Assistant
from assistant.settings import ROOT
from assistant.web import build_app, launch

pytestmark = pytest.mark.slow
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])

# ---------------------------------------------------------------- chat

def test_chat_streams_answer_with_source_cards_that_open_the_case(page, server: Server):
    watch_for_partial_answers(page)
    ask(page, RIDER_QUESTION)
    assert page.evaluate("window.__partial"), "the answer should appear progressively, not all at once"
    answer = last_answer(page)
    text = answer.inner_text()
    assert RIDER_UNIT in text and f"《{RIDER_TITLE}》" in text
    assert "[1]" in text and "答案模式：抽取式" in text and "已拒答" not in text
    card = answer.locator(".source-card").first
    assert RIDER_TITLE in card.inner_text() and RIDER_UNIT in card.inner_text() and "十大创新案例" in card.inner_text()
    assert card.locator(".source-passage mark").count() >= 1  # the book's paragraph, the quoted words marked

    ARTIFACTS.mkdir(exist_ok=True)
    scroll_chat_to(page.locator("#chat .user").last)
    page.screenshot(path=str(ARTIFACTS / "chat.png"))

    case = server.assistant.compendium.get(RIDER_CASE)
    result_sentence = opening_words(case.section("成效").text)  # in the case, not in the quoted 做法 passage
    full_text = card.locator("details")
    assert not full_text.get_by_text(result_sentence).is_visible()
    card.locator("summary").click()
    expect_visible(full_text.get_by_text(result_sentence, exact=False))
    assert case.expert_comments and f"专家点评 · {case.expert_comments[0].affiliation}" in full_text.inner_text()
    scroll_chat_to(card)
    page.screenshot(path=str(ARTIFACTS / "chat-case.png"))


def scroll_chat_to(locator) -> None:
    """Scroll the chat so the element is at its top, once the chat's own scrolling to the newest text is over."""
    locator.page.wait_for_timeout(500)
    locator.evaluate("""e => { const w = e.closest('.bubble-wrap');
        w.scrollTop += e.getBoundingClientRect().top - w.getBoundingClientRect().top; }""")
    locator.page.wait_for_timeout(200)


def opening_words(text: str) -> str:
    """The first words of a passage as the page shows them (a leading "1." becomes a list number)."""
    return re.sub(r"^\d+\s*[.．、]\s*", "", text.strip())[:15]


def expect_visible(locator) -> None:
    locator.first.wait_for(state="visible")
    assert locator.first.is_visible()


def test_follow_up_keeps_the_case_and_new_chat_forgets_it(page):
    ask(page, RIDER_QUESTION)
    ask(page, "那他们的成效呢？")
    follow_up = last_answer(page)
    assert RIDER_UNIT in follow_up.inner_text()
    assert RIDER_TITLE in follow_up.locator(".source-card").first.inner_text()
    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chat .bot').length === 0")
    ask(page, "那他们的成效呢？")  # nothing to follow up on any more: some other case, not the riders'
    assert RIDER_UNIT not in last_answer(page).inner_text()


def test_discussed_case_chip_shows_and_clears(page):
    ask(page, RIDER_QUESTION)
    chip = page.locator("#discussed")
    expect_visible(chip)
    assert RIDER_TITLE in chip.inner_text()
    page.locator("#forget-discussed").click()
    page.wait_for_function("() => !document.querySelector('#discussed') || !document.querySelector('#discussed').offsetParent")
    ask(page, "那他们的成效呢？")  # nothing under discussion any more: refused, not answered about the riders
    assert RIDER_UNIT not in last_answer(page).inner_text()


def wait_for_answer_after(page, answers_before: int) -> None:
    page.wait_for_function(
        """before => { const bots = document.querySelectorAll('#chat .bot');
            return bots.length > before && bots[bots.length - 1].innerText.includes('答案模式'); }""", arg=answers_before)


def test_a_refusal_offers_a_close_case_in_one_click(page):
    ask(page, "饿了么物流公司的骑手工会是怎么建的？")
    assert "已拒答" in last_answer(page).inner_text()
    offered = page.locator("#chat button", has_text=f"改问：《{RIDER_TITLE}》")
    expect_visible(offered)
    answers = page.locator("#chat .bot").count()
    offered.first.click()
    wait_for_answer_after(page, answers)
    answer = last_answer(page).inner_text()
    assert "已拒答" not in answer and RIDER_UNIT in answer


@SIZES
def test_the_question_box_stays_on_screen_and_suggestions_ask_in_one_click(browser, server: Server, size):
    with open_page(browser, server.url, viewport=size) as page:
        ask(page, RIDER_QUESTION)
        for scrolled in ("top", "bottom"):  # the page scrolled either way: the box and its button stay in view
            page.evaluate(f"window.scrollTo(0, {'0' if scrolled == 'top' else 'document.body.scrollHeight'})")
            for element in ("#question textarea", "#send"):
                box = page.locator(element).bounding_box()
                assert 0 <= box["y"] and box["y"] + box["height"] <= size["height"], (element, scrolled, box)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if size is PHONE:  # the filters start folded away
            assert not page.locator("#unit").is_visible()
            page.screenshot(path=str(SCREENSHOTS / "chat-phone.png"))
        else:
            page.screenshot(path=str(SCREENSHOTS / "chat-desktop.png"))
        suggestion = page.locator("#chat button", has_text="取得了哪些成效？")
        expect_visible(suggestion)
        answers = page.locator("#chat .bot").count()
        suggestion.first.click()
        wait_for_answer_after(page, answers)
        answer = last_answer(page)
        assert RIDER_TITLE in answer.locator(".source-card").first.inner_text()
        assert "成效" in answer.locator(".source-meta").first.inner_text()


@SIZES
def test_a_citation_link_brings_its_card_into_view_with_the_quote_highlighted(browser, server: Server, size):
    with open_page(browser, server.url, viewport=size) as page:
        ask(page, RIDER_QUESTION)
        ask(page, "环卫工人的爱心接力站是怎么建的？")  # the riders' card is now far above, out of view
        follow_a_citation(page, page.locator("#chat .bot").nth(-2))


def follow_a_citation(page, answer) -> None:
    card = answer.locator(".source-card.source-1")
    page.wait_for_timeout(500)  # the chat's own scrolling to the newest answer
    assert not in_view(card)
    answer.locator("a.cite").first.click()
    page.wait_for_function("() => document.querySelector('#chat .source-card.cited') !== null")
    page.wait_for_timeout(800)  # the smooth scroll
    assert in_view(card) and "cited" in card.get_attribute("class")
    marked = card.locator(".source-passage mark")
    assert marked.count() >= 1 and marked.first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    card.locator("summary").click()
    assert card.locator("details mark").count() >= marked.count()  # the same words marked in the whole case


def in_view(locator) -> bool:
    box = locator.evaluate("e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, innerHeight]; }")
    return box[0] < box[2] and box[1] > 0 and box[0] >= -5


@SIZES
def test_copy_gives_the_answer_as_plain_text_with_its_references(browser, server: Server, size):
    with open_page(browser, server.url, viewport=size) as page:
        copy_an_answer(page)


def copy_an_answer(page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ask(page, RIDER_QUESTION)
    page.locator("#chat a.copy-answer").last.click()
    page.wait_for_function("() => document.querySelector('#chat a.copy-answer').innerText === '已复制'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert not re.search(r"</?[a-z]+[ >]|\\[.]|\*\*", copied)  # no tags, no Markdown escapes or bold marks
    assert copied.startswith(RIDER_UNIT) or RIDER_UNIT in copied.splitlines()[0]
    assert f"参考案例：\n[1] 《{RIDER_TITLE}》— {RIDER_UNIT}" in copied


def test_a_filter_set_from_the_case_library_shows_as_a_chip_that_clears(page):
    page.locator("#unit input, #unit textarea").first.fill("绿化市容")
    chip = page.locator("#filters-chip")
    expect_visible(chip)
    assert "单位「绿化市容」" in chip.inner_text()
    ask(page, RIDER_QUESTION)  # narrowed to that unit: the answer says so
    assert "只在单位「绿化市容」中查找" in last_answer(page).inner_text()
    page.locator("#clear-filters").click()
    page.wait_for_function("() => !document.querySelector('#filters-chip')?.offsetParent")
    assert page.locator("#unit input, #unit textarea").first.input_value() == ""


def test_messages_that_are_not_answers_have_no_rating_buttons(page):
    ask(page, "  ")
    message = last_answer(page)
    assert "问题是空的" in message.inner_text()  # the empty question's own message, not the rate limit's
    row = message.locator("xpath=ancestor::*[contains(@class, 'message-row')][1]")
    assert row.locator("button[aria-label=赞]").count() == 0 or not row.locator("button[aria-label=赞]").is_visible()
    ask(page, RIDER_QUESTION)
    expect_visible(page.locator("#chat button[aria-label=赞]").last)


ENGLISH = re.compile(r"[A-Za-z]{2,}")
# What may stay in Latin letters: file formats, file paths and settings' names (shown to trainers and administrators
# inside Chinese sentences), and words the compendium itself prints.
FILE_FORMATS = {"CSV", "DOCX", "Word", "Markdown", "Excel", "txt", "csv", "xlsx", "JSON", "PNG"}
PATH_OR_SETTING = re.compile(r"^[\w.-]*[/._][\w./-]*$")


def is_english(word: str, compendium_text: str) -> bool:
    return bool(ENGLISH.search(word)) and word not in FILE_FORMATS and not PATH_OR_SETTING.match(word) \
        and word not in compendium_text


@SIZES
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_everything_shown_is_chinese_whatever_the_browser_language(browser, server: Server, locale: str, size):
    with open_page(browser, server.url, viewport=size, locale=locale) as page:
        ask(page, RIDER_QUESTION)
        seen = set()
        for tab in ("对话", "案例库", "培训备课", "管理与评测"):
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(300)
            seen |= set(page.evaluate(SHOWN_WORDS))
        book = server.assistant.settings.corpus_path.read_text(encoding="utf-8")
        english = {word for word in seen if is_english(word, book)}
        assert not english, " | ".join(sorted(english))


# Every text shown, and every tooltip, label and placeholder on the page (hidden tabs included).
SHOWN_WORDS = r"""() => {
    const words = new Set();
    const add = (text) => (text || '').match(/[A-Za-z_][\w'.!/-]*( [A-Za-z][\w'.!/-]*)*/g)?.forEach(w => words.add(w));
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        const element = node.parentElement;
        if (element && element.offsetParent !== null && !element.closest('script, style')) add(node.textContent);
    }
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]'))
        for (const name of ['aria-label', 'title', 'placeholder']) add(element.getAttribute(name));
    return [...words];
}"""


def test_locked_feedback_database_gives_a_chinese_message(page, server: Server):
    ask(page, RIDER_QUESTION)
    server.store.records()  # the database and its table exist
    holder = sqlite3.connect(server.store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        page.locator(LIKE).last.click()
        expect_visible(page.locator("#feedback-status").get_by_text("反馈数据库正忙"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    page.locator(DISLIKE).last.click()
    expect_visible(page.locator("#feedback-status").get_by_text("已记录您的 👎 评价"))


def test_out_of_scope_question_is_marked_refused(page):
    ask(page, OUT_OF_SCOPE)
    answer = last_answer(page)
    expect_visible(answer.locator(".badge-refused"))
    assert answer.locator(".badge-refused").inner_text() == "已拒答"
    assert answer.locator(".source-card").count() == 0


def test_html_in_a_question_is_shown_as_text(page):
    ask(page, "<b>x</b> 怎样组建外卖骑手工会？")
    user = page.locator("#chat .user").last
    assert "<b>x</b> 怎样组建外卖骑手工会？" in user.inner_text()
    assert user.locator("b").count() == 0
    assert RIDER_UNIT in last_answer(page).inner_text()


def test_too_long_question_gets_a_friendly_message(page):
    ask(page, "工会" * 300)
    text = last_answer(page).inner_text()
    assert "问题太长了" in text and "Traceback" not in text


def test_answer_mode_offers_only_extractive_without_llm(page):
    mode = page.locator("#mode")
    assert "抽取式（原文摘录，离线）" in mode.inner_text()
    assert "大模型" not in mode.inner_text()


@pytest.fixture(scope="module")
def llm_server(built_index, tmp_path_factory: pytest.TempPathFactory):
    """The app with a language model configured: a real local OpenAI-compatible server (tests/openai_stub.py)."""
    from openai_stub import OpenAIStub

    with OpenAIStub() as stub:
        settings = dataclasses.replace(built_index.settings, llm_model="stub-model", llm_base_url=stub.base_url,
                                       llm_timeout=5, llm_max_retries=0)
        app = build_app(Assistant(settings, show_progress=False),
                        FeedbackStore(tmp_path_factory.mktemp("feedback-llm") / "feedback.sqlite3"))
        port = free_port()
        launch(app, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
        yield stub, f"http://127.0.0.1:{port}/"
        app.close()


def test_llm_mode_streams_and_marks_its_fallback(browser, llm_server):
    from openai_stub import Reply

    stub, url = llm_server
    stub.reset(Reply("可以参考普陀区网约送餐员行业工会联合会的做法：依托平台企业推动建会入会 [1]。",
                     chunk_chars=2, chunk_delay=0.05))
    with open_page(browser, url) as page:
        mode = page.locator("#mode")
        assert "抽取式（原文摘录，离线）" in mode.inner_text() and "大模型生成" in mode.inner_text()
        mode.get_by_text("大模型生成").click()
        watch_for_partial_answers(page)
        ask(page, RIDER_QUESTION)
        answer = last_answer(page)
        assert page.evaluate("window.__partial")
        assert "依托平台企业推动建会入会 [1]" in answer.inner_text() and "答案模式：大模型生成" in answer.inner_text()
        assert answer.locator(".source-card").count() >= 1 and answer.locator(".badge-notice").count() == 0
        assert stub.requests and stub.requests[-1].body.get("stream") is True

        stub.reset(Reply(status=500))
        ask(page, RIDER_QUESTION)
        answer = last_answer(page)
        expect_visible(answer.locator(".badge-notice"))
        assert "以下为抽取式回答" in answer.locator(".badge-notice").inner_text()
        assert "答案模式：抽取式" in answer.inner_text() and RIDER_UNIT in answer.inner_text()


def test_page_fetches_nothing_from_outside(page, server: Server):
    ask(page, RIDER_QUESTION)
    for tab in ("案例库", "培训备课", "对话"):
        page.get_by_role("tab", name=tab).click()
    page.wait_for_timeout(500)
    outside = [url for url in page.requests if not url.startswith((server.url, "data:", "blob:"))]
    assert outside == []


# ---------------------------------------------------------------- API and app.py

def test_gradio_client_answers_like_the_cli(server: Server, built_index):
    from gradio_client import Client

    api = Client(server.url, verbose=False).predict(RIDER_QUESTION, "", "", "", api_name="/ask")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(built_index.settings.index_dir)}
    cli = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", RIDER_QUESTION], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    expected = json.loads(cli.stdout.strip().splitlines()[-1])
    assert api["citations"][0]["case_id"] == expected["citations"][0]["case_id"] == RIDER_CASE
    assert api["citations"][0]["unit"] == expected["citations"][0]["unit"] == RIDER_UNIT
    assert api["answer"] == expected["answer"] and api["refused"] is expected["refused"] is False
    too_long = Client(server.url, verbose=False).predict("问" * 600, "", "", "", api_name="/ask")
    assert "问题太长了" in too_long["error"]


def start_app(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`python app.py` with the given environment; returns the process and the terminal output up to its start line."""
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env={**os.environ, **env}, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: list[str] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "网页已启动" in line:
            return process, "".join(lines)
    process.kill()
    raise AssertionError("app.py did not start:\n" + "".join(lines))


def listening_addresses(port: int) -> set[str]:
    """The local IPv4 addresses with a socket listening on port, from /proc/net/tcp (IPv6 listeners as '::')."""
    found = set()
    for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]) if family == 4 else "::")
    return found


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_app_py_serves_on_loopback(built_index, tmp_path: Path):
    port = free_port()
    process, output = start_app({"ASSISTANT_PORT": str(port), "ASSISTANT_INDEX_DIR": str(built_index.settings.index_dir),
                                 "ASSISTANT_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")})
    try:
        assert f"http://127.0.0.1:{port}" in output and "正在加载案例与索引" in output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=30) as response:
            config = response.read().decode("utf-8")
        assert "工会案例问答助手" in config and "培训备课" in config
        assert listening_addresses(port) == {"127.0.0.1"}
    finally:
        stop(process)


def test_app_py_shows_a_clear_page_when_loading_fails(tmp_path: Path):
    port = free_port()
    process, output = start_app({"ASSISTANT_PORT": str(port), "ASSISTANT_CORPUS": str(tmp_path / "missing.txt"),
                                 "ASSISTANT_INDEX_DIR": str(tmp_path / "index")})
    try:
        assert "错误：" in output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=30) as response:
            config = response.read().decode("utf-8")
        assert "助手没能启动" in config and "Traceback" not in config
    finally:
        stop(process)
