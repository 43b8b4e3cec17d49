"""The multi-replica deployment (deploy/, README「多机部署」) on real servers, started with deploy/run.sh and its nginx
templates, all on loopback: a private PostgreSQL cluster for feedback, one Chroma server, two app.py replicas and nginx
in front with sticky sessions. Users are simulated the way a browser tab talks to the page: the cookie nginx sets, one
Gradio session, the chat's own events and 👍/👎 on an answer. The systemd units and the settings example, which no
test starts, are checked against run.sh and the settings."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.feedback import FeedbackStore
from assistant.index import Index
from assistant.settings import ENV_HELP, ROOT

RUN = ROOT / "deploy" / "run.sh"
# In the feedback URL; the test cluster trusts loopback and ignores it, but it must never show up in any log.
PASSWORD = "Pw-never-shown-7f3a"
QUESTIONS = ["怎样组建外卖骑手工会？", "保姆遇到法律纠纷，工会能提供什么帮助？", "环卫工人的爱心接力站是怎么建的？",
             "哪些案例讲农民专业合作社建工会？", "专家怎么评价顾村镇的非公企业工会改革？"]
FAILED = "⚠️"
STARTUP_S = 180
UNREACHABLE = "连不上反馈数据库"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args: object, env: dict[str, str] | None = None, timeout: float = 120) -> None:
    result = subprocess.run(["bash", str(RUN), *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"deploy/run.sh {args[0]} failed:\n{result.stdout}\n{result.stderr}"


def start(log: Path, *args: object, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A long-running part (run.sh execs it, so the process is the server itself), its output in `log`."""
    with open(log, "wb") as out:
        return subprocess.Popen(["bash", str(RUN), *map(str, args)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def wait_until(ready, what: str, processes: list[subprocess.Popen], timeout: float = STARTUP_S) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        dead = [p.args for p in processes if p.poll() is not None]
        assert not dead, f"{what}: exited early: {dead}"
        assert time.monotonic() < deadline, f"{what}: not ready after {timeout} s"
        time.sleep(0.3)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@dataclass
class Deployment:
    url: str
    database: str
    folder: Path
    replicas: dict[int, subprocess.Popen]
    events: dict[str, tuple[int, int]] = field(default_factory=dict)  # api name -> (fn index, trigger component)

    @property
    def postgres_data(self) -> Path:
        return self.folder / "postgres"

    def logs(self) -> str:
        """Everything the replicas and nginx wrote."""
        files = [*self.folder.glob("replica-*.log"), *(self.folder / "nginx").glob("*.log")]
        return "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in files)

    def served(self, path: str) -> list[tuple[str, str]]:
        """(sticky key, replica address list) of each request for `path`, from nginx's access log."""
        lines = (self.folder / "nginx" / "assistant-access.log").read_text(encoding="utf-8").splitlines()
        found = (re.search(r"replica_key=(\S+) upstream=(.+?) upstream_status", line) for line in lines if path in line)
        return [(m[1], m[2]) for m in found if m]


@pytest.fixture(scope="module")
def deployment(built_index: Index) -> Iterator[Deployment]:
    installed = (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) and list(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert installed, "nginx or PostgreSQL is missing: run `bash scripts/servers.sh` (make test does)"
    folder = Path(tempfile.mkdtemp(prefix="assistant-deploy-"))
    folder.chmod(0o711)  # the postgres user owns the cluster folder inside
    processes: list[subprocess.Popen] = []
    try:
        yield _start_all(folder, processes, built_index)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if (folder / "postgres" / "postmaster.pid").exists():
            subprocess.run(["bash", str(RUN), "postgres-stop", str(folder / "postgres")], timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _start_all(folder: Path, processes: list[subprocess.Popen], built_index: Index) -> Deployment:
    postgres_port, chroma_port, nginx_port, *replica_ports = (free_port() for _ in range(5))
    run("postgres-init", folder / "postgres", postgres_port)
    processes.append(start(folder / "chroma.log", "chroma", folder / "chroma", chroma_port))
    index_dir = folder / "index"
    index_dir.mkdir()
    for cache in built_index.settings.index_dir.glob("embedding-cache-*.npz"):  # vectors computed once per session
        shutil.copy(cache, index_dir)
    database = f"postgresql://assistant:{PASSWORD}@127.0.0.1:{postgres_port}/assistant"
    # All simulated users come from 127.0.0.1, so the per-client question limit is off. Temporary files (downloads,
    # Gradio's cache) go into the folder removed afterwards, also those of the replica killed with SIGKILL.
    (folder / "tmp").mkdir()
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
           "ASSISTANT_FEEDBACK_DB": database, "ASSISTANT_RATE_LIMIT": "0", "TMPDIR": str(folder / "tmp")}
    wait_until(lambda: listening(chroma_port), "chroma", processes)
    run("prepare", env=env, timeout=600)
    replicas = {port: start(folder / f"replica-{port}.log", "replica", port, env=env) for port in replica_ports}
    processes += replicas.values()
    processes.append(start(folder / "nginx.log", "nginx", folder / "nginx", f"127.0.0.1:{nginx_port}", *replica_ports))
    up = [folder / f"replica-{port}.log" for port in replica_ports]
    wait_until(lambda: all("网页已启动" in log.read_text(encoding="utf-8") for log in up), "replicas", processes)
    wait_until(lambda: listening(nginx_port), "nginx", processes)
    url = f"http://127.0.0.1:{nginx_port}/"
    config = httpx.get(f"{url}config", timeout=30).json()
    events = {d["api_name"]: (d["id"], d["targets"][0][0] if d["targets"] else None) for d in config["dependencies"]}
    return Deployment(url, database, folder, replicas, events)


def _events(response: httpx.Response) -> Iterator[tuple[str | None, object]]:
    event = None
    for line in response.iter_lines():
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            yield event, json.loads(line.removeprefix("data:"))


class Tab:
    """One browser tab on the nginx address: its cookies (nginx's sticky key) and one Gradio session."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.client = httpx.Client(base_url=deployment.url, timeout=30)
        self.client.get("/").raise_for_status()  # the page; nginx sets the assistant_replica cookie
        self.session = uuid.uuid4().hex
        self.last_answer = -1

    @property
    def key(self) -> str:
        return self.client.cookies["assistant_replica"]

    def _call(self, api: str, data: list) -> list:
        """An event with an API name (Gradio's REST API), in this tab's session: its final outputs."""
        response = self.client.post(f"gradio_api/call/{api}", json={"data": data, "session_hash": self.session})
        response.raise_for_status()
        with self.client.stream("GET", f"gradio_api/call/{api}/{response.json()['event_id']}") as stream:
            for event, outputs in _events(stream):
                if event == "error":
                    raise RuntimeError(f"{api}: error event {outputs}")
                if event == "complete":
                    return outputs
        raise RuntimeError(f"{api}: the stream ended without a result")

    def ask(self, question: str) -> str:
        """提问: the answer's text (raises when the chat shows a failure)."""
        outputs = self._call("chat", [question, "全部", "全部", "", "extractive"])
        messages = outputs[1]
        content = messages[-1]["content"]
        reply = "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)
        if reply.startswith(FAILED):
            raise RuntimeError(reply)
        self.last_answer = len(messages) - 1
        return reply

    def rate(self, liked: bool = True) -> str:
        """👍/👎 on the last answer, as the browser sends it (the queue, with the like's event data): the status."""
        fn_index, chatbot = self.deployment.events["rate"]
        joined = self.client.post("gradio_api/queue/join", json={
            "fn_index": fn_index, "trigger_id": chatbot, "data": [None, None], "session_hash": self.session,
            "event_data": {"index": self.last_answer, "value": "", "liked": liked}})
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with self.client.stream("GET", "gradio_api/queue/data", params={"session_hash": self.session}) as stream:
            for _, message in _events(stream):
                if message.get("msg") == "process_completed" and message.get("event_id") == event_id:
                    assert message["success"], message
                    return message["output"]["data"][2]
        raise RuntimeError("rate: the stream ended without a result")

    def comment(self, text: str) -> str:
        """提交意见 on the rating just given: the status."""
        return self._call("comment", [text])[0]


def stored(deployment: Deployment) -> list[dict]:
    store = FeedbackStore(deployment.database)
    try:
        return store.records()
    finally:
        store.close()


@pytest.mark.slow
def test_feedback_from_many_clients_through_both_replicas_arrives_once(deployment: Deployment):
    tabs_count, rounds = 12, 3
    start_together = threading.Barrier(tabs_count)

    def user(n: int) -> list[tuple[str, str]]:
        tab = Tab(deployment)
        start_together.wait(timeout=60)
        given = []
        for k in range(rounds):
            question = QUESTIONS[(n + k) % len(QUESTIONS)]
            tab.ask(question)
            assert tab.rate(liked=k % 2 == 0).startswith("已记录您的")
            assert tab.comment(f"客户{n}-{k}") == "已收到您的意见，谢谢！"
            given.append((f"客户{n}-{k}", question))
        return given

    with ThreadPoolExecutor(max_workers=tabs_count) as pool:
        pairs = [pair for result in pool.map(user, range(tabs_count)) for pair in result]

    records = [r for r in stored(deployment) if r["comment"].startswith("客户")]
    # each rating once: none lost, none twice
    assert Counter(r["comment"] for r in records) == Counter(comment for comment, _ in pairs)
    given = dict(pairs)
    assert all(r["question"] == given[r["comment"]] and r["citations"] and r["mode"] == "extractive" for r in records)
    assert {r["rating"] for r in records} == {"up", "down"}
    replicas = {address for _, address in deployment.served("/gradio_api/queue/join")}
    assert replicas == {f"127.0.0.1:{port}" for port in deployment.replicas}  # both replicas took ratings


@pytest.mark.slow
def test_database_down_the_chat_answers_and_feedback_says_so_then_resumes(deployment: Deployment):
    tab = Tab(deployment)
    run("postgres-stop", deployment.postgres_data)
    try:
        assert "网约送餐员" in tab.ask("怎样组建外卖骑手工会？")
        started = time.monotonic()
        status = tab.rate()
        assert status.startswith("⚠️") and UNREACHABLE in status and "回答不受影响" in status
        assert time.monotonic() - started < 10
        assert tab.ask("那他们的成效呢？")  # the conversation goes on
    finally:
        run("postgres-start", deployment.postgres_data)
    deadline = time.monotonic() + 30
    while UNREACHABLE in (status := tab.rate()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status.startswith("已记录您的"), status  # no restart needed
    assert [r["question"] for r in stored(deployment)][-1] == "那他们的成效呢？"
    logs = deployment.logs()
    assert "连不上" in logs and "assistant:***@127.0.0.1" in logs  # the administrator sees why, without the password
    assert PASSWORD not in logs


@pytest.mark.slow
def test_a_replica_killed_under_load_its_users_continue_on_the_other(deployment: Deployment):
    """Runs last: it leaves one replica."""
    tabs = [Tab(deployment) for _ in range(8)]
    for n, tab in enumerate(tabs):
        tab.ask(QUESTIONS[n % len(QUESTIONS)])
    replica_of = dict(deployment.served("/gradio_api/call/chat"))
    on_replica = Counter(replica_of[tab.key] for tab in tabs)
    victim_address = on_replica.most_common(1)[0][0]
    victim = deployment.replicas[int(victim_address.rsplit(":", 1)[1])]
    outcomes: dict[int, list[tuple[float, float, str]]] = {n: [] for n in range(len(tabs))}  # start, end, error
    stop = threading.Event()

    def user(n: int) -> None:
        for k in range(1000):
            if stop.is_set():
                return
            started = time.monotonic()
            try:
                tabs[n].ask(QUESTIONS[(n + k) % len(QUESTIONS)])
                error = ""
            except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as failure:
                error = f"{type(failure).__name__}: {failure}"
            outcomes[n].append((started, time.monotonic(), error))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(len(tabs))]
    for thread in threads:
        thread.start()
    time.sleep(3)
    victim.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    victim.wait(timeout=10)
    time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    for n, results in outcomes.items():
        failures = [error for _, _, error in results if error]
        assert len(failures) <= 1, f"tab {n} ({replica_of[tabs[n].key]}): {failures}"
        after = [error for started, _, error in results if started > killed + 0.5]
        assert len(after) >= 2 and not any(after), f"tab {n}: {after}"
    moved = [n for n, tab in enumerate(tabs) if replica_of[tab.key] == victim_address]
    assert moved  # the victim had users, and they were answered by the other replica afterwards
    assert "网约送餐员" in Tab(deployment).ask("怎样组建外卖骑手工会？")  # and a new user is served


def test_systemd_units_start_parts_run_sh_knows():
    commands = set(re.findall(r"^  ([a-z-]+)\)$", RUN.read_text(encoding="utf-8"), re.MULTILINE))
    units = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
    started = [re.search(r"^ExecStart=\S*/deploy/run\.sh (\S+)", unit.read_text(encoding="utf-8"), re.MULTILINE)
               for unit in units]
    assert len(units) == 3 and all(started), units
    assert {m[1] for m in started} == {"chroma", "prepare", "replica"} <= commands


def test_settings_example_names_only_known_variables():
    text = (ROOT / "deploy" / "union-assistant.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^#?([A-Z_]+)=", text, re.MULTILINE)
    assert "ASSISTANT_FEEDBACK_DB" in names
    assert set(names) - set(ENV_HELP) == {"FORWARDED_ALLOW_IPS"}  # uvicorn's: whose X-Forwarded-For to believe


def test_nginx_site_lists_every_replica_and_keeps_browsers_on_theirs():
    result = subprocess.run(["bash", str(RUN), "nginx-site", "0.0.0.0:80", "/var/log/nginx", "7861", "10.0.0.5:7861"],
                            capture_output=True, text=True, timeout=30, check=True)
    site = result.stdout
    assert re.findall(r"^\s*server (\S+) ", site, re.MULTILINE) == ["127.0.0.1:7861", "10.0.0.5:7861"]
    assert "listen 0.0.0.0:80;" in site and "hash $assistant_replica consistent;" in site and "@@" not in site
