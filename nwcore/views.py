"""What the charts show: fit curves, the attention matrix (possibly binned) with its axes in data
units, per-query detail, the comparison panels and the bandwidth landscape.

Everything here is computed without an n × n matrix: the heatmap has at most ``max_key_bins``
columns, and with more keys a cell holds the total weight of the keys in its bin (rows still sum
to 1). The fit itself always uses every key. Charts (:mod:`nwcore.charts`) take these matrices
and axes, as d2l's ``show_heatmaps`` takes matrices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

import numpy as np
import pandas as pd

from ._validation import as_finite_vector, check_bandwidth, check_same_length
from .bandwidth import loo_cv_curve, scott_bandwidth, search_bandwidths, silverman_bandwidth
from .data import Dataset, true_function
from .book import (BOOK_NAMES, LOSS_FORMS, first_steps, loo_optimum_w, loss_curve,
                   train_with_loss_form)
from .keyview import KeySummary, attention_pass, cell_edges, summarise_keys
from .kernels import equivalent_bandwidth, kernel_values, pooling_kernel
from .learning import training_subsample
from .pooling import attention_weights, nadaraya_watson
from .tiles import prefers_binned

#: Default cap on heatmap columns.
MAX_KEY_BINS = 100
#: Most training points drawn on a chart (an even random subset of larger data).
MAX_POINTS_SHOWN = 5000


@dataclass(frozen=True, eq=False)
class Axis:
    """Where a heatmap's rows or columns sit in data units: each cell's centre and edges."""

    centres: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True, eq=False)
class AttentionCells:
    """The attention matrix as shown, its axes, and what the page should say about it.

    ``weights`` is n_queries × n_columns (rows sum to 1; 0 for empty windows); a column is one
    key, or a bin of keys (``binned``) holding ``key_counts`` keys whose mean value is
    ``key_values``. ``query_axis`` and ``key_axis`` place the rows and columns in data units.
    """

    weights: np.ndarray
    query_axis: Axis
    key_axis: Axis
    key_values: np.ndarray
    key_counts: np.ndarray
    binned: bool
    n_keys: int

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Long format, one row per cell (row-major): qi (query index), query_x, query_lo,
        query_hi, key_x (key or bin centre), key_lo, key_hi, key_y (value, or mean value of the
        bin), keys (count in cell), weight."""
        n_q, n_c = self.weights.shape
        queries, keys = self.query_axis, self.key_axis
        return pd.DataFrame({
            "qi": np.repeat(np.arange(n_q), n_c),
            "query_x": np.repeat(queries.centres, n_c),
            "query_lo": np.repeat(queries.lo, n_c),
            "query_hi": np.repeat(queries.hi, n_c),
            "key_x": np.tile(keys.centres, n_q),
            "key_lo": np.tile(keys.lo, n_q),
            "key_hi": np.tile(keys.hi, n_q),
            "key_y": np.tile(self.key_values, n_q),
            "keys": np.tile(self.key_counts, n_q),
            "weight": self.weights.ravel(),
        })


def attention_cells(queries, keys, values, *, kernel: str = "gaussian", bandwidth: float = 1.0,
                    max_key_bins: int = MAX_KEY_BINS) -> AttentionCells:
    """Attention weights for display: one column per key, or per bin of x when keys are many.

    Keys are shown sorted by x; a column spans from the midpoint to its left neighbour to the
    midpoint to its right one (bins: their edges), so the x axis is in data units.
    """
    queries, summary = _summarised(queries, keys, values, max_key_bins)
    result = attention_pass(queries, summary, pooling_kernel(kernel), check_bandwidth(bandwidth))
    return _cells(queries, summary, result.weights)


