"""Argument checks shared by nwcore's public functions.

Every public function validates at its boundary and raises ``ValueError`` with a message a
person can act on, before any array work (the scikit-learn convention).
"""

from __future__ import annotations

import math
import sys
from numbers import Integral, Real

import numpy as np

#: Coordinates beyond this magnitude make (x - x_i)^2 overflow float64; standardise such data.
MAX_ABS_COORDINATE = 1e150


def as_finite_vector(values, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``values`` as a 1-D float64 array, or raise ``ValueError`` saying what is wrong."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers; could not convert them ({error}).") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got an array of shape {array.shape}.")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty; give at least one value.")
    # One pass each for min and max; NaN fails the comparison too, and is told apart below.
    limit = MAX_ABS_COORDINATE
    if array.size and not (-limit <= array.min() and array.max() <= limit):
        bad = int(np.count_nonzero(~np.isfinite(array)))
        if bad:
            raise ValueError(
                f"{name} contains {bad} non-finite value(s) (NaN or inf); drop or fill them first."
            )
        raise ValueError(
            f"{name} has values beyond ±{MAX_ABS_COORDINATE:g}; rescale the data first."
        )
    return array


def check_bandwidth(bandwidth) -> float:
    """Return the bandwidth h as a float; h must be a finite number > 0 and not subnormal
    (below 2.2e-308, 1/h overflows)."""
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, (Real, np.floating, np.integer)):
        raise ValueError(f"bandwidth must be a positive number; got {bandwidth!r}.")
    h = float(bandwidth)
    if not math.isfinite(h) or h <= 0.0:
        raise ValueError(
            f"bandwidth must be a finite number > 0; got {h!r}. "
            "Use kernel='constant' (average pooling) for an infinitely wide kernel."
        )
    if h < sys.float_info.min:
        raise ValueError(
            f"bandwidth {h!r} is subnormal (below {sys.float_info.min:.3g}), so 1/h overflows; "
            f"use a bandwidth of at least {sys.float_info.min:.3g}."
        )
    return h


def check_same_length(keys: np.ndarray, values: np.ndarray) -> None:
    """Keys and values pair up one to one."""
    if keys.shape != values.shape:
        raise ValueError(
            f"keys and values must have the same length; got {keys.size} keys and "
            f"{values.size} values."
        )


METHODS = ("auto", "exact", "binned")


def check_method(method) -> str:
    """Return the computation method, or raise ``ValueError`` listing the known ones."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    return method


def as_finite_matrix(values, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``values`` as a 2-D float64 array (a vector becomes one column), or raise.

    Rows are points (or value vectors), columns their coordinates; the checks are those of
    :func:`as_finite_vector`, on every entry.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers; could not convert them ({error}).") from None
    if array.ndim < 2:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a vector or a matrix (rows × columns); got an array "
                         f"of shape {array.shape}.")
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no columns; give at least one coordinate.")
    as_finite_vector(array.ravel(), name, allow_empty=allow_empty)
    return array


def check_seed(seed) -> int:
    """Return a random seed as an int, or raise: a whole number in [0, 2³²)."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2³²); got {seed!r}.")
    return int(seed)
