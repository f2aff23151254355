"""Kernels, attention weights, Nadaraya–Watson and local linear: properties, oracles, bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import nwcore
from nwcore.kernels import COMPACT_KERNELS

KERNELS = nwcore.KERNELS
SMOOTH = ("gaussian", "boxcar", "triangular", "epanechnikov")
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])

coordinate = st.floats(-100.0, 100.0, allow_nan=False)
points = st.lists(coordinate, min_size=1, max_size=25)


def _data(draw, n_min=1):
    keys = np.array(draw(st.lists(coordinate, min_size=n_min, max_size=25)))
    values = np.array(draw(st.lists(st.floats(-50, 50), min_size=keys.size,
                                    max_size=keys.size)))
    queries = np.array(draw(points))
    return queries, keys, values


@st.composite
def problems(draw):
    queries, keys, values = _data(draw)
    kernel = draw(st.sampled_from(KERNELS))
    span = max(float(np.ptp(np.concatenate([keys, queries]))), 1.0)
    h = span * draw(st.floats(1e-3, 1e3))
    return queries, keys, values, kernel, h


def _predict(queries, keys, values, kernel, h):
    return nwcore.nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=h,
                                  method="exact")


# --- properties ------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(problems())
def test_rows_are_nonnegative_and_sum_to_one_unless_empty(problem):
    queries, keys, _, kernel, h = problem
    weights = nwcore.attention_weights(queries, keys, kernel=kernel, bandwidth=h)
    assert weights.shape == (queries.size, keys.size)
    assert np.all(weights >= 0)
    empty = nwcore.empty_windows(queries, keys, kernel=kernel, bandwidth=h)
    sums = weights.sum(axis=1)
    np.testing.assert_allclose(sums[~empty], 1.0, atol=1e-12)
    assert np.all(sums[empty] == 0)


@PROPERTY_SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_permuting_keys_with_values_changes_nothing(problem, random):
    queries, keys, values, kernel, h = problem
    order = np.array(random.sample(range(keys.size), keys.size))
    before = _predict(queries, keys, values, kernel, h)
    after = _predict(queries, keys[order], values[order], kernel, h)
    np.testing.assert_allclose(after, before, rtol=1e-10, atol=1e-10)
    weights = nwcore.attention_weights(queries, keys, kernel=kernel, bandwidth=h)
    permuted = nwcore.attention_weights(queries, keys[order], kernel=kernel, bandwidth=h)
    np.testing.assert_allclose(permuted, weights[:, order], rtol=1e-14, atol=1e-16)


@PROPERTY_SETTINGS
@given(problems(), st.floats(-100, 100))
def test_translating_queries_and_keys_together_changes_nothing(problem, shift):
    queries, keys, values, kernel, h = problem
    # Compare away from window edges, where a rounding of x - x_i may flip |u| <= 1.
    u = np.abs(queries[:, None] - keys[None, :]) / h
    assume(kernel not in COMPACT_KERNELS or np.all(np.abs(u - 1.0) > 1e-9))
    before = _predict(queries, keys, values, kernel, h)
    after = _predict(queries + shift, keys + shift, values, kernel, h)
    np.testing.assert_allclose(after, before, rtol=1e-7, atol=1e-7 * np.ptp(values) + 1e-12)


@PROPERTY_SETTINGS
@given(problems(), st.sampled_from([1e-3, 0.5, 4.0, 1e3]))
def test_scaling_queries_keys_and_bandwidth_together_changes_nothing(problem, scale):
    queries, keys, values, kernel, h = problem
    u = np.abs(queries[:, None] - keys[None, :]) / h
    assume(kernel not in COMPACT_KERNELS or np.all(np.abs(u - 1.0) > 1e-9))
    before = _predict(queries, keys, values, kernel, h)
    after = _predict(queries * scale, keys * scale, values, kernel, h * scale)
    np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-9 * np.ptp(values) + 1e-12)


@PROPERTY_SETTINGS
@given(problems())
def test_predictions_stay_within_the_values(problem):
    queries, keys, values, kernel, h = problem
    fit = _predict(queries, keys, values, kernel, h)
    defined = ~np.isnan(fit)
    assert np.all(fit[defined] >= values.min()) and np.all(fit[defined] <= values.max())
    np.testing.assert_array_equal(~defined,
                                  nwcore.empty_windows(queries, keys, kernel=kernel, bandwidth=h))


@PROPERTY_SETTINGS
@given(problems())
def test_tiled_prediction_equals_dense_attention(problem):
    queries, keys, values, kernel, h = problem
    weights = nwcore.attention_weights(queries, keys, kernel=kernel, bandwidth=h)
    dense = np.where(weights.sum(axis=1) > 0, weights @ values, np.nan)
    np.testing.assert_allclose(_predict(queries, keys, values, kernel, h), dense,
                               rtol=1e-10, atol=1e-10 * (np.ptp(values) + 1.0))


@PROPERTY_SETTINGS
@given(st.data(), st.sampled_from(KERNELS))
def test_huge_bandwidth_is_average_pooling(data, kernel):
    queries, keys, values = _data(data.draw)
    h = 1e8 * max(float(np.ptp(np.concatenate([keys, queries]))), 1.0)
    # |u| ≤ 1e-8: the triangular kernel's weights differ from 1 by up to |u| (first order), the
    # others' by u² or less, so NW is within 1e-8 × range(y) of the mean.
    np.testing.assert_allclose(_predict(queries, keys, values, kernel, h),
                               nwcore.average_pooling(queries, values),
                               atol=2e-8 * (np.ptp(values) + 1.0))


@PROPERTY_SETTINGS
@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=20, unique=True),
       st.sampled_from(SMOOTH), st.data())
def test_tiny_bandwidth_gives_the_nearest_keys_value(integers, kernel, data):
    keys = np.array(integers, dtype=float) / 10.0  # distinct keys, gaps ≥ 0.1
    values = np.array(data.draw(st.lists(st.floats(-50, 50), min_size=keys.size,
                                         max_size=keys.size)))
    if kernel == "gaussian":
        offsets = np.array(data.draw(st.lists(st.floats(-0.04, 0.04), min_size=keys.size,
                                              max_size=keys.size)))
        queries = keys + offsets  # the nearest key is at least 0.01 closer than any other
    else:
        queries = keys  # a compact window of width 1e-6 only holds the key at the query
    np.testing.assert_array_equal(_predict(queries, keys, values, kernel, 1e-6), values)


def test_keys_a_billion_bandwidths_apart_give_the_nearest_value_without_overflow():
    """Logits near -1e23: expanded as a² - 2ab + b² they would lose every digit (and overflow)."""
    keys = np.arange(40) * 1e9
    values = (np.arange(40) % 5).astype(float)
    queries = np.linspace(0.0, keys[-1], 50)
    nearest = values[np.abs(queries[:, None] - keys[None, :]).argmin(axis=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for function in (nwcore.nadaraya_watson, nwcore.local_linear):
            fit = function(queries, keys, values, bandwidth=1e-3, method="exact")
            np.testing.assert_array_equal(fit, nearest)
        # Two queries in one tile: midway (a tie), and one bandwidth nearer the right key.
        fit = nwcore.nadaraya_watson([5e8, 5e8 + 1e-3], [0.0, 1e9], [2.0, 4.0], bandwidth=1e-3)
    np.testing.assert_array_equal(fit, [3.0, 4.0])


def test_gaussian_ties_split_equally_at_tiny_bandwidth():
    weights = nwcore.attention_weights([0.5], [0.0, 1.0], bandwidth=1e-6)
    np.testing.assert_array_equal(weights, [[0.5, 0.5]])
    assert nwcore.nadaraya_watson([0.5], [0.0, 1.0], [2.0, 4.0], bandwidth=1e-6)[0] == 3.0


@PROPERTY_SETTINGS
@given(st.data(), st.floats(-6, 6))
def test_gaussian_is_finite_for_any_bandwidth_over_the_range(data, log_scale):
    queries, keys, values = _data(data.draw)
    h = max(float(np.ptp(keys)), 1.0) * 10.0 ** log_scale
    for fit in (_predict(queries, keys, values, "gaussian", h),
                nwcore.local_linear(queries, keys, values, bandwidth=h, method="exact"),
                nwcore.attention_weights(queries, keys, bandwidth=h)):
        assert np.all(np.isfinite(fit))


def nearest_weights(queries, keys):
    """The attention in the limit h → 0: equal weights on each query's nearest keys."""
    distance = np.abs(queries[:, None] - keys[None, :])
    nearest = (distance == distance.min(axis=1, keepdims=True)).astype(float)
    return nearest / nearest.sum(axis=1, keepdims=True)


