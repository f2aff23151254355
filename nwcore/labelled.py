"""Labelled data for Parzen-window classification: presets, and labels from a dataset.

Points x_i (n × d, d = 1 or 2) with class labels y_i. The presets draw from known laws, the
same seed giving the same data (``numpy.random.default_rng(seed)``); the 2-D presets have
balanced classes (class of point i: i mod C, in a random order):

* ``threshold`` (1-D, 2 classes): x ~ U(0, 5), y = [x + ε > 2.5], ε ~ N(0, σ²), so the true
  class probability is P(y = 1 | x) = Φ((x - 2.5) / σ).
* ``three_bands`` (1-D, 3 classes): y = the band of x + ε among [0, 5/3), [5/3, 10/3),
  [10/3, 5]: P(y = c | x) = Φ((b_{c+1} - x) / σ) - Φ((b_c - x) / σ), with b_0 = -∞, b_3 = +∞.
* ``two_moons`` (2-D, 2 classes): two interleaved half circles, as scikit-learn's
  ``make_moons`` (t ~ U(0, π): (cos t, sin t) and (1 - cos t, 1/2 - sin t)), plus N(0, σ² I).
* ``blobs`` (2-D, 3 classes): Gaussian clouds N(μ_c, σ² I) around three centres.

σ is the ``noise`` control: larger σ, more overlap between the classes.

Uploads: a :class:`nwcore.Dataset` whose frame holds a ``label`` column (and ``x2`` for a second
key coordinate) gives its labels; without one, a y column of 2 to 10 whole numbers is read as
class codes. Above 5000 points a fixed random subsample is used (leave-one-out compares all
pairs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral, Real

import numpy as np

from ._validation import check_seed
from .data import Dataset
from .learning import subsample_indices

#: Columns of a :class:`nwcore.Dataset` frame read by :func:`labelled_from_dataset`.
LABEL_COLUMN = "label"
SECOND_KEY_COLUMN = "x2"
#: A numeric y with at most this many distinct whole numbers is read as class codes.
MAX_CLASS_CODES = 10
#: Most points the classification views use (a fixed random subsample above).
MAX_LABELLED_POINTS = 5000
#: Most points a preset draws.
MAX_PRESET_POINTS = 2000
#: Bandwidths offered, as multiples of the diagonal of the points' bounding box.
BANDWIDTH_RANGE_FACTORS = (0.005, 2.0)

_BAND_EDGES = (5.0 / 3.0, 10.0 / 3.0)
_BLOB_CENTRES = np.array([[0.0, 0.0], [3.0, 0.5], [1.2, 2.8]])


@dataclass(frozen=True)
class ClassPreset:
    """A labelled law: its dimension, number of classes, default n and noise σ."""

    label: str
    dimension: int
    classes: int
    n: int
    noise: float


CLASS_PRESETS: dict[str, ClassPreset] = {
    "two_moons": ClassPreset("2-D: two moons (2 classes)", 2, 2, 200, 0.2),
    "blobs": ClassPreset("2-D: Gaussian blobs (3 classes)", 2, 3, 150, 0.8),
    "threshold": ClassPreset("1-D: threshold at x = 2.5 (2 classes)", 1, 2, 100, 0.4),
    "three_bands": ClassPreset("1-D: three bands (3 classes)", 1, 3, 150, 0.3),
}


@dataclass(frozen=True, eq=False)
class LabelledData:
    """Points (n × d) and their class labels, with a description and a cache key.

    ``preset`` and ``noise`` are set for generated data (then :meth:`truth` knows the law);
    ``axis_names`` label the coordinates; ``total`` counts the points before any subsample.
    """

    points: np.ndarray
    labels: np.ndarray
    label: str
    key: str
    axis_names: tuple[str, ...]
    preset: str | None = None
    noise: float | None = None
    total: int = 0

    @property
    def dimension(self) -> int:
        return int(self.points.shape[1])

    @property
    def n(self) -> int:
        return int(self.points.shape[0])

    @cached_property
    def classes(self) -> np.ndarray:
        """The distinct labels, sorted (the columns of the class probabilities)."""
        return np.unique(self.labels)

    @cached_property
    def codes(self) -> np.ndarray:
        """Each point's class index among :attr:`classes`."""
        return np.searchsorted(self.classes, self.labels)

    def span(self) -> float:
        """Diagonal of the points' bounding box (1 when they do not vary)."""
        diagonal = float(np.sqrt(np.sum(np.square(np.ptp(self.points, axis=0)))))
        return diagonal if diagonal > 0 else 1.0

    def bandwidth_range(self) -> tuple[float, float]:
        """The bandwidths offered: :data:`BANDWIDTH_RANGE_FACTORS` × :meth:`span`."""
        low, high = BANDWIDTH_RANGE_FACTORS
        return low * self.span(), high * self.span()

    def truth(self, x) -> np.ndarray | None:
        """The true P(y = c | x) at 1-D points x (m × C) for the 1-D presets, else None."""
        if self.preset not in ("threshold", "three_bands"):
            return None
        return true_class_probabilities(self.preset, self.noise, x)


