"""Start the web app: python app.py (builds the index first when it is missing or stale).

Its address, passwords, rate limit and feedback database come from the environment through Settings
(ASSISTANT_HOST / ASSISTANT_PORT, default 127.0.0.1:7860, this machine only; see `python -m assistant --help`).
"""

import logging
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.access import is_loopback
from assistant.settings import Settings
from assistant.web import build_app, build_error_app, launch

log = logging.getLogger("app")
EXIT_CONFIGURATION = 2


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except ValueError as error:  # without a valid address there is no page to show it on: the terminal says why
        print(f"配置错误：{error}", file=sys.stderr, flush=True)
        return EXIT_CONFIGURATION
    host, port = settings.host, settings.port
    if not is_loopback(host) and not settings.credentials:
        print(f"提醒：网页将对其他电脑开放（{host}），但没有设置密码；建议设置 ASSISTANT_AUTH=用户名:密码。", flush=True)
    print("正在加载案例与索引（首次运行会先建立索引，约 1 分钟）…", flush=True)
    try:
        from assistant.pipeline import Assistant

        app = build_app(Assistant(settings, show_progress=True))
    except Exception as error:  # the page says what went wrong; the terminal gets the details
        log.exception("助手加载失败")
        reason = f"加载案例或索引时出错：{type(error).__name__}: {error}"
        print(f"错误：{reason}", file=sys.stderr, flush=True)
        app = build_error_app(reason)
    launch(app, host, port, auth=list(settings.credentials) or None, quiet=True, prevent_thread_lock=True)
    print(f"网页已启动：http://{host}:{port}（按 Ctrl+C 退出）", flush=True)
    app.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
