"""Parzen-window classification: attention pooling with one-hot values.

With the one-hot vector of key i's class as its value, Nadaraya–Watson gives class probabilities

    p̂(c | q) = Σ_i α_i(q) [y_i = c],

the kernel-weighted share of class c among the keys near q (d2l new edition, exercise 1: the
Parzen-window classifier *is* NW). The rows are probability vectors (≥ 0, sum 1) and the decision
is their argmax. Any probability vectors work as values (soft labels); keys may be 1-D or d-D
(:mod:`nwcore.vectors`). A compact kernel's empty window gives a NaN row: no decision.

Leave-one-out criteria (self-weight zeroed, no refits), per bandwidth:

    log-loss    = mean_i -log max(p̂_{-i}(y_i | x_i), 1e-15)   (a confident miss costs ≤ 34.5)
    error rate  = mean_i [argmax_c p̂_{-i}(c | x_i) ≠ y_i]      (ties go to the first class)

Points whose leave-one-out window is empty are left out of both means; NaN if all are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import check_bandwidth
from .bandwidth import SEARCH_POINTS, refine_log_minimum
from .kernels import check_kernel
from .vectors import (
    check_bandwidths,
    check_loo_points,
    leave_one_out_fits,
    rule_of_thumb_bandwidth,
    search_interval,
    vector_nadaraya_watson,
)

#: Most distinct labels (a numeric column passed as labels would make one class per row).
MAX_CLASSES = 100
#: Probabilities below this count as this in the log-loss.
LOG_LOSS_FLOOR = 1e-15
CLASSIFICATION_CRITERIA = ("log_loss", "error_rate")


@dataclass(frozen=True)
class ClassificationCriteria:
    """Leave-one-out log-loss and error rate at each bandwidth (NaN where undefined)."""

    bandwidths: np.ndarray
    log_loss: np.ndarray
    error_rate: np.ndarray


def one_hot(labels) -> tuple[np.ndarray, np.ndarray]:
    """(one-hot matrix n × C, classes): row i has a 1 in the column of ``classes`` equal to
    ``labels[i]``. ``classes`` are the distinct labels, sorted; at most 100."""
    encoded, classes, _ = _encode(_check_labels(labels))
    return encoded, classes


def labels_from_probabilities(probabilities, classes) -> np.ndarray:
    """The most probable class of each row (argmax; ties go to the first class).

    Rows holding NaN (an empty window: no decision) get None, and the result is then an object
    array; otherwise it has the dtype of ``classes``.
    """
    try:
        probabilities = np.asarray(probabilities, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"probabilities must be numbers ({error}).") from None
    classes = np.asarray(classes)
    if probabilities.ndim != 2 or classes.ndim != 1 or classes.size == 0 \
            or probabilities.shape[1] != classes.size:
        raise ValueError(f"probabilities must be a matrix with one column per class; got shape "
                         f"{probabilities.shape} for {classes.size} classes.")
    undefined = np.any(np.isnan(probabilities), axis=1)
    if np.any(np.isinf(probabilities)):
        raise ValueError("probabilities contain infinite values.")
    labels = classes[np.argmax(np.where(undefined[:, None], 0.0, probabilities), axis=1)]
    if np.any(undefined):
        labels = labels.astype(object)
        labels[undefined] = None
    return labels


def class_probabilities(queries, keys, labels, *, kernel: str = "gaussian",
                        bandwidth: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(p̂ (m × C), classes): Parzen-window class probabilities at each query.

    ``keys`` (n,) or (n × d), ``queries`` likewise; row q is Σ_i α_i(q) one_hot(y_i), NaN for an
    empty window (compact kernels).
    """
    encoded, classes = one_hot(labels)
    return vector_nadaraya_watson(queries, keys, encoded, kernel=kernel,
                                  bandwidth=bandwidth), classes


def loo_classification_curves(keys, labels, bandwidths, *,
                              kernel: str = "gaussian") -> ClassificationCriteria:
    """Leave-one-out log-loss and error rate at each bandwidth (see the module notes)."""
    keys, codes, encoded, kernel = _check_loo_data(keys, labels, kernel)
    bandwidths = check_bandwidths(bandwidths)
    scores = np.array([_loo_scores(keys, codes, encoded, kernel, h) for h in bandwidths])
    scores = scores.reshape(bandwidths.size, 2)
    return ClassificationCriteria(bandwidths=bandwidths, log_loss=scores[:, 0],
                                  error_rate=scores[:, 1])


