"""Labelled presets (deterministic, drawn from their stated laws) and labels from a dataset."""

import math

import numpy as np
import pandas as pd
import pytest

import nwcore
from nwcore.labelled import (
    CLASS_PRESETS,
    MAX_LABELLED_POINTS,
    generate_labelled,
    labelled_from_dataset,
    true_class_probabilities,
)


@pytest.mark.parametrize("preset", list(CLASS_PRESETS))
def test_presets_are_deterministic_with_the_stated_shape(preset):
    spec = CLASS_PRESETS[preset]
    first, again = generate_labelled(preset, seed=3), generate_labelled(preset, seed=3)
    other = generate_labelled(preset, seed=4)
    assert np.array_equal(first.points, again.points)
    assert np.array_equal(first.labels, again.labels)
    assert not np.array_equal(first.points, other.points)
    assert first.points.shape == (spec.n, spec.dimension) and first.n == spec.n
    assert first.classes.tolist() == list(range(spec.classes))
    assert np.array_equal(first.classes[first.codes], first.labels)
    if spec.dimension == 2:  # balanced classes
        assert np.bincount(first.labels).tolist() == [spec.n // spec.classes] * spec.classes
    else:  # sorted keys, for the curves
        assert np.all(np.diff(first.points[:, 0]) >= 0)


def test_threshold_labels_follow_the_true_probability():
    data = generate_labelled("threshold", n=2000, noise=0.5, seed=0)
    x, labels = data.points[:, 0], data.labels
    for low in np.arange(0.0, 5.0, 0.5):
        inside = (x >= low) & (x < low + 0.5)
        expected = data.truth(x[inside])[:, 1].mean()
        standard_error = math.sqrt(max(expected * (1 - expected), 0.01) / inside.sum())
        assert abs(labels[inside].mean() - expected) < 4 * standard_error + 1e-9


def test_true_probabilities_by_hand():
    half = true_class_probabilities("threshold", 0.4, [2.5])
    assert np.allclose(half, [[0.5, 0.5]], atol=1e-15)
    # Φ(1) = 0.841344746068543: one σ above the threshold
    assert np.allclose(true_class_probabilities("threshold", 0.4, [2.9]),
                       [[1 - 0.841344746068543, 0.841344746068543]], atol=1e-12)
    bands = true_class_probabilities("three_bands", 0.01, [0.5, 2.5, 4.5])
    assert np.allclose(bands, np.eye(3), atol=1e-12)
    assert np.allclose(true_class_probabilities("three_bands", 1.0, np.linspace(-3, 8, 50))
                       .sum(axis=1), 1.0)
    assert generate_labelled("two_moons").truth([0.0]) is None


def test_moons_and_blobs_lie_where_their_laws_put_them():
    moons = generate_labelled("two_moons", n=400, noise=1e-6, seed=1)
    upper, lower = moons.points[moons.labels == 0], moons.points[moons.labels == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0, atol=1e-4) and np.all(upper[:, 1] >= -1e-4)
    assert np.allclose(np.hypot(1 - lower[:, 0], 0.5 - lower[:, 1]), 1.0, atol=1e-4)
    blobs = generate_labelled("blobs", n=1500, noise=0.5, seed=2)
    for code, centre in enumerate([[0.0, 0.0], [3.0, 0.5], [1.2, 2.8]]):
        members = blobs.points[blobs.labels == code]
        assert np.allclose(members.mean(axis=0), centre, atol=0.1)
        assert np.allclose(members.std(axis=0), 0.5, atol=0.05)


@pytest.mark.parametrize("arguments, message", [
    (("spiral",), "unknown preset"),
    (("blobs", 5), "n must be"),
    (("threshold", 100, 0.0), "noise must be"),
    (("threshold", 100, float("nan")), "noise must be"),
    (("threshold", 100, 0.3, -1), "seed must be"),
    (("threshold", True), "n must be"),
])
def test_bad_arguments_are_rejected(arguments, message):
    with pytest.raises(ValueError, match=message):
        generate_labelled(*arguments)


def _dataset(frame, key="k"):
    return nwcore.Dataset(frame=frame, label="upload", source="uploaded", key=key,
                          y_label="outcome")


def test_labels_come_from_a_label_column_with_an_optional_second_coordinate():
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "x2": [5.0, 6.0, 7.0, 8.0],
                          "y": [0.1, 0.2, 0.3, 0.4], "label": ["cat", "dog", "cat", None]})
    data = labelled_from_dataset(_dataset(frame))
    assert data.points.tolist() == [[0.0, 5.0], [1.0, 6.0], [2.0, 7.0]]
    assert data.labels.tolist() == ["cat", "dog", "cat"] and data.classes.tolist() == ["cat",
                                                                                      "dog"]
    assert data.axis_names == ("x", "x2") and data.key == "k:labels"
    assert labelled_from_dataset(_dataset(frame.drop(columns="x2"))).dimension == 1


def test_a_y_of_few_whole_numbers_is_read_as_class_codes():
    codes = pd.DataFrame({"x": np.arange(6.0), "y": [0.0, 1, 2, 0, 1, 2]})
    data = labelled_from_dataset(_dataset(codes))
    assert data.labels.tolist() == [0, 1, 2, 0, 1, 2] and "outcome" in data.label
    continuous = pd.DataFrame({"x": np.arange(6.0), "y": [0.0, 0.5, 1, 1.5, 2, 2.5]})
    assert labelled_from_dataset(_dataset(continuous)) is None
    many = pd.DataFrame({"x": np.arange(20.0), "y": np.arange(20.0)})
    assert labelled_from_dataset(_dataset(many)) is None  # one class per row: not labels
    single = pd.DataFrame({"x": np.arange(4.0), "y": 1.0, "label": "a"})
    assert labelled_from_dataset(_dataset(single)) is None  # one class: nothing to classify
    assert labelled_from_dataset(nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)) is None


def test_large_labelled_uploads_use_a_fixed_subsample():
    n = MAX_LABELLED_POINTS + 500
    frame = pd.DataFrame({"x": np.arange(float(n)), "y": np.arange(n) % 2})
    first = labelled_from_dataset(_dataset(frame))
    assert first.n == MAX_LABELLED_POINTS and first.total == n
    assert np.array_equal(first.points, labelled_from_dataset(_dataset(frame)).points)
    assert np.all(np.diff(first.points[:, 0]) > 0), "the subsample keeps the rows' order"


def test_bandwidth_range_follows_the_points_spread():
    data = generate_labelled("threshold", n=50, seed=0)
    low, high = data.bandwidth_range()
    span = np.ptp(data.points[:, 0])
    assert math.isclose(low, 0.005 * span) and math.isclose(high, 2.0 * span)
