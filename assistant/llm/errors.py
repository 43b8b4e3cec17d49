"""Why a model gave no usable answer: typed errors that carry a Chinese notice for the user."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

NO_LLM_NOTICE = "未配置大模型，使用抽取式回答。"


class PromptTemplateError(ValueError):
    """A prompt file that is missing, malformed, or lacks / adds placeholders (checked when prompts are loaded)."""

    def __init__(self, name: str, path: Path, problem: str, missing: Sequence[str] = (),
                 unknown: Sequence[str] = ()) -> None:
        self.name, self.path = name, path
        self.missing, self.unknown = tuple(sorted(missing)), tuple(sorted(unknown))
        super().__init__(f"提示词模板 {path}：{problem}")


class LLMError(RuntimeError):
    """The model gave no usable answer; `notice` says why, in Chinese, for the user."""

    reason = "出错"
    endpoint_failed = False  # the endpoint itself failed (not this one request): the model then rests

    def __init__(self, reason: str | None = None, detail: str = "") -> None:
        if reason:
            self.reason = reason
        self.detail = detail
        super().__init__(f"{self.reason}{f': {detail}' if detail else ''}")

    @property
    def notice(self) -> str:
        return f"大模型暂时不可用（{self.reason}），以下为抽取式回答。"


class LLMTimeoutError(LLMError):
    reason = "超时"
    endpoint_failed = True


class LLMUnavailableError(LLMError):
    """Connection refused or dropped, or the server answered with an HTTP error."""

    reason = "无法连接"
    endpoint_failed = True


class LLMRestingError(LLMUnavailableError):
    """The endpoint failed moments ago (timeout, unreachable, server error): questions skip it until its rest is
    over."""

    reason = "刚才超时或连不上，稍后自动重试"
    endpoint_failed = False  # not a new failure: it must not prolong the rest


class LLMResponseError(LLMError):
    """The server answered, but not with a usable answer: malformed, empty or unreadable."""

    reason = "返回内容无法解析"


class LLMCitationError(LLMResponseError):
    """The answer cites none of the passages it was given, so nothing in it can be checked."""

    reason = "回答没有有效引用"

    @property
    def notice(self) -> str:
        return "大模型的回答没有可核对的出处，以下为抽取式回答。"
