"""The Vectors page's view: the plane, the weight table, Gaussian against dot-product attention
on and off the unit circle, and softmax saturation."""

import math

import numpy as np
import pandas as pd
import pytest

import nwcore
from nwcore.planeview import (
    MAX_PLANE_POINTS,
    QUERY_GRID,
    SURFACE_PIXELS,
    angle_of,
    circle_keys,
    dataset_plane,
    directions,
    grid_cells,
    off_sphere_comparison,
    plane_keys,
    plane_view,
    softmax_saturation,
    sphere_comparison,
    unit_rows,
    weight_table,
)


def test_presets_are_deterministic():
    keys, values = plane_keys(25, 3)
    again = plane_keys(25, 3)
    assert keys.shape == (25, 2) and np.all((keys >= 0) & (keys <= 5))
    assert np.array_equal(keys, again[0]) and np.array_equal(values, again[1])
    assert np.std(values - nwcore.consistency.truth(2, keys)) < 0.6
    angles, circle_values = circle_keys(12, 3)
    assert np.all(np.diff(angles) >= 0) and np.all((angles >= 0) & (angles < 2 * np.pi))
    assert np.allclose(circle_values, np.cos(angles) + np.sin(2 * angles))
    with pytest.raises(ValueError, match="whole number"):
        plane_keys(1)
    with pytest.raises(ValueError, match="seed"):
        circle_keys(5, -2)


def test_grid_cells_run_from_the_top_left_row_by_row():
    centres, edges = grid_cells((0.0, 4.0, 0.0, 2.0), 2)
    assert centres.tolist() == [[1.0, 1.5], [3.0, 1.5], [1.0, 0.5], [3.0, 0.5]]
    assert edges[0].tolist() == [0.0, 2.0, 1.0, 2.0]


def test_plane_view_matches_the_engine():
    keys, values = plane_keys(30, 0)
    query = (2.0, 3.0)
    view = plane_view(keys, values, query, bandwidth=0.7)
    pixels, _ = grid_cells(view.extent, SURFACE_PIXELS)
    assert np.allclose(view.surface, nwcore.vector_nadaraya_watson(pixels, keys, values,
                                                                   bandwidth=0.7))
    cells = nwcore.vector_attention_weights(view.cell_queries, keys, bandwidth=0.7)
    assert view.cell_queries.shape == (QUERY_GRID ** 2, 2)
    assert np.allclose(view.shown[[f"w{c}" for c in range(QUERY_GRID ** 2)]].to_numpy(),
                       cells.T)
    pinned = nwcore.vector_attention_weights(np.array([query]), keys, bandwidth=0.7)[0]
    assert np.allclose(view.shown["pinned"], pinned)
    assert math.isclose(view.prediction, pinned @ values)
    assert math.isclose(view.effective_keys, 1 / np.sum(pinned ** 2))
    assert view.extent[0] <= keys[:, 0].min() and view.extent[3] >= keys[:, 1].max()


def test_a_query_outside_the_keys_widens_the_plane():
    keys, values = plane_keys(10, 0)
    view = plane_view(keys, values, (9.0, -4.0), bandwidth=1.0)
    assert view.extent[1] > 9.0 and view.extent[2] < -4.0


def test_on_the_circle_every_point_stands_for_its_direction():
    angles, values = circle_keys(8, 1)
    keys = directions(angles)
    view = plane_view(keys, values, (3.0, 4.0), bandwidth=0.5, on_circle=True)
    assert np.allclose(view.query, [0.6, 0.8])
    assert np.allclose(np.hypot(*view.cell_queries.T), 1.0)
    pixels, _ = grid_cells(view.extent, SURFACE_PIXELS)
    assert np.allclose(view.surface, nwcore.vector_nadaraya_watson(unit_rows(pixels), keys,
                                                                   values, bandwidth=0.5))


