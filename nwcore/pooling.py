"""Attention pooling: average pooling, Nadaraya–Watson and local linear kernel regression.

Attention pooling predicts at a query x from keys x_i and values y_i as

    f(x) = Σ_i α(x, x_i) y_i,   α(x, x_i) = K((x - x_i)/h) / Σ_j K((x - x_j)/h).

For the Gaussian kernel α(x, ·) = softmax_i(-(x - x_i)² / 2h²): every row is shifted by its
largest logit (log-sum-exp), so a tiny h gives the nearest key's value and never 0/0 = NaN.
(When h is so wide that no logit is below -50, nothing can underflow and the shift is skipped.)

Local linear regression fits, at each query, the weighted least-squares line through the keys
with weights K((x - x_i)/h) and returns its value at x; it removes NW's first-order bias at the
edges of the data and equals statsmodels ``KernelReg(reg_type="ll")``.

Empty windows. A compact kernel (boxcar, triangular, epanechnikov) whose window [x - h, x + h]
holds no key gives that query no attention at all: its row of weights is all zeros and its
prediction is NaN (never a silent number). :func:`empty_windows` returns the mask of such queries.

Methods. ``method="exact"`` sums over every key in cache-sized tiles (no n × n matrix; extra
memory O(n_keys + n_queries); the engine is :mod:`nwcore.tiles`). ``method="binned"`` bins the
keys on a regular grid and convolves with the sampled kernel by FFT (see :mod:`nwcore.binning`);
``"auto"`` picks it for large problems whose bandwidth the grid resolves, else exact
(:func:`nwcore.tiles.choose_method` decides).
"""

from __future__ import annotations

import numpy as np

from . import binning, tiles, vectors
from ._validation import as_finite_vector, check_bandwidth, check_method, check_same_length
from .kernels import COMPACT_KERNELS, check_kernel, kernel_values, outside_support
from .tiles import local_sums, nearest_key, sorting_order, windows_hold_every_key

#: Local linear falls back to Nadaraya–Watson where the weighted variance of the keys is below
#: this fraction of their weighted mean square distance from the query (one key in the window,
#: coinciding keys, or extrapolation far beyond the keys that carry the weight: there the slope
#: comes from a near-singular system, and 1e-9 let rounding move the fit by 1e-5 × range(y)).
SINGULAR_DESIGN_TOLERANCE = 1e-6
#: The global line (constant kernel) falls back to mean(y) where the keys' range is below this
#: fraction of their largest magnitude: the keys are constant up to rounding.
CONSTANT_KEYS_TOLERANCE = 1e-12


def average_pooling(queries, values) -> np.ndarray:
    """f(x) = mean(y) at every query: attention with uniform weights 1/n."""
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    values = as_finite_vector(values, "values")
    return np.full(queries.shape, values.mean())


