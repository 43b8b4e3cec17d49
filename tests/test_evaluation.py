"""The eval runner evaluators read: real questions through the real pipeline, three report files."""

import json
import subprocess
import sys

import pytest

from assistant import evaluation
from assistant.settings import ROOT
from assistant.types import Answer, Citation, RetrievedCase


@pytest.fixture(scope="module")
def report(built_index):
    questions = evaluation.load_questions()
    sample = [q for q in questions if q.type in ("howto", "followup", "out_of_scope")][:4]
    sample += [q for q in questions if q.type == "followup"][:2] + [q for q in questions if q.type == "out_of_scope"][:2]
    return evaluation.run(["hybrid", "bm25"], built_index.settings, sample, show_progress=False)


class TestScoring:
    def test_ranks_citations_and_must_contain_are_counted(self):
        question = evaluation.Question("x", ("问",), "howto", ("2017-A3-2",), ("饿了么", "不存在的词"), True)
        citation = Citation(1, "2017-A3-2", "t", "u", "a", "做法", "q")
        retrieved = (RetrievedCase("2017-A3-1", "t", "u", "做法", 0.9), RetrievedCase("2017-A3-2", "t", "u", "做法", 0.8))
        answer = Answer("问", "……饿了么……", False, "extractive", (citation,), retrieved, None, {"total": 12.0})
        row = evaluation.score(question, answer)
        assert row["rank"] == 2 and row["first_citation"] is True
        assert (row["must_found"], row["must_total"]) == (1, 2)
        summary = evaluation.summarize([row])
        assert summary["hit@1"] == 0.0 and summary["hit@3"] == 1.0 and summary["mrr"] == 0.5
        assert summary["must_contain"] == 0.0 and summary["must_contain_strings"] == 0.5

    def test_a_dialogue_turns_key_fact_is_found_across_the_books_spaces(self):
        from assistant import dialogue_eval

        turn = {"class": "short_fact", "question": "入了多少人？", "gold": ["2017-A3-3"], "refuse": False,
                "must_contain": ["1031名会员", "2017年8月4日"]}
        answer = Answer("入了多少人？", "2017 年 8 月 4 日成立……1031 名会员已注册", False, "extractive",
                        (Citation(1, "2017-A3-3", "t", "u", "a", "做法", "q"),))
        row = dialogue_eval.score_turn(turn, answer)
        assert row["right"] and (row["must_found"], row["must_total"]) == (2, 2)

    def test_the_briefs_kind_names_are_scored_as_the_composers(self, tmp_path):
        path = tmp_path / "set.jsonl"
        lines = [{"id": "l", "question": "哪些工会帮了外卖小哥？", "type": "list", "gold": ["2017-A3-2", "2017-A3-4"],
                  "must_contain": [], "paraphrased": True},
                 {"id": "w", "question": "谁搞的", "type": "which_unit", "gold": ["2017-A3-2"], "must_contain": [],
                  "paraphrased": True}]
        path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
        listed, which = evaluation.load_questions(path)
        assert (listed.type, which.type) == ("multi", "which")
        answer = Answer(listed.turns[0], "《聚焦网约送餐员 创新建会入会方法》……", False, "extractive")
        assert evaluation.score(listed, answer)["list_share"] == 0.5

    def test_out_of_scope_counts_refusals(self):
        question = evaluation.Question("y", ("你好",), "out_of_scope", (), (), True)
        row = evaluation.score(question, Answer("你好", "抱歉", True, "extractive"))
        assert evaluation.summarize([row])["refusal_rate"] == 1.0


class TestRun:
    def test_every_configuration_has_summary_breakdown_and_rows(self, report):
        assert set(report["configs"]) == {"hybrid", "bm25"}
        for data in report["configs"].values():
            assert len(data["rows"]) == report["questions"]
            assert "type:followup" in data["breakdown"] and "paraphrased" in data["breakdown"]
            assert 0.0 <= data["summary"]["hit@3"] <= 1.0

    def test_follow_ups_run_as_conversations(self, report):
        rows = [r for r in report["configs"]["hybrid"]["rows"] if r["type"] == "followup"]
        assert rows and all("→" in r["question"] for r in rows)
        assert all(r["rank"] == 1 for r in rows)

    def test_reports_are_written(self, report, tmp_path):
        md, js, png, reliability = evaluation.write_reports(report, "sample", tmp_path)
        assert reliability.name == "sample-answerability.png" and reliability.read_bytes()[:4] == b"\x89PNG"
        text = md.read_text(encoding="utf-8")
        assert "| 命中@3 `hit@3` |" in text and "最差的题目" in text
        assert json.loads(js.read_text(encoding="utf-8"))["configs"]["hybrid"]["summary"]["questions"] == report["questions"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


class TestCli:
    def test_threshold_failure_exits_1_and_unknown_config_exits_2(self, built_index, tmp_path):
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ASSISTANT_INDEX_DIR": str(built_index.settings.index_dir)}
        base = [sys.executable, "-m", "assistant", "eval", "--limit", "3", "--out", str(tmp_path)]
        failed = subprocess.run(base + ["--min-hit3", "1.01"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
        assert failed.returncode == 1, failed.stderr
        assert "未达标" in failed.stderr
        assert (tmp_path / "hybrid.md").exists() and (tmp_path / "hybrid.png").exists()
        unknown = subprocess.run(base + ["--config", "nope"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
        assert unknown.returncode == 2 and "未知配置" in unknown.stderr


def test_charts_are_labelled_in_chinese_where_a_chinese_font_is_installed():
    """make test installs Noto CJK (scripts/browser.sh) as the users' desktops have one: the labels are Chinese."""
    from assistant import charts

    assert charts.label("拒答模型", "answerability model") == "拒答模型"
    assert charts.pyplot().rcParams["font.sans-serif"][0] in charts.CJK_FONTS
