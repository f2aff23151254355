"""The Lesson page in a real browser: a step link on a fresh server, then Next through every step,
each drawn without errors and screenshotted (into $LESSON_SCREENSHOTS, else a temporary folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from nwcore import lesson

from .conftest import assert_no_errors, wait_for_app_run

DRAWN_CHARTS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].map(
  chart => { const c = chart.querySelector("canvas"); return c ? c.width * c.height : 0; })"""


def screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LESSON_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_step(page: Page, number: int, step: lesson.Step) -> None:
    expect(page.get_by_role("heading", name=f"{number}. {step.title}")).to_be_visible(
        timeout=30000)
    page.wait_for_timeout(600)  # let Vega and graphviz draw
    assert_no_errors(page)
    assert all(page.evaluate(DRAWN_CHARTS)), f"{step.id}: a chart was not drawn"
    assert re.search(rf"[?&]step={step.id}(&|$)", page.url), page.url


def test_walk_the_lesson_from_a_fresh_link(page: Page, fresh_app_url: str, tmp_path: Path):
    folder = screenshot_folder(tmp_path)
    page.set_viewport_size({"width": 1400, "height": 2400})
    first = lesson.STEPS[0]
    page.goto(f"{fresh_app_url}/Lesson?step={first.id}")
    wait_for_app_run(page)
    for number, step in enumerate(lesson.STEPS, 1):
        check_step(page, number, step)
        page.screenshot(path=str(folder / f"lesson_{number:02d}_{step.id}.png"), full_page=True)
        if number < len(lesson.STEPS):
            page.locator(".st-key-lesson_next button").click()
            wait_for_app_run(page)
    expect(page.locator(".st-key-lesson_next button")).to_be_disabled()


def test_a_step_link_sets_up_the_explore_page(page: Page, app_url: str):
    page.goto(f"{app_url}/Lesson?step=ex-approximate-match")
    wait_for_app_run(page)
    page.get_by_role("button", name="Open in Explore").click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="Explore attention pooling")).to_be_visible(
        timeout=30000)
    page.wait_for_url(re.compile(r".*/Explore\?.*h=0\.01"), timeout=10000)
    assert_no_errors(page)