def select_classification_bandwidth(keys, labels, *, criterion: str = "log_loss",
                                    kernel: str = "gaussian") -> float:
    """The bandwidth minimising a leave-one-out classification criterion.

    "log_loss": a 40-point log grid on [1e-3, 10] × the diagonal of the keys' bounding box,
    refined by Brent's method in log h (as :func:`nwcore.select_bandwidth`). "error_rate" is a
    step function of h, so it takes the grid point with the fewest errors, and among those the
    lowest log-loss. The constant kernel, or keys that do not vary, give the Silverman-type rule
    of :func:`nwcore.select_vector_bandwidth`.
    """
    return select_classification_bandwidths(keys, labels, criteria=(criterion,),
                                            kernel=kernel)[criterion]


def select_classification_bandwidths(keys, labels, *, criteria=CLASSIFICATION_CRITERIA,
                                     kernel: str = "gaussian") -> dict[str, float]:
    """:func:`select_classification_bandwidth` for each of ``criteria``, from one pass over the
    grid (each grid point's leave-one-out fit gives both criteria)."""
    for criterion in criteria:
        if criterion not in CLASSIFICATION_CRITERIA:
            raise ValueError(f"unknown criterion {criterion!r}; choose one of "
                             f"{', '.join(CLASSIFICATION_CRITERIA)}.")
    keys, codes, encoded, kernel = _check_loo_data(keys, labels, kernel)
    rule = rule_of_thumb_bandwidth(keys, "silverman", kernel)
    interval = search_interval(keys, kernel, leave_one_out=True)
    if interval is None:
        return dict.fromkeys(criteria, rule)
    grid = np.geomspace(*interval, SEARCH_POINTS)
    scores = np.array([_loo_scores(keys, codes, encoded, kernel, h) for h in grid])
    chosen = {}
    if "log_loss" in criteria:
        chosen["log_loss"] = (refine_log_minimum(
            lambda h: _loo_scores(keys, codes, encoded, kernel, h)[0], grid, scores[:, 0])
            if np.any(np.isfinite(scores[:, 0])) else rule)
    if "error_rate" in criteria:
        defined = np.all(np.isfinite(scores), axis=1)
        fewest = np.nanmin(scores[defined, 1]) if np.any(defined) else np.nan
        ties = np.flatnonzero(defined & (scores[:, 1] == fewest))
        chosen["error_rate"] = float(grid[ties[np.argmin(scores[ties, 0])]]) if ties.size else rule
    return {criterion: chosen[criterion] for criterion in criteria}


def _loo_scores(keys, codes, encoded, kernel, h):
    """(log-loss, error rate) of the leave-one-out class probabilities at bandwidth h."""
    probabilities = leave_one_out_fits(keys, encoded, kernel, check_bandwidth(h))[0]
    defined = np.all(np.isfinite(probabilities), axis=1)
    if not np.any(defined):
        return np.nan, np.nan
    probabilities, codes = probabilities[defined], codes[defined]
    own = probabilities[np.arange(codes.size), codes]
    log_loss = float(np.mean(-np.log(np.maximum(own, LOG_LOSS_FLOOR))))
    error_rate = float(np.mean(np.argmax(probabilities, axis=1) != codes))
    return log_loss, error_rate


def _check_loo_data(keys, labels, kernel):
    keys = check_loo_points(keys)
    labels = _check_labels(labels)
    if labels.size != keys.shape[0]:
        raise ValueError(f"keys and labels must have the same number of rows; got "
                         f"{keys.shape[0]} keys and {labels.size} labels.")
    encoded, _, codes = _encode(labels)
    return keys, codes, encoded, check_kernel(kernel)


def _check_labels(labels):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty list (one label per key); got shape "
                         f"{labels.shape}.")
    missing = int(np.count_nonzero(pd.isna(labels)))
    if missing:
        raise ValueError(f"labels has {missing} missing value(s); drop or fill them first.")
    return labels


def _encode(labels):
    """(one-hot matrix, sorted distinct classes, each label's index among them)."""
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError:
        raise ValueError("labels mix types that cannot be ordered (e.g. numbers and text); "
                         "convert them to text first.") from None
    if classes.size > MAX_CLASSES:
        raise ValueError(f"labels has {classes.size} distinct values; at most {MAX_CLASSES} "
                         "classes (is this a numeric column?).")
    codes = codes.reshape(-1)
    encoded = np.zeros((codes.size, classes.size))
    encoded[np.arange(codes.size), codes] = 1.0
    return encoded, classes, codes
