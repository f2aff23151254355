"""In-page JavaScript for the browser tests and benchmarks of the live explorer chart: the Vega
view behind a Streamlit chart, and the numbers it computed.

Streamlit does not expose the view that vega-embed returns; it keeps it in React state. FIND_VIEW
walks up the React fiber of the chart's DOM node and searches the hooks' state for an object with
the Vega View API (``runAsync``, ``signal``, ``data``), and stores it as ``window.__liveView``.
"""

from __future__ import annotations

#: ``(selector) => bool``: finds the Vega view of the chart holding ``selector`` (or the first
#: chart) and keeps it as ``window.__liveView``.
FIND_VIEW = """
(selector) => {
  const inner = selector && document.querySelector(selector);
  const chart = (inner && inner.closest("[data-testid='stVegaLiteChart']"))
    || document.querySelector("[data-testid='stVegaLiteChart']");
  if (!chart) return false;
  const isView = (o) => o && typeof o === 'object' && typeof o.runAsync === 'function'
    && typeof o.signal === 'function' && typeof o.data === 'function';
  const seen = new Set();
  const skip = ['return', 'child', 'sibling', '_owner', 'alternate', 'stateNode'];
  const search = (o, depth) => {
    if (!o || typeof o !== 'object' || seen.has(o) || depth > 5 || o instanceof Node) return null;
    seen.add(o);
    if (isView(o)) return o;
    for (const key of Object.keys(o)) {
      if (skip.includes(key)) continue;
      let value;
      try { value = o[key]; } catch (e) { continue; }
      const found = search(value, depth + 1);
      if (found) return found;
    }
    return null;
  };
  let node = chart.querySelector('.vega-embed') || chart, fiberKey;
  while (node && !(fiberKey = Object.keys(node).find((k) => k.startsWith('__reactFiber$')))) {
    node = node.parentElement;
  }
  if (!node) return false;
  let view = null;
  for (let fiber = node[fiberKey], i = 0; fiber && i < 40 && !view; fiber = fiber.return, i++) {
    for (let hook = fiber.memoizedState, j = 0; hook && j < 60 && !view; hook = hook.next, j++) {
      view = search(hook.memoizedState, 0);
    }
  }
  window.__liveView = view;
  return !!view;
}
"""

#: ``() => {...}``: the slider's h and, from the view's datasets, per query (sorted by qi) its x,
#: ŷ and local linear value (from the dataset of the layer that holds every query), and per query its heatmap cells' kernel weights K (per key, or per
#: bin when the keys are binned) with their sum S (the weights are K / S).
LIVE_NUMBERS = """
() => {
  const view = window.__liveView;
  const value = (name) => { try { return view.signal(name); } catch (e) { return null; } };
  const out = {h: value('h_value'), h_kernel: value('h_kernel'), queries: null, rows: null};
  for (const name of Object.keys(view._runtime.data)) {
    let rows;
    try { rows = view.data(name); } catch (e) { continue; }
    if (!rows.length) continue;
    const first = rows[0];
    if (out.queries === null && 'prediction' in first && 'Ty' in first && !('series' in first)) {
      out.queries = rows.map((d) => ({qi: d.qi, x: d.x, prediction: d.prediction,
                                      local_linear: d.local_linear ?? null}))
        .sort((a, b) => a.qi - b.qi);
    }
    if (out.rows === null && 'cells' in first && 'Kmax' in first && !('cell' in first)) {
      out.rows = rows.map((d) => ({qi: d.qi, S: d.S, K: d.cells.map((c) => c.K),
                                   key_x: d.cells.map((c) => c.key_x)}))
        .sort((a, b) => a.qi - b.qi);
    }
  }
  return out;
}
"""
