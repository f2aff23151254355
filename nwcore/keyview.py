"""One pass over the keys for everything a view shows: the fit, the effective keys, the heatmap.

The heatmap has at most ``max_columns`` columns: one per key, or, with more keys, one per
equal-width bin of x holding the bin's total weight. :func:`summarise_keys` prepares the keys
once per dataset; :func:`attention_pass` then makes one tiled pass (:mod:`nwcore.tiles`) per
bandwidth that sums, for every query x,

    S = Σ_i K_i (y_i, 1) (and the moments b, b² for local linear), Σ_i K_i², and Σ_{i ∈ column} K_i,

giving NW = S_y/S_1, effective keys 1/Σα² = S_1²/ΣK², and the heatmap row (column totals / S_1).

Very many keys. A summary made with ``binned=True`` replaces the keys by their linear binning on
a fine grid: every heatmap column gets its own ``cells_per_column`` + 1 grid points (so a
column's total holds exactly its own keys' weight), a key at x = g_j + f·Δ putting 1 - f on g_j
and f on g_{j+1}. The pass then sums over at most n_columns × (cells_per_column + 1) points,
whatever the number of keys, with the binning error of :mod:`nwcore.binning` (≤ (Δ/h)²/4·(ū² + 1)
× range(y) for the Gaussian); queries whose estimated error exceeds 1e-5 × range(y) (gaps, edges)
are recomputed exactly, so the fit is as accurate as :func:`nwcore.nadaraya_watson`'s. The
heatmap rows and effective keys, drawn only, keep the binning error: ≤ 1e-4 of a row's largest
weight and 0.2 % measured over the app's bandwidths, gaps included. The summary serves
bandwidths h ≥ 512·Δ (``resolves``), binnable kernels only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import binning
from .kernels import REGISTRY
from .pooling import local_linear, local_linear_from_moments, nadaraya_watson
from .tiles import local_sums, windows_hold_every_key

#: Fine-grid cells per heatmap column in a binned summary: with 100 columns, Δ = range/256000,
#: so bandwidths down to 0.002 × range (the app's smallest) keep Δ ≤ h/512.
CELLS_PER_COLUMN = 2560


@dataclass(frozen=True, eq=False)
class KeySummary:
    """The keys as a view sums over them, and the heatmap's columns.

    ``points`` (sorted) carry ``counts`` keys and ``value_sums`` = Σ y (for exact summaries the
    points are the keys, counts 1); ``column_of_point`` is each point's heatmap column.
    Columns: edges ``column_lo``/``column_hi``, centres, number of keys and their mean value.
    ``step`` is the grid spacing Δ of a binned summary (0 when exact).
    """

    keys: np.ndarray            # the sorted keys and their values, for exact recomputation
    values: np.ndarray
    points: np.ndarray
    counts: np.ndarray
    value_sums: np.ndarray
    column_of_point: np.ndarray
    column_lo: np.ndarray
    column_hi: np.ndarray
    column_centres: np.ndarray
    column_counts: np.ndarray
    column_values: np.ndarray
    step: float = 0.0

    @property
    def binned(self) -> bool:
        return self.step > 0

    @property
    def grouped(self) -> bool:
        """Whether a heatmap column holds several keys (a bin of x), not one key."""
        return self.column_centres.size < self.keys.size or self.binned

    def resolves(self, kernel: str, h: float) -> bool:
        """Whether a pass at this kernel and bandwidth may use the summary's grid."""
        return not self.binned or (REGISTRY[kernel].binning is not None
                                   and self.step <= h / binning.POINTS_PER_BANDWIDTH)

    @cached_property
    def exact(self) -> KeySummary:
        """The same keys and columns with every key its own point, for the passes the grid
        does not resolve (made once, kept with the summary)."""
        if not self.binned:
            return self
        edges = np.append(self.column_lo, self.column_hi[-1])
        column_of_key = np.clip(np.searchsorted(edges, self.keys, "right") - 1, 0,
                                self.column_lo.size - 1)
        return KeySummary(self.keys, self.values, self.keys, np.ones(self.keys.size),
                          self.values, column_of_key, self.column_lo, self.column_hi,
                          self.column_centres, self.column_counts, self.column_values)


