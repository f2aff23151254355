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
memory O(n_keys + n_queries)). ``method="binned"`` bins the keys on a regular grid and convolves
with the sampled kernel by FFT (see :mod:`nwcore.binning`); ``"auto"`` picks it for large
Gaussian problems whose bandwidth the grid resolves, else exact.
"""

from __future__ import annotations

import math
from contextlib import contextmanager, nullcontext

import numpy as np

from . import binning
from ._validation import as_finite_vector, check_bandwidth, check_method, check_same_length
from .kernels import COMPACT_KERNELS, check_kernel, kernel_values

#: Elements per work tile (doubles): 128 Ki = 1 MiB; 64–128 Ki measured fastest (larger tiles
#: spill the L2 cache), and the larger halves the per-tile Python overhead.
TILE_ELEMENTS = 1 << 17
#: Queries per tile.
QUERY_TILE = 512
#: Keys whose per-key factors are prepared at once (a few hundred KiB).
KEY_BLOCK = 1 << 14
#: Widest spread of one tile's queries, in bandwidths: logits are formed around the tile's
#: centre, so this bounds their rounding error (≤ ~1e-13 relative in each weight).
MAX_TILE_SPAN = 8.0
#: Gaussian logits more than this far below a row's maximum weigh < e^-50 of the top key; dropped.
GAUSSIAN_LOGIT_CUTOFF = 50.0
#: log₂(e): the tiles exponentiate base-2 logits, e^t = 2^(t·log₂e).
LOG2_E = float(np.log2(np.e))
#: Largest |b| = |x_i - c|·s for which a tile's logits come from the expanded product: its
#: rounding error, ~2ε(|a| + |b|)², then stays below 1e-10.
MAX_EXPANDED_OFFSET = 256.0
#: Local linear falls back to Nadaraya–Watson where the weighted variance of the keys is below
#: this fraction of their weighted mean square distance from the query (one key in the window,
#: coinciding keys, or extrapolation far beyond the keys that carry the weight: there the slope
#: comes from a near-singular system, and 1e-9 let rounding move the fit by 1e-5 × range(y)).
SINGULAR_DESIGN_TOLERANCE = 1e-6
#: The global line (constant kernel) falls back to mean(y) where the keys' range is below this
#: fraction of their largest magnitude: the keys are constant up to rounding.
CONSTANT_KEYS_TOLERANCE = 1e-12
#: "auto" uses the binned path above this many kernel evaluations (n_queries × n_keys).
AUTO_BINNED_EVALUATIONS = 2e7


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


def nadaraya_watson(queries, keys, values, *, kernel: str = "gaussian", bandwidth: float = 1.0,
                    method: str = "auto"):
    """Nadaraya–Watson prediction f(x) = Σ_i K_i(x) y_i / Σ_i K_i(x) at each query.

    ``method``: "exact" (tiled sums over all keys in the window), "binned" (FFT on a grid,
    error ≤ 1e-5 × range of y for the Gaussian) or "auto". Queries whose window holds no key
    (compact kernels) get NaN; see :func:`empty_windows`.
    """
    queries, keys, values, kernel, h, method = _check_regression_args(
        queries, keys, values, kernel, bandwidth, method)
    if kernel == "constant":
        return np.full(queries.shape, values.mean())
    if _resolve_method(method, kernel, h, queries, keys) == "binned":
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
    if _resolve_method(method, kernel, h, queries, keys) == "binned":
        return _binned_fit(queries, keys, values, kernel, h, degree=1)
    return _exact_fit(queries, keys, values, kernel, h, degree=1)


def empty_windows(queries, keys, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Boolean mask of queries with no key inside |x - x_i| <= h (always False for non-compact)."""
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


