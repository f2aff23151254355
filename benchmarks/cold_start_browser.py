"""Cold start: a fresh server's first full render of the Explore page, in headless chromium.

Each run starts a new app server (its imports not yet paid), waits for /_stcore/health, then
opens /Explore in a new browser context and times navigation → the script finished and the
linked chart drawn (a canvas with pixels). That is what the first visitor of a woken-up Community
Cloud app waits for once the server answers. Then a second visitor (a new browser context) opens
the same page on the same server: its imports paid and caches warm, what is left is the browser's
share (what most of a class waits for). Side by side, a fresh server of the floor page
(``benchmarks/apps/one_chart.py``: a title and one small chart, no imports of its own) is timed
the same way: Streamlit's own share of a first render. Prints each run and the medians.

The app's modules are compiled to bytecode first, as a deployment has them (the Dockerfile
compiles them; elsewhere Python writes them on the first run), unless ``--from-source``: then
every server compiles them anew (as on a machine with PYTHONDONTWRITEBYTECODE=1, ~0.1 s more).

    python benchmarks/cold_start_browser.py            # 5 runs, about 70 s
    python benchmarks/cold_start_browser.py --runs 3
    python benchmarks/cold_start_browser.py --from-source
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.app_server import (  # noqa: E402
    CHROMIUM_ARGS,
    ROOT,
    chromium_executable,
    free_port,
    start_server,
    stop_server,
)

#: The app's own Python code (the pages are compiled by Streamlit on each server's first run).
APP_PACKAGES = ("nwcore", "ui")

CHART_DRAWN = """() => {
    const canvas = document.querySelector('[data-testid="stVegaLiteChart"] canvas');
    if (!canvas || canvas.width === 0) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4 * 97) if (pixels[i] !== 0) return true;
    return false;
}"""


def first_render_ms(browser, url: str) -> float:
    """Navigation to ``url`` in a new browser context → its run over and a chart drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=60000)
    page.wait_for_function(CHART_DRAWN, timeout=60000, polling=10)
    elapsed = (time.perf_counter() - start) * 1000.0
    context.close()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--from-source", action="store_true",
                        help="no bytecode for the app's modules: each server compiles them")
    args = parser.parse_args(argv)
    for package in APP_PACKAGES:
        if args.from_source:
            for cache in (ROOT / package).rglob("__pycache__"):
                shutil.rmtree(cache)
        else:
            compileall.compile_dir(ROOT / package, quiet=1)
    if args.from_source:
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # inherited by the servers
    from playwright.sync_api import sync_playwright

    chromium = chromium_executable()
    timings = {"explore": ([], []), "floor": ([], [])}
    servers = {"explore": ("app.py", "/Explore"), "floor": ("benchmarks/apps/one_chart.py", "/")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=CHROMIUM_ARGS)
        for run in range(args.runs):
            for name, (script, path) in servers.items():
                port = free_port()
                server = start_server(port, subprocess.DEVNULL, script=script)
                try:
                    for times in timings[name]:  # the first visitor, then a second one
                        times.append(first_render_ms(browser, f"http://127.0.0.1:{port}{path}"))
                finally:
                    stop_server(server)
            (first, second), (floor_first, floor_second) = timings.values()
            print(f"run {run + 1}: first render of /Explore {first[-1]:.0f} ms (a second "
                  f"visitor: {second[-1]:.0f} ms); the floor page {floor_first[-1]:.0f} ms "
                  f"({floor_second[-1]:.0f} ms)", flush=True)
        browser.close()
    (cold, warm), (floor_cold, floor_warm) = (
        [statistics.median(times) for times in pair] for pair in timings.values())
    print(f"median {cold:.0f} ms over {args.runs} fresh servers (min {min(first):.0f}, max "
          f"{max(first):.0f}); a second visitor of the same server {warm:.0f} ms (the browser's "
          "share and a warm rerun)")
    print(f"floor (a one-chart Streamlit page) {floor_cold:.0f} ms, a second visitor "
          f"{floor_warm:.0f} ms: Explore's own share {cold - floor_cold:.0f} ms on a fresh "
          f"server, {warm - floor_warm:.0f} ms for a second visitor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