def weighted_line_at(queries, keys, values, weights):
    """Each query's weighted least-squares line through the keys, at the query (the weighted
    mean where the weighted keys do not vary)."""
    mean_x, mean_y = weights @ keys, weights @ values
    dx = keys[None, :] - mean_x[:, None]
    variance = np.einsum("ij,ij->i", weights, dx * dx)
    covariance = np.einsum("ij,ij->i", weights, dx * (values[None, :] - mean_y[:, None]))
    slope = np.divide(covariance, variance, out=np.zeros_like(variance), where=variance > 0)
    return mean_y + slope * (queries - mean_x)


@PROPERTY_SETTINGS
@given(st.data(), st.floats(np.log10(2.3e-308), -8.0))
def test_gaussian_at_tiny_bandwidths_is_the_nearest_key_never_nan(data, log_h):
    """The limit h → 0: NW is the mean of the nearest keys' values, local linear the line
    through them; no NaN and no warning, also where (x - x_i)²/h² overflows (h below ~1e-154 ×
    the distances) or the e^-50 cutoff is lost in rounding (keys ~1e9 h away). Coordinates on
    a grid of quarters, so that distances and their ties are exact."""
    quarters = st.lists(st.integers(-400, 400), min_size=1, max_size=25)
    keys = np.array(data.draw(quarters)) / 4.0
    queries = np.array(data.draw(quarters)) / 4.0
    values = np.array(data.draw(st.lists(st.floats(-50, 50), min_size=keys.size,
                                         max_size=keys.size)))
    h = 10.0 ** log_h
    weights = nearest_weights(queries, keys)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nadaraya = (_predict(queries, keys, values, "gaussian", h),
                    nwcore.attention_weights(queries, keys, bandwidth=h) @ values)
        line = nwcore.local_linear(queries, keys, values, bandwidth=h, method="exact")
    for fit in nadaraya:
        np.testing.assert_allclose(fit, weights @ values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(line, weighted_line_at(queries, keys, values, weights),
                               rtol=1e-9, atol=1e-9)


def test_subnormal_bandwidth_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="subnormal"):
        nwcore.nadaraya_watson([0.0], [1.0], [2.0], bandwidth=5e-324)