def local_sums(queries, sorted_keys, columns, kernel, h, *, degree=0, self_index=None,
               every_key=False):
    """Tiled kernel sums Σ_i K_i(x) b_i^p columns[i] for p = 0 (degree 0) or p = 0, 1, 2 (degree 1).

    ``b_i = (x_i - c)/h`` is measured from the centre c of the query's tile and ``offsets`` (the
    second result) holds (x - c)/h, so moments about the query itself follow by translation.
    The weights K_i(x) are those of :func:`kernel_tiles` (which see for ``self_index`` and
    ``every_key``). Returns sums of shape (n_queries, 1 or 3, n_columns).
    """
    n_terms = 1 if degree == 0 else 3
    n_columns = n_terms * columns.shape[1]
    sums = np.empty((queries.size, n_columns))
    offsets = np.empty(queries.size)
    for rows, centre, tiles in kernel_tiles(queries, sorted_keys, kernel, h,
                                            self_index=self_index, every_key=every_key):
        tile_queries = queries[rows]
        row_sums = np.zeros((tile_queries.size, n_columns))
        chunk_sums = np.empty_like(row_sums)
        for first, tile in tiles:
            stop = first + tile.shape[1]
            weighted = _tile_columns(sorted_keys[first:stop], columns[first:stop], centre, h,
                                     degree)
            np.dot(tile, weighted, out=chunk_sums)  # less call overhead than matmul
            row_sums += chunk_sums
        sums[rows] = row_sums
        offsets[rows] = (tile_queries - centre) / h
    return sums.reshape(queries.size, n_terms, columns.shape[1]), offsets


def kernel_tiles(queries, sorted_keys, kernel, h, *, self_index=None, every_key=False):
    """Unnormalised kernel weights K((x - x_i)/h) in cache-sized tiles: never an n × n matrix.

    Yields ``(rows, centre, tiles)`` per tile of queries (sorted by x, spread ≤ 8h): ``rows``
    selects them from ``queries`` (a slice when those are sorted, else indices), ``centre`` is
    their midpoint c, and ``tiles`` yields ``(first, tile)``, where ``tile[r, j]`` is the weight
    of key ``sorted_keys[first + j]`` for query ``rows[r]``, over the keys in the union of the
    rows' windows. Every tile is a view of one buffer that the next one overwrites.

    Gaussian weights carry the per-row log-sum-exp shift (the nearest key weighs ~1) and skip
    keys more than e^-50 below it, except when ``every_key`` says that every window holds every
    key (:func:`windows_hold_every_key`): then no logit is below -50, nothing is shifted and the
    keys may be in any order. ``self_index[q]`` (optional) is a key index whose weight is 0 for
    query q (leave-one-out); the shift then uses the nearest *other* key. Inputs are validated.
    """
    if queries.size == 0:
        return
    query_order = _sorting_order(queries)
    if query_order is not None:
        queries = queries[query_order]
        self_index = None if self_index is None else self_index[query_order]
    if every_key:
        shift, half_width = None, None
    elif kernel == "gaussian":
        nearest = (_nearest_key(queries, sorted_keys) if self_index is None
                   else nearest_other_key(sorted_keys, self_index))
        scale = _gaussian_scale(h)  # base-2 logits: shift ≥ 0 is the nearest key's -logit
        shift = np.square((queries - nearest) * scale)
        half_width = np.sqrt(shift + LOG2_E * GAUSSIAN_LOGIT_CUTOFF) / scale
    else:
        # Slightly wider than h: the tile itself decides |u| <= 1 exactly.
        shift, half_width = None, np.full(queries.shape, h * (1.0 + 1e-9))
    buffer = np.empty(min(TILE_ELEMENTS, queries.size * sorted_keys.size))  # no tile is larger
    start = 0
    with _single_threaded_blas(queries.size * sorted_keys.size):
        while start < queries.size:
            stop = _tile_stop(queries, start, h)
            tile_queries = queries[start:stop]
            centre = 0.5 * (tile_queries[0] + tile_queries[-1])
            if half_width is None:
                first, last = 0, sorted_keys.size
            else:
                first = np.searchsorted(sorted_keys, (tile_queries - half_width[start:stop]).min())
                last = np.searchsorted(sorted_keys, (tile_queries + half_width[start:stop]).max(),
                                       "right")
            rows = slice(start, stop) if query_order is None else query_order[start:stop]
            yield rows, centre, _key_tiles(
                tile_queries, sorted_keys, first, last, kernel, h, centre,
                None if shift is None else shift[start:stop],
                None if self_index is None else self_index[start:stop], buffer)
            start = stop


def windows_hold_every_key(queries, keys, kernel, h):
    """Whether every query's window holds every key (the keys need not be sorted).

    Gaussian: the farthest query–key distance is ≤ √(2·50)·h = 10h, so every logit is ≥ -50
    and no weight underflows without a shift. Compact kernels: that distance is < h.
    """
    if queries.size == 0:
        return True
    farthest = float(max(queries.max() - keys.min(), keys.max() - queries.min()))
    if kernel == "gaussian":
        return farthest <= math.sqrt(2.0 * GAUSSIAN_LOGIT_CUTOFF) * h
    return farthest < h


