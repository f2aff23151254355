"""The tiling engine: kernel sums over every key in cache-sized tiles, never an n × n matrix.

Internal to nwcore (its public functions validate and then call these). The interface:

* :func:`kernel_tiles` — unnormalised kernel weights K((x - x_i)/h), tile by tile;
* :func:`local_sums` — Σ_i K_i(x) b_i^p c_i for columns c (the fits, leave-one-out, GCV);
* :func:`choose_method` — the one place that decides between these exact sums and the binned
  path of :mod:`nwcore.binning` (``method="auto"``);
* :func:`windows_hold_every_key`, :func:`nearest_key`, :func:`nearest_other_key`,
  :func:`sorting_order` — the geometry the callers share.

Gaussian tiles are base-2 logits shifted per row by the nearest key (log-sum-exp), so a tiny h
gives the nearest key weight 1 and never 0/0; other kernels evaluate
:func:`nwcore.kernels.kernel_values` on the keys inside the query's window.
"""

from __future__ import annotations

import math
from contextlib import contextmanager, nullcontext
from functools import cache

import numpy as np

from . import binning
from .kernels import kernel_values

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
#: Largest |x_i - c|/h in the local-linear columns b·C, b²·C (b² and b²·C stay finite).
MAX_COLUMN_OFFSET = 1e100
#: "auto" uses the binned path above this many kernel evaluations (n_queries × n_keys).
AUTO_BINNED_EVALUATIONS = 2e7


