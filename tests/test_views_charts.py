"""Display tables (nwcore.views) and Altair builders (nwcore.charts)."""

import json
import tracemalloc

import altair as alt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nwcore
from nwcore import charts, views

alt.data_transformers.disable_max_rows()
DATA = nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)
POOLINGS = ["average", "gaussian", "boxcar", "triangular", "epanechnikov"]


def binned_reference(queries, keys, kernel, h, edges):
    dense = nwcore.attention_weights(queries, keys, kernel=kernel, bandwidth=h)
    bins = np.clip(np.searchsorted(edges, keys, "right") - 1, 0, edges.size - 2)
    return np.stack([dense[:, bins == b].sum(axis=1) for b in range(edges.size - 1)], axis=1)


@pytest.mark.parametrize("kernel", ["gaussian", "boxcar", "triangular", "epanechnikov"])
@pytest.mark.parametrize("h", [1e-4, 0.05, 1.0, 100.0])
def test_binned_cells_are_bin_totals_of_the_exact_weights(kernel, h):
    rng = np.random.default_rng(1)
    keys = np.sort(rng.random(3000) * 5)
    queries = np.linspace(0, 5, 40)
    cells = views.attention_cells(queries, keys, np.sin(keys), kernel=kernel, bandwidth=h,
                                  max_key_bins=60)
    assert cells.binned
    got = cells.frame["weight"].to_numpy().reshape(40, 60)
    edges = np.linspace(keys[0], keys[-1], 61)
    np.testing.assert_allclose(got, binned_reference(queries, keys, kernel, h, edges), atol=1e-12)
    sums = got.sum(axis=1)
    assert np.all((np.abs(sums - 1) < 1e-12) | (sums == 0))
    assert cells.frame["keys"].to_numpy().reshape(40, 60)[0].sum() == keys.size


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=30),
       st.sampled_from(POOLINGS), st.floats(1e-3, 1e3))
def test_effective_keys_match_the_dense_weights(keys, pooling, h):
    keys = np.array(keys)
    queries = np.linspace(keys.min() - 1, keys.max() + 1, 7)
    kernel = views.pooling_kernel(pooling)
    dense = nwcore.effective_keys(nwcore.attention_weights(queries, keys, kernel=kernel,
                                                           bandwidth=h))
    tiled = views.effective_keys_per_query(queries, keys, kernel=pooling, bandwidth=h)
    np.testing.assert_allclose(tiled, dense, rtol=1e-9, atol=1e-9)


