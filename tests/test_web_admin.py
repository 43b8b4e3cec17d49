"""The administrator's tab 管理与评测: who may use it (access.may_administer), the feedback export (refused without the
password, a CSV in Shanghai time under a proper name), and the evaluator's page (the latest report, two runs
compared, 运行评测 with its progress bar). Handlers called directly on the real assistant, then the page in chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import gradio as gr
import pytest
from browsing import DESKTOP, DISLIKE, LIKE, RIDER_CASE, RIDER_QUESTION, RIDER_UNIT, SCREENSHOTS, ask, free_port, open_page

from assistant import evaluation
from assistant.access import RateLimiter, may_administer
from assistant.feedback import CSV_TIME, SHANGHAI, FeedbackStore, local_time
from assistant.pipeline import Assistant
from assistant.web import DownloadFolder, build_app, launch
from assistant.web.admin import REFUSED_PASSWORD, REFUSED_REMOTE, Admin

PASSWORD = "工会-评测-2026"
LOCAL = {"host": "127.0.0.1"}
EXPORT_NAME = re.compile(r"^工会案例问答助手-反馈记录-\d{8}-\d{4}\.csv$")
# The committed reports the tests read: compare.json asked eval/questions.jsonl, holdout.json another set (and is newer).
OWN_REPORT, OTHER_REPORT = "compare", "holdout"


def request(client: dict | None = None, **headers: str) -> gr.Request:
    """A request as Gradio hands it to a queued event: the client's address and the headers."""
    return gr.Request(client=client or LOCAL, headers=headers)


