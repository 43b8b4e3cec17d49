"""Run the eval question set through the assistant and report retrieval, citation, answer and refusal quality."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import answer_quality, answerability_report, charts
from .metrics import gold_rank, hit_at, percentile, reciprocal_rank
from .retrieval import RetrievalConfig
from .settings import ROOT, Settings
from .types import Answer

if TYPE_CHECKING:
    from .pipeline import Assistant

QUESTIONS = ROOT / "eval" / "questions.jsonl"
REPORTS = ROOT / "eval" / "reports"
OUT_OF_SCOPE = "out_of_scope"
RETRIEVAL_CONFIGS = {
    "hybrid": RetrievalConfig(),
    "hybrid-nosyn": RetrievalConfig(synonyms=False),
    "dense": RetrievalConfig(mode="dense"),
    "bm25": RetrievalConfig(mode="bm25"),
}
# The writers' brief (eval/briefs) names two kinds in words; the report scores them under the composer's names
# (list completeness for multi).
TYPE_ALIASES = {"which_unit": "which", "list": "multi"}
NAIVE = "naive"
CONFIG_NAMES = (*RETRIEVAL_CONFIGS, NAIVE)
METRIC_LABELS = {
    "hit@1": "命中@1", "hit@3": "命中@3", "hit@5": "命中@5", "mrr": "MRR",
    "first_citation": "首条引用正确", "citation_precision": "引用精确率", "citation_recall": "引用召回率",
    "must_contain": "关键内容齐全", "must_contain_strings": "关键内容命中（按条）",
    "refusal_rate": "域外拒答率", "false_refusal_rate": "误拒率",
    "latency_p50_ms": "延迟 p50 (ms)", "latency_p95_ms": "延迟 p95 (ms)",
    **answer_quality.LABELS,
}


@dataclass(frozen=True)
class Question:
    id: str
    turns: tuple[str, ...]
    type: str
    gold: tuple[str, ...]
    must_contain: tuple[str, ...]
    paraphrased: bool
    oos_kind: str = ""  # what kind of out-of-scope question (answerability set): labour_law, near_miss_org …
    lang: str = "zh"
    lead: tuple[str, ...] = ()  # key facts the answer's first line must hold (answer-quality set)

    @property
    def in_scope(self) -> bool:
        return self.type != OUT_OF_SCOPE


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        turns = item["question"] if isinstance(item["question"], list) else [item["question"]]
        kind = TYPE_ALIASES.get(item["type"], item["type"])
        questions.append(Question(item["id"], tuple(turns), kind, tuple(item["gold"]),
                                  tuple(item["must_contain"]), bool(item["paraphrased"]), item.get("oos_kind") or "",
                                  item.get("lang", "zh"), tuple(item.get("lead") or ())))
    return questions


def score(question: Question, answer: Answer) -> dict:
    """Per-question results: ranks, citations, must_contain, refusal, latency."""
    ranked = [r.case_id for r in answer.retrieved]
    gold = set(question.gold)
    rank = gold_rank(ranked, gold)
    cited = list(answer.cited_cases)
    # Whitespace ignored: the compendium spaces numbers ("88 共享出行") that question writers run together.
    found = [s for s in question.must_contain if answer_quality.contains(answer.answer, s)]
    return {
        "id": question.id, "type": question.type, "paraphrased": question.paraphrased,
        "question": " → ".join(question.turns), "gold": list(question.gold),
        "retrieved": ranked, "cited": cited, "refused": answer.refused,
        "rank": rank,
        "citation_precision": (sum(c in gold for c in cited) / len(cited)) if cited else None,
        "citation_recall": (len(gold & set(cited)) / len(gold)) if gold else None,
        "first_citation": bool(cited) and cited[0] in gold,
        "must_found": len(found), "must_total": len(question.must_contain),
        "latency_ms": answer.timings_ms.get("total", 0.0),
        "answer": answer.answer,
        "oos_kind": question.oos_kind, "lang": question.lang,
        "probability": answer.verdict.probability if answer.verdict else None,
        "refusal_kind": answer.verdict.kind if answer.verdict and answer.refused else "",
        **answer_quality.score(question.type, question.gold, question.lead, answer.answer, answer.refused),
    }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _percentile(values: list[float], q: float) -> float | None:
    return round(percentile(values, q), 1) if values else None


def summarize(rows: list[dict]) -> dict:
    """Aggregate metrics over a set of per-question rows."""
    inside = [r for r in rows if r["type"] != OUT_OF_SCOPE]
    outside = [r for r in rows if r["type"] == OUT_OF_SCOPE]
    answered = [r for r in inside if not r["refused"]]
    latencies = [r["latency_ms"] for r in rows]
    return {
        "questions": len(rows),
        "hit@1": _mean([hit_at(r["rank"], 1) for r in inside]),
        "hit@3": _mean([hit_at(r["rank"], 3) for r in inside]),
        "hit@5": _mean([hit_at(r["rank"], 5) for r in inside]),
        "mrr": _mean([reciprocal_rank(r["rank"]) for r in inside]),
        "first_citation": _mean([r["first_citation"] for r in inside]),
        "citation_precision": _mean([r["citation_precision"] for r in answered if r["citation_precision"] is not None]),
        "citation_recall": _mean([r["citation_recall"] for r in inside if r["citation_recall"] is not None]),
        "must_contain": _mean([r["must_found"] == r["must_total"] for r in inside]),
        "must_contain_strings": _mean([r["must_found"] / r["must_total"] for r in inside if r["must_total"]]),
        "refusal_rate": _mean([r["refused"] for r in outside]),
        "false_refusal_rate": _mean([r["refused"] for r in inside]),
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
        **answer_quality.summarize(rows),
    }


def breakdown(rows: list[dict]) -> dict:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(f"type:{row['type']}", []).append(row)
        if row["type"] != OUT_OF_SCOPE:
            groups.setdefault("paraphrased" if row["paraphrased"] else "literal", []).append(row)
    return {name: summarize(group) for name, group in sorted(groups.items())}


def make_asker(name: str, settings: Settings) -> Callable[[Question], Answer]:
    """The ask function of a named configuration: the same code path the CLI and the web chat use."""
    from .pipeline import Assistant

    if name == NAIVE:
        from .baseline import NaiveRecipe
        from .embeddings import load_embeddings

        recipe = NaiveRecipe(settings, load_embeddings(settings.embedding_model))
        return lambda question: recipe.ask(question.turns[-1])  # the naive recipe has no dialogue: the last turn
    if name not in RETRIEVAL_CONFIGS:
        raise ValueError(f"未知配置「{name}」，可选：{', '.join(CONFIG_NAMES)}")
    return asker(Assistant(settings, RETRIEVAL_CONFIGS[name]))


def asker(assistant: Assistant) -> Callable[[Question], Answer]:
    """Ask a loaded assistant (a configuration's, or the web app's own) a question turn by turn, as a user would."""
    from .pipeline import Turn

    def ask(question: Question) -> Answer:
        history: list[Turn] = []
        answer = None
        for turn in question.turns:
            answer = assistant.ask(turn, history)
            history.append(Turn(turn, answer))
        return answer

    return ask


def config_name(assistant: Assistant) -> str:
    """The name of the retrieval configuration a loaded assistant uses (hybrid for the web app's), or 'custom'."""
    return next((name for name, config in RETRIEVAL_CONFIGS.items() if config == assistant.searcher.config), "custom")


def run(names: list[str], settings: Settings, questions: list[Question], show_progress: bool = True,
        on_question: Callable[[int, int], None] | None = None) -> dict:
    """Every question through every configuration; returns all numbers and per-question rows. `on_question(done,
    total)` is told after each question (total counts every configuration's questions)."""
    results, total = {}, len(names) * len(questions)
    for done, name in enumerate(names):
        counted = None if on_question is None else (lambda n, done=done: on_question(done * len(questions) + n, total))
        results[name] = evaluate(name, make_asker(name, settings), questions, show_progress, counted)
    return make_report(results, settings.embedding_model, len(questions))


def evaluate(name: str, ask: Callable[[Question], Answer], questions: list[Question], show_progress: bool = True,
             on_question: Callable[[int, int], None] | None = None) -> dict:
    """One configuration's results: its summary, its breakdown by group and a row per question."""
    from tqdm import tqdm

    rows = []
    for question in tqdm(questions, desc=f"评测 {name}", unit="题", file=sys.stderr, disable=not show_progress):
        rows.append(score(question, ask(question)))
        if on_question is not None:
            on_question(len(rows), len(questions))
    return {"summary": summarize(rows), "breakdown": breakdown(rows), "rows": rows}


def make_report(results: dict[str, dict], embedding_model: str, questions: int) -> dict:
    """The report of one run: when, with which embedding model, how many questions, each configuration's results."""
    return {"created": time.strftime("%Y-%m-%d %H:%M:%S"), "embedding_model": embedding_model,
            "questions": questions, "configs": results}


def format_value(value) -> str:
    """A metric as the reports show it: – for none, three decimals for a rate, the number itself otherwise."""
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else f"{value}"


def markdown(report: dict, worst: int = 15) -> str:
    """A readable report: headline table per configuration, breakdowns, and the worst questions."""
    configs = report["configs"]
    names = list(configs)
    lines = [
        "# 评测报告 / Evaluation report", "",
        f"- 时间：{report['created']}；题目数：{report['questions']}；向量模型：{report['embedding_model']}",
        "- 命中@k：前 k 个检索到的案例中有正确案例的题目比例（只计域内题）；MRR：正确案例名次倒数的平均；",
        "  关键内容齐全：回答包含该题全部 must_contain 字符串的比例；误拒率：域内题被拒答的比例。", "",
        "## 总体 / Overall", "",
        "| 指标 metric | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for key, label in METRIC_LABELS.items():
        lines.append(f"| {label} `{key}` | " + " | ".join(format_value(configs[n]["summary"][key]) for n in names) + " |")
    for name in names:
        lines += ["", f"## 分组：{name} / Breakdown", "",
                  "| 分组 group | 题数 n | hit@1 | hit@3 | MRR | must_contain | 拒答率 refused |",
                  "|---|---|---|---|---|---|---|"]
        for group, summary in configs[name]["breakdown"].items():
            lines.append(f"| {group} | {summary['questions']} | " + " | ".join(group_values(group, summary)) + " |")
    first = names[0]
    bad = worst_rows(configs[first]["rows"], worst)
    lines += ["", f"## 最差的题目（{first}）/ Worst questions", "",
              "| id | 类型 | 问题 | 正确案例 | 检索到 | 拒答 | 关键内容 |", "|---|---|---|---|---|---|---|"]
    for row in bad:
        question = row["question"].replace("|", "｜")
        lines.append(f"| {row['id']} | {row['type']} | {question} | {', '.join(row['gold']) or '–'} | "
                     f"{', '.join(row['retrieved'][:3])} | {'是' if row['refused'] else '否'} | "
                     f"{row['must_found']}/{row['must_total']} |")
    lines += answer_quality.markdown(configs[first]["rows"])
    lines += answerability_report.markdown(configs[first]["rows"])
    return "\n".join(lines) + "\n"


def group_values(group: str, summary: dict) -> list[str]:
    """A group's hit@1, hit@3, MRR, key content and refusals as the reports show them: the refusal rate for the
    out-of-scope group, the false refusal rate for the others."""
    refused = summary["refusal_rate"] if group == f"type:{OUT_OF_SCOPE}" else summary["false_refusal_rate"]
    return [format_value(v) for v in (summary["hit@1"], summary["hit@3"], summary["mrr"], summary["must_contain"], refused)]


def worst_rows(rows: list[dict], count: int) -> list[dict]:
    """The `count` worst questions of a run, worst first (see _badness)."""
    return sorted(rows, key=_badness, reverse=True)[:count]


def _badness(row: dict) -> tuple:
    """Worst first: wrongly refused or answered, then the gold case ranked lowest, then missing key content."""
    if row["type"] == OUT_OF_SCOPE:
        return (not row["refused"], 0, 0)
    return (row["refused"] or row["rank"] is None, row["rank"] or 99, row["must_total"] - row["must_found"])


def chart(report: dict, path: Path) -> None:
    """hit@3 (refusal rate for out-of-scope) per question type, one bar group per configuration."""
    plt = charts.pyplot()
    configs = report["configs"]
    groups = sorted({g for c in configs.values() for g in c["breakdown"] if g.startswith("type:")})
    fig, ax = plt.subplots(figsize=(max(8, len(groups) * 1.2), 4.5))
    width = 0.8 / max(1, len(configs))
    for i, (name, data) in enumerate(configs.items()):
        values = []
        for group in groups:
            summary = data["breakdown"][group]
            values.append(summary["refusal_rate"] if group == "type:out_of_scope" else summary["hit@3"] or 0)
        ax.bar([x + i * width for x in range(len(groups))], values, width, label=name)
    ax.set_xticks([x + width * (len(configs) - 1) / 2 for x in range(len(groups))])
    ax.set_xticklabels([g[5:] for g in groups], rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(charts.label("前 3 名命中率（域外题：拒答率）", "hit@3 (out_of_scope: refusal rate)"))
    ax.set_title(charts.label("按题型和配置的评测结果", "Eval by question type and configuration"))
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(report: dict, name: str, directory: Path = REPORTS) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{name}.md", directory / f"{name}.json", directory / f"{name}.png"]
    paths[0].write_text(markdown(report), encoding="utf-8")
    paths[1].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    chart(report, paths[2])
    reliability = directory / f"{name}-answerability.png"
    if answerability_report.chart(next(iter(report["configs"].values()))["rows"], reliability):
        paths.append(reliability)
    return paths


def check_thresholds(summary: dict, thresholds: dict[str, float]) -> list[str]:
    """Metrics below their minimum, as Chinese messages."""
    return [f"{METRIC_LABELS[key]} {summary[key]} 低于要求 {minimum}"
            for key, minimum in thresholds.items() if (summary[key] or 0) < minimum]