def effective_keys_per_query(queries, keys, *, kernel: str, bandwidth: float) -> np.ndarray:
    """1 / Σ_i α_i² per query from Σα² = ΣK²/(ΣK)², in tiles (0 where the window is empty)."""
    keys = as_finite_vector(keys, "keys")
    queries, summary = _summarised(queries, keys, np.zeros(keys.size), MAX_KEY_BINS)
    return attention_pass(queries, summary, pooling_kernel(kernel),
                          check_bandwidth(bandwidth)).effective_keys


def _summarised(queries, keys, values, max_key_bins):
    """Validated queries and the exact summary of the keys (see :mod:`nwcore.keyview`)."""
    queries = as_finite_vector(queries, "queries")
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    return queries, summarise_keys(keys, values, max_columns=max_key_bins)


def dense_attention_cells(queries, keys, values, weights, *,
                          max_key_bins: int = MAX_KEY_BINS) -> AttentionCells:
    """An attention matrix computed elsewhere (m queries × n keys, e.g. a learned score's) as
    :func:`attention_cells` shows one: keys sorted by x, one column per key or, with more than
    ``max_key_bins`` keys, a column per equal-width bin of x holding the bin's total weight;
    each query's row between the midpoints to its neighbours. Rows keep their sums."""
    queries, summary = _summarised(queries, keys, values, max_key_bins)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (queries.size, summary.keys.size):
        raise ValueError(f"weights must be (queries × keys) = ({queries.size}, "
                         f"{summary.keys.size}); got {weights.shape}.")
    order = np.argsort(np.asarray(keys, dtype=np.float64), kind="stable")  # summarise_keys's
    columns = np.zeros((queries.size, summary.column_lo.size))
    np.add.at(columns.T, summary.column_of_point, weights[:, order].T)
    return _cells(queries, summary, columns)


def _cells(queries, summary: KeySummary, weights) -> AttentionCells:
    return AttentionCells(
        weights=weights, query_axis=Axis(queries, *cell_edges(queries)),
        key_axis=Axis(summary.column_centres, summary.column_lo, summary.column_hi),
        key_values=summary.column_values, key_counts=summary.column_counts,
        binned=summary.grouped, n_keys=int(summary.keys.size))


def query_detail(query, keys, values, *, kernel: str = "gaussian", bandwidth: float = 1.0):
    """Decomposition of ŷ(x) at one query: x_i, y_i, α_i, α_i·y_i, sorted by α (largest first).

    The sum of the ``contribution`` column is ŷ(x).
    """
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    weights = attention_weights(np.atleast_1d(float(query)), keys, kernel=pooling_kernel(kernel),
                                bandwidth=bandwidth)[0]
    frame = pd.DataFrame({"key_x": keys, "value_y": values, "weight": weights,
                          "contribution": weights * values})
    return frame.sort_values("weight", ascending=False, kind="stable").reset_index(drop=True)


def fit_frame(queries, keys, values, *, kernel: str = "gaussian",
              bandwidth: float = 1.0) -> pd.DataFrame:
    """Per query: index qi, x, prediction ŷ(x) and the effective number of keys 1/Σα²."""
    queries, summary = _summarised(queries, keys, values, MAX_KEY_BINS)
    return _fit_table(queries, attention_pass(queries, summary, pooling_kernel(kernel),
                                              check_bandwidth(bandwidth)))


def _fit_table(queries, result) -> pd.DataFrame:
    return pd.DataFrame({"qi": np.arange(queries.size), "x": queries, "prediction": result.fit,
                         "effective_keys": result.effective_keys})


def display_points(keys, values, *, limit: int = MAX_POINTS_SHOWN, seed: int = 0):
    """The training points to draw: all of them, or an even random subset of ``limit``."""
    frame = pd.DataFrame({"x": np.asarray(keys, float), "y": np.asarray(values, float)})
    if len(frame) <= limit:
        return frame
    return frame.sample(limit, random_state=seed).sort_values("x", kind="stable")