def test_per_key_cells_span_the_data_in_data_units():
    cells = views.attention_cells(DATA.queries(), DATA.keys, DATA.values).frame
    assert len(cells) == 50 * 50
    row = cells[cells["qi"] == 0]
    assert row["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(row["key_hi"].to_numpy()[:-1], row["key_lo"].to_numpy()[1:])
    assert row["key_lo"].min() < DATA.keys.min() < DATA.keys.max() < row["key_hi"].max()


def test_heatmap_for_a_million_keys_builds_no_n_by_n_matrix():
    keys = np.sort(np.random.default_rng(2).random(1_000_000) * 5)
    tracemalloc.start()
    cells = views.attention_cells(np.linspace(0, 5, 50), keys, np.sin(keys), bandwidth=0.3)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert cells.binned and len(cells.frame) == 50 * 100
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_explorer_view_counts_empty_windows_and_dominated_queries():
    view = views.explorer_view(DATA, pooling="boxcar", bandwidth=0.05)
    empty = nwcore.empty_windows(DATA.queries(), DATA.keys, kernel="boxcar", bandwidth=0.05)
    assert view.empty_queries == int(empty.sum()) > 0
    assert views.explorer_view(DATA, pooling="gaussian", bandwidth=1e-4).dominated_queries == 50
    equal = views.explorer_view(DATA, pooling="boxcar", bandwidth=0.05, equal_widths=True)
    assert equal.kernel_bandwidth == pytest.approx(0.05 * np.sqrt(3))


def test_query_detail_decomposes_the_prediction():
    detail = views.query_detail(2.0, DATA.keys, DATA.values, kernel="gaussian", bandwidth=0.3)
    expected = nwcore.nadaraya_watson([2.0], DATA.keys, DATA.values, bandwidth=0.3)[0]
    assert detail["contribution"].sum() == pytest.approx(expected, abs=1e-12)
    assert detail["weight"].is_monotonic_decreasing


def spec(chart):
    return json.loads(chart.to_json())


def test_explorer_chart_links_fit_heatmap_and_profile():
    view = views.explorer_view(DATA, pooling="gaussian", bandwidth=1.0, local_linear=True)
    chart = charts.explorer_chart(views.display_points(DATA.keys, DATA.values), view.curves,
                                  view.fit, view.cells)
    built = spec(chart)
    assert len(built["vconcat"]) == 3
    assert {p["name"] for p in built["params"]} == {"hover", "pin"}
    assert "local linear" in json.dumps(built)
    image, legend, bands, _ = built["vconcat"][1]["layer"]
    assert image["mark"]["type"] == "image"
    assert image["encoding"]["x"]["title"] == "key x_i"
    assert image["encoding"]["y"]["title"] == "query x"
    assert bands["encoding"]["opacity"]["condition"]["param"] == "hover"


def test_heatmap_image_shows_each_cell_in_data_units():
    import base64
    import io

    from PIL import Image

    cells = views.attention_cells(DATA.queries(), DATA.keys, DATA.values, bandwidth=0.3)
    points = views.display_points(DATA.keys, DATA.values)
    tables = charts.explorer_tables(points, points, points, cells,
                                    layout=charts.ExplorerLayout(width=500, heatmap_height=250))
    cells = cells.frame
    url = tables["image"]["url"].iloc[0]
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    assert picture.shape == (250, 500, 3)
    weights = cells["weight"].to_numpy().reshape(50, 50)
    row, column = np.unravel_index(np.argmax(weights), weights.shape)
    darkest = np.unravel_index(np.argmin(picture.sum(axis=2)), picture.shape[:2])
    assert abs(darkest[0] / 250 * 50 - row) <= 1.5
    expected = charts.weight_colours(np.array([1.0]))[0]
    assert np.abs(picture[darkest].astype(int) - expected).max() <= 1


def test_show_heatmaps_is_d2l_shaped():
    grid = charts.show_heatmaps(np.eye(10).reshape(1, 1, 10, 10), xlabel="Keys",
                                ylabel="Queries")
    assert "vconcat" in spec(grid)
    with pytest.raises(ValueError, match="4-D"):
        charts.show_heatmaps(np.eye(10))


@pytest.mark.parametrize("transposed", [False, True])
def test_comparison_grid_and_other_builders(transposed):
    panels = views.comparison_panels(DATA, ["gaussian", "boxcar"], [0.1, 1.0])
    grid = spec(charts.comparison_grid(panels, column_titles=["h = 0.1", "h = 1"],
                                       row_titles=["gaussian", "boxcar"], transposed=transposed))
    first = grid["vconcat"][0]["hconcat"][0]["vconcat"][0]["encoding"]
    assert first["x"]["title"] == ("query x" if transposed else "key x_i")
    for chart in (charts.kernel_shapes_chart(equal_widths=True),
                  charts.scatter_chart(DATA.frame)):
        assert spec(chart)


def test_landscape_of_uploaded_data_shows_only_what_applies():
    rng = np.random.default_rng(4)
    x = np.sort(rng.uniform(2.4, 57.6, 120))
    frame = __import__("pandas").DataFrame({"x": x, "y": 50 * np.sin(x / 8) + rng.normal(0, 20,
                                                                                         120)})
    uploaded = nwcore.Dataset(frame=frame, label="mcycle-like", source="uploaded")
    landscape = views.bandwidth_landscape(uploaded, "gaussian")
    assert set(landscape.curves["criterion"]) == {"leave-one-out CV", "GCV"}
    assert not any("d2l" in label for label in landscape.markers["label"])
    built = spec(charts.bandwidth_landscape_chart(landscape.curves, landscape.markers))
    assert "true error" not in json.dumps(built)
    generated = views.bandwidth_landscape(DATA, "gaussian")
    assert "true error (vs f)" in set(generated.curves["criterion"])
    assert "d2l classic (h = 1)" in generated.choices
