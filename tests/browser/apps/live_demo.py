"""The live explorer chart alone, with a counter of script runs (for the browser tests and the
drag benchmark). Run from the project root: ``streamlit run tests/browser/apps/live_demo.py``.

Query parameters: ``keys`` and ``queries`` (sizes; default the d2l classic preset, 50 × 50),
``pooling``, ``ll=1`` (local linear), ``equal=1`` (equal widths), ``h`` (starting bandwidth),
``smooth=1`` or ``0`` (redraw on every move or on rest; default by size).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the project root

import nwcore  # noqa: E402
from nwcore.live_chart import (  # noqa: E402
    SLIDER_CSS,
    committed_bandwidth,
    live_explorer_chart,
    starting_at,
)
from ui.explore import pinned_index  # noqa: E402
from ui.charts import ChartSpec, show_chart, to_spec  # noqa: E402
from ui.controls import bandwidth_stops  # noqa: E402

state = st.session_state
state.runs = state.get("runs", 0) + 1
params = st.query_params
n_keys = int(params.get("keys", 0))
n_queries = int(params.get("queries", 50))
pooling = params.get("pooling", "gaussian")
local_linear = params.get("ll") == "1"
equal_widths = params.get("equal") == "1"
smooth = {"1": True, "0": False}.get(params.get("smooth"))


@st.cache_data(max_entries=8)
def demo_data(n_keys: int):
    """The d2l classic preset (n_keys = 0) or the same law with n_keys points."""
    if n_keys:
        return nwcore.generated_dataset("2sin_x08", n_keys, 0.5, 0)
    return nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)


@st.cache_data(max_entries=8)
def demo_spec(n_keys, n_queries, pooling, equal_widths, local_linear, smooth):
    """The chart, built once per dataset and setting (it takes a few hundred ms)."""
    data = demo_data(n_keys)
    queries = data.queries() if not n_keys else nwcore.query_grid(data.keys, n_queries)
    live = live_explorer_chart(data.keys, data.values, queries, stops=bandwidth_stops(data),
                               h=1.0, pooling=pooling, truth=data.truth_curve(),
                               equal_widths=equal_widths, local_linear=local_linear,
                               smooth=smooth)
    return to_spec(live.chart), live.selection_mode, live.stops, len(queries)


state.setdefault("h", float(params.get("h", 1.0)))
# Where the slider starts: h when the chart was shown first. Committing h must not change the
# spec (the chart would be drawn anew); moving h by other means would change it, and the key.
state.setdefault("start_h", state.h)
spec, selection_mode, stops, n_q = demo_spec(n_keys, n_queries, pooling, equal_widths,
                                             local_linear, smooth)
st.html(f"<style>{SLIDER_CSS}</style>")
event = show_chart(ChartSpec(starting_at(spec.spec, stops, state.start_h), spec.tables),
                   alt_text="Live regression fit, attention heatmap and weight profile",
                   on_select="rerun", selection_mode=list(selection_mode),
                   key=f"live:{n_keys}:{n_queries}:{pooling}:{state.start_h}")
committed = committed_bandwidth(event.selection, stops)
if committed is not None:
    state.h = committed
st.markdown(f"script runs: **{state.runs}**", help="counts every run of this script")
st.markdown(f"committed h: **{state.h:g}**")
pinned = pinned_index(event.selection, n_q)
st.markdown(f"pinned query: **{pinned}**")
st.code(repr(event.selection), language=None)