def summarise_keys(keys, values, *, max_columns: int, binned: bool = False,
                   cells_per_column: int = CELLS_PER_COLUMN) -> KeySummary:
    """Sorted keys and their heatmap columns (one per key up to ``max_columns`` keys, else
    equal-width bins of x); with ``binned`` the keys' linear binning on a fine grid instead."""
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    if keys.size <= max_columns and not binned:
        lo, hi = cell_edges(keys)
        columns = np.arange(keys.size)
        return KeySummary(keys, values, keys, np.ones(keys.size), values, columns, lo, hi, keys,
                          np.ones(keys.size, dtype=int), values)
    n_columns = max_columns
    edges = np.linspace(keys[0], keys[-1], n_columns + 1)
    column_of_key = np.clip(np.searchsorted(edges, keys, "right") - 1, 0, n_columns - 1)
    column_counts = np.bincount(column_of_key, minlength=n_columns)
    value_totals = np.bincount(column_of_key, values, minlength=n_columns)
    column_values = np.divide(value_totals, column_counts,
                              out=np.full(n_columns, np.nan), where=column_counts > 0)
    lo, hi = edges[:-1], edges[1:]
    centres = 0.5 * (lo + hi)
    if not binned:
        return KeySummary(keys, values, keys, np.ones(keys.size), values, column_of_key, lo, hi,
                          centres, column_counts, column_values)
    width = float(edges[1] - edges[0])
    if width <= 0:  # keys all equal: one point holds them
        return KeySummary(keys, values, keys[:1], np.array([float(keys.size)]),
                          np.array([values.sum()]), np.zeros(1, dtype=int), lo[:1], hi[:1],
                          centres[:1], column_counts[:1], column_values[:1])
    step = width / cells_per_column
    position = np.clip((keys - edges[column_of_key]) / step, 0.0, cells_per_column)
    cell = np.minimum(position.astype(np.int64), cells_per_column - 1)
    fraction = position - cell
    first_point = column_of_key * (cells_per_column + 1) + cell
    size = n_columns * (cells_per_column + 1)
    counts = (np.bincount(first_point, 1.0 - fraction, size)
              + np.bincount(first_point + 1, fraction, size))
    value_sums = (np.bincount(first_point, (1.0 - fraction) * values, size)
                  + np.bincount(first_point + 1, fraction * values, size))
    grid = (edges[:-1, None] + step * np.arange(cells_per_column + 1)[None, :]).ravel()
    held = counts > 0  # points without weight must not be anyone's "nearest key"
    return KeySummary(keys, values, grid[held], counts[held], value_sums[held],
                      np.repeat(np.arange(n_columns), cells_per_column + 1)[held], lo, hi,
                      centres, column_counts, column_values, step=step)


@dataclass(frozen=True, eq=False)
class PassResult:
    """Per query: the NW fit, local linear (or None), effective keys and the heatmap row."""

    fit: np.ndarray
    local_linear: np.ndarray | None
    effective_keys: np.ndarray
    weights: np.ndarray         # n_queries × n_columns, rows sum to 1 (0 for empty windows)


