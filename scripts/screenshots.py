"""Screenshots of every page in headless Debian chromium, for the README and for looking.

Usage: python scripts/screenshots.py [output directory, default docs/] [page names…]
Starts the app on a free loopback port, visits each page, hovers a query on Explore, Classify
and Vectors, and saves one PNG per page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.app_server import CHROMIUM_ARGS, chromium_executable, running_app  # noqa: E402

PAGES = {"home": "", "lesson": "Lesson?step=four-kernels", "data": "Data",
         "explore": "Explore", "compare": "Compare", "bandwidth": "Bandwidth",
         "learned": "Learned_pooling", "theory": "Theory", "classify": "Classify",
         "vectors": "Vectors", "consistency": "Consistency",
         "explore-projector": "Explore", "explore-presenter": "Explore?present=1",
         "explore-phone": "Explore"}
#: Window sizes other than the default (a tall window, saved whole): a 1280 × 720 projector, a
#: 1920 × 1080 one in presenter mode and a phone (these are saved as the window shows them).
WINDOWS = {"explore-projector": (1280, 720), "explore-presenter": (1920, 1080),
           "explore-phone": (390, 844)}
DEFAULT_WINDOW = (1400, 2200)
#: Where to hover on a page's first chart: (fraction of its width, pixels from its top).
HOVER = {"explore": (0.2, 200), "explore-projector": (0.2, 180),
         "explore-presenter": (0.2, 250), "classify": (0.42, 330), "vectors": (0.42, 200)}


def wait_idle(page) -> None:
    page.wait_for_timeout(300)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=30000)
    page.wait_for_timeout(1200)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    with running_app() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(),
                                             args=CHROMIUM_ARGS)
        wanted = sys.argv[2:] or list(PAGES)
        for name, path in PAGES.items():
            if name not in wanted:
                continue
            width, height = WINDOWS.get(name, DEFAULT_WINDOW)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base_url}/{path}")
            wait_idle(page)
            if name in HOVER:  # a hovered query shows the linking
                chart = page.get_by_test_id("stVegaLiteChart").first
                box = chart.locator("canvas, svg").first.bounding_box()
                across, down = HOVER[name]
                page.mouse.move(box["x"] + box["width"] * across, box["y"] + down)
                page.wait_for_timeout(600)
            page.screenshot(path=str(out / f"{name}.png"), full_page=name not in WINDOWS)
            print("saved", out / f"{name}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
