"""The administrator's tab (管理与评测): all feedback exported as CSV, and the evaluator's page (the latest report of
the question set, two runs compared, the question set run on the live assistant), open as access.may_administer
allows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import gradio as gr
from PIL import Image

from .. import evaluation
from ..access import may_administer
from ..evaluation import METRIC_LABELS, OUT_OF_SCOPE, format_value
from ..feedback import SHANGHAI, FeedbackError, FeedbackStore
from ..pipeline import Assistant
from ..types import APP_NAME
from .downloads import DownloadFolder

# Runs started from the page go into this folder of the index directory (which the service may write, where a
# deployment's checkout may be read-only), never over the committed eval/reports.
WEB_RUNS = "eval-runs"
WORST = 15
REFUSED_PASSWORD = "⚠️ 管理员密码不对（或没有填写），请输入正确的管理员密码再试。"
REFUSED_REMOTE = ("⚠️ 本服务没有设置管理员密码，导出反馈和评测只能在服务器本机（127.0.0.1）上直接打开网页时使用。"
                  "从其他电脑或经反向代理访问时，请管理员设置 ASSISTANT_ADMIN_PASSWORD 后重启。")
KIND_LABELS = {
    "howto": "怎么做", "which": "哪个案例", "outcome": "成效", "fact": "事实", "multi": "列举", "expert": "专家点评",
    "followup": "追问", "why": "原因", OUT_OF_SCOPE: "域外",
}
GROUP_LABELS = {"paraphrased": "日常说法", "literal": "原文用语"}
# Metrics where a smaller number is the better one, for the comparison's 更好/更差.
LOWER_IS_BETTER = {"false_refusal_rate", "latency_p50_ms", "latency_p95_ms"}
NEUTRAL = {"answer_chars_median"}
KIND_HEADERS = ["分组", "题数", "命中@1", "命中@3", "MRR", "关键内容齐全", "拒答率"]
WORST_HEADERS = ["编号", "类型", "问题", "正确案例", "检索到（前 3）", "拒答", "关键内容"]
COMPARE_HEADERS = ["指标", "运行 A", "运行 B", "差（B − A）"]
# Gradio fills in a gr.Progress given as a parameter's default; one shared instance is enough.
_PROGRESS = gr.Progress()


@dataclass(frozen=True)
class Run:
    """One evaluation report on disk (eval/reports/<name>.json and its .png, or a run from this page)."""

    path: Path
    report: dict

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def created(self) -> str:
        return self.report.get("created", "")

    @property
    def configs(self) -> list[str]:
        return list(self.report["configs"])

    def question_ids(self) -> set[str]:
        return {row["id"] for config in self.report["configs"].values() for row in config["rows"]}

    def label(self, config: str) -> str:
        return f"{self.name} · {config}（{self.created}，{self.report['questions']} 题）"


class Admin:
    """The handlers of the 管理与评测 tab: the password (or, without one, this machine only) is checked on every event.

    `questions` is the question set 运行评测 runs (the project's own, eval/questions.jsonl); its latest report is
    the newest among `reports` folders that asked its questions. New runs are written to `runs` (by default
    eval-runs in the index directory)."""

    def __init__(self, assistant: Assistant, store: FeedbackStore, downloads: DownloadFolder, password: str = "",
                 questions: Path = evaluation.QUESTIONS, reports: Sequence[Path] = (evaluation.REPORTS,),
                 runs: Path | None = None) -> None:
        self.assistant, self.store, self.downloads = assistant, store, downloads
        self.password = password
        self.questions = Path(questions)
        self.runs_folder = runs or assistant.settings.index_dir / WEB_RUNS
        self.folders = [*reports, self.runs_folder]

    @property
    def notice(self) -> str:
        """How this tab is protected, for the top of the tab."""
        if self.password:
            return "导出反馈和评测需要管理员密码（由 ASSISTANT_ADMIN_PASSWORD 设置）。"
        return ("本服务没有设置管理员密码：导出反馈和评测只能在服务器本机（127.0.0.1）上直接打开网页时使用；"
                "经反向代理或从其他电脑访问，需要先设置 ASSISTANT_ADMIN_PASSWORD。")

    def refusal(self, password: str, request: gr.Request | None) -> str | None:
        """None when the request may use this tab, otherwise the Chinese message saying why not."""
        client = getattr(getattr(request, "client", None), "host", None)
        headers = dict(getattr(request, "headers", None) or {})
        if may_administer(password, self.password, client, headers):
            return None
        return REFUSED_PASSWORD if self.password else REFUSED_REMOTE

    # ------------------------------------------------------------ feedback

    def export_feedback(self, password: str, request: gr.Request) -> tuple:
        """导出全部反馈（CSV）: (the file to download, or hidden when refused; status text)."""
        refused = self.refusal(password, request)
        if refused:
            return gr.update(value=None, visible=False), refused
        name = f"{APP_NAME}-反馈记录-{datetime.now(SHANGHAI):%Y%m%d-%H%M}.csv"
        try:
            path = self.store.export_csv(self.downloads.new() / name)
        except FeedbackError as error:
            return gr.update(value=None, visible=False), f"⚠️ {error}"
        count = len(self.store.records())
        return gr.update(value=str(path), visible=True), f"已导出 {count} 条反馈（时间为北京时间）。"

    # ------------------------------------------------------------ evaluation

    def runs(self) -> list[Run]:
        """Every evaluation report in the folders, newest first (multi-turn dialogue reports have their own form and
        are left out, and so is a report still being written)."""
        found = []
        for folder in self.folders:
            for path in sorted(Path(folder).glob("*.json")):
                try:
                    report = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(report, dict) and "configs" in report:
                    found.append(Run(path, report))
        return sorted(found, key=lambda run: (run.created, run.path.stat().st_mtime), reverse=True)

    def show_reports(self, password: str, request: gr.Request) -> tuple:
        """查看最新报告: (status, the report area shown, overall table, per-kind table, chart, worst questions, run A
        and run B pickers set to the two latest runs of the question set)."""
        blocked = self._blocked(password, request)
        if blocked:
            return blocked, gr.update(visible=False), *([gr.skip()] * 6)
        return self._report_view(self.runs())

    def run_evaluation(self, password: str, request: gr.Request, progress: gr.Progress = _PROGRESS) -> tuple:
        """运行评测: every question of the set through the live assistant, with a progress bar; then the new report,
        as 查看最新报告 shows it."""
        blocked = self._blocked(password, request)
        if blocked:
            return blocked, gr.update(visible=False), *([gr.skip()] * 6)
        questions = evaluation.load_questions(self.questions)
        progress(0, desc=f"第 0/{len(questions)} 题")
        config = evaluation.config_name(self.assistant)
        result = evaluation.evaluate(config, evaluation.asker(self.assistant), questions, show_progress=False,
                                     on_question=lambda done, total: progress(done / total, desc=f"第 {done}/{total} 题"))
        report = evaluation.make_report({config: result}, self.assistant.settings.embedding_model, len(questions))
        progress(1, desc="正在写出报告")
        stamp = report["created"].replace("-", "").replace(":", "").replace(" ", "-")  # named by the time it shows
        evaluation.write_reports(report, f"web-{stamp}", self.runs_folder)
        return self._report_view(self.runs())

    def compare(self, first: str | None, second: str | None, password: str, request: gr.Request) -> tuple:
        """比较: (status, the two runs' metrics side by side with B − A)."""
        refused = self.refusal(password, request)
        if refused:
            return refused, gr.update(visible=False)
        runs = self.runs()
        picked = [_pick(runs, value) for value in (first, second)]
        if None in picked:
            return "请在上面选两次运行（A 和 B），再点「比较」。", gr.update(visible=False)
        (run_a, config_a), (run_b, config_b) = picked
        a, b = run_a.report["configs"][config_a]["summary"], run_b.report["configs"][config_b]["summary"]
        rows = [["题数", a["questions"], b["questions"], f"{b['questions'] - a['questions']:+d}".replace("+0", "0")]]
        rows += [[label, format_value(a.get(key)), format_value(b.get(key)), _difference(key, a.get(key), b.get(key))]
                 for key, label in METRIC_LABELS.items()]
        status = f"**A**：{run_a.label(config_a)}　**B**：{run_b.label(config_b)}"
        if run_a.question_ids() != run_b.question_ids():
            status += "\n\n⚠️ 两次运行的题目不同，指标只能粗略比较。"
        return status, gr.update(value={"headers": COMPARE_HEADERS, "data": rows}, visible=True)

    def _blocked(self, password: str, request: gr.Request | None) -> str | None:
        """Why the evaluator's page cannot be shown: not allowed, or no question set (a deployment without eval/)."""
        refused = self.refusal(password, request)
        if refused or self.questions.is_file():
            return refused
        return f"⚠️ 找不到评测题集 {self.questions.name}：请确认部署包含 eval/ 目录。"

    def _report_view(self, runs: list[Run]) -> tuple:
        own = self._of_question_set(runs)
        choices = [(run.label(config), f"{run.name}/{config}") for run in runs for config in run.configs]
        if not own:
            return (f"还没有题集 {self.questions.name} 的评测报告：点「运行评测」生成一份。", gr.update(visible=False),
                    *([gr.skip()] * 4), gr.update(choices=choices), gr.update(choices=choices))
        latest = own[0]
        first = latest.configs[0]
        summary = latest.report["configs"][first]
        status = (f"**最新报告**：{latest.name}（{latest.created}，{latest.report['questions']} 题，"
                  f"配置 {'、'.join(latest.configs)}；向量模型 {latest.report.get('embedding_model', '–')}）")
        previous = f"{own[1].name}/{own[1].configs[0]}" if len(own) > 1 else None
        return (status, gr.update(visible=True), self._overall(latest), _kinds(summary["breakdown"]),
                _chart(latest.path.with_suffix(".png")), self._worst(summary["rows"]),
                gr.update(choices=choices, value=previous), gr.update(choices=choices, value=f"{latest.name}/{first}"))

    def _of_question_set(self, runs: list[Run]) -> list[Run]:
        """The runs that asked questions of this question set, newest first."""
        ids = {question.id for question in evaluation.load_questions(self.questions)}
        return [run for run in runs if run.question_ids() & ids]

    @staticmethod
    def _overall(run: Run) -> dict:
        rows = [[label, *(format_value(run.report["configs"][c]["summary"].get(key)) for c in run.configs)]
                for key, label in METRIC_LABELS.items()]
        return {"headers": ["指标", *run.configs], "data": rows}

    def _worst(self, rows: list[dict]) -> dict:
        """The worst questions, with the cases that were right and the three retrieved first."""
        data = [[row["id"], _kind_label(row["type"]), row["question"], self._cases(row["gold"]) or "–",
                 self._cases(row["retrieved"][:3]) or "–", "是" if row["refused"] else "否",
                 f"{row['must_found']}/{row['must_total']}" if row["must_total"] else "–"]
                for row in evaluation.worst_rows(rows, WORST)]
        return {"headers": WORST_HEADERS, "data": data}

    def _cases(self, case_ids: Sequence[str]) -> str:
        """Case ids with their titles, one a line."""
        cases = [(case_id, self.assistant.compendium.get(case_id)) for case_id in case_ids]
        return "\n".join(f"{case_id} {case.title}" if case else case_id for case_id, case in cases)


def _pick(runs: list[Run], value: str | None) -> tuple[Run, str] | None:
    """The run and configuration a picker's value ("<report name>/<config>") names, if it is one on disk."""
    name, _, config = (value or "").rpartition("/")
    return next(((run, config) for run in runs if run.name == name and config in run.report["configs"]), None)


def _kinds(breakdown: dict) -> dict:
    rows = [[_group_label(group), summary["questions"], *evaluation.group_values(group, summary)]
            for group, summary in breakdown.items()]
    return {"headers": KIND_HEADERS, "data": rows}


def _group_label(group: str) -> str:
    kind = group.removeprefix("type:")
    return _kind_label(kind) if kind != group else GROUP_LABELS.get(group, group)


def _kind_label(kind: str) -> str:
    return f"{KIND_LABELS[kind]}（{kind}）" if kind in KIND_LABELS else kind


def _chart(path: Path) -> Image.Image | None:
    """The report's chart, handed to the page as an image (the report folder need not be one Gradio serves)."""
    if not path.is_file():
        return None
    with Image.open(path) as image:
        return image.copy()


def _difference(key: str, a, b) -> str:
    """B − A, and whether B is 更好 or 更差 on this metric."""
    if a is None or b is None:
        return "–"
    change = b - a
    if abs(change) < 1e-9:
        return "0（持平）"
    text = f"{change:+.3f}" if isinstance(a, float) and abs(a) <= 1 and abs(b) <= 1 else f"{change:+.1f}"
    if key in NEUTRAL:
        return text
    better = (change < 0) if key in LOWER_IS_BETTER else (change > 0)
    return f"{text}（{'更好' if better else '更差'}）"
