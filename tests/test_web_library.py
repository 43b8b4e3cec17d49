"""The 案例库 tab in a real browser, on a computer (1366×900) and on a phone (390×844): everyday words find their
cases, the results say how many, title and unit come first (a table on a computer, cards on a phone), a clicked case
opens in full and 就这个案例提问 takes it to the chat. The search itself is tested in test_web_handlers.py."""

from __future__ import annotations

import pytest
from browsing import (
    DESKTOP,
    PHONE,
    RIDER_CASE,
    RIDER_TITLE,
    RIDER_UNIT,
    SCREENSHOTS,
    Server,
    last_answer,
    open_page,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

SIZES = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
SANITATION_CASE = "2017-N11-1"  # a 提名奖 case whose category is its own title


@pytest.fixture(params=SIZES)
def library(request, browser, server: Server):
    """The page at one size, on the 案例库 tab."""
    with open_page(browser, server.url, viewport=request.param) as page:
        page.get_by_role("tab", name="案例库").click()
        expect(page.locator("#case-results .case-item").first).to_be_visible()
        yield page


def search(page, words: str) -> None:
    """Type into the search box, as a user does, and wait for the list to answer those words."""
    box = page.locator("#case-search textarea, #case-search input").first
    box.fill(words)
    page.wait_for_function("words => document.querySelector('#case-results .case-summary').dataset.query === words",
                           arg=words.strip())


def items(page):
    return page.locator("#case-results .case-item")


def item(page, case_id: str):
    return page.locator(f'#case-results .case-item[data-case="{case_id}"]')


def box(locator) -> dict[str, float]:
    return locator.bounding_box()


def fully_shown(locator) -> bool:
    """Visible, inside the window's width, and its text not cut (no ellipsis, no hidden overflow)."""
    width = locator.page.viewport_size["width"]
    b = box(locator)
    return (locator.is_visible() and b["x"] >= 0 and b["x"] + b["width"] <= width
            and locator.evaluate("e => e.scrollWidth <= e.clientWidth"
                                 " && getComputedStyle(e).textOverflow !== 'ellipsis'"))


@pytest.mark.parametrize("words", ["外卖", "骑手入会", "外卖 骑手"])
def test_everyday_words_find_the_rider_case_first(library, words: str):
    search(library, words)
    first = items(library).first
    assert first.get_attribute("data-case") == RIDER_CASE
    title, unit = first.locator(".case-title"), first.locator(".case-unit")
    assert title.inner_text() == RIDER_TITLE and unit.inner_text() == RIDER_UNIT
    assert fully_shown(title) and fully_shown(unit)
    summary = library.locator("#case-results .case-summary").inner_text()
    assert f"找到 {items(library).count()} 个案例" in summary
    if words == "外卖":
        assert "网约送餐员" in summary  # says which of the book's words it searched for


def test_title_and_unit_come_first_in_a_table_on_a_computer(browser, server: Server):
    with open_page(browser, server.url, viewport=DESKTOP) as page:
        page.get_by_role("tab", name="案例库").click()
        search(page, "外卖")
        head = page.locator("#case-results .case-head")
        assert head.is_visible() and head.inner_text().split() == ["标题", "单位", "奖项", "类别", "编号"]
        row = item(page, RIDER_CASE)
        cells = [row.locator(f".case-{name}") for name in ("title", "unit", "award", "category", "id")]
        boxes = [box(cell) for cell in cells]
        assert [b["x"] for b in boxes] == sorted(b["x"] for b in boxes)  # one row, in that order
        assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 5
        assert all(fully_shown(cell) for cell in cells)
        assert boxes[0]["y"] + boxes[0]["height"] < DESKTOP["height"]  # on the first screen
        row.click()
        expect(page.locator("#case-view")).to_contain_text(RIDER_UNIT)
        expect(page.locator("#ask-case")).to_be_enabled()
        page.wait_for_timeout(300)  # the button's colour change
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "library-desktop.png"))

        # A 提名奖 case that is its own category: 类别 does not repeat the title.
        search(page, "爱心接力站")
        sanitation = item(page, SANITATION_CASE)
        assert sanitation.locator(".case-award").inner_text() == "提名奖"
        assert sanitation.locator(".case-category").inner_text() == "—"


def test_results_are_cards_on_a_phone(browser, server: Server):
    with open_page(browser, server.url, viewport=PHONE) as page:
        page.get_by_role("tab", name="案例库").click()
        search(page, "外卖")
        assert not page.locator("#case-results .case-head").is_visible()
        card = item(page, RIDER_CASE)
        b = box(card)
        assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"]
        title, unit, award = (card.locator(f".case-{name}") for name in ("title", "unit", "award"))
        assert box(title)["y"] < box(unit)["y"] < box(award)["y"]  # stacked: title, unit, then award
        assert award.inner_text() == "十大创新案例" and not card.locator(".case-category").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        card.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "library-phone.png"))


def test_nothing_found_says_what_to_try(library):
    search(library, "xyz不存在")
    expect(library.locator("#case-results .case-summary")).to_contain_text("没有找到与「xyz不存在」相关的案例")
    assert items(library).count() == 0
    search(library, "<b>xyz</b>")  # typed text is shown as text, never as HTML
    expect(library.locator("#case-results .case-summary")).to_contain_text("没有找到与「<b>xyz</b>」相关的案例")
    assert library.locator("#case-results b").count() == 0
    search(library, "")
    expect(library.locator("#case-results .case-summary")).to_contain_text("共 60 个案例")
    assert items(library).count() == 60


def test_filters_narrow_the_results(library):
    library.locator("#case-award input").click()
    library.get_by_role("option", name="提名奖", exact=True).click()
    expect(library.locator("#case-results .case-summary")).to_contain_text("找到 30 个案例")
    assert items(library).count() == 30
    search(library, "外卖")
    expect(library.locator("#case-results .case-summary")).to_contain_text("在所选奖项、类别中没有找到")


def test_a_clicked_case_opens_and_can_be_asked_about(library, server: Server):
    search(library, "外卖")
    item(library, RIDER_CASE).click()
    view = library.locator("#case-view")
    expect(view.get_by_text("专家点评", exact=False).first).to_be_visible()
    assert RIDER_UNIT in view.inner_text() and f"《{RIDER_TITLE}》" in view.inner_text() and "成效" in view.inner_text()
    assert "selected" in item(library, RIDER_CASE).get_attribute("class")
    ask_case = library.locator("#ask-case")
    expect(ask_case).to_be_enabled()
    b = box(ask_case)  # on a phone the case is below the list: it was brought into view
    assert 0 <= b["y"] and b["y"] + b["height"] <= library.viewport_size["height"]

    ask_case.click()
    library.wait_for_function("() => document.querySelector('#question textarea').value.length > 0")
    assert RIDER_TITLE in library.locator("#question textarea").input_value()
    assert library.locator("#unit input, #unit textarea").first.input_value() == RIDER_UNIT
    library.locator("#send").click()
    library.wait_for_function("() => document.querySelector('#chat').innerText.includes('答案模式')")
    assert f"《{RIDER_TITLE}》" in last_answer(library).inner_text()
