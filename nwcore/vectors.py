"""Attention pooling with vector keys: Nadaraya–Watson in d dimensions and dot-product attention.

Queries q (m × d), keys k_i (n × d), values v_i (n,) or (n × c). The radial kernels weigh a key
by its Euclidean distance to the query, u = ‖q - k_i‖ / h:

    gaussian                           α_i(q) = softmax_i(-‖q - k_i‖² / 2h²)
    boxcar, triangular, epanechnikov   α_i(q) = K(u_i) / Σ_j K(u_j), K of :mod:`nwcore.kernels`
    constant                           α_i(q) = 1/n (average pooling)

and ŷ(q) = Σ_i α_i(q) v_i: one value, or a row of c values (class probabilities for one-hot
values). For d = 1 these are the weights of :func:`nwcore.nadaraya_watson`. A compact kernel's
query with no key within h gets a zero row of weights and a NaN prediction (empty window).

Dot-product attention scores keys by a dot product instead: α_i(q) = softmax_i(s · q·k_i).

Computation. No m × n matrix is formed, except by the dense ``*_weights`` functions (they return
what is shown). Queries and keys are ordered by k-d bisection so that consecutive blocks are
compact in space; each tile of ≤ 256 queries meets the chunks of ≤ 512 keys in order of the
distance between their bounding boxes, with an online log-sum-exp: every row keeps a reference
(its smallest squared distance so far, or its largest dot-product logit) and its running sums
are rescaled when a chunk beats it. Chunks that cannot hold a weight above e^-50 of the row's
reference (Gaussian) or any key within h (compact kernels) are skipped, as in the 1-D path;
nothing else is approximated.

Accuracy. A Gaussian logit s²(D - ‖q - k‖²) (s² = log₂e / 2h², D the row's reference) comes
from one matrix product of the expansion about the query tile's centre c, a = q - c, b = k - c:
s²(2a·b + D - ‖a‖² - ‖b‖²). Its rounding is ≲ ε(6s²‖a‖² + 5s²D + 4|logit|): a relative ε in
far keys' logits (whose weights are < e^-50 anyway), and ≲ 1e-12 elsewhere because the product
is used only when s²(max‖a‖² + max D) ≤ 1024, i.e. the tile spans few bandwidths and its
queries lie few bandwidths from a key. Otherwise (and for the first chunk, which sets D, unless
s²(max‖a‖² + max‖b‖²) ≤ 1024) squared distances are summed coordinate by coordinate, as they
always are for the compact kernels, whose window edge u = 1 is decided on (q - k)/h itself.
Logits are measured from the row's nearest key, so a tiny h gives the nearest key's value
(exact ties share it), never 0/0; below h ≈ 1e-150 every kernel width acts as that limit.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from ._validation import as_finite_matrix, check_bandwidth, check_method
from .bandwidth import (SEARCH_POINTS, SEARCH_RANGE, check_bandwidths, refine_log_minimum,
                        robust_spread)
from .kernels import COMPACT_KERNELS, REGISTRY, check_kernel, equivalent_bandwidth, kernel_values
from .tiles import GAUSSIAN_LOGIT_CUTOFF, LOG2_E, single_threaded_blas

#: Queries per tile and keys per chunk: a tile of logits is 256 × 512 doubles (1 MiB).
QUERY_TILE = 256
KEY_CHUNK = 512
#: Largest s²(max‖a‖² + max D) for which a tile's logits come from the expanded product (see
#: the module notes): its rounding then stays below ~1e-12 in a base-2 logit.
MAX_EXPANDED_SCALE = 1024.0
#: Largest factor s² = log₂e / 2h² applied to squared distances (h below ~1e-150 acts as this).
MAX_LOGIT_SCALE = 1e300
#: Leave-one-out criteria cost n² kernel evaluations per bandwidth: n is capped.
MAX_LOO_POINTS = 20_000
VECTOR_SELECTION_METHODS = ("loo_cv", "gcv", "silverman", "scott")


# --- public functions -------------------------------------------------------------------------

def vector_attention_weights(queries, keys, *, kernel: str = "gaussian",
                             bandwidth: float = 1.0) -> np.ndarray:
    """Dense attention matrix α (m × n) for vector queries and keys (see the module notes).

    Rows are ≥ 0 and sum to 1; a compact kernel's empty window gives a zero row. Builds the
    whole matrix: for what is shown, not for large fits.
    """
    queries, keys = _check_points(queries, keys)
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    if kernel == "constant":
        return np.full((queries.shape[0], keys.shape[0]), 1.0 / keys.shape[0])
    weights = np.empty((queries.shape[0], keys.shape[0]))
    scratch = np.empty(weights.size) if keys.shape[1] > 1 else None
    if kernel == "gaussian":
        _direct_squares(queries, keys, 1.0, weights, scratch)
        if weights.size:
            nearest = weights.min(axis=1, keepdims=True)
            np.subtract(nearest, weights, out=weights)
            weights *= _logit_scale(h)
            np.exp2(weights, out=weights)
    else:
        weights = _radial_weights(kernel, _direct_squares(queries, keys, h, weights, scratch))
    totals = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def vector_nadaraya_watson(queries, keys, values, *, kernel: str = "gaussian",
                           bandwidth: float = 1.0, method: str = "auto") -> np.ndarray:
    """Nadaraya–Watson ŷ(q) = Σ_i α_i(q) v_i for vector queries and keys (see the module notes).

    ``values`` (n,) gives (m,) predictions, (n × c) gives (m × c). Empty windows (compact
    kernels) give NaN rows. ``method`` "auto" and "exact" are the same here; "binned" is for
    1-D keys only.
    """
    queries, keys = _check_points(queries, keys)
    columns, squeeze = check_value_columns(values, keys.shape[0])
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    if check_method(method) == "binned":
        raise ValueError("method='binned' works on 1-D keys only; use 'exact' (or 'auto') for "
                         "vector keys.")
    if kernel == "constant":
        fit = np.broadcast_to(columns.mean(axis=0), (queries.shape[0], columns.shape[1]))
    else:
        sums, _ = kernel_sums(queries, keys, columns, kernel, h)
        fit = _ratio(sums[:, :-1], sums[:, -1:])
    # a weighted mean lies within the values' range: rounding must not push it out
    fit = np.clip(fit, columns.min(axis=0), columns.max(axis=0))
    return fit[:, 0] if squeeze else fit


def vector_empty_windows(queries, keys, *, kernel: str = "gaussian",
                         bandwidth: float = 1.0) -> np.ndarray:
    """Boolean mask of queries with no key within ‖q - k‖ ≤ h (always False unless compact)."""
    queries, keys = _check_points(queries, keys)
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    if kernel not in COMPACT_KERNELS:
        return np.zeros(queries.shape[0], dtype=bool)
    sums, _ = kernel_sums(queries, keys, np.empty((keys.shape[0], 0)), kernel, h)
    return sums[:, 0] == 0


def dot_product_weights(queries, keys, *, scale=None) -> np.ndarray:
    """Dense dot-product attention matrix softmax_i(scale · q·k_i) (m × n); scale 1/√d default."""
    queries, keys = _check_points(queries, keys)
    scale = _check_scale(scale, keys.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
        logits = (queries @ keys.T) * scale
        if logits.size:
            logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=1, keepdims=True)
    if not np.all(np.isfinite(weights)):
        raise ValueError(_DOT_OVERFLOW)
    return weights


def dot_product_attention(queries, keys, values, *, scale=None) -> np.ndarray:
    """Scaled dot-product attention softmax(scale · q·kᵀ) @ values, scale = 1/√d by default.

    ``queries`` (m × d), ``keys`` (n × d), ``values`` (n,) or (n × c): the result is (m,) or
    (m × c). Computed in tiles with an online log-sum-exp (no m × n matrix).

    For unit vectors ‖q - k‖² = ‖q‖² - 2q·k + ‖k‖² = 2 - 2q·k, so Gaussian attention
    softmax_i(-‖q - k_i‖²/2h²) = softmax_i(q·k_i/h² - 1/h²) = softmax_i(q·k_i/h²): the constant
    cancels in the softmax. On the unit sphere Gaussian Nadaraya–Watson with bandwidth h *is*
    dot-product attention with scale 1/h² (temperature h²); 1/√d is the h² = √d case. Off the
    sphere the two differ by the key-dependent term -‖k_i‖²/2h², and long keys win a dot product.
    """
    queries, keys = _check_points(queries, keys)
    columns, squeeze = check_value_columns(values, keys.shape[0])
    scale = _check_scale(scale, keys.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
        sums = _dot_product_sums(queries, keys, columns, scale)
    if not np.all(np.isfinite(sums)):
        raise ValueError(_DOT_OVERFLOW)
    fit = np.clip(sums[:, :-1] / sums[:, -1:], columns.min(axis=0), columns.max(axis=0))
    return fit[:, 0] if squeeze else fit


def vector_loo_cv_curve(keys, values, bandwidths, *, kernel: str = "gaussian") -> np.ndarray:
    """Leave-one-out CV mean_i ‖v_i - ŷ_{-i}‖² at each bandwidth, for vector keys.

    With c value columns the squared error sums over them (the Brier score for one-hot values).
    Points whose leave-one-out window is empty are left out of the mean; NaN if all are.
    """
    keys, columns, kernel = _check_loo_data(keys, values, kernel)
    return np.array([_regression_criteria(keys, columns, kernel, h)[0]
                     for h in check_bandwidths(bandwidths)])


def vector_gcv_curve(keys, values, bandwidths, *, kernel: str = "gaussian") -> np.ndarray:
    """Generalised CV mean_i ‖v_i - ŷ_i‖² / (1 - mean_i W_ii)² at each bandwidth (vector keys)."""
    keys, columns, kernel = _check_loo_data(keys, values, kernel)
    return np.array([_regression_criteria(keys, columns, kernel, h)[1]
                     for h in check_bandwidths(bandwidths)])


def select_vector_bandwidth(keys, values, *, method: str = "loo_cv",
                            kernel: str = "gaussian") -> float:
    """One bandwidth for vector keys: "loo_cv", "gcv", "silverman" or "scott".

    Rules of thumb: factor · A · n^(-1/(d+4)), factor 0.9 (silverman) or 1.059 (scott), A the
    mean over coordinates of min(std, IQR/1.349), converted to the kernel's own h; for d = 1
    they are :func:`nwcore.silverman_bandwidth` and :func:`nwcore.scott_bandwidth`. The criteria
    are minimised as :func:`nwcore.select_bandwidth` does, over [1e-3, 10] × the diagonal of the
    keys' bounding box (the leave-one-out search for compact kernels starts where no window is
    empty; n ≤ 20 000). The constant kernel, or keys that do not vary, return the Silverman rule.
    """
    if method not in VECTOR_SELECTION_METHODS:
        raise ValueError(f"unknown bandwidth method {method!r}; choose one of "
                         f"{', '.join(VECTOR_SELECTION_METHODS)}.")
    if method in ("silverman", "scott"):
        keys = as_finite_matrix(keys, "keys")
        check_value_columns(values, keys.shape[0])
        return rule_of_thumb_bandwidth(keys, method, check_kernel(kernel))
    keys, columns, kernel = _check_loo_data(keys, values, kernel)
    rule = rule_of_thumb_bandwidth(keys, "silverman", kernel)
    which = 0 if method == "loo_cv" else 1
    chosen = minimise_over_log_bandwidth(
        lambda h: _regression_criteria(keys, columns, kernel, h)[which],
        *search_interval(keys, kernel, leave_one_out=method == "loo_cv"))
    return rule if chosen is None else chosen


def uses_vector_path(*arrays) -> bool:
    """Whether any argument is a matrix (2-D): the 1-D public functions hand those to this
    module. Inputs NumPy cannot shape (ragged lists) give False: the 1-D checks explain them."""
    for array in arrays:
        try:
            if np.ndim(array) == 2:
                return True
        except ValueError:
            continue
    return False


# --- shared with classification and consistency ------------------------------------------------

def rule_of_thumb_bandwidth(keys, rule, kernel):
    """factor · A · n^(-1/(d+4)) for validated (n × d) keys (see select_vector_bandwidth)."""
    n, d = keys.shape
    spread = float(np.mean([robust_spread(keys[:, j]) for j in range(d)]))
    factor = 1.059 if rule == "scott" else 0.9
    return equivalent_bandwidth(kernel, factor * spread * n ** (-1.0 / (d + 4)))


def search_interval(keys, kernel, *, leave_one_out):
    """[low, high] for a bandwidth search, or None when every h fits alike (see select_*)."""
    span = float(np.sqrt(np.sum(np.square(np.ptp(keys, axis=0)))))
    if kernel == "constant" or span == 0.0:
        return None
    low, high = SEARCH_RANGE[0] * span, SEARCH_RANGE[1] * span
    if leave_one_out and kernel in COMPACT_KERNELS:
        from scipy.spatial import cKDTree  # imported when first needed: it is slow to load

        distances = cKDTree(keys).query(keys, k=2)[0][:, 1]
        widest = float(distances.max())
        low = max(low, widest if REGISTRY[kernel].closed else widest * (1.0 + 1e-6))
        high = max(high, 10.0 * low)
    return low, high


def minimise_over_log_bandwidth(criterion, low=None, high=None):
    """argmin of ``criterion(h)`` (NaN where undefined): a 40-point log grid on [low, high], then
    a bounded Brent search in log h between the best point's neighbours. None if undefined
    everywhere or no interval is given."""
    if low is None:
        return None
    grid = np.geomspace(low, high, SEARCH_POINTS)
    curve = np.array([criterion(h) for h in grid])
    if not np.any(np.isfinite(curve)):
        return None
    return refine_log_minimum(criterion, grid, curve)


def leave_one_out_fits(keys, columns, kernel, h):
    """(ŷ_{-i} (n × c), ŷ_i (n × c), W_ii (n,)) for validated keys and value columns.

    The sums leave the self-weight out; with N, D those sums and 2^t their scale (see
    :func:`kernel_sums`), the self-weight K(0) = 1 gives ŷ_i = (N 2^t + v_i) / (D 2^t + 1) and
    W_ii = 1 / (D 2^t + 1). Empty leave-one-out windows give NaN rows in ŷ_{-i}.
    """
    n = keys.shape[0]
    if kernel == "constant":
        total = columns.sum(axis=0)
        loo = (total - columns) / (n - 1)
        return loo, np.broadcast_to(total / n, columns.shape), np.full(n, 1.0 / n)
    sums, log2_scale = kernel_sums(keys, keys, columns, kernel, h, self_index=np.arange(n))
    numerators, denominators = sums[:, :-1], sums[:, -1]
    loo = _ratio(numerators, denominators[:, None])
    true_scale = np.exp2(log2_scale)[:, None]  # the sums times this are the plain kernel sums
    total = denominators[:, None] * true_scale + 1.0
    return loo, (numerators * true_scale + columns) / total, 1.0 / total[:, 0]


def check_loo_points(keys):
    """Validated (n × d) keys for a leave-one-out criterion: 2 ≤ n ≤ MAX_LOO_POINTS."""
    keys = as_finite_matrix(keys, "keys")
    if keys.shape[0] < 2:
        raise ValueError("cross-validation needs at least 2 points (one to leave out, one to "
                         "predict it from).")
    if keys.shape[0] > MAX_LOO_POINTS:
        raise ValueError(f"leave-one-out criteria use all n² pairs, so n is capped at "
                         f"{MAX_LOO_POINTS}; got {keys.shape[0]} points. Use a random subsample.")
    return keys


# --- the tiled engine ---------------------------------------------------------------------------

def kernel_sums(queries, keys, columns, kernel, h, *, self_index=None):
    """Per query, Σ_i K_i(q) [columns_i, 1] in tiles, and the log₂ scale of each row.

    Returns ``(sums, log2_scale)``: ``sums`` (m × (c + 1)) times 2^log2_scale are the plain
    kernel sums (Gaussian rows are measured from their nearest key, whose weight is 1; compact
    kernels have scale 0). ``self_index[q]`` (optional) is a key whose weight is 0 for query q
    (leave-one-out). Inputs are validated (n × d) and (n × c) arrays; kernel not "constant".
    """
    m, n = queries.shape[0], keys.shape[0]
    sums = np.zeros((m, columns.shape[1] + 1))
    log2_scale = np.zeros(m)
    if m == 0:
        return sums, log2_scale
    key_order, key_starts = _spatial_blocks(keys, KEY_CHUNK)
    sorted_keys = keys[key_order]
    key_columns = np.hstack([columns[key_order], np.ones((n, 1))])
    key_low = np.minimum.reduceat(sorted_keys, key_starts, axis=0)
    key_high = np.maximum.reduceat(sorted_keys, key_starts, axis=0)
    key_stops = np.append(key_starts[1:], n)
    position = np.empty(n, dtype=np.intp)
    position[key_order] = np.arange(n)
    query_order, query_starts = _spatial_blocks(queries, QUERY_TILE)
    longest_chunk = int(np.max(key_stops - key_starts))
    size = min(QUERY_TILE, m) * longest_chunk
    buffers = (np.empty(size), np.empty(size) if queries.shape[1] > 1 else None)
    engine = _GaussianTile if kernel == "gaussian" else _CompactTile
    tile = engine(kernel, h, sorted_keys, key_columns, key_low, key_high, key_starts, key_stops,
                  buffers)
    with single_threaded_blas(float(m) * n):
        for start, stop in zip(query_starts, np.append(query_starts[1:], m)):
            rows = query_order[start:stop]
            own = None if self_index is None else position[self_index[rows]]
            sums[rows], log2_scale[rows] = tile.sums(queries[rows], own)
    return sums, log2_scale


class _CompactTile:
    """Sums of one query tile for a compact kernel: keys within h only, weights K(u)."""

    def __init__(self, kernel, h, keys, columns, low, high, starts, stops, buffers):
        self.kernel, self.h = kernel, h
        self.keys, self.columns = keys, columns
        self.low, self.high, self.starts, self.stops = low, high, starts, stops
        self.buffer, self.scratch = buffers

    def sums(self, queries, own):
        bound = self._box_distances(queries)
        accumulated = np.zeros((queries.shape[0], self.columns.shape[1]))
        reach = self.h * self.h * (1.0 + 1e-9)  # the tile itself decides u <= 1 exactly
        for chunk in np.flatnonzero(bound <= reach):
            first, stop = self.starts[chunk], self.stops[chunk]
            tile = self.buffer[:queries.shape[0] * (stop - first)].reshape(queries.shape[0], -1)
            _direct_squares(queries, self.keys[first:stop], self.h, tile, self.scratch)
            tile = _radial_weights(self.kernel, tile, out=tile)
            if own is not None:
                _exclude(tile, own, first, 0.0)
            accumulated += tile @ self.columns[first:stop]
        return accumulated, 0.0

    def _box_distances(self, queries):
        """Smallest squared distance from the tile's bounding box to each chunk's."""
        low, high = queries.min(axis=0), queries.max(axis=0)
        gap = np.maximum(0.0, np.maximum(self.low - high, low - self.high))
        return np.einsum("ij,ij->i", gap, gap)


class _GaussianTile(_CompactTile):
    """Sums of one query tile for the Gaussian kernel, with an online log-sum-exp.

    Each row's reference D is its smallest squared distance so far; a key's base-2 logit is
    s²(D - ‖q - k‖²), s² = log₂e / 2h², so the nearest key weighs 1 and nothing overflows.
    """

    def __init__(self, kernel, h, *args):
        super().__init__(kernel, h, *args)
        self.scale = _logit_scale(h)
        self.cutoff = GAUSSIAN_LOGIT_CUTOFF * LOG2_E / self.scale  # in squared distance

    def sums(self, queries, own):
        bound = self._box_distances(queries)
        low, high = queries.min(axis=0), queries.max(axis=0)
        centre = 0.5 * (low + high)
        a = queries - centre
        a_squares = np.einsum("ij,ij->i", a, a)
        spread = a_squares.max() * self.scale
        accumulated = np.zeros((queries.shape[0], self.columns.shape[1]))
        reference = None
        for chunk in np.argsort(bound, kind="stable"):
            if reference is not None and bound[chunk] > reference.max() + self.cutoff:
                break  # every later chunk is farther still
            first, stop = self.starts[chunk], self.stops[chunk]
            tile = self.buffer[:queries.shape[0] * (stop - first)].reshape(queries.shape[0], -1)
            b = self.keys[first:stop] - centre
            b_squares = np.einsum("ij,ij->i", b, b)
            if reference is not None and spread + reference.max() * self.scale \
                    <= MAX_EXPANDED_SCALE:  # logits in one product
                left = np.column_stack([2.0 * a, reference - a_squares, np.ones(a.shape[0])])
                right = np.vstack([b.T, np.ones(b.shape[0]), -b_squares])
                np.matmul(left * self.scale, right, out=tile)
                if own is not None:
                    _exclude(tile, own, first, -np.inf)
            else:
                if spread + b_squares.max() * self.scale <= MAX_EXPANDED_SCALE:
                    np.matmul(a, -2.0 * b.T, out=tile)
                    tile += a_squares[:, None]
                    tile += b_squares
                else:
                    _direct_squares(queries, self.keys[first:stop], 1.0, tile, self.scratch)
                if own is not None:
                    _exclude(tile, own, first, np.inf)
                if reference is None:
                    reference = tile.min(axis=1)
                np.subtract(reference[:, None], tile, out=tile)
                tile *= self.scale
            if bound[chunk] < reference.max():  # some row may meet a nearer key here
                rise = _absorb_rise(tile, accumulated)
                if rise is not None:
                    reference = reference - rise / self.scale
            np.exp2(tile, out=tile)
            accumulated += tile @ self.columns[first:stop]
        return accumulated, -self.scale * reference


def _absorb_rise(tile, accumulated):
    """Online log-sum-exp step: where a row's largest logit in ``tile`` is > 0, shift the row's
    logits down by it and rescale its running sums; returns the shifts (None if there are none).
    """
    rise = tile.max(axis=1)
    np.maximum(rise, 0.0, out=rise)
    if not np.any(rise > 0):
        return None
    tile -= rise[:, None]
    accumulated *= np.exp2(-rise)[:, None]
    return rise


def _dot_product_sums(queries, keys, columns, scale):
    """Σ_i 2^(l_i - M) [columns_i, 1] per query, l_i = scale·log₂e·q·k_i, M a running maximum."""
    m, n = queries.shape[0], keys.shape[0]
    key_columns = np.hstack([columns, np.ones((n, 1))])
    sums = np.zeros((m, key_columns.shape[1]))
    buffer = np.empty(min(QUERY_TILE, m) * min(KEY_CHUNK, n))
    with single_threaded_blas(float(m) * n):
        for start in range(0, m, QUERY_TILE):
            scaled = queries[start:start + QUERY_TILE] * (scale * LOG2_E)
            accumulated = sums[start:start + QUERY_TILE]
            reference = None
            for first in range(0, n, KEY_CHUNK):
                chunk = keys[first:first + KEY_CHUNK]
                tile = buffer[:scaled.shape[0] * chunk.shape[0]].reshape(scaled.shape[0], -1)
                np.matmul(scaled, chunk.T, out=tile)
                if reference is None:
                    reference = tile.max(axis=1)
                tile -= reference[:, None]
                rise = _absorb_rise(tile, accumulated)
                if rise is not None:
                    reference = reference + rise
                np.exp2(tile, out=tile)
                accumulated += tile @ key_columns[first:first + KEY_CHUNK]
    return sums


# --- helpers --------------------------------------------------------------------------------

def _spatial_blocks(points, size):
    """An order of the points whose consecutive blocks (≤ ``size`` each) are compact in space.

    k-d bisection: a segment longer than ``size`` is split at its median along its widest
    coordinate. Returns (order, block starts).
    """
    n = points.shape[0]
    order = np.arange(n)
    starts, segments = [], [(0, n)]
    while segments:
        first, stop = segments.pop()
        if stop - first <= size:
            starts.append(first)
            continue
        members = order[first:stop]
        coordinates = points[members]
        axis = int(np.argmax(np.ptp(coordinates, axis=0)))
        middle = (stop - first) // 2
        order[first:stop] = members[np.argpartition(coordinates[:, axis], middle)]
        segments += [(first, first + middle), (first + middle, stop)]
    return order, np.array(sorted(starts), dtype=np.intp)


def _direct_squares(queries, keys, divisor, out, scratch=None):
    """out[r, j] = Σ_k ((q_rk - k_jk) / divisor)², coordinate by coordinate (no cancellation).

    ``scratch`` (d > 1 only) is a flat buffer of at least ``out.size`` elements.
    """
    if queries.shape[1] > 1:
        scratch = scratch[:out.size].reshape(out.shape)
    for axis in range(queries.shape[1]):
        target = out if axis == 0 else scratch
        np.subtract.outer(queries[:, axis], keys[:, axis], out=target)
        if divisor != 1.0:
            target /= divisor
        np.square(target, out=target)
        if axis:
            out += target
    return out


def _radial_weights(kernel, u_squared, out=None):
    """K(u) from u² for a compact kernel (u = √u², so u² = 1 is the window edge exactly)."""
    weights = kernel_values(kernel, np.sqrt(u_squared, out=out))
    if out is None:
        return weights
    out[...] = weights
    return out


def _exclude(tile, own, first, fill):
    """Set each row's own key (``own`` = its position among the sorted keys) to ``fill``."""
    inside = np.flatnonzero((own >= first) & (own < first + tile.shape[1]))
    tile[inside, own[inside] - first] = fill


