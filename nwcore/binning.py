"""Binned kernel sums: linear binning on a regular grid and FFT convolution with the kernel.

With G grid points g_k = start + k·Δ, a key x_i = g_j + f·Δ (0 ≤ f < 1) puts weight (1 - f) on
g_j and f on g_{j+1} (linear binning). Sums over keys become sums over grid points,

    Σ_i K((x_i - g)/h) c_i  ≈  Σ_k K((g_k - g)/h) C_k,   C_k = binned c,

one discrete convolution with the sampled kernel for all g at once (FFT, O(G log G)), and a query
between g_j and g_{j+1} reads the linear interpolation of the gridded sums with the same weights.

Error. Binning and interpolation each replace K by its linear interpolant over one cell, an error
≤ Δ²/8·|K''| per key: for the Gaussian (Δ/h)²/8·|u² - 1|·K(u). A Nadaraya–Watson value is
therefore off by at most ≈ (Δ/h)²/4·(ū² + 1)·(max y - min y), with ū² the weighted mean of
u² = ((x_i - x)/h)². The grid takes ``POINTS_PER_BANDWIDTH`` = 512 points per h, so the bound is
≈ 1e-6·range at ū² ≈ 1 (dense data); queries whose own estimate (×2 safety) exceeds
``ERROR_TARGET`` = 1e-5 (sparse neighbourhoods, gaps wider than ~2h), or whose denominator is
below the FFT's rounding level, are reported *unreliable* and the callers recompute them exactly.
Compact kernels have kinks, where one key's weight can be off by Δ/2h; their estimate is
Δ/(2h·ΣK) + 2(Δ/h)², so only windows holding many keys stay binned. The boxcar jumps (error of
order Δ/h) and is not binned. A local linear value combines weighted means with weights that
grow where the line is extrapolated: its estimate is multiplied by S₀S₂/(S₀S₂ - S₁²) = 1 + ū²/var(u)
(1 in the middle of the keys, about 4 at the edge of dense data, large in gaps).

Leave-one-out. Key i's own binned contribution to the sums interpolated at x_i is

    w_i = Σ_{a,b ∈ {j, j+1}} β_a β_b K((g_a - g_b)/h) = K(0)·((1-f)² + f²) + 2f(1-f)·K(Δ/h),

(β = (1 - f, f), the same weights for binning and interpolation), not K(0). Subtracting
w_i·(y_i, 1) removes exactly what the grid attributed to i, so the leave-one-out sums keep only
the binning error of the *other* keys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .kernels import BINNABLE_KERNELS, REGISTRY, kernel_values

#: Grid points per bandwidth: Δ ≤ h/512.
POINTS_PER_BANDWIDTH = 512
#: Fewest and most grid points (powers of 4); a bandwidth needing more is computed exactly.
GRID_MIN = 1 << 12
GRID_MAX = 1 << 18
#: Target error of a binned prediction, relative to the range of the values.
ERROR_TARGET = 1e-5
#: Margin on the estimated error before a query counts as reliable.
ERROR_SAFETY = 2.0
#: Keys processed at once when summing leave-one-out residuals (fits in cache).
KEY_CHUNK = 1 << 15


def points_span(queries, keys) -> float:
    """Width of the interval holding every key and query (the grid must cover all of them)."""
    low = min(keys.min(), queries.min()) if queries.size else keys.min()
    high = max(keys.max(), queries.max()) if queries.size else keys.max()
    return float(high - low)


def grid_size(span: float, bandwidth: float, kernel: str) -> int | None:
    """Grid points giving ≥ 512 points per h, or None if that needs more than GRID_MAX.

    Sizes are powers of 4 (4096 … 262144), so a curve over many bandwidths bins its keys on
    few distinct grids.
    """
    if kernel not in BINNABLE_KERNELS:
        return None
    needed = span / bandwidth * POINTS_PER_BANDWIDTH + 1.0
    if needed > GRID_MAX:
        return None
    return max(GRID_MIN, 1 << (2 * math.ceil(math.log2(needed) / 2)))


def smallest_bandwidth(span: float) -> float:
    """The smallest h that a grid of GRID_MAX points over ``span`` resolves."""
    return span * POINTS_PER_BANDWIDTH / (GRID_MAX - 1)


def check_binnable(span: float, bandwidth: float, kernel: str) -> None:
    """Raise ``ValueError`` when ``method="binned"`` cannot meet its error bound."""
    if kernel not in BINNABLE_KERNELS:
        raise ValueError(f"method='binned' supports the {', '.join(BINNABLE_KERNELS)} kernels, "
                         f"not {kernel!r} (its jumps defeat binning); use method='exact'.")
    if grid_size(span, bandwidth, kernel) is None:
        raise ValueError(
            f"bandwidth {bandwidth:g} is too small for method='binned' over a span of {span:g} "
            f"(it needs h ≥ {smallest_bandwidth(span):.3g}); use method='exact'.")


@dataclass(frozen=True)
class Grid:
    """Regular grid start + k·step, k = 0 … size - 1, and where given points fall on it."""

    start: float
    step: float
    size: int

    @classmethod
    def covering(cls, low: float, span: float, size: int, bandwidth: float) -> "Grid":
        step = span / (size - 1) if span > 0 else bandwidth / POINTS_PER_BANDWIDTH
        return cls(low, step, size)

    def locate(self, x):
        """Cell index j (0 ≤ j ≤ size - 2) and fraction f ∈ [0, 1] with x = g_j + f·step.

        The points must lie on the grid's span (start ≤ x ≤ start + (size - 1)·step).
        """
        position = (x - self.start) / self.step
        cell = np.minimum(position.astype(np.int64), self.size - 2)
        fraction = position
        fraction -= cell
        return cell, np.minimum(fraction, 1.0, out=fraction)

    def bin(self, cell, fraction, columns):
        """Linear binning of per-point columns (n × m) onto the grid: (size × m)."""
        binned = np.zeros((self.size, columns.shape[1]))
        for k in range(columns.shape[1]):
            upper = fraction * columns[:, k]
            binned[1:, k] = np.bincount(cell, upper, self.size - 1)
            upper -= columns[:, k]
            binned[:-1, k] -= np.bincount(cell, upper, self.size - 1)
        return binned

    def convolve(self, binned, kernel, bandwidth, power=0):
        """Σ_k K(δ_k) δ_k^p binned_k at every grid point, δ_k = (g_k - g)/h; (size × m).

        One real FFT of each column and of the taps, padded to a fast length (as
        ``scipy.signal.fftconvolve`` does; ``scipy.fft`` is imported here, when first binned).
        """
        return self.convolve_spectrum(self.spectrum(binned, kernel, bandwidth), kernel,
                                      bandwidth, power)

    def spectrum(self, binned, kernel, bandwidth):
        """The FFT of binned columns (size × m), padded for the kernel's taps at this bandwidth
        (of the same length at every power): several convolutions of a column share it."""
        from scipy import fft

        return fft.rfft(binned, self._padded_length(kernel, bandwidth), axis=0)

    def convolve_spectrum(self, spectrum, kernel, bandwidth, power=0):
        """:meth:`convolve` of the columns whose :meth:`spectrum` is given."""
        from scipy import fft

        half, taps = self.taps(kernel, bandwidth, power)
        padded = self._padded_length(kernel, bandwidth)
        product = spectrum * fft.rfft(taps, padded)[:, None]
        return fft.irfft(product, padded, axis=0)[half:half + self.size]

    def _padded_length(self, kernel, bandwidth) -> int:
        from scipy import fft

        return fft.next_fast_len(self.size + 2 * self._half_length(kernel, bandwidth),
                                 real=True)

    def _half_length(self, kernel, bandwidth) -> int:
        return min(self.size - 1, int(math.ceil(REGISTRY[kernel].reach
                                                / (self.step / bandwidth))))

    def taps(self, kernel, bandwidth, power=0):
        """Half-length L and the sampled kernel K(δ)·(-δ)^p at offsets δ = kΔ/h, |k| ≤ L.

        The samples stop at the kernel's ``reach`` (its support, or |u| = 8.8 for the Gaussian,
        where exp(-8.8²/2) < 2e-17), and never reach past the grid.
        """
        ratio = self.step / bandwidth
        half = self._half_length(kernel, bandwidth)
        offsets = np.arange(-half, half + 1) * ratio
        return half, kernel_values(kernel, offsets) * (-offsets) ** power

    @staticmethod
    def interpolate(gridded, cell, fraction):
        """Linear interpolation of gridded columns (size × m) at located points: (n × m)."""
        left = np.take(gridded, cell, axis=0)
        right = np.take(gridded, cell + 1, axis=0)
        right -= left
        right *= fraction[:, None]
        right += left
        return right


def rounding_level(grid: Grid, binned_weights, kernel, bandwidth) -> float:
    """Absolute rounding error of an FFT-convolved sum: ~ eps·log2(N)·‖binned‖₂·‖taps‖₂ (×8)."""
    half, taps = grid.taps(kernel, bandwidth)
    length = grid.size + 2 * half
    return (8.0 * np.finfo(float).eps * math.log2(length)
            * math.sqrt(sum_of_squares(binned_weights) * sum_of_squares(taps)))


def estimated_error(kernel, ratio, weight, square_moment):
    """Estimated |binned - exact| / range(y) of a weighted mean with total kernel ``weight``.

    Smooth kernels (the Gaussian): (Δ/h)²/4·(ū² + 1) with ū² = ``square_moment``/``weight``;
    kinked kernels (triangular, Epanechnikov): Δ/(2h·weight) + 2(Δ/h)².
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if REGISTRY[kernel].binning == "smooth":
            return ratio * ratio / 4.0 * (square_moment / weight + 1.0)
        return ratio / (2.0 * weight) + 2.0 * ratio * ratio


