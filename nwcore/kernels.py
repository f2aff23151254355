"""Smoothing kernels K(u), with u = (query - key) / h: one registry, one record per kernel.

=============  =======================  ==========  =========  ==========  ========================
name           K(u) (unnormalised)      support     std of K   binned      pooling choice (UI, URL)
=============  =======================  ==========  =========  ==========  ========================
gaussian       exp(-u²/2)               all u       1          smooth      gaussian
boxcar         1{|u| <= 1}              |u| <= 1    1/√3       no (jumps)  boxcar
triangular     max(0, 1 - |u|)          |u| < 1     1/√6       kinked      triangular
epanechnikov   max(0, 1 - u²)           |u| < 1     1/√5       kinked      epanechnikov
constant       1                        all u       infinite   no          average
=============  =======================  ==========  =========  ==========  ========================

d2l's "Epanechikov" kernel is the triangular one; "epanechnikov" here is the real, quadratic
kernel. Normalising constants cancel in the attention weights, so they are left out.

Adding a kernel is one :class:`Kernel` record in :data:`REGISTRY` (its formula as a function of
u); every list of kernels or poolings (the UI's choices and labels, link validation, which
kernels bin, the kernel-shape chart) is derived from the registry. The generic paths then serve
it: exact tiles evaluate ``function`` (``nwcore.tiles``), binning samples it when ``binning`` is
set (``nwcore.binning``), empty windows and leave-one-out use ``support`` and ``closed``, and
the live chart computes ``browser`` in the browser (``nwcore.live_chart``).

Fast paths written for one kernel, which a change of that kernel's maths must also change:

* Gaussian — ``nwcore.tiles`` forms base-2 logits -(x - x_i)²/2h²·log₂e, shifts each row by
  its nearest key (log-sum-exp) and skips keys e^-50 below it; ``nwcore.bandwidth`` rescales
  the leave-one-out self-weight by that shift; ``nwcore.binning`` bounds its error with the
  Gaussian's second derivative and samples it to |u| ≤ ``reach``; ``nwcore.pooling``'s dense
  :func:`~nwcore.pooling.attention_weights` uses the max-shifted softmax; ``nwcore.learning``
  trains d2l's Gaussian w; ``nwcore.live_chart`` shifts each row's logits by its nearest key's.
* Constant — average pooling: ``nwcore.pooling`` returns mean(y) (the global line for local
  linear), ``nwcore.bandwidth`` gives leave-one-out means in closed form.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Kernel:
    """Everything nwcore and the app know about one kernel."""

    name: str                     # as passed to nwcore's ``kernel=`` arguments
    pooling: str                  # the pooling choice that uses it (app menus, ``kernel=`` in links)
    label: str                    # the pooling's name in the app
    formula: str                  # K(u), unnormalised (K(0) = 1)
    function: Callable[[np.ndarray], np.ndarray]  # K(u) elementwise
    std: float                    # standard deviation of K as a density in u (inf: constant)
    support: float = math.inf     # K(u) = 0 beyond |u| = support (inf: no compact support)
    closed: bool = False          # K(±support) > 0 (the boxcar), else K vanishes at the edge
    binning: str | None = None    # binned error model: "smooth", "kinked", or None (not binned)
    reach: float = math.inf       # binned taps cover |u| ≤ reach (K is below 2e-17 beyond)
    browser: str | None = None    # K(u) as a Vega expression of ``{u}`` (the live chart; the
                                  # Gaussian has its own max-shifted form there)

    @property
    def compact(self) -> bool:
        """Whether K vanishes beyond |u| = support (a window can then hold no key)."""
        return math.isfinite(self.support)


REGISTRY: dict[str, Kernel] = {kernel.name: kernel for kernel in (
    Kernel("gaussian", "gaussian", "Gaussian — Nadaraya–Watson attention", "exp(-u²/2)",
           lambda u: np.exp(-0.5 * u * u), std=1.0, binning="smooth", reach=8.8),
    Kernel("boxcar", "boxcar", "Boxcar", "1{|u| ≤ 1}",
           lambda u: (np.abs(u) <= 1.0).astype(np.float64), std=1.0 / math.sqrt(3.0),
           support=1.0, closed=True, browser="(abs({u}) <= 1) * 1"),
    Kernel("triangular", "triangular", "Triangular (d2l's “Epanechikov”)", "max(0, 1 − |u|)",
           lambda u: np.maximum(0.0, 1.0 - np.abs(u)), std=1.0 / math.sqrt(6.0), support=1.0,
           binning="kinked", reach=1.0, browser="max(0, 1 - abs({u}))"),
    Kernel("epanechnikov", "epanechnikov", "Epanechnikov (quadratic)", "max(0, 1 − u²)",
           lambda u: np.maximum(0.0, 1.0 - u * u), std=1.0 / math.sqrt(5.0), support=1.0,
           binning="kinked", reach=1.0, browser="max(0, 1 - {u} * {u})"),
    Kernel("constant", "average", "Average pooling (mean of y)", "1",
           lambda u: np.ones_like(u), std=math.inf, browser="1"),
)}

#: Kernel names, in registry order.
KERNELS = tuple(REGISTRY)
#: Kernels with compact support (a window may hold no key).
COMPACT_KERNELS = tuple(name for name, kernel in REGISTRY.items() if kernel.compact)
#: Kernels the binned path (FFT on a grid) serves.
BINNABLE_KERNELS = tuple(name for name, kernel in REGISTRY.items() if kernel.binning)
#: Pooling choices of the app and of links: average pooling first, then the kernels.
POOLINGS = tuple(sorted((kernel.pooling for kernel in REGISTRY.values()),
                        key=lambda pooling: pooling != REGISTRY["constant"].pooling))
#: The app's label of each pooling choice.
POOLING_LABELS = {kernel.pooling: kernel.label
                  for kernel in sorted(REGISTRY.values(), key=lambda k: POOLINGS.index(k.pooling))}


def check_kernel(kernel) -> str:
    """Return the kernel name, or raise ``ValueError`` listing the known ones."""
    if not isinstance(kernel, str) or kernel not in REGISTRY:
        raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}.")
    return kernel


def pooling_kernel(pooling: str) -> str:
    """The kernel behind a pooling choice: "average" pooling is the constant kernel."""
    for kernel in REGISTRY.values():
        if kernel.pooling == pooling:
            return kernel.name
    return check_kernel(pooling)


def kernel_std(kernel: str) -> float:
    """Standard deviation of K as a density in u (inf for "constant").

    A compact kernel with bandwidth ``h * kernel_std("gaussian") / kernel_std(kernel)`` has the
    same effective width (standard deviation) as a Gaussian of bandwidth h; see
    :func:`equivalent_bandwidth`.
    """
    return REGISTRY[check_kernel(kernel)].std


def equivalent_bandwidth(kernel: str, gaussian_bandwidth: float) -> float:
    """Bandwidth for ``kernel`` whose kernel std equals that of a Gaussian with this h."""
    std = kernel_std(kernel)
    return gaussian_bandwidth if math.isinf(std) else gaussian_bandwidth / std


def kernel_values(kernel: str, u: np.ndarray) -> np.ndarray:
    """K(u) elementwise (unnormalised, K(0) = 1)."""
    return REGISTRY[check_kernel(kernel)].function(np.asarray(u, dtype=np.float64))


def outside_support(kernel: str, u: np.ndarray) -> np.ndarray:
    """Where K(u) = 0 because |u| is beyond the kernel's support (all False if not compact)."""
    record = REGISTRY[check_kernel(kernel)]
    u = np.abs(u)
    return u > record.support if record.closed else u >= record.support
