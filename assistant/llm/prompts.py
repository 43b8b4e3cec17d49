"""The prompt templates (prompts/*.txt, checked for their placeholders) and the data they are filled with."""

from __future__ import annotations

import string
from collections.abc import Sequence
from pathlib import Path

from ..settings import ROOT
from ..types import REFERENCES_HEADING, Citation
from .errors import PromptTemplateError

PROMPTS_DIR = ROOT / "prompts"
# name -> (placeholders the template must use, placeholders it may use)
PROMPT_SPECS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "system": (frozenset(), frozenset()),
    "answer": (frozenset({"question", "passages"}), frozenset({"history"})),
}
HISTORY_TURNS = 3
HISTORY_ANSWER_CHARS = 300
NO_HISTORY = "（无）"


def placeholders(text: str) -> set[str]:
    """The {names} an f-string style template uses ({{ and }} are literal braces); ValueError if malformed."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> str:
    """prompts/<name>.txt, after checking it uses exactly the placeholders PROMPT_SPECS allows."""
    path = Path(directory) / f"{name}.txt"
    if name not in PROMPT_SPECS:
        raise PromptTemplateError(name, path, f"未知的提示词「{name}」，可用：{'、'.join(PROMPT_SPECS)}")
    required, optional = PROMPT_SPECS[name]
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise PromptTemplateError(name, path, f"无法读取（{error.strerror or error}）") from None
    if not text:
        raise PromptTemplateError(name, path, "内容为空")
    try:
        used = placeholders(text)
    except ValueError as error:
        raise PromptTemplateError(name, path, f"花括号不配对（{error}）；字面的花括号请写成 {{{{ 和 }}}}") from None
    missing, unknown = required - used, used - required - optional
    if missing or unknown:
        problems = []
        if missing:
            problems.append("缺少占位符 " + "、".join(f"{{{p}}}" for p in sorted(missing)))
        if unknown:
            problems.append("有未知占位符 " + "、".join(f"{{{p}}}" for p in sorted(unknown)))
        allowed = "、".join(f"{{{p}}}" for p in sorted(required | optional)) or "无"
        raise PromptTemplateError(name, path, "；".join(problems) + f"（允许：{allowed}）", missing, unknown)
    return text


def load_prompts(directory: Path = PROMPTS_DIR) -> dict[str, str]:
    return {name: load_prompt(name, directory) for name in PROMPT_SPECS}


def _label(passage: Citation) -> str:
    return (f"[{passage.n}] 案例：《{passage.title}》｜单位：{passage.unit}｜奖项：{passage.award}｜"
            f"部分：{passage.section}")


def as_data(text: str) -> str:
    """Text placed between <tags> in the prompt cannot open or close a tag of its own."""
    return text.replace("<", "＜").replace(">", "＞")


def format_passages(passages: Sequence[Citation]) -> str:
    return "\n\n".join(f"{_label(p)}\n{as_data(p.quote)}" for p in passages)


def format_history(history: Sequence[tuple[str, str]]) -> str:
    """The last turns as 问/答 pairs; answers lose their reference list and are shortened."""
    lines = []
    for question, answer in list(history)[-HISTORY_TURNS:]:
        answer = answer.split(REFERENCES_HEADING)[0].strip()
        if len(answer) > HISTORY_ANSWER_CHARS:
            answer = answer[:HISTORY_ANSWER_CHARS] + "…"
        lines.append(f"问：{as_data(question)}\n答：{as_data(answer)}")
    return "\n\n".join(lines) or NO_HISTORY
