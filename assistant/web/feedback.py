"""The feedback events: 👍/👎 on an answer and an optional comment (the export is the administrator's: admin.py)."""

from __future__ import annotations

import gradio as gr

from ..feedback import FeedbackError, FeedbackStore

MAX_COMMENT_CHARS = 1000


class Feedback:
    """Ratings and comments kept in one FeedbackStore.

    `records` (from the chat) maps a chat message to the answer it shows; `rated` maps it to its stored rating.
    `rated` is kept apart from `records`, which a chat turn still streaming may write back.
    """

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store

    def rate(self, records: dict, rated: dict, data: gr.LikeData) -> tuple:
        """👍/👎 on an answer: one record per answer, changed when the user switches, removed when withdrawn.

        Returns (rated, the rating's record id for a comment, status text, the comment row shown or hidden)."""
        index = data.index if isinstance(data.index, int) else data.index[0]
        record = records.get(index)
        if record is None:
            return gr.skip(), None, "这条消息不是回答，不需要评价。", gr.update(visible=False)
        record_id = rated.get(index)
        try:
            if data.liked not in (True, False):  # the same thumb clicked again
                if record_id is not None:
                    self.store.remove(record_id)
                return {**rated, index: None}, None, "已撤销评价。", gr.update(visible=False)
            rating = "up" if data.liked else "down"
            if record_id is None:
                record_id = self.store.add(record["question"], record["answer"], record["citations"], record["mode"],
                                           rating)
            else:
                self.store.set_rating(record_id, rating)
        except FeedbackError as error:
            return gr.skip(), None, f"⚠️ {error}", gr.update(visible=False)
        thumb = "👍" if data.liked else "👎"
        return ({**rated, index: record_id}, record_id, f"已记录您的 {thumb} 评价，谢谢！可以在下面补充意见（可选）。",
                gr.update(visible=True))

    def comment(self, text: str, record_id: int | None) -> tuple:
        """提交意见: (status text, the comment row shown or hidden, the comment box)."""
        text = (text or "").strip()[:MAX_COMMENT_CHARS]
        if record_id is None:
            return "请先点回答下方的 👍 或 👎，再填写意见。", gr.skip(), gr.skip()
        if not text:
            return "意见是空的：写几句再提交，或者不填也可以。", gr.skip(), gr.skip()
        try:
            self.store.set_comment(record_id, text)
        except FeedbackError as error:
            return f"⚠️ {error}", gr.skip(), gr.skip()
        return "已收到您的意见，谢谢！", gr.update(visible=False), ""
