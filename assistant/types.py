"""The domain types every layer shares: an answer, its citations, the cases retrieved, the refusal verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MODE_EXTRACTIVE, MODE_LLM = "extractive", "llm"
ANSWER_MODES = (MODE_EXTRACTIVE, MODE_LLM)
APP_NAME = "工会案例问答助手"
COMPENDIUM = "《2017年度上海市基层工会创新案例集》"
REFERENCES_HEADING = "参考案例："

# Why a question was refused (Verdict.kind); the pipeline words each kind for the user.
REFUSAL_INJECTION = "injection"
REFUSAL_YEAR = "year"  # detail: the year asked about, which the book (or the cases found) never mention
REFUSAL_NO_HITS = "no-hits"  # nothing passed the user's filters
REFUSAL_UNKNOWN_NAME = "unknown-name"  # detail: the name the compendium never mentions
REFUSAL_OTHER_PLACE = "other-place"  # detail: the place asked about; the book's case on the topic is elsewhere
REFUSAL_OFF_TOPIC = "off-topic"
REFUSAL_OPINION = "opinion"  # detail: the words asking the assistant's view or a prediction
REFUSAL_WRITING = "writing"  # detail: the words asking for a text to be written (a speech, a plan, a poem)
REFUSAL_MISSING_DETAIL = "missing-detail"  # detail: what the case asked about does not print (价格或收费, 电话号码)
REFUSAL_POLICY = "policy"  # detail: the social-insurance, pension or tax word asked about (医保, 养老金, 个税)
REFUSAL_LEGAL = "legal"  # detail: the words asking a ruling of law or a legal step (仲裁, 起诉, 合法吗)


@dataclass(frozen=True)
class Verdict:
    """Whether the compendium can answer a question, and if not, why (`kind`, with the `detail` it names).

    `coverage` is the share of the question's words the compendium knows: with none, nothing is worth suggesting.
    `probability` is the learned decision's estimate that the compendium answers it (None: decided by an exact rule
    or, for English, by its nearest labelled questions).
    """

    refused: bool
    kind: str = ""
    detail: str = ""
    coverage: float = 1.0
    probability: float | None = None


# How a turn relates to the conversation before it (FollowUp.kind).
FOLLOW_UP_NEW = "new"  # a question of its own (or the first one)
FOLLOW_UP_CONTINUE = "continue"  # about the case(s) under discussion
FOLLOW_UP_ORDINAL = "ordinal"  # 「第二个」: the n-th case of the previous list answer
FOLLOW_UP_OTHERS = "others"  # 「还有别的吗」: other cases than those under discussion


@dataclass(frozen=True)
class FollowUp:
    """How a question was read in its conversation, and why: `case_ids` are the cases it continues on (continue,
    ordinal) or leaves out (others)."""

    kind: str = FOLLOW_UP_NEW
    case_ids: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the case, its unit and award, the section, the quoted text."""

    n: int
    case_id: str
    title: str
    unit: str
    award: str
    section: str
    quote: str


@dataclass(frozen=True)
class RetrievedCase:
    """A case retrieval ranked for the question: where its best passage is, and its score."""

    case_id: str
    title: str
    unit: str
    section: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    mode: str
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[RetrievedCase, ...] = ()
    notice: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    verdict: Verdict | None = None  # the answerability decision (None: made outside the pipeline)
    suggestions: tuple[RetrievedCase, ...] = ()  # close cases a refusal offers instead (可参考)
    follow_up: FollowUp | None = None  # how the question was read in its conversation

    @property
    def cited_cases(self) -> tuple[str, ...]:
        """The cases the answer cites, each once, in the order first cited."""
        return tuple(dict.fromkeys(c.case_id for c in self.citations))

    def to_dict(self) -> dict:
        """The public JSON shape (see README)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [asdict(c) for c in self.citations],
            "retrieved": [asdict(r) for r in self.retrieved],
            "notice": self.notice,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "refusal": None if self.verdict is None else {
                "kind": self.verdict.kind, "detail": self.verdict.detail,
                "probability": None if self.verdict.probability is None else round(self.verdict.probability, 4)},
            "suggestions": [asdict(s) for s in self.suggestions],
            "follow_up": None if self.follow_up is None else asdict(self.follow_up),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Answer:
        """Read back what to_dict wrote (a saved conversation turn)."""
        refusal = data.get("refusal")
        verdict = None if refusal is None else Verdict(data["refused"], refusal["kind"], refusal["detail"],
                                                         probability=refusal["probability"])
        return cls(data["question"], data["answer"], data["refused"], data["mode"],
                   tuple(Citation(**c) for c in data.get("citations", [])),
                   tuple(RetrievedCase(**r) for r in data.get("retrieved", [])),
                   data.get("notice"), data.get("timings_ms", {}), verdict,
                   tuple(RetrievedCase(**s) for s in data.get("suggestions", [])),
                   FollowUp(**{**data["follow_up"], "case_ids": tuple(data["follow_up"]["case_ids"])})
                   if data.get("follow_up") else None)


def reference_line(citation: Citation, with_section: bool = False) -> str:
    """One line of a reference list: [n] 《标题》— 单位（奖项）, or （奖项，部分） with the section."""
    details = "，".join(part for part in (citation.award, citation.section if with_section else "") if part)
    return f"[{citation.n}] 《{citation.title}》— {citation.unit}" + (f"（{details}）" if details else "")


def reference_list(citations: tuple[Citation, ...] | list[Citation]) -> str:
    """The reference list that ends an answer: the heading, then one line per citation."""
    return "\n".join([REFERENCES_HEADING, *(reference_line(c) for c in citations)])
