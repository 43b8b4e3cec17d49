"""The eval report's answerability section: refusals per kind of question, the worst decisions, a reliability chart."""

from __future__ import annotations

from pathlib import Path

from . import charts

OUT_OF_SCOPE = "out_of_scope"
RELIABILITY_BINS = 10
WORST = 12


def _kind(row: dict) -> str:
    if row["type"] == OUT_OF_SCOPE:
        return f"域外 {row['oos_kind'] or '未分类'}"
    return f"域内 {row['type']}" + ("（英文）" if row.get("lang") == "en" else "")


def per_kind(rows: list[dict]) -> dict[str, tuple[int, float]]:
    """Kind of question → (questions, share refused): for out-of-scope kinds the refusal rate, for in-scope ones the
    false-refusal rate."""
    groups: dict[str, list[bool]] = {}
    for row in rows:
        groups.setdefault(_kind(row), []).append(row["refused"])
    return {kind: (len(v), sum(v) / len(v)) for kind, v in sorted(groups.items())}


def worst(rows: list[dict], count: int = WORST) -> list[dict]:
    """Wrong decisions, the most confident first: out-of-scope questions answered, in-scope questions refused."""
    wrong = [r for r in rows if r["refused"] != (r["type"] == OUT_OF_SCOPE)]

    def confidence(row: dict) -> float:
        p = row.get("probability")
        return 1.0 if p is None else (p if not row["refused"] else 1.0 - p)

    return sorted(wrong, key=confidence, reverse=True)[:count]


def reliability(rows: list[dict], bins: int = RELIABILITY_BINS) -> list[tuple[float, float, int]]:
    """(mean predicted probability, share actually answerable, questions) per probability bin."""
    scored = [(r["probability"], r["type"] != OUT_OF_SCOPE) for r in rows if r.get("probability") is not None]
    table = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(p, y) for p, y in scored if low <= p < high or (b == bins - 1 and p == 1.0)]
        if inside:
            table.append((sum(p for p, _ in inside) / len(inside), sum(y for _, y in inside) / len(inside), len(inside)))
    return table


def markdown(rows: list[dict]) -> list[str]:
    """Report lines: per-kind rates, reliability table, worst decisions."""
    lines = ["", "## 能否回答 / Answerability", "",
             "域外题看拒答率（越高越好），域内题看误拒率（越低越好）。", "",
             "| 题型 kind | 题数 n | 拒答率 refused |", "|---|---|---|"]
    lines += [f"| {kind} | {n} | {share:.3f} |" for kind, (n, share) in per_kind(rows).items()]
    table = reliability(rows)
    if table:
        lines += ["", "可靠性（模型给出的可回答概率 vs 实际可回答的比例）/ Reliability", "",
                  "| 预测概率 predicted | 实际可回答 actual | 题数 n |", "|---|---|---|"]
        lines += [f"| {p:.2f} | {actual:.2f} | {n} |" for p, actual, n in table]
    lines += ["", "最自信的错误判断 / Most confident wrong decisions", "",
              "| id | 题型 | 问题 | 拒答 | 理由 | 可回答概率 | 检索到 |", "|---|---|---|---|---|---|---|"]
    for row in worst(rows):
        p = row.get("probability")
        lines.append(f"| {row['id']} | {_kind(row)} | {row['question'].replace('|', '｜')} | "
                     f"{'是' if row['refused'] else '否'} | {row.get('refusal_kind') or '–'} | "
                     f"{'–' if p is None else f'{p:.3f}'} | {', '.join(row['retrieved'][:2])} |")
    return lines


def chart(rows: list[dict], path: Path) -> bool:
    """The reliability chart (predicted probability vs. share answerable); False when no question had a score."""
    table = reliability(rows)
    if not table:
        return False
    plt = charts.pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label=charts.label("完全校准", "perfectly calibrated"))
    ax.plot([p for p, _, _ in table], [a for _, a, _ in table], marker="o",
            label=charts.label("拒答模型", "answerability model"))
    for p, actual, n in table:
        ax.annotate(str(n), (p, actual), textcoords="offset points", xytext=(4, -10), fontsize=8)
    ax.set_xlabel(charts.label("预测的可回答概率", "predicted probability the compendium answers it"))
    ax.set_ylabel(charts.label("实际可回答的比例", "share actually answerable"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(charts.label("能否回答：预测与实际", "Answerability reliability"))
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