def binned_fit(queries, keys, values, *, kernel, bandwidth, degree, combine):
    """Binned NW (degree 0) or local linear (degree 1) at the queries, and an unreliable mask.

    The moments Σ K u^p (y, 1), u = (x_i - g)/h, p ≤ 2·degree, are computed at every grid point
    g; ``combine(moments)`` (moments of shape (size, 1 or 3, 2)) turns them into the fit on the
    grid and a mask of grid points where it is defined, and queries read its linear
    interpolation. Values should be centred (the rounding error scales with |y|). Unreliable
    queries (see the module notes) hold NaN and must be recomputed exactly by the caller.
    """
    low = min(keys.min(), queries.min()) if queries.size else keys.min()
    span = points_span(queries, keys)
    grid = Grid.covering(low, span, grid_size(span, bandwidth, kernel), bandwidth)
    cell, fraction = grid.locate(keys)
    binned = grid.bin(cell, fraction, np.column_stack([values, np.ones_like(values)]))
    spectrum = grid.spectrum(binned, kernel, bandwidth)
    moments = np.stack([grid.convolve_spectrum(spectrum, kernel, bandwidth, power)
                        for power in range(2 * degree + 1)], axis=1)
    weight = moments[:, 0, 1]
    square_moment = (moments[:, 2, 1] if degree else
                     grid.convolve_spectrum(spectrum[:, 1:], kernel, bandwidth, 2)[:, 0])
    fit_on_grid, defined = combine(moments)
    reliable = defined & _reliable(grid, binned, kernel, bandwidth, weight, square_moment,
                                   _local_linear_amplification(moments) if degree else 1.0)
    query_cell, query_fraction = grid.locate(queries)
    fit = Grid.interpolate(np.where(reliable, fit_on_grid, 0.0)[:, None], query_cell,
                           query_fraction)[:, 0]
    unreliable = ~(reliable[query_cell] & reliable[query_cell + 1])
    fit[unreliable] = np.nan
    return fit, unreliable


