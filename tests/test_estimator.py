"""The scikit-learn-style estimators NadarayaWatson and LocalLinear."""

import numpy as np
import pytest

import nwcore


@pytest.fixture
def data():
    frame = nwcore.generate_preset("d2l_new", 7)
    return frame["x"].to_numpy(), frame["y"].to_numpy(), nwcore.d2l_queries()


def test_constructor_only_stores_parameters():
    model = nwcore.NadarayaWatson(kernel="no such kernel", bandwidth=-1, method="?")
    assert model.get_params() == {"kernel": "no such kernel", "bandwidth": -1, "method": "?"}
    with pytest.raises(ValueError, match="unknown kernel"):
        model.fit([0.0, 1.0], [0.0, 1.0])


def test_fit_predict_and_attention_match_the_functions(data):
    keys, values, queries = data
    model = nwcore.NadarayaWatson(kernel="triangular", bandwidth=0.7)
    assert model.fit(keys, values) is model
    assert model.bandwidth_ == 0.7
    np.testing.assert_array_equal(
        model.predict(queries),
        nwcore.nadaraya_watson(queries, keys, values, kernel="triangular", bandwidth=0.7))
    weights = model.attention(queries)
    assert weights.shape == (queries.size, keys.size)
    np.testing.assert_allclose(weights @ values, model.predict(queries), rtol=1e-12)


def test_single_column_matrices_are_accepted(data):
    keys, values, queries = data
    model = nwcore.NadarayaWatson(bandwidth=0.5).fit(keys[:, None], values)
    np.testing.assert_array_equal(model.predict(queries[:, None]), model.predict(queries))
    with pytest.raises(ValueError, match="one-dimensional"):
        model.fit(np.zeros((len(keys), 2, 2)), values)


@pytest.mark.parametrize("rule", ["silverman", "scott", "loo_cv", "gcv"])
def test_bandwidth_rules_are_resolved_at_fit(data, rule):
    keys, values, _ = data
    model = nwcore.NadarayaWatson(bandwidth=rule).fit(keys, values)
    assert model.bandwidth == rule
    assert model.bandwidth_ == nwcore.select_bandwidth(keys, values, method=rule)


def test_params_round_trip_and_bad_names():
    model = nwcore.NadarayaWatson()
    assert model.set_params(kernel="boxcar", bandwidth=0.3) is model
    clone = nwcore.NadarayaWatson(**model.get_params(deep=True))
    assert clone.get_params() == {"kernel": "boxcar", "bandwidth": 0.3, "method": "auto"}
    assert repr(clone) == "NadarayaWatson(kernel='boxcar', bandwidth=0.3, method='auto')"
    with pytest.raises(ValueError, match="invalid parameter 'width'"):
        model.set_params(width=1.0)


@pytest.mark.parametrize("bandwidth, message", [
    ("median", "unknown bandwidth rule"),
    (0.0, "bandwidth"),
    (float("nan"), "bandwidth"),
    (None, "bandwidth"),
])
def test_bad_bandwidths_raise_at_fit(data, bandwidth, message):
    keys, values, _ = data
    with pytest.raises(ValueError, match=message):
        nwcore.NadarayaWatson(bandwidth=bandwidth).fit(keys, values)


def test_unfitted_models_say_so():
    for model in (nwcore.NadarayaWatson(), nwcore.LocalLinear()):
        with pytest.raises(ValueError, match="not fitted"):
            model.predict([1.0])
        with pytest.raises(ValueError, match="not fitted"):
            model.attention([1.0])


def test_bad_data_raises_at_fit():
    with pytest.raises(ValueError, match="same length"):
        nwcore.NadarayaWatson().fit([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="non-finite"):
        nwcore.NadarayaWatson().fit([0.0, np.nan], [1.0, 2.0])


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov", "constant"])
def test_local_linear_estimator(data, kernel):
    keys, values, queries = data
    model = nwcore.LocalLinear(kernel=kernel, bandwidth=0.8).fit(keys, values)
    expected = nwcore.local_linear(queries, keys, values, kernel=kernel, bandwidth=0.8)
    np.testing.assert_allclose(model.predict(queries), expected, rtol=1e-12)
    weights = model.attention(queries)  # the equivalent kernel: ŷ = l(x) · y
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(weights @ values, expected, rtol=1e-9, atol=1e-9)


def test_vector_keys_use_the_vector_functions():
    rng = np.random.default_rng(0)
    keys = rng.uniform(0.0, 5.0, (120, 2))
    values = np.sin(keys[:, 0]) * keys[:, 1]
    queries = rng.uniform(0.0, 5.0, (30, 2))
    model = nwcore.NadarayaWatson(kernel="epanechnikov", bandwidth=1.5).fit(keys, values)
    assert model.keys_.shape == (120, 2) and model.values_.shape == (120,)
    np.testing.assert_array_equal(model.predict(queries), nwcore.vector_nadaraya_watson(
        queries, keys, values, kernel="epanechnikov", bandwidth=1.5))
    np.testing.assert_array_equal(model.attention(queries), nwcore.vector_attention_weights(
        queries, keys, kernel="epanechnikov", bandwidth=1.5))
    for rule in ("loo_cv", "gcv", "scott", "silverman"):
        fitted = nwcore.NadarayaWatson(bandwidth=rule).fit(keys, values)
        assert fitted.bandwidth_ == nwcore.select_vector_bandwidth(keys, values, method=rule)
    with pytest.raises(ValueError, match="same number of coordinates"):
        model.predict(queries[:, :1])
    with pytest.raises(ValueError, match="binned"):
        nwcore.NadarayaWatson(method="binned").fit(keys, values)
    with pytest.raises(ValueError, match="LocalLinear works on one x column"):
        nwcore.LocalLinear(bandwidth=1.0).fit(keys, values)


def test_value_columns_give_class_probabilities(data):
    keys, _, queries = data
    labels = np.where(keys < 2.5, "left", "right")
    encoded, classes = nwcore.one_hot(labels)
    model = nwcore.NadarayaWatson(bandwidth=0.4).fit(keys, encoded)
    probabilities = model.predict(queries)
    assert probabilities.shape == (queries.size, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(probabilities, nwcore.class_probabilities(
        queries, keys, labels, bandwidth=0.4)[0], atol=1e-15)
    assert list(nwcore.labels_from_probabilities(probabilities[[0, -1]], classes)) == \
        ["left", "right"]
