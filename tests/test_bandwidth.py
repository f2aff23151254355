"""Bandwidth rules and criteria: brute-force and statsmodels oracles, edge cases, bad input."""

import warnings

import numpy as np
import pytest

import nwcore
from nwcore.bandwidth import SEARCH_RANGE

KERNELS = nwcore.KERNELS


def _d2l_like(n, seed, noise=0.5):
    rng = np.random.default_rng(seed)
    keys = np.sort(5.0 * rng.random(n))
    return keys, 2.0 * np.sin(keys) + keys ** 0.8 + rng.normal(0.0, noise, n)


def _brute_force(keys, values, h, kernel):
    """LOO-CV and GCV from the dense kernel matrix (the definitions; Gaussian rows max-shifted).

    Weights are scaled so that the largest weight on another key is 1; the self-weight is then
    K(0) / that maximum = ``own``.
    """
    u = (keys[:, None] - keys[None, :]) / h
    if kernel == "gaussian":
        logits = -0.5 * u * u
        np.fill_diagonal(logits, -np.inf)
        largest = logits.max(axis=1, keepdims=True)
        others, inverse_own = np.exp(logits - largest), np.exp(largest[:, 0])
    else:
        weights = nwcore.kernel_values(kernel, u)
        others, inverse_own = weights - np.diag(np.diag(weights)), np.ones(keys.size)
    totals, sums = others.sum(axis=1), others @ values
    defined = totals > 0
    loo = np.mean((values[defined] - sums[defined] / totals[defined]) ** 2) \
        if defined.any() else np.nan
    full = (sums * inverse_own + values) / (totals * inverse_own + 1.0)
    influence = 1.0 / (totals * inverse_own + 1.0)
    gcv = np.mean((values - full) ** 2) / (1.0 - np.mean(influence)) ** 2
    return loo, gcv


@pytest.mark.parametrize("kernel", KERNELS)
def test_curves_equal_the_definitions(kernel):
    keys, values = _d2l_like(120, 0)
    keys = np.append(keys, 9.0)  # an isolated point: empty LOO windows for compact kernels
    values = np.append(values, 1.0)
    bandwidths = np.geomspace(0.01, 20.0, 9)
    expected = np.array([_brute_force(keys, values, h, kernel) for h in bandwidths])
    np.testing.assert_allclose(nwcore.loo_cv_curve(keys, values, bandwidths, kernel=kernel),
                               expected[:, 0], rtol=1e-10)
    np.testing.assert_allclose(nwcore.gcv_curve(keys, values, bandwidths, kernel=kernel),
                               expected[:, 1], rtol=1e-10)


def test_curves_accept_unsorted_keys_and_a_single_bandwidth():
    keys, values = _d2l_like(80, 1)
    order = np.random.default_rng(0).permutation(keys.size)
    np.testing.assert_allclose(nwcore.loo_cv_curve(keys[order], values[order], 0.3),
                               nwcore.loo_cv_curve(keys, values, [0.3]), rtol=1e-12)


def test_points_with_empty_loo_windows_are_left_out():
    keys = np.array([0.0, 0.1, 0.2, 5.0])
    values = np.array([1.0, 2.0, 3.0, 100.0])
    # boxcar, h = 0.15: the point at 5 has no other key within h; its residual is not counted.
    first = (1.0 - 2.0) ** 2
    middle = (2.0 - 2.0) ** 2
    last = (3.0 - 2.0) ** 2
    assert nwcore.loo_cv_curve(keys, values, [0.15], kernel="boxcar")[0] == pytest.approx(
        (first + middle + last) / 3)
    assert np.isnan(nwcore.loo_cv_curve(keys, values, [0.01], kernel="boxcar")[0])


def test_gcv_is_nan_where_the_smoother_interpolates():
    keys, values = _d2l_like(30, 2)
    assert np.isnan(nwcore.gcv_curve(keys, values, [1e-6])[0])


def test_rules_of_thumb_match_statsmodels():
    from statsmodels.nonparametric.bandwidths import bw_scott, bw_silverman

    for seed in range(3):
        keys = np.random.default_rng(seed).standard_t(3, 200)
        assert nwcore.silverman_bandwidth(keys) == pytest.approx(bw_silverman(keys), rel=1e-12)
        assert nwcore.scott_bandwidth(keys) == pytest.approx(bw_scott(keys), rel=1e-12)


