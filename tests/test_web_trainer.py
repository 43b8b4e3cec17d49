"""The 培训备课 tab in a real browser, as a trainer uses it on a desktop: paste and upload questions, read the table
(every column in view, 引用案例 and 单位 included), download the sheet as Word, CSV and Markdown and open them; on a
phone the table keeps readable columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from browsing import DESKTOP, OUT_OF_SCOPE, PHONE, RIDER_QUESTION, RIDER_TITLE, RIDER_UNIT, SCREENSHOTS, Server, open_page
from docx import Document

from assistant import export
from assistant.types import COMPENDIUM

pytestmark = pytest.mark.slow

SANITATION_QUESTION = "环卫工人的爱心接力站是怎么建的？"
SANITATION_UNIT = "上海市绿化市容行业工会"
FARM_QUESTION = "哪些案例讲农民专业合作社建工会？"


@pytest.fixture(scope="module")
def batch(browser, server: Server, tmp_path_factory: pytest.TempPathFactory):
    """The trainer tab after a batch: three questions pasted, one uploaded in a .csv with a 问题 column."""
    upload = tmp_path_factory.mktemp("upload") / "questions.csv"
    upload.write_text(f"序号,问题\n1,{SANITATION_QUESTION}\n", encoding="utf-8")
    with open_page(browser, server.url, viewport=DESKTOP) as page:
        page.get_by_role("tab", name="培训备课").click()
        page.locator("#batch-text textarea").fill(f"{RIDER_QUESTION}\n{OUT_OF_SCOPE}\n{FARM_QUESTION}")
        page.locator("#batch-file input[type=file]").set_input_files(str(upload))
        page.locator("#batch-file").get_by_text("questions.csv").wait_for()
        page.evaluate("""() => {  // every text the progress bar shows while the batch runs
            window.__progress = new Set();
            new MutationObserver(() => document.querySelectorAll('.progress-text, .progress-level, .meta-text')
                .forEach(e => window.__progress.add(e.innerText))).observe(document.body, {subtree: true,
                childList: true, characterData: true});
        }""")
        page.locator("#run-batch").click()
        page.locator("#batch-status").get_by_text("已完成 4 题").wait_for()
        yield page


def test_the_progress_bar_counts_questions_in_chinese(batch):
    shown = batch.evaluate("[...window.__progress]")
    assert any("题" in text for text in shown), shown
    assert not any("step" in text for text in shown), shown


def test_the_table_shows_every_question_with_its_cases_and_units_in_view(batch):
    table = batch.locator("#batch-table")
    text = table.inner_text()
    assert RIDER_TITLE in text and RIDER_UNIT in text and SANITATION_UNIT in text and "已拒答" in text
    for header in export.TABLE_HEADERS:
        box = table.locator("th").filter(has_text=header).first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], header  # no sideways scrolling
    farm = table.locator("[role=row]").filter(has_text=FARM_QUESTION)
    cases = farm.locator("[role=gridcell]").nth(export.TABLE_HEADERS.index("引用案例")).inner_text().strip()
    assert cases.splitlines()[1].startswith("[2] 《"), cases  # a list answer's cases, one a line
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    batch.screenshot(path=str(SCREENSHOTS / "trainer.png"))


def test_on_a_phone_the_table_scrolls_with_readable_columns(browser, server: Server):
    with open_page(browser, server.url, viewport=PHONE) as page:
        page.get_by_role("tab", name="培训备课").click()
        page.locator("#batch-text textarea").fill(RIDER_QUESTION)
        page.locator("#run-batch").click()
        page.locator("#batch-status").get_by_text("已完成 1 题").wait_for()
        assert page.locator("#download-docx").bounding_box()["width"] <= PHONE["width"]
        table = page.locator("#batch-table")
        widths = {header: table.locator("th").filter(has_text=header).first.bounding_box()["width"]
                  for header in ("问题", "回答", "单位")}
        assert widths["问题"] >= 150 and widths["回答"] >= 300 and widths["单位"] >= 150, widths
        assert RIDER_UNIT in table.inner_text()


def test_trainer_batch_downloads_docx_and_csv(batch, tmp_path: Path):
    files = {}
    for kind in ("docx", "csv", "md"):
        button = batch.locator(f"#download-{kind}")
        batch.wait_for_function(f"() => !document.querySelector('#download-{kind}').disabled")
        with batch.expect_download() as download:
            button.click()
        files[kind] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[kind])
    assert files["docx"].suffix == ".docx" and files["csv"].suffix == ".csv"

    document = Document(files["docx"])
    docx_text = "\n".join(p.text for p in document.paragraphs)
    for expected in (RIDER_QUESTION, OUT_OF_SCOPE, SANITATION_QUESTION, f"《{RIDER_TITLE}》（{RIDER_UNIT}）",
                     SANITATION_UNIT, "已拒答"):
        assert expected in docx_text
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert COMPENDIUM in section.header.paragraphs[0].text and document.core_properties.author == "工会案例问答助手"

    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8-sig"))))
    assert [r["问题"] for r in rows] == [RIDER_QUESTION, OUT_OF_SCOPE, FARM_QUESTION, SANITATION_QUESTION]
    assert rows[0]["单位"].splitlines()[0] == RIDER_UNIT and RIDER_TITLE in rows[0]["引用案例"]
    assert rows[1]["状态"] == "已拒答" and rows[1]["引用案例"] == ""
    assert SANITATION_UNIT in rows[3]["单位"]
    assert f"《{RIDER_TITLE}》" in files["md"].read_text(encoding="utf-8")
