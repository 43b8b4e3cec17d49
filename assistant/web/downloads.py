"""Files the app makes for download (Q&A sheets, feedback CSV): one temporary folder, emptied as files age."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

# Files made for download are removed after a day, Gradio's served copies too.
DOWNLOAD_KEEP_S = 24 * 3600


class DownloadFolder:
    """Where the app writes files for download: a new folder each time; folders older than DOWNLOAD_KEEP_S are
    removed, and the whole folder when the app exits."""

    def __init__(self) -> None:
        self._root = tempfile.TemporaryDirectory(prefix="assistant-downloads-")

    def new(self) -> Path:
        oldest = time.time() - DOWNLOAD_KEEP_S
        for folder in Path(self._root.name).iterdir():
            if folder.stat().st_mtime < oldest:
                shutil.rmtree(folder, ignore_errors=True)
        return Path(tempfile.mkdtemp(dir=self._root.name))