def test_weight_table_by_hand():
    # keys (0, 0) and (1, 0), values 2 and 4, query (0, 0), h = 1: scores 0 and -1/2
    table = weight_table([0.0, 0.0], [[0.0, 0.0], [1.0, 0.0]], [2.0, 4.0], bandwidth=1.0,
                         rows=1)
    e = math.exp(-0.5)
    alpha = [1 / (1 + e), e / (1 + e)]
    assert table["key"].tolist() == ["(0.000, 0.000)", "the other keys (1)", "total: ŷ(q)"]
    assert np.allclose(table["α_i"], [alpha[0], alpha[1], 1.0])
    assert np.allclose(table["α_i·v_i"], [2 * alpha[0], 4 * alpha[1], 2 * alpha[0]
                                          + 4 * alpha[1]])
    half = weight_table([0.0, 0.0], [[0.0, 0.0], [1.0, 0.0]], [2.0, 4.0], bandwidth=0.5)
    assert np.allclose(half["s_i/τ"].iloc[:2], [0.0, -0.5 / 0.25]), "τ = h²"


@pytest.mark.parametrize("h", [0.05, 0.3, 1.0, 4.0])
def test_on_the_unit_circle_gaussian_and_dot_product_attention_agree(h):
    angles, _ = circle_keys(40, 5)
    comparison = sphere_comparison(angles, 2.0, bandwidth=h)
    assert comparison["|difference|"].max() <= 1e-12
    assert np.allclose(comparison["q·k_i"], np.cos(angles - 2.0))
    assert np.allclose(comparison["‖q − k_i‖²"], 2 - 2 * comparison["q·k_i"])
    assert np.allclose(comparison["α_i Gaussian"].sum(), 1.0)


def test_off_the_circle_the_dot_product_prefers_long_keys():
    keys = np.array([[1.0, 1.0], [4.0, 4.0], [1.2, 0.9]])
    comparison = off_sphere_comparison(keys, [1.0, 1.0], bandwidth=1.0)
    assert comparison["α_i Gaussian"].idxmax() == 0, "the nearest key"
    assert comparison["α_i dot product"].idxmax() == 1, "the longest key along q"
    assert np.allclose(comparison["‖k_i‖²/2h²"], [1.0, 16.0, 2.25 / 2])


def test_without_a_scale_the_softmax_saturates_as_d_grows():
    frame = softmax_saturation(n_keys=16, draws=300, seed=1, dimensions=(1, 16, 256),
                               lengths=(0.5, 1.0, 2.0), length_dimension=16)
    dims = frame[frame["sweep"] == "dimension"]
    unscaled = dims[dims["scaling"] == "q·k (no scale)"]
    scaled = dims[dims["scaling"] == "q·k / √d"]
    assert np.allclose(unscaled["score_std"], np.sqrt([1, 16, 256]), rtol=0.1)
    assert np.allclose(scaled["score_std"], 1.0, rtol=0.1)
    assert np.all(np.diff(unscaled["max_weight"]) > 0) and unscaled["max_weight"].iloc[-1] > 0.9
    # q·k/√d tends to N(0, 1) (at d = 1 a product of normals is heavier-tailed)
    assert abs(scaled["max_weight"].iloc[2] - scaled["max_weight"].iloc[1]) < 0.03
    assert math.isclose(unscaled["max_weight"].iloc[0], scaled["max_weight"].iloc[0])
    lengths = frame[(frame["sweep"] == "length") & (frame["scaling"] == "q·k / √d")]
    assert np.all(np.diff(lengths["max_weight"]) > 0), "1/√d does not fix longer vectors"
    assert np.all((frame["effective_keys"] >= 1) & (frame["effective_keys"] <= 16))


def test_small_helpers():
    assert angle_of([0.0, 1.0]) == 90.0 and angle_of([0.0, -1.0]) == 270.0
    assert np.allclose(unit_rows([[3.0, 4.0], [0.0, 0.0]]), [[0.6, 0.8], [1.0, 0.0]])


def test_a_dataset_with_two_x_columns_gives_plane_keys():
    frame = pd.DataFrame({"x": np.arange(MAX_PLANE_POINTS + 10.0), "x2": 1.0, "y": 2.0})
    dataset = nwcore.Dataset(frame=frame, label="two x", source="uploaded", key="two")
    keys, values = dataset_plane(dataset)
    assert keys.shape == (MAX_PLANE_POINTS, 2) and np.all(values == 2.0)
    assert dataset_plane(nwcore.generated_dataset("2sin_x08", 20, 0.5, 0)) is None


def test_tables_list_every_key_without_an_empty_other_row():
    keys, values = plane_keys(5, 0)
    table = weight_table([1.0, 1.0], keys, values, bandwidth=1.0, rows=12)
    assert len(table) == 6 and table["key"].iloc[-1] == "total: ŷ(q)"