def attention_weights(queries, keys, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Attention matrix α (n_queries × n_keys); each row is ≥ 0 and sums to 1.

    Rows of queries whose window holds no key (compact kernels only) are all zeros.
    This builds the dense matrix: use it for what is shown, not for large fits. Queries and keys
    of shape (n, d) are vectors: α ∝ K(‖q − k‖/h) (:mod:`nwcore.vectors`).
    """
    if vectors.uses_vector_path(queries, keys):
        return vectors.vector_attention_weights(queries, keys, kernel=kernel, bandwidth=bandwidth)
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    keys = as_finite_vector(keys, "keys")
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    if kernel == "constant":
        return np.full((queries.size, keys.size), 1.0 / keys.size)
    with np.errstate(over="ignore"):  # keys beyond ~1e154 h: u² = inf, their weight is 0
        u = (queries[:, None] - keys[None, :]) / h
        if kernel != "gaussian":
            weights = kernel_values(kernel, u)
        else:
            logits = -0.5 * u * u
            top = logits.max(axis=1, keepdims=True)
            far = ~np.isfinite(top[:, 0])  # even the nearest key is beyond ~1e154 h
            top[far] = 0.0
            weights = np.exp(logits - top)
            distance = np.abs(queries[far, None] - keys[None, :])
            weights[far] = distance == distance.min(axis=1, keepdims=True)
    totals = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def nadaraya_watson(queries, keys, values, *, kernel: str = "gaussian", bandwidth: float = 1.0,
                    method: str = "auto"):
    """Nadaraya–Watson prediction f(x) = Σ_i K_i(x) y_i / Σ_i K_i(x) at each query.

    ``method``: "exact" (tiled sums over all keys in the window), "binned" (FFT on a grid,
    error ≤ 1e-5 × range of y for the Gaussian) or "auto". Queries whose window holds no key
    (compact kernels) get NaN; see :func:`empty_windows`. Queries and keys of shape (n, d), or
    values of shape (n, c) (e.g. one-hot classes), go to :mod:`nwcore.vectors`: the result is
    then (n_queries,) or (n_queries, c).
    """
    if vectors.uses_vector_path(queries, keys, values):
        return vectors.vector_nadaraya_watson(queries, keys, values, kernel=kernel,
                                              bandwidth=bandwidth, method=method)
    queries, keys, values, kernel, h, method = _check_regression_args(
        queries, keys, values, kernel, bandwidth, method)
    if kernel == "constant":
        return np.full(queries.shape, values.mean())
    if _method_for(method, kernel, h, queries, keys) == "binned":
        return _binned_fit(queries, keys, values, kernel, h, degree=0)
    return _exact_fit(queries, keys, values, kernel, h, degree=0)


def local_linear(queries, keys, values, *, kernel: str = "gaussian", bandwidth: float,
                 method: str = "auto"):
    """Local linear regression: at each query x, the value at x of the weighted least-squares line.

    With weights K_i = K((x_i - x)/h), moments S_p = Σ K_i (x_i - x)^p and
    T_p = Σ K_i (x_i - x)^p y_i:

        f(x) = (S_2 T_0 - S_1 T_1) / (S_0 S_2 - S_1²) = NW(x) + slope · (x - x̄_w),

    the Nadaraya–Watson value plus the fitted slope times the offset of x from the weighted mean
    key x̄_w. Where the local design is (nearly) singular (the keys' weighted variance is at most
    1e-6 × their weighted mean square distance from x: a single key in the window, coinciding
    keys, or a line extrapolated over 1000 × the spread of the keys that carry the weight) the
    slope is undefined or meaningless and f(x) falls back to NW(x). Empty
    windows give NaN. ``kernel="constant"`` is the global least-squares line. ``method`` as for
    :func:`nadaraya_watson` (binned: the fit at the grid points, linearly interpolated).
    """
    queries, keys, values, kernel, h, method = _check_regression_args(
        queries, keys, values, kernel, bandwidth, method)
    if kernel == "constant":
        return _global_linear_fit(queries, keys, values)
    if _method_for(method, kernel, h, queries, keys) == "binned":
        return _binned_fit(queries, keys, values, kernel, h, degree=1)
    return _exact_fit(queries, keys, values, kernel, h, degree=1)


def empty_windows(queries, keys, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Boolean mask of queries with no key inside |x - x_i| <= h (always False for non-compact)."""
    if vectors.uses_vector_path(queries, keys):
        return vectors.vector_empty_windows(queries, keys, kernel=kernel, bandwidth=bandwidth)
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    keys = as_finite_vector(keys, "keys")
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    return _empty_window_mask(queries, np.sort(keys), kernel, h)


def effective_keys(weights) -> np.ndarray:
    """Effective number of keys per query, 1 / Σ_i α_i² (n for uniform weights, 1 for one-hot).

    Rows with no weight (empty windows) give 0.
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    squares = np.einsum("ij,ij->i", weights, weights)
    return np.divide(1.0, squares, out=np.zeros(weights.shape[0]), where=squares > 0)


def _exact_fit(queries, keys, values, kernel, h, *, degree):
    """NW (degree 0) or local linear (degree 1) predictions from the exact tiled sums.

    NW is clipped to [min y, max y] (rounding cannot push a weighted mean out of it); local
    linear works on values minus their mid-range, so its slope term cancels less.
    """
    every_key = windows_hold_every_key(queries, keys, kernel, h)
    if not every_key:
        order = sorting_order(keys)
        if order is not None:
            keys, values = keys[order], values[order]
    columns = np.ones((keys.size, 2))
    if degree == 0:  # a weighted mean of the values: nothing cancels
        columns[:, 0] = values
        sums, _ = local_sums(queries, keys, columns, kernel, h, every_key=every_key)
        return np.clip(_ratio(sums[:, 0, 0], sums[:, 0, 1]), values.min(), values.max())
    centred, middle, _, _ = _centred_values(values)
    columns[:, 0] = centred
    sums, offsets = local_sums(queries, keys, columns, kernel, h, degree=1, every_key=every_key)
    return middle + local_linear_from_moments(sums, offsets)[0]


def local_linear_from_moments(sums, offsets):
    """Local linear values from moments about centres c (see :func:`nwcore.tiles.local_sums`, degree 1).

    ``sums[:, p]`` = [Σ K b^p y, Σ K b^p] with b = (x_i - c)/h, ``offsets`` = (x - c)/h. Returns
    the values f = NW + slope·(offset - b̄) and the mask of regular designs (weighted variance of
    the keys > 1e-6 × their weighted mean square distance to the query, a test that does not
    depend on the centre); where the design is singular f is NW, and NaN where Σ K = 0.
    """
    (t0, s0), (t1, s1), (_, s2) = sums[:, 0].T, sums[:, 1].T, sums[:, 2].T
    nadaraya = _ratio(t0, s0)
    determinant = s0 * s2 - s1 * s1  # = s0² × weighted variance of the keys, for any centre
    square_from_query = s2 - 2.0 * offsets * s1 + offsets * offsets * s0
    regular = (determinant > 0) & (determinant > SINGULAR_DESIGN_TOLERANCE * s0
                                   * square_from_query)
    slope = np.divide(s0 * t1 - s1 * t0, determinant, out=np.zeros_like(t0), where=regular)
    fit = np.where(regular, nadaraya + slope * (offsets - _ratio(s1, s0)), nadaraya)
    return fit, regular


def _binned_fit(queries, keys, values, kernel, h, *, degree):
    """Binned NW / local linear; queries the grid cannot resolve are recomputed exactly."""
    centred, middle, low, high = _centred_values(values)
    fit, unreliable = binning.binned_fit(queries, keys, centred, kernel=kernel, bandwidth=h,
                                         degree=degree, combine=_combine_on_grid)
    if np.any(unreliable):
        fit[unreliable] = _exact_fit(queries[unreliable], keys, centred, kernel, h,
                                     degree=degree)
    if kernel in COMPACT_KERNELS:
        fit[_empty_window_mask(queries, np.sort(keys), kernel, h)] = np.nan
    return np.clip(middle + fit, low, high) if degree == 0 else middle + fit


def _combine_on_grid(moments):
    """NW or local linear at the grid points from their moments, and where it is well defined."""
    if moments.shape[1] == 1:
        return _ratio(moments[:, 0, 0], moments[:, 0, 1]), moments[:, 0, 1] > 0
    fit, regular = local_linear_from_moments(moments, np.zeros(moments.shape[0]))
    return fit, regular & (moments[:, 0, 1] > 0)


def _global_linear_fit(queries, keys, values):
    """Least-squares line (local linear with the constant kernel); mean(y) if x is constant."""
    if np.ptp(keys) <= CONSTANT_KEYS_TOLERANCE * np.abs(keys).max():
        return np.full(queries.shape, values.mean())
    scale = np.ptp(keys)  # in units of the keys' range: x² cannot underflow (keys ~1e-286)
    x = (keys - keys.mean()) / scale
    slope = np.einsum("i,i->", x, values - values.mean()) / np.einsum("i,i->", x, x)
    return values.mean() + slope * ((queries - keys.mean()) / scale)


def _centred_values(values):
    """Values minus their mid-range (sums then cancel less), with that middle and the range."""
    low, high = float(values.min()), float(values.max())
    middle = 0.5 * (low + high)
    return values - middle, middle, low, high


def _ratio(numerator, denominator):
    return np.divide(numerator, denominator, out=np.full(numerator.shape, np.nan),
                     where=denominator > 0)


def _method_for(method, kernel, h, queries, keys):
    """The engine's choice of "exact" or "binned" for these queries and keys."""
    return tiles.choose_method(method, kernel, h, evaluations=float(queries.size) * keys.size,
                               span=binning.points_span(queries, keys))


def _check_regression_args(queries, keys, values, kernel, bandwidth, method):
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    return queries, keys, values, check_kernel(kernel), check_bandwidth(bandwidth), \
        check_method(method)


def _empty_window_mask(queries, sorted_keys, kernel, h):
    if kernel not in COMPACT_KERNELS:
        return np.zeros(queries.shape, dtype=bool)
    return outside_support(kernel, (queries - nearest_key(queries, sorted_keys)) / h)
