"""Web cold start and load test: N simulated users ask questions over HTTP for a bounded time; prints numbers.

    .venv/bin/python -m benchmarks.load                       # starts `python app.py` on a free loopback port
    .venv/bin/python -m benchmarks.load --url http://127.0.0.1:7860/ --users 20 --duration 60
    .venv/bin/python -m benchmarks.load --endpoint ask        # the JSON API instead of the chat

By default each user drives the chat page's own event (what the 提问 button sends) through Gradio's REST API
(POST /gradio_api/call/chat, then the server-sent events that reveal the answer), one question at a time, in a
session like a browser tab's, opening a new tab (a new session) every 3 questions. `--endpoint ask` uses the /ask
JSON API instead (same queue and pipeline, no line-by-line reveal). The users ask the eval questions (first
turns, out-of-scope ones included), each starting at a different one. They are asyncio tasks in one thread, so
the load generator takes little of the CPU it shares with the app; its CPU time is reported.

Reported: web cold start to first answer and the app's peak memory (when the app is started here), completed
answers, throughput, latency p50/p95/max until the first line of the answer shows and until it is complete
(for /ask also the time inside the pipeline), errors.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.evaluation import load_questions
from assistant.metrics import percentile
from assistant.settings import ROOT

QUESTIONS = [question.turns[0] for question in load_questions()]
QUESTIONS_PER_TAB = 3
SEARCHING = "⏳"  # how the chat's reply starts while it looks for cases (assistant/web/chat.py)
FAILED = "⚠️"  # how the chat's reply starts when it could not answer


@dataclass(frozen=True)
class Sample:
    first_line_s: float
    complete_s: float
    pipeline_s: float | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def events(client: httpx.AsyncClient, url: str, endpoint: str, data: list, session: str) -> AsyncIterator[
        tuple[str, list]]:
    """Queue one call through Gradio's REST API and yield its ("generating" | "complete", outputs) events."""
    response = await client.post(f"{url}gradio_api/call/{endpoint}", json={"data": data, "session_hash": session})
    response.raise_for_status()
    event_id = response.json()["event_id"]
    async with client.stream("GET", f"{url}gradio_api/call/{endpoint}/{event_id}") as stream:
        event = None
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event == "error":
                raise RuntimeError(f"server error event: {line.removeprefix('data:').strip()}")
            elif line.startswith("data:") and event in ("generating", "complete"):
                yield event, json.loads(line.removeprefix("data:"))
                if event == "complete":
                    return
    raise RuntimeError("the event stream ended without a result")


def last_reply(outputs: list) -> str:
    """The text of the chat's last message (outputs[1] is the chatbot)."""
    content = outputs[1][-1]["content"]
    return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


async def ask_chat(client: httpx.AsyncClient, url: str, question: str, session: str) -> Sample:
    started = time.perf_counter()
    first_line = None
    async for event, outputs in events(client, url, "chat", [question, "全部", "全部", "", "extractive"], session):
        if outputs[1] is None:  # an event that leaves the chat as it is
            continue
        reply = last_reply(outputs)
        if reply.startswith(FAILED):
            raise RuntimeError(reply)
        if first_line is None and not reply.startswith(SEARCHING):
            first_line = time.perf_counter() - started
        if event == "complete":
            return Sample(first_line or time.perf_counter() - started, time.perf_counter() - started)
    raise RuntimeError("no answer")


async def ask_api(client: httpx.AsyncClient, url: str, question: str, session: str) -> Sample:
    started = time.perf_counter()
    async for event, outputs in events(client, url, "ask", [question, "", "", ""], session):
        if event == "complete":
            result = outputs[0]
            if result.get("error"):
                raise RuntimeError(result["error"])
            took = time.perf_counter() - started
            return Sample(took, took, result["timings_ms"]["total"] / 1000)
    raise RuntimeError("no answer")


ENDPOINTS = {"chat": ask_chat, "ask": ask_api}