def curves_frame(fit: pd.DataFrame, *, truth: pd.DataFrame | None, average: float | None,
                 extra: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Long-format (x, y, series) table of every curve on the fit chart."""
    parts = [pd.DataFrame({"x": fit["x"], "y": fit["prediction"],
                           "series": "attention pooling ŷ(x)"})]
    if average is not None:
        parts.append(pd.DataFrame({"x": fit["x"], "y": average, "series": "average pooling"}))
    for name, values in (extra or {}).items():
        parts.append(pd.DataFrame({"x": fit["x"], "y": values, "series": name}))
    if truth is not None:
        parts.append(pd.DataFrame({"x": truth["x"], "y": truth["truth"], "series": "truth f(x)"}))
    return pd.concat(parts, ignore_index=True)



@dataclass(frozen=True)
class ExplorerView:
    """Everything the Explore page draws for one setting of the controls."""

    queries: np.ndarray
    kernel_bandwidth: float      # the h passed to the kernel (after the equal-widths rescaling)
    fit: pd.DataFrame            # qi, x, prediction, effective_keys
    cells: AttentionCells
    curves: pd.DataFrame         # long format for the fit chart
    empty_queries: int           # queries whose window holds no key
    dominated_queries: int       # queries where one key takes nearly all the weight


def view_summary(dataset: Dataset, *, n_queries: int = 50,
                 max_key_bins: int = MAX_KEY_BINS) -> KeySummary:
    """The keys of a dataset as its views sum over them: exact, or binned on a fine grid when
    the view would take more than the engine's binned threshold of kernel evaluations (then a
    move costs the same at 1e6 keys as at 1e4). Make it once per dataset and pass it on."""
    binned = prefers_binned(float(n_queries) * dataset.keys.size)
    return summarise_keys(dataset.keys, dataset.values, max_columns=max_key_bins, binned=binned)


def explorer_view(dataset, *, pooling: str, bandwidth: float, n_queries: int = 50,
                  equal_widths: bool = False, local_linear: bool = False,
                  max_key_bins: int = MAX_KEY_BINS,
                  summary: KeySummary | None = None) -> ExplorerView:
    """Fit, attention cells and diagnostics for a dataset and a pooling choice, from one pass
    over its keys (:func:`view_summary`, made here when not given).

    ``local_linear`` adds the local linear fit at the same kernel and bandwidth as a curve.
    With ``equal_widths`` the compact kernels get the bandwidth whose kernel std equals that of a
    Gaussian of bandwidth h (d2l's raw widths otherwise: radius h).
    """
    kernel = pooling_kernel(pooling)
    h = equivalent_bandwidth(kernel, bandwidth) if equal_widths else check_bandwidth(bandwidth)
    queries = dataset.queries(n_queries)
    if summary is None:
        summary = view_summary(dataset, n_queries=n_queries, max_key_bins=max_key_bins)
    if not summary.resolves(kernel, h):  # a bandwidth below the grid's reach, or the boxcar
        summary = summary.exact
    with_line = local_linear and kernel != "constant"
    result = attention_pass(queries, summary, kernel, h, with_local_linear=with_line)
    fit = _fit_table(queries, result)
    cells = _cells(queries, summary, result.weights)
    extra = {"local linear": result.local_linear} if with_line else {}
    curves = curves_frame(fit, truth=dataset.truth_curve(),
                          average=float(dataset.values.mean()), extra=extra)
    n_effective = fit["effective_keys"].to_numpy()
    return ExplorerView(
        queries=queries, kernel_bandwidth=h, fit=fit, cells=cells,
        curves=curves,
        empty_queries=int(np.count_nonzero(np.isnan(fit["prediction"].to_numpy()))),
        dominated_queries=int(np.count_nonzero((n_effective > 0) & (n_effective < 1.1))),
    )


def comparison_panels(dataset, kernels, widths, *, equal_widths: bool = False,
                      n_queries: int = 50, max_key_bins: int = 60):
    """For each kernel (row) and width (column): (:class:`AttentionCells`, fit curves) for the
    Compare grid."""
    summary = view_summary(dataset, n_queries=n_queries, max_key_bins=max_key_bins)
    panels = []
    for kernel in kernels:
        row = []
        for width in widths:
            view = explorer_view(dataset, pooling=kernel, bandwidth=width, n_queries=n_queries,
                                 equal_widths=equal_widths, max_key_bins=max_key_bins,
                                 summary=summary)
            row.append((view.cells, view.curves))
        panels.append(row)
    return panels


#: How a panel figure is laid out: each kernel a row of widths, or each kernel a column (the
#: new edition's 1 × 4 kernel row).
PANEL_LAYOUTS = ("kernels_rows", "kernels_columns")


@dataclass(frozen=True, eq=False)
class PanelGrid:
    """Panels of fits and attention matrices laid out in rows and columns, with their titles.

    ``panels[r][c]`` is (:class:`AttentionCells`, curves frame); ``titles[r][c]`` names it.
    """

    panels: list
    titles: list
    points: pd.DataFrame

    def matrices(self) -> np.ndarray:
        """The attention matrices as d2l's ``show_heatmaps`` takes them: (panel rows, panel
        columns, queries, keys)."""
        return np.array([[cells.weights for cells, _ in row] for row in self.panels])


def panel_grid(dataset: Dataset, kernels, widths, *, layout: str = "kernels_rows",
               equal_widths: bool = False, book_names: bool = False, n_queries: int = 50,
               max_key_bins: int = 60) -> PanelGrid:
    """:func:`comparison_panels` laid out by ``layout`` (:data:`PANEL_LAYOUTS`).

    Titles name the kernel and the width ("gaussian · h = 0.5"); with ``book_names`` they are the
    new edition's ("Constant", "Sigma 0.5") and leave out what every panel shares.
    """
    if layout not in PANEL_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(PANEL_LAYOUTS)}.")
    by_kernel = comparison_panels(dataset, kernels, widths, equal_widths=equal_widths,
                                  n_queries=n_queries, max_key_bins=max_key_bins)

    def title(kernel, width):
        if not book_names:
            return f"{kernel} · h = {width:g}"
        name = BOOK_NAMES.get(kernel, kernel.capitalize())
        parts = [name] * (len(kernels) > 1) + [f"Sigma {width:g}"] * (len(widths) > 1)
        return " · ".join(parts) or name

    cells = [[(k, w) for w in widths] for k in kernels]
    if layout == "kernels_columns":
        cells = [list(column) for column in zip(*cells)]
        by_kernel = [list(column) for column in zip(*by_kernel)]
    return PanelGrid(panels=by_kernel, titles=[[title(k, w) for k, w in row] for row in cells],
                     points=display_points(dataset.keys, dataset.values))


def decomposition_table(detail: pd.DataFrame, *, rows: int = 200) -> pd.DataFrame:
    """A total row over every key (Σ α_i = 1 and Σ α_i y_i = ŷ(x)), first so that a short
    table shows it, then the first ``rows`` keys of :func:`query_detail` (largest weights
    first, labelled 1, 2, …)."""
    shown = detail.head(rows).set_axis([str(i) for i in range(1, min(rows, len(detail)) + 1)])
    total = pd.DataFrame({"key_x": [np.nan], "value_y": [np.nan],
                          "weight": [detail["weight"].sum()],
                          "contribution": [detail["contribution"].sum()]},
                         index=[f"Σ over all {len(detail):,} keys = ŷ(x)"])
    return pd.concat([total, shown])


def kernel_curve_at(query: float, keys, *, kernel: str, bandwidth: float, peak: float,
                    points: int = 400) -> pd.DataFrame:
    """K((x - t)/h) over the keys' range, scaled so its maximum is ``peak`` (for drawing)."""
    keys = as_finite_vector(keys, "keys")
    kernel = pooling_kernel(kernel)
    t = np.linspace(min(keys.min(), query), max(keys.max(), query), points)
    shape = kernel_values(kernel, (query - t) / check_bandwidth(bandwidth))
    top = shape.max()
    return pd.DataFrame({"t": t, "K": shape * (peak / top if top > 0 else 0.0)})


