"""What the Vectors page shows: keys and a query in the plane, Gaussian attention as a softmax
at temperature τ = h², and dot-product attention beside it, on and off the unit circle.

Gaussian attention pooling with vector keys is α_i(q) = softmax_i(s_i / τ) with the score
s_i = -‖q - k_i‖² / 2 and the temperature τ = h². Expanding the square,

    -‖q - k_i‖² / 2h² = q·k_i / h² - ‖q‖² / 2h² - ‖k_i‖² / 2h²,

and the softmax cancels the middle term, so it equals dot-product attention with scale 1/h²
exactly when every key has the same length (the unit circle: directions); otherwise the key
term -‖k_i‖²/2h² stays, and a dot product favours long keys. Without a scale, the dot product of
d-dimensional vectors with N(0, 1) entries has standard deviation √d, so the softmax saturates
(one key takes all the weight) as d grows: 1/√d keeps the scores' spread at 1, but not when the
vectors themselves grow longer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

from ._validation import as_finite_matrix, check_bandwidth, check_seed
from .consistency import truth
from .data import Dataset
from .labelled import SECOND_KEY_COLUMN
from .learning import subsample_indices
from .pooling import effective_keys
from .vectors import dot_product_weights, vector_attention_weights, vector_nadaraya_watson

#: Pixels per side of the fitted surface, and hoverable query cells per side.
SURFACE_PIXELS = 60
QUERY_GRID = 20
#: Most keys the page uses (a fixed random subsample above) and draws with their weights.
MAX_PLANE_POINTS = 5000
MAX_SHOWN_KEYS = 200
#: Most keys a preset draws.
MAX_PRESET_KEYS = 500
#: The drawn square around the unit circle.
CIRCLE_EXTENT = (-1.35, 1.35, -1.35, 1.35)
PLANE_NOISE = 0.3


def plane_keys(n: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n keys uniform on [0, 5]² with values f(k) + N(0, 0.3²), f the smooth law of
    :func:`nwcore.consistency.truth` (2-D): 2 sin(k₁) cos(k₂/2) + k₂/2."""
    n, seed = _check_count(n), check_seed(seed)
    rng = np.random.default_rng(seed)
    keys = 5.0 * rng.random((n, 2))
    return keys, truth(2, keys) + rng.normal(0.0, PLANE_NOISE, n)


