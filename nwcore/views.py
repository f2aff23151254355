"""Tables that the charts show: fit curves, attention cells (possibly binned) and per-query detail.

Everything here is computed without an n × n matrix: the heatmap has at most ``max_key_bins``
columns, and with more keys a cell holds the total weight of the keys in its bin (rows still sum
to 1). The fit itself always uses every key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import as_finite_vector, check_bandwidth, check_same_length
from .kernels import check_kernel, equivalent_bandwidth, kernel_values
from .pooling import attention_weights, kernel_tiles, nadaraya_watson
from .pooling import local_linear as local_linear_fit

#: Default cap on heatmap columns.
MAX_KEY_BINS = 100


@dataclass(frozen=True)
class AttentionCells:
    """Heatmap cells in long format plus what the page should say about them.

    ``frame`` columns: qi (query index), query_x, query_lo, query_hi, key_x (key or bin centre),
    key_lo, key_hi, key_y (value, or mean value of the bin), keys (count in cell), weight.
    """

    frame: pd.DataFrame
    binned: bool
    n_keys: int


def attention_cells(queries, keys, values, *, kernel: str = "gaussian", bandwidth: float = 1.0,
                    max_key_bins: int = MAX_KEY_BINS) -> AttentionCells:
    """Attention weights for display: one column per key, or per bin of x when keys are many.

    Keys are shown sorted by x; a column spans from the midpoint to its left neighbour to the
    midpoint to its right one (bins: their edges), so the x axis is in data units.
    """
    queries = as_finite_vector(queries, "queries")
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    kernel = pooling_kernel(kernel)
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    if keys.size <= max_key_bins:
        weights = attention_weights(queries, keys, kernel=kernel, bandwidth=bandwidth)
        centres, counts, column_values = keys, np.ones(keys.size, dtype=int), values
        lo, hi = _cell_edges(keys)
        binned = False
    else:
        edges = np.linspace(keys[0], keys[-1], max_key_bins + 1)
        starts = np.searchsorted(keys, edges[:-1], "left")
        starts[0] = 0
        counts = np.diff(np.append(starts, keys.size))
        weights = binned_attention_weights(queries, keys, starts, kernel=kernel,
                                           bandwidth=bandwidth)
        centres = 0.5 * (edges[:-1] + edges[1:])
        sums = np.add.reduceat(values, np.minimum(starts, keys.size - 1))
        column_values = np.divide(sums, counts, out=np.full(counts.shape, np.nan),
                                  where=counts > 0)
        lo, hi = edges[:-1], edges[1:]
        binned = True
    query_lo, query_hi = _cell_edges(queries)
    n_q, n_c = weights.shape
    frame = pd.DataFrame({
        "qi": np.repeat(np.arange(n_q), n_c),
        "query_x": np.repeat(queries, n_c),
        "query_lo": np.repeat(query_lo, n_c),
        "query_hi": np.repeat(query_hi, n_c),
        "key_x": np.tile(centres, n_q),
        "key_lo": np.tile(lo, n_q),
        "key_hi": np.tile(hi, n_q),
        "key_y": np.tile(column_values, n_q),
        "keys": np.tile(counts, n_q),
        "weight": weights.ravel(),
    })
    return AttentionCells(frame=frame, binned=binned, n_keys=int(keys.size))


def binned_attention_weights(queries, sorted_keys, bin_starts, *, kernel: str, bandwidth: float):
    """Total attention weight per bin of sorted keys (n_queries × n_bins), in tiles.

    Bin b holds sorted_keys[bin_starts[b]:bin_starts[b+1]]; rows sum to 1 (0 for empty windows).
    """
    kernel = check_kernel(kernel)
    h = check_bandwidth(bandwidth)
    totals = np.zeros((queries.size, bin_starts.size))
    if kernel == "constant":
        totals[:] = np.diff(np.append(bin_starts, sorted_keys.size)) / sorted_keys.size
        return totals
    bin_of_key = np.searchsorted(bin_starts, np.arange(sorted_keys.size), "right") - 1
    for rows, _, tiles in kernel_tiles(queries, sorted_keys, kernel, h):
        row_totals = totals[rows]
        for first, tile in tiles:
            bins = bin_of_key[first:first + tile.shape[1]]
            segment_starts = np.concatenate(([0], np.flatnonzero(np.diff(bins)) + 1))
            row_totals[:, bins[segment_starts]] += np.add.reduceat(tile, segment_starts, axis=1)
        totals[rows] = row_totals
    row_sums = totals.sum(axis=1, keepdims=True)
    return np.divide(totals, row_sums, out=np.zeros_like(totals), where=row_sums > 0)


def effective_keys_per_query(queries, keys, *, kernel: str, bandwidth: float) -> np.ndarray:
    """1 / Σ_i α_i² per query from Σα² = ΣK²/(ΣK)², in tiles (0 where the window is empty)."""
    queries = as_finite_vector(queries, "queries")
    keys = np.sort(as_finite_vector(keys, "keys"))
    kernel = pooling_kernel(kernel)
    if kernel == "constant":
        return np.full(queries.shape, float(keys.size))
    h = check_bandwidth(bandwidth)
    sums = np.zeros(queries.size)
    squares = np.zeros(queries.size)
    for rows, _, tiles in kernel_tiles(queries, keys, kernel, h):
        for _, tile in tiles:
            sums[rows] += tile.sum(axis=1)
            squares[rows] += np.einsum("ij,ij->i", tile, tile)
    return np.divide(sums * sums, squares, out=np.zeros(queries.size), where=squares > 0)


def query_detail(query, keys, values, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Decomposition of ŷ(x) at one query: x_i, y_i, α_i, α_i·y_i, sorted by α (largest first).

    The sum of the ``contribution`` column is ŷ(x).
    """
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    weights = attention_weights(np.atleast_1d(float(query)), keys, kernel=pooling_kernel(kernel),
                                bandwidth=bandwidth)[0]
    frame = pd.DataFrame({"key_x": keys, "value_y": values, "weight": weights,
                          "contribution": weights * values})
    return frame.sort_values("weight", ascending=False, kind="stable").reset_index(drop=True)


