"""The Classify page's view: probabilities, the heatmap grouped by class (a row's weight in a
class's block is p̂), the keys drawn with their weights, and the query decomposition."""

import math

import numpy as np
import pytest

import nwcore
from nwcore.classview import (
    MAX_HEATMAP_COLUMNS,
    MAX_SHOWN_KEYS,
    class_query_detail,
    classification_criteria,
    classification_view,
)
from nwcore.labelled import LabelledData, generate_labelled


@pytest.mark.parametrize("preset, n", [("two_moons", 200), ("blobs", 600), ("threshold", 90),
                                       ("three_bands", 450)])
def test_view_probabilities_and_the_grouped_heatmap_agree(preset, n):
    data = generate_labelled(preset, n=n, seed=0)
    view = classification_view(data, bandwidth=0.3)
    expected, classes = nwcore.class_probabilities(view.queries, data.points, data.labels,
                                                   bandwidth=0.3)
    assert np.array_equal(classes, view.classes)
    assert np.allclose(view.probabilities, expected, atol=1e-12)
    assert np.allclose(view.probabilities.sum(axis=1), 1.0)
    assert view.heat.shape[0] == len(view.queries)
    if n <= MAX_HEATMAP_COLUMNS:
        assert view.heat.shape[1] == n, "one column per key"
    else:  # groups of keys, within each class (rounding may add one per class)
        assert view.heat.shape[1] <= MAX_HEATMAP_COLUMNS + data.classes.size
    assert np.allclose(view.heat.sum(axis=1), 1.0)
    assert np.all(np.diff(view.column_codes) >= 0), "columns grouped by class"
    for code in range(data.classes.size):  # a row's weight in a block is p̂(class | query)
        block = view.heat[:, view.column_codes == code].sum(axis=1)
        assert np.allclose(block, view.probabilities[:, code], atol=1e-12)
    assert np.array_equal(view.decisions, np.argmax(view.probabilities, axis=1))
    grid_points = view.grid_x[:, None] if data.dimension == 1 else None
    if grid_points is not None:
        dense, _ = nwcore.class_probabilities(grid_points, data.points, data.labels,
                                              bandwidth=0.3)
        assert np.allclose(view.grid, dense)
    else:
        assert view.grid.shape == (80 * 80, data.classes.size)


def test_shown_keys_carry_each_querys_weights():
    data = generate_labelled("blobs", n=900, seed=1)
    view = classification_view(data, bandwidth=0.5)
    shown = view.shown
    assert len(shown) == MAX_SHOWN_KEYS
    points = shown[["k1", "k2"]].to_numpy()
    rows = [int(np.flatnonzero(np.all(data.points == p, axis=1))[0]) for p in points[:5]]
    weights = nwcore.vector_attention_weights(view.queries, data.points, bandwidth=0.5)
    for position, row in enumerate(rows):
        column = shown[[f"w{q}" for q in range(len(view.queries))]].iloc[position].to_numpy()
        assert np.allclose(column, weights[:, row])
        assert shown["class"].iloc[position] == str(data.labels[row])


def test_narrow_compact_kernel_leaves_regions_without_a_decision():
    data = generate_labelled("two_moons", n=40, seed=0)
    view = classification_view(data, kernel="boxcar", bandwidth=0.02)
    assert view.empty_queries > 0
    assert np.any(view.decisions == -1)
    undefined = np.any(np.isnan(view.probabilities), axis=1)
    assert np.array_equal(view.decisions == -1, undefined)


def test_query_detail_matches_a_hand_computation():
    # Keys 0, 1, 3 (classes a, b, a), query 1, Gaussian h = 1: scores -(q - k)²/2 = -1/2, 0, -2
    data = LabelledData(points=np.array([[0.0], [1.0], [3.0]]), labels=np.array(["a", "b", "a"]),
                        label="hand", key="hand", axis_names=("x",))
    e = [math.exp(-0.5), 1.0, math.exp(-2.0)]
    alpha = [v / sum(e) for v in e]
    detail = class_query_detail([1.0], data, bandwidth=1.0, rows=2)
    assert detail["key"].tolist() == ["1.000", "0.000", "the other keys (1)", "total: p̂(c | q)"]
    assert np.allclose(detail["α_i"], [alpha[1], alpha[0], alpha[2], 1.0])
    assert np.allclose(detail["α_i·[y_i = a]"], [0.0, alpha[0], alpha[2], alpha[0] + alpha[2]])
    assert np.allclose(detail["α_i·[y_i = b]"], [alpha[1], 0.0, 0.0, alpha[1]])
    body = detail.iloc[:-1]
    assert np.allclose(body.iloc[:, 2:].sum(axis=0), detail.iloc[-1, 2:].astype(float))


def test_criteria_curves_and_the_chosen_bandwidths():
    data = generate_labelled("threshold", n=60, seed=2)
    criteria = classification_criteria(data)
    assert set(criteria.curves["criterion"]) == {"leave-one-out log-loss",
                                                  "leave-one-out error rate"}
    assert len(criteria.curves) == 80
    for name in ("log_loss", "error_rate"):
        assert criteria.chosen[name] == nwcore.select_classification_bandwidth(
            data.points, data.labels, criterion=name)


def test_query_detail_lists_every_key_without_an_empty_other_row():
    data = generate_labelled("threshold", n=10, seed=0)
    detail = class_query_detail([2.0], data, rows=12)
    assert len(detail) == 11 and not detail["key"].str.startswith("the other").any()
