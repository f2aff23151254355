"""Accessibility of every page, checked by axe-core (Deque's engine, bundled by the PyPI package
axe-playwright-python) in the real browser: no serious or critical violations, and every chart
has a text alternative for screen readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.test_pages import PAGES

from .conftest import wait_for_app_run

AXE_SCRIPT = Path(pytest.importorskip("axe_playwright_python").__file__).parent / "axe.min.js"
#: Page file → its URL path.
URLS = {path: "/" if path == "app.py" else "/" + path.split("/")[-1][:-3].split("_", 1)[1]
        for path in PAGES}


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2 A and AA rules and best practice)."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                        'best-practice']}})).violations""")


def summary(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}): "
                     f"{v['nodes'][0]['target']}" for v in violations)


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page: Page, app_url: str, path: str):
    page.goto(app_url + URLS[path])
    wait_for_app_run(page)
    page.wait_for_timeout(500)
    violations = axe_violations(page)
    print(f"\n{path}: {len(violations)} axe violations: {summary(violations)}")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, summary(serious)


@pytest.mark.parametrize("path", PAGES)
def test_every_chart_has_a_text_alternative(page: Page, app_url: str, path: str):
    page.goto(app_url + URLS[path])
    wait_for_app_run(page)
    charts = page.get_by_test_id("stVegaLiteChart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        label = chart.get_attribute("aria-label") or chart.locator("[aria-label]").first \
            .get_attribute("aria-label")
        assert label and len(label) > 10, f"chart {index} of {path} has no description"
