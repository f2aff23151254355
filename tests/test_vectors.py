"""Vector keys: d-D Nadaraya–Watson, dot-product attention, the unit-sphere identity, oracles."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial import cKDTree
from scipy.stats import special_ortho_group

import nwcore
from nwcore import vectors

RADIAL = ("gaussian", "boxcar", "triangular", "epanechnikov")
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _plane(n, seed=0, columns=None):
    rng = np.random.default_rng(seed)
    keys = rng.uniform(0.0, 5.0, (n, 2))
    values = np.sin(keys[:, 0]) + np.cos(keys[:, 1]) + rng.normal(0.0, 0.3, n)
    if columns:
        values = np.column_stack([values * (j + 1) for j in range(columns)])
    return keys, values


def _grid(points=20, low=-1.0, high=6.0):
    axis = np.linspace(low, high, points)
    return np.column_stack([a.ravel() for a in np.meshgrid(axis, axis)])


def _dense_fit(queries, keys, values, kernel, h):
    weights = nwcore.vector_attention_weights(queries, keys, kernel=kernel, bandwidth=h)
    fit = weights @ values
    fit[weights.sum(axis=1) == 0] = np.nan
    return fit


# --- oracles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("h", [0.05, 0.3, 1.0, 4.0])
def test_gaussian_matches_statsmodels_kernelreg_local_constant(h):
    from statsmodels.nonparametric.kernel_regression import KernelReg

    keys, values = _plane(300)
    queries = _grid(15, 0.0, 5.0)  # farther out, statsmodels' unshifted weights underflow (NaN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own deprecation notices
        model = KernelReg(values, keys, var_type="cc", reg_type="lc", bw=[h, h])
        expected = model.fit(queries)[0]
    ours = nwcore.vector_nadaraya_watson(queries, keys, values, bandwidth=h)
    assert np.max(np.abs(ours - expected)) <= 1e-10


@pytest.mark.parametrize("kernel", RADIAL)
@pytest.mark.parametrize("h", [1e-3, 0.04, 0.4, 3.0])
def test_tiled_sums_match_the_dense_weights(kernel, h):
    """1600 keys and 625 queries: several key chunks and query tiles, pruning at small h."""
    keys, values = _plane(1600, columns=2)
    queries = _grid(25)
    tiled = nwcore.vector_nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=h)
    dense = _dense_fit(queries, keys, values, kernel, h)
    np.testing.assert_array_equal(np.isnan(tiled), np.isnan(dense))
    np.testing.assert_allclose(tiled, dense, rtol=0, atol=1e-11 * np.ptp(values))
    assert tiled.shape == (queries.shape[0], 2)


@pytest.mark.parametrize("kernel", RADIAL)
@pytest.mark.parametrize("h", [1e-6, 0.01, 0.3, 3.0])
def test_single_coordinate_keys_match_the_one_dimensional_path(kernel, h):
    rng = np.random.default_rng(3)
    keys = rng.uniform(0.0, 5.0, 1100)
    values = np.sin(keys) + rng.normal(0.0, 0.2, keys.size)
    queries = np.linspace(-1.0, 6.0, 600)
    one_d = nwcore.nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=h,
                                   method="exact")
    vector = nwcore.vector_nadaraya_watson(queries[:, None], keys[:, None], values,
                                           kernel=kernel, bandwidth=h)
    np.testing.assert_array_equal(np.isnan(vector), np.isnan(one_d))
    np.testing.assert_allclose(vector, one_d, rtol=0, atol=1e-12 * np.ptp(values))
    np.testing.assert_array_equal(
        nwcore.vector_empty_windows(queries, keys, kernel=kernel, bandwidth=h),
        nwcore.empty_windows(queries, keys, kernel=kernel, bandwidth=h))


@pytest.mark.parametrize("dimension", [2, 3, 16])
@pytest.mark.parametrize("h", [0.1, 0.5, 3.0])
def test_unit_sphere_gaussian_is_dot_product_attention_with_scale_one_over_h_squared(dimension,
                                                                                      h):
    """‖q - k‖² = 2 - 2 q·k on the sphere, so softmax(-‖q - k‖²/2h²) = softmax(q·k / h²)."""
    rng = np.random.default_rng(dimension)
    keys = rng.normal(size=(800, dimension))
    keys /= np.linalg.norm(keys, axis=1, keepdims=True)
    queries = rng.normal(size=(300, dimension))
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    values = rng.normal(size=(800, 3))
    gaussian = nwcore.vector_nadaraya_watson(queries, keys, values, bandwidth=h)
    dot = nwcore.dot_product_attention(queries, keys, values, scale=1.0 / h**2)
    assert np.max(np.abs(gaussian - dot)) <= 1e-12
    dense_gaussian = nwcore.vector_attention_weights(queries, keys, bandwidth=h)
    dense_dot = nwcore.dot_product_weights(queries, keys, scale=1.0 / h**2)
    assert np.max(np.abs(dense_gaussian - dense_dot)) <= 1e-12


def test_off_the_sphere_the_two_differ():
    rng = np.random.default_rng(0)
    keys, queries = rng.normal(size=(50, 2)), rng.normal(size=(10, 2))
    gaussian = nwcore.vector_attention_weights(queries, keys, bandwidth=1.0)
    dot = nwcore.dot_product_weights(queries, keys, scale=1.0)
    assert np.max(np.abs(gaussian - dot)) > 0.01


# --- dot-product attention -------------------------------------------------------------------

def _naive_dot(queries, keys, values, scale):
    logits = scale * queries @ keys.T
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (weights / weights.sum(axis=1, keepdims=True)) @ values


@pytest.mark.parametrize("n_keys", [7, 1300])
def test_dot_product_attention_is_scaled_softmax_times_values(n_keys):
    rng = np.random.default_rng(n_keys)
    queries, keys = rng.normal(size=(600, 8)), rng.normal(size=(n_keys, 8))
    values = rng.normal(size=n_keys)
    np.testing.assert_allclose(nwcore.dot_product_attention(queries, keys, values),
                               _naive_dot(queries, keys, values, 1.0 / np.sqrt(8)), atol=1e-13)
    np.testing.assert_allclose(nwcore.dot_product_attention(queries, keys, values, scale=0.2),
                               _naive_dot(queries, keys, values, 0.2), atol=1e-13)
    weights = nwcore.dot_product_weights(queries, keys)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(weights @ values, nwcore.dot_product_attention(queries, keys,
                                                                              values), atol=1e-13)


def test_dot_product_attention_is_stable_at_large_scales_and_rejects_overflow():
    rng = np.random.default_rng(1)
    queries, keys = rng.normal(size=(40, 4)), rng.normal(size=(900, 4))
    values = rng.normal(size=900)
    sharp = nwcore.dot_product_attention(queries, keys, values, scale=1e9)
    np.testing.assert_array_equal(sharp, values[np.argmax(queries @ keys.T, axis=1)])
    with pytest.raises(ValueError, match="overflow"):
        nwcore.dot_product_attention(queries * 1e100, keys * 1e100, values, scale=1e120)
    with pytest.raises(ValueError, match="scale"):
        nwcore.dot_product_attention(queries, keys, values, scale=float("nan"))


# --- properties ------------------------------------------------------------------------------

@st.composite
def point_sets(draw, max_keys=30):
    d = draw(st.integers(1, 4))
    coordinate = st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False)
    keys = draw(arrays(np.float64, (draw(st.integers(1, max_keys)), d), elements=coordinate))
    queries = draw(arrays(np.float64, (draw(st.integers(1, 12)), d), elements=coordinate))
    values = draw(arrays(np.float64, (keys.shape[0],), elements=st.floats(-50.0, 50.0)))
    span = max(float(np.ptp(np.vstack([keys, queries]))), 1.0)
    return queries, keys, values, span


@PROPERTY_SETTINGS
@given(point_sets(), st.sampled_from(RADIAL + ("constant",)), st.floats(-6.0, 6.0))
def test_rows_sum_to_one_unless_empty_and_predictions_stay_in_range(problem, kernel, log_h):
    queries, keys, values, span = problem
    h = span * 10.0**log_h
    weights = nwcore.vector_attention_weights(queries, keys, kernel=kernel, bandwidth=h)
    assert weights.shape == (queries.shape[0], keys.shape[0]) and np.all(weights >= 0)
    empty = nwcore.vector_empty_windows(queries, keys, kernel=kernel, bandwidth=h)
    np.testing.assert_allclose(weights.sum(axis=1)[~empty], 1.0, atol=1e-12)
    assert np.all(weights[empty] == 0)
    fit = nwcore.vector_nadaraya_watson(queries, keys, values, kernel=kernel, bandwidth=h)
    np.testing.assert_array_equal(np.isnan(fit), empty)
    assert np.all((fit[~empty] >= values.min()) & (fit[~empty] <= values.max()))
    if kernel in ("gaussian", "constant"):
        assert not np.any(empty)


@PROPERTY_SETTINGS
@given(point_sets(), st.floats(-2.0, 2.0), st.integers(0, 2**32 - 1),
       arrays(np.float64, 4, elements=st.floats(-50.0, 50.0)))
def test_gaussian_weights_are_translation_and_rotation_invariant(problem, log_h, seed, shift):
    queries, keys, _, span = problem
    h = span * 10.0**log_h
    d = keys.shape[1]
    weights = nwcore.vector_attention_weights(queries, keys, bandwidth=h)
    rotation = special_ortho_group.rvs(d, random_state=seed) if d > 1 else np.array([[-1.0]])
    moved = [(queries + shift[:d], keys + shift[:d]), (queries @ rotation.T, keys @ rotation.T)]
    for moved_queries, moved_keys in moved:
        np.testing.assert_allclose(
            nwcore.vector_attention_weights(moved_queries, moved_keys, bandwidth=h), weights,
            rtol=0, atol=1e-9)


@PROPERTY_SETTINGS
@given(point_sets(max_keys=20), st.sampled_from([1e-7, 1e-30, 1e-300]))
def test_tiny_bandwidth_gives_the_nearest_key_never_nan(problem, factor):
    queries, keys, values, span = problem
    distances = np.sqrt(((queries[:, None, :] - keys[None, :, :]) ** 2).sum(axis=2))
    if keys.shape[0] > 1:
        two = np.sort(distances, axis=1)[:, :2]
        assume(np.all(two[:, 1] - two[:, 0] > 1e-3 * span))
    nearest = values[np.argmin(distances, axis=1)]
    for kernel in ("gaussian",):
        fit = nwcore.vector_nadaraya_watson(queries, keys, values, kernel=kernel,
                                            bandwidth=factor * span)
        np.testing.assert_array_equal(fit, nearest)
    weights = nwcore.vector_attention_weights(queries, keys, bandwidth=factor * span)
    assert not np.any(np.isnan(weights))
    np.testing.assert_array_equal(np.argmax(weights, axis=1), np.argmin(distances, axis=1))


@PROPERTY_SETTINGS
@given(point_sets(), st.randoms(use_true_random=False), st.floats(-3.0, 3.0))
def test_permuting_keys_permutes_columns_and_keeps_predictions(problem, random, log_h):
    queries, keys, values, span = problem
    h = span * 10.0**log_h
    order = list(range(keys.shape[0]))
    random.shuffle(order)
    weights = nwcore.vector_attention_weights(queries, keys, bandwidth=h)
    np.testing.assert_allclose(nwcore.vector_attention_weights(queries, keys[order], bandwidth=h),
                               weights[:, order], atol=1e-15)
    np.testing.assert_allclose(
        nwcore.vector_nadaraya_watson(queries, keys[order], values[order], bandwidth=h),
        nwcore.vector_nadaraya_watson(queries, keys, values, bandwidth=h),
        rtol=1e-12, atol=1e-12 * max(1.0, float(np.ptp(values))))


def test_tiny_bandwidth_on_many_keys_is_the_nearest_neighbour():
    rng = np.random.default_rng(5)
    keys = rng.uniform(0.0, 1.0, (5000, 2))
    values = rng.normal(size=5000)
    queries = rng.uniform(-3.0, 4.0, (800, 2))
    nearest = values[cKDTree(keys).query(queries)[1]]
    for h in (1e-9, 1e-200, 2.3e-308):
        np.testing.assert_array_equal(nwcore.vector_nadaraya_watson(queries, keys, values,
                                                                    bandwidth=h), nearest)


def test_far_away_queries_and_sparse_keys_stay_accurate():
    """Keys thousands of bandwidths from the queries use the direct squared distances."""
    rng = np.random.default_rng(6)
    keys = np.vstack([rng.uniform(0.0, 1.0, (700, 2)), rng.uniform(5e4, 5e4 + 1, (700, 2))])
    values = rng.normal(size=1400)
    queries = np.vstack([rng.uniform(0.0, 1.0, (300, 2)), rng.uniform(2e4, 3e4, (50, 2))])
    for h in (0.05, 3.0, 2e3):
        np.testing.assert_allclose(nwcore.vector_nadaraya_watson(queries, keys, values,
                                                                 bandwidth=h),
                                   _dense_fit(queries, keys, values, "gaussian", h),
                                   rtol=0, atol=1e-11)


# --- shapes, empty windows, bad input ----------------------------------------------------------

def test_value_columns_give_one_prediction_per_column():
    keys, values = _plane(200, columns=3)
    queries = _grid(5)
    fit = nwcore.vector_nadaraya_watson(queries, keys, values, bandwidth=0.5)
    assert fit.shape == (25, 3)
    for column in range(3):
        np.testing.assert_allclose(fit[:, column], nwcore.vector_nadaraya_watson(
            queries, keys, values[:, column], bandwidth=0.5), rtol=1e-13)
    assert nwcore.vector_nadaraya_watson(np.empty((0, 2)), keys, values,
                                         bandwidth=0.5).shape == (0, 3)
    average = nwcore.vector_nadaraya_watson(queries, keys, values, kernel="constant")
    np.testing.assert_allclose(average, np.broadcast_to(values.mean(axis=0), (25, 3)))


@pytest.mark.parametrize("kernel", ["boxcar", "triangular", "epanechnikov"])
def test_empty_windows_give_nan_rows_and_zero_weights(kernel):
    keys = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    queries = np.array([[0.0, 0.0], [0.5, 0.5], [3.0, 3.0], [1.0, 1.0]])
    weights = nwcore.vector_attention_weights(queries, keys, kernel=kernel, bandwidth=1.0)
    fit = nwcore.vector_nadaraya_watson(queries, keys, np.eye(3), kernel=kernel, bandwidth=1.0)
    empty = nwcore.vector_empty_windows(queries, keys, kernel=kernel, bandwidth=1.0)
    # (1, 1) is exactly h = 1 from two keys: inside the boxcar, on the others' zero edge.
    expected_empty = [False, False, True, kernel != "boxcar"]
    np.testing.assert_array_equal(empty, expected_empty)
    assert np.all(np.isnan(fit[empty])) and not np.any(np.isnan(fit[~empty]))
    assert np.all(weights[empty] == 0)
    np.testing.assert_allclose(fit[~empty], weights[~empty], atol=1e-15)


def test_bad_input_is_rejected_before_any_work():
    keys, values = _plane(20)
    with pytest.raises(ValueError, match="same number of coordinates"):
        nwcore.vector_nadaraya_watson(np.zeros((3, 3)), keys, values)
    with pytest.raises(ValueError, match="same number of rows"):
        nwcore.vector_nadaraya_watson(keys, keys, values[:-1])
    with pytest.raises(ValueError, match="bandwidth"):
        nwcore.vector_attention_weights(keys, keys, bandwidth=0.0)
    with pytest.raises(ValueError, match="non-finite"):
        nwcore.vector_nadaraya_watson(keys, np.where(keys > 4, np.nan, keys), values)
    with pytest.raises(ValueError, match="1-D keys only"):
        nwcore.vector_nadaraya_watson(keys, keys, values, method="binned")
    with pytest.raises(ValueError, match="unknown kernel"):
        nwcore.vector_nadaraya_watson(keys, keys, values, kernel="cosine")


# --- leave-one-out criteria and bandwidth selection ----------------------------------------------

def _brute_loo(keys, values, kernel, h):
    weights = nwcore.vector_attention_weights(keys, keys, kernel=kernel, bandwidth=h)
    raw = weights.copy()
    np.fill_diagonal(weights, 0.0)
    totals = weights.sum(axis=1)
    defined = totals > 0
    loo = (weights[defined] @ values) / totals[defined]
    loo_cv = np.mean((values[defined] - loo) ** 2) if np.any(defined) else np.nan
    influence = np.mean(np.diag(raw))
    gcv = np.mean((values - raw @ values) ** 2) / (1.0 - influence) ** 2
    return loo_cv, gcv


@pytest.mark.parametrize("kernel", RADIAL + ("constant",))
def test_loo_and_gcv_curves_match_brute_force(kernel):
    keys, values = _plane(700, seed=2)
    bandwidths = [0.05, 0.2, 0.8, 5.0]
    loo = nwcore.vector_loo_cv_curve(keys, values, bandwidths, kernel=kernel)
    gcv = nwcore.vector_gcv_curve(keys, values, bandwidths, kernel=kernel)
    expected = np.array([_brute_loo(keys, values, kernel, h) for h in bandwidths])
    np.testing.assert_allclose(loo, expected[:, 0], rtol=1e-10)
    np.testing.assert_allclose(gcv, expected[:, 1], rtol=1e-10)


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_one_coordinate_criteria_and_selection_match_the_one_dimensional_ones(kernel):
    data = nwcore.generate_preset("d2l_classic", 4)
    keys, values = data["x"].to_numpy(), data["y"].to_numpy()
    bandwidths = np.geomspace(0.02, 3.0, 9)
    np.testing.assert_allclose(nwcore.vector_loo_cv_curve(keys, values, bandwidths,
                                                          kernel=kernel),
                               nwcore.loo_cv_curve(keys, values, bandwidths, kernel=kernel),
                               rtol=1e-10)
    np.testing.assert_allclose(nwcore.vector_gcv_curve(keys, values, bandwidths, kernel=kernel),
                               nwcore.gcv_curve(keys, values, bandwidths, kernel=kernel),
                               rtol=1e-10)
    for method in ("loo_cv", "gcv", "silverman", "scott"):
        assert nwcore.select_vector_bandwidth(keys, values, method=method, kernel=kernel) == \
            pytest.approx(nwcore.select_bandwidth(keys, values, method=method, kernel=kernel),
                          rel=1e-6)


def test_selected_bandwidth_minimises_the_criterion_in_two_dimensions():
    keys, values = _plane(400, seed=3)
    chosen = nwcore.select_vector_bandwidth(keys, values)
    grid = np.geomspace(chosen / 3, chosen * 3, 21)
    curve = nwcore.vector_loo_cv_curve(keys, values, grid)
    assert nwcore.vector_loo_cv_curve(keys, values, [chosen])[0] <= curve.min() + 1e-12
    with pytest.raises(ValueError, match="unknown bandwidth method"):
        nwcore.select_vector_bandwidth(keys, values, method="aic")
    with pytest.raises(ValueError, match="at least 2 points"):
        nwcore.vector_loo_cv_curve(keys[:1], values[:1], [1.0])


@pytest.mark.parametrize("kernel", RADIAL)
@pytest.mark.parametrize("h", [0.05, 1.0])
def test_excluded_keys_get_no_weight_in_any_chunk(kernel, h):
    """kernel_sums' self_index, with excluded keys scattered over every chunk (a permutation)."""
    keys, values = _plane(1300, seed=8)
    excluded = np.random.default_rng(9).permutation(keys.shape[0])
    sums, log2_scale = vectors.kernel_sums(keys, keys, values[:, None], kernel, h,
                                           self_index=excluded)
    weights = nwcore.vector_attention_weights(keys, keys, kernel=kernel, bandwidth=h)
    weights[np.arange(keys.shape[0]), excluded] = 0.0
    totals = weights.sum(axis=1)
    defined = totals > 0
    np.testing.assert_array_equal(sums[:, 1] > 0, defined)
    np.testing.assert_allclose(sums[defined, 0] / sums[defined, 1],
                               weights[defined] @ values / totals[defined], rtol=0,
                               atol=1e-11 * np.ptp(values))


def test_rules_of_thumb_need_no_leave_one_out():
    keys = np.random.default_rng(0).uniform(0.0, 5.0, (vectors.MAX_LOO_POINTS + 1, 2))
    values = keys[:, 0]
    h = nwcore.select_vector_bandwidth(keys, values, method="scott")
    n = keys.shape[0]
    spread = np.mean([min(np.std(c, ddof=1), np.subtract(*np.percentile(c, [75, 25])) / 1.349)
                      for c in keys.T])
    assert h == pytest.approx(1.059 * spread * n ** (-1 / 6), rel=1e-12)
    with pytest.raises(ValueError, match="capped"):
        nwcore.select_vector_bandwidth(keys, values, method="loo_cv")


def test_uses_vector_path_picks_matrices_only():
    assert vectors.uses_vector_path([1.0, 2.0], np.zeros((3, 2)))
    assert vectors.uses_vector_path([1.0], [2.0], [[1.0, 0.0]])
    assert not vectors.uses_vector_path([1.0, 2.0], 3.0, np.arange(4.0))
    assert not vectors.uses_vector_path([[1.0, 2.0], [3.0]], [1.0])  # ragged: left to 1-D checks
