"""The live explorer chart (nwcore.live_chart) in a real browser, through its demo app: a drag
redraws in the browser with no script run and commits once after; the numbers Vega computes are
nwcore's; hovering, pinning and the keyboard still work."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from playwright.sync_api import Page, expect

import nwcore
from benchmarks.vega_view import FIND_VIEW, LIVE_NUMBERS
from nwcore.kernels import kernel_std
from nwcore.pooling import SINGULAR_DESIGN_TOLERANCE
from ui.controls import bandwidth_stops

from .conftest import assert_no_errors, wait_for_app_run

SLIDER = 'input[name="bandwidth_h_stop"]'
#: Streamlit 1.67 reports a chart's selection this long after its last change.
STREAMLIT_DEBOUNCE_MS = 150
D2L = nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)

# Script runs (each change of the app's script state away from "notRunning") and pointer moves.
WATCH = """() => {
  const W = window.__watch = {runs: 0, moves: []};
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver((records) => {
    for (const r of records) if (r.oldValue === 'notRunning') W.runs += 1;
  }).observe(app, {attributes: true, attributeOldValue: true,
                   attributeFilter: ['data-test-script-state']});
  window.addEventListener('pointermove', (e) => W.moves.push(e.timeStamp), true);
}"""
# Moves the slider as an input event does (Vega's own listener) and waits for the redraw.
SET_STOP = """async ([selector, index]) => {
  const input = document.querySelector(selector);
  input.value = String(index);
  input.dispatchEvent(new Event('input', {bubbles: true}));
  await window.__liveView.runAsync();
}"""


def open_demo(page: Page, url: str, query: str = "") -> None:
    page.goto(f"{url}/?{query}")
    wait_for_app_run(page)
    expect(page.locator(SLIDER)).to_be_visible(timeout=30000)
    assert page.evaluate(FIND_VIEW, SLIDER), "the chart's Vega view was not found"
    page.evaluate(WATCH)


def app_text(page: Page, label: str) -> str:
    return re.search(rf"{label}: (\S+)", page.get_by_test_id("stMain").inner_text())[1]


def numbers(page: Page) -> dict:
    return page.evaluate(LIVE_NUMBERS)


def reference_tolerance(queries, keys, h):
    """1e-9, or more where the local linear design is near-singular: there both results carry a
    rounding error of about 1e-16 / (S0 S2 - S1²)·S0 S2 (the fit's condition)."""
    u = (keys[None, :] - queries[:, None]) / h
    k = np.exp(-0.5 * u * u + 0.5 * np.min(u * u, axis=1, keepdims=True))
    s0, s1, s2 = k.sum(1), (k * u).sum(1), (k * u * u).sum(1)
    conditioning = (s0 * s2 - s1 * s1) / (s0 * s2)
    return np.maximum(1e-9, 1e-14 / np.maximum(conditioning, SINGULAR_DESIGN_TOLERANCE))


def assert_close(got, want, rtol):
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert np.array_equal(np.isnan(got), np.isnan(want)), "undefined predictions differ"
    ok = ~np.isnan(want)
    error = np.abs(got[ok] - want[ok]) / np.abs(want[ok])
    assert np.all(error <= np.broadcast_to(rtol, want.shape)[ok]), f"max rel error {error.max()}"


def test_drag_redraws_in_the_browser_and_commits_once_after(page: Page, live_demo_url: str):
    open_demo(page, live_demo_url)
    runs_before = int(app_text(page, "script runs"))
    start = numbers(page)
    slider = page.locator(SLIDER)
    box, top, index = slider.bounding_box(), int(slider.get_attribute("max")), int(
        slider.input_value())
    x_of = lambda i: box["x"] + 8 + (box["width"] - 16) * i / top  # noqa: E731
    y = box["y"] + box["height"] / 2
    page.mouse.move(x_of(index), y)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(x_of(index - step), y)
        page.wait_for_timeout(10)
    watch = page.evaluate("() => ({...window.__watch, now: performance.now()})")
    during = numbers(page)  # still holding the thumb
    page.mouse.up()
    assert during["h"] == bandwidth_stops(D2L)[index - 15] < start["h"]
    moved = [q["prediction"] for q in during["queries"]]
    assert moved != [q["prediction"] for q in start["queries"]], "the fit did not follow h"
    assert [r["K"] for r in during["rows"]] != [r["K"] for r in start["rows"]]
    times = watch["moves"] + [watch["now"]]
    pauses = sum(b - a >= STREAMLIT_DEBOUNCE_MS for a, b in zip(times, times[1:]))
    if not pauses:  # a pause of the pointer (a busy machine) ends a drag for Streamlit
        assert watch["runs"] == 0, "the script ran while the slider was dragged"
    page.wait_for_timeout(600)
    wait_for_app_run(page)
    runs = int(app_text(page, "script runs")) - runs_before
    assert runs == 1 if not pauses else 1 <= runs <= 1 + pauses
    assert float(app_text(page, "committed h")) == during["h"]
    assert_no_errors(page)


@pytest.mark.parametrize("query, pooling", [("ll=1", "gaussian"),
                                            ("ll=1&pooling=epanechnikov", "epanechnikov"),
                                            ("equal=1&pooling=triangular", "triangular"),
                                            ("pooling=boxcar", "boxcar")])
def test_browser_numbers_equal_nwcore(page: Page, live_demo_url: str, query, pooling):
    open_demo(page, live_demo_url, query)
    stops = bandwidth_stops(D2L)
    queries, keys = D2L.queries(), np.sort(D2L.keys)
    for index in [0, 3, 12, 25, 40, 55, len(stops) - 1]:
        page.evaluate(SET_STOP, [SLIDER, index])
        got = numbers(page)
        h = stops[index]
        assert got["h"] == h
        kernel_h = h / kernel_std(pooling) if "equal=1" in query else h
        assert got["h_kernel"] == kernel_h
        predictions = [q["prediction"] for q in got["queries"]]
        want = nwcore.nadaraya_watson(queries, D2L.keys, D2L.values, kernel=pooling,
                                      bandwidth=kernel_h)
        assert_close(predictions, want, 1e-9)
        weights = np.array([np.array(r["K"]) / r["S"] if r["S"] > 0 else np.zeros(len(keys))
                            for r in got["rows"]])
        dense = nwcore.attention_weights(queries, keys, kernel=pooling, bandwidth=kernel_h)
        assert np.array_equal(weights == 0, dense == 0), "the empty cells differ"
        assert_close(weights[dense > 0], dense[dense > 0], 1e-9)
        if "ll=1" in query:
            local = [q["local_linear"] for q in got["queries"]]
            want = nwcore.local_linear(queries, D2L.keys, D2L.values, kernel=pooling,
                                       bandwidth=kernel_h)
            rtol = reference_tolerance(queries, keys, kernel_h) if pooling == "gaussian" \
                else 1e-9
            assert_close(local, want, rtol)
    assert_no_errors(page)


def test_binned_view_fits_equal_nwcore(page: Page, live_demo_url: str):
    open_demo(page, live_demo_url, "keys=500&queries=100&ll=1")
    data = nwcore.generated_dataset("2sin_x08", 500, 0.5, 0)
    queries = nwcore.query_grid(data.keys, 100)
    stops = bandwidth_stops(data)
    for index in [2, 30, 50]:
        page.evaluate(SET_STOP, [SLIDER, index])
        page.wait_for_timeout(400)  # larger views redraw when the slider rests
        page.evaluate("async () => { await window.__liveView.runAsync(); }")
        got = numbers(page)
        assert got["h"] == stops[index]
        for field, function in [("prediction", nwcore.nadaraya_watson),
                                ("local_linear", nwcore.local_linear)]:
            assert_close([q[field] for q in got["queries"]],
                         function(queries, data.keys, data.values, bandwidth=stops[index]),
                         1e-9)
        stops_per_row = page.evaluate("""() => {
          const view = window.__liveView;
          for (const name of Object.keys(view._runtime.data)) {
            const rows = view.data(name);
            if (rows.length && 'stops' in rows[0]) return rows.map((d) => d.stops.length);
          }
        }""")
        assert stops_per_row == [2 * 100] * 100  # a row of the heatmap: 100 bins, two stops each
    assert_no_errors(page)


def test_hover_and_pin_still_work(page: Page, live_demo_url: str):
    open_demo(page, live_demo_url)
    chart = page.get_by_test_id("stVegaLiteChart").first
    canvas = chart.locator("canvas").first.bounding_box()
    heat = {"x": canvas["x"], "y": canvas["y"] + 430, "width": canvas["width"], "height": 330}
    page.mouse.move(canvas["x"] + 2, canvas["y"] + canvas["height"] - 2)
    page.wait_for_timeout(300)
    before = page.screenshot(clip=heat)
    page.mouse.move(canvas["x"] + canvas["width"] * 0.4, canvas["y"] + 150)
    page.wait_for_timeout(500)
    hovered = page.evaluate("() => window.__liveView.signal('hover')")
    assert hovered and len(hovered["qi"]) == 1, "no query hovered"
    assert page.screenshot(clip=heat) != before, "the hovered row was not highlighted"
    row = page.evaluate("""() => {
      const view = window.__liveView;
      for (const name of Object.keys(view._runtime.data)) {
        const rows = view.data(name);
        if (rows.length && 'weight' in rows[0] && 'cell' in rows[0])
          return rows.map((d) => d.weight);
      }
      return [];
    }""")
    assert len(row) == 50 and abs(sum(row) - 1) < 1e-12  # the profile's bars
    assert page.evaluate("() => window.__watch.runs") == 0, "hovering must not run the script"
    page.mouse.click(canvas["x"] + canvas["width"] * 0.4, canvas["y"] + 150)
    wait_for_app_run(page)
    expect(page.get_by_text(f"pinned query: {hovered['qi'][0]}")).to_be_visible(timeout=20000)
    assert_no_errors(page)


def test_keyboard_moves_h_and_commits_once(page: Page, live_demo_url: str):
    open_demo(page, live_demo_url)
    runs_before = int(app_text(page, "script runs"))
    slider = page.locator(SLIDER)
    start = int(slider.input_value())
    slider.focus()
    pressed = []
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        pressed.append(time.perf_counter() * 1000.0)
    page.wait_for_timeout(600)
    wait_for_app_run(page)
    stops = bandwidth_stops(D2L)
    assert numbers(page)["h"] == stops[start + 3]
    assert float(app_text(page, "committed h")) == stops[start + 3]
    # Presses closer than Streamlit's debounce commit once; a busy machine may space them wider.
    pauses = sum(b - a >= STREAMLIT_DEBOUNCE_MS for a, b in zip(pressed, pressed[1:]))
    runs = int(app_text(page, "script runs")) - runs_before
    assert runs == 1 if not pauses else 1 <= runs <= 1 + pauses
