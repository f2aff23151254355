"""How fast must the width shrink with n? The experiment of d2l's new edition, exercise 4.

For each n on a log grid: draw n training points from a known law, fit Nadaraya–Watson with
h = c · n^(-1/(4+d)), and measure the mean squared error against the noise-free truth; average
over repetitions (seeds). That rate balances the squared bias, O(h⁴), against the variance,
O(1/(n h^d)), so the error falls as

    MSE ∝ n^(-4/(4+d)):   slope -4/5 = -0.8 in 1-D,   -4/6 ≈ -0.667 in 2-D

on log-log axes: each extra dimension slows learning (the curse of dimensionality). Optionally
h is also chosen by leave-one-out CV on each sample, for comparison.

Laws (keys uniform on [0, 5]^d, noise N(0, 0.5²)):

* d = 1: d2l classic, f(x) = 2 sin x + x^0.8;
* d = 2: f(x₁, x₂) = 2 sin(x₁) cos(x₂ / 2) + x₂ / 2: smooth, bends in both coordinates
  (neither is redundant) and has the 1-D law's range of values.

The error is measured at interior points, [1, 4]^d (200 points in 1-D, a 30 × 30 grid in
2-D), at least 2h from the boundary for every n here: near a boundary NW's bias is O(h), not
O(h²), a slower rate that would bend the line (local linear regression removes it); and x^0.8
is not smooth at 0. Measured (20 repetitions, seeds 0–2, default sizes 100 … 20 000): slopes
≈ -0.83 in 1-D and ≈ -0.69 in 2-D, a little steeper than the limits because higher-order bias
terms still add to the error at the smallest n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd

from ._validation import check_seed
from .bandwidth import select_bandwidth
from .data import true_function
from .pooling import nadaraya_watson

DIMENSIONS = (1, 2)
#: Largest sample (each fit costs n × the evaluation points) and most repetitions and sizes.
MAX_SIZE = 100_000
MAX_REPETITIONS = 20
MAX_SIZES = 20
#: Largest sample whose bandwidth is also chosen by leave-one-out CV (O(n²) per bandwidth).
MAX_LOO_SIZE = 3_000
#: h = c · n^(-1/(4+d)) with this c by default: close to the MSE-optimal constant of each law.
DEFAULT_CONSTANTS = {1: 0.6, 2: 1.0}
NOISE = 0.5
DOMAIN = (0.0, 5.0)
INTERIOR = (1.0, 4.0)


@dataclass(frozen=True)
class ConsistencyResult:
    """Mean squared errors against the truth per sample size (see the module notes).

    ``mse_runs[s, r]`` is the error of repetition r at ``sizes[s]`` with the rate bandwidth
    ``bandwidths[s]``; ``mse`` their mean. With leave-one-out, ``loo_bandwidths`` and
    ``loo_mse_runs`` hold the same for the CV bandwidth (NaN for n above MAX_LOO_SIZE).
    """

    dimension: int
    constant: float
    sizes: np.ndarray
    bandwidths: np.ndarray
    mse_runs: np.ndarray
    loo_bandwidths: np.ndarray | None = None
    loo_mse_runs: np.ndarray | None = None

    @property
    def mse(self) -> np.ndarray:
        return self.mse_runs.mean(axis=1)

    @property
    def loo_mse(self) -> np.ndarray | None:
        return None if self.loo_mse_runs is None else self.loo_mse_runs.mean(axis=1)

    @property
    def theoretical_slope(self) -> float:
        """-4 / (4 + d): the MSE's log-log slope at the optimal rate."""
        return -4.0 / (4.0 + self.dimension)

    def slope(self) -> float:
        """Fitted log-log slope of the mean MSE against n (rate bandwidth)."""
        return fit_log_slope(self.sizes, self.mse)[0]

    def frame(self) -> pd.DataFrame:
        """Tidy rows: n, bandwidth choice ("rate" or "loo_cv"), repetition, h, mse."""
        rows = [("rate", self.bandwidths[:, None] * np.ones_like(self.mse_runs), self.mse_runs)]
        if self.loo_mse_runs is not None:
            rows.append(("loo_cv", self.loo_bandwidths, self.loo_mse_runs))
        repetitions = self.mse_runs.shape[1]
        return pd.DataFrame({
            "n": np.concatenate([np.repeat(self.sizes, repetitions) for _ in rows]),
            "bandwidth_choice": np.repeat([name for name, _, _ in rows], self.mse_runs.size),
            "repetition": np.concatenate([np.tile(np.arange(repetitions), self.sizes.size)
                                          for _ in rows]),
            "h": np.concatenate([h.ravel() for _, h, _ in rows]),
            "mse": np.concatenate([mse.ravel() for _, _, mse in rows]),
        }).dropna(subset=["mse"]).reset_index(drop=True)


