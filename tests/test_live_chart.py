"""The live explorer chart's spec (nwcore.live_chart): what it carries, its slider and parameters,
and reading the committed bandwidth back. Its numbers are checked in a browser
(tests/browser/test_live_chart_browser.py): Vega computes them, not Python."""

import json
import re
import subprocess
import sys
from pathlib import Path

import altair as alt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import nwcore
from nwcore import live_chart
from nwcore.charts import weight_colours
from nwcore.live_chart import (
    BANDWIDTH_PARAM,
    LIVE_MAX_CELLS,
    PALETTE_SIZE,
    SMOOTH_MAX_CELLS,
    STOP_FIELD,
    committed_bandwidth,
    fits_live,
    live_explorer_chart,
)
from nwcore.stops import bandwidth_options

ROOT = Path(__file__).resolve().parents[1]
DATA = nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)
STOPS = bandwidth_options(0.01, 50.0)


def build(data=DATA, queries=None, **options):
    options = {"stops": STOPS, "h": 1.0, "truth": data.truth_curve(), **options}
    queries = data.queries() if queries is None else queries
    return live_explorer_chart(data.keys, data.values, queries, **options)


def spec_of(live):
    """The spec with its datasets inline (Altair's default transformer)."""
    return live.chart.to_dict()


def params(spec):
    return {param["name"]: param for param in spec.get("params", [])}


