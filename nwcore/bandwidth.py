"""Choosing the bandwidth h: rules of thumb and criterion curves (leave-one-out CV and GCV).

Rules of thumb (statsmodels' definitions, for a Gaussian kernel):

    silverman = 0.9 · A · n^(-1/5),   scott = 1.059 · A · n^(-1/5),   A = min(std, IQR / 1.349).

A falls back to the standard deviation when the IQR is 0 (many tied keys) and to 1.0 when the
keys do not vary at all (or n = 1): there is no scale to learn from.

Criteria, with the NW hat matrix W (ŷ = W y, rows of W are the attention weights):

    leave-one-out CV(h) = mean_i (y_i - ŷ_{-i})²,
        ŷ_{-i} = (Σ_j K_ij y_j - K_ii y_i) / (Σ_j K_ij - K_ii)   (self-weight zeroed, no refits),
    GCV(h) = mean_i (y_i - ŷ_i)² / (1 - mean_i W_ii)².

Points whose leave-one-out window is empty (compact kernels, no other key within h) have no
ŷ_{-i} and are left out of the mean; NaN when every point is left out. GCV is NaN where the
smoother interpolates (mean W_ii = 1). The curves use the exact tiled sums or, for large n, the
binned sums of :mod:`nwcore.binning` (keys the grid cannot resolve are redone exactly).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import binning, tiles
from ._validation import as_finite_vector, check_bandwidth, check_method, check_same_length
from .binning import sum_of_squares
from .kernels import COMPACT_KERNELS, REGISTRY, check_kernel, equivalent_bandwidth
from .tiles import local_sums, nearest_other_key

SELECTION_METHODS = ("loo_cv", "gcv", "silverman", "scott")
#: Criteria for class labels (Parzen-window classification, :mod:`nwcore.classification`).
CLASSIFICATION_SELECTION_METHODS = ("loo_log_loss", "loo_error_rate")
#: The grid search spans [1e-3, 10] × the key range, in this many log-spaced bandwidths.
SEARCH_RANGE = (1e-3, 10.0)
SEARCH_POINTS = 40
#: The refinement stops when log h is known to this accuracy (0.1 %).
SEARCH_TOLERANCE = 1e-3


def silverman_bandwidth(x) -> float:
    """Silverman's rule of thumb 0.9 · A · n^(-1/5) (a Gaussian-kernel h; see the module notes)."""
    x = as_finite_vector(x, "x")
    return 0.9 * robust_spread(x) * x.size ** -0.2


def scott_bandwidth(x) -> float:
    """Scott's rule of thumb 1.059 · A · n^(-1/5) (a Gaussian-kernel h; see the module notes)."""
    x = as_finite_vector(x, "x")
    return 1.059 * robust_spread(x) * x.size ** -0.2


def loo_cv_curve(keys, values, bandwidths, *, kernel: str = "gaussian",
                 method: str = "auto") -> np.ndarray:
    """Leave-one-out mean squared error of Nadaraya–Watson at each bandwidth (NaN if undefined)."""
    data = _prepare(keys, values, kernel, method)
    return _curves(*data, check_bandwidths(bandwidths), with_gcv=False)[0]


def gcv_curve(keys, values, bandwidths, *, kernel: str = "gaussian",
              method: str = "auto") -> np.ndarray:
    """Generalised cross-validation mean((y - ŷ)²) / (1 - mean(W_ii))² at each bandwidth."""
    data = _prepare(keys, values, kernel, method)
    return _curves(*data, check_bandwidths(bandwidths), with_gcv=True)[1]