def start_app(feedback_db: Path) -> tuple[subprocess.Popen, str, float, float]:
    """Start app.py; return it, its address, seconds until the page was up and until the first answer."""
    port = free_port()
    # All simulated users share one loopback address, so the per-client rate limit is off for this run.
    env = {**os.environ, "ASSISTANT_PORT": str(port), "ASSISTANT_FEEDBACK_DB": str(feedback_db),
           "ASSISTANT_RATE_LIMIT": "0"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for line in process.stdout:
        print(f"  app: {line.rstrip()}", file=sys.stderr)
        if "网页已启动" in line:
            page_up = time.perf_counter() - started
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # keep the pipe drained
            url = f"http://127.0.0.1:{port}/"
            asyncio.run(first_answer(url))
            return process, url, page_up, time.perf_counter() - started
    raise SystemExit("app.py exited before it started")


async def first_answer(url: str) -> Sample:
    async with httpx.AsyncClient(timeout=60) as client:
        return await ask_chat(client, url, QUESTIONS[0], uuid.uuid4().hex)


async def user(url: str, endpoint: str, first: int, deadline: float, samples: list[Sample], errors: list[str]) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        for i in itertools.count(first):
            if time.monotonic() >= deadline:
                return
            if (i - first) % QUESTIONS_PER_TAB == 0:
                session = uuid.uuid4().hex  # a new tab: a new session with an empty conversation
            question = QUESTIONS[i % len(QUESTIONS)]
            try:
                samples.append(await ENDPOINTS[endpoint](client, url, question, session))
            except Exception as error:  # counted, not raised: the report says how many failed and why
                errors.append(f"{question}: {type(error).__name__}: {error}")


async def load(url: str, endpoint: str, users: int, duration: float) -> tuple[list[Sample], list[str]]:
    samples: list[Sample] = []
    errors: list[str] = []
    deadline = time.monotonic() + duration
    await asyncio.gather(*(user(url, endpoint, n * len(QUESTIONS) // users, deadline, samples, errors)
                           for n in range(users)))
    return samples, errors


def peak_rss_mb(pid: int) -> float:
    """A live process's peak resident memory (Linux: VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def spread(values: list[float]) -> str:
    return (f"p50 {percentile(values, 0.5) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms, mean {statistics.mean(values) * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app without a password (default: start python app.py on a free port)")
    parser.add_argument("--endpoint", choices=list(ENDPOINTS), default="chat")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    args = parser.parse_args()
    if args.users < 1 or args.duration <= 0:
        parser.error("--users must be >= 1 and --duration > 0")

    process = None
    with tempfile.TemporaryDirectory() as folder:
        url = args.url
        if not url:
            print("starting app.py …", file=sys.stderr)
            process, url, page_up, cold_start = start_app(Path(folder) / "feedback.sqlite3")
        try:
            started, cpu_started = time.monotonic(), time.process_time()
            samples, errors = asyncio.run(load(url, args.endpoint, args.users, args.duration))
            elapsed, client_cpu = time.monotonic() - started, time.process_time() - cpu_started
        finally:
            if process:
                app_peak_rss_mb = peak_rss_mb(process.pid)
                process.terminate()
                process.wait(timeout=30)

    print(f"target      {url} ({args.endpoint})")
    if process:
        print(f"cold start  first answer {cold_start:.2f} s after `python app.py` (page up at {page_up:.2f} s; "
              "index already built)")
    print(f"users       {args.users}, {args.duration:.0f} s of load ({elapsed:.1f} s until the last answer), "
          f"{len(QUESTIONS)} different questions")
    print(f"completed   {len(samples)} answers, {len(samples) / elapsed:.2f} answers/s")
    if samples:
        if args.endpoint == "chat":
            print(f"first line  {spread([s.first_line_s for s in samples])} (the answer starts to show)")
        print(f"complete    {spread([s.complete_s for s in samples])}")
        if args.endpoint == "ask":
            print(f"pipeline    {spread([s.pipeline_s for s in samples])} (inside Assistant.ask; the rest is queue "
                  "and HTTP)")
    if process:
        print(f"app memory  peak RSS {app_peak_rss_mb:.0f} MB")
    print(f"load client {client_cpu:.1f} CPU-s over {elapsed:.1f} s (it shares the machine with the app)")
    print(f"errors      {len(errors)}")
    for line in errors[:10]:
        print(f"  {line}")
    return 1 if errors or not samples else 0


if __name__ == "__main__":
    raise SystemExit(main())
