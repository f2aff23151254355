"""Classify, Vectors and Consistency in a real browser: charts drawn, hovering a query moves
its weights without a rerun, a click pins it, and changing a control stops a long run."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from .conftest import assert_no_errors, wait_for_app_run
from .test_linking_and_sharing import COUNT_RERUNS


def first_chart(page: Page):
    """The first chart, once drawn: (its locator, its bounding box)."""
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30000)
    page.wait_for_timeout(600)  # let Vega finish drawing
    return chart, chart.bounding_box()


def plane_point(box, across: float, down: float):
    """A point inside the 420-pixel plane at the chart's top left (below its title and
    legend), as fractions of the plane."""
    return box["x"] + 70 + 400 * across, box["y"] + 110 + 380 * down


def not_blank(image: bytes) -> bool:
    return len(set(image[::97])) > 20


def hover_changes_the_chart_without_rerun(page: Page, chart, box) -> None:
    page.mouse.move(*plane_point(box, 0.1, 0.1))
    page.wait_for_timeout(400)
    before = chart.screenshot()
    page.evaluate(COUNT_RERUNS)
    page.mouse.move(*plane_point(box, 0.55, 0.45))
    page.wait_for_timeout(700)
    assert chart.screenshot() != before, "hovering a query did not change the chart"
    assert page.evaluate("window.__reruns") == 0, "hovering must not rerun the script"


def test_classify_hover_and_pin(page: Page, app_url: str):
    page.goto(f"{app_url}/Classify")
    wait_for_app_run(page)
    assert_no_errors(page)
    chart, box = first_chart(page)
    assert not_blank(chart.screenshot()), "the regions and the heatmap are drawn"
    hover_changes_the_chart_without_rerun(page, chart, box)
    page.mouse.click(*plane_point(box, 0.55, 0.45))
    wait_for_app_run(page)
    heading = page.get_by_role("heading", name=re.compile("Pinned query q = "))
    expect(heading).to_be_visible(timeout=20000)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    assert_no_errors(page)


def test_vectors_hover_and_click_moves_the_query(page: Page, app_url: str):
    page.goto(f"{app_url}/Vectors")
    wait_for_app_run(page)
    assert_no_errors(page)
    chart, box = first_chart(page)
    assert not_blank(chart.screenshot())
    box = {**box, "y": box["y"] - 40}  # no legend above this plane
    hover_changes_the_chart_without_rerun(page, chart, box)
    heading = page.get_by_role("heading", name=re.compile("Query q = "))
    start = heading.inner_text()
    page.mouse.click(*plane_point(box, 0.2, 0.2))
    wait_for_app_run(page)
    expect(heading).not_to_have_text(start, timeout=20000)
    assert_no_errors(page)
    page.get_by_text("directions (the unit circle)").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Largest difference between the two weights")).to_be_visible()
    assert_no_errors(page)


def test_consistency_draws_and_a_control_change_stops_a_long_run(page: Page, app_url: str):
    page.goto(f"{app_url}/Consistency")
    wait_for_app_run(page, timeout=60000)
    assert_no_errors(page)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)
    page.get_by_text("Seed").wait_for()
    toggle = page.get_by_text("Leave-one-out h too")
    toggle.click()  # leave-one-out on every sample up to n = 3000: a long run
    expect(page.get_by_test_id("stProgress").first).to_be_visible(timeout=20000)
    page.wait_for_timeout(1000)
    toggle.click()  # changed before the run ends: it stops, and the cached result returns
    started = time.monotonic()
    wait_for_app_run(page, timeout=60000)
    assert time.monotonic() - started < 8, "the long run was not stopped"
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)
    expect(page.get_by_text("h by leave-one-out")).to_have_count(0)
    assert_no_errors(page)