#: d2l new edition's Gaussian widths besides σ = 1, marked on the bandwidth landscape.
D2L_NEW_WIDTHS = (0.1, 0.2, 0.5)


@dataclass(frozen=True, eq=False)
class Landscape:
    """The Bandwidth page's criteria over h, its marked bandwidths and the one-click choices."""

    curves: pd.DataFrame        # h, error (NaN where undefined), criterion
    markers: pd.DataFrame       # h, label
    choices: dict[str, float]   # label -> h, offered as "use this h"

    def with_current(self, h: float) -> "Landscape":
        """The same landscape with a "current h" marker; markers outside the curves' h range
        are left out."""
        current = pd.DataFrame({"label": ["current h"], "h": [float(h)]})
        markers = pd.concat([current, self.markers], ignore_index=True)
        low, high = self.curves["h"].min(), self.curves["h"].max()
        return Landscape(curves=self.curves,
                         markers=markers[(markers["h"] >= low) & (markers["h"] <= high)],
                         choices=self.choices)


def bandwidth_landscape(dataset: Dataset, kernel: str, *, points: int = 60) -> Landscape:
    """Leave-one-out CV, GCV and (when the truth is known) the true error of NW at ``points``
    log-spaced bandwidths over the dataset's bandwidth range, with the rules of thumb, the
    criteria's minima and (for generated data, in d2l's units) d2l's widths as markers. LOO and
    GCV come from one pass over the keys per bandwidth, and their minima from one search
    (:func:`search_bandwidths`)."""
    keys, values = dataset.keys, dataset.values
    grid = np.geomspace(*dataset.bandwidth_range(), points)
    search = search_bandwidths(keys, values, kernel=kernel, grid=grid)
    parts = [pd.DataFrame({"h": grid, "error": search.loo_cv, "criterion": "leave-one-out CV"}),
             pd.DataFrame({"h": grid, "error": search.gcv, "criterion": "GCV"})]
    if dataset.function is not None:
        queries = dataset.queries()
        truth = true_function(dataset.function, queries)
        true_error = [np.nanmean((nadaraya_watson(queries, keys, values, kernel=kernel,
                                                  bandwidth=h) - truth) ** 2)
                      for h in grid]
        parts.append(pd.DataFrame({"h": grid, "error": true_error,
                                   "criterion": "true error (vs f)"}))
    curves = pd.concat(parts, ignore_index=True)  # NaN where a criterion is undefined
    choices = {
        "CV minimum": search.chosen["loo_cv"],
        "GCV minimum": search.chosen["gcv"],
        "Silverman": silverman_bandwidth(keys),
        "Scott": scott_bandwidth(keys),
    }
    d2l_widths = []
    if dataset.source == "generated":  # d2l's widths are in its data's units
        choices["d2l classic (h = 1)"] = 1.0
        d2l_widths = [(f"d2l new σ = {w:g}", w) for w in D2L_NEW_WIDTHS]
    marker_rows = list(choices.items()) + d2l_widths
    markers = pd.DataFrame(marker_rows, columns=["label", "h"])
    return Landscape(curves=curves, markers=markers, choices=choices)


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """d2l's learned pooling trained on a dataset, with what the Learned pooling page draws.

    w is in data units throughout; ``loss`` is the loss minimised (its form, with or without
    leave-one-out, of the z-scores when ``settings["standardise"]``).
    """

    dataset_key: str
    n_trained: int              # points used (a fixed subsample of large datasets)
    history: pd.DataFrame       # step, w, loss, loo_error (LOO-CV error at each w), gradient
    loo_curve: pd.DataFrame     # w, error: the LOO-CV error over a grid of w
    best_w: float               # the w minimising the leave-one-out loss (1-D minimiser)
    loss_curve: pd.DataFrame | None = None    # w, loss: the loss minimised over the same grid
    optimum_w: float | None = None  # its minimiser: best_w with leave-one-out, else None
    settings: Mapping[str, object] = field(default_factory=dict)  # lr, epochs, w0, …
    first_steps: Mapping[str, float] = field(default_factory=dict)  # loss form -> w after 1
    key_spacing: float = float("nan")  # median gap between neighbouring distinct keys
    x_scale: float = 1.0        # sd of x when trained standardised (lr acts on w · x_scale)