def attention_pass(queries, summary: KeySummary, kernel: str, h: float, *,
                   with_local_linear: bool = False) -> PassResult:
    """Everything a view shows at one kernel and bandwidth, from one pass over the summary."""
    if kernel == "constant":
        n = summary.keys.size
        weights = np.tile(summary.column_counts / n, (queries.size, 1))
        line = local_linear(queries, summary.keys, summary.values, kernel="constant",
                            bandwidth=h) if with_local_linear else None
        return PassResult(np.full(queries.shape, summary.values.mean()), line,
                          np.full(queries.shape, float(n)), weights)
    if not summary.resolves(kernel, h):
        raise ValueError(f"this summary's grid does not resolve h = {h:g} for {kernel!r}.")
    low, high = float(summary.values.min()), float(summary.values.max())
    middle = 0.5 * (low + high)
    columns = np.column_stack([summary.value_sums - middle * summary.counts, summary.counts])
    squares = np.zeros(queries.size)
    totals = np.zeros((queries.size, summary.column_lo.size))
    unit_counts = not summary.binned

    def accumulate(rows, first, tile):
        stop = first + tile.shape[1]
        weighted = tile if unit_counts else tile * summary.counts[first:stop]
        squares[rows] += np.einsum("ij,ij->i", tile, weighted)
        owners = summary.column_of_point[first:stop]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(owners)) + 1))
        block = totals[rows]
        block[:, owners[starts]] += np.add.reduceat(weighted, starts, axis=1)
        totals[rows] = block

    degree = 1 if (with_local_linear or summary.binned) else 0
    every_key = not summary.binned and windows_hold_every_key(queries, summary.points, kernel, h)
    sums, offsets = local_sums(queries, summary.points, columns, kernel, h, degree=degree,
                               every_key=every_key, on_tile=accumulate)
    weight = sums[:, 0, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = np.clip(middle + sums[:, 0, 0] / weight, low, high)
        effective = np.where(squares > 0, weight * weight / squares, 0.0)
    fit[weight <= 0] = np.nan
    line = middle + local_linear_from_moments(sums, offsets)[0] if with_local_linear else None
    if summary.binned:
        _recompute_unreliable(queries, summary, kernel, h, sums, offsets, fit, line)
    row_totals = totals.sum(axis=1, keepdims=True)
    weights = np.divide(totals, row_totals, out=np.zeros_like(totals), where=row_totals > 0)
    return PassResult(fit, line, effective, weights)


def _recompute_unreliable(queries, summary, kernel, h, sums, offsets, fit, line):
    """Recompute exactly (in place) the fits whose binning error may exceed the target."""
    s0, s1, s2 = sums[:, 0, 1], sums[:, 1, 1], sums[:, 2, 1]
    square_moment = s2 - 2.0 * offsets * s1 + offsets * offsets * s0  # Σ K u², u about x
    estimate = binning.estimated_error(kernel, summary.step / h, s0, square_moment)
    with np.errstate(invalid="ignore", divide="ignore"):
        unreliable = ~(binning.ERROR_SAFETY * estimate <= binning.ERROR_TARGET) & (s0 > 0)
        if line is not None:
            # (s1, s2 are about the tile's centre; the amplification needs S₂ about x)
            amplification = binning.local_linear_amplification(s0, square_moment,
                                                               s0 * s2 - s1 * s1)
            line_unreliable = ~(binning.ERROR_SAFETY * estimate * amplification
                                <= binning.ERROR_TARGET) & (s0 > 0)
    if np.any(unreliable):
        fit[unreliable] = nadaraya_watson(queries[unreliable], summary.keys, summary.values,
                                          kernel=kernel, bandwidth=h, method="exact")
    if line is not None and np.any(line_unreliable):
        line[line_unreliable] = local_linear(queries[line_unreliable], summary.keys,
                                             summary.values, kernel=kernel, bandwidth=h,
                                             method="exact")


def cell_edges(centres):
    """Edges halfway between sorted neighbours; the outer cells are as wide as their neighbour."""
    centres = np.asarray(centres, dtype=np.float64)
    if centres.size == 1:
        half = 0.5 if centres[0] == 0 else 0.05 * abs(centres[0])
        return centres - half, centres + half
    mid = 0.5 * (centres[1:] + centres[:-1])
    lo = np.concatenate(([centres[0] - (mid[0] - centres[0])], mid))
    hi = np.concatenate((mid, [centres[-1] + (centres[-1] - mid[-1])]))
    return lo, hi