class BinnedKeys:
    """Sorted keys and their values, with their linear binning on the grid last asked for
    (:meth:`on`), kept for the next call: a bandwidth search evaluates many bandwidths on few
    grids, and binning a million keys costs ~20 ms."""

    def __init__(self, sorted_keys, values):
        self.sorted_keys, self.values = sorted_keys, values
        self.grid: Grid | None = None

    def on(self, grid: Grid):
        """(cell, fraction, 2f(1 - f), binned (values, 1)) of the keys on ``grid``."""
        if grid != self.grid:
            cell, fraction = grid.locate(self.sorted_keys)
            binned = grid.bin(cell, fraction, np.column_stack([self.values,
                                                               np.ones_like(self.values)]))
            self.grid, self.located = grid, (cell, fraction, 2.0 * fraction * (1.0 - fraction),
                                             binned)
        return self.located


def binned_leave_one_out(sorted_keys, values, bandwidths, *, kernel, with_gcv=True,
                         binned_keys: BinnedKeys | None = None):
    """Binned leave-one-out and GCV sums over the (sorted) keys, one bandwidth at a time.

    Yields (index into ``bandwidths``, Σ (y_i - ŷ_{-i})², number of terms, Σ (y_i - ŷ_i)²,
    Σ W_ii, keys left out): with e_i = y_i·D_i - N_i (N, D the binned sums at x_i) and w_i the
    binned self-weight, y_i - ŷ_{-i} = e_i / (D_i - w_i), y_i - ŷ_i = e_i / D_i, W_ii = w_i / D_i.
    The keys left out lie in grid cells where the estimated error is above target (or the
    leave-one-out weight near the FFT's rounding level); the caller recomputes them exactly. Keys
    are binned once per grid size (``binned_keys``, a :class:`BinnedKeys` of these keys, keeps
    the last binning for the next call) and processed in cache-sized chunks. Values should be
    centred. Without ``with_gcv`` the two GCV sums are NaN (and not computed).
    """
    span = float(sorted_keys[-1] - sorted_keys[0])
    binned_keys = binned_keys or BinnedKeys(sorted_keys, values)
    sizes = [grid_size(span, h, kernel) for h in bandwidths]
    for index in sorted(range(len(bandwidths)), key=lambda i: sizes[i]):
        h = bandwidths[index]
        grid = Grid.covering(float(sorted_keys[0]), span, sizes[index], h)
        cell, fraction, spread, binned = binned_keys.on(grid)
        spectrum = grid.spectrum(binned, kernel, h)
        sums = grid.convolve_spectrum(spectrum, kernel, h, 0)
        numerator, denominator = np.ascontiguousarray(sums[:, 0]), np.ascontiguousarray(sums[:, 1])
        square_moment = grid.convolve_spectrum(spectrum[:, 1:], kernel, h, 2)[:, 0]
        # Per cell, the worst case over its keys: the smaller end weight less a whole K(0), the
        # larger end second moment.
        worst_weight = np.minimum(denominator[:-1], denominator[1:]) - 1.0
        worst_square = np.maximum(square_moment[:-1], square_moment[1:])
        cell_ok = _reliable(grid, binned, kernel, h, worst_weight, worst_square)
        key_ok = cell_ok[cell]
        self_loss = 1.0 - float(kernel_values(kernel, grid.step / h))
        totals = _leave_one_out_chunks(cell, fraction, spread, values, key_ok, numerator,
                                       denominator, self_loss, with_gcv)
        yield (index, *totals, np.flatnonzero(~key_ok))