def select_bandwidth(keys, values, *, method: str = "loo_cv", kernel: str = "gaussian") -> float:
    """The bandwidth chosen by ``method``: "loo_cv", "gcv", "silverman" or "scott".

    The rules of thumb are converted to the kernel's own h (same kernel std as the Gaussian
    rule). The criteria are minimised over a 40-point log grid on [1e-3, 10] × key range, then
    by a bounded Brent search in log h between the best point's neighbours. Where the binned
    path is used (n² > 2e7) the search starts at the smallest h it resolves (≈ 0.002 × range;
    the exact sums below would take minutes). For compact kernels the leave-one-out search starts
    at the smallest h that leaves no window empty, so every point counts. With the constant
    kernel, or keys that do not vary, every h fits alike: the rule of thumb is returned.

    Keys of shape (n, d) or value columns go to :func:`nwcore.select_vector_bandwidth`; with
    ``method`` "loo_log_loss" or "loo_error_rate", ``values`` are class labels and the bandwidth
    minimises that leave-one-out classification criterion
    (:func:`nwcore.select_classification_bandwidth`).
    """
    if method in CLASSIFICATION_SELECTION_METHODS:
        from .classification import select_classification_bandwidth  # it imports this module

        return select_classification_bandwidth(keys, values, criterion=method[len("loo_"):],
                                               kernel=kernel)
    if method not in SELECTION_METHODS:
        raise ValueError(f"unknown bandwidth method {method!r}; choose one of "
                         f"{', '.join(SELECTION_METHODS + CLASSIFICATION_SELECTION_METHODS)}.")
    from .vectors import select_vector_bandwidth, uses_vector_path  # it imports this module

    if uses_vector_path(keys, values):
        return select_vector_bandwidth(keys, values, method=method, kernel=kernel)
    if method in ("silverman", "scott"):
        keys = as_finite_vector(keys, "keys")
        rule = scott_bandwidth if method == "scott" else silverman_bandwidth
        return equivalent_bandwidth(check_kernel(kernel), rule(keys))
    return search_bandwidths(keys, values, kernel=kernel, methods=(method,)).chosen[method]


@dataclass(frozen=True, eq=False)
class BandwidthSearch:
    """Leave-one-out CV and GCV over a grid of bandwidths (NaN where undefined or not asked
    for), and the bandwidth each criterion chooses (:func:`search_bandwidths`)."""

    grid: np.ndarray
    loo_cv: np.ndarray
    gcv: np.ndarray
    chosen: dict[str, float]


def search_bandwidths(keys, values, *, kernel: str = "gaussian", grid=None,
                      methods=("loo_cv", "gcv")) -> BandwidthSearch:
    """:func:`select_bandwidth` for the criteria in ``methods`` at once: both curves over one
    grid of bandwidths in one pass over the keys, then a Brent search around each minimum.

    ``grid`` defaults to :func:`select_bandwidth`'s; a given grid (the Bandwidth page's) is
    searched where the criterion is meant to be searched: above the smallest h the binned path
    resolves for large n and, for the leave-one-out search with a compact kernel, above the
    smallest h that leaves no window empty.
    """
    for method in methods:
        if method not in ("loo_cv", "gcv"):
            raise ValueError(f"search_bandwidths minimises 'loo_cv' and 'gcv'; got {method!r}.")
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    kernel = check_kernel(kernel)
    rule_of_thumb = equivalent_bandwidth(kernel, silverman_bandwidth(keys))
    span = float(keys.max() - keys.min())
    alike = kernel == "constant" or span == 0.0  # every h fits alike: the rule of thumb
    if alike and grid is None:
        undefined = np.empty(0)
        return BandwidthSearch(grid=undefined, loo_cv=undefined, gcv=undefined,
                               chosen=dict.fromkeys(methods, rule_of_thumb))
    data = _prepare(keys, values, kernel, "auto")
    binned_keys = binning.BinnedKeys(*data[:2])  # binned once for the curves and the searches
    lows = {method: _search_low(data[0], kernel, method, span) for method in methods}
    if grid is None:
        low = max(lows.values())
        grid = np.geomspace(low, max(SEARCH_RANGE[1] * span, 10.0 * low), SEARCH_POINTS)
    else:
        grid = check_bandwidths(grid)
    loo_cv, gcv = _curves(*data, grid, with_gcv="gcv" in methods, binned_keys=binned_keys)
    curves = {"loo_cv": loo_cv, "gcv": gcv}
    chosen = {}
    for method in methods:
        if alike:
            chosen[method] = rule_of_thumb
            continue
        searched = np.where(grid >= lows[method] * (1.0 - 1e-12), curves[method], np.nan)
        chosen[method] = (_refine(data, grid, searched, method, binned_keys)
                          if np.any(np.isfinite(searched)) else rule_of_thumb)
    return BandwidthSearch(grid=grid, loo_cv=loo_cv, gcv=gcv, chosen=chosen)


