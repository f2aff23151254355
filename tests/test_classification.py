"""Parzen-window classification: one-hot values, hand computations, leave-one-out criteria."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nwcore
from nwcore.vectors import search_interval


def _blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    keys = np.vstack([rng.normal([0.0, 0.0], 1.0, (n // 2, 2)),
                      rng.normal([2.5, 1.0], 1.0, (n - n // 2, 2))])
    return keys, np.array(["a"] * (n // 2) + ["b"] * (n - n // 2))


def test_one_hot_and_back():
    encoded, classes = nwcore.one_hot(["cat", "dog", "cat", "emu"])
    assert list(classes) == ["cat", "dog", "emu"]
    np.testing.assert_array_equal(encoded, [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])
    assert list(nwcore.labels_from_probabilities(encoded, classes)) == ["cat", "dog", "cat",
                                                                         "emu"]
    encoded, classes = nwcore.one_hot(np.array([3, 1, 3]))
    assert list(classes) == [1, 3]
    ties = nwcore.labels_from_probabilities([[0.5, 0.5], [0.2, 0.8]], classes)
    assert list(ties) == [1, 3]  # a tie goes to the first class


def test_undefined_rows_get_no_label():
    labels = nwcore.labels_from_probabilities([[0.3, 0.7], [np.nan, np.nan]], ["x", "y"])
    assert labels.dtype == object and list(labels) == ["y", None]


@pytest.mark.parametrize("labels, message", [
    ([], "non-empty"), ([["a"]], "non-empty"), (["a", None], "missing"),
    ([1.0, float("nan")], "missing"), (list(range(101)), "distinct values"),
    (np.array([1, "a"], dtype=object), "mix types")])
def test_bad_labels_are_rejected(labels, message):
    with pytest.raises(ValueError, match=message):
        nwcore.one_hot(labels)


def test_parzen_probabilities_match_a_hand_computation():
    """Keys 0, 1, 3 labelled a, b, a; query 0.5, Gaussian h = 1: weights ∝ e^(-d²/2)."""
    near, far = math.exp(-0.125), math.exp(-3.125)  # d = 0.5 (keys 0 and 1), d = 2.5 (key 3)
    expected_a = (near + far) / (2 * near + far)
    probabilities, classes = nwcore.class_probabilities([0.5], [0.0, 1.0, 3.0], ["a", "b", "a"],
                                                        bandwidth=1.0)
    assert list(classes) == ["a", "b"]
    np.testing.assert_allclose(probabilities, [[expected_a, 1.0 - expected_a]], rtol=1e-14)
    # 2-D, boxcar h = 1: the query (0, 0) sees the keys within distance 1, i.e. (0, 0), (1, 0)
    # and (0, -1) (labels x, y, y), but not (1, 1) (x) at √2: p = (1/3, 2/3).
    keys = [[0.0, 0.0], [1.0, 0.0], [0.0, -1.0], [1.0, 1.0]]
    probabilities, _ = nwcore.class_probabilities([[0.0, 0.0], [5.0, 5.0]], keys,
                                                  ["x", "y", "y", "x"], kernel="boxcar",
                                                  bandwidth=1.0)
    np.testing.assert_allclose(probabilities[0], [1 / 3, 2 / 3], rtol=1e-15)
    assert np.all(np.isnan(probabilities[1]))  # empty window: no decision


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10), st.sampled_from("pqr")),
                min_size=1, max_size=30),
       st.floats(0.01, 100.0))
def test_probabilities_are_probability_vectors(points, h):
    keys = np.array([point[:2] for point in points])
    labels = [point[2] for point in points]
    probabilities, classes = nwcore.class_probabilities(keys + 0.3, keys, labels, bandwidth=h)
    assert probabilities.shape == (len(points), len(set(labels)))
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)


def _brute_scores(keys, labels, kernel, h):
    encoded, classes = nwcore.one_hot(labels)
    codes = np.searchsorted(classes, labels)
    if kernel == "gaussian":
        weights = nwcore.vector_attention_weights(keys, keys, kernel=kernel, bandwidth=h)
    else:  # unnormalised K(u): class counts stay exact, so exact ties stay ties
        distances = np.sqrt(((keys[:, None, :] - keys[None, :, :]) ** 2).sum(axis=2))
        weights = nwcore.kernel_values(kernel, distances / h)
    np.fill_diagonal(weights, 0.0)
    totals = weights.sum(axis=1)
    defined = totals > 0
    probabilities = (weights[defined] @ encoded) / totals[defined, None]
    own = probabilities[np.arange(probabilities.shape[0]), codes[defined]]
    return (np.mean(-np.log(np.maximum(own, 1e-15))),
            np.mean(np.argmax(probabilities, axis=1) != codes[defined]))


@pytest.mark.parametrize("kernel", ["gaussian", "boxcar", "triangular", "epanechnikov",
                                    "constant"])
def test_leave_one_out_criteria_match_brute_force(kernel):
    keys, labels = _blobs(600)
    bandwidths = [0.05, 0.3, 1.0, 6.0]
    criteria = nwcore.loo_classification_curves(keys, labels, bandwidths, kernel=kernel)
    expected = np.array([_brute_scores(keys, labels, kernel, h) for h in bandwidths])
    np.testing.assert_allclose(criteria.log_loss, expected[:, 0], rtol=1e-10)
    np.testing.assert_allclose(criteria.error_rate, expected[:, 1], rtol=0, atol=0)
    np.testing.assert_array_equal(criteria.bandwidths, bandwidths)


def test_constant_kernel_leave_one_out_is_the_other_points_class_shares():
    """Labels a, a, b: leaving out an a leaves (a, b) → p(a) = 1/2; leaving out b leaves (a, a)."""
    criteria = nwcore.loo_classification_curves([[0.0], [1.0], [2.0]], ["a", "a", "b"], [1.0],
                                                kernel="constant")
    assert criteria.log_loss[0] == pytest.approx((2 * math.log(2) - math.log(1e-15)) / 3)
    # the a points' tie (1/2, 1/2) goes to "a" (right); the b point sees p(b) = 0 (wrong)
    assert criteria.error_rate[0] == pytest.approx(1 / 3)


@pytest.mark.parametrize("criterion", ["log_loss", "error_rate"])
@pytest.mark.parametrize("dimension", [1, 2])
def test_selected_bandwidth_is_a_minimum_of_its_criterion(criterion, dimension):
    """log-loss: a local minimum; error rate (a step function): the best of the search grid."""
    keys, labels = _blobs(300, seed=dimension)
    keys = keys[:, :dimension]
    chosen = nwcore.select_classification_bandwidth(keys, labels, criterion=criterion)
    if criterion == "log_loss":
        grid = np.geomspace(chosen / 5, chosen * 5, 25)
    else:
        grid = np.geomspace(*search_interval(keys, "gaussian", leave_one_out=True), 40)
        assert np.min(np.abs(grid - chosen)) == 0
    at_chosen = getattr(nwcore.loo_classification_curves(keys, labels, [chosen]), criterion)[0]
    around = getattr(nwcore.loo_classification_curves(keys, labels, grid), criterion)
    assert at_chosen <= around.min() + 1e-12
    assert 0.05 < chosen < 5.0


def test_both_criteria_from_one_pass_are_the_single_choices():
    keys, labels = _blobs(200, seed=3)
    both = nwcore.select_classification_bandwidths(keys, labels)
    assert both == {criterion: nwcore.select_classification_bandwidth(keys, labels,
                                                                      criterion=criterion)
                    for criterion in ("log_loss", "error_rate")}


def test_selection_falls_back_to_the_rule_when_keys_do_not_vary():
    keys = np.ones((10, 2))
    labels = ["a", "b"] * 5
    assert nwcore.select_classification_bandwidth(keys, labels) > 0
    with pytest.raises(ValueError, match="unknown criterion"):
        nwcore.select_classification_bandwidth(keys, labels, criterion="auc")
    with pytest.raises(ValueError, match="same number of rows"):
        nwcore.loo_classification_curves(keys, labels[:-1], [1.0])