def learned_pooling_run(dataset: Dataset, *, lr: float, epochs: int, w0: float,
                        leave_one_out: bool, loss: str, on_epoch=None,
                        standardise: bool = False) -> TrainingRun:
    """Train w = 1/h by full-batch gradient descent (:func:`nwcore.book.train_with_loss_form`,
    any loss form of :data:`nwcore.book.LOSS_FORMS`, on z-scores with ``standardise``, on
    :func:`nwcore.learning.training_subsample` of the data) and evaluate the loss minimised and
    the leave-one-out error along its path and over a grid of w around it and the optimum.
    ``on_epoch(done, epochs)`` reports progress.
    """
    keys, values = training_subsample(dataset.keys, dataset.values)
    options = {"leave_one_out": leave_one_out, "loss": loss, "standardise": standardise}
    trained = train_with_loss_form(keys, values, w0=w0, lr=lr, epochs=epochs,
                                   on_epoch=on_epoch, **options)
    w = trained.w
    best = loo_optimum_w(keys, values)
    spread = float(np.std(keys)) or 1.0
    grid_w = np.geomspace(min(0.1 / spread, w.min() / 2, best / 2),
                          max(200.0 / spread, w.max() * 2, best * 2), 80)
    history = pd.DataFrame({"step": np.arange(w.size), "w": w, "loss": trained.loss,
                            "loo_error": loo_cv_curve(keys, values, 1.0 / w),
                            "gradient": trained.gradient})
    gaps = np.diff(np.unique(keys))
    return TrainingRun(
        dataset_key=dataset.key, n_trained=int(keys.size), history=history,
        loo_curve=pd.DataFrame({"w": grid_w, "error": loo_cv_curve(keys, values, 1.0 / grid_w)}),
        best_w=best,
        loss_curve=pd.DataFrame({"w": grid_w, "loss": loss_curve(keys, values, grid_w,
                                                                 **options)}),
        optimum_w=best if leave_one_out else None,
        settings={"lr": lr, "epochs": epochs, "w0": w0, **options},
        first_steps=first_steps(keys, values, w0=w0, lr=lr, leave_one_out=leave_one_out,
                                standardise=standardise),
        key_spacing=float(np.median(gaps)) if gaps.size else float("nan"),
        x_scale=spread if standardise else 1.0)


