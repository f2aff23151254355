"""Attention pooling: average pooling and Nadaraya–Watson kernel regression.

Attention pooling predicts at a query x from keys x_i and values y_i as

    f(x) = Σ_i α(x, x_i) y_i,   α(x, x_i) = K((x - x_i)/h) / Σ_j K((x - x_j)/h).

For the Gaussian kernel α(x, ·) = softmax_i(-(x - x_i)² / 2h²): the softmax is computed with the
max-shift (log-sum-exp), so a tiny h gives the nearest key's value and never 0/0 = NaN.

Empty windows. A compact kernel (boxcar, triangular, epanechnikov) whose window [x - h, x + h]
holds no key gives that query no attention at all: its row of weights is all zeros and its
prediction is NaN (never a silent number). :func:`empty_windows` returns the mask of such queries.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_finite_vector, check_bandwidth, check_same_length
from .kernels import COMPACT_KERNELS, check_kernel, kernel_values

#: Elements per work tile (doubles): 32 Ki = 256 KiB, small enough to stay in cache.
TILE_ELEMENTS = 1 << 15
#: Queries per tile.
QUERY_TILE = 64
#: Gaussian logits more than this far below a row's maximum weigh < e^-50 of the top key; dropped.
GAUSSIAN_LOGIT_CUTOFF = 50.0


def average_pooling(queries, values) -> np.ndarray:
    """f(x) = mean(y) at every query: attention with uniform weights 1/n."""
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    values = as_finite_vector(values, "values")
    return np.full(queries.shape, values.mean())


def attention_weights(queries, keys, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Attention matrix α (n_queries × n_keys); each row is ≥ 0 and sums to 1.

    Rows of queries whose window holds no key (compact kernels only) are all zeros.
    This builds the dense matrix: use it for what is shown, not for large fits.
    """
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    keys = as_finite_vector(keys, "keys")
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    if kernel == "constant":
        return np.full((queries.size, keys.size), 1.0 / keys.size)
    u = (queries[:, None] - keys[None, :]) / h
    if kernel == "gaussian":
        logits = -0.5 * u * u
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
    else:
        weights = kernel_values(kernel, u)
    totals = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def nadaraya_watson(queries, keys, values, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Nadaraya–Watson prediction f(x) = Σ α(x, x_i) y_i at each query.

    Works in cache-sized tiles over (queries × keys), so memory stays small for any sizes.
    Queries whose window holds no key (compact kernels) get NaN; see :func:`empty_windows`.
    """
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    if kernel == "constant":
        return np.full(queries.shape, values.mean())
    sums = kernel_weighted_sums(queries, keys, np.column_stack([values, np.ones_like(values)]),
                                kernel=kernel, bandwidth=h)
    numerator, denominator = sums[:, 0], sums[:, 1]
    return np.divide(numerator, denominator, out=np.full(queries.shape, np.nan),
                     where=denominator > 0)


def empty_windows(queries, keys, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Boolean mask of queries with no key inside |x - x_i| <= h (always False for non-compact)."""
    queries = as_finite_vector(queries, "queries", allow_empty=True)
    keys = as_finite_vector(keys, "keys")
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    if kernel not in COMPACT_KERNELS:
        return np.zeros(queries.shape, dtype=bool)
    sorted_keys = np.sort(keys)
    u = np.abs(queries - _nearest_key(queries, sorted_keys)) / h
    if kernel == "boxcar":
        return u > 1.0
    return u >= 1.0  # triangular and epanechnikov vanish at |u| = 1


def effective_keys(weights) -> np.ndarray:
    """Effective number of keys per query, 1 / Σ_i α_i² (n for uniform weights, 1 for one-hot).

    Rows with no weight (empty windows) give 0.
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    squares = np.einsum("ij,ij->i", weights, weights)
    return np.divide(1.0, squares, out=np.zeros(weights.shape[0]), where=squares > 0)


def kernel_weighted_sums(queries, keys, columns, *, kernel: str, bandwidth: float):
    """Σ_i K_i(x) · columns[i, :] for every query x, tiled; returns (n_queries × n_columns).

    For the Gaussian, K_i(x) = exp(-(u_i² - u_min²)/2) with u_min the query's nearest key, so the
    largest weight in each row is exactly 1 (log-sum-exp shift) and ratios of these sums are
    exact NW quantities. Keys whose weight is below e^-50 of that maximum are skipped (their total
    share is under n·2e-22). Validated inputs are assumed (internal building block).
    """
    order = None if _is_sorted(keys) else np.argsort(keys, kind="stable")
    sorted_keys = keys if order is None else keys[order]
    sorted_columns = columns if order is None else columns[order]
    sums = np.zeros((queries.size, sorted_columns.shape[1]))
    if queries.size == 0:
        return sums
    if kernel == "gaussian":
        shift, half_width = _gaussian_row_shift(queries, sorted_keys, bandwidth)
    else:
        # Slightly wider than h: the tile itself decides |u| <= 1 exactly.
        shift, half_width = None, np.full(queries.shape, bandwidth * (1.0 + 1e-9))
    query_order = np.argsort(queries, kind="stable")
    for start in range(0, queries.size, QUERY_TILE):
        rows = query_order[start:start + QUERY_TILE]
        first = np.searchsorted(sorted_keys, np.min(queries[rows] - half_width[rows]), "left")
        last = np.searchsorted(sorted_keys, np.max(queries[rows] + half_width[rows]), "right")
        chunk = max(1, TILE_ELEMENTS // rows.size)
        for lo in range(first, last, chunk):
            hi = min(last, lo + chunk)
            if shift is None:
                tile = kernel_values(kernel, np.subtract.outer(queries[rows], sorted_keys[lo:hi])
                                     / bandwidth)
            else:
                tile = _gaussian_tile(queries[rows], sorted_keys[lo:hi], bandwidth, shift[rows])
            sums[rows] += tile @ sorted_columns[lo:hi]
    return sums


def _gaussian_tile(tile_queries, tile_keys, h, row_shift):
    """exp(u_min²/2 - u²/2) on one tile, computed exactly as in :func:`_gaussian_row_shift`."""
    scale = np.sqrt(0.5) / h
    tile = np.subtract.outer(tile_queries * scale, tile_keys * scale)
    np.square(tile, out=tile)
    np.subtract(row_shift[:, None], tile, out=tile)
    return np.exp(tile, out=tile)


def _gaussian_row_shift(queries, sorted_keys, h):
    """Per query: the row maximum u_min²/2 of the negated logits, and the half-width of keys kept.

    The shift is computed with the same floating-point operations as the tile, so the nearest
    key's weight is exactly exp(0) = 1 and no row can underflow to 0/0.
    """
    scale = np.sqrt(0.5) / h
    nearest = _nearest_key(queries, sorted_keys)
    shift = np.square(queries * scale - nearest * scale)
    half_width = np.sqrt(shift + GAUSSIAN_LOGIT_CUTOFF) / scale
    return shift, half_width


def _nearest_key(queries, sorted_keys):
    """The key closest to each query, by binary search in the sorted keys."""
    index = np.searchsorted(sorted_keys, queries)
    left = sorted_keys[np.clip(index - 1, 0, sorted_keys.size - 1)]
    right = sorted_keys[np.clip(index, 0, sorted_keys.size - 1)]
    return np.where(np.abs(queries - left) <= np.abs(queries - right), left, right)


def _is_sorted(values):
    return values.size < 2 or bool(np.all(values[1:] >= values[:-1]))
