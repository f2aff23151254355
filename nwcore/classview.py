"""What the Classify page shows: class probabilities, the attention matrix with its keys grouped
by class, the leave-one-out criteria over h, and one query's p̂(q) = Σ_i α_i one_hot(y_i).

With one-hot values, row q of the attention matrix puts mass Σ_{i: y_i = c} α_i on the keys of
class c, and that mass *is* p̂(c | q): ordering the heatmap's columns by class makes each row's
class probabilities visible as the weight in each block. The matrix is formed only for the
queries shown (≤ 50 in 1-D, 12 × 12 in 2-D) against at most 5000 keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import check_bandwidth
from .classification import (
    class_probabilities,
    loo_classification_curves,
    select_classification_bandwidths,
)
from .keyview import cell_edges
from .labelled import LabelledData
from .learning import subsample_indices
from .planeview import grid_cells, padded_extent, point_text
from .vectors import vector_attention_weights

#: Points of the probability curves (1-D) and pixels per side of the decision regions (2-D).
CURVE_POINTS = 200
REGION_PIXELS = 80
#: Queries shown in the heatmap (and hoverable): 50 in 1-D (as d2l), 12 × 12 in 2-D.
QUERIES_1D = 50
QUERY_GRID_2D = 12
#: Most heatmap columns (keys are summed in groups, within their class, above this).
MAX_HEATMAP_COLUMNS = 200
#: The heatmap's colour saturates at this quantile of its cells.
HEAT_COLOUR_QUANTILE = 0.995
#: Most keys drawn with their weights (a fixed random subset above).
MAX_SHOWN_KEYS = 400
#: Bandwidths at which the leave-one-out criteria are drawn.
CRITERIA_POINTS = 40
CRITERION_LABELS = {"log_loss": "leave-one-out log-loss", "error_rate": "leave-one-out error rate"}


@dataclass(frozen=True, eq=False)
class ClassificationView:
    """Everything the Classify page draws for one dataset, kernel and bandwidth.

    ``queries`` (m × d) are the heatmap's rows and the hoverable queries, ``query_edges`` their
    cells ((m × 2d): lo and hi per coordinate); ``probabilities`` (m × C) p̂ at them.
    ``grid`` holds the dense probabilities: (CURVE_POINTS × C) at ``grid_x`` in 1-D, or
    (REGION_PIXELS² × C) over ``extent`` row by row from the top in 2-D (NaN rows: no key in
    the window). ``heat`` (m × columns) is the attention matrix with the keys sorted by class
    and summed in groups; ``column_codes`` the class of each column. ``shown`` lists the keys
    drawn: coordinates k1 (k2), class, code and w<q> = the weight of query q.
    """

    classes: np.ndarray
    kernel: str
    bandwidth: float
    extent: tuple[float, ...]
    queries: np.ndarray
    query_edges: np.ndarray
    probabilities: np.ndarray
    grid_x: np.ndarray | None
    grid: np.ndarray
    heat: np.ndarray
    column_codes: np.ndarray
    shown: pd.DataFrame

    @property
    def decisions(self) -> np.ndarray:
        """Class index of each query (argmax; -1 where no key is in the window)."""
        undefined = np.any(np.isnan(self.probabilities), axis=1)
        return np.where(undefined, -1, np.argmax(np.nan_to_num(self.probabilities), axis=1))

    @property
    def colour_top(self) -> float:
        """The weight at which the heatmap's colour saturates: the 99.5th percentile of its
        cells (a few far-off queries give all their weight to one key and would otherwise
        wash out the rest)."""
        return max(float(np.quantile(self.heat, HEAT_COLOUR_QUANTILE)), 1e-12)

    @property
    def empty_queries(self) -> int:
        """Region pixels or curve points with no key in the window (compact kernels)."""
        return int(np.count_nonzero(np.any(np.isnan(self.grid), axis=1)))


def classification_view(data: LabelledData, *, kernel: str = "gaussian",
                        bandwidth: float = 1.0) -> ClassificationView:
    """The class probabilities, grouped attention matrix and shown keys (see the class)."""
    h = check_bandwidth(bandwidth)
    extent = padded_extent(data.points)
    if data.dimension == 1:
        queries = np.linspace(extent[0], extent[1], QUERIES_1D)[:, None]
        grid_x = np.linspace(extent[0], extent[1], CURVE_POINTS)
        grid_points = grid_x[:, None]
        edges = np.column_stack(cell_edges(queries[:, 0]))
    else:
        queries, edges = grid_cells(extent, QUERY_GRID_2D)
        grid_x = None
        grid_points = grid_cells(extent, REGION_PIXELS)[0]
    grid, _ = class_probabilities(grid_points, data.points, data.labels, kernel=kernel,
                                  bandwidth=h)
    weights = vector_attention_weights(queries, data.points, kernel=kernel, bandwidth=h)
    one_hot = np.eye(data.classes.size)[data.codes]
    totals = weights.sum(axis=1, keepdims=True)
    probabilities = np.divide(weights @ one_hot, totals,
                              out=np.full((queries.shape[0], data.classes.size), np.nan),
                              where=totals > 0)
    heat, column_codes = _grouped_by_class(weights, data)
    return ClassificationView(
        classes=data.classes, kernel=kernel, bandwidth=h, extent=extent, queries=queries,
        query_edges=edges, probabilities=probabilities, grid_x=grid_x, grid=grid, heat=heat,
        column_codes=column_codes, shown=_shown_keys(data, weights))


def class_query_detail(query, data: LabelledData, *, kernel: str = "gaussian",
                       bandwidth: float = 1.0, rows: int = 12) -> pd.DataFrame:
    """p̂(q) = Σ_i α_i one_hot(y_i) at one query, as a table that adds up.

    The ``rows`` keys with the largest weights (key coordinates, class, α_i and α_i·[y_i = c]
    for each class c), then one row for all the other keys, then the total: Σ α_i = 1 and the
    class probabilities p̂(c | q) (no "other keys" row when every key is listed). An empty
    window (compact kernel) has zero weights.
    """
    query = np.asarray(query, dtype=np.float64).reshape(1, -1)
    weights = vector_attention_weights(query, data.points, kernel=kernel, bandwidth=bandwidth)[0]
    one_hot = np.eye(data.classes.size)[data.codes]
    shares = weights[:, None] * one_hot
    order = np.argsort(-weights, kind="stable")
    top, rest = order[:rows], order[rows:]
    names = [f"α_i·[y_i = {c}]" for c in data.classes]
    frame = pd.DataFrame({
        "key": [point_text(data.points[i]) for i in top],
        "class": [str(data.labels[i]) for i in top],
        "α_i": weights[top]})
    frame[names] = shares[top]
    summary = [(f"the other keys ({rest.size:,})", "", weights[rest].sum(),
                 *shares[rest].sum(axis=0))] if rest.size else []
    summary.append(("total: p̂(c | q)", "", weights.sum(), *shares.sum(axis=0)))
    tail = pd.DataFrame(summary, columns=["key", "class", "α_i", *names])
    return pd.concat([frame, tail], ignore_index=True)


@dataclass(frozen=True, eq=False)
class ClassificationCriteriaView:
    """The leave-one-out criteria over h (long format: h, criterion, value) and the bandwidth
    each criterion selects."""

    curves: pd.DataFrame
    chosen: dict[str, float]


def classification_criteria(data: LabelledData, *, kernel: str = "gaussian") -> \
        ClassificationCriteriaView:
    """Leave-one-out log-loss and error rate over the offered bandwidths, and the bandwidth
    :func:`nwcore.select_classification_bandwidths` chooses by each."""
    grid = np.geomspace(*data.bandwidth_range(), CRITERIA_POINTS)
    scores = loo_classification_curves(data.points, data.labels, grid, kernel=kernel)
    curves = pd.concat([
        pd.DataFrame({"h": grid, "criterion": CRITERION_LABELS["log_loss"],
                      "value": scores.log_loss}),
        pd.DataFrame({"h": grid, "criterion": CRITERION_LABELS["error_rate"],
                      "value": scores.error_rate})], ignore_index=True)
    chosen = select_classification_bandwidths(data.points, data.labels,
                                              criteria=tuple(CRITERION_LABELS), kernel=kernel)
    return ClassificationCriteriaView(curves=curves, chosen=chosen)


def _grouped_by_class(weights, data: LabelledData):
    """Columns of the attention matrix sorted by class (then by the first coordinate) and, with
    more than MAX_HEATMAP_COLUMNS keys, summed in consecutive groups within each class."""
    codes = data.codes
    order = np.lexsort((data.points[:, 0], codes))
    sorted_codes = codes[order]
    starts = []
    for code in range(data.classes.size):
        members = np.flatnonzero(sorted_codes == code)
        if members.size == 0:
            continue
        groups = members.size if data.n <= MAX_HEATMAP_COLUMNS else \
            max(1, round(members.size * MAX_HEATMAP_COLUMNS / data.n))
        starts.extend(members[0] + (np.arange(groups) * members.size) // groups)
    starts = np.array(starts, dtype=np.intp)
    return np.add.reduceat(weights[:, order], starts, axis=1), sorted_codes[starts]


def _shown_keys(data: LabelledData, weights) -> pd.DataFrame:
    """The keys drawn (all, or a fixed random subset), with each query's weight on them."""
    pick = subsample_indices(data.n, MAX_SHOWN_KEYS)
    columns = {f"k{j + 1}": data.points[pick, j] for j in range(data.dimension)}
    columns.update({"class": data.labels[pick].astype(str), "code": data.codes[pick]})
    frame = pd.DataFrame(columns)
    return pd.concat([frame, pd.DataFrame(weights[:, pick].T, columns=[
        f"w{q}" for q in range(weights.shape[0])])], axis=1)
