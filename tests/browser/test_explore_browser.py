"""The Explore page in a real browser: charts drawn, the slider moves them, no errors."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import assert_no_errors, wait_for_app_run


#: The live chart's bandwidth slider (a range input that Vega binds inside the chart).
LIVE_SLIDER = 'input[name="bandwidth_h_stop"]'


#: The explorer chart's canvas box once drawn (false until then), read in one go: a rerun may
#: replace the canvas between two reads from Python.
CANVAS_BOX = """() => {
    const canvas = document.querySelector('[data-testid="stVegaLiteChart"] canvas');
    const box = canvas && canvas.getBoundingClientRect();
    return box && box.width > 0 ? {x: box.x, y: box.y, width: box.width, height: box.height}
                                : false;
}"""


def drawn_chart_box(page: Page) -> dict:
    """The explorer chart's box once it is drawn (the chart-library prefetch gone)."""
    expect(page.locator(".st-key-chart_library_prefetch")).to_have_count(0, timeout=30000)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1, timeout=30000)
    return page.wait_for_function(CANVAS_BOX, timeout=30000).json_value()


def chart_regions(page: Page):
    """Screenshots of the fit (left) and heatmap (right) of the explorer chart: at this
    window's width (1400 px) they stand side by side."""
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30000)
    page.wait_for_timeout(400)  # let Vega finish drawing
    box = chart.locator("canvas, svg").first.bounding_box()
    half = box["width"] / 2
    fit = {"x": box["x"], "y": box["y"], "width": half, "height": box["height"]}
    heat = {"x": box["x"] + half, "y": box["y"], "width": half, "height": box["height"]}
    return page.screenshot(clip=fit), page.screenshot(clip=heat)


def test_slider_move_redraws_fit_and_heatmap(page: Page, app_url: str):
    page.goto(f"{app_url}/Explore")
    wait_for_app_run(page)
    assert_no_errors(page)
    fit_before, heat_before = chart_regions(page)
    slider = page.locator(LIVE_SLIDER)
    slider.focus()
    for _ in range(6):
        slider.press("ArrowLeft")
    page.wait_for_url("**h=*", timeout=10000)  # the drag's end reached the server
    wait_for_app_run(page)
    fit_after, heat_after = chart_regions(page)
    assert fit_after != fit_before, "the fit chart did not change"
    assert heat_after != heat_before, "the heatmap did not change"
    assert_no_errors(page)



def test_a_projector_gets_the_chart_laid_out_for_its_wide_column(page: Page,
                                                                 fresh_app_url: str):
    """On a fresh server at 1280 × 720 the size probe reports while the page's imports run, in
    the page's own (wide) layout: the chart spans the main column with fit and heatmap side by
    side under the controls, and the chart-library prefetch is gone once the chart is there."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{fresh_app_url}/Explore")
    wait_for_app_run(page)
    box = drawn_chart_box(page)
    column = page.locator(".st-key-page_width").bounding_box()
    controls = page.get_by_role("button", name="Silverman's rule").bounding_box()
    assert column["width"] > 800, column  # the wide layout's column, not the centred one's
    assert 0.95 * column["width"] <= box["width"] <= column["width"], (box, column)
    assert box["width"] > box["height"], "fit and heatmap are not side by side"
    assert controls["y"] < box["y"] < 360, (controls, box)
    assert_no_errors(page)


def test_closing_the_sidebar_widens_the_chart(page: Page, app_url: str):
    """A teacher closes the sidebar to give the charts the projector's width: the chart is laid
    out again for the wider column (the size probe watches the column, not only the window)."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/Explore")
    wait_for_app_run(page)
    before = drawn_chart_box(page)["width"]
    page.get_by_test_id("stSidebar").hover()
    page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    page.wait_for_function(f"() => ({CANVAS_BOX})().width > {before + 150}", timeout=15000)
    assert_no_errors(page)
