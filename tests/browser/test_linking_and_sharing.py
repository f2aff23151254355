"""Browser-only behaviour: hover linking without a rerun, pinning, deep links, downloads, uploads."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

import nwcore
from ui.controls import bandwidth_stops

from .conftest import assert_no_errors, upload_through_data_page, wait_for_app_run

COUNT_RERUNS = """() => {
  window.__reruns = 0;
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => {
    if (app.getAttribute("data-test-script-state") === "running") window.__reruns += 1;
  }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def explorer_box(page: Page):
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30000)
    page.wait_for_timeout(500)
    return chart.bounding_box()


def test_hover_highlights_heatmap_row_without_rerun(page: Page, app_url: str):
    page.goto(f"{app_url}/Explore")
    wait_for_app_run(page)
    box = explorer_box(page)
    heat = {"x": box["x"], "y": box["y"] + 350, "width": box["width"], "height": 330}
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)
    page.wait_for_timeout(300)
    before = page.screenshot(clip=heat)
    page.evaluate(COUNT_RERUNS)
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + 150)
    page.wait_for_timeout(600)
    after = page.screenshot(clip=heat)
    assert after != before, "hovering a query did not change the heatmap"
    assert page.evaluate("window.__reruns") == 0, "hovering must not rerun the script"
    assert_no_errors(page)


def test_click_pins_query_and_shows_decomposition(page: Page, app_url: str):
    page.goto(f"{app_url}/Explore")
    wait_for_app_run(page)
    box = explorer_box(page)
    page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + 150)
    wait_for_app_run(page)
    heading = page.get_by_role("heading", name=re.compile("Pinned query x ="))
    expect(heading).to_be_visible(timeout=20000)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    assert re.search(r"[?&]q=\d+", page.url), "the link should carry the pinned query"
    assert_no_errors(page)
    shared = page.url
    page.goto(shared)  # the shared link, in a new session: the same query is pinned
    wait_for_app_run(page)
    expect(heading).to_be_visible(timeout=20000)
    pinned_text = heading.inner_text()
    box = explorer_box(page)
    page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + 150)  # the same query again
    wait_for_app_run(page)
    expect(heading).to_have_text(pinned_text)
    assert_no_errors(page)


def test_deep_link_on_fresh_server_reproduces_view(page: Page, fresh_app_url: str):
    page.goto(f"{fresh_app_url}/Explore?preset=d2l_new&seed=3&kernel=boxcar&h=0.2")
    wait_for_app_run(page)
    assert_no_errors(page)
    expect(page.get_by_text("2 sin x + x + N(0, 1²), n = 40, seed 3")).to_be_visible()
    expect(page.get_by_role("combobox", name="Pooling")).to_have_value("Boxcar")
    stops = bandwidth_stops(nwcore.generated_dataset("2sin_x", 40, 1.0, 3))
    expect(page.locator('input[name="bandwidth_h_stop"]')).to_have_value(
        str(stops.index(0.2)))  # the live chart's slider starts at h = 0.2
    for part in ("preset=d2l_new", "seed=3", "kernel=boxcar", "h=0.2"):
        assert part in page.url


def test_garbage_link_gives_notice_not_error(page: Page, fresh_app_url: str):
    page.goto(f"{fresh_app_url}/Explore?h=nan&n=1e12&kernel=%3Cscript%3E")
    wait_for_app_run(page)
    expect(page.get_by_text("Some link parameters were corrected")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_download_dataset_csv(page: Page, app_url: str):
    page.goto(f"{app_url}/Explore")
    wait_for_app_run(page)
    page.get_by_text("Share and export").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Dataset (CSV)").click()
    path = download_info.value.path()
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert lines[0] == "x,y,truth" and len(lines) == 51
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Leave-one-out CV curve (CSV)").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        curve = handle.read().splitlines()
    assert curve[0] == "h,loo_cv_mse" and len(curve) > 10


def test_upload_through_dropzone(page: Page, app_url: str, tmp_path):
    csv = tmp_path / "measurements.csv"
    csv.write_text("time;signal\n" + "\n".join(f"{i},5;{i % 5},25" for i in range(60)) + "\n",
                   encoding="utf-8")
    upload_through_data_page(page, app_url, csv)
    expect(page.get_by_text("read 60 rows, used 60")).to_be_visible()
    assert_no_errors(page)
