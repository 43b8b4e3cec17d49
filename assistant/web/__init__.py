"""Gradio web app: chat with sourced answers, the case library, feedback, the trainer's batch Q&A sheet and the
administrator's tab (feedback export, the evaluator's page).

`app` lays out the page and wires its events to handlers that can be called without a browser: `chat.Chat`
(answers, new chat, the /ask API), `library.CaseLibrary`, `feedback.Feedback`, `trainer.Trainer` and `admin.Admin`;
`client` is what runs in the visitor's browser.
"""

from .admin import Admin
from .app import QUEUE_CONCURRENCY, TITLE, build_app, build_error_app, launch
from .chat import Chat, filters_from, stream_answer
from .downloads import DOWNLOAD_KEEP_S, DownloadFolder
from .feedback import Feedback
from .library import CaseLibrary
from .trainer import Trainer, sheet_questions

__all__ = [
    "DOWNLOAD_KEEP_S", "QUEUE_CONCURRENCY", "TITLE", "Admin", "CaseLibrary", "Chat", "DownloadFolder", "Feedback", "Trainer",
    "build_app", "build_error_app", "filters_from", "launch", "sheet_questions", "stream_answer",
]
