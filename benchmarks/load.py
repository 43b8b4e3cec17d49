"""Load test of the web app: N simulated users ask questions over gradio_client for a bounded time; prints numbers.

    .venv/bin/python benchmarks/load.py                       # starts `python app.py` on a free loopback port
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:7860/ --users 20 --duration 60

Each user sends one question at a time through the app's /ask endpoint (the same pipeline as the chat) and waits
for the answer before the next. Reported: completed requests, throughput, p50/p95/max latency (and the part spent
inside the pipeline), errors.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "怎样组建外卖骑手工会？",
    "保姆遇到法律纠纷，工会能提供什么帮助？",
    "扫马路的环卫工人夏天没地方喝水歇脚，工会能做什么？",
    "哪些案例讲农民专业合作社建工会？",
    "专家怎么评价顾村镇的非公企业工会改革？",
    "劳模看病有什么绿色通道？",
    "怎样开展劳动竞赛？",
    "北京市2020年有哪些工会创新案例？",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(feedback_db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # All simulated users share one loopback address, so the per-client rate limit is off for this run.
    env = {**os.environ, "ASSISTANT_PORT": str(port), "ASSISTANT_FEEDBACK_DB": str(feedback_db),
           "ASSISTANT_RATE_LIMIT": "0"}
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for line in process.stdout:
        print(f"  app: {line.rstrip()}", file=sys.stderr)
        if "网页已启动" in line:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # keep the pipe drained
            return process, f"http://127.0.0.1:{port}/"
    raise SystemExit("app.py exited before it started")


def user(url: str, number: int, deadline: float, latencies: list[float], compute: list[float], errors: list[str],
         lock: threading.Lock) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception as error:  # counted, not raised: the report says how many users could not connect
        with lock:
            errors.append(f"user {number} could not connect: {error}")
        return
    i = number
    while time.monotonic() < deadline:
        question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        started = time.perf_counter()
        try:
            result = client.predict(question, "", "", "", api_name="/ask")
            problem = result.get("error") if isinstance(result, dict) else "unexpected result"
        except Exception as error:  # counted, not raised
            problem = f"{type(error).__name__}: {error}"
        took = time.perf_counter() - started
        with lock:
            if problem:
                errors.append(f"{question}: {problem}")
            else:
                latencies.append(took)
                compute.append(result.get("timings_ms", {}).get("total", 0.0) / 1000)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app (default: start python app.py on a free port)")
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
            process, url = start_app(Path(folder) / "feedback.sqlite3")
        try:
            latencies: list[float] = []
            compute: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            started = time.monotonic()
            deadline = started + args.duration
            threads = [threading.Thread(target=user, args=(url, n, deadline, latencies, compute, errors, lock))
                       for n in range(args.users)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            if process:
                process.terminate()
                process.wait(timeout=30)

    print(f"target      {url}")
    print(f"users       {args.users}, {args.duration:.0f} s of load ({elapsed:.1f} s until the last answer)")
    print(f"completed   {len(latencies)} answers")
    print(f"throughput  {len(latencies) / elapsed:.2f} answers/s")
    if latencies:
        print(f"latency     p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
              f"max {max(latencies) * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms")
        print(f"pipeline    p50 {percentile(compute, 0.5) * 1000:.0f} ms, p95 {percentile(compute, 0.95) * 1000:.0f} ms "
              "(time inside Assistant.ask; the rest is waiting in the queue and HTTP)")
    print(f"errors      {len(errors)}")
    for line in errors[:10]:
        print(f"  {line}")
    return 1 if errors or not latencies else 0


if __name__ == "__main__":
    raise SystemExit(main())