def local_sums(queries, sorted_keys, columns, kernel, h, *, degree=0, self_index=None,
               every_key=False, on_tile=None):
    """Tiled kernel sums Σ_i K_i(x) b_i^p columns[i] for p = 0 (degree 0) or p = 0, 1, 2 (degree 1).

    ``b_i = (x_i - c)/h`` is measured from the centre c of the query's tile and ``offsets`` (the
    second result) holds (x - c)/h, so moments about the query itself follow by translation.
    The weights K_i(x) are those of :func:`kernel_tiles` (which see for ``self_index`` and
    ``every_key``). Returns sums of shape (n_queries, 1 or 3, n_columns). ``on_tile(rows,
    first, tile)``, if given, sees every tile too (other sums in the same pass over the keys).
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
            if on_tile is not None:
                on_tile(rows, first, tile)
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
    query_order = sorting_order(queries)
    if query_order is not None:
        queries = queries[query_order]
        self_index = None if self_index is None else self_index[query_order]
    nearest_distance = None
    if every_key:
        shift, half_width = None, None
    elif kernel == "gaussian":
        nearest = (nearest_key(queries, sorted_keys) if self_index is None
                   else nearest_other_key(sorted_keys, self_index))
        scale = _gaussian_scale(h)  # base-2 logits: shift ≥ 0 is the nearest key's -logit
        with np.errstate(over="ignore"):  # inf beyond ~1e154 h, handled in _key_tiles
            shift = np.square((queries - nearest) * scale)
        # The window reaches e^-50 below the nearest key, and always the nearest key itself (for
        # keys ~1e9 h away the cutoff is lost in rounding, and the window could miss it).
        distance = np.abs(queries - nearest)
        half_width = np.maximum(np.sqrt(shift + LOG2_E * GAUSSIAN_LOGIT_CUTOFF) / scale,
                                distance * (1.0 + 1e-9))
        if not np.all(np.isfinite(shift)):  # nearest key beyond ~1e154 h: see _key_tiles
            nearest_distance = distance
    else:
        # Slightly wider than h: the tile itself decides |u| <= 1 exactly.
        shift, half_width = None, np.full(queries.shape, h * (1.0 + 1e-9))
    buffer = np.empty(min(TILE_ELEMENTS, queries.size * sorted_keys.size))  # no tile is larger
    start = 0
    with single_threaded_blas(queries.size * sorted_keys.size):
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
                None if self_index is None else self_index[start:stop], buffer,
                None if nearest_distance is None else nearest_distance[start:stop])
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
               buffer, nearest_distance=None):
    """The ``(first, tile)`` pairs of :func:`kernel_tiles` for one tile of queries.

    Keys first..last are taken in blocks (their per-key factors computed once per block) and
    each block in chunks of TILE_ELEMENTS / n_rows keys. Gaussian tiles are base-2 logits
    shift - (a - b)², a = (x - c)·s, b = (x_i - c)·s, s = √(½·log₂e)/h, exponentiated in place
    (np.exp2: faster than np.exp, as accurate). The logits come from one K = 3 matrix product
    of [2a, shift - a², 1] and [b; 1; -b²]; that expansion cancels when |b| is large (keys far
    from the tile, sparse data at a tiny h), so such blocks form (a - b)² directly.

    A row whose shift overflows (its nearest key lies beyond ~1e154 h, ``nearest_distance``
    given) weighs the keys at exactly that distance 1 and every other key 0: any other key is
    at least one rounding step farther, (d' - d)·(d' + d)/2h² ≥ 1e290 logits behind.
    """
    n_rows = tile_queries.size
    chunk = max(1, TILE_ELEMENTS // n_rows)
    block = chunk * max(1, KEY_BLOCK // chunk)
    gaussian = kernel == "gaussian"
    far = None if nearest_distance is None else np.flatnonzero(~np.isfinite(row_shift))
    if gaussian:
        scale = _gaussian_scale(h)
        a = (tile_queries - centre) * scale
        shift = np.zeros(n_rows) if row_shift is None else row_shift
        if far is not None:
            shift = np.where(np.isfinite(shift), shift, 0.0)
        left = np.empty((n_rows, 3))  # filled column by column: cheaper than np.column_stack
        np.multiply(a, 2.0, out=left[:, 0])
        np.multiply(a, a, out=left[:, 1])
        np.subtract(shift, left[:, 1], out=left[:, 1])
        left[:, 2] = 1.0
    for block_lo in range(first, last, block):
        keys = sorted_keys[block_lo:min(last, block_lo + block)]
        if gaussian:
            with np.errstate(over="ignore"):  # keys beyond ~1e154 h: b = ±inf, weight 0
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
                    with np.errstate(over="ignore"):  # (a - b)² = inf: weight 0
                        np.square(tile, out=tile)
                    np.subtract(shift[:, None], tile, out=tile)
                if self_index is not None:  # before exp: no overflow
                    _exclude_self(tile, self_index, block_lo + lo, -np.inf)
                np.exp2(tile, out=tile)
                if far is not None and far.size:
                    tile[far] = np.abs(np.subtract.outer(tile_queries[far], keys[lo:hi])) \
                        == nearest_distance[far, None]
                    if self_index is not None:
                        _exclude_self(tile, self_index, block_lo + lo, 0.0)
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
    """The columns a tile is multiplied by: C (degree 0) or [C, b·C, b²·C], b = (x_i - c)/h.

    |b| is capped at MAX_COLUMN_OFFSET so that b² stays finite: a key that far from the tile
    weighs 0 (then 0·b² must be 0, not NaN), or is the only weighted one, whose line is singular.
    """
    if degree == 0:
        return tile_columns
    with np.errstate(over="ignore"):
        b = np.clip((tile_keys - centre) / h, -MAX_COLUMN_OFFSET, MAX_COLUMN_OFFSET)[:, None]
    return np.hstack([tile_columns, b * tile_columns, (b * b) * tile_columns])


def _tile_stop(sorted_queries, start, h):
    """End of the tile from ``start``: at most QUERY_TILE queries, spread ≤ MAX_TILE_SPAN·h."""
    stop = min(sorted_queries.size, start + QUERY_TILE)
    within = np.searchsorted(sorted_queries, sorted_queries[start] + MAX_TILE_SPAN * h, "right")
    return max(start + 1, min(stop, within))



def nearest_key(queries, sorted_keys):
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



def sorting_order(values):
    """Indices that sort ``values`` (stable), or None when they are sorted already."""
    if values.size < 2 or bool(np.all(values[1:] >= values[:-1])):
        return None
    return np.argsort(values, kind="stable")



def single_threaded_blas(work):
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


@cache
def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries (looked up once), or ()."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return ()
    return tuple(ThreadpoolController().select(user_api="blas").lib_controllers)


def prefers_binned(evaluations: float) -> bool:
    """Whether ``method="auto"`` goes binned for this many kernel evaluations (where the grid
    resolves h): above AUTO_BINNED_EVALUATIONS, exact tiles at a tiny h cost seconds."""
    return evaluations > AUTO_BINNED_EVALUATIONS


def choose_method(method: str, kernel: str, h: float, *, evaluations: float,
                  span: float) -> str:
    """"exact" or "binned" for a problem of ``evaluations`` = n_queries × n_keys kernel values
    over an interval of width ``span``.

    "auto" is binned for large problems the grid resolves (binnable kernels, h not too small),
    else exact; "binned" raises ``ValueError`` when the grid cannot meet its error bound.
    """
    if method == "auto":
        resolved = binning.grid_size(span, h, kernel) is not None
        return "binned" if prefers_binned(evaluations) and resolved else "exact"
    if method == "binned":
        binning.check_binnable(span, h, kernel)
    return method