def circle_keys(n: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n directions at angles θ_i ~ U(0, 2π), sorted, with values cos θ_i + sin 2θ_i.

    Returns (angles, values)."""
    n, seed = _check_count(n), check_seed(seed)
    angles = np.sort(2.0 * np.pi * np.random.default_rng(seed).random(n))
    return angles, np.cos(angles) + np.sin(2.0 * angles)


def directions(angles) -> np.ndarray:
    """Unit vectors (cos θ, sin θ) (n × 2)."""
    angles = np.asarray(angles, dtype=np.float64).reshape(-1)
    return np.column_stack([np.cos(angles), np.sin(angles)])


def angle_of(point) -> float:
    """The direction of a 2-D point in degrees, in [0, 360)."""
    return float(np.degrees(np.arctan2(point[1], point[0])) % 360.0)


def dataset_plane(dataset: Dataset) -> tuple[np.ndarray, np.ndarray] | None:
    """(keys (n × 2), values) from a dataset with a second key column (``x2``; see
    :mod:`nwcore.labelled`), or None; a fixed random subsample above MAX_PLANE_POINTS."""
    frame = dataset.frame
    if SECOND_KEY_COLUMN not in frame:
        return None
    keys = frame[["x", SECOND_KEY_COLUMN]].to_numpy(dtype=np.float64)
    values = frame["y"].to_numpy(dtype=np.float64)
    if keys.shape[0] > MAX_PLANE_POINTS:
        pick = subsample_indices(keys.shape[0], MAX_PLANE_POINTS)
        keys, values = keys[pick], values[pick]
    return keys, values


def unit_rows(points) -> np.ndarray:
    """Each row divided by its length (a zero row becomes (1, 0, …))."""
    points = as_finite_matrix(points, "points")
    lengths = np.linalg.norm(points, axis=1, keepdims=True)
    fallback = np.zeros_like(points)
    fallback[:, 0] = 1.0
    return np.where(lengths > 0, points / np.where(lengths > 0, lengths, 1.0), fallback)


@dataclass(frozen=True, eq=False)
class PlaneView:
    """The Vectors page's plane for one bandwidth and pinned query.

    ``surface`` is ŷ on a SURFACE_PIXELS² grid over ``extent`` (lo1, hi1, lo2, hi2), row by row
    from the top; ``cells`` (QUERY_GRID² × 4: lo1, hi1, lo2, hi2) are the hoverable queries,
    whose centres (projected on the circle in circle mode) are ``cell_queries``; ``shown`` the
    drawn keys: k1, k2, value, w<c> = the weight of cell c and ``pinned`` = the weight of the
    pinned query; ``effective_keys`` 1/Σα² of the pinned query.
    """

    extent: tuple[float, float, float, float]
    surface: np.ndarray
    cells: np.ndarray
    cell_queries: np.ndarray
    shown: pd.DataFrame
    query: np.ndarray
    prediction: float
    effective_keys: float


def plane_view(keys, values, query, *, bandwidth: float, on_circle: bool = False) -> PlaneView:
    """The surface, hover cells and weights for keys (n × 2), values (n,) and a query (2,).

    ``on_circle``: keys and queries are directions, the drawn square is CIRCLE_EXTENT and every
    point of the plane stands for its direction (the surface is ŷ(p/‖p‖)).
    """
    keys = as_finite_matrix(keys, "keys")
    h = check_bandwidth(bandwidth)
    query = as_finite_matrix(np.reshape(query, (1, -1)), "query")
    if on_circle:
        extent = CIRCLE_EXTENT
        query = unit_rows(query)
    else:
        extent = padded_extent(np.vstack([keys, query]))
    pixels, _ = grid_cells(extent, SURFACE_PIXELS)
    centres, cells = grid_cells(extent, QUERY_GRID)
    if on_circle:
        pixels, centres = unit_rows(pixels), unit_rows(centres)
    surface = vector_nadaraya_watson(pixels, keys, values, bandwidth=h)
    pinned = vector_attention_weights(query, keys, bandwidth=h)[0]
    pick = subsample_indices(keys.shape[0], MAX_SHOWN_KEYS)
    cell_weights = vector_attention_weights(centres, keys, bandwidth=h)[:, pick]
    shown = pd.DataFrame({"k1": keys[pick, 0], "k2": keys[pick, 1],
                          "value": np.asarray(values, dtype=np.float64)[pick],
                          "pinned": pinned[pick]})
    shown = pd.concat([shown, pd.DataFrame(cell_weights.T, columns=[
        f"w{c}" for c in range(centres.shape[0])])], axis=1)
    return PlaneView(extent=extent, surface=surface, cells=cells, cell_queries=centres,
                     shown=shown, query=query[0],
                     prediction=float(pinned @ np.asarray(values, dtype=np.float64)),
                     effective_keys=float(effective_keys(pinned)[0]))


def weight_table(query, keys, values, *, bandwidth: float, rows: int = 12) -> pd.DataFrame:
    """ŷ(q) = Σ α_i v_i with α_i = softmax_i(s_i / τ), s_i = -‖q - k_i‖²/2, τ = h², as a table
    that adds up: the ``rows`` keys with the largest weights, the other keys (if any), and the
    total (Σ α_i = 1 and ŷ(q))."""
    keys = as_finite_matrix(keys, "keys")
    values = np.asarray(values, dtype=np.float64)
    query = as_finite_matrix(np.reshape(query, (1, -1)), "query")
    h = check_bandwidth(bandwidth)
    weights = vector_attention_weights(query, keys, bandwidth=h)[0]
    squares = np.sum(np.square(keys - query), axis=1)
    order = np.argsort(-weights, kind="stable")
    top, rest = order[:rows], order[rows:]
    frame = pd.DataFrame({
        "key": [point_text(keys[i]) for i in top], "v_i": values[top],
        "‖q − k_i‖²": squares[top], "s_i = −‖q − k_i‖²/2": -0.5 * squares[top],
        "s_i/τ": -0.5 * squares[top] / (h * h), "α_i": weights[top],
        "α_i·v_i": weights[top] * values[top]})
    tail = pd.DataFrame({
        "key": [f"the other keys ({rest.size:,})", "total: ŷ(q)"],
        "α_i": [weights[rest].sum(), weights.sum()],
        "α_i·v_i": [weights[rest] @ values[rest], weights @ values]}).iloc[0 if rest.size else 1:]
    return pd.concat([frame, tail], ignore_index=True)


def sphere_comparison(key_angles, query_angle: float, *, bandwidth: float) -> pd.DataFrame:
    """Gaussian attention and dot-product attention with scale 1/h² on unit vectors, key by
    key: θ_i (degrees), q·k_i, ‖q - k_i‖² (= 2 - 2 q·k_i), both weights and their difference."""
    h = check_bandwidth(bandwidth)
    keys = directions(key_angles)
    query = directions([query_angle])
    gaussian = vector_attention_weights(query, keys, bandwidth=h)[0]
    dot = dot_product_weights(query, keys, scale=1.0 / (h * h))[0]
    return pd.DataFrame({
        "θ_i (°)": np.degrees(np.asarray(key_angles, dtype=np.float64)), "q·k_i": keys @ query[0],
        "‖q − k_i‖²": np.sum(np.square(keys - query), axis=1),
        "α_i Gaussian": gaussian, "α_i dot product": dot,
        "|difference|": np.abs(gaussian - dot)})


def off_sphere_comparison(keys, query, *, bandwidth: float) -> pd.DataFrame:
    """Gaussian attention and dot-product attention (scale 1/h²) on keys of any length, key by
    key: ‖k_i‖, the key term ‖k_i‖²/2h² that separates their scores, and both weights."""
    keys = as_finite_matrix(keys, "keys")
    query = as_finite_matrix(np.reshape(query, (1, -1)), "query")
    h = check_bandwidth(bandwidth)
    return pd.DataFrame({
        "k1": keys[:, 0], "k2": keys[:, 1], "‖k_i‖": np.linalg.norm(keys, axis=1),
        "‖k_i‖²/2h²": np.sum(np.square(keys), axis=1) / (2.0 * h * h),
        "α_i Gaussian": vector_attention_weights(query, keys, bandwidth=h)[0],
        "α_i dot product": dot_product_weights(query, keys, scale=1.0 / (h * h))[0]})


SATURATION_DIMENSIONS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
SATURATION_LENGTHS = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
SCALINGS = {"unscaled": "q·k (no scale)", "scaled": "q·k / √d"}


def softmax_saturation(*, n_keys: int = 16, draws: int = 200, seed: int = 0,
                       dimensions=SATURATION_DIMENSIONS, lengths=SATURATION_LENGTHS,
                       length_dimension: int = 64) -> pd.DataFrame:
    """How peaked softmax(scale · q·k_i) is, without a scale and with 1/√d, averaged over
    ``draws`` random queries and ``n_keys`` keys.

    Two sweeps (column ``sweep``): "dimension" (entries N(0, 1), d in ``dimensions``) and
    "length" (d = ``length_dimension``, entries N(0, r²), r in ``lengths``). Columns: sweep,
    x (d or r), scaling (a :data:`SCALINGS` label), max_weight (mean largest α), effective_keys
    (mean 1/Σα²) and score_std (the scores' standard deviation).
    """
    n_keys, draws = _check_count(n_keys), _check_count(draws)
    rng = np.random.default_rng(check_seed(seed))
    settings = [("dimension", int(d), int(d), 1.0) for d in dimensions] + \
        [("length", float(r), int(length_dimension), float(r)) for r in lengths]
    rows = []
    for sweep, x, d, length in settings:
        queries = rng.normal(0.0, length, (draws, d))
        keys = rng.normal(0.0, length, (draws, n_keys, d))
        dots = np.einsum("rd,rkd->rk", queries, keys)
        for name, scale in (("unscaled", 1.0), ("scaled", 1.0 / math.sqrt(d))):
            scores = dots * scale
            weights = np.exp(scores - scores.max(axis=1, keepdims=True))
            weights /= weights.sum(axis=1, keepdims=True)
            rows.append((sweep, x, SCALINGS[name], float(weights.max(axis=1).mean()),
                         float(effective_keys(weights).mean()),
                         float(scores.std())))
    return pd.DataFrame(rows, columns=["sweep", "x", "scaling", "max_weight", "effective_keys",
                                       "score_std"])


def grid_cells(extent, per_side: int):
    """Cell centres (per_side² × 2) and edges (lo1, hi1, lo2, hi2 per cell) of a grid over a
    2-D extent (lo1, hi1, lo2, hi2), row by row from the top (largest x₂), left to right."""
    x_edges = np.linspace(extent[0], extent[1], per_side + 1)
    y_edges = np.linspace(extent[3], extent[2], per_side + 1)
    column, row = np.meshgrid(np.arange(per_side), np.arange(per_side))
    column, row = column.ravel(), row.ravel()
    lo1, hi1 = x_edges[column], x_edges[column + 1]
    hi2, lo2 = y_edges[row], y_edges[row + 1]
    centres = np.column_stack([0.5 * (lo1 + hi1), 0.5 * (lo2 + hi2)])
    return centres, np.column_stack([lo1, hi1, lo2, hi2])


def padded_extent(points) -> tuple[float, float, float, float]:
    """The points' bounding box widened by 5 % per side (±0.5 where a coordinate is constant):
    (lo, hi) for each coordinate, flattened ((lo1, hi1, lo2, hi2) in 2-D)."""
    low, high = points.min(axis=0), points.max(axis=0)
    pad = np.where(high > low, 0.05 * (high - low), 0.5)
    return tuple(float(v) for pair in zip(low - pad, high + pad) for v in pair)


def point_text(point) -> str:
    """A point as "1.234" (1-D) or "(1.234, 5.678)"."""
    return f"{point[0]:.3f}" if len(point) == 1 else \
        "(" + ", ".join(f"{v:.3f}" for v in point) + ")"


def _check_count(n):
    if isinstance(n, bool) or not isinstance(n, Integral) or not 2 <= n <= MAX_PRESET_KEYS:
        raise ValueError(f"the number of points must be a whole number in [2, "
                         f"{MAX_PRESET_KEYS}]; got {n!r}.")
    return int(n)