def _g(value: float) -> str:
    return f"{value:.3g}"


def describe_training(run: TrainingRun) -> str:
    """What the steps did, in numbers: where the first step went, where the others took w
    relative to the minimum of the loss, and how the loss changed."""
    w, loss = run.history["w"].to_numpy(), run.history["loss"].to_numpy()
    if w.size < 2:
        return f"No step taken: w = {_g(w[0])}."
    parts = [f"The first step moved w from {_g(w[0])} to {_g(w[1])} (h = 1/w = {_g(1 / w[1])})."]
    optimum = run.optimum_w
    if w.size > 2:
        moved = f"The other {w.size - 2} step{'s' if w.size > 3 else ''} moved it to {_g(w[-1])}"
        if optimum is None:
            trend = "on up" if w[-1] > w[1] else "back down"
            parts.append(f"{moved}: {trend}; without leave-one-out the loss keeps falling as w "
                         "grows, so there is no minimum to settle at.")
        else:
            before, after = (abs(np.log(value / optimum)) for value in (w[1], w[-1]))
            if after < 0.01:
                where = "the minimum of the loss"
            elif after < before:
                where = (f"{100 * (1 - after / before):.0f} % of the way back towards the "
                         "minimum of the loss (in log w)")
            else:
                where = "away from the minimum of the loss"
            parts.append(f"{moved}, {where}.")
    if optimum is not None:
        parts.append(f"The minimum is at w = {_g(optimum)} (h = {_g(1 / optimum)}).")
    parts.append(f"The loss went from {_g(loss[0])} to {_g(loss[-1])}.")
    return " ".join(parts)


