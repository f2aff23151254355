"""Smoothing kernels K(u), with u = (query - key) / h.

=============  =======================  ====================  ===========
name           K(u) (unnormalised)      support               std of K
=============  =======================  ====================  ===========
gaussian       exp(-u²/2)               all u                 1
boxcar         1{|u| <= 1}              |u| <= 1              1/√3
triangular     max(0, 1 - |u|)          |u| <= 1              1/√6
epanechnikov   max(0, 1 - u²)           |u| <= 1              1/√5
constant       1                        all u                 infinite
=============  =======================  ====================  ===========

d2l's "Epanechikov" kernel is the triangular one; "epanechnikov" here is the real, quadratic
kernel. Normalising constants cancel in the attention weights, so they are left out.
"""

from __future__ import annotations

import math

import numpy as np

KERNELS = ("gaussian", "boxcar", "triangular", "epanechnikov", "constant")
COMPACT_KERNELS = ("boxcar", "triangular", "epanechnikov")

_KERNEL_STD = {
    "gaussian": 1.0,
    "boxcar": 1.0 / math.sqrt(3.0),
    "triangular": 1.0 / math.sqrt(6.0),
    "epanechnikov": 1.0 / math.sqrt(5.0),
    "constant": math.inf,
}


def check_kernel(kernel) -> str:
    """Return the kernel name, or raise ``ValueError`` listing the known ones."""
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}.")
    return kernel


def kernel_std(kernel: str) -> float:
    """Standard deviation of K as a density in u (inf for "constant").

    A compact kernel with bandwidth ``h * kernel_std("gaussian") / kernel_std(kernel)`` has the
    same effective width (standard deviation) as a Gaussian of bandwidth h; see
    :func:`equivalent_bandwidth`.
    """
    return _KERNEL_STD[check_kernel(kernel)]


def equivalent_bandwidth(kernel: str, gaussian_bandwidth: float) -> float:
    """Bandwidth for ``kernel`` whose kernel std equals that of a Gaussian with this h."""
    std = kernel_std(kernel)
    return gaussian_bandwidth if math.isinf(std) else gaussian_bandwidth / std


def kernel_values(kernel: str, u: np.ndarray) -> np.ndarray:
    """K(u) elementwise (unnormalised, K(0) = 1)."""
    u = np.asarray(u, dtype=np.float64)
    kernel = check_kernel(kernel)
    if kernel == "gaussian":
        return np.exp(-0.5 * u * u)
    if kernel == "boxcar":
        return (np.abs(u) <= 1.0).astype(np.float64)
    if kernel == "triangular":
        return np.maximum(0.0, 1.0 - np.abs(u))
    if kernel == "epanechnikov":
        return np.maximum(0.0, 1.0 - u * u)
    return np.ones_like(u)