def transforms(spec):
    """Every transform in the spec, at any depth."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(node.get("transform", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


# --- reading the committed bandwidth -------------------------------------------------------


@given(st.integers(0, len(STOPS) - 1))
def test_committed_bandwidth_is_the_stop_at_the_reported_index(index):
    assert committed_bandwidth({BANDWIDTH_PARAM: [{STOP_FIELD: index}]}, STOPS) == STOPS[index]
    assert committed_bandwidth({BANDWIDTH_PARAM: [{STOP_FIELD: float(index)}]},
                               STOPS) == STOPS[index]


@pytest.mark.parametrize("selection", [
    {}, {BANDWIDTH_PARAM: {}}, {BANDWIDTH_PARAM: []}, {"pin": [{"qi": 3}]}, None, "x",
    {BANDWIDTH_PARAM: [{STOP_FIELD: -1}]}, {BANDWIDTH_PARAM: [{STOP_FIELD: len(STOPS)}]},
    {BANDWIDTH_PARAM: [{STOP_FIELD: 2.5}]}, {BANDWIDTH_PARAM: [{STOP_FIELD: float("nan")}]},
    {BANDWIDTH_PARAM: [{STOP_FIELD: True}]}, {BANDWIDTH_PARAM: [{STOP_FIELD: "3"}]},
    {BANDWIDTH_PARAM: [{"qi": 3}]}, {BANDWIDTH_PARAM: [None]},
])
def test_no_committed_bandwidth_from_empty_or_malformed_state(selection):
    assert committed_bandwidth(selection, STOPS) is None


def test_the_last_reported_point_wins():
    selection = {BANDWIDTH_PARAM: [{STOP_FIELD: 3}, {STOP_FIELD: 9}], "pin": [{"qi": 1}]}
    assert committed_bandwidth(selection, STOPS) == STOPS[9]


# --- the slider and the parameters ---------------------------------------------------------


@pytest.mark.parametrize("h, index", [(1.0, STOPS.index(1.0)), (0.011, STOPS.index(0.011)),
                                      (0.99, STOPS.index(1.0)), (1e-9, 0), (1e9, len(STOPS) - 1)])
def test_slider_spans_the_stops_and_starts_at_the_nearest(h, index):
    live = build(h=h)
    assert live.selection_mode == ("pin", BANDWIDTH_PARAM)
    assert live.stops == tuple(STOPS)
    slider = params(spec_of(live))[BANDWIDTH_PARAM]
    assert slider["select"]["fields"] == [STOP_FIELD]
    assert slider["bind"] | {"name": None} == {"input": "range", "min": 0,
                                                "max": len(STOPS) - 1, "step": 1, "name": None}
    assert slider["value"] == [{STOP_FIELD: index}]


def test_a_built_spec_can_start_at_another_stop():
    spec = spec_of(build(h=1.0))
    moved = live_chart.starting_at(spec, STOPS, 0.2)
    assert params(moved)[BANDWIDTH_PARAM]["value"] == [{STOP_FIELD: STOPS.index(0.2)}]
    assert params(spec)[BANDWIDTH_PARAM]["value"] == [{STOP_FIELD: STOPS.index(1.0)}]
    assert {k: v for k, v in moved.items() if k != "params"} == {
        k: v for k, v in spec.items() if k != "params"}
    average = spec_of(build(pooling="average"))
    assert live_chart.starting_at(average, STOPS, 0.2) == average


def test_h_is_looked_up_in_the_exact_stops_and_shown_in_the_title():
    spec = spec_of(build())
    expression = params(spec)["h_value"]["expr"]
    listed = json.loads(re.match(r"(\[.*\])\[", expression)[1])
    assert listed == STOPS  # the same doubles: JSON round-trips Python's repr
    assert expression.endswith(f"[{BANDWIDTH_PARAM}.{STOP_FIELD}[0]]")
    assert "h_value" in json.dumps(spec["vconcat"][0]["title"])


@pytest.mark.slow
@pytest.mark.parametrize("pooling", ["boxcar", "triangular", "epanechnikov"])
def test_equal_widths_divide_h_by_the_kernels_std(pooling):
    raw = params(spec_of(build(pooling=pooling)))["h_kernel"]["expr"]
    equal = params(spec_of(build(pooling=pooling, equal_widths=True)))["h_kernel"]["expr"]
    assert raw == "h_value / 1.0"
    assert equal == f"h_value / {nwcore.kernel_std(pooling)!r}"
    assert params(spec_of(build(equal_widths=True)))["h_kernel"]["expr"] == "h_value / 1.0"


def test_average_pooling_has_no_slider():
    live = build(pooling="average", local_linear=True)
    spec = spec_of(live)
    assert live.selection_mode == ("pin",)
    assert BANDWIDTH_PARAM not in params(spec) and "h_kernel" not in json.dumps(spec)
    assert "local_linear" not in json.dumps(spec)


def test_local_linear_only_when_asked():
    assert "local_linear" not in json.dumps(spec_of(build()))
    assert "local_linear" in json.dumps(spec_of(build(local_linear=True)))


@pytest.mark.slow
def test_large_views_redraw_when_the_pointer_rests():
    small = build()
    assert small.smooth and "debounce" not in params(spec_of(small))[BANDWIDTH_PARAM]["bind"]
    data = nwcore.generated_dataset("2sin_x08", 200, 0.5, 0)
    large = build(data, queries=nwcore.query_grid(data.keys, 50))
    assert 200 * 50 > SMOOTH_MAX_CELLS and not large.smooth
    assert params(spec_of(large))[BANDWIDTH_PARAM]["bind"]["debounce"] == live_chart.REST_MS
    assert build(data, queries=nwcore.query_grid(data.keys, 50), smooth=True).smooth


def test_size_limit():
    assert fits_live(500, 100) and 500 * 100 <= LIVE_MAX_CELLS
    assert not fits_live(501, 100)


# --- what the chart carries ----------------------------------------------------------------


def test_carries_keys_and_queries_once_not_the_matrix():
    spec = spec_of(build(local_linear=True))
    sizes = sorted(len(rows) for rows in spec["datasets"].values())
    # keys, the points drawn (the keys, at most 5000), queries, fixed curves (average and
    # truth), palette, legend, the link-pinned query (none)
    assert sizes == sorted([50, 50, 50, 50 + 200, PALETTE_SIZE, 2, 0])
    cells = [t for t in spec["transform"] if "flatten" in t or "calculate" in t]
    assert {"calculate": "sequence(0, 50)", "as": "ki"} in cells  # the matrix is made in Vega


def test_tables_hold_sorted_keys_nearest_distances_and_gradient_offsets():
    rng = np.random.default_rng(3)
    keys, values = rng.random(30) * 4, rng.normal(size=30)
    queries = np.linspace(-1, 5, 20)
    tables = live_chart._live_tables(keys, values, queries, None, max_key_bins=100)
    order = np.argsort(keys)
    np.testing.assert_array_equal(tables["keys"]["key_x"], keys[order])
    np.testing.assert_array_equal(tables["keys"]["key_yc"],
                                  values[order] - 0.5 * (values.min() + values.max()))
    np.testing.assert_array_equal(tables["queries"]["nearest"],
                                  np.abs(queries[:, None] - keys[None, :]).min(axis=1))
    lo, hi = tables["keys"]["offset_lo"].to_numpy(), tables["keys"]["offset_hi"].to_numpy()
    assert lo[0] == 0 and hi[-1] == 1 and np.all(np.diff(lo) > 0)
    np.testing.assert_allclose(lo[1:], hi[:-1], rtol=0, atol=1e-15)
    assert tables["columns"] is None and not tables["binned"]
    low, high = tables["y_domain"]
    assert low < values.min() and high > values.max()


def test_palette_levels_are_exact_bin_starts_with_the_weight_colours():
    palette = live_chart._live_tables(DATA.keys, DATA.values, DATA.queries(), None,
                                      max_key_bins=100)["palette"]
    levels = palette["level"].to_numpy()
    assert np.array_equal(levels * PALETTE_SIZE, np.arange(PALETTE_SIZE))  # i / 256, exact
    middle = weight_colours(np.array([(7 + 0.5) / PALETTE_SIZE]))[0]
    assert palette["color"].iloc[7] == "#{:02x}{:02x}{:02x}".format(*middle)
    spec = spec_of(build())
    bins = [t for t in transforms(spec) if "bin" in t]
    assert bins and all(t["bin"] == {"extent": [0, 1], "step": 1 / PALETTE_SIZE} for t in bins)


def test_many_keys_are_binned_into_columns_for_the_heatmap():
    data = nwcore.generated_dataset("2sin_x08", 300, 0.5, 0)
    live = build(data, queries=nwcore.query_grid(data.keys, 20), max_key_bins=60)
    spec = spec_of(live)
    columns = [rows for rows in spec["datasets"].values() if rows and "column" in rows[0]
               and "offset_lo" in rows[0] and "ki" not in rows[0]]
    assert len(columns) == 1 and len(columns[0]) == 60
    assert sum(row["keys"] for row in columns[0]) == 300
    assert any(t.get("aggregate") == [{"op": "sum", "field": "K", "as": "K"}]
               and t["groupby"] == ["qi", "column"] for t in transforms(spec))


def test_fit_axis_is_fixed_and_holds_data_and_truth():
    spec = json.dumps(spec_of(build()))
    low, high = live_chart._live_tables(
        DATA.keys, DATA.values, DATA.queries(), DATA.truth_curve(),
        max_key_bins=100)["y_domain"]
    assert low < min(DATA.values.min(), DATA.truth_curve()["truth"].min())
    assert high > max(DATA.values.max(), DATA.truth_curve()["truth"].max())
    assert json.dumps({"domain": [low, high], "zero": False}) in spec


def test_slider_css_names_the_input_vega_makes():
    assert f'input[name="{BANDWIDTH_PARAM}_{STOP_FIELD}"]' in live_chart.SLIDER_CSS


def test_rejects_bad_stops_and_data():
    with pytest.raises(ValueError, match="stops"):
        build(stops=[1.0, 0.5])
    with pytest.raises(ValueError, match="stops"):
        build(stops=[])
    with pytest.raises(ValueError):
        live_explorer_chart([0.0, np.nan], [1.0, 2.0], [0.5], stops=STOPS, h=1.0)


@pytest.mark.slow
def test_builds_for_every_pooling_and_is_valid_vega_lite():
    for pooling in ["average", "gaussian", "boxcar", "triangular", "epanechnikov"]:
        live = build(pooling=pooling, local_linear=True)
        assert isinstance(live.chart, alt.TopLevelMixin)
        live.chart.to_dict(validate=True)


def test_nwcore_does_not_import_streamlit():
    code = "import sys, nwcore.live_chart; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"


def test_demo_app_shows_the_chart_with_both_selections():
    app = AppTest.from_file(str(ROOT / "tests/browser/apps/live_demo.py"), default_timeout=60)
    app.run()
    assert not app.exception
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    assert sorted(charts[0].proto.selection_mode) == sorted(["pin", BANDWIDTH_PARAM])
    assert app.session_state["runs"] == 1