@PROPERTY_SETTINGS
@given(problems())
def test_local_linear_reproduces_a_straight_line(problem):
    queries, keys, _, kernel, h = problem
    values = 3.0 - 0.5 * keys
    fit = nwcore.local_linear(queries, keys, values, kernel=kernel, bandwidth=h, method="exact")
    empty = nwcore.empty_windows(queries, keys, kernel=kernel, bandwidth=h)
    assert np.all(np.isnan(fit[empty])) and not np.any(np.isnan(fit[~empty]))
    # Where the keys in the window are well spread (weighted variance ≥ 1e-6 × the weighted
    # mean square distance to the query), the local line is the line itself.
    weights = nwcore.attention_weights(queries, keys, kernel=kernel, bandwidth=h)
    mean = weights @ keys
    variance = np.einsum("ij,ij->i", weights, (keys[None, :] - mean[:, None]) ** 2)
    spread = np.einsum("ij,ij->i", weights, (keys[None, :] - queries[:, None]) ** 2)
    regular = ~empty & (variance > 1e-6 * spread)
    np.testing.assert_allclose(fit[regular], 3.0 - 0.5 * queries[regular], rtol=1e-6,
                               atol=1e-6 * (1.0 + np.abs(queries[regular]).max(initial=0.0)))


# --- kernels ---------------------------------------------------------------------------------