def truth(dimension: int, x) -> np.ndarray:
    """The experiment's noise-free law f at x ((n,) for d = 1, (n × 2) for d = 2)."""
    x = np.asarray(x, dtype=np.float64)
    if dimension == 1:
        return true_function("2sin_x08", x)
    return 2.0 * np.sin(x[:, 0]) * np.cos(0.5 * x[:, 1]) + 0.5 * x[:, 1]


def default_sizes() -> np.ndarray:
    """8 sample sizes, log-spaced from 100 to 20 000."""
    return log_sizes(20_000)


def log_sizes(largest: int, count: int = 8, smallest: int = 100) -> np.ndarray:
    """``count`` sample sizes, log-spaced from ``smallest`` to ``largest`` (whole numbers)."""
    return np.unique(np.round(np.geomspace(smallest, largest, count)).astype(int))


def consistency_experiment(dimension: int = 1, *, sizes=None, repetitions: int = 5,
                           constant: float | None = None, loo_cv: bool = False, seed: int = 0,
                           kernel: str = "gaussian", progress=None) -> ConsistencyResult:
    """Run the experiment (see the module notes) and return the errors per n.

    ``sizes`` default to :func:`default_sizes`; ``constant`` c to DEFAULT_CONSTANTS[d]; the
    same ``seed`` gives the same numbers. ``progress(fraction)``, if given, is called with the
    share of the work done (0 … 1) after each fit; an exception it raises stops the experiment
    and propagates (a page cancels this way).
    """
    dimension, sizes, repetitions, constant = _check_arguments(dimension, sizes, repetitions,
                                                               constant)
    seed = check_seed(seed)
    evaluation = _evaluation_points(dimension)
    target = truth(dimension, evaluation)
    bandwidths = constant * sizes.astype(np.float64) ** (-1.0 / (4 + dimension))
    shape = (sizes.size, repetitions)
    mse_runs = np.empty(shape)
    loo_bandwidths = np.full(shape, np.nan) if loo_cv else None
    loo_mse_runs = np.full(shape, np.nan) if loo_cv else None
    costs = np.array([n * (1.0 + (loo_cv and n <= MAX_LOO_SIZE) * n / 50.0) for n in sizes])
    total, done = float(costs.sum() * repetitions), 0.0
    if progress is not None:
        progress(0.0)
    for s, n in enumerate(sizes):
        for r in range(repetitions):
            keys, values = _draw(dimension, int(n), np.random.default_rng([seed, s, r]))
            mse_runs[s, r] = _error(keys, values, evaluation, target, bandwidths[s], kernel)
            if loo_cv and n <= MAX_LOO_SIZE:
                chosen = select_bandwidth(keys, values, method="loo_cv", kernel=kernel)
                loo_bandwidths[s, r] = chosen
                loo_mse_runs[s, r] = _error(keys, values, evaluation, target, chosen, kernel)
            done += costs[s]
            if progress is not None:
                progress(min(1.0, done / total))
    return ConsistencyResult(dimension=dimension, constant=constant, sizes=sizes,
                             bandwidths=bandwidths, mse_runs=mse_runs,
                             loo_bandwidths=loo_bandwidths, loo_mse_runs=loo_mse_runs)


def fit_log_slope(sizes, errors) -> tuple[float, float]:
    """(slope, intercept) of the least-squares line log(error) = intercept + slope · log(n),
    over the entries where both are finite and > 0 (at least two needed)."""
    sizes = np.asarray(sizes, dtype=np.float64)
    errors = np.asarray(errors, dtype=np.float64)
    if sizes.shape != errors.shape or sizes.ndim != 1:
        raise ValueError("sizes and errors must be two lists of the same length.")
    usable = np.isfinite(sizes) & np.isfinite(errors) & (sizes > 0) & (errors > 0)
    if np.unique(sizes[usable]).size < 2:
        raise ValueError("a slope needs errors at two or more sizes (finite and > 0).")
    slope, intercept = np.polyfit(np.log(sizes[usable]), np.log(errors[usable]), 1)
    return float(slope), float(intercept)