def test_rules_of_thumb_fall_back_when_the_spread_is_zero():
    tied = np.array([1.0] * 10 + [2.0, 3.0])  # IQR 0: the standard deviation is used
    assert nwcore.silverman_bandwidth(tied) == pytest.approx(
        0.9 * np.std(tied, ddof=1) * tied.size ** -0.2)
    assert nwcore.silverman_bandwidth([4.0, 4.0, 4.0]) == pytest.approx(0.9 * 3 ** -0.2)
    assert nwcore.scott_bandwidth([4.0]) == pytest.approx(1.059)


@pytest.mark.parametrize("seed", [0, 1])
def test_loo_cv_choice_agrees_with_statsmodels_cv_ls(seed):
    from statsmodels.nonparametric.kernel_regression import KernelReg

    keys, values = _d2l_like(100, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = KernelReg(endog=values, exog=keys, var_type="c", reg_type="lc",
                           bw="cv_ls").bw[0]
    ours = nwcore.select_bandwidth(keys, values, method="loo_cv")
    # Ours is the global minimum of the curve over the whole search range …
    grid = np.geomspace(SEARCH_RANGE[0] * np.ptp(keys), SEARCH_RANGE[1] * np.ptp(keys), 400)
    curve = nwcore.loo_cv_curve(keys, values, grid)
    at_ours = nwcore.loo_cv_curve(keys, values, [ours])[0]
    assert at_ours <= np.nanmin(curve) * (1 + 1e-9)
    # … and statsmodels found it too (its criterion value is as low): then the h agree.
    assert nwcore.loo_cv_curve(keys, values, [theirs])[0] <= at_ours * (1 + 1e-6)
    assert ours == pytest.approx(theirs, rel=0.02)


def test_select_bandwidth_methods():
    keys, values = _d2l_like(60, 3)
    gcv = nwcore.select_bandwidth(keys, values, method="gcv")
    grid = np.geomspace(0.005, 50, 300)
    assert nwcore.gcv_curve(keys, values, [gcv])[0] <= np.nanmin(
        nwcore.gcv_curve(keys, values, grid)) * (1 + 1e-9)
    silverman = nwcore.silverman_bandwidth(keys)
    assert nwcore.select_bandwidth(keys, values, method="silverman") == silverman
    assert nwcore.select_bandwidth(keys, values, method="scott") == nwcore.scott_bandwidth(keys)
    # For compact kernels the rule is converted to the same kernel std.
    assert nwcore.select_bandwidth(keys, values, method="silverman", kernel="boxcar") == \
        pytest.approx(silverman * np.sqrt(3.0))
    # Compact kernels: the chosen h leaves no leave-one-out window empty.
    h = nwcore.select_bandwidth(keys, values, method="loo_cv", kernel="epanechnikov")
    assert not np.any(np.isnan(nwcore.loo_cv_curve(keys, values, [h], kernel="epanechnikov")))
    assert isinstance(h, float)
    # Nothing to choose: the rule of thumb.
    assert nwcore.select_bandwidth(keys, values, kernel="constant") == silverman
    assert nwcore.select_bandwidth([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]) == \
        nwcore.silverman_bandwidth([2.0, 2.0, 2.0])


def test_constant_kernel_curve_is_flat():
    keys, values = _d2l_like(40, 4)
    curve = nwcore.loo_cv_curve(keys, values, [0.1, 1.0, 10.0], kernel="constant")
    n = keys.size
    expected = np.mean(((values - values.mean()) * n / (n - 1)) ** 2)
    np.testing.assert_allclose(curve, expected)


@pytest.mark.parametrize("call, message", [
    (lambda k, v: nwcore.loo_cv_curve(k, v, [0.0]), "bandwidth"),
    (lambda k, v: nwcore.loo_cv_curve(k, v, ["a"]), "bandwidth"),
    (lambda k, v: nwcore.loo_cv_curve(k, v, [[0.1, 0.2]]), "one-dimensional"),
    (lambda k, v: nwcore.gcv_curve(k, v, [0.1], kernel="gauss"), "unknown kernel"),
    (lambda k, v: nwcore.gcv_curve(k, v, [0.1], method="quick"), "unknown method"),
    (lambda k, v: nwcore.loo_cv_curve(k[:1], v[:1], [0.1]), "at least 2"),
    (lambda k, v: nwcore.loo_cv_curve(k, v[:-1], [0.1]), "same length"),
    (lambda k, v: nwcore.select_bandwidth(k, v, method="cv"), "unknown bandwidth method"),
    (lambda k, v: nwcore.select_bandwidth(k, np.full(k.size, np.nan)), "non-finite"),
    (lambda k, v: nwcore.silverman_bandwidth([]), "empty"),
])
def test_bad_arguments_raise_value_error(call, message):
    keys, values = _d2l_like(10, 5)
    with pytest.raises(ValueError, match=message):
        call(keys, values)
