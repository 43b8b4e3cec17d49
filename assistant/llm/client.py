"""The chat model behind any OpenAI-compatible endpoint (langchain-openai): calls, streaming, failures, rest."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..settings import LOCAL_API_KEY, Settings
from ..types import Citation
from .citations import LLMResult, verify
from .errors import (
    LLMError,
    LLMResponseError,
    LLMRestingError,
    LLMTimeoutError,
    LLMUnavailableError,
)
from .prompts import PROMPTS_DIR, as_data, format_history, format_passages, load_prompts

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

logger = logging.getLogger(__name__)

# HTTP errors about one request (too long, malformed) rather than the endpoint: they do not make the model rest.
REQUEST_SPECIFIC_STATUSES = (400, 413, 422)


def _content_text(content: Any) -> str:
    """Message content as text (a string, or a list of content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content
                       if isinstance(b, str) or (isinstance(b, dict) and b.get("type", "text") == "text"))
    return ""


def _kinds(error: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(error).__mro__}


def classify(error: BaseException) -> LLMError:
    """Any failure of a model call, as the LLMError the pipeline falls back on."""
    if isinstance(error, LLMError):
        return error
    import openai

    detail = f"{type(error).__name__}"
    if isinstance(error, (openai.APITimeoutError, TimeoutError)) or any("Timeout" in name for name in _kinds(error)):
        return LLMTimeoutError(detail=detail)
    if isinstance(error, openai.APIStatusError):
        unavailable = LLMUnavailableError(f"服务返回错误 HTTP {error.status_code}", detail)
        unavailable.endpoint_failed = error.status_code not in REQUEST_SPECIFIC_STATUSES
        return unavailable
    if isinstance(error, openai.APIResponseValidationError):
        return LLMResponseError(detail=detail)
    if isinstance(error, (openai.APIConnectionError, ConnectionError)) \
            or _kinds(error) & {"TransportError", "NetworkError", "ProtocolError", "RemoteProtocolError"}:
        return LLMUnavailableError(detail=detail)
    if isinstance(error, (ValueError, KeyError, TypeError, AttributeError, IndexError)):
        return LLMResponseError(detail=detail)  # malformed JSON or an unexpected shape
    return LLMError("出错", detail)


class LLMStream:
    """Iterate for the text pieces as they arrive; then `result()` verifies the whole answer.

    Iteration raises LLMError (timeout, server down, malformed stream) as soon as the call fails.
    """

    def __init__(self, answerer: LLMAnswerer, messages: list[BaseMessage], passages: Sequence[Citation]) -> None:
        self.passages = list(passages)
        self._answerer = answerer
        self._parts: list[str] = []
        self._error: LLMError | None = None
        self._pieces = self._run(messages)

    def _run(self, messages: list[BaseMessage]) -> Iterator[str]:
        try:
            for chunk in self._answerer.chat.stream(messages):
                piece = _content_text(chunk.content)
                if piece:
                    self._parts.append(piece)
                    yield piece
        except Exception as error:  # every failure becomes an LLMError the pipeline handles
            self._error = self._answerer.failed(error)
            raise self._error from error

    def __iter__(self) -> LLMStream:
        return self

    def __next__(self) -> str:
        return next(self._pieces)

    @property
    def text(self) -> str:
        """What has arrived so far."""
        return "".join(self._parts)

    def result(self) -> LLMResult:
        """The verified answer (reads whatever has not been read yet)."""
        if self._error is None:
            for _ in self:
                pass
        if self._error is not None:
            raise self._error
        try:
            return verify(self.text, self.passages)
        except LLMError as error:
            raise self._answerer.failed(error) from None


class LLMAnswerer:
    """Writes answers with an OpenAI-compatible chat model; see the module docstring for the checks."""

    def __init__(self, model: str, base_url: str | None = None, api_key: str = LOCAL_API_KEY, timeout: float = 30.0,
                 max_retries: int = 1, prompts_dir: Path = PROMPTS_DIR, cooldown_s: float = 60.0) -> None:
        from langchain_core.messages import SystemMessage
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_openai import ChatOpenAI

        prompts = load_prompts(prompts_dir)  # fails here, at start-up, if a template is wrong
        self.model = model
        self._secret = api_key or ""
        # After the endpoint fails (timeout, unreachable, server error) the model rests this long, so nobody
        # else waits for it to fail again.
        self.cooldown_s = cooldown_s
        self._resting_until = 0.0
        self.chat = ChatOpenAI(model=model, base_url=base_url or None, api_key=api_key or LOCAL_API_KEY,
                               timeout=timeout, max_retries=max_retries, streaming=True, use_responses_api=False)
        # The system rules are a fixed message, never templated: nothing the user types can reach them.
        self.answer_prompt = ChatPromptTemplate.from_messages(
            [SystemMessage(content=prompts["system"]), ("human", prompts["answer"])])

    @classmethod
    def from_settings(cls, settings: Settings, prompts_dir: Path = PROMPTS_DIR) -> LLMAnswerer:
        return cls(settings.llm_model, settings.llm_base_url, settings.llm_api_key, settings.llm_timeout,
                   settings.llm_max_retries, prompts_dir, settings.llm_cooldown)

    def __repr__(self) -> str:
        return f"LLMAnswerer(model={self.model!r}, base_url={self.chat.openai_api_base!r})"

    def messages(self, question: str, passages: Sequence[Citation],
                 history: Sequence[tuple[str, str]] = ()) -> list[BaseMessage]:
        """The chat messages sent: the fixed system rules, then one user message holding all the data."""
        return self.answer_prompt.format_messages(
            question=as_data(question), passages=format_passages(passages), history=format_history(history))

    def answer(self, question: str, passages: Sequence[Citation],
               history: Sequence[tuple[str, str]] = ()) -> LLMResult:
        """One non-streaming call, verified. Raises LLMError."""
        self._check_ready(passages)
        try:
            message = self.chat.invoke(self.messages(question, passages, history), stream=False)
            return verify(_content_text(message.content), passages)
        except Exception as error:  # every failure becomes an LLMError the pipeline handles
            raise self.failed(error) from error

    def stream(self, question: str, passages: Sequence[Citation],
               history: Sequence[tuple[str, str]] = ()) -> LLMStream:
        """A streaming call: iterate for text pieces, then call `.result()` for the verified LLMResult."""
        self._check_ready(passages)
        return LLMStream(self, self.messages(question, passages, history), passages)

    def _check_ready(self, passages: Sequence[Citation]) -> None:
        if not passages:
            raise LLMResponseError("没有可供引用的段落")
        if time.monotonic() < self._resting_until:
            raise LLMRestingError()

    def failed(self, error: BaseException) -> LLMError:
        """Classify a failure and log it (class and reason only; the API key is never logged). A failure of the
        endpoint itself starts the model's rest."""
        llm_error = classify(error)
        if llm_error.endpoint_failed and self.cooldown_s:
            self._resting_until = time.monotonic() + self.cooldown_s
            logger.warning("大模型 %s 秒内不再调用，先用抽取式回答", self.cooldown_s)
        if not getattr(llm_error, "_logged", False):
            detail = llm_error.detail
            if self._secret and self._secret != LOCAL_API_KEY:
                detail = detail.replace(self._secret, "***")
            logger.warning("大模型回答失败（%s）：%s %s", self.model, llm_error.reason, detail)
            llm_error._logged = True
        return llm_error
