"""The question sets written apart from the code (answerability, answer quality, dialogues): format and quotes.

Both parts of each set are checked here, the sealed one included: a test reads its format, nobody tunes on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant import corpus
from assistant.settings import ROOT, Settings

SETS = ("answerability", "answers", "dialogues")
OOS_KINDS = {"labour_law", "social_insurance", "tax", "other_place", "other_year", "unknown_org", "near_miss_org",
             "national_policy", "general_knowledge", "chitchat", "injection", "english_oos"}


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def book() -> tuple[set[str], str]:
    compendium = corpus.load(Settings().corpus_path)
    return {c.id for c in compendium.cases}, re.sub(r"\s+", "", Settings().corpus_path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SETS)
def test_tuning_and_sealed_parts_are_disjoint_and_about_a_third_sealed(name):
    tuning, sealed = _read(ROOT / "eval" / f"{name}.jsonl"), _read(ROOT / "eval" / f"{name}.sealed.jsonl")
    assert not {i["id"] for i in tuning} & {i["id"] for i in sealed}
    assert 0.28 <= len(sealed) / (len(tuning) + len(sealed)) <= 0.38


def _turns(item: dict) -> list[dict]:
    return item["turns"] if "turns" in item else [item]


@pytest.mark.parametrize("name", SETS)
def test_gold_cases_exist_and_key_facts_are_verbatim(name, book):
    ids, text = book
    for item in _read(ROOT / "eval" / f"{name}.jsonl") + _read(ROOT / "eval" / f"{name}.sealed.jsonl"):
        for turn in _turns(item):
            assert set(turn["gold"]) <= ids, item["id"]
            for fact in turn["must_contain"]:
                assert re.sub(r"\s+", "", fact) in text, (item["id"], fact)
            refused = turn.get("refuse", turn.get("type") == "out_of_scope")
            assert refused == (not turn["gold"]), item["id"]


def test_answerability_covers_the_kinds_the_issue_names():
    items = _read(ROOT / "eval" / "answerability.jsonl") + _read(ROOT / "eval" / "answerability.sealed.jsonl")
    outside = [i for i in items if i["type"] == "out_of_scope"]
    assert len(items) >= 400 and len(outside) >= 150 and len(items) - len(outside) >= 250
    assert {i["oos_kind"] for i in outside} == OOS_KINDS