def _key_tiles(tile_queries, sorted_keys, first, last, kernel, h, centre, row_shift, self_index,
               buffer):
    """The ``(first, tile)`` pairs of :func:`kernel_tiles` for one tile of queries.

    Keys first..last are taken in blocks (their per-key factors computed once per block) and
    each block in chunks of TILE_ELEMENTS / n_rows keys. Gaussian tiles are base-2 logits
    shift - (a - b)², a = (x - c)·s, b = (x_i - c)·s, s = √(½·log₂e)/h, exponentiated in place
    (np.exp2: faster than np.exp, as accurate). The logits come from one K = 3 matrix product
    of [2a, shift - a², 1] and [b; 1; -b²]; that expansion cancels when |b| is large (keys far
    from the tile, sparse data at a tiny h), so such blocks form (a - b)² directly.
    """
    n_rows = tile_queries.size
    chunk = max(1, TILE_ELEMENTS // n_rows)
    block = chunk * max(1, KEY_BLOCK // chunk)
    gaussian = kernel == "gaussian"
    if gaussian:
        scale = _gaussian_scale(h)
        a = (tile_queries - centre) * scale
        shift = np.zeros(n_rows) if row_shift is None else row_shift
        left = np.empty((n_rows, 3))  # filled column by column: cheaper than np.column_stack
        np.multiply(a, 2.0, out=left[:, 0])
        np.multiply(a, a, out=left[:, 1])
        np.subtract(shift, left[:, 1], out=left[:, 1])
        left[:, 2] = 1.0
    for block_lo in range(first, last, block):
        keys = sorted_keys[block_lo:min(last, block_lo + block)]
        if gaussian:
            b = (keys - centre) * scale
            expanded = np.abs(b).max() <= MAX_EXPANDED_OFFSET
            if expanded:
                right = np.empty((3, b.size))
                right[0] = b
                right[1] = 1.0
                np.multiply(b, -b, out=right[2])
        for lo in range(0, keys.size, chunk):
            hi = min(keys.size, lo + chunk)
            tile = buffer[:n_rows * (hi - lo)].reshape(n_rows, hi - lo)
            if gaussian:
                if expanded:
                    np.matmul(left, right[:, lo:hi], out=tile)
                else:
                    np.subtract.outer(a, b[lo:hi], out=tile)
                    np.square(tile, out=tile)
                    np.subtract(shift[:, None], tile, out=tile)
                if self_index is not None:  # before exp: no overflow
                    _exclude_self(tile, self_index, block_lo + lo, -np.inf)
                np.exp2(tile, out=tile)
            else:
                tile[...] = kernel_values(kernel, np.subtract.outer(tile_queries, keys[lo:hi]) / h)
                if self_index is not None:
                    _exclude_self(tile, self_index, block_lo + lo, 0.0)
            yield block_lo + lo, tile


def _exclude_self(tile, self_index, first_key, fill):
    """Set each row's own key (``self_index``, when inside this tile's keys) to ``fill``."""
    own = self_index - first_key
    inside = np.flatnonzero((own >= 0) & (own < tile.shape[1]))
    tile[inside, own[inside]] = fill


def _gaussian_scale(h):
    """s = √(½·log₂e)/h: (s·(x - x_i))² is the Gaussian's -logit in base 2, (x - x_i)²/2h²·log₂e."""
    return math.sqrt(0.5 * LOG2_E) / h


def _tile_columns(tile_keys, tile_columns, centre, h, degree):
    """The columns a tile is multiplied by: C (degree 0) or [C, b·C, b²·C], b = (x_i - c)/h."""
    if degree == 0:
        return tile_columns
    b = ((tile_keys - centre) / h)[:, None]
    return np.hstack([tile_columns, b * tile_columns, (b * b) * tile_columns])


def _tile_stop(sorted_queries, start, h):
    """End of the tile from ``start``: at most QUERY_TILE queries, spread ≤ MAX_TILE_SPAN·h."""
    stop = min(sorted_queries.size, start + QUERY_TILE)
    within = np.searchsorted(sorted_queries, sorted_queries[start] + MAX_TILE_SPAN * h, "right")
    return max(start + 1, min(stop, within))


def _exact_fit(queries, keys, values, kernel, h, *, degree):
    """NW (degree 0) or local linear (degree 1) predictions from the exact tiled sums.

    NW is clipped to [min y, max y] (rounding cannot push a weighted mean out of it); local
    linear works on values minus their mid-range, so its slope term cancels less.
    """
    every_key = windows_hold_every_key(queries, keys, kernel, h)
    if not every_key:
        order = _sorting_order(keys)
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
    """Local linear values from moments about centres c (see :func:`local_sums`, degree 1).

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
    x = keys - keys.mean()
    variance = np.einsum("i,i->", x, x)
    slope = np.einsum("i,i->", x, values - values.mean()) / variance
    return values.mean() + slope * (queries - keys.mean())


def _centred_values(values):
    """Values minus their mid-range (sums then cancel less), with that middle and the range."""
    low, high = float(values.min()), float(values.max())
    middle = 0.5 * (low + high)
    return values - middle, middle, low, high


def _ratio(numerator, denominator):
    return np.divide(numerator, denominator, out=np.full(numerator.shape, np.nan),
                     where=denominator > 0)


def _resolve_method(method, kernel, h, queries, keys):
    """"auto" → "binned" for large problems the grid resolves (Gaussian only), else "exact"."""
    if method == "auto":
        large = float(queries.size) * float(keys.size) > AUTO_BINNED_EVALUATIONS
        span = binning.points_span(queries, keys)
        return "binned" if large and binning.grid_size(span, h, kernel) is not None else "exact"
    if method == "binned":
        binning.check_binnable(binning.points_span(queries, keys), h, kernel)
    return method


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
    u = np.abs(queries - _nearest_key(queries, sorted_keys)) / h
    if kernel == "boxcar":
        return u > 1.0
    return u >= 1.0  # triangular and epanechnikov vanish at |u| = 1


def _nearest_key(queries, sorted_keys):
    """The key closest to each query, by binary search in the sorted keys."""
    index = np.searchsorted(sorted_keys, queries)
    left = sorted_keys[np.clip(index - 1, 0, sorted_keys.size - 1)]
    right = sorted_keys[np.clip(index, 0, sorted_keys.size - 1)]
    return np.where(np.abs(queries - left) <= np.abs(queries - right), left, right)


def nearest_other_key(sorted_keys, self_index):
    """For the key at each ``self_index``: the closer sorted neighbour (itself if it is alone)."""
    last = sorted_keys.size - 1
    own = sorted_keys[self_index]
    left = sorted_keys[np.where(self_index > 0, self_index - 1, np.minimum(self_index + 1, last))]
    right = sorted_keys[np.where(self_index < last, self_index + 1, np.maximum(self_index - 1, 0))]
    return np.where(np.abs(own - left) <= np.abs(own - right), left, right)


def _sorting_order(values):
    """Indices that sort ``values`` (stable), or None when they are sorted already."""
    if values.size < 2 or bool(np.all(values[1:] >= values[:-1])):
        return None
    return np.argsort(values, kind="stable")


def _single_threaded_blas(work):
    """Run the tiles' BLAS products on one thread (threadpoolctl, when installed).

    Threads are no help to products this narrow, and hurt when the other cores are busy.
    OpenBLAS 0.3.31 kept every tile product (≤ 6 · TILE_ELEMENTS multiply-adds) on one thread
    by itself; the limit guards other BLAS builds on problems large enough (≥ 10⁶ evaluations)
    that its few microseconds do not count.
    """
    return _blas_on_one_thread(_blas_libraries()) if work >= 1e6 else nullcontext()


@contextmanager
def _blas_on_one_thread(libraries):
    """Set each threadpoolctl library controller to one thread, and back afterwards."""
    previous = [library.get_num_threads() for library in libraries]
    for library, threads in zip(libraries, previous):
        if threads != 1:
            library.set_num_threads(1)
    try:
        yield
    finally:
        for library, threads in zip(libraries, previous):
            if threads != 1:
                library.set_num_threads(threads)


def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries (looked up once), or ()."""
    global _BLAS_LIBRARIES
    if _BLAS_LIBRARIES is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _BLAS_LIBRARIES = ()
        else:
            _BLAS_LIBRARIES = tuple(
                ThreadpoolController().select(user_api="blas").lib_controllers)
    return _BLAS_LIBRARIES


_BLAS_LIBRARIES = None  # not looked up yet