def test_kernel_values_and_widths():
    u = np.array([-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose(nwcore.kernel_values("gaussian", u), np.exp(-0.5 * u * u))
    np.testing.assert_array_equal(nwcore.kernel_values("boxcar", u), [0, 1, 1, 1, 1, 1, 0])
    np.testing.assert_allclose(nwcore.kernel_values("triangular", u), [0, 0, .5, 1, .5, 0, 0])
    np.testing.assert_allclose(nwcore.kernel_values("epanechnikov", u),
                               [0, 0, .75, 1, .75, 0, 0])
    np.testing.assert_array_equal(nwcore.kernel_values("constant", u), np.ones(7))
    for kernel in SMOOTH:  # the std of K as a density, by quadrature
        t = np.linspace(-12, 12, 240001)
        density = nwcore.kernel_values(kernel, t)
        std = np.sqrt(np.sum(density * t * t) / np.sum(density))
        assert std == pytest.approx(nwcore.kernel_std(kernel), rel=1e-4)
    assert nwcore.equivalent_bandwidth("boxcar", 1.0) == pytest.approx(np.sqrt(3.0))
    assert nwcore.equivalent_bandwidth("constant", 2.0) == 2.0


# --- empty windows ---------------------------------------------------------------------------

def test_empty_windows_give_nan_and_zero_rows():
    data = nwcore.generate_preset("d2l_classic", 0)
    keys, values, queries = data["x"].to_numpy(), data["y"].to_numpy(), nwcore.d2l_queries()
    empty = nwcore.empty_windows(queries, keys, kernel="boxcar", bandwidth=0.05)
    assert 0 < empty.sum() < queries.size
    for method in ("exact", "auto"):
        fit = nwcore.nadaraya_watson(queries, keys, values, kernel="boxcar", bandwidth=0.05,
                                     method=method)
        np.testing.assert_array_equal(np.isnan(fit), empty)
        local = nwcore.local_linear(queries, keys, values, kernel="boxcar", bandwidth=0.05,
                                    method=method)
        np.testing.assert_array_equal(np.isnan(local), empty)
    weights = nwcore.attention_weights(queries, keys, kernel="boxcar", bandwidth=0.05)
    assert np.all(weights[empty] == 0)
    np.testing.assert_array_equal(nwcore.effective_keys(weights) == 0, empty)


def test_local_linear_falls_back_to_nadaraya_watson_on_a_singular_design():
    keys, values = np.array([0.0, 1.0, 5.0]), np.array([1.0, 2.0, 7.0])
    # One key in the window: the line is undefined, NW gives that key's value.
    fit = nwcore.local_linear([0.2, 4.6], keys, values, kernel="epanechnikov", bandwidth=0.5)
    np.testing.assert_allclose(fit, [1.0, 7.0])
    # All keys at one x: the local linear fit is their mean.
    fit = nwcore.local_linear([0.0, 3.0], [2.0, 2.0, 2.0], [1.0, 2.0, 6.0], bandwidth=1.0)
    np.testing.assert_allclose(fit, [3.0, 3.0])
    # Far from the keys at a tiny h, the two nearest keys carry nearly all the weight: a line
    # through them extrapolated 200 × their spacing away is not a fit; NW is.
    keys, values = np.array([0.0, 0.1, 1.0, 1.01]), np.array([1.0, 5.0, 2.0, 9.0])
    fit = nwcore.local_linear([3.0], keys, values, bandwidth=0.05)
    np.testing.assert_allclose(fit, nwcore.nadaraya_watson([3.0], keys, values, bandwidth=0.05),
                               rtol=0, atol=1e-12)


def test_the_global_line_keeps_its_slope_for_keys_far_from_zero():
    keys = 1.7e9 + np.linspace(0.0, 86_400.0, 50)  # a day of Unix timestamps
    values = 3.0 + 2e-4 * (keys - keys[0])
    np.testing.assert_allclose(
        nwcore.local_linear(keys[[0, -1]], keys, values, kernel="constant", bandwidth=1.0),
        values[[0, -1]], rtol=1e-9)


def test_local_linear_with_the_constant_kernel_is_least_squares():
    rng = np.random.default_rng(5)
    keys, values = rng.random(30), rng.random(30)
    slope, intercept = np.polyfit(keys, values, 1)
    np.testing.assert_allclose(nwcore.local_linear([0.1, 0.9], keys, values, kernel="constant",
                                                   bandwidth=1.0),
                               intercept + slope * np.array([0.1, 0.9]), rtol=1e-12)


# --- oracles ---------------------------------------------------------------------------------

def test_d2l_classic_pooling_is_the_d2l_formula():
    data = nwcore.generate_preset("d2l_classic", 0)
    x_train, y_train, x_test = data["x"].to_numpy(), data["y"].to_numpy(), nwcore.d2l_queries()
    logits = -((x_test[:, None] - x_train[None, :]) ** 2) / 2
    attention = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(nwcore.nadaraya_watson(x_test, x_train, y_train, bandwidth=1.0),
                               attention @ y_train, rtol=0, atol=1e-12)
    np.testing.assert_allclose(nwcore.attention_weights(x_test, x_train, bandwidth=1.0),
                               attention, rtol=0, atol=1e-15)


def _statsmodels_fit(keys, values, queries, h, reg_type):
    from statsmodels.nonparametric.kernel_regression import KernelReg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return KernelReg(endog=values, exog=keys, var_type="c", reg_type=reg_type,
                         bw=[h]).fit(queries)[0]


@pytest.mark.parametrize("seed", range(6))
def test_statsmodels_oracle_local_constant_and_local_linear(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 200))
    keys = rng.uniform(-3, 7, n)
    values = np.sin(keys) + rng.normal(0, 0.5, n)
    queries = rng.uniform(-3, 7, 40)
    h = 10.0 * 10 ** rng.uniform(-2, 0.5)  # 0.01 … 3 × the range
    np.testing.assert_allclose(nwcore.nadaraya_watson(queries, keys, values, bandwidth=h),
                               _statsmodels_fit(keys, values, queries, h, "lc"),
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(nwcore.local_linear(queries, keys, values, bandwidth=h),
                               _statsmodels_fit(keys, values, queries, h, "ll"),
                               rtol=0, atol=1e-8)


@pytest.mark.parametrize("factor", [0.999, 1.001])
def test_both_sides_of_the_every_key_shortcut_match_the_dense_formulas(factor):
    """Just wide enough (every window holds every key) the tiles take the keys unsorted and
    unshifted; just too narrow they sort and shift. Both sides equal the dense weights, over
    several query tiles and key chunks, for NW and local linear."""
    rng = np.random.default_rng(11)
    keys = rng.uniform(0.0, 10.0, 3000)
    values = np.sin(keys) + rng.normal(0.0, 0.3, keys.size)
    queries = rng.uniform(0.0, 10.0, 1100)
    farthest = max(queries.max() - keys.min(), keys.max() - queries.min())
    h = factor * farthest / 10.0
    assert nwcore.pooling.windows_hold_every_key(queries, keys, "gaussian", h) == (factor > 1)
    weights = nwcore.attention_weights(queries, keys, bandwidth=h)
    np.testing.assert_allclose(
        nwcore.nadaraya_watson(queries, keys, values, bandwidth=h, method="exact"),
        weights @ values, rtol=0, atol=1e-12)
    offsets = keys[None, :] - queries[:, None]
    s1, s2 = (weights * offsets).sum(axis=1), (weights * offsets ** 2).sum(axis=1)
    t0, t1 = weights @ values, (weights * offsets) @ values
    np.testing.assert_allclose(
        nwcore.local_linear(queries, keys, values, bandwidth=h, method="exact"),
        (s2 * t0 - s1 * t1) / (s2 - s1 * s1), rtol=0, atol=1e-10)


# --- bad arguments ---------------------------------------------------------------------------

GOOD = {"queries": [0.0, 1.0], "keys": [0.0, 1.0, 2.0], "values": [1.0, 2.0, 3.0]}


@pytest.mark.parametrize("function", [nwcore.nadaraya_watson, nwcore.local_linear])
@pytest.mark.parametrize("change, message", [
    ({"kernel": "gauss"}, "unknown kernel"),
    ({"kernel": None}, "unknown kernel"),
    ({"bandwidth": 0.0}, "bandwidth"),
    ({"bandwidth": -1.0}, "bandwidth"),
    ({"bandwidth": float("nan")}, "bandwidth"),
    ({"bandwidth": float("inf")}, "bandwidth"),
    ({"bandwidth": "wide"}, "bandwidth"),
    ({"bandwidth": True}, "bandwidth"),
    ({"method": "fast"}, "unknown method"),
    ({"values": [1.0, 2.0]}, "same length"),
    ({"keys": [], "values": []}, "empty"),
    ({"values": [1.0, np.nan, 3.0]}, "non-finite"),
    ({"keys": [0.0, np.inf, 2.0]}, "non-finite"),
    ({"queries": [np.nan]}, "non-finite"),
    ({"queries": [[0.0, 1.0]]}, "one-dimensional|same number of coordinates"),
    ({"keys": ["a", "b", "c"]}, "numbers"),
])
def test_bad_arguments_raise_value_error(function, change, message):
    arguments = {**GOOD, "kernel": "gaussian", "bandwidth": 1.0, "method": "auto", **change}
    queries, keys, values = arguments.pop("queries"), arguments.pop("keys"), \
        arguments.pop("values")
    with pytest.raises(ValueError, match=message):
        function(queries, keys, values, **arguments)


def test_bad_arguments_of_the_weight_functions():
    with pytest.raises(ValueError, match="unknown kernel"):
        nwcore.attention_weights([0.0], [1.0], kernel="epanechikov")
    with pytest.raises(ValueError, match="bandwidth"):
        nwcore.empty_windows([0.0], [1.0], kernel="boxcar", bandwidth=0)
    with pytest.raises(ValueError, match="empty"):
        nwcore.attention_weights([0.0], [])


def test_global_line_of_keys_near_the_smallest_floats_is_finite():
    """Local linear with the constant kernel is the least-squares line; keys ~1e-286 apart made
    Σ(x - x̄)² underflow to 0 (NaN slope)."""
    fit = nwcore.local_linear([0.0, 1e-286, 2e-286], [0.0, 5.3e-286], [1.0, 2.0],
                              kernel="constant", bandwidth=1.0)
    np.testing.assert_allclose(fit, [1.0, 1.0 + 1 / 5.3, 1.0 + 2 / 5.3], rtol=1e-12)