def _search_low(sorted_keys, kernel, method, span):
    """Where a criterion's search starts (see :func:`search_bandwidths`)."""
    low = SEARCH_RANGE[0] * span
    if tiles.prefers_binned(float(sorted_keys.size) ** 2):  # exact sums at tiny h: minutes
        low = max(low, binning.smallest_bandwidth(span))
    if method == "loo_cv" and kernel in COMPACT_KERNELS:
        low = max(low, _smallest_covering_bandwidth(sorted_keys, kernel))
    return low


def _refine(data, grid, curve, method, binned_keys):
    """Brent's bounded search in log h between the grid neighbours of the curve's minimum."""
    which, with_gcv = (0, False) if method == "loo_cv" else (1, True)

    def criterion(h):
        return _curves(*data, np.array([h]), with_gcv=with_gcv, binned_keys=binned_keys)[which][0]

    return refine_log_minimum(criterion, grid, curve,
                              lowest=int(np.flatnonzero(np.isfinite(curve))[0]))


def refine_log_minimum(criterion, grid, curve, *, lowest: int = 0) -> float:
    """argmin of ``criterion(h)`` near the smallest value of ``curve`` (the criterion on the
    log-spaced ``grid``, NaN where undefined): Brent's bounded search in log h between the grid
    neighbours of that point (none below ``grid[lowest]``); the grid point itself unless the
    search finds a lower value."""
    from scipy.optimize import minimize_scalar  # imported when first needed: it is slow to load

    best = int(np.nanargmin(curve))

    def in_log(log_h):
        value = criterion(math.exp(log_h))
        return value if np.isfinite(value) else np.inf

    bounds = (math.log(grid[max(best - 1, lowest)]), math.log(grid[min(best + 1, grid.size - 1)]))
    # inf marks an h where the criterion is undefined: a parabola step through it is NaN, which
    # Brent's method rejects (it takes a golden-section step instead), so its warning is noise.
    with np.errstate(invalid="ignore"):
        refined = minimize_scalar(in_log, bounds=bounds, method="bounded",
                                  options={"xatol": SEARCH_TOLERANCE})
    return float(math.exp(refined.x)) if refined.fun <= curve[best] else float(grid[best])


def _prepare(keys, values, kernel, method):
    """Validated (sorted keys, values minus their mid-range, kernel, method) for the curves."""
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    if keys.size < 2:
        raise ValueError("cross-validation needs at least 2 points (one to leave out, one to "
                         "predict it from).")
    kernel = check_kernel(kernel)
    method = check_method(method)
    order = np.argsort(keys)
    return keys[order], values[order] - 0.5 * (values.max() + values.min()), kernel, method


def check_bandwidths(bandwidths):
    bandwidths = np.atleast_1d(np.asarray(bandwidths, dtype=object))
    if bandwidths.ndim != 1:
        raise ValueError("bandwidths must be a one-dimensional list of numbers.")
    return np.array([check_bandwidth(h) for h in bandwidths], dtype=np.float64)


def _curves(sorted_keys, values, kernel, method, bandwidths, *, with_gcv, binned_keys=None):
    """(leave-one-out CV, GCV) arrays over the bandwidths (GCV all NaN without ``with_gcv``);
    ``binned_keys``: the keys' :class:`nwcore.binning.BinnedKeys`, kept between calls."""
    n = sorted_keys.size
    loo_cv = np.full(bandwidths.size, np.nan)
    gcv = np.full(bandwidths.size, np.nan)
    for index, loo_squares, loo_count, residual_squares, influence in _leave_one_out_sums(
            sorted_keys, values, bandwidths, kernel, method, with_gcv, binned_keys):
        if loo_count:
            loo_cv[index] = loo_squares / loo_count
        remaining = 1.0 - influence / n
        if with_gcv and remaining > 0:
            gcv[index] = residual_squares / n / remaining ** 2
    return loo_cv, gcv


