"""LLM answer mode: a language model writes the answer from numbered passages, and code checks every citation.

The model (any OpenAI-compatible server, through langchain-openai) sees only the passages retrieval found
(`evidence.model_passages`), numbered [1]…[n], each labelled with its case, unit, award and section. Its answer
is then verified (`citations.verify`): every [n] must name a passage it was given; invalid markers are removed
(and reported in `notice`); the cited passages are renumbered in order of first use; the reference list is built
by code. An answer that cites nothing valid, is empty or unreadable, or never arrives (timeout, server down,
HTTP error, malformed reply) raises an `LLMError` (`errors`), and the pipeline answers extractively instead.

Modules: `errors` (why a model gave no answer), `prompts` (templates and the data they are filled with),
`citations` (checking an answer), `client` (the model, streaming, and its rest after failures).
"""

from .citations import LLMResult, verify
from .client import LLMAnswerer, LLMStream, classify
from .errors import (
    NO_LLM_NOTICE,
    LLMCitationError,
    LLMError,
    LLMResponseError,
    LLMRestingError,
    LLMTimeoutError,
    LLMUnavailableError,
    PromptTemplateError,
)
from .prompts import PROMPTS_DIR, load_prompt, load_prompts

__all__ = [
    "NO_LLM_NOTICE", "PROMPTS_DIR", "LLMAnswerer", "LLMCitationError", "LLMError", "LLMResponseError",
    "LLMRestingError", "LLMResult", "LLMStream", "LLMTimeoutError", "LLMUnavailableError", "PromptTemplateError",
    "classify", "load_prompt", "load_prompts", "verify",
]
