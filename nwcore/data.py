"""Synthetic data: the d2l attention-pooling presets and other functions.

Both d2l editions draw keys x = sort(5·U(0, 1)), values y = f(x) + ε with Gaussian noise, and
predict at the queries arange(0, 5, 0.1):

* d2l classic (§10.2):      f(x) = 2 sin x + x^0.8, ε ~ N(0, 0.5²), n = 50
* d2l new edition (§11.2):  f(x) = 2 sin x + x,     ε ~ N(0, 1),    n = 40

Random numbers come from ``numpy.random.default_rng(seed)``: the same seed gives the same data
(not the frameworks' streams, so values differ from the book's figures; the behaviour matches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

#: Domain of the generated keys and of the d2l queries.
X_LOW, X_HIGH = 0.0, 5.0
#: Largest sample the generator makes (keeps the shown attention matrix small).
MAX_GENERATED_POINTS = 5000
#: Bandwidths the app offers (slider, landscape, links), as multiples of the x range: 0.01 … 50
#: for generated data on [0, 5].
BANDWIDTH_RANGE_FACTORS = (0.002, 10.0)

FUNCTIONS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "2sin_x08": ("2 sin x + x^0.8", lambda x: 2.0 * np.sin(x) + x**0.8),
    "2sin_x": ("2 sin x + x", lambda x: 2.0 * np.sin(x) + x),
    "sin_2x": ("sin 2x", lambda x: np.sin(2.0 * x)),
    "step": ("step at x = 2.5", lambda x: np.where(x < 2.5, 0.0, 1.0)),
    "quadratic": ("(x - 2.5)²", lambda x: (x - 2.5) ** 2),
}


@dataclass(frozen=True)
class Preset:
    """A data law: which function, how many points, how much noise."""

    label: str
    function: str
    n: int
    noise: float


PRESETS: dict[str, Preset] = {
    "d2l_classic": Preset("d2l classic (2 sin x + x^0.8, n = 50, σ = 0.5)", "2sin_x08", 50, 0.5),
    "d2l_new": Preset("d2l new edition (2 sin x + x, n = 40, σ = 1)", "2sin_x", 40, 1.0),
    "custom": Preset("custom function", "sin_2x", 100, 0.3),
}


def true_function(name: str, x) -> np.ndarray:
    """Evaluate the named noise-free function f at x."""
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}; choose one of {', '.join(FUNCTIONS)}.")
    return FUNCTIONS[name][1](np.asarray(x, dtype=np.float64))


def d2l_queries() -> np.ndarray:
    """The d2l query grid arange(0, 5, 0.1): 50 points 0.0 … 4.9."""
    return np.arange(X_LOW, X_HIGH, 0.1)


def query_grid(keys, n_queries: int) -> np.ndarray:
    """``n_queries`` evenly spaced queries over [min x, max x] (uploaded data)."""
    keys = np.asarray(keys, dtype=np.float64)
    if n_queries < 1:
        raise ValueError(f"n_queries must be at least 1; got {n_queries}.")
    return np.linspace(keys.min(), keys.max(), n_queries)


def generate(function: str, n: int, noise: float, seed: int) -> pd.DataFrame:
    """Sample n sorted keys x = sort(5·U(0,1)) and values y = f(x) + N(0, noise²).

    Returns a frame with columns ``x``, ``y`` and ``truth`` = f(x).
    """
    if not 1 <= int(n) <= MAX_GENERATED_POINTS:
        raise ValueError(f"n must be between 1 and {MAX_GENERATED_POINTS}; got {n}.")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite standard deviation ≥ 0; got {noise}.")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2³²); got {seed}.")
    rng = np.random.default_rng(int(seed))
    x = np.sort(X_HIGH * rng.random(int(n)))
    truth = true_function(function, x)
    y = truth + rng.normal(0.0, noise, int(n))
    return pd.DataFrame({"x": x, "y": y, "truth": truth})


def generate_preset(name: str, seed: int = 0) -> pd.DataFrame:
    """:func:`generate` with a preset's function, n and noise."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    preset = PRESETS[name]
    return generate(preset.function, preset.n, preset.noise, seed)


@dataclass(frozen=True)
class Dataset:
    """The data the app works on: keys x and values y sorted by x, and where they came from.

    ``frame`` has columns ``x`` and ``y`` (and ``truth`` = f(x) when generated; an upload may add
    ``x2``, a second key coordinate, and ``label``, a class per row: see
    :func:`nwcore.reading.extract_xy`). ``function`` names the true function in
    :data:`FUNCTIONS` for generated data, else None.
    """

    frame: pd.DataFrame
    label: str
    source: str
    function: str | None = None
    x_label: str = "x"
    y_label: str = "y"
    key: str = ""  # identifies the content (generator settings or file hash), for caching
    x2_label: str = "x2"          # names the frame's ``x2`` column (a second key), if any
    label_column: str = "label"   # names the frame's ``label`` column (classes), if any

    @property
    def keys(self) -> np.ndarray:
        return self.frame["x"].to_numpy()

    @property
    def values(self) -> np.ndarray:
        return self.frame["y"].to_numpy()

    @property
    def x_span(self) -> float:
        """Width of the x range (the generator's domain for generated data)."""
        if self.source == "generated":
            return X_HIGH - X_LOW
        return float(self.keys.max() - self.keys.min())

    def bandwidth_range(self) -> tuple[float, float]:
        """The bandwidths the app offers for this data: :data:`BANDWIDTH_RANGE_FACTORS` × the
        x range (× 1 when x does not vary)."""
        span = self.x_span if self.x_span > 0 else 1.0
        low, high = BANDWIDTH_RANGE_FACTORS
        return low * span, high * span

    def queries(self, n_queries: int = 50) -> np.ndarray:
        """d2l's arange(0, 5, 0.1) for generated data, else an even grid over the x range."""
        if self.source == "generated":
            return d2l_queries()
        return query_grid(self.keys, n_queries)

    def truth_curve(self, points: int = 200) -> pd.DataFrame | None:
        """The noise-free function on a fine grid (x, truth), or None when unknown."""
        if self.function is None:
            return None
        x = np.linspace(X_LOW, X_HIGH, points)
        return pd.DataFrame({"x": x, "truth": true_function(self.function, x)})


def generated_dataset(function: str, n: int, noise: float, seed: int) -> Dataset:
    """A :class:`Dataset` from :func:`generate`, labelled with its law."""
    label = f"{FUNCTIONS[function][0]} + N(0, {noise:g}²), n = {n}, seed {seed}" \
        if function in FUNCTIONS else function
    return Dataset(frame=generate(function, n, noise, seed), label=label, source="generated",
                   function=function, key=f"gen:{function}:{n}:{noise!r}:{seed}")