@pytest.fixture(scope="module")
def small_questions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four questions of the project's own set, one of each of four kinds (a follow-up has two turns)."""
    chosen: dict[str, str] = {}
    for line in evaluation.QUESTIONS.read_text(encoding="utf-8").splitlines():
        kind = json.loads(line)["type"]
        if kind in ("howto", "which", "out_of_scope", "followup"):
            chosen.setdefault(kind, line)
    path = tmp_path_factory.mktemp("questions") / "small.jsonl"
    path.write_text("\n".join(chosen.values()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report folder with copies of two committed reports (with their charts)."""
    folder = tmp_path_factory.mktemp("reports")
    for name in (OWN_REPORT, OTHER_REPORT):
        for suffix in (".json", ".png"):
            shutil.copy(evaluation.REPORTS / f"{name}{suffix}", folder)
    return folder


def rated_store(path: Path) -> FeedbackStore:
    store = FeedbackStore(path)
    store.add(RIDER_QUESTION, f"可以参考{RIDER_UNIT}的做法 [1]", [{"case_id": RIDER_CASE, "unit": RIDER_UNIT}],
              "extractive", "down", "希望给出联系人")
    return store


# ---------------------------------------------------------------- who may administer

class TestMayAdminister:
    def test_with_a_password_only_the_password_opens_it_even_on_this_machine(self):
        assert may_administer(PASSWORD, PASSWORD, "10.1.2.3", ["x-forwarded-for"])
        assert not may_administer("", PASSWORD, "127.0.0.1", [])
        assert not may_administer("工会-评测-2025", PASSWORD, "127.0.0.1", [])
        assert not may_administer(PASSWORD + " ", PASSWORD, "127.0.0.1", [])

    def test_without_a_password_only_this_machine_not_through_a_proxy(self):
        assert may_administer("", "", "127.0.0.1", ["host", "user-agent"])
        assert may_administer("anything", "", "::1", [])
        assert not may_administer("", "", "192.168.1.20", [])
        assert not may_administer("", "", None, [])
        for header in ("X-Forwarded-For", "x-forwarded-for", "Forwarded", "X-Real-IP"):  # nginx in deploy/ sets one
            assert not may_administer("", "", "127.0.0.1", ["host", header])


# ---------------------------------------------------------------- handlers, called directly

class TestFeedbackExport:
    def test_refused_without_the_password_and_no_file_is_written(self, assistant: Assistant, tmp_path: Path):
        downloads = DownloadFolder()
        admin = Admin(assistant, rated_store(tmp_path / "fb.sqlite3"), downloads, PASSWORD)
        for given in ("", "wrong"):
            file, status = admin.export_feedback(given, request())
            assert file == gr.update(value=None, visible=False) and status == REFUSED_PASSWORD
        assert not list(Path(downloads._root.name).rglob("*.csv"))

    def test_refused_without_a_password_set_for_a_remote_or_proxied_browser(self, assistant: Assistant,
                                                                             tmp_path: Path):
        admin = Admin(assistant, rated_store(tmp_path / "fb.sqlite3"), DownloadFolder())
        for refused in (request({"host": "203.0.113.9"}), request(**{"x-forwarded-for": "203.0.113.9"})):
            file, status = admin.export_feedback("", refused)
            assert file["visible"] is False and status == REFUSED_REMOTE and "ASSISTANT_ADMIN_PASSWORD" in status
        file, status = admin.export_feedback("", request())
        assert file["visible"] is True and "已导出 1 条反馈" in status

    def test_with_the_password_a_csv_named_by_shanghai_time_with_shanghai_times(self, assistant: Assistant,
                                                                                 tmp_path: Path):
        store = rated_store(tmp_path / "fb.sqlite3")
        admin = Admin(assistant, store, DownloadFolder(), PASSWORD)
        file, status = admin.export_feedback(PASSWORD, request({"host": "198.51.100.7"}, **{"x-forwarded-for": "x"}))
        path = Path(file["value"])
        assert EXPORT_NAME.match(path.name) and "北京时间" in status
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert [(r["问题"], r["评价"], r["意见"]) for r in rows] == [(RIDER_QUESTION, "👎", "希望给出联系人")]
        stored = store.records()[0]["created_at"]  # ISO with the server's offset
        assert rows[0]["时间"] == local_time(stored) and "+" not in rows[0]["时间"]
        exported_at = path.stem.rsplit("-", 2)[1:]  # the name's date and minute are Shanghai's, as the time inside
        assert "".join(exported_at) == rows[0]["时间"].replace("-", "").replace(" ", "").replace(":", "")[:12]


class TestEvaluatorPage:
    def test_the_latest_report_of_the_question_set_with_its_tables_chart_and_worst_questions(
            self, assistant: Assistant, reports: Path, tmp_path: Path):
        admin = Admin(assistant, FeedbackStore(tmp_path / "fb.sqlite3"), DownloadFolder(), PASSWORD,
                      reports=(reports,), runs=tmp_path / "runs")
        (tmp_path / "runs").mkdir()
        (tmp_path / "runs" / "web-20991231-000000.json").write_text('{"configs": {', encoding="utf-8")  # being written
        status, area, overall, kinds, chart, worst, run_a, run_b = admin.show_reports(PASSWORD, request())
        committed = json.loads((reports / f"{OWN_REPORT}.json").read_text(encoding="utf-8"))
        # holdout is newer but asked other questions: the latest report of eval/questions.jsonl is compare
        assert f"**最新报告**：{OWN_REPORT}（{committed['created']}，181 题" in status and area["visible"] is True
        hybrid = committed["configs"]["hybrid"]["summary"]
        assert overall["headers"] == ["指标", *committed["configs"]]
        assert ["命中@3", evaluation.format_value(hybrid["hit@3"])] == overall["data"][1][:2]
        groups = [row[0] for row in kinds["data"]]
        assert "怎么做（howto）" in groups and "域外（out_of_scope）" in groups and "日常说法" in groups
        assert chart.size[0] > 500
        worst_ids = [row[0] for row in worst["data"]]
        expected = evaluation.worst_rows(committed["configs"]["hybrid"]["rows"], 15)
        assert worst_ids == [row["id"] for row in expected]
        first = expected[0]
        assert worst["data"][0][4].splitlines()[0].startswith(first["retrieved"][0])  # what was retrieved, titled
        assert run_b["value"] == f"{OWN_REPORT}/hybrid" and run_a["value"] is None  # only one run of the set
        assert f"{OTHER_REPORT}/hybrid" in [value for _, value in run_a["choices"]]

    def test_two_runs_compared_side_by_side_with_the_difference(self, assistant: Assistant, reports: Path,
                                                               tmp_path: Path):
        admin = Admin(assistant, FeedbackStore(tmp_path / "fb.sqlite3"), DownloadFolder(), PASSWORD,
                      reports=(reports,), runs=tmp_path / "runs")
        status, table = admin.compare(f"{OWN_REPORT}/bm25", f"{OWN_REPORT}/hybrid", PASSWORD, request())
        summary = json.loads((reports / f"{OWN_REPORT}.json").read_text(encoding="utf-8"))["configs"]
        bm25, hybrid = summary["bm25"]["summary"], summary["hybrid"]["summary"]
        rows = {row[0]: row[1:] for row in table["value"]["data"]}
        assert table["value"]["headers"] == ["指标", "运行 A", "运行 B", "差（B − A）"] and table["visible"]
        assert rows["命中@1"][:2] == [evaluation.format_value(bm25["hit@1"]), evaluation.format_value(hybrid["hit@1"])]
        assert rows["命中@1"][2] == f"{hybrid['hit@1'] - bm25['hit@1']:+.3f}（更好）"  # hybrid finds more
        assert rows["题数"] == [181, 181, "0"] and "题目不同" not in status
        assert "题目不同" in admin.compare(f"{OTHER_REPORT}/hybrid", f"{OWN_REPORT}/hybrid", PASSWORD, request())[0]
        status, table = admin.compare(f"{OWN_REPORT}/hybrid", "/etc/passwd/x", PASSWORD, request())
        assert "请在上面选两次运行" in status and table["visible"] is False
        assert admin.compare(f"{OWN_REPORT}/bm25", f"{OWN_REPORT}/hybrid", "", request())[0] == REFUSED_PASSWORD

    def test_run_asks_the_live_assistant_reports_progress_and_writes_a_new_report_beside_the_committed(
            self, assistant: Assistant, reports: Path, small_questions: Path, tmp_path: Path):
        admin = Admin(assistant, FeedbackStore(tmp_path / "fb.sqlite3"), DownloadFolder(), PASSWORD,
                      questions=small_questions, reports=(reports,), runs=tmp_path / "runs")
        committed = {path: path.stat().st_mtime for path in reports.iterdir()}
        seen: list[tuple[float, str]] = []
        status, area, overall, kinds, chart, worst, run_a, run_b = admin.run_evaluation(
            PASSWORD, request(), lambda fraction, desc=None: seen.append((fraction, desc)))
        assert [desc for _, desc in seen] == ["第 0/4 题", "第 1/4 题", "第 2/4 题", "第 3/4 题", "第 4/4 题",
                                              "正在写出报告"]
        assert [fraction for fraction, _ in seen] == [0, 0.25, 0.5, 0.75, 1.0, 1]
        written = sorted(path.suffix for path in (tmp_path / "runs").iterdir())
        assert written[:3] == [".json", ".md", ".png"]
        name = next((tmp_path / "runs").glob("*.json")).stem
        assert re.fullmatch(r"web-\d{8}-\d{6}", name) and f"**最新报告**：{name}" in status and "4 题" in status
        assert run_b["value"] == f"{name}/hybrid" and run_a["value"] == f"{OWN_REPORT}/hybrid"
        report = json.loads((tmp_path / "runs" / f"{name}.json").read_text(encoding="utf-8"))
        rows = report["configs"]["hybrid"]["rows"]
        asked = [json.loads(line)["id"] for line in small_questions.read_text(encoding="utf-8").splitlines()]
        assert [row["id"] for row in rows] == asked
        oos = next(row for row in rows if row["type"] == "out_of_scope")
        assert oos["refused"]  # the live assistant's refusal gate ran
        assert {path: path.stat().st_mtime for path in reports.iterdir()} == committed

    def test_refused_without_the_password_shows_nothing(self, assistant: Assistant, reports: Path, tmp_path: Path):
        admin = Admin(assistant, FeedbackStore(tmp_path / "fb.sqlite3"), DownloadFolder(), PASSWORD,
                      reports=(reports,), runs=tmp_path / "runs")
        for handler in (admin.show_reports, admin.run_evaluation):
            status, area, *rest = handler("", request())
            assert status == REFUSED_PASSWORD and area["visible"] is False
        assert not (tmp_path / "runs").exists()
        missing = Admin(assistant, FeedbackStore(tmp_path / "fb.sqlite3"), DownloadFolder(), PASSWORD,
                        questions=tmp_path / "none.jsonl", reports=(reports,), runs=tmp_path / "runs")
        assert missing.show_reports("", request())[0] == REFUSED_PASSWORD  # nothing said before the password
        status, area, *rest = missing.run_evaluation(PASSWORD, request())
        assert "找不到评测题集 none.jsonl" in status and area["visible"] is False

    def test_new_runs_go_to_the_index_directory_by_default(self, assistant: Assistant, tmp_path: Path):
        admin = Admin(assistant, FeedbackStore(tmp_path / "fb.sqlite3"), DownloadFolder())
        assert admin.runs_folder == assistant.settings.index_dir / "eval-runs"
        assert admin.folders == [evaluation.REPORTS, admin.runs_folder]


# ---------------------------------------------------------------- the page in chromium

@pytest.fixture(scope="module")
def admin_server(assistant: Assistant, small_questions: Path, reports: Path,
                 tmp_path_factory: pytest.TempPathFactory):
    """The real app with an administrator password, its own feedback database, the small question set, the copied
    reports and a folder of its own for new runs."""
    store = FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3")
    admin = Admin(assistant, store, DownloadFolder(), PASSWORD, questions=small_questions, reports=(reports,),
                  runs=tmp_path_factory.mktemp("runs"))
    app = build_app(assistant, store, RateLimiter(limit=1000), admin)
    port = free_port()
    launch(app, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/", store, admin
    app.close()


def open_admin_tab(page) -> None:
    page.get_by_role("tab", name="管理与评测").click()
    page.locator("#show-report").wait_for(state="visible")


def test_dislike_with_comment_is_stored_then_exported_only_with_the_password(browser, admin_server):
    url, store, _ = admin_server
    with open_page(browser, url) as page:
        ask(page, RIDER_QUESTION)
        before = len(store.records())
        page.locator(LIKE).last.click()
        page.locator("#feedback-status").get_by_text("已记录您的 👍 评价").wait_for()
        page.locator(DISLIKE).last.click()  # changing one's mind changes the record, it does not add one
        page.locator("#feedback-status").get_by_text("已记录您的 👎 评价").wait_for()
        assert len(store.records()) == before + 1 and store.records()[-1]["rating"] == "down"
        page.locator("#chat button[aria-label=Disliked]").last.click()  # clicked again: withdrawn
        page.locator("#feedback-status").get_by_text("已撤销评价").wait_for()
        assert len(store.records()) == before

        page.locator(DISLIKE).last.click()
        page.locator("#feedback-status").get_by_text("已记录您的 👎 评价").wait_for()
        page.locator("#comment textarea").fill("步骤清楚，但希望给出联系人，<i>谢谢</i>")
        page.locator("#comment-send").click()
        page.locator("#feedback-status").get_by_text("已收到您的意见").wait_for()
        rows = sqlite3.connect(store.path).execute(
            "SELECT question, answer, citations, mode, rating, comment, created_at FROM feedback "
            "WHERE comment LIKE '步骤清楚%'").fetchall()
        assert len(rows) == 1
        question, answer, citations, mode, rating, comment, created_at = rows[0]
        assert question == RIDER_QUESTION and RIDER_UNIT in answer and mode == "extractive" and rating == "down"
        assert comment == "步骤清楚，但希望给出联系人，<i>谢谢</i>" and created_at.startswith("20")
        cited = json.loads(citations)
        assert cited[0]["case_id"] == RIDER_CASE and cited[0]["unit"] == RIDER_UNIT and cited[0]["quote"]

        open_admin_tab(page)
        page.get_by_role("tab", name="反馈导出").click()
        page.locator("#export-feedback").click()
        page.locator("#export-status").get_by_text("管理员密码不对").wait_for()
        assert not page.locator("#feedback-file").is_visible()

        page.locator("#admin-password input").fill(PASSWORD)
        page.locator("#export-feedback").click()
        link = page.locator("#feedback-file a").first
        link.wait_for()
        with page.expect_download() as download:
            link.click()
        assert EXPORT_NAME.match(download.value.suggested_filename)
        exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        mine = [r for r in exported if r["意见"] == comment]
        assert len(mine) == 1 and mine[0]["问题"] == RIDER_QUESTION and mine[0]["评价"] == "👎"
        assert mine[0]["时间"] == local_time(created_at)  # Shanghai's clock, whatever the server's zone
        exported_at = datetime.strptime(mine[0]["时间"], CSV_TIME).replace(tzinfo=SHANGHAI)
        assert abs(datetime.now(SHANGHAI) - exported_at) < timedelta(minutes=10)


def test_evaluator_sees_the_latest_report_then_runs_the_question_set_with_progress(browser, admin_server):
    url, _, admin = admin_server
    with open_page(browser, url, DESKTOP) as page:
        open_admin_tab(page)
        page.locator("#show-report").click()
        page.locator("#report-status").get_by_text("管理员密码不对").wait_for()
        assert not page.locator("#report-overall").is_visible()

        page.locator("#admin-password input").fill(PASSWORD)
        page.locator("#show-report").click()
        page.locator("#report-status").get_by_text("最新报告").wait_for()
        assert f"最新报告：{OWN_REPORT}" in page.locator("#report-status").inner_text()
        assert "命中@1" in page.locator("#report-overall").inner_text()
        assert "怎么做（howto）" in page.locator("#report-kinds").inner_text()
        # The chart is an image the browser loads after the report: wait for it (fails after the default timeout).
        page.wait_for_function(
            "() => { const img = document.querySelector('#report-chart img'); return img && img.complete && "
            "img.naturalWidth > 500; }")
        worst = page.locator("#report-worst").inner_text()
        assert re.search(r"2017-[A-Z]\d-\d", worst)  # the retrieved cases of the worst questions
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#report-status").evaluate("element => element.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(SCREENSHOTS / "evaluator.png"))

        page.evaluate("""() => {
            window.__progress = [];
            new MutationObserver(() => {
                const found = document.body.innerText.match(/第 \\d+\\/\\d+ 题/g);
                if (found) window.__progress.push(...found);
            }).observe(document.body, {subtree: true, childList: true, characterData: true});
        }""")
        runs_before = len(admin.runs())
        page.locator("#run-eval").click()
        page.wait_for_function("() => /最新报告：web-/.test(document.querySelector('#report-status').innerText)",
                               timeout=240_000)
        progress = set(page.evaluate("window.__progress"))
        assert progress & {"第 1/4 题", "第 2/4 题", "第 3/4 题", "第 4/4 题"}, progress
        assert "4 题" in page.locator("#report-status").inner_text() and len(admin.runs()) == runs_before + 1
        comparison = page.locator("#comparison")
        comparison.get_by_text("差（B − A）").wait_for()
        assert "命中@1" in comparison.inner_text()
        assert "web-" in page.locator("#compare-status").inner_text()


def test_without_a_password_the_export_works_on_this_machine_but_not_through_a_proxy(browser, server):
    with open_page(browser, server.url) as page:
        open_admin_tab(page)
        assert not page.locator("#admin-password").is_visible()  # nothing to type: this machine is enough
        page.get_by_role("tab", name="反馈导出").click()
        page.locator("#export-feedback").click()
        page.locator("#feedback-file a").first.wait_for()
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    try:
        proxied = context.new_page()
        proxied.goto(server.url)
        open_admin_tab(proxied)
        proxied.get_by_role("tab", name="反馈导出").click()
        proxied.locator("#export-feedback").click()
        proxied.locator("#export-status").get_by_text("ASSISTANT_ADMIN_PASSWORD").first.wait_for()
        assert not proxied.locator("#feedback-file").is_visible()
    finally:
        context.close()
