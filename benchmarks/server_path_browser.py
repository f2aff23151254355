"""Rerun latency of the Explore page's bandwidth slider in a real browser (a script, not a test).

Starts its own app server on a free loopback port, opens /Explore (the d2l classic preset) in
Debian's chromium through Playwright, and moves the bandwidth select slider N times by keyboard
(focus the thumb, press ArrowLeft/ArrowRight). The default pattern is a zigzag, L x N/4,
R x N/2, L x N/4: h changes on every move, and about half the moves go to a stop the server
has already computed (the ``cached_view`` cache hits), half to a new one (misses).

How a move is timed, all in the page with ``performance.now()`` (an init script):
  * key:       a capture-phase ``keydown`` listener on window (the arrow key press);
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

    python benchmarks/rerun_latency_browser.py               # 40 moves, ~1 min
    python benchmarks/rerun_latency_browser.py --moves 10    # quick

Target: p50 <= 150 ms. Exit status 0 when met with no errors, 1 if not, 2 if it could not run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from app_server import benchmark_server, percentile  # noqa: E402 (run as a script)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
TARGET_P50_MS = 150.0

INSTRUMENT = """
(() => {
  if (window.__bench) return;
  const B = window.__bench = {key: 0, drawsAtKey: 0, draws: 0, firstDraw: 0, lastDraw: 0,
                              lastMut: 0, lastFrame: 0, states: [], msgs: [], longTasks: []};
  window.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      B.key = performance.now(); B.drawsAtKey = B.draws; B.firstDraw = 0;
    }
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


def wait_for_app_run(page, timeout: int = 30000) -> None:
    """As tests/browser/conftest.py: connected, script not running, no skeletons."""
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)
    page.get_by_test_id("stSkeleton").first.wait_for(state="detached", timeout=timeout)


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def summarise(name: str, values: list[float]) -> str:
    values = [v for v in values if v is not None]
    return (f"{name:<28} {len(values):>5} {percentile(values, 50):>8.0f} "
            f"{percentile(values, 90):>8.0f} {percentile(values, 95):>8.0f} "
            f"{max(values, default=float('nan')):>8.0f}")


def run(args, base_url: str, deadline: float) -> dict:
    chromium = args.chromium or os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        raise RuntimeError("Debian's chromium was not found (set CHROMIUM_PATH)")
    moves: list[dict] = []
    page_errors: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(INSTRUMENT)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            load_started = time.monotonic()
            page.goto(f"{base_url}/Explore?{args.query}" if args.query else f"{base_url}/Explore")
            wait_for_app_run(page)
            page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for(
                state="visible", timeout=30000)
            page.wait_for_timeout(500)
            load_seconds = time.monotonic() - load_started
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
            exceptions = page.get_by_test_id("stException").count()
            error_alerts = page.get_by_test_id("stAlertContentError").count()
            final_url = page.url
        finally:
            browser.close()
    return {"moves": moves, "page_errors": page_errors, "problems": problems,
            "exceptions": exceptions, "error_alerts": error_alerts, "load_seconds": load_seconds,
            "first_h": first_h, "final_url": final_url}


def report(args, result: dict) -> int:
    measured = [m for m in result["moves"] if m["phase"] == "measured"]
    total = [m["total"] for m in measured]
    print()
    print(f"Explore, d2l classic preset: {len(measured)} keyboard moves of the bandwidth slider "
          f"(start h={result['first_h']}, page load {result['load_seconds']:.1f} s)")
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
    p50 = percentile(total, 50)
    ok = p50 <= TARGET_P50_MS and errors == 0 and len(measured) == args.moves
    print(f"{'PASS' if ok else 'FAIL'}: p50 {p50:.0f} ms (target <= {TARGET_P50_MS:.0f} ms), "
          f"{errors} errors, {len(measured)}/{args.moves} moves")
    return 0 if ok else 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=40, help="measured slider moves (40)")
    parser.add_argument("--warmup", type=int, default=2, choices=[0, 1, 2],
                        help="unmeasured moves first (2: right then left)")
    parser.add_argument("--quiet-ms", type=int, default=400,
                        help="no drawing for this long = the redraw is over (400)")
    parser.add_argument("--timeout-ms", type=int, default=30000, help="per move (30000)")
    parser.add_argument("--query", default="preset=d2l_classic",
                        help="query string of the /Explore link (preset=d2l_classic)")
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
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    deadline = started + args.deadline
    try:
        with benchmark_server(args.server_arg, hard_deadline=args.deadline + 60,
                              log_prefix="nw-browser-") as (_, port, log_path):
            result = run(args, f"http://127.0.0.1:{port}", deadline)
            status = report(args, result)
            log_text = log_path.read_text(errors="replace")
        if "Traceback" in log_text:
            print(f"server log: {log_text.count('Traceback')} tracebacks")
            status = max(status, 1)
        print(f"total {time.monotonic() - started:.0f} s")
        return status
    except (RuntimeError, PlaywrightError) as error:
        print(f"browser benchmark failed: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