def check_training(run: TrainingRun, dataset: Dataset) -> tuple[list[str], list[str]]:
    """Problems of a run and what to try: a loss that rose, a w outside the sensible range (h
    below the typical gap between keys, or wider than the data's x range), or a w far from the
    loss's minimum. Empty lists for a run that went well."""
    history, settings, span = run.history, run.settings, dataset.x_span
    w, loss = history["w"].to_numpy(), history["loss"].to_numpy()
    problems, remedies = [], []
    rises = np.flatnonzero(np.diff(loss) > 1e-9 * np.abs(loss[:-1])) + 1
    if loss[-1] > loss[0]:
        problems.append(f"The loss rose, from {_g(loss[0])} to {_g(loss[-1])}: the steps are too "
                        "long for this loss.")
    elif rises.size:
        listed = ", ".join(str(step) for step in rises[:5]) + (" …" if rises.size > 5 else "")
        problems.append(f"The loss went up at step{'s' if rises.size > 1 else ''} {listed}: "
                        "those steps jumped past the minimum.")
    h = 1.0 / w[-1]
    optimum = run.optimum_w
    if np.isfinite(run.key_spacing) and h < run.key_spacing:
        problems.append(f"w = {_g(w[-1])} (h = {_g(h)}) is narrower than the typical gap between "
                        f"neighbouring keys ({_g(run.key_spacing)}): each point is predicted "
                        "from its nearest neighbour alone.")
    elif span > 0 and h > span:
        problems.append(f"w = {_g(w[-1])} (h = {_g(h)}) is wider than the data's whole x range "
                        f"({_g(span)}): every key gets nearly the same weight (average "
                        "pooling).")
    if optimum is None:
        if problems:
            remedies.append("Switch leave-one-out on: a point that may attend to itself is fit "
                            "best by copying its own y, so w grows without bound.")
    elif not 0.5 < w[-1] / optimum < 2:
        problems.append(f"After {w.size - 1} epochs w = {_g(w[-1])} is {_g(w[-1] / optimum)} × "
                        f"the minimum of the loss (w = {_g(optimum)}).")
    if optimum is not None and problems:
        # One step lands at w0 - lr · gradient / x_scale² (lr acts on w · x_scale).
        gradient = float(history["gradient"].iloc[0]) / run.x_scale ** 2
        landing = (w[0] - optimum) / gradient if gradient < 0 < optimum - w[0] else None
        if w.size > 1 and w[1] > 2 * optimum:
            tip = "The first step overshot: try a smaller learning rate"
            remedies.append(tip + (f" (lr ≈ {_g(landing)} would land the first step near the "
                                   "minimum)" if landing else "") +
                            ", or the ½·sum or averaged loss (half or 1/n of the step).")
        elif w[-1] < optimum / 2:
            remedies.append("w is still climbing towards the minimum: try more epochs or a "
                            "larger learning rate.")
        else:
            remedies.append("Try more epochs (the steps back are short) or a smaller learning "
                            "rate.")
    if problems and dataset.source == "uploaded" and not settings.get("standardise"):
        remedies.append("On data far from d2l's scale (x in [0, 5], y of order 1), train on "
                        "standardised x and y.")
    return problems, remedies