def _logit_scale(h):
    """s² = log₂e / 2h²: base-2 Gaussian logit per unit of squared distance (capped)."""
    return min(0.5 * LOG2_E / (h * h), MAX_LOGIT_SCALE) if h > 1e-154 else MAX_LOGIT_SCALE


def _ratio(numerator, denominator):
    return np.divide(numerator, denominator, out=np.full(numerator.shape, np.nan),
                     where=denominator > 0)


def _regression_criteria(keys, columns, kernel, h):
    """(leave-one-out CV, GCV) at one bandwidth: see :func:`vector_loo_cv_curve`."""
    loo, full, influence = leave_one_out_fits(keys, columns, kernel, h)
    defined = np.all(np.isfinite(loo), axis=1)
    loo_cv = float(np.mean(np.sum(np.square(columns[defined] - loo[defined]), axis=1))) \
        if np.any(defined) else np.nan
    remaining = 1.0 - float(np.mean(influence))
    gcv = float(np.mean(np.sum(np.square(columns - full), axis=1))) / remaining ** 2 \
        if remaining > 0 else np.nan
    return loo_cv, gcv


def _check_points(queries, keys):
    """Validated (m × d) queries and (n × d) keys; vectors are single-coordinate points."""
    keys = as_finite_matrix(keys, "keys")
    queries = as_finite_matrix(queries, "queries", allow_empty=True)
    if queries.shape[1] != keys.shape[1]:
        raise ValueError(f"queries and keys must have the same number of coordinates; got "
                         f"{queries.shape[1]} and {keys.shape[1]} (queries must be (m, d) for "
                         f"keys of shape (n, d)).")
    return queries, keys


def check_value_columns(values, n):
    """Validated (n × c) value columns, and whether ``values`` was a vector (results then are
    too)."""
    array = as_finite_matrix(values, "values")
    if array.shape[0] != n:
        raise ValueError(f"keys and values must have the same number of rows; got {n} keys and "
                         f"{array.shape[0]} values.")
    return array, np.ndim(values) < 2


def _check_loo_data(keys, values, kernel):
    keys = check_loo_points(keys)
    columns, _ = check_value_columns(values, keys.shape[0])
    return keys, columns, check_kernel(kernel)


def _check_scale(scale, d):
    if scale is None:
        return 1.0 / math.sqrt(d)
    if isinstance(scale, bool) or not isinstance(scale, (Real, np.floating, np.integer)) \
            or not math.isfinite(float(scale)):
        raise ValueError(f"scale must be a finite number (or None for 1/√d); got {scale!r}.")
    return float(scale)


_DOT_OVERFLOW = ("the scaled dot products overflow float64; rescale the queries and keys or "
                 "lower the scale.")
