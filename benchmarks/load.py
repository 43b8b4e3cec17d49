"""Web cold start and load test: N simulated users ask questions over HTTP for a bounded time; prints numbers.

    .venv/bin/python benchmarks/load.py                       # starts `python app.py` on a free loopback port
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:7860/ --users 20 --duration 60

Each user sends one question at a time to the app's /ask endpoint through Gradio's REST API (POST
/gradio_api/call/ask, then the answer's server-sent events): the same queue and pipeline as the chat. The users
ask the eval questions (first turns, out-of-scope ones included), each starting at a different one. The users
are asyncio tasks in one thread, so the load generator takes little of the CPU it shares with the app; its CPU
time is reported. Reported: web cold start to first answer and the app's peak memory (when the app is started here), completed
requests, throughput, p50/p95/max latency (and the part spent inside the pipeline), errors.
"""

from __future__ import annotations

import argparse
import asyncio
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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation import load_questions  # noqa: E402

QUESTIONS = [question.turns[0] for question in load_questions()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def ask(client: httpx.AsyncClient, url: str, question: str, session: str | None = None) -> dict:
    """One question through Gradio's REST API: queue it, then read its events until the result.

    A session (like a browser tab's) lets the server keep its per-session state instead of building it per call."""
    response = await client.post(f"{url}gradio_api/call/ask", json={"data": [question, "", "", ""],
                                                                    "session_hash": session})
    response.raise_for_status()
    event_id = response.json()["event_id"]
    async with client.stream("GET", f"{url}gradio_api/call/ask/{event_id}") as events:
        event = None
        async for line in events.aiter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event == "complete":
                return json.loads(line.removeprefix("data:"))[0]
            elif line.startswith("data:") and event == "error":
                raise RuntimeError(f"server error event: {line.removeprefix('data:').strip()}")
    raise RuntimeError("the event stream ended without a result")


async def ask_once(url: str, question: str) -> dict:
    async with httpx.AsyncClient(timeout=60) as client:
        return await ask(client, url, question)


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
            asyncio.run(ask_once(url, QUESTIONS[0]))
            return process, url, page_up, time.perf_counter() - started
    raise SystemExit("app.py exited before it started")


async def user(url: str, first: int, deadline: float, latencies: list[float], compute: list[float],
               errors: list[str]) -> None:
    session = uuid.uuid4().hex
    async with httpx.AsyncClient(timeout=60) as client:
        i = first
        while time.monotonic() < deadline:
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            started = time.perf_counter()
            try:
                result = await ask(client, url, question, session)
                problem = result.get("error") if isinstance(result, dict) else "unexpected result"
            except Exception as error:  # counted, not raised: the report says how many failed and why
                problem = f"{type(error).__name__}: {error}"
            if problem:
                errors.append(f"{question}: {problem}")
            else:
                latencies.append(time.perf_counter() - started)
                compute.append(result.get("timings_ms", {}).get("total", 0.0) / 1000)


def peak_rss_mb(pid: int) -> float:
    """A live process's peak resident memory (Linux: VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def load(url: str, users: int, duration: float) -> tuple[list[float], list[float], list[str]]:
    latencies: list[float] = []
    compute: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + duration
    await asyncio.gather(*(user(url, n * len(QUESTIONS) // users, deadline, latencies, compute, errors)
                           for n in range(users)))
    return latencies, compute, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app without a password (default: start python app.py on a free port)")
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
            process, url, page_up, first_answer = start_app(Path(folder) / "feedback.sqlite3")
        try:
            started, cpu_started = time.monotonic(), time.process_time()
            latencies, compute, errors = asyncio.run(load(url, args.users, args.duration))
            elapsed, client_cpu = time.monotonic() - started, time.process_time() - cpu_started
        finally:
            if process:
                app_peak_rss_mb = peak_rss_mb(process.pid)
                process.terminate()
                process.wait(timeout=30)

    print(f"target      {url}")
    if process:
        print(f"cold start  first answer {first_answer:.2f} s after `python app.py` (page up at {page_up:.2f} s; "
              "index already built)")
    print(f"users       {args.users}, {args.duration:.0f} s of load ({elapsed:.1f} s until the last answer), "
          f"{len(QUESTIONS)} different questions")
    print(f"completed   {len(latencies)} answers")
    print(f"throughput  {len(latencies) / elapsed:.2f} answers/s")
    if latencies:
        print(f"latency     p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
              f"max {max(latencies) * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms")
        print(f"pipeline    p50 {percentile(compute, 0.5) * 1000:.0f} ms, p95 {percentile(compute, 0.95) * 1000:.0f} ms "
              "(time inside Assistant.ask; the rest is waiting in the queue and HTTP)")
    if process:
        print(f"app memory  peak RSS {app_peak_rss_mb:.0f} MB")
    print(f"load client {client_cpu:.1f} CPU-s over {elapsed:.1f} s (it shares the machine with the app)")
    print(f"errors      {len(errors)}")
    for line in errors[:10]:
        print(f"  {line}")
    return 1 if errors or not latencies else 0


if __name__ == "__main__":
    raise SystemExit(main())
