"""The binned path: accuracy against the exact sums, its leave-one-out self-weight, "auto"."""

import numpy as np
import pytest

import nwcore
from nwcore import binning
from nwcore.bandwidth import gcv_curve, loo_cv_curve

BOUND = binning.ERROR_TARGET  # max |binned - exact| / (max y - min y)


def _data(n, seed, *, gap=False):
    rng = np.random.default_rng(seed)
    keys = rng.uniform(0.0, 5.0, n)
    if gap:  # a hole of width 1 and a far outlier: sparse neighbourhoods to recompute exactly
        keys = np.concatenate([keys[(keys < 2.0) | (keys > 3.0)], [9.0]])
    values = 2.0 * np.sin(keys) + keys ** 0.8 + rng.normal(0.0, 0.5, keys.size)
    return keys, values


@pytest.mark.parametrize("gap", [False, True])
@pytest.mark.parametrize("function", [nwcore.nadaraya_watson, nwcore.local_linear])
def test_binned_gaussian_meets_the_bound_over_the_app_bandwidths(function, gap):
    keys, values = _data(3000, 1, gap=gap)
    span = np.ptp(keys)
    queries = np.linspace(keys.min(), keys.max(), 301)
    for factor in np.geomspace(0.002, 10.0, 7):
        h = factor * span
        exact = function(queries, keys, values, bandwidth=h, method="exact")
        binned = function(queries, keys, values, bandwidth=h, method="binned")
        assert np.max(np.abs(binned - exact)) <= BOUND * np.ptp(values), factor


@pytest.mark.parametrize("kernel", ["triangular", "epanechnikov"])
@pytest.mark.parametrize("function", [nwcore.nadaraya_watson, nwcore.local_linear])
def test_binned_compact_kernels_meet_the_bound_and_keep_empty_windows(function, kernel):
    keys, values = _data(2000, 2, gap=True)
    queries = np.linspace(-0.5, 9.5, 401)
    for h in (0.05, 0.3, 2.0):
        exact = function(queries, keys, values, kernel=kernel, bandwidth=h, method="exact")
        binned = function(queries, keys, values, kernel=kernel, bandwidth=h, method="binned")
        np.testing.assert_array_equal(np.isnan(binned), np.isnan(exact))
        assert np.nanmax(np.abs(binned - exact)) <= BOUND * np.ptp(values)


def test_binned_local_linear_across_a_gap_meets_the_bound():
    """Queries in a gap see keys on one side only, at the edge of a compact window: the line is
    extrapolated, which amplifies the binning error (here 7× the bound before such queries were
    sent to the exact path)."""
    rng = np.random.default_rng(45)
    keys = np.concatenate([rng.random(15_000) * 0.3, 0.7 + rng.random(15_000) * 0.3])
    values = rng.normal(0.0, 1.0, keys.size)
    queries = np.linspace(-0.1, 1.1, 500)
    for h in (0.126, 0.234):
        exact = nwcore.local_linear(queries, keys, values, kernel="epanechnikov", bandwidth=h,
                                    method="exact")
        binned = nwcore.local_linear(queries, keys, values, kernel="epanechnikov", bandwidth=h,
                                     method="binned")
        np.testing.assert_array_equal(np.isnan(binned), np.isnan(exact))
        assert np.nanmax(np.abs(binned - exact)) <= BOUND * np.ptp(values), h


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_binned_leave_one_out_matches_exact(kernel):
    keys, values = _data(2000, 3, gap=True)
    bandwidths = np.geomspace(0.002, 10.0, 9) * np.ptp(keys)
    for curve in (loo_cv_curve, gcv_curve):
        exact = curve(keys, values, bandwidths, kernel=kernel, method="exact")
        binned = curve(keys, values, bandwidths, kernel=kernel, method="binned")
        np.testing.assert_array_equal(np.isnan(binned), np.isnan(exact))
        np.testing.assert_allclose(binned, exact, rtol=1e-5)


def test_binned_self_weight_is_what_the_grid_gives_the_key_itself():
    """w = K(0)((1-f)² + f²) + 2f(1-f)K(Δ/h): bin one key, convolve, interpolate at the key."""
    grid = binning.Grid(start=0.0, step=0.1, size=64)
    key = np.array([2.537])
    cell, fraction = grid.locate(key)
    binned = grid.bin(cell, fraction, np.ones((1, 1)))
    h = 0.25
    at_key = binning.Grid.interpolate(grid.convolve(binned, "gaussian", h), cell, fraction)[0, 0]
    f = fraction[0]
    expected = (1 - f) ** 2 + f ** 2 + 2 * f * (1 - f) * np.exp(-0.5 * (0.1 / h) ** 2)
    assert at_key == pytest.approx(expected, rel=1e-12)
    assert abs(at_key - 1.0) > 1e-3  # so using K(0) = 1 instead would be visibly wrong


def test_auto_chooses_binned_only_when_large_and_resolvable(monkeypatch):
    keys, values = _data(5000, 4)
    queries = np.linspace(0.0, 5.0, 5000)  # 2.5e7 evaluations: above the auto threshold
    calls = []
    original = binning.binned_fit
    monkeypatch.setattr(binning, "binned_fit",
                        lambda *args, **kwargs: calls.append(kwargs["bandwidth"])
                        or original(*args, **kwargs))
    nwcore.nadaraya_watson(queries, keys, values, bandwidth=0.5)
    assert calls == [0.5]
    tiny = 1e-4  # needs more than GRID_MAX points: exact
    auto = nwcore.nadaraya_watson(queries, keys, values, bandwidth=tiny)
    assert calls == [0.5]
    np.testing.assert_array_equal(
        auto, nwcore.nadaraya_watson(queries, keys, values, bandwidth=tiny, method="exact"))
    nwcore.nadaraya_watson(queries[:100], keys, values, bandwidth=0.5)  # small: exact
    nwcore.nadaraya_watson(queries, keys, values, kernel="boxcar", bandwidth=0.5)
    assert calls == [0.5]


def test_binned_refuses_what_it_cannot_do():
    keys, values = _data(100, 5)
    with pytest.raises(ValueError, match="too small"):
        nwcore.nadaraya_watson([1.0], keys, values, bandwidth=1e-5, method="binned")
    with pytest.raises(ValueError, match="boxcar"):
        nwcore.local_linear([1.0], keys, values, kernel="boxcar", bandwidth=0.5, method="binned")
    with pytest.raises(ValueError, match="too small"):
        loo_cv_curve(keys, values, [1e-5, 1.0], method="binned")


def test_grid_sizes_resolve_the_bandwidth():
    assert binning.grid_size(1.0, 10.0, "gaussian") == binning.GRID_MIN
    assert binning.grid_size(1.0, 0.002, "gaussian") == binning.GRID_MAX
    assert binning.grid_size(1.0, 0.001, "gaussian") is None
    assert binning.grid_size(1.0, 1.0, "boxcar") is None
    for h in (0.003, 0.01, 0.1):
        size = binning.grid_size(1.0, h, "gaussian")
        assert 1.0 / (size - 1) <= h / binning.POINTS_PER_BANDWIDTH


def test_binned_handles_keys_that_do_not_vary():
    keys, values = np.full(50, 2.0), np.arange(50.0)
    fit = nwcore.nadaraya_watson([1.5, 2.0, 3.0], keys, values, bandwidth=0.5, method="binned")
    np.testing.assert_allclose(fit, values.mean())