def generate_labelled(preset: str, n: int | None = None, noise: float | None = None,
                      seed: int = 0) -> LabelledData:
    """Draw a preset's labelled data (see the module notes); n and noise default to the
    preset's."""
    if preset not in CLASS_PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(CLASS_PRESETS)}.")
    spec = CLASS_PRESETS[preset]
    n = spec.n if n is None else n
    noise = spec.noise if noise is None else noise
    if isinstance(n, bool) or not isinstance(n, Integral) \
            or not 2 * spec.classes <= n <= MAX_PRESET_POINTS:
        raise ValueError(f"n must be a whole number in [{2 * spec.classes}, {MAX_PRESET_POINTS}] "
                         f"(two points per class at least); got {n!r}.")
    if isinstance(noise, bool) or not isinstance(noise, Real) or not math.isfinite(noise) \
            or not 0 < noise <= 5:
        raise ValueError(f"noise must be a number in (0, 5]; got {noise!r}.")
    n, noise = int(n), float(noise)
    rng = np.random.default_rng(check_seed(seed))
    if spec.dimension == 1:
        x = 5.0 * rng.random(n)
        jittered = x + rng.normal(0.0, noise, n)
        edges = (2.5,) if preset == "threshold" else _BAND_EDGES
        labels = np.searchsorted(np.array(edges), jittered, side="right")
        order = np.argsort(x, kind="stable")
        points, labels = x[order, None], labels[order]
        names = ("x",)
    else:
        labels = rng.permutation(np.arange(n) % spec.classes)
        if preset == "two_moons":
            t = np.pi * rng.random(n)
            upper = np.column_stack([np.cos(t), np.sin(t)])
            lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
            points = np.where(labels[:, None] == 0, upper, lower)
        else:
            points = _BLOB_CENTRES[labels].copy()
        points = points + rng.normal(0.0, noise, (n, 2))
        names = ("x₁", "x₂")
    description = f"{spec.label}, n = {n}, σ = {noise:g}, seed {seed}"
    return LabelledData(points=points, labels=labels, label=description,
                        key=f"labelled:{preset}:{n}:{noise!r}:{seed}", axis_names=names,
                        preset=preset, noise=noise, total=n)


def true_class_probabilities(preset: str, noise: float, x) -> np.ndarray:
    """P(y = c | x) of a 1-D preset at points x (m × C): see the module notes."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    edges = (2.5,) if preset == "threshold" else _BAND_EDGES
    bounds = np.concatenate(([-np.inf], edges, [np.inf]))
    below = _normal_cdf((bounds[None, :] - x[:, None]) / noise)
    return np.diff(below, axis=1)


def labelled_from_dataset(dataset: Dataset) -> LabelledData | None:
    """The dataset's points and labels, or None when it has none (see the module notes).

    Keys are the ``x`` column, with ``x2`` as a second coordinate when the frame has one; labels
    the ``label`` column, else y when it holds 2 to :data:`MAX_CLASS_CODES` whole numbers.
    """
    frame = dataset.frame
    names = ["x"] + ([SECOND_KEY_COLUMN] if SECOND_KEY_COLUMN in frame else [])
    if LABEL_COLUMN in frame:
        keep = frame[LABEL_COLUMN].notna().to_numpy()
        labels = frame[LABEL_COLUMN][keep].to_numpy()  # whole-number labels stay integers
        source = dataset.label_column
    else:
        y = frame["y"].to_numpy(dtype=np.float64)
        distinct = np.unique(y)
        if not 2 <= distinct.size <= MAX_CLASS_CODES or np.any(distinct != np.round(distinct)):
            return None
        keep = np.ones(y.size, dtype=bool)
        labels = y.astype(np.int64)
        source = dataset.y_label
    points = frame[names].to_numpy(dtype=np.float64)[keep]
    total = int(labels.size)
    if total > MAX_LABELLED_POINTS:
        pick = subsample_indices(total, MAX_LABELLED_POINTS)
        points, labels = points[pick], labels[pick]
    if np.unique(labels).size < 2:
        return None
    axis_names = (dataset.x_label,) if len(names) == 1 else (dataset.x_label, dataset.x2_label)
    return LabelledData(points=points, labels=labels,
                        label=f"{dataset.label} (classes from {source})",
                        key=f"{dataset.key}:labels", axis_names=axis_names, total=total)


def _normal_cdf(z):
    """Φ(z) elementwise (math.erf: exact to rounding, and ±inf give 0 and 1)."""
    return 0.5 * (1.0 + np.vectorize(math.erf, otypes=[float])(np.asarray(z) / math.sqrt(2.0)))
