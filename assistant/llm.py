"""LLM answer mode: a language model writes the answer from numbered passages, and code checks every citation.

The model (any OpenAI-compatible server, through langchain-openai) sees only the passages retrieval found,
numbered [1]…[n], each labelled with its case, unit, award and section. Its answer is then verified here:
every [n] must name a passage it was given; invalid markers are removed (and reported in `notice`); the cited
passages are renumbered in order of first use; the reference list is built by code. An answer that cites
nothing valid, is empty or unreadable, or never arrives (timeout, server down, HTTP error, malformed reply)
raises an `LLMError`, and the pipeline answers extractively instead.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import string
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answering import Citation, source_line
from .chunking import KIND_SECTION
from .retrieval import CaseHit
from .settings import LOCAL_API_KEY, ROOT, Settings

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

logger = logging.getLogger(__name__)

PROMPTS_DIR = ROOT / "prompts"
# name -> (placeholders the template must use, placeholders it may use)
PROMPT_SPECS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "system": (frozenset(), frozenset()),
    "answer": (frozenset({"question", "passages"}), frozenset({"history"})),
}

# Evidence handed to the model: the best case gets more passages; other cases only when they score close to it.
MAX_CASES = 4
PASSAGES_FIRST_CASE, PASSAGES_OTHER_CASE = 3, 2
MIN_CASE_SHARE = 0.5
# HTTP errors about one request (too long, malformed) rather than the endpoint: they do not make the model rest.
REQUEST_SPECIFIC_STATUSES = (400, 413, 422)
HISTORY_TURNS = 3
HISTORY_ANSWER_CHARS = 300
NO_HISTORY = "（无）"
REFERENCES_HEADING = "参考案例："
# [1]  [1][2]  [1, 3]  [1-3]  ［2］ 【2】 — at most two digits, so "[2017]" in a document number stays text.
_MARKER = re.compile(r"[\[［【]\s*(\d{1,2}(?:\s*[,，、\-–~～]\s*\d{1,2})*)\s*[\]］】]")
_MARKER_PART = re.compile(r"(\d{1,2})\s*[\-–~～]\s*(\d{1,2})|(\d{1,2})")
# A reference list the model wrote itself is dropped: the one shown is built from the verified citations.
_OWN_REFERENCES = re.compile(r"^[ \t>#*_-]*(参考案例|参考资料|参考文献|参考来源|引用来源|资料来源|出处|来源|references?)"
                             r"[*_ \t]*[：:]", re.IGNORECASE | re.MULTILINE)
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[，。；：！？、,.;:!?）)])")
_READABLE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
MIN_READABLE_CHARS = 4
NO_LLM_NOTICE = "未配置大模型，使用抽取式回答。"


# -- errors -----------------------------------------------------------------------------------------------------
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


# -- prompts ----------------------------------------------------------------------------------------------------
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


# -- evidence ---------------------------------------------------------------------------------------------------
# A numbered passage shown to the model is a Citation in waiting: the same fields, its text as the quote.
Passage = Citation


def _label(passage: Passage) -> str:
    return (f"[{passage.n}] 案例：《{passage.title}》｜单位：{passage.unit}｜奖项：{passage.award}｜"
            f"部分：{passage.section}")


def evidence_passages(hits: Sequence[CaseHit], max_cases: int = MAX_CASES) -> list[Passage]:
    """The best passages of the top cases (those scoring at least half the best), numbered from 1, no repeats.

    A passage shared by several cases (category background, expert comment) is labelled with the case it
    was found for, and its section says what it is.
    """
    if not hits:
        return []
    top = hits[0].score
    chosen = [hits[0], *(h for h in hits[1:max_cases] if h.score >= MIN_CASE_SHARE * top)]
    passages: list[Passage] = []
    seen: set[str] = set()
    for rank, hit in enumerate(chosen):
        limit = PASSAGES_FIRST_CASE if rank == 0 else PASSAGES_OTHER_CASE
        for passage in hit.passages[:limit]:
            chunk = passage.chunk
            if chunk.id in seen:
                continue
            seen.add(chunk.id)
            section = chunk.section if chunk.kind == KIND_SECTION else f"{chunk.section}（同类别案例共用）"
            passages.append(Passage(len(passages) + 1, hit.case.id, hit.case.title, hit.case.unit, hit.case.award,
                                    section, chunk.text))
    return passages


def _as_data(text: str) -> str:
    """Text placed between <tags> in the prompt cannot open or close a tag of its own."""
    return text.replace("<", "＜").replace(">", "＞")


def format_passages(passages: Sequence[Passage]) -> str:
    return "\n\n".join(f"{_label(p)}\n{_as_data(p.quote)}" for p in passages)


def format_history(history: Sequence[tuple[str, str]]) -> str:
    """The last turns as 问/答 pairs; answers lose their reference list and are shortened."""
    lines = []
    for question, answer in list(history)[-HISTORY_TURNS:]:
        answer = answer.split(REFERENCES_HEADING)[0].strip()
        if len(answer) > HISTORY_ANSWER_CHARS:
            answer = answer[:HISTORY_ANSWER_CHARS] + "…"
        lines.append(f"问：{_as_data(question)}\n答：{_as_data(answer)}")
    return "\n\n".join(lines) or NO_HISTORY


# -- verification -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LLMResult:
    """A verified answer: `text` ends with the reference list built from `citations`."""

    text: str
    citations: tuple[Citation, ...]
    used: tuple[int, ...]  # the given passage numbers cited, in the order of their new numbers 1, 2, …
    removed: tuple[int, ...]  # marker numbers that named no given passage
    notice: str | None
    raw: str


def _marker_numbers(inside: str) -> list[int]:
    numbers = []
    for low, high, single in _MARKER_PART.findall(inside):
        if single:
            numbers.append(int(single))
        else:
            first, last = int(low), int(high)
            numbers += list(range(first, last + 1)) if 0 < last - first < 10 else [first, last]
    return numbers


def verify(raw: str, passages: Sequence[Passage]) -> LLMResult:
    """Check and renumber the model's citations; raise LLMResponseError / LLMCitationError if unusable."""
    text = "".join(ch for ch in (raw or "").replace("\r\n", "\n") if ch in "\n\t" or ch.isprintable())
    own = _OWN_REFERENCES.search(text)
    if own and own.start() > 0:
        text = text[: own.start()]
    given = len(passages)
    new_numbers: dict[int, int] = {}
    removed: list[int] = []

    def renumber(match: re.Match) -> str:
        kept = []
        for number in _marker_numbers(match.group(1)):
            if 1 <= number <= given:
                new = new_numbers.setdefault(number, len(new_numbers) + 1)
                if new not in kept:
                    kept.append(new)
            elif number not in removed:
                removed.append(number)
        return "".join(f"[{n}]" for n in sorted(kept))

    body = _MARKER.sub(renumber, text)
    body = _SPACE_BEFORE_PUNCT.sub("", body)
    body = re.sub(r"[ \t]{2,}", " ", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    if len(_READABLE.findall(_MARKER.sub("", body))) < MIN_READABLE_CHARS:
        raise LLMResponseError("回答为空" if not body else "回答无法识别")
    if not new_numbers:
        raise LLMCitationError(detail=f"removed markers {removed}" if removed else "no [n] markers")
    used = tuple(sorted(new_numbers, key=new_numbers.get))
    citations = tuple(dataclasses.replace(passages[old - 1], n=new) for new, old in enumerate(used, start=1))
    notice = None
    if removed:
        notice = "已删除大模型回答中指向不存在段落的引用标注：" + "、".join(f"[{n}]" for n in removed) + "。"
    full = "\n".join([body, "", REFERENCES_HEADING, *(source_line(c) for c in citations)])
    return LLMResult(full, citations, used, tuple(removed), notice, raw or "")


# -- the model --------------------------------------------------------------------------------------------------
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

    def __init__(self, answerer: LLMAnswerer, messages: list[BaseMessage], passages: Sequence[Passage]) -> None:
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

    def messages(self, question: str, passages: Sequence[Passage],
                 history: Sequence[tuple[str, str]] = ()) -> list[BaseMessage]:
        """The chat messages sent: the fixed system rules, then one user message holding all the data."""
        return self.answer_prompt.format_messages(
            question=_as_data(question), passages=format_passages(passages), history=format_history(history))

    def answer(self, question: str, passages: Sequence[Passage],
               history: Sequence[tuple[str, str]] = ()) -> LLMResult:
        """One non-streaming call, verified. Raises LLMError."""
        self._check_ready(passages)
        try:
            message = self.chat.invoke(self.messages(question, passages, history), stream=False)
            return verify(_content_text(message.content), passages)
        except Exception as error:  # every failure becomes an LLMError the pipeline handles
            raise self.failed(error) from error

    def stream(self, question: str, passages: Sequence[Passage],
               history: Sequence[tuple[str, str]] = ()) -> LLMStream:
        """A streaming call: iterate for text pieces, then call `.result()` for the verified LLMResult."""
        self._check_ready(passages)
        return LLMStream(self, self.messages(question, passages, history), passages)

    def _check_ready(self, passages: Sequence[Passage]) -> None:
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
