"""The evaluation question sets are well formed and grounded in the compendium: eval/questions.jsonl (the main set,
also checked for balance and coverage) and eval/holdout.jsonl (40 questions written apart, to check for overfitting)."""

import json
from collections import Counter

import pytest

from assistant import corpus
from assistant.settings import ROOT, Settings

QUESTION_SETS = {"questions": ROOT / "eval" / "questions.jsonl", "holdout": ROOT / "eval" / "holdout.jsonl"}

REQUIRED_FIELDS = {"id", "question", "type", "gold", "must_contain", "paraphrased"}
OPTIONAL_FIELDS = {"note", "oos_kind"}
TYPES = ("howto", "outcome", "which", "fact", "expert", "multi", "followup", "out_of_scope")
OUT_OF_SCOPE = "out_of_scope"

MIN_QUESTIONS = 150
MIN_PARAPHRASED_SHARE = 0.40
# Share of each type among all questions: (lowest, highest), both inclusive.
TYPE_SHARES = {
    "howto": (0.22, 0.28),
    "outcome": (0.09, 0.15),
    "which": (0.12, 0.18),
    "fact": (0.09, 0.15),
    "expert": (0.04, 0.09),
    "multi": (0.06, 0.11),
    "followup": (0.03, 0.08),
    "out_of_scope": (0.12, 1.0),
}
MUST_CONTAIN_MAX_CHARS = 20


def read_lines(name: str) -> list[str]:
    return [line for line in QUESTION_SETS[name].read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module", params=list(QUESTION_SETS))
def lines(request) -> list[str]:
    return read_lines(request.param)


@pytest.fixture(scope="module")
def questions(lines) -> list[dict]:
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def main_set() -> list[dict]:
    return [json.loads(line) for line in read_lines("questions")]


@pytest.fixture(scope="module")
def cases() -> dict[str, corpus.Case]:
    return {case.id: case for case in corpus.load(Settings().corpus_path).cases}


def case_text(case: corpus.Case) -> str:
    """Everything a must_contain string may be quoted from."""
    parts = [case.title, case.unit, *case.aliases, case.background]
    parts += [section.text for section in case.sections]
    parts += [comment.text for comment in case.expert_comments]
    return "\n".join(parts)


class TestFormat:
    def test_every_line_is_a_json_object(self, lines):
        for number, line in enumerate(lines, 1):
            assert isinstance(json.loads(line), dict), f"line {number} is not a JSON object"

    def test_fields_are_exactly_the_known_ones(self, questions):
        for q in questions:
            keys = set(q)
            assert REQUIRED_FIELDS <= keys, f"{q.get('id')}: missing {REQUIRED_FIELDS - keys}"
            assert keys <= REQUIRED_FIELDS | OPTIONAL_FIELDS, f"{q['id']}: unknown {keys - REQUIRED_FIELDS - OPTIONAL_FIELDS}"

    def test_field_value_types(self, questions):
        for q in questions:
            assert isinstance(q["id"], str) and q["id"], q
            assert q["type"] in TYPES, f"{q['id']}: bad type {q['type']!r}"
            assert isinstance(q["gold"], list) and all(isinstance(g, str) for g in q["gold"]), q["id"]
            assert isinstance(q["must_contain"], list) and all(isinstance(m, str) for m in q["must_contain"]), q["id"]
            assert isinstance(q["paraphrased"], bool), q["id"]
            assert isinstance(q.get("note", ""), str), q["id"]

    def test_ids_are_unique(self, questions):
        duplicated = [qid for qid, n in Counter(q["id"] for q in questions).items() if n > 1]
        assert not duplicated

    def test_followup_questions_are_lists_of_turns(self, questions):
        for q in questions:
            if q["type"] == "followup":
                turns = q["question"]
                assert isinstance(turns, list) and len(turns) >= 2, q["id"]
                assert all(isinstance(t, str) and t.strip() for t in turns), q["id"]

    def test_other_questions_are_nonempty_strings(self, questions):
        for q in questions:
            if q["type"] != "followup":
                assert isinstance(q["question"], str) and q["question"].strip(), q["id"]

    def test_questions_are_not_repeated(self, questions):
        texts = Counter(json.dumps(q["question"], ensure_ascii=False) for q in questions)
        assert not [t for t, n in texts.items() if n > 1]


class TestGold:
    def test_gold_ids_exist(self, questions, cases):
        for q in questions:
            unknown = [g for g in q["gold"] if g not in cases]
            assert not unknown, f"{q['id']}: unknown gold {unknown}"
            assert len(set(q["gold"])) == len(q["gold"]), f"{q['id']}: repeated gold"

    def test_out_of_scope_has_no_gold_and_no_must_contain(self, questions):
        for q in questions:
            if q["type"] == OUT_OF_SCOPE:
                assert q["gold"] == [] and q["must_contain"] == [], q["id"]

    def test_in_scope_questions_have_gold_and_one_to_three_must_contain(self, questions):
        for q in questions:
            if q["type"] != OUT_OF_SCOPE:
                assert q["gold"], f"{q['id']}: empty gold"
                assert 1 <= len(q["must_contain"]) <= 3, f"{q['id']}: {len(q['must_contain'])} must_contain"
                for needle in q["must_contain"]:
                    assert 1 <= len(needle) <= MUST_CONTAIN_MAX_CHARS, f"{q['id']}: {needle!r}"

    def test_must_contain_is_verbatim_in_gold_cases(self, questions, cases):
        for q in questions:
            text = "\n".join(case_text(cases[g]) for g in q["gold"] if g in cases)
            missing = [needle for needle in q["must_contain"] if needle not in text]
            assert not missing, f"{q['id']}: {missing} not in {q['gold']}"

    def test_multi_questions_have_several_gold_cases(self, questions):
        for q in questions:
            if q["type"] == "multi":
                assert len(q["gold"]) >= 2, q["id"]

    def test_every_case_is_gold_somewhere(self, main_set, cases):
        covered = {g for q in main_set for g in q["gold"]}
        assert sorted(set(cases) - covered) == []


class TestBalance:
    def test_enough_questions(self, main_set):
        assert len(main_set) >= MIN_QUESTIONS

    @pytest.mark.parametrize("type_", TYPES)
    def test_type_share_in_range(self, main_set, type_):
        low, high = TYPE_SHARES[type_]
        share = sum(q["type"] == type_ for q in main_set) / len(main_set)
        assert low <= share <= high, f"{type_}: {share:.1%} not in [{low:.0%}, {high:.0%}]"

    def test_enough_paraphrased_questions(self, main_set):
        share = sum(q["paraphrased"] for q in main_set) / len(main_set)
        assert share >= MIN_PARAPHRASED_SHARE, f"paraphrased {share:.1%}"
