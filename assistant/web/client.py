"""What the page runs in the visitor's browser: Gradio's own texts in Chinese whatever the browser's language, and
page.js (clickable [n], 复制回答, Gradio's untranslated labels, filters folded on a phone)."""

from __future__ import annotations

from pathlib import Path

PAGE_JS = (Path(__file__).parent / "page.js").read_text(encoding="utf-8")
# Gradio picks its interface language from navigator.language when the page starts, before any script of the app
# runs; this, placed first in the page's <head>, makes that language Chinese.
_CHINESE_FIRST = (b'<script>(() => { const zh = ["zh-CN", "zh"];'
                  b' Object.defineProperty(navigator, "language", {get: () => zh[0]});'
                  b' Object.defineProperty(navigator, "languages", {get: () => zh}); })();</script>')


class ChineseInterface:
    """ASGI middleware: every HTML page the app serves starts with _CHINESE_FIRST (and says lang="zh-CN")."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body: list[bytes] = []

        async def send_page(message: dict) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in headers:
                    start = message
                    return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = b"".join(body).replace(b'lang="en"', b'lang="zh-CN"', 1).replace(b"<head>", b"<head>" +
                                                                                       _CHINESE_FIRST, 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_page)
