"""Start the web app: python app.py (builds the index first when it is missing or stale).

ASSISTANT_HOST / ASSISTANT_PORT choose the address (default 127.0.0.1:7860, this machine only);
ASSISTANT_FEEDBACK_DB the feedback database (default data/feedback.sqlite3).
"""

import logging
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.access import credentials_from_env, is_loopback
from assistant.web import build_app, build_error_app, launch

log = logging.getLogger("app")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    host = os.environ.get("ASSISTANT_HOST", "127.0.0.1")
    port = int(os.environ.get("ASSISTANT_PORT", "7860"))
    if not is_loopback(host) and not credentials_from_env():
        print(f"提醒：网页将对其他电脑开放（{host}），但没有设置密码；建议设置 ASSISTANT_AUTH=用户名:密码。", flush=True)
    print("正在加载案例与索引（首次运行会先建立索引，约 1 分钟）…", flush=True)
    try:
        from assistant.pipeline import Assistant

        app = build_app(Assistant(show_progress=True))
    except Exception as error:  # the page says what went wrong; the terminal gets the details
        log.exception("助手加载失败")
        reason = f"加载案例或索引时出错：{type(error).__name__}: {error}"
        print(f"错误：{reason}", file=sys.stderr, flush=True)
        app = build_error_app(reason)
    launch(app, host, port, quiet=True, prevent_thread_lock=True)
    print(f"网页已启动：http://{host}:{port}（按 Ctrl+C 退出）", flush=True)
    app.block_thread()


if __name__ == "__main__":
    main()
