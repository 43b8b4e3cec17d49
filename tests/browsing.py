"""Driving the real web app in a real browser: the server and browser fixtures (registered in conftest.py) and the
helpers every browser test uses (open a page at a size and language, ask, read the last answer)."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.access import RateLimiter
from assistant.feedback import FeedbackStore
from assistant.pipeline import Assistant
from assistant.web import build_app, launch

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
# The README's screenshots, taken by the browser tests so they show the app as it is.
SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"
RIDER_QUESTION = "怎样组建外卖骑手工会？"
RIDER_CASE = "2017-A3-2"
RIDER_TITLE = "聚焦网约送餐员 创新建会入会方法"
RIDER_UNIT = "普陀区网约送餐员行业工会联合会"
OUT_OF_SCOPE = "北京市2020年有哪些工会创新案例？"
WAIT_MS = 60_000
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Gradio labels its own buttons in the browser's language: a Chinese browser (as our users have) shows 赞/踩.
LIKE = "#chat button[aria-label=赞], #chat button[aria-label=Like]"
DISLIKE = "#chat button[aria-label=踩], #chat button[aria-label=Dislike]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    store: FeedbackStore
    assistant: Assistant


@pytest.fixture(scope="module")
def server(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory):
    """The real app on a free loopback port, with its own feedback database (short waits, so a lock shows fast)."""
    store = FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3", busy_timeout_ms=200, attempts=2)
    app = build_app(assistant, store, RateLimiter(limit=1000))  # every test asks from 127.0.0.1
    port = free_port()
    launch(app, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    yield Server(f"http://127.0.0.1:{port}/", store, assistant)
    app.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "chromium is missing: run `bash scripts/browser.sh` (make test does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def open_page(browser, url: str, viewport: dict[str, int] | None = None, locale: str = "zh-CN"):
    """A fresh page on the app (a Chinese desktop browser, as most of our users have, unless told otherwise); every
    request it makes is in page.requests."""
    context = browser.new_context(viewport=viewport or DESKTOP, accept_downloads=True, locale=locale,
                                  is_mobile=(viewport or DESKTOP)["width"] < 600)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    opened.requests = []
    opened.on("request", lambda request: opened.requests.append(request.url))
    opened.goto(url, wait_until="load")
    opened.locator("#question textarea").wait_for()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def page(browser, server: Server):
    with open_page(browser, server.url) as opened:
        yield opened


def watch_for_partial_answers(page) -> None:
    """Remember (window.__partial) whether the chat ever showed an unfinished answer (the ▌ cursor)."""
    page.evaluate("""() => {
        window.__partial = false;
        new MutationObserver(() => {
            if (document.querySelector('#chat')?.innerText.includes('▌')) window.__partial = true;
        }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")


def ask(page, question: str) -> None:
    """Type a question, send it, and wait until the answer (or the message replacing it) is complete."""
    done_before = page.locator("#chat .bot").count()
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.wait_for_function(
        """before => {
            const bots = document.querySelectorAll('#chat .bot');
            if (bots.length <= before) return false;
            const last = bots[bots.length - 1].innerText;
            return last.includes('答案模式') || last.includes('⚠️');
        }""", arg=done_before)


def last_answer(page):
    return page.locator("#chat .bot").last


