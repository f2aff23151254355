"""One pass for a view (nwcore.keyview): exact, and binned once per dataset for very many keys."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nwcore
from nwcore.keyview import attention_pass, summarise_keys

BINNABLE = ("gaussian", "triangular", "epanechnikov")


def problem(n, seed=0, gap=False):
    rng = np.random.default_rng(seed)
    keys = rng.uniform(0.0, 50.0, n)
    if gap:  # nothing in (20, 30): queries there are far from every key
        keys = keys[(keys < 20) | (keys > 30)]
    values = 100.0 * np.sin(keys / 5.0) + rng.normal(0.0, 20.0, keys.size)
    return keys, values, np.linspace(keys.min(), keys.max(), 50)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(BINNABLE), st.floats(np.log(0.002), np.log(10.0)), st.booleans(),
       st.integers(0, 5))
def test_binned_summary_matches_the_exact_pass(kernel, log_h, gap, seed):
    keys, values, queries = problem(20_000, seed, gap)
    h = float(np.exp(log_h)) * float(np.ptp(keys))
    exact = attention_pass(queries, summarise_keys(keys, values, max_columns=100), kernel, h,
                           with_local_linear=True)
    summary = summarise_keys(keys, values, max_columns=100, binned=True)
    assert summary.resolves(kernel, h) and summary.points.size <= 100 * 2561
    binned = attention_pass(queries, summary, kernel, h, with_local_linear=True)
    scale = float(np.ptp(values))
    for got, want in ((binned.fit, exact.fit), (binned.local_linear, exact.local_linear)):
        assert np.array_equal(np.isnan(got), np.isnan(want))
        defined = ~np.isnan(want)
        assert np.max(np.abs(got[defined] - want[defined]), initial=0.0) <= 1e-5 * scale
    # The heatmap and 1/Σα² are drawn, not used: within 1e-3 of a row's largest weight (a
    # quarter of one of its 256 colour levels; measured ≤ 6e-5) and 1 % (measured ≤ 0.2 %).
    row_max = exact.weights.max(axis=1, keepdims=True)
    assert np.all(np.abs(binned.weights - exact.weights) <= 1e-3 * row_max + 1e-15)
    np.testing.assert_allclose(binned.effective_keys, exact.effective_keys, rtol=1e-2)


def test_exact_pass_is_the_dense_attention():
    keys, values, queries = problem(80)
    result = attention_pass(queries, summarise_keys(keys, values, max_columns=100),
                            "gaussian", 2.0, with_local_linear=True)
    order = np.argsort(keys)
    dense = nwcore.attention_weights(queries, keys[order], bandwidth=2.0)
    np.testing.assert_allclose(result.weights, dense, atol=1e-14)
    np.testing.assert_allclose(result.fit, dense @ values[order], rtol=1e-12)
    np.testing.assert_allclose(result.local_linear,
                               nwcore.local_linear(queries, keys, values, bandwidth=2.0),
                               rtol=1e-10)
    np.testing.assert_allclose(result.effective_keys, nwcore.effective_keys(dense), rtol=1e-12)


def test_binned_summary_costs_the_same_for_any_number_of_keys():
    sizes = [summarise_keys(*problem(n)[:2], max_columns=100, binned=True).points.size
             for n in (10_000, 1_000_000)]
    assert max(sizes) <= 100 * 2561
    view = nwcore.views
    big = nwcore.Dataset(frame=__import__("pandas").DataFrame(
        dict(zip("xy", problem(1_000_000)[:2]))).sort_values("x"), label="big",
        source="uploaded")
    summary = view.view_summary(big)
    assert summary.binned
    shown = view.explorer_view(big, pooling="gaussian", bandwidth=2.0, summary=summary)
    assert shown.cells.weights.shape == (50, 100)
    np.testing.assert_allclose(shown.cells.weights.sum(axis=1), 1.0, atol=1e-12)


def test_a_bandwidth_below_the_grid_or_the_boxcar_falls_back_to_exact():
    keys, values, _ = problem(1_000)
    summary = summarise_keys(keys, values, max_columns=100, binned=True)
    assert not summary.resolves("gaussian", 1e-6) and not summary.resolves("boxcar", 5.0)
    with pytest.raises(ValueError, match="resolve"):
        attention_pass(np.array([1.0]), summary, "boxcar", 5.0)
