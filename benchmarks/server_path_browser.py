"""The server path in a real browser: uploads of 1e5 and 1e6 rows, Explore's slider, the
Bandwidth page (a script, not a test).

Starts its own app server on a free loopback port and, for each size, writes a Parquet file of
that many rows (x uniform on [0, 5] to 4 decimals, y = 2 sin x + x^0.8 + N(0, 0.5²) to 3: 3.8 MB
at 1e6 rows, under the 10 MB cap) and, in Debian's chromium through Playwright:
  1. uploads it through the Data page ("Upload a file", the dropzone, "Use this data");
  2. opens the Bandwidth page from the menu and times its first render (the landscape of
     leave-one-out CV and GCV is computed for these data then);
  3. opens Explore from the menu (above the live chart's limit the page shows the server's
     bandwidth ``st.select_slider``), times its first render, and moves the slider N times by
     keyboard (focus the thumb, press ArrowLeft/ArrowRight). The pattern is a zigzag,
     L x N/4, R x N/2, L x N/4: h changes on every move, and about half the moves go to a stop
     the server has already computed (``cached_view`` hits), half to a new one (misses).
Steps 1-2 are repeated ``--renders`` times with other seeds (new data: no cache helps), each in a
new browser session; step 3 runs in the last one. ``--query n=5000`` instead opens
/Explore?n=5000 (generated data, no upload) and moves its slider.

How a move is timed, all in the page with ``performance.now()`` (an init script):
  * key:       a capture-phase ``keydown`` listener on window (the arrow key press), or the
    click on a menu link for a page's first render;
  * running / notRunning: a MutationObserver on ``[data-testid=stApp]``'s
    ``data-test-script-state`` attribute (old values chained, so a fast flip is not missed);
  * last draw: wrappers around ``CanvasRenderingContext2D`` drawing calls (``clearRect``,
    ``fillRect``, ``fill``, ``stroke``, ``fillText``, ``drawImage``: Vega's canvas renderer)
    plus DOM mutations inside ``stVegaLiteChart`` (an SVG renderer or a re-mounted chart);
  * painted:   the first ``requestAnimationFrame`` after the last draw (the frame that shows it);
  * ws:        when the page dispatched each websocket message (a WebSocket subclass), and its
    size: the first one and the chart delta (the largest) locate the server's share;
  * long tasks: a PerformanceObserver of main-thread tasks over 50 ms (the browser's share).
After each press the script waits until the run went running -> notRunning after the key and
nothing was drawn for a quiet window (default 400 ms), then reads the marks. The latency is
key -> max(painted, notRunning): the rerun finished and the charts are redrawn on screen.
It is split into key -> running (frontend + websocket + server start), running -> notRunning
(the script run and its messages) and notRunning -> painted (chart drawing left after the run).

    python benchmarks/server_path_browser.py                     # 1e5 and 1e6 rows, ~1.5 min
    python benchmarks/server_path_browser.py --rows 1e6 --renders 1 --moves 10   # quick
    python benchmarks/server_path_browser.py --query n=5000      # generated data, no upload

Targets: a move p50 <= 250 ms at 1e5 rows and <= 300 ms at 1e6 rows, p95 <= 2 x p50; the
Bandwidth page's first render <= 1.5 s at 1e6 rows. Exit status 0 when met with no errors, 1 if
not, 2 if it could not run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from app_server import (  # noqa: E402 (run as a script)
    CHROMIUM_ARGS, benchmark_server, chromium_executable, load_average, percentile,
    wait_for_app_run)

ROOT = Path(__file__).resolve().parents[1]
#: Move p50 targets by rows (the p95 target is twice the p50 measured); the Bandwidth page's
#: first render target at 1e6 rows.
TARGET_P50_MS = {100_000: 250.0, 1_000_000: 300.0}
TARGET_BANDWIDTH_MS = {1_000_000: 1500.0}
#: A page's first render is over when nothing was drawn for this long (a move: --quiet-ms).
PAGE_QUIET_MS = 600

INSTRUMENT = """
(() => {
  if (window.__bench) return;
  const B = window.__bench = {key: 0, drawsAtKey: 0, draws: 0, firstDraw: 0, lastDraw: 0,
                              lastMut: 0, lastFrame: 0, states: [], msgs: [], longTasks: []};
  const mark = () => { B.key = performance.now(); B.drawsAtKey = B.draws; B.firstDraw = 0; };
  window.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') mark();
  }, true);
  window.addEventListener('click', (e) => {   // a link of the page menu: a page's first render
    if (e.target.closest && e.target.closest('[data-testid="stSidebar"] a')) mark();
  }, true);
  const P = CanvasRenderingContext2D.prototype;
  for (const name of ['clearRect', 'fillRect', 'fill', 'stroke', 'fillText', 'drawImage']) {
    const original = P[name];
    P[name] = function () {
      const t = performance.now(); B.lastDraw = t; B.draws++;
      if (!B.firstDraw) B.firstDraw = t;
      return original.apply(this, arguments);
    };
  }
  // When the page's main thread dispatches each websocket message (ForwardMsg), and its size.
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const d = e.data;
        B.msgs.push([performance.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
        if (B.msgs.length > 20000) B.msgs.splice(0, 10000);
      });
    }
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longTasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no long task timing */ }
  const inChart = (node) => {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    return !!(el && el.closest && el.closest('[data-testid="stVegaLiteChart"]'));
  };
  new MutationObserver((records) => {
    const t = performance.now();
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') {
        B.states.push({t, old: r.oldValue, now: r.target.getAttribute('data-test-script-state')});
      } else if (inChart(r.target)) {
        B.lastMut = t;
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true,
                        attributeOldValue: true});
  let seen = 0;
  const frame = () => {
    const last = Math.max(B.lastDraw, B.lastMut);
    if (last > seen) { seen = last; B.lastFrame = performance.now(); }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""

# Resolves to the marks of the move once the run finished and the page has been quiet.
MOVE_DONE = """
(quiet) => {
  const B = window.__bench;
  if (!B || !B.key) return false;
  // The value each state change set: the next change's old value, or the current one.
  const changes = B.states.map((s, i) => ({t: s.t,
      value: i + 1 < B.states.length ? B.states[i + 1].old : s.now}));
  const after = changes.filter((c) => c.t >= B.key);
  const running = after.find((c) => c.value === 'running');
  if (!running) return false;
  const finished = after.find((c) => c.t >= running.t && c.value === 'notRunning');
  if (!finished) return false;
  const now = performance.now();
  const last = Math.max(finished.t, B.lastDraw, B.lastMut, B.lastFrame);
  if (now - last < quiet) return false;
  const msgs = B.msgs.filter((m) => m[0] >= B.key && m[0] <= finished.t);
  const biggest = msgs.reduce((a, m) => (m[1] > a[1] ? m : a), [0, 0]);
  const tasks = B.longTasks.filter((x) => x[0] + x[1] >= B.key);
  return {key: B.key, running: running.t, finished: finished.t,
          firstDraw: B.firstDraw, lastDraw: Math.max(B.lastDraw, B.lastMut),
          lastFrame: B.lastFrame, draws: B.draws - B.drawsAtKey,
          firstMsg: msgs.length ? msgs[0][0] : 0, lastMsg: msgs.length ? msgs[msgs.length - 1][0] : 0,
          bigMsg: biggest[0], bigBytes: biggest[1], bytes: msgs.reduce((a, m) => a + m[1], 0),
          longTaskMs: tasks.reduce((a, x) => a + x[1], 0),
          longTaskMax: tasks.reduce((a, x) => Math.max(a, x[1]), 0)};
}
"""


def key_pattern(moves: int) -> list[str]:
    """Zigzag L x n/4, R x n/2, L x rest: h changes on every move, stays in range."""
    quarter = max(1, moves // 4)
    keys = ["ArrowLeft"] * quarter + ["ArrowRight"] * (2 * quarter)
    keys += ["ArrowLeft"] * max(0, moves - len(keys))
    return keys[:moves]


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def summarise(name: str, values: list[float]) -> str:
    values = [v for v in values if v is not None]
    return (f"{name:<28} {len(values):>5} {percentile(values, 50):>8.0f} "
            f"{percentile(values, 90):>8.0f} {percentile(values, 95):>8.0f} "
            f"{max(values, default=float('nan')):>8.0f}")


def write_parquet(path: Path, rows: int, seed: int) -> None:
    """An upload of ``rows`` rows: d2l's classic law, x to 4 decimals and y to 3."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 5.0, rows)
    y = 2 * np.sin(x) + x**0.8 + rng.normal(0.0, 0.5, rows)
    pd.DataFrame({"x": x.round(4), "y": y.round(3)}).to_parquet(path)


def new_page(browser, page_errors: list[str]):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    return page


def upload(page, base_url: str, path: Path, rows: int, timeout: int) -> float:
    """Upload ``path`` through the Data page and use it; returns the seconds it took."""
    page.goto(f"{base_url}/Data")
    wait_for_app_run(page)
    started = time.monotonic()
    page.get_by_text("Upload a file").click()
    wait_for_app_run(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_for_app_run(page, timeout)
    page.get_by_role("button", name="Use this data").click()
    wait_for_app_run(page, timeout)
    page.get_by_text(f"read {rows:,} rows").first.wait_for(timeout=timeout)
    return time.monotonic() - started


def open_page(page, label: str, timeout: int) -> float:
    """Click the page menu's link ``label``; ms from the click to the page's script finished
    and its charts drawn (nothing drawn for :data:`PAGE_QUIET_MS` after)."""
    page.evaluate("() => { window.__bench.key = 0; }")
    page.get_by_test_id("stSidebar").get_by_role("link", name=label).click()
    marks = page.wait_for_function(MOVE_DONE, arg=PAGE_QUIET_MS, timeout=timeout,
                                   polling=50).json_value()
    wait_for_app_run(page, timeout)
    return max(marks["lastFrame"], marks["finished"]) - marks["key"]


def measure_moves(page, args, deadline: float) -> dict:
    """Move Explore's server slider by keyboard (the page is open); the marks of each move."""
    moves: list[dict] = []
    problems: list[str] = []
    thumb = page.get_by_test_id("stSlider").get_by_role("slider").first
    thumb.focus()
    value = thumb.get_attribute("aria-valuetext")
    visited = {value}
    first_h = value
    plan = [("warm-up", key) for key in ["ArrowRight", "ArrowLeft"][:args.warmup]]
    plan += [("measured", key) for key in key_pattern(args.moves)]
    for phase, key in plan:
        if time.monotonic() > deadline:
            problems.append("deadline reached: moves left undone")
            break
        page.evaluate("() => { window.__bench.key = 0; }")
        thumb.press(key)
        try:
            marks = page.wait_for_function(MOVE_DONE, arg=args.quiet_ms,
                                           timeout=args.timeout_ms, polling=50).json_value()
        except PlaywrightError as error:
            problems.append(f"{key}: no finished rerun within {args.timeout_ms} ms "
                            f"({type(error).__name__})")
            continue
        new_value = thumb.get_attribute("aria-valuetext")
        record = {
            "phase": phase, "key": key, "h_before": value, "h": new_value,
            "new_h": new_value not in visited,
            "total": max(marks["lastFrame"], marks["finished"]) - marks["key"],
            "to_running": marks["running"] - marks["key"],
            "script": marks["finished"] - marks["running"],
            "after_finish": max(0.0, marks["lastFrame"] - marks["finished"]),
            "last_draw": marks["lastDraw"] - marks["key"],
            "draws": marks["draws"],
            "first_msg": marks["firstMsg"] - marks["key"] if marks["firstMsg"] else None,
            "chart_msg": marks["bigMsg"] - marks["key"] if marks["bigMsg"] else None,
            "chart_bytes": marks["bigBytes"], "bytes": marks["bytes"],
            "draw_span": (marks["lastDraw"] - marks["firstDraw"]
                          if marks["firstDraw"] >= marks["key"] else None),
            "long_tasks": marks["longTaskMs"], "long_task_max": marks["longTaskMax"],
        }
        if new_value == value:
            problems.append(f"{key}: h did not change ({value})")
        if marks["draws"] == 0 or marks["lastDraw"] < marks["key"]:
            problems.append(f"{key} to h={new_value}: no chart redraw after the key")
        visited.add(new_value)
        value = new_value
        moves.append(record)
        if args.verbose:
            print(f"{phase:<8} {key:<10} h {record['h_before']:>5} -> {record['h']:<5} "
                  f"{'new' if record['new_h'] else 'seen':<4} total "
                  f"{record['total']:6.0f} ms  (to running {record['to_running']:4.0f}, "
                  f"run {record['script']:5.0f}, after {record['after_finish']:4.0f}; "
                  f"chart msg at {_ms(record['chart_msg'])} ({record['chart_bytes']} B), "
                  f"drawing {_ms(record['draw_span'])}, {record['draws']} draw calls, "
                  f"long tasks {record['long_tasks']:.0f} ms)", flush=True)
    return {"moves": moves, "problems": problems, "first_h": first_h}


def page_checks(page) -> dict:
    return {"exceptions": page.get_by_test_id("stException").count(),
            "error_alerts": page.get_by_test_id("stAlertContentError").count()}


def run_size(browser, base_url: str, rows: int | None, args, deadline: float,
             tmp: Path) -> dict:
    """One size: uploads with the Bandwidth page's first render, then Explore's moves (or, with
    ``rows`` None, Explore opened by the link ``--query``)."""
    page_errors: list[str] = []
    result = {"rows": rows, "uploads": [], "bandwidth_ms": [], "page_errors": page_errors}
    if rows is None:
        page = new_page(browser, page_errors)
        page.goto(f"{base_url}/Explore?{args.query}")
        wait_for_app_run(page, args.timeout_ms)
    else:
        for run in range(args.renders):
            if run:
                page.context.close()
            page = new_page(browser, page_errors)
            path = tmp / f"upload_{rows}_{run}.parquet"
            write_parquet(path, rows, seed=1000 * run + rows % 997)
            result["uploads"].append(upload(page, base_url, path, rows, args.timeout_ms))
            result["bandwidth_ms"].append(open_page(page, "Bandwidth", args.timeout_ms))
            if args.verbose:
                print(f"{rows:,} rows, upload {run + 1}: {result['uploads'][-1]:.1f} s, Bandwidth "
                      f"page first render {result['bandwidth_ms'][-1]:.0f} ms", flush=True)
        result["explore_ms"] = open_page(page, "Explore", args.timeout_ms)
    page.get_by_test_id("stSlider").first.wait_for(timeout=args.timeout_ms)
    page.wait_for_timeout(500)
    result.update(measure_moves(page, args, deadline))
    result.update(page_checks(page))
    page.context.close()
    return result


def report(args, result: dict) -> bool:
    """Print one size's figures; whether its targets are met."""
    rows = result["rows"]
    measured = [m for m in result["moves"] if m["phase"] == "measured"]
    total = [m["total"] for m in measured]
    where = f"{rows:,} rows uploaded (Parquet)" if rows else f"/Explore?{args.query}"
    print()
    if rows:
        bandwidth = result["bandwidth_ms"]
        print(f"{where}: upload + read {', '.join(f'{s:.1f}' for s in result['uploads'])} s; "
              f"Bandwidth page first render {', '.join(f'{v:.0f}' for v in bandwidth)} ms "
              f"(median {percentile(bandwidth, 50):.0f}); Explore first render "
              f"{result['explore_ms']:.0f} ms")
    print(f"{where}: {len(measured)} keyboard moves of Explore's bandwidth slider "
          f"(start h={result['first_h']})")
    print(f"{'ms':<28} {'count':>5} {'p50':>8} {'p90':>8} {'p95':>8} {'max':>8}")
    print(summarise("key -> redrawn (total)", total))
    print(summarise("  new h (cache miss)", [m["total"] for m in measured if m["new_h"]]))
    print(summarise("  seen h (cache hit)", [m["total"] for m in measured if not m["new_h"]]))
    print(summarise("key -> running", [m["to_running"] for m in measured]))
    print(summarise("running -> notRunning", [m["script"] for m in measured]))
    print(summarise("notRunning -> painted", [m["after_finish"] for m in measured]))
    print(summarise("key -> last draw call", [m["last_draw"] for m in measured]))
    print("where the time goes (ws = when the page dispatched the websocket message):")
    print(summarise("key -> first ws message", [m["first_msg"] for m in measured]))
    print(summarise("key -> chart delta (ws)", [m["chart_msg"] for m in measured]))
    print(summarise("chart drawing (1st->last)", [m["draw_span"] for m in measured]))
    print(summarise("long tasks (main thread)", [m["long_tasks"] for m in measured]))
    sizes = sorted(m["chart_bytes"] for m in measured)
    if sizes:
        print(f"chart delta {sizes[len(sizes) // 2] / 1024:.0f} KiB, all messages "
              f"{sorted(m['bytes'] for m in measured)[len(sizes) // 2] / 1024:.0f} KiB per "
              "rerun (median)")
    errors = len(result["page_errors"]) + result["exceptions"] + len(result["problems"])
    print(f"errors: stException {result['exceptions']}, st.error alerts "
          f"{result['error_alerts']}, page errors {len(result['page_errors'])}, "
          f"failed moves {len(result['problems'])}")
    for line in (result["page_errors"] + result["problems"])[:10]:
        print("  ", line[:300])
    p50, p95 = percentile(total, 50), percentile(total, 95)
    ok = errors == 0 and len(measured) == args.moves
    print(f"{'PASS' if ok else 'FAIL'}: {errors} errors, {len(measured)}/{args.moves} moves")
    if rows in TARGET_P50_MS:
        met = p50 <= TARGET_P50_MS[rows] and p95 <= 2 * p50
        print(f"{'PASS' if met else 'FAIL'}: move p50 {p50:.0f} ms (target <= "
              f"{TARGET_P50_MS[rows]:.0f}), p95 {p95:.0f} ms (target <= 2 x p50 = {2 * p50:.0f})")
        ok = ok and met
    if rows in TARGET_BANDWIDTH_MS:
        median = percentile(result["bandwidth_ms"], 50)
        met = median <= TARGET_BANDWIDTH_MS[rows]
        print(f"{'PASS' if met else 'FAIL'}: Bandwidth page first render {median:.0f} ms "
              f"(target <= {TARGET_BANDWIDTH_MS[rows]:.0f})")
        ok = ok and met
    return ok


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1e5,1e6",
                        help="comma-separated upload sizes in rows (1e5,1e6)")
    parser.add_argument("--renders", type=int, default=3,
                        help="uploads per size, each timing the Bandwidth page's first "
                             "render (3)")
    parser.add_argument("--query", default=None,
                        help="instead of uploads: the /Explore link's query string, e.g. "
                             "n=5000 (generated data above the live limit)")
    parser.add_argument("--moves", type=int, default=40, help="measured slider moves (40)")
    parser.add_argument("--warmup", type=int, default=2, choices=[0, 1, 2],
                        help="unmeasured moves first (2: right then left)")
    parser.add_argument("--quiet-ms", type=int, default=400,
                        help="no drawing for this long = the redraw is over (400)")
    parser.add_argument("--timeout-ms", type=int, default=60000,
                        help="per move, upload or page (60000)")
    parser.add_argument("--deadline", type=float, default=540.0,
                        help="hard deadline for the whole run in s (540)")
    parser.add_argument("--chromium", default=None, help="chromium binary (default: PATH)")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="extra `streamlit run` flag for an A/B run, e.g. "
                             "--server-arg=--runner.postScriptGC=false (repeatable)")
    parser.add_argument("-q", "--quiet", dest="verbose", action="store_false",
                        help="no line per move")
    args = parser.parse_args(argv)
    if not 1 <= args.moves <= 400:
        parser.error("--moves must be between 1 and 400")
    try:
        args.rows = [None] if args.query else [int(float(r)) for r in args.rows.split(",")]
    except ValueError:
        parser.error("--rows takes numbers such as 1e5,1e6")
    if args.renders < 1:
        parser.error("--renders must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    deadline = started + args.deadline
    chromium = chromium_executable(args.chromium)
    if not chromium:
        print("Debian's chromium was not found (set CHROMIUM_PATH)", file=sys.stderr)
        return 2
    print(f"load average at start: {load_average()} "
          f"({os.cpu_count()} cores)", flush=True)
    try:
        with benchmark_server(args.server_arg, hard_deadline=args.deadline + 60,
                              log_prefix="nw-browser-") as (_, port, log_path):
            with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=CHROMIUM_ARGS)
                try:
                    results = [run_size(browser, f"http://127.0.0.1:{port}", rows, args,
                                        deadline, Path(tmp)) for rows in args.rows]
                finally:
                    browser.close()
            ok = all([report(args, result) for result in results])
            log_text = log_path.read_text(errors="replace")
        if "Traceback" in log_text:
            print(f"server log: {log_text.count('Traceback')} tracebacks")
            ok = False
        print(f"load average at end: {load_average()}; "
              f"total {time.monotonic() - started:.0f} s")
        return 0 if ok else 1
    except (RuntimeError, PlaywrightError) as error:
        print(f"browser benchmark failed: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