def fit_frame(queries, keys, values, *, kernel: str = "gaussian",
              bandwidth: float = 1.0) -> pd.DataFrame:
    """Per query: index qi, x, prediction ŷ(x) and the effective number of keys 1/Σα²."""
    queries = as_finite_vector(queries, "queries")
    predictions = nadaraya_watson(queries, keys, values, kernel=pooling_kernel(kernel),
                                  bandwidth=bandwidth)
    n_effective = effective_keys_per_query(queries, keys, kernel=kernel, bandwidth=bandwidth)
    return pd.DataFrame({"qi": np.arange(queries.size), "x": queries, "prediction": predictions,
                         "effective_keys": n_effective})


def curves_frame(fit: pd.DataFrame, *, truth: pd.DataFrame | None, average: float | None,
                 extra: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Long-format (x, y, series) table of every curve on the fit chart."""
    parts = [pd.DataFrame({"x": fit["x"], "y": fit["prediction"],
                           "series": "attention pooling ŷ(x)"})]
    if average is not None:
        parts.append(pd.DataFrame({"x": fit["x"], "y": average, "series": "average pooling"}))
    for name, values in (extra or {}).items():
        parts.append(pd.DataFrame({"x": fit["x"], "y": values, "series": name}))
    if truth is not None:
        parts.append(pd.DataFrame({"x": truth["x"], "y": truth["truth"], "series": "truth f(x)"}))
    return pd.concat(parts, ignore_index=True)



def pooling_kernel(pooling: str) -> str:
    """The kernel behind a pooling choice: "average" pooling is the constant kernel."""
    return "constant" if pooling == "average" else check_kernel(pooling)


def _cell_edges(centres):
    """Edges halfway between sorted neighbours; the outer cells are as wide as their neighbour."""
    centres = np.asarray(centres, dtype=np.float64)
    if centres.size == 1:
        half = 0.5 if centres[0] == 0 else 0.05 * abs(centres[0])
        return centres - half, centres + half
    mid = 0.5 * (centres[1:] + centres[:-1])
    lo = np.concatenate(([centres[0] - (mid[0] - centres[0])], mid))
    hi = np.concatenate((mid, [centres[-1] + (centres[-1] - mid[-1])]))
    return lo, hi


#: Mantissas of the bandwidth slider's stops: about 20 per decade, including 1, 2 and 5 so that
#: d2l's widths 0.1, 0.2, 0.5 and 1 are exact stops.
_NICE_MANTISSAS = (1, 1.1, 1.2, 1.4, 1.5, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3, 3.5, 4, 4.5, 5, 6, 7,
                   8, 9)


def bandwidth_options(low: float, high: float) -> list[float]:
    """Log-spaced "nice" bandwidths covering [low, high] (the slider's stops)."""
    if not (0 < low < high) or not np.isfinite(high):
        raise ValueError(f"need 0 < low < high for the bandwidth range; got {low}, {high}.")
    options = []
    for exponent in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1):
        for mantissa in _NICE_MANTISSAS:
            value = float(f"{mantissa * 10.0 ** exponent:.6g}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                options.append(value)
    return options


def nearest_option(value: float, options: list[float]) -> float:
    """The option closest to ``value`` on a log scale."""
    options_array = np.asarray(options, dtype=np.float64)
    if not np.isfinite(value) or value <= 0:
        return float(options_array[len(options) // 2])
    return float(options_array[np.argmin(np.abs(np.log(options_array) - np.log(value)))])


@dataclass(frozen=True)
class ExplorerView:
    """Everything the Explore page draws for one setting of the controls."""

    queries: np.ndarray
    kernel_bandwidth: float      # the h passed to the kernel (after the equal-widths rescaling)
    fit: pd.DataFrame            # qi, x, prediction, effective_keys
    cells: AttentionCells
    curves: pd.DataFrame         # long format for the fit chart
    empty_queries: int           # queries whose window holds no key
    dominated_queries: int       # queries where one key takes nearly all the weight


def explorer_view(dataset, *, pooling: str, bandwidth: float, n_queries: int = 50,
                  equal_widths: bool = False, local_linear: bool = False,
                  max_key_bins: int = MAX_KEY_BINS) -> ExplorerView:
    """Fit, attention cells and diagnostics for a dataset and a pooling choice.

    ``local_linear`` adds the local linear fit at the same kernel and bandwidth as a curve.
    With ``equal_widths`` the compact kernels get the bandwidth whose kernel std equals that of a
    Gaussian of bandwidth h (d2l's raw widths otherwise: radius h).
    """
    kernel = pooling_kernel(pooling)
    h = equivalent_bandwidth(kernel, bandwidth) if equal_widths else check_bandwidth(bandwidth)
    queries = dataset.queries(n_queries)
    keys, values = dataset.keys, dataset.values
    fit = fit_frame(queries, keys, values, kernel=kernel, bandwidth=h)
    cells = attention_cells(queries, keys, values, kernel=kernel, bandwidth=h,
                            max_key_bins=max_key_bins)
    extra = {}
    if local_linear and kernel != "constant":
        extra["local linear"] = local_linear_fit(queries, keys, values, kernel=kernel,
                                                 bandwidth=h)
    curves = curves_frame(fit, truth=dataset.truth_curve(), average=float(values.mean()),
                          extra=extra)
    n_effective = fit["effective_keys"].to_numpy()
    return ExplorerView(
        queries=queries, kernel_bandwidth=h, fit=fit, cells=cells,
        curves=curves,
        empty_queries=int(np.count_nonzero(np.isnan(fit["prediction"].to_numpy()))),
        dominated_queries=int(np.count_nonzero((n_effective > 0) & (n_effective < 1.1))),
    )


def pinned_index(selection, n_queries: int) -> int | None:
    """The query index clicked on the explorer chart, from Streamlit's selection state.

    ``selection`` maps the parameter name to a list of points, e.g. ``{"pin": [{"qi": 17}]}``;
    anything else (no click, a stale index) gives None.
    """
    try:
        points = selection.get("pin") or []
        index = int(points[-1]["qi"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    return index if 0 <= index < n_queries else None


def comparison_panels(dataset, kernels, widths, *, equal_widths: bool = False,
                      n_queries: int = 50, max_key_bins: int = 60):
    """For each kernel (row) and width (column): (heatmap cells, fit curves) for the Compare grid."""
    panels = []
    for kernel in kernels:
        row = []
        for width in widths:
            view = explorer_view(dataset, pooling=kernel, bandwidth=width, n_queries=n_queries,
                                 equal_widths=equal_widths, max_key_bins=max_key_bins)
            row.append((view.cells.frame, view.curves))
        panels.append(row)
    return panels


def kernel_curve_at(query: float, keys, *, kernel: str, bandwidth: float, peak: float,
                    points: int = 400) -> pd.DataFrame:
    """K((x - t)/h) over the keys' range, scaled so its maximum is ``peak`` (for drawing)."""
    keys = as_finite_vector(keys, "keys")
    kernel = pooling_kernel(kernel)
    t = np.linspace(min(keys.min(), query), max(keys.max(), query), points)
    shape = kernel_values(kernel, (query - t) / check_bandwidth(bandwidth))
    top = shape.max()
    return pd.DataFrame({"t": t, "K": shape * (peak / top if top > 0 else 0.0)})
