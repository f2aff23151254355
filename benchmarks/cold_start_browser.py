"""Cold start: a fresh server's first full render of the Explore page, in headless chromium.

Each run starts a new app server (its imports not yet paid), waits for /_stcore/health, then
opens /Explore in a new browser context and times navigation → the script finished and the
linked chart drawn (a canvas with pixels). That is what the first visitor of a woken-up Community
Cloud app waits for once the server answers. Then a second visitor (a new browser context) opens
the same page on the same server: its imports paid and caches warm, what is left is the browser's
share. Prints each run and the medians.

    python benchmarks/cold_start_browser.py            # 5 runs, about 40 s
    python benchmarks/cold_start_browser.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.app_server import CHROMIUM_ARGS, free_port, start_server, stop_server  # noqa: E402

CHART_DRAWN = """() => {
    const canvas = document.querySelector('[data-testid="stVegaLiteChart"] canvas');
    if (!canvas || canvas.width === 0) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4 * 97) if (pixels[i] !== 0) return true;
    return false;
}"""


def first_render_ms(browser, base_url: str) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{base_url}/Explore")
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=60000)
    page.wait_for_function(CHART_DRAWN, timeout=60000, polling=10)
    elapsed = (time.perf_counter() - start) * 1000.0
    context.close()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    times, warm_times = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=CHROMIUM_ARGS)
        for run in range(args.runs):
            port = free_port()
            server = start_server(port, subprocess.DEVNULL)
            try:
                times.append(first_render_ms(browser, f"http://127.0.0.1:{port}"))
                warm_times.append(first_render_ms(browser, f"http://127.0.0.1:{port}"))
            finally:
                stop_server(server)
            print(f"run {run + 1}: first render of /Explore {times[-1]:.0f} ms (a second "
                  f"visitor: {warm_times[-1]:.0f} ms)", flush=True)
        browser.close()
    print(f"median {statistics.median(times):.0f} ms over {len(times)} fresh servers "
          f"(min {min(times):.0f}, max {max(times):.0f}); a second visitor of the same server "
          f"{statistics.median(warm_times):.0f} ms (the browser's share and a warm rerun)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
