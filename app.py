"""Start the web chat: python app.py (builds the index first when it is missing or stale)."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.pipeline import Assistant  # noqa: E402
from assistant.web import build_app  # noqa: E402


def main() -> None:
    host = os.environ.get("ASSISTANT_HOST", "127.0.0.1")
    port = int(os.environ.get("ASSISTANT_PORT", "7860"))
    print("正在加载案例与索引（首次运行会先建立索引，约 1 分钟）…", flush=True)
    app = build_app(Assistant())
    app.queue(default_concurrency_limit=4).launch(server_name=host, server_port=port, share=False)


if __name__ == "__main__":
    main()