def _draw(dimension, n, rng):
    keys = rng.uniform(*DOMAIN, (n, dimension))
    if dimension == 1:
        keys = keys[:, 0]
    return keys, truth(dimension, keys) + rng.normal(0.0, NOISE, n)


def _evaluation_points(dimension):
    if dimension == 1:
        return np.linspace(*INTERIOR, 200)
    grid = np.linspace(*INTERIOR, 30)
    first, second = np.meshgrid(grid, grid)
    return np.column_stack([first.ravel(), second.ravel()])


def _error(keys, values, evaluation, target, h, kernel):
    """Mean squared error of the fit against the truth (2-D keys take the vector path)."""
    fit = nadaraya_watson(evaluation, keys, values, kernel=kernel, bandwidth=h)
    return float(np.mean(np.square(fit - target)))


def _check_arguments(dimension, sizes, repetitions, constant):
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be 1 or 2; got {dimension!r}.")
    sizes = default_sizes() if sizes is None else np.asarray(sizes)
    if sizes.ndim != 1 or not 2 <= sizes.size <= MAX_SIZES \
            or not np.issubdtype(sizes.dtype, np.integer) \
            or sizes.min() < 10 or sizes.max() > MAX_SIZE:
        raise ValueError(f"sizes must be 2 to {MAX_SIZES} whole numbers in [10, {MAX_SIZE}].")
    if isinstance(repetitions, bool) or not isinstance(repetitions, Integral) \
            or not 1 <= repetitions <= MAX_REPETITIONS:
        raise ValueError(f"repetitions must be a whole number in [1, {MAX_REPETITIONS}]; got "
                         f"{repetitions!r}.")
    constant = DEFAULT_CONSTANTS[dimension] if constant is None else constant
    if isinstance(constant, bool) or not isinstance(constant, Real) \
            or not math.isfinite(constant) or constant <= 0:
        raise ValueError(f"constant must be a finite number > 0; got {constant!r}.")
    return int(dimension), np.unique(sizes.astype(np.int64)), int(repetitions), float(constant)


def consistency_lines(result: ConsistencyResult) -> pd.DataFrame:
    """The lines of the error-versus-n plot, long format (n, mse, series): the mean MSE
    (and with leave-one-out its mean where defined), the fitted power law, and the theoretical
    slope -4/(4+d) drawn through the fitted line at the geometric mean of n."""
    slope, intercept = fit_log_slope(result.sizes, result.mse)
    sizes = result.sizes.astype(np.float64)
    centre = float(np.exp(np.mean(np.log(sizes))))
    level = intercept + slope * math.log(centre)
    parts = [("mean error, h = c·n^(-1/(4+d))", sizes, result.mse),
             (f"fitted slope {slope:.3f}", sizes, np.exp(intercept + slope * np.log(sizes))),
             (f"theory: slope -4/(4+{result.dimension}) = {result.theoretical_slope:.3f}",
              sizes, np.exp(level + result.theoretical_slope * (np.log(sizes)
                                                                - math.log(centre))))]
    if result.loo_mse_runs is not None:
        defined = np.isfinite(result.loo_mse)
        parts.append(("leave-one-out h: mean error", sizes[defined],
                      result.loo_mse[defined]))
    return pd.DataFrame([(n, mse, name) for name, ns, errors in parts
                         for n, mse in zip(ns, errors)], columns=["n", "mse", "series"])


#: The slope table's column for the leave-one-out bandwidth's fitted slope.
LOO_SLOPE = f"fitted slope, h by leave-one-out (n ≤ {MAX_LOO_SIZE:,})"


def slope_table(results) -> pd.DataFrame:
    """One row per experiment (``results``: ConsistencyResults, one per dimension): d, the
    fitted log-log slope of the mean error against n with the rate bandwidth, the theory's
    -4/(4+d), and (when every experiment ran it) the slope with the leave-one-out bandwidth."""
    rows = []
    for result in results:
        row = {"d": result.dimension, "fitted slope": result.slope(),
               "theory −4/(4+d)": result.theoretical_slope}
        if result.loo_mse_runs is not None:
            row[LOO_SLOPE] = fit_log_slope(result.sizes, result.loo_mse)[0]
        rows.append(row)
    return pd.DataFrame(rows)
