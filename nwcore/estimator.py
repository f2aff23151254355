"""scikit-learn-style estimators: ``NadarayaWatson`` and ``LocalLinear`` (no scikit-learn needed).

The constructor only stores its parameters; ``fit(x, y)`` validates them and the data, resolves
a bandwidth rule ("silverman", "scott", "loo_cv", "gcv") into ``bandwidth_`` and returns self.
x may be a vector or a single-column matrix (n × 1). ``NadarayaWatson`` also takes vector keys
x (n × d, d ≥ 2) and value columns y (n × c, e.g. one-hot classes): it then uses
:mod:`nwcore.vectors` (radial kernels in d dimensions, c predictions per query).
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_finite_matrix,
    as_finite_vector,
    check_bandwidth,
    check_method,
    check_same_length,
)
from .bandwidth import SELECTION_METHODS, select_bandwidth
from .kernels import check_kernel
from .pooling import SINGULAR_DESIGN_TOLERANCE, attention_weights, local_linear, nadaraya_watson
from .vectors import (
    check_value_columns,
    vector_attention_weights,
    vector_nadaraya_watson,
)


class NadarayaWatson:
    """Nadaraya–Watson kernel regression (attention pooling) with a fixed or selected bandwidth.

    Parameters: ``kernel`` (see :data:`nwcore.KERNELS`), ``bandwidth`` (a number > 0, or one of
    "silverman", "scott", "loo_cv", "gcv", resolved at fit) and ``method`` ("auto", "exact",
    "binned"; 1-D only). Fitted attributes: ``keys_``, ``values_``, ``bandwidth_``. With x of
    d ≥ 2 columns, or y of c columns, ``keys_`` is (n × d), ``values_`` is y as given, and
    ``predict`` returns (m,) or (m × c); rules as in :func:`nwcore.select_vector_bandwidth`.
    """

    _PARAMS = ("kernel", "bandwidth", "method")

    def __init__(self, kernel: str = "gaussian", bandwidth=1.0, method: str = "auto"):
        self.kernel = kernel
        self.bandwidth = bandwidth
        self.method = method

    def fit(self, x, y):
        """Store the training pairs and resolve the bandwidth; returns self."""
        kernel = check_kernel(self.kernel)
        check_method(self.method)
        if _is_vector_problem(x, y):
            if self.method == "binned":
                raise ValueError("method='binned' works on one x column and one y column only; "
                                 "use 'exact' or 'auto'.")
            keys = as_finite_matrix(x, "x")
            columns, is_vector = check_value_columns(y, keys.shape[0])
            values = columns[:, 0] if is_vector else columns
        else:
            keys, values = _feature_vector(x, "x"), as_finite_vector(y, "y")
            check_same_length(keys, values)
        if isinstance(self.bandwidth, str):
            if self.bandwidth not in SELECTION_METHODS:
                raise ValueError(f"unknown bandwidth rule {self.bandwidth!r}; give a number > 0 "
                                 f"or one of {', '.join(SELECTION_METHODS)}.")
            self.bandwidth_ = select_bandwidth(keys, values, method=self.bandwidth, kernel=kernel)
        else:
            self.bandwidth_ = check_bandwidth(self.bandwidth)
        self.keys_, self.values_ = keys, values
        return self

    def predict(self, x) -> np.ndarray:
        """ŷ at each query x."""
        self._check_fitted()
        if self.keys_.ndim == 2:
            return vector_nadaraya_watson(x, self.keys_, self.values_, kernel=self.kernel,
                                          bandwidth=self.bandwidth_, method=self.method)
        return nadaraya_watson(_feature_vector(x, "x", allow_empty=True), self.keys_,
                               self.values_, kernel=self.kernel, bandwidth=self.bandwidth_,
                               method=self.method)

    def attention(self, x) -> np.ndarray:
        """Weights matrix (n_queries × n_keys): row q holds the weights ŷ(x_q) gives each y_i."""
        self._check_fitted()
        if self.keys_.ndim == 2:
            return vector_attention_weights(x, self.keys_, kernel=self.kernel,
                                            bandwidth=self.bandwidth_)
        return attention_weights(_feature_vector(x, "x", allow_empty=True), self.keys_,
                                 kernel=self.kernel, bandwidth=self.bandwidth_)

    def get_params(self, deep: bool = True) -> dict:
        """The constructor parameters (``deep`` is accepted for scikit-learn compatibility)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params):
        """Set constructor parameters by name; returns self (refit to use them)."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; valid "
                                 f"parameters are {', '.join(self._PARAMS)}.")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._PARAMS)
        return f"{type(self).__name__}({arguments})"

    def _check_fitted(self):
        if not hasattr(self, "bandwidth_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit(x, y) "
                             "first.")


class LocalLinear(NadarayaWatson):
    """Local linear kernel regression; same parameters and attributes as :class:`NadarayaWatson`.

    Bandwidth rules are those of :func:`nwcore.select_bandwidth` ("loo_cv" and "gcv" score the
    Nadaraya–Watson fit). ``attention`` returns the equivalent-kernel weights
    l_i(x) = α_i (1 + (x - x̄)(x_i - x̄) / s²), with x̄, s² the α-weighted mean and variance of the
    keys (plain α where s² = 0): rows sum to 1 and may hold negative weights. 1-D x and y only.
    """

    def fit(self, x, y):
        if _is_vector_problem(x, y):
            raise ValueError("LocalLinear works on one x column and one y column; use "
                             "NadarayaWatson for vector keys or value columns.")
        return super().fit(x, y)

    def predict(self, x) -> np.ndarray:
        self._check_fitted()
        return local_linear(_feature_vector(x, "x", allow_empty=True), self.keys_, self.values_,
                            kernel=self.kernel, bandwidth=self.bandwidth_, method=self.method)

    def attention(self, x) -> np.ndarray:
        queries = _feature_vector(x, "x", allow_empty=True)
        alpha = super().attention(queries)
        mean = alpha @ self.keys_
        offsets = self.keys_[None, :] - mean[:, None]
        variance = np.einsum("ij,ij->i", alpha, offsets * offsets)
        from_query = self.keys_[None, :] - queries[:, None]
        regular = variance > SINGULAR_DESIGN_TOLERANCE * np.einsum("ij,ij->i", alpha,
                                                                    from_query * from_query)
        slope_factor = np.divide(queries - mean, variance, out=np.zeros_like(mean),
                                 where=regular)
        return alpha * (1.0 + slope_factor[:, None] * offsets)


def _is_vector_problem(x, y):
    """Vector keys (x with ≥ 2 columns) or value columns (y a matrix): the d-D path."""
    x_shape = np.shape(x)
    return (len(x_shape) == 2 and x_shape[1] != 1) or np.ndim(y) == 2


def _feature_vector(x, name, *, allow_empty=False):
    """A 1-D feature vector from a vector or an (n × 1) matrix."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        array = None  # as_finite_vector explains what is wrong
    if array is not None and array.ndim == 2 and array.shape[1] == 1:
        x = array[:, 0]
    return as_finite_vector(x, name, allow_empty=allow_empty)
