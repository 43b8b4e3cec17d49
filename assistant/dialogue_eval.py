"""Multi-turn dialogues through the assistant, turn by turn, as a chat would carry them: per-turn accuracy,
follow-up accuracy and refusals inside dialogues (eval/dialogues.jsonl)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .answer_quality import contains
from .settings import Settings

FIRST = "first"


def load_dialogues(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_turn(turn: dict, answer) -> dict:
    """One turn: right when refused as it should be, or answered with a gold case cited first."""
    cited = list(answer.cited_cases)
    gold = set(turn["gold"])
    if turn["refuse"]:
        right = answer.refused
    else:
        right = not answer.refused and bool(cited) and cited[0] in gold
    found = [s for s in turn["must_contain"] if contains(answer.answer, s)]  # the book spaces its numbers: 1031 名
    follow = answer.follow_up
    return {"class": turn["class"], "question": turn["question"], "gold": turn["gold"], "refuse": turn["refuse"],
            "refused": answer.refused, "cited": cited, "right": right,
            "must_found": len(found), "must_total": len(turn["must_contain"]),
            "follow_up": None if follow is None else follow.kind,
            "latency_ms": answer.timings_ms.get("total", 0.0)}


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(turns: list[dict]) -> dict:
    later = [t for t in turns if t["class"] != FIRST]
    answerable_later = [t for t in later if not t["refuse"]]
    from .metrics import percentile

    first_latency = [t["latency_ms"] for t in turns if t["class"] == FIRST]
    later_latency = [t["latency_ms"] for t in later]
    return {
        "turns": len(turns),
        "turn_accuracy": _share([t["right"] for t in turns]),
        "follow_up_accuracy": _share([t["right"] for t in later]),
        "refused_when_out_of_scope": _share([t["refused"] for t in turns if t["refuse"]]),
        "refused_when_answerable": _share([t["refused"] for t in turns if not t["refuse"]]),
        "follow_up_key_facts": _share([t["must_found"] == t["must_total"] for t in answerable_later if t["must_total"]]),
        "first_p50_ms": round(percentile(first_latency, 0.5), 1) if first_latency else None,
        "follow_up_p50_ms": round(percentile(later_latency, 0.5), 1) if later_latency else None,
    }


def run(settings: Settings, dialogues: list[dict], show_progress: bool = True) -> dict:
    from tqdm import tqdm

    from .pipeline import Assistant, Turn

    assistant = Assistant(settings, show_progress=show_progress)
    rows = []
    for dialogue in tqdm(dialogues, desc="评测对话", unit="组", file=sys.stderr, disable=not show_progress):
        history: list[Turn] = []
        for turn in dialogue["turns"]:
            answer = assistant.ask(turn["question"], history)
            rows.append({"dialogue": dialogue["id"], **score_turn(turn, answer)})
            history.append(Turn(turn["question"], answer))
    classes = sorted({r["class"] for r in rows})
    return {"created": time.strftime("%Y-%m-%d %H:%M:%S"), "dialogues": len(dialogues), "summary": summarize(rows),
            "by_class": {c: summarize([r for r in rows if r["class"] == c]) for c in classes}, "rows": rows}


LABELS = {"turn_accuracy": "每轮正确率", "follow_up_accuracy": "追问轮正确率",
          "refused_when_out_of_scope": "对话中域外轮拒答率", "refused_when_answerable": "对话中误拒率",
          "follow_up_key_facts": "追问回答关键内容齐全", "first_p50_ms": "首问延迟 p50 (ms)",
          "follow_up_p50_ms": "追问延迟 p50 (ms)"}


def markdown(report: dict) -> str:
    lines = ["# 多轮对话评测 / Dialogue eval", "", f"- 时间：{report['created']}；对话 {report['dialogues']} 组，"
             f"{report['summary']['turns']} 轮", "",
             "| 指标 | 值 |", "|---|---|"]
    lines += [f"| {label} `{key}` | {report['summary'][key]} |" for key, label in LABELS.items()]
    lines += ["", "## 按轮次类别 / By turn class", "", "| 类别 | 轮数 | 正确率 | 关键内容齐全 |", "|---|---|---|---|"]
    for name, summary in report["by_class"].items():
        lines.append(f"| {name} | {summary['turns']} | {summary['turn_accuracy']} | {summary['follow_up_key_facts']} |")
    wrong = [r for r in report["rows"] if not r["right"]]
    lines += ["", "## 答错的轮次 / Wrong turns", "", "| 对话 | 类别 | 问题 | 正确案例 | 引用 | 拒答 | 判为 |",
              "|---|---|---|---|---|---|---|"]
    for r in wrong:
        lines.append(f"| {r['dialogue']} | {r['class']} | {r['question'].replace('|', '｜')} | "
                     f"{', '.join(r['gold']) or '（应拒答）'} | {', '.join(r['cited'][:2]) or '–'} | "
                     f"{'是' if r['refused'] else '否'} | {r['follow_up'] or '–'} |")
    return "\n".join(lines) + "\n"


def write_reports(report: dict, name: str, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{name}.md", directory / f"{name}.json"]
    paths[0].write_text(markdown(report), encoding="utf-8")
    paths[1].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return paths