def _leave_one_out_sums(sorted_keys, values, bandwidths, kernel, method, with_gcv,
                        binned_keys):
    """Per bandwidth: (index, Σ (y - ŷ_{-i})² over the defined ŷ_{-i}, their number,
    Σ (y - ŷ)², Σ W_ii); the GCV sums are NaN without ``with_gcv``."""
    n = values.size
    if kernel == "constant":
        loo_residuals = (values - values.mean()) * n / (n - 1)
        full_residuals = values - values.mean()
        for index in range(bandwidths.size):
            yield index, sum_of_squares(loo_residuals), n, sum_of_squares(full_residuals), 1.0
        return
    span = float(sorted_keys[-1] - sorted_keys[0])
    binned = np.array([tiles.choose_method(method, kernel, h, evaluations=float(n) ** 2,
                                           span=span) == "binned" for h in bandwidths],
                      dtype=bool)
    everyone = np.arange(n)
    for index in np.flatnonzero(~binned):
        loo_fit, full_fit, influence = _exact_leave_one_out(sorted_keys, values, kernel,
                                                            bandwidths[index], everyone)
        loo_squares, loo_count = _squares_where_defined(values, loo_fit)
        yield index, loo_squares, loo_count, sum_of_squares(values - full_fit), \
            float(np.sum(influence))
    chosen = np.flatnonzero(binned)
    for position, loo_squares, loo_count, residual_squares, influence, redo in \
            binning.binned_leave_one_out(sorted_keys, values, bandwidths[chosen], kernel=kernel,
                                         with_gcv=with_gcv, binned_keys=binned_keys):
        if redo.size:
            loo_fit = _exact_leave_one_out(sorted_keys, values, kernel,
                                           bandwidths[chosen[position]], redo)[0]
            extra_squares, extra_count = _squares_where_defined(values[redo], loo_fit)
            loo_squares, loo_count = loo_squares + extra_squares, loo_count + extra_count
        yield chosen[position], loo_squares, loo_count, residual_squares, influence


def _squares_where_defined(values, fit):
    """Σ (y - fit)² over the entries where the fit is defined, and how many there are."""
    defined = np.isfinite(fit)
    return sum_of_squares(values[defined] - fit[defined]), int(np.count_nonzero(defined))


def _exact_leave_one_out(sorted_keys, values, kernel, h, subset):
    """Exact (ŷ_{-i}, ŷ_i, W_ii) for the keys at ``subset`` (indices into the sorted keys).

    The leave-one-out sums zero the self-weight and, for the Gaussian, are shifted by the
    nearest *other* key (that key weighs 1), whose logit lies ``shift`` above the self-weight's
    scale: the self-weight is e^shift in these units, so with s = e^-shift

        ŷ_i = (N s + y_i) / (D s + 1),   W_ii = 1 / (D s + 1).
    """
    columns = np.column_stack([values, np.ones_like(values)])
    sums, _ = local_sums(sorted_keys[subset], sorted_keys, columns, kernel, h, self_index=subset)
    numerator, denominator = sums[:, 0, 0], sums[:, 0, 1]
    loo_fit = np.divide(numerator, denominator, out=np.full(subset.size, np.nan),
                        where=denominator > 0)
    if kernel == "gaussian":
        nearest = nearest_other_key(sorted_keys, subset)
        with np.errstate(over="ignore"):  # the nearest other key beyond ~1e154 h: s = 0
            self_scale = np.exp(-np.square((sorted_keys[subset] - nearest) * (np.sqrt(0.5) / h)))
    else:
        self_scale = np.ones(subset.size)
    total = denominator * self_scale + 1.0
    return loo_fit, (numerator * self_scale + values[subset]) / total, 1.0 / total


def _smallest_covering_bandwidth(sorted_keys, kernel):
    """Smallest h whose leave-one-out windows all hold another key (compact kernels)."""
    gaps = np.diff(sorted_keys)
    nearest_other = np.minimum(np.append(gaps, np.inf), np.insert(gaps, 0, np.inf))
    widest = float(nearest_other.max())
    return widest if REGISTRY[kernel].closed else widest * (1.0 + 1e-6)


def robust_spread(x):
    """min(std, IQR/1.349); the std if the IQR is 0; 1.0 if the keys do not vary."""
    if x.size < 2:
        return 1.0
    std = float(np.std(x, ddof=1))
    quartiles = np.percentile(x, [25.0, 75.0])
    iqr = float(quartiles[1] - quartiles[0]) / 1.349
    spread = min(std, iqr) if iqr > 0 else std
    return spread if spread > 0 else 1.0