def _leave_one_out_chunks(cell, fraction, spread, values, key_ok, numerator, denominator,
                          self_loss, with_gcv):
    """The sums of :func:`binned_leave_one_out` for one bandwidth, chunk by chunk."""
    step_numerator, step_denominator = np.diff(numerator), np.diff(denominator)
    loo_squares = 0.0
    residual_squares = influence = 0.0 if with_gcv else math.nan
    all_ok = bool(key_ok.all())
    for lo in range(0, values.size, KEY_CHUNK):
        part = slice(lo, lo + KEY_CHUNK)
        at, f = cell[part], fraction[part]
        weight = np.take(denominator, at) + f * np.take(step_denominator, at)
        error = values[part] * weight
        error -= np.take(numerator, at)
        error -= f * np.take(step_numerator, at)
        self_weight = 1.0 - spread[part] * self_loss
        if with_gcv:
            residual_squares += sum_of_squares(error / weight)
            influence += float(np.sum(self_weight / weight))
        weight -= self_weight
        with np.errstate(divide="ignore", invalid="ignore"):  # such keys are left out below
            loo_residual = np.divide(error, weight, out=error)
        if not all_ok:
            loo_residual[~key_ok[part]] = 0.0
        loo_squares += sum_of_squares(loo_residual)
    return loo_squares, int(np.count_nonzero(key_ok)), residual_squares, influence


def sum_of_squares(vector) -> float:
    """Σ v² without BLAS (OpenBLAS may wake its threads for a long dot product)."""
    return float(np.einsum("i,i->", vector, vector))


def _reliable(grid, binned, kernel, bandwidth, weight, square_moment, amplification=1.0):
    """Where a binned weighted mean meets the error target: its kernel weight is well above the
    FFT's rounding level and its estimated binning error (×2, × ``amplification``) is ≤
    ERROR_TARGET."""
    floor = rounding_level(grid, binned[:, 1], kernel, bandwidth) / (ERROR_TARGET / 10.0)
    estimate = estimated_error(kernel, grid.step / bandwidth, weight, square_moment)
    with np.errstate(invalid="ignore"):  # 0 · inf is NaN: not reliable
        return (weight > floor) & (ERROR_SAFETY * estimate * amplification <= ERROR_TARGET)


def _local_linear_amplification(moments):
    """:func:`local_linear_amplification` from moments about the query."""
    s0, s1, s2 = moments[:, 0, 1], moments[:, 1, 1], moments[:, 2, 1]
    return local_linear_amplification(s0, s2, s0 * s2 - s1 * s1)


def local_linear_amplification(s0, square_moment, determinant):
    """How much more a local linear value moves than the weighted means it is built from:
    S₀S₂ / (S₀S₂ - S₁²) = 1 + ū²/var(u), 1 in the middle of the keys and large where the line
    is extrapolated (one-sided or sparse windows); inf where the design is singular.
    ``square_moment`` is S₂ = Σ K u² with u measured from the query; ``determinant`` is
    S₀S₂ - S₁², the same about any centre."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(determinant > 0, s0 * square_moment / determinant, np.inf)
