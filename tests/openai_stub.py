"""A real, local OpenAI-compatible chat server for tests: POST /v1/chat/completions, JSON or SSE streaming.

It listens on 127.0.0.1 (a free port), records every request it receives and answers as scripted:

    with OpenAIStub() as stub:
        stub.script(Reply("……[1]……[2]"))              # normal answer (JSON, or SSE when the client streams)
        stub.script(Reply("…", delay=5))                 # answers only after 5 s (longer than the client timeout)
        stub.script(Reply(status=500))                   # HTTP 500 with an OpenAI-style error body
        stub.script(Reply(raw='{"choices": ['))          # malformed body (also sent as a malformed SSE event)
        stub.script(lambda request: Reply(...))          # decide per request
        stub.stop()                                      # connection refused from now on
        stub.requests[0].body["messages"]                # what the client sent

The wire format follows the OpenAI chat completions protocol: `chat.completion` objects, or
`chat.completion.chunk` events (`data: {json}\\n\\n` … `data: [DONE]\\n\\n`) when the request says "stream": true.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    """What the stub answers: `text` split into `chunk_chars`-sized stream events, or an error."""

    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the response starts
    raw: str | None = None  # a body sent verbatim instead of a well-formed one (JSON) or as one SSE event
    chunk_chars: int = 3
    chunk_delay: float = 0.0  # seconds between stream events
    finish_reason: str = "stop"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: dict | None
    raw: bytes = field(repr=False, default=b"")

    @property
    def messages(self) -> list[dict]:
        return list((self.body or {}).get("messages", []))

    def content(self, role: str) -> str:
        """All text the request carried for one role (system, user, assistant)."""
        parts = []
        for message in self.messages:
            if message.get("role") != role:
                continue
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(block.get("text", "") for block in content if isinstance(block, dict))
            parts.append(content or "")
        return "\n".join(parts)


Script = Reply | Callable[[RecordedRequest], Reply]


class OpenAIStub:
    """The server; `base_url` is what an OpenAI client needs (…/v1)."""

    def __init__(self, reply: Script | None = None) -> None:
        self.requests: list[RecordedRequest] = []
        self._script: Script = reply or Reply("（桩服务器没有收到脚本）")
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._counter = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"openai-stub-{self.port}",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; connections to the port are refused from now on. Idempotent."""
        if self._closing.is_set():
            return
        self._closing.set()  # wakes handlers sleeping in a scripted delay
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting -------------------------------------------------------------------------------------------
    def script(self, reply: Script) -> None:
        with self._lock:
            self._script = reply

    def reset(self, reply: Script | None = None) -> None:
        with self._lock:
            self.requests.clear()
            if reply is not None:
                self._script = reply

    def _record(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._counter += 1
            script = self._script
        return script(request) if callable(script) else script

    def _next_id(self) -> str:
        with self._lock:
            return f"chatcmpl-stub-{self._counter}"

    # -- HTTP ------------------------------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"stub": self})


class _Handler(BaseHTTPRequestHandler):
    """Serves one request for `stub` (set on the subclass each OpenAIStub makes)."""

    stub: OpenAIStub

    protocol_version = "HTTP/1.1"
    server_version = "OpenAIStub/1.0"

    def log_message(self, format: str, *args: object) -> None:
        return  # keep test output clean

    def do_GET(self) -> None:
        self.stub._record(RecordedRequest("GET", self.path, self._headers(), None))
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "stub-model", "object": "model",
                                                         "created": 0, "owned_by": "stub"}]})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        reply = self.stub._record(RecordedRequest("POST", self.path, self._headers(), body, raw))
        if self.path != CHAT_PATH:
            self._error(404, f"no route {self.path}")
            return
        if body is None or not isinstance(body.get("messages"), list):
            self._error(400, "request body must be JSON with a messages list")
            return
        if reply.delay and self.stub._closing.wait(reply.delay):
            return  # shutting down while "thinking": drop the connection
        if reply.status != 200:
            self._error(reply.status, "stub failure")
        elif body.get("stream"):
            self._stream(body, reply)
        else:
            self._complete(body, reply)

    def _headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    # responses
    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up (timeout)

    def _json(self, status: int, data: dict) -> None:
        self._send(status, "application/json", json.dumps(data, ensure_ascii=False).encode())

    def _error(self, status: int, message: str) -> None:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        self._json(status, {"error": {"message": message, "type": kind, "param": None, "code": None}})

    def _complete(self, body: dict, reply: Reply) -> None:
        if reply.raw is not None:
            self._send(200, "application/json", reply.raw.encode())
            return
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body["messages"])
        self._json(200, {
            "id": self.stub._next_id(), "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "stub-model"), "system_fingerprint": None,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text, "refusal": None},
                         "logprobs": None, "finish_reason": reply.finish_reason}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(reply.text),
                      "total_tokens": prompt_tokens + len(reply.text)},
        })

    def _stream(self, body: dict, reply: Reply) -> None:
        base = {"id": self.stub._next_id(), "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model", "stub-model"), "system_fingerprint": None}

        def event(payload: str) -> None:
            self.wfile.write(f"data: {payload}\n\n".encode())
            self.wfile.flush()

        def chunk(delta: dict, finish: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            event(json.dumps({**base, "choices": [choice]}, ensure_ascii=False))

        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk({"role": "assistant", "content": ""})
            if reply.raw is not None:
                event(reply.raw)
            else:
                size = max(1, reply.chunk_chars)
                for start in range(0, len(reply.text), size):
                    if reply.chunk_delay and self.stub._closing.wait(reply.chunk_delay):
                        return
                    chunk({"content": reply.text[start:start + size]})
                chunk({}, reply.finish_reason)
                if (body.get("stream_options") or {}).get("include_usage"):
                    event(json.dumps({**base, "choices": [], "usage": {
                        "prompt_tokens": 1, "completion_tokens": len(reply.text),
                        "total_tokens": 1 + len(reply.text)}}))
            event("[DONE]")
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up (timeout) — nothing to clean up
