"""Who may use the web chat and how often: password and per-client rate limit, on a real Gradio server."""

import socket

import pytest

from assistant.access import RateLimiter, credentials_from_env, rate_limiter_from_env
from assistant.pipeline import Assistant
from assistant.web import build_app, launch

QUESTION = "怎样组建外卖骑手工会？"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestRateLimiter:
    def test_allows_up_to_the_limit_per_client_then_refuses(self):
        limiter = RateLimiter(limit=3, window=60)
        assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
        assert limiter.allow("b", now=3)  # another client has its own budget
        assert limiter.allow("a", now=61)  # the window moved on
        assert "每分钟最多 3 个问题" in limiter.message

    def test_invalid_limits_fail_at_construction(self):
        with pytest.raises(ValueError):
            RateLimiter(limit=0)

    def test_configuration(self):
        assert rate_limiter_from_env({}).limit == 20
        assert rate_limiter_from_env({"ASSISTANT_RATE_LIMIT": "0"}) is None
        with pytest.raises(ValueError, match="ASSISTANT_RATE_LIMIT"):
            rate_limiter_from_env({"ASSISTANT_RATE_LIMIT": "很多"})


class TestCredentials:
    def test_from_variable_and_file(self, tmp_path):
        assert credentials_from_env({}) is None
        assert credentials_from_env({"ASSISTANT_AUTH": "wang:secret,li:pa:ss"}) == [("wang", "secret"), ("li", "pa:ss")]
        users = tmp_path / "users.txt"
        users.write_text("# 培训班账号\nzhao:123456\n", encoding="utf-8")
        assert credentials_from_env({"ASSISTANT_AUTH_FILE": str(users)}) == [("zhao", "123456")]

    def test_bad_format_is_a_chinese_error(self):
        with pytest.raises(ValueError, match="用户名:密码"):
            credentials_from_env({"ASSISTANT_AUTH": "justaname"})


@pytest.fixture(scope="module")
def protected_server(built_index, tmp_path_factory):
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(tmp_path_factory.mktemp("fb") / "feedback.sqlite3")
    app = build_app(Assistant(built_index.settings, show_progress=False), store, RateLimiter(limit=2, window=600))
    port = _free_port()
    launch(app, "127.0.0.1", port, prevent_thread_lock=True, quiet=True, auth=[("wang", "secret")])
    yield f"http://127.0.0.1:{port}/"
    app.close()


class TestProtectedServer:
    def test_password_is_required(self, protected_server):
        from gradio_client import Client

        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own error types for 401
            Client(protected_server, verbose=False).predict(QUESTION, "", "", "", api_name="/ask")
        with pytest.raises(Exception):  # noqa: B017
            Client(protected_server, auth=("wang", "wrong"), verbose=False)

    def test_rate_limit_answers_in_chinese_after_the_budget(self, protected_server):
        from gradio_client import Client

        client = Client(protected_server, auth=("wang", "secret"), verbose=False)
        first = client.predict(QUESTION, "", "", "", api_name="/ask")
        assert first["citations"][0]["case_id"] == "2017-A3-2"
        client.predict(QUESTION, "", "", "", api_name="/ask")
        third = client.predict(QUESTION, "", "", "", api_name="/ask")
        assert "提问太频繁" in third["error"]
