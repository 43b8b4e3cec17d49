"""Who may use the web chat and how often: password and per-client rate limit, configured through Settings, on a
real Gradio server; app.py refuses a bad configuration with a Chinese message."""

import socket
import subprocess
import sys

import pytest

from assistant.access import RateLimiter, rate_limiter
from assistant.pipeline import Assistant
from assistant.settings import ENV_HELP, ROOT, Settings
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
        assert rate_limiter(Settings.from_env({}).rate_limit).limit == 20
        assert rate_limiter(Settings.from_env({"ASSISTANT_RATE_LIMIT": "0"}).rate_limit) is None
        with pytest.raises(ValueError, match="ASSISTANT_RATE_LIMIT 应是整数（每分钟问题数，0 表示不限），而不是「很多」"):
            Settings.from_env({"ASSISTANT_RATE_LIMIT": "很多"})
        with pytest.raises(ValueError, match="ASSISTANT_RATE_LIMIT 不能是负数"):
            Settings.from_env({"ASSISTANT_RATE_LIMIT": "-1"})


class TestCredentials:
    def test_from_variable_and_file(self, tmp_path):
        assert Settings.from_env({}).credentials == ()
        assert Settings.from_env({"ASSISTANT_AUTH": "wang:secret,li:pa:ss"}).credentials == (("wang", "secret"),
                                                                                             ("li", "pa:ss"))
        users = tmp_path / "users.txt"
        users.write_text("# 培训班账号\nzhao:123456\n", encoding="utf-8")
        assert Settings.from_env({"ASSISTANT_AUTH_FILE": str(users)}).credentials == (("zhao", "123456"),)
        both = Settings.from_env({"ASSISTANT_AUTH": "wang:secret", "ASSISTANT_AUTH_FILE": str(users)})
        assert both.credentials == (("wang", "secret"), ("zhao", "123456"))

    def test_bad_format_is_a_chinese_error(self, tmp_path):
        with pytest.raises(ValueError, match="用户名:密码"):
            Settings.from_env({"ASSISTANT_AUTH": "justaname"})
        with pytest.raises(ValueError, match="ASSISTANT_AUTH_FILE 指定的文件无法读取"):
            Settings.from_env({"ASSISTANT_AUTH_FILE": str(tmp_path / "missing.txt")})

    def test_passwords_are_never_shown(self):
        settings = Settings.from_env({"ASSISTANT_AUTH": "wang:secret"})
        assert "secret" not in repr(settings) and "secret" not in str(settings)


class TestWebSettings:
    def test_defaults_are_the_ones_help_shows(self):
        settings = Settings.from_env({})
        assert (settings.host, str(settings.port)) == (ENV_HELP["ASSISTANT_HOST"][0], ENV_HELP["ASSISTANT_PORT"][0])
        assert settings.host == "127.0.0.1" and settings.port == 7860  # this machine only
        assert settings.feedback_db == ROOT / "data" / "feedback.sqlite3" == Settings().feedback_db
        assert Settings().rate_limit == Settings.from_env({}).rate_limit == 20

    def test_from_the_environment(self, tmp_path):
        settings = Settings.from_env({"ASSISTANT_HOST": "0.0.0.0", "ASSISTANT_PORT": "8080",
                                      "ASSISTANT_FEEDBACK_DB": "data/培训班.sqlite3"})
        assert (settings.host, settings.port) == ("0.0.0.0", 8080)
        assert settings.feedback_db == ROOT / "data" / "培训班.sqlite3"  # relative to the project, as the other paths
        absolute = tmp_path / "fb.sqlite3"
        assert Settings.from_env({"ASSISTANT_FEEDBACK_DB": str(absolute)}).feedback_db == absolute

    @pytest.mark.parametrize(("port", "message"), [("八千", "ASSISTANT_PORT 应是整数"), ("70000", "1 到 65535")])
    def test_bad_port_is_a_chinese_error(self, port, message):
        with pytest.raises(ValueError, match=message):
            Settings.from_env({"ASSISTANT_PORT": port})

    def test_app_py_stops_on_a_bad_configuration_with_a_chinese_message(self):
        result = subprocess.run([sys.executable, "app.py"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                                env={"PATH": "/usr/bin:/bin", "ASSISTANT_AUTH": "justaname"}, check=False)
        assert result.returncode == 2
        assert "配置错误：ASSISTANT_AUTH 的格式应为 用户名:密码" in result.stderr and "Traceback" not in result.stderr


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
