"""The explorer chart computed in the browser: the fit and the weights follow the bandwidth slider.

The chart carries the data once (keys, queries, fixed curves: n + m rows, and the heatmap's bins)
and computes the attention weights and the fit with Vega-Lite transforms, so a move of the slider
redraws the fit curve, the heatmap, the hovered query's profile and ŷ with no server round trip.
For query x, key x_i, d = x_i - x and the kernel bandwidth h:

* Gaussian: K_i = exp((d_near² - d_i²) / 2h²), the logit minus the row's largest one (that of
  the nearest key, found once per dataset), so the nearest key weighs 1 and nothing overflows;
* boxcar 1{|d|/h ≤ 1}, triangular max(0, 1 - |d|/h), Epanechnikov max(0, 1 - (d/h)²): an
  empty window gives a row of zeros and no prediction; constant (average pooling): K_i = 1;
* α_i = K_i / Σ_j K_j; ŷ(x) = m + Σ K_i (y_i - m) / Σ K_i, m the mid-range of y; local linear
  from the moments about x, S_p = Σ K_i u_i^p, T_p = Σ K_i u_i^p (y_i - m), u = d/h:
  ŷ_LL = m + T0/S0 - slope·S1/S0 with slope = (S0 T1 - S1 T0)/(S0 S2 - S1²), or NW where
  S0 S2 - S1² ≤ 1e-6 S0 S2.

These are the formulas of :func:`nwcore.attention_weights`, :func:`nwcore.nadaraya_watson` and
:func:`nwcore.local_linear`; in the browser they agree with them to 1e-12 relative or better
(local linear: to the rounding of a near-singular design, where nwcore's own error is larger).

Streamlit draws charts with Vega's expression interpreter (a page without ``eval``), where each
evaluation of an expression costs microseconds: a move evaluates two expressions per cell (K and
K·(y - m), three more with local linear) and everything else runs in native transforms
(aggregate, lookup, bin, fold). The heatmap draws one rect per query filled with a gradient whose
stops are the cells' edges, coloured by α relative to the largest α of its row (the Gaussian's
shifted K itself): each row's strongest key is darkest and the colour scale does not move while
h is dragged; the profile below shows the hovered row's α in absolute units. With more than
``max_key_bins`` keys the columns are bins of x holding their keys' total weight (as
:func:`nwcore.views.attention_cells`, from :func:`nwcore.keyview.summarise_keys`); the fit always
uses every key.

The slider is a range input over the index of the bandwidth stops (a log scale) bound inside the
chart to the point selection :data:`BANDWIDTH_PARAM` on the field :data:`STOP_FIELD`; its value is
shown as h in the fit's title. A Streamlit app reads the committed value with
:func:`committed_bandwidth` from ``st.vega_lite_chart(..., on_select="rerun")``: Streamlit 1.67
reports a selection 150 ms after its last change, so a drag commits once, when the pointer stops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.schemapi import debug_mode

from ._validation import as_finite_vector, check_same_length
from .charts import (
    HEATMAP_TITLE,
    ExplorerLayout,
    _curves_layer,
    _hover_and_pin,
    _points_layer,
    marked_query,
    pinned_lookup,
    pinned_outline,
    pinned_table,
    query_bands,
    weight_colours,
    weight_scale,
)
from .kernels import REGISTRY, kernel_std, pooling_kernel
from .keyview import cell_edges, summarise_keys
from .pooling import SINGULAR_DESIGN_TOLERANCE
from .stops import nearest_option
from .tiles import nearest_key
from .views import MAX_KEY_BINS, display_points

#: The point selection bound to the slider, and its field: the index of the chosen stop.
BANDWIDTH_PARAM = "bandwidth"
STOP_FIELD = "h_stop"
#: Largest n_keys × n_queries computed in the browser; above it the page computes on the server.
#: (500 × 100 redraws in ~0.4 s after the pointer rests, headless chromium, 2 idle cores.)
LIVE_MAX_CELLS = 50_000
#: Largest n_keys × n_queries redrawn on every input event of the slider. Streamlit reports the
#: selection 150 ms after its last change: a redraw that blocks the page longer than that lets
#: the report fire between two moves (a script run per move), so larger views redraw when the
#: pointer rests for :data:`REST_MS` (one run per rest, none while it moves). Measured pointer
#: to frame p50/p95: 50 × 50 23/38 ms, 100 × 50 31/54 ms (2 idle cores; 35-41/64-100 ms busy).
SMOOTH_MAX_CELLS = 5_000
REST_MS = 150
#: Series names on the fit chart (as :func:`nwcore.views.curves_frame` names them).
NW_SERIES, AVERAGE_SERIES, LL_SERIES, TRUTH_SERIES = (
    "attention pooling ŷ(x)", "average pooling", "local linear", "truth f(x)")
#: CSS for the page that shows the chart: the slider above the chart (Vega puts its inputs
#: below), without the raw stop index Vega prints next to it (the fit's title shows h itself).
_SLIDER = f'input[name="{BANDWIDTH_PARAM}_{STOP_FIELD}"]'
SLIDER_CSS = "\n".join([
    f".vega-embed:has({_SLIDER}) {{display: flex; flex-direction: column;}}",
    f".vega-embed:has({_SLIDER}) > form.vega-bindings {{order: -1; margin-bottom: 0.5rem;}}",
    f".vega-bindings {_SLIDER} {{width: min(28rem, 60vw);}}",
    f".vega-bindings {_SLIDER} + span {{display: none;}}"])
#: Heatmap colours: the "reds" scale in 256 levels.
PALETTE_SIZE = 256
#: Keeps the hovered query's row (a filter on rows aggregated by query).
HOVERED = "isValid(hover.qi) && datum.qi === hover.qi[0]"

#: The Gaussian's K in the browser: its logit minus the row's largest one (its nearest key's),
#: g = (d_near² - d²)/2 times h² (the max-shifted softmax); the other kernels' K is their
#: registry record's ``browser`` expression of u = d / h.
GAUSSIAN_SHIFTED = "exp(datum.g / (h_kernel * h_kernel))"


def _kernel_expression(kernel: str) -> str:
    """K for the cell's d = x_i - x at the slider's h, as a Vega expression."""
    if kernel == "gaussian":
        return GAUSSIAN_SHIFTED
    return REGISTRY[kernel].browser.format(u="(datum.d / h_kernel)")


@dataclass(frozen=True, eq=False)
class LiveExplorer:
    """A live explorer chart and how to read the bandwidth it commits.

    ``selection_mode`` lists the parameters to pass to ``st.vega_lite_chart`` (``"pin"``, and
    :data:`BANDWIDTH_PARAM` unless the pooling ignores h); ``stops`` are the slider's values.
    """

    chart: alt.VConcatChart
    selection_mode: tuple[str, ...]
    stops: tuple[float, ...]
    smooth: bool  # redrawn on every move of the slider, else when the pointer rests
    pinned: pd.DataFrame  # the link-pinned query's table (swap it to mark another)


def fits_live(n_keys: int, n_queries: int) -> bool:
    """Whether a view of this size is computed in the browser (see :data:`LIVE_MAX_CELLS`)."""
    return n_keys * n_queries <= LIVE_MAX_CELLS


def committed_bandwidth(selection, stops) -> float | None:
    """The bandwidth the slider committed, from Streamlit's selection state, else None.

    ``selection`` maps parameter names to lists of points, e.g. ``{"bandwidth": [{"h_stop": 7}]}``
    gives ``stops[7]``; no value yet, a value off the stops or anything malformed gives None.
    """
    try:
        index = selection.get(BANDWIDTH_PARAM)[-1][STOP_FIELD]
    except (AttributeError, IndexError, KeyError, TypeError):
        return None
    if isinstance(index, float) and index.is_integer():
        index = int(index)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(stops):
        return None
    return float(stops[index])


def _stop_index(stops, h: float) -> int:
    """The index of the slider stop nearest ``h``."""
    stops = list(stops)
    return stops.index(nearest_option(h, stops))


def starting_at(spec: dict, stops, h: float) -> dict:
    """A copy of the live chart's ``spec`` (its Vega-Lite dict) whose slider starts at the stop
    nearest ``h``: a spec built once per dataset (the costly part) can start anywhere."""
    start = [{STOP_FIELD: _stop_index(stops, h)}]
    params = [{**param, "value": start} if param.get("name") == BANDWIDTH_PARAM else param
              for param in spec.get("params", [])]
    return {**spec, "params": params}


def live_explorer_chart(keys, values, queries, *, stops, h: float, pooling: str = "gaussian",
                        truth: pd.DataFrame | None = None, equal_widths: bool = False,
                        local_linear: bool = False, max_key_bins: int = MAX_KEY_BINS,
                        smooth: bool | None = None,
                        layout: ExplorerLayout = ExplorerLayout()) -> LiveExplorer:
    """The linked fit, heatmap and weight profile, computed in the browser for the slider's h.

    ``stops``: the slider's bandwidths (increasing); the slider starts at the stop nearest ``h``
    (on a log scale). ``truth``: the noise-free curve (columns x, truth) or None. With
    ``equal_widths`` a compact kernel gets the bandwidth h / std(K) (the Gaussian's width); with
    ``local_linear`` the local linear fit is drawn too (not for average pooling). ``smooth``:
    redraw on every move of the slider (default: up to :data:`SMOOTH_MAX_CELLS` cells), else
    when the pointer rests. ``layout``: the views' arrangement, sizes, lettering and axis names
    (:class:`nwcore.charts.ExplorerLayout`). The link-pinned query is the table ``pinned`` (see
    :func:`nwcore.charts.pinned_table`; :attr:`LiveExplorer.pinned` is that table object, so a
    page can swap it in a built spec).
    """
    kernel = pooling_kernel(pooling)
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    queries = as_finite_vector(queries, "queries")
    check_same_length(keys, values)
    stops = tuple(float(stop) for stop in stops)
    if not stops or stops[0] <= 0 or any(not b > a for a, b in zip(stops, stops[1:])):
        raise ValueError("stops must be increasing bandwidths > 0.")
    local_linear = local_linear and kernel != "constant"
    tables = _live_tables(keys, values, queries, truth, max_key_bins=max_key_bins)
    if smooth is None:
        smooth = keys.size * queries.size <= SMOOTH_MAX_CELLS
    # Altair (in its default debug mode) validates every object it makes, a lookup with its
    # whole table: a third of the build. The tests validate the chart instead. (A global flag,
    # which Altair itself switches off around each of its copies.)
    with debug_mode(False):
        chart = _live_chart(tables, stops, h, kernel=kernel, smooth=smooth,
                            equal_widths=equal_widths, local_linear=local_linear, layout=layout)
    selection_mode = ("pin",) if kernel == "constant" else ("pin", BANDWIDTH_PARAM)
    return LiveExplorer(chart=chart, selection_mode=selection_mode,
                        stops=stops, smooth=smooth, pinned=tables["pinned"])


#: The views whose marks carry the query selections: the fit's query points, the heatmap's bands.
FIT_QUERIES, HEAT_BANDS = "fit_queries", "heat_bands"


def _live_chart(tables, stops, h, *, kernel, smooth, equal_widths, local_linear, layout):
    """The Altair chart of :func:`live_explorer_chart` from its tables.

    The views are composed with :func:`_layer` and the concatenation's properties set in
    place: Altair's ``alt.layer``, ``.properties()``, ``.resolve_*()`` and ``.configure()``
    copy every chart below them (and lift selections), repeatedly when nested.
    """
    hover, pin = _hover_and_pin()
    selections = [hover, pin]
    variables = []
    if kernel != "constant":
        start = _stop_index(stops, h)
        selections.append(alt.selection_point(
            name=BANDWIDTH_PARAM, fields=[STOP_FIELD], value=[{STOP_FIELD: start}], clear=False,
            bind=alt.binding_range(min=0, max=len(stops) - 1, step=1,
                                   name="Bandwidth h (log scale) ",
                                   debounce=alt.Undefined if smooth else REST_MS)))
        scale = kernel_std(kernel) if equal_widths else 1.0
        variables += [alt.param(name="h_value", expr=(
                          f"{json.dumps(stops)}[{BANDWIDTH_PARAM}.{STOP_FIELD}[0]]")),
                      alt.param(name="h_kernel", expr=f"h_value / {scale!r}")]
    x_scale = alt.Scale(domain=[tables["x_lo"], tables["x_hi"]], nice=False, zero=False)
    fit = _fit_view(tables, x_scale, kernel=kernel, local_linear=local_linear, layout=layout)
    heat = _heatmap_view(tables, x_scale, layout=layout)
    profile = _profile_view(tables, x_scale, layout=layout)
    # The cells are the concatenation's data: computed once, used by every view below it.
    chart = layout.arrange(fit, heat, profile, data=tables["queries"])
    chart.transform = _cell_transforms(tables, kernel, local_linear)
    chart.resolve = alt.Resolve(scale=alt.ScaleResolveMap(
        x="shared", color="independent", size="independent"))
    # The selections live at the top, naming the views that carry them (attached to the views,
    # they would need Altair's lifting through alt.layer).
    chart.params = [_on_views(hover, [FIT_QUERIES, HEAT_BANDS]),
                    _on_views(pin, [FIT_QUERIES, HEAT_BANDS]),
                    *[_on_views(selection, [FIT_QUERIES]) for selection in selections[2:]],
                    *[variable.param for variable in variables]]
    # No ARIA attributes per mark: they only apply to SVG, and their descriptions are formatted
    # for every mark at every move (the chart's own description is set by the page).
    chart.config = alt.Config(aria=False)
    return layout.lettering(chart)


def _layer(*charts, **properties) -> alt.LayerSpec:
    """The charts layered, with the layer's ``properties``, as they are (see :func:`_live_chart`;
    the selections are declared at the top)."""
    return alt.LayerSpec(layer=list(charts), **properties)


def _on_views(selection, views) -> alt.TopLevelSelectionParameter:
    """A top-level selection parameter bound to the named views."""
    param = selection.param
    return alt.TopLevelSelectionParameter(
        name=param.name, select=param.select, views=list(views), bind=param.bind,
        value=param.value)


def _live_tables(keys, values, queries, truth, *, max_key_bins):
    """The tables the chart carries (keys with their heatmap column, queries, the columns when
    binned, training points, truth) and the numbers its expressions need."""
    summary = summarise_keys(keys, values, max_columns=max_key_bins)
    keys, values = summary.keys, summary.values  # sorted
    columns = pd.DataFrame({"key_x": summary.column_centres, "key_lo": summary.column_lo,
                            "key_hi": summary.column_hi, "key_y": summary.column_values,
                            "keys": summary.column_counts})
    x_lo, x_hi = float(columns["key_lo"].iloc[0]), float(columns["key_hi"].iloc[-1])
    # Where each column starts and ends along the heatmap's width (the gradients' stops).
    columns["offset_lo"] = (columns["key_lo"] - x_lo) / (x_hi - x_lo)
    columns["offset_hi"] = (columns["key_hi"] - x_lo) / (x_hi - x_lo)
    low, high = float(values.min()), float(values.max())
    middle = 0.5 * (low + high)
    key_table = pd.DataFrame({"ki": np.arange(keys.size), "key_x": keys, "key_y": values,
                              "key_yc": values - middle})
    if summary.grouped:
        key_table["column"] = summary.column_of_point
        columns["column"] = np.arange(len(columns))
    else:
        key_table = pd.concat([key_table, columns.drop(columns=["key_x", "key_y"])], axis=1)
    query_lo, query_hi = cell_edges(queries)
    query_table = pd.DataFrame({"qi": np.arange(queries.size), "query_x": queries,
                                "query_lo": query_lo, "query_hi": query_hi,
                                "nearest": np.abs(queries - nearest_key(queries, keys))})
    # The curves that do not depend on h, and a y range that holds them and the data.
    curves = pd.DataFrame({"x": queries, "y": float(values.mean()), "series": AVERAGE_SERIES})
    if truth is not None:
        curves = pd.concat([curves, pd.DataFrame({"x": truth["x"], "y": truth["truth"],
                                                  "series": TRUTH_SERIES})], ignore_index=True)
    low, high = min(low, curves["y"].min()), max(high, curves["y"].max())
    pad = 0.05 * (high - low) if high > low else 0.5
    # The colour of the levels [i, i + 1) / PALETTE_SIZE (exact binary fractions: the keys of
    # Vega's bin transform), sampled at their middles.
    palette = weight_colours((np.arange(PALETTE_SIZE) + 0.5) / PALETTE_SIZE)
    palette_table = pd.DataFrame({"level": np.arange(PALETTE_SIZE) / PALETTE_SIZE,
                                  "color": [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in palette]})
    return {"keys": key_table, "queries": query_table, "binned": summary.grouped,
            "pinned": pinned_table(None),
            "palette": palette_table,
            "columns": columns if summary.grouped else None,
            "points": display_points(keys, values),
            "curves": curves, "y_domain": [low - pad, high + pad],
            "n_keys": int(keys.size), "middle": middle,
            "x_lo": x_lo, "x_hi": x_hi, "y_lo": float(query_lo[0]), "y_hi": float(query_hi[-1])}


def _cell_transforms(tables, kernel, local_linear):
    """One row per (query, key), made in the browser, with K, the products that are summed and,
    when the heatmap shows keys, the ``level`` of the cell's colour.

    Streamlit runs Vega with its expression interpreter (no compiled code), where evaluating an
    expression costs microseconds: what does not depend on h (d = x_i - x and the Gaussian's
    shifted logit times h²) is computed once, a move evaluates K and K·y per cell (and the
    three local linear products when shown), and everything else is done by native transforms.
    """
    key_fields = [name for name in tables["keys"].columns if name != "ki"]
    chart = alt.Chart().transform_calculate(
        ki=f"sequence(0, {tables['n_keys']})").transform_flatten(["ki"]).transform_lookup(
        lookup="ki", from_=alt.LookupData(tables["keys"], key="ki", fields=key_fields)
    ).transform_calculate(d="datum.key_x - datum.query_x")
    if kernel == "gaussian":
        chart = chart.transform_calculate(
            g="0.5 * datum.nearest * datum.nearest - 0.5 * datum.d * datum.d")
    # Values centred on their mid-range m (the sums cancel less, as in nwcore).
    chart = chart.transform_calculate(K=_kernel_expression(kernel)).transform_calculate(
        Ky="datum.K * datum.key_yc")
    if local_linear:  # moments about the query, u = d/h
        chart = chart.transform_calculate(Ku="datum.K * (datum.d / h_kernel)").transform_calculate(
            Ku2="datum.Ku * (datum.d / h_kernel)").transform_calculate(
            Kuy="datum.Ku * datum.key_yc")
    if not tables["binned"]:
        chart = _colour_levels(chart, row_max_is_one=kernel == "gaussian")
    return chart.transform


def _colour_levels(chart, row_max_is_one):
    """Adds ``level``: K relative to the largest K of its row, in :data:`PALETTE_SIZE` steps
    (a native bin transform; the palette is looked up by level). ``row_max_is_one``: K is
    already relative (a Gaussian's per-key K, shifted by the row's largest logit)."""
    relative = "K"
    if not row_max_is_one:
        relative = "relative"
        chart = chart.transform_joinaggregate(
            Kmax="max(K)", groupby=["qi"]).transform_calculate(
            relative="datum.Kmax > 0 ? datum.K / datum.Kmax : 0")
    return chart.transform_bin("level", relative,
                               bin=alt.Bin(extent=[0, 1], step=1 / PALETTE_SIZE))


def _heat_cells(tables):
    """Heatmap cells with their colour ``level``: the cells, or, when the keys are binned, one
    per (query, bin) with ``K`` = the bin's total and the bin's geometry."""
    if not tables["binned"]:
        return alt.Chart()
    return _colour_levels(alt.Chart().transform_aggregate(
        K="sum(K)", groupby=["qi", "column"]).transform_lookup(
        lookup="column", from_=alt.LookupData(tables["columns"], key="column", fields=[
            name for name in tables["columns"].columns if name != "column"])),
        row_max_is_one=False)


def _by_query(chart, tables):
    """Adds the query's x, lo and hi edges (as x, y_lo, y_hi) to rows aggregated by ``qi``."""
    return chart.transform_lookup(lookup="qi", from_=alt.LookupData(
        tables["queries"], key="qi", fields=["query_x", "query_lo", "query_hi"]),
        as_=["x", "y_lo", "y_hi"])


def _rows(tables):
    """Per query: its heatmap cells (``cells``), their Σ K (``S``) and largest K."""
    return _by_query(_heat_cells(tables).transform_aggregate(
        cells="values(K)", S="sum(K)", Kmax="max(K)", groupby=["qi"]), tables)


def _hovered_row(tables):
    """The hovered query's heatmap cells (``cell.*``) with their weights α (and relative to the
    row's largest): rows are gathered natively, so a move or a hover evaluates one expression per
    query, not per cell."""
    return _rows(tables).transform_filter(HOVERED).transform_flatten(
        ["cells"], as_=["cell"]).transform_calculate(
        weight="datum.S > 0 ? datum.cell.K / datum.S : 0",
        relative="datum.Kmax > 0 ? datum.cell.K / datum.Kmax : 0")


def _heat_rows(tables):
    """Per query: the gradient ``stops`` of its heatmap row, two per cell (its edges), in the
    cell's colour. The stops are made natively from narrow rows (flatten, fold, lookup)."""
    return _rows(tables).transform_flatten(["cells"], as_=["cell"]).transform_fold(
        ["cell.offset_lo", "cell.offset_hi"], as_=["edge", "offset"]).transform_lookup(
        lookup="cell.level", from_=alt.LookupData(tables["palette"], key="level",
                                                  fields=["color"])).transform_aggregate(
        stops="values(offset)", groupby=["qi", "y_lo", "y_hi"])


def _per_query(tables, local_linear):
    """Per query: x, ŷ = m + Σ K (y - m) / Σ K and local linear."""
    sums = {"S": "K", "Ty": "Ky"}
    if local_linear:
        sums |= {"S1": "Ku", "S2": "Ku2", "Tuy": "Kuy"}
    middle = repr(tables["middle"])
    chart = _by_query(alt.Chart().transform_aggregate(
        [alt.AggregatedFieldDef(op="sum", field=field, **{"as": name})
         for name, field in sums.items()], groupby=["qi"]), tables).transform_calculate(
        prediction=f"datum.S > 0 ? {middle} + datum.Ty / datum.S : NaN")
    if local_linear:
        determinant = "(datum.S * datum.S2 - datum.S1 * datum.S1)"
        regular = (f"({determinant} > 0 && {determinant} > "
                   f"{SINGULAR_DESIGN_TOLERANCE!r} * datum.S * datum.S2)")
        slope = f"(datum.S * datum.Tuy - datum.S1 * datum.Ty) / {determinant}"
        chart = chart.transform_calculate(local_linear=(
            f"datum.S > 0 ? {middle} + datum.Ty / datum.S + "
            f"({regular} ? {slope} * (-datum.S1 / datum.S) : 0) : NaN"))
    return chart.transform


def _hovered_summary(tables):
    """The hovered query's x and, when the heatmap shows every key, its effective number of
    keys 1/Σα² (a binned row's weights are bin totals: then x alone)."""
    text = "'query x = ' + format(datum.x, '.3f')"
    chart = _hovered_row(tables)
    if tables["binned"]:
        return chart.transform_aggregate(groupby=["x"]).transform_calculate(text=text)
    return chart.transform_calculate(w2="datum.weight * datum.weight").transform_aggregate(
        W2="sum(w2)", groupby=["x"]).transform_calculate(
        text=f"{text} + ' · effective keys 1/Σα² = ' + "
             "(datum.W2 > 0 ? format(1 / datum.W2, '.1f') : 'none')")


def _fit_view(tables, x_scale, *, kernel, local_linear, layout):
    """Training points, the curves (live ŷ and local linear over fixed average pooling and
    truth), the hovered query's keys sized by weight and its ŷ marked; the invisible query
    points carry the hover, the click and the bandwidth slider. The y axis is fixed (the data,
    the truth and the average, padded) so that it stands still while h is dragged."""
    live = [NW_SERIES] + ([LL_SERIES] if local_linear else [])
    fields = {NW_SERIES: "prediction", LL_SERIES: "local_linear"}
    names = [*live, *tables["curves"]["series"].unique()]
    y_scale = alt.Scale(domain=tables["y_domain"], zero=False)
    template = _curves_layer(pd.DataFrame({"series": names}), layout.fit_x_title, x_scale,
                             y_title=layout.y_title, line_width=layout.line_width,
                             y_scale=y_scale, legend_columns=layout.legend_columns)
    template = template.mark_line(strokeWidth=layout.line_width, clip=True)
    curves = alt.Chart(mark=template.mark, encoding=template.encoding).transform_fold(
        [fields[name] for name in live], as_=["key", "y"]).transform_calculate(
        series=f"{json.dumps({fields[n]: n for n in live}, ensure_ascii=False)}[datum.key]")
    fixed = alt.Chart(tables["curves"], mark=template.mark, encoding=template.encoding)
    marked = marked_query(alt.Chart(), x_scale, y_scale)
    query_points = alt.Chart().mark_circle(size=70, opacity=0.0).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("prediction:Q", scale=y_scale),
        tooltip=[alt.Tooltip("x:Q", title="query x", format=".3f"),
                 alt.Tooltip("prediction:Q", title="ŷ(x)", format=".4f")],
    ).properties(name=FIT_QUERIES)
    # The live curves and the query layers share their per-query transforms (Vega-Lite
    # computes them once; the layer's dataset holds every query, also those without ŷ).
    curves.transform = _per_query(tables, local_linear) + curves.transform
    queries = _layer(marked, query_points, transform=(
        _per_query(tables, local_linear) + pinned_lookup(alt.Chart(), tables["pinned"]).transform))
    weighted = _hovered_row(tables).mark_circle(
        color="#d62728", opacity=0.7, stroke="black", strokeWidth=0.5).encode(
        x=alt.X("cell.key_x:Q", scale=x_scale), y=alt.Y("cell.key_y:Q", scale=y_scale),
        size=alt.Size("relative:Q", scale=alt.Scale(domain=[0, 1], range=[0, 600]),
                      legend=None))
    title = ("'Regression fit at h = ' + h_value" if kernel != "constant"
             else "'Regression fit (average pooling: h has no effect)'")
    points = _points_layer(tables["points"], x_scale)
    lines = _layer(fixed, curves)  # one colour scale, one legend
    return _layer(points, lines, weighted, queries,
                  resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")),
                  width=layout.width, height=layout.fit_height,
                  title=alt.TitleParams(alt.ExprRef(title),
                                        subtitle="hover a query, click to pin it"))


def _heatmap_view(tables, x_scale, *, layout):
    """Each query's row of α as one rect filled with a gradient whose stops are the cells'
    edges (one mark per query, not per cell), a colour legend, and one band per query on top
    that carries the hover, the click and the tooltip and veils the other rows."""
    y_scale = alt.Scale(domain=[tables["y_lo"], tables["y_hi"]], nice=False, zero=False,
                        reverse=True)
    rows = _heat_rows(tables).mark_rect(aria=False).encode(
        x=alt.XDatum(tables["x_lo"], title=layout.key_title, scale=x_scale),
        x2=alt.X2Datum(tables["x_hi"]),
        y=alt.Y("y_lo:Q", title=layout.query_title, scale=y_scale), y2=alt.Y2("y_hi:Q"),
        fill=alt.FillValue(alt.ExprRef(
            "{gradient: 'linear', x1: 0, y1: 0, x2: 1, y2: 0, stops: datum.stops}")))
    legend = alt.Chart(pd.DataFrame({"relative": [0.0, 1.0]})).mark_point(opacity=0).encode(
        color=alt.Color("relative:Q", title="α / row max", scale=weight_scale(),
                        legend=layout.weight_legend()))
    bands = query_bands(tables["queries"], x_scale, y_scale, tables["x_lo"],
                        tables["x_hi"]).properties(name=HEAT_BANDS)
    outline = pinned_outline(tables["pinned"], tables["queries"], x_scale, y_scale,
                             tables["x_lo"], tables["x_hi"])
    return _layer(rows, legend, bands, outline, width=layout.width,
                  height=layout.heatmap_height, title=HEATMAP_TITLE)


def _profile_view(tables, x_scale, *, layout):
    """The hovered query's weights over the keys, on a fixed axis 0 … largest weight, and its
    effective number of keys."""
    bars = _hovered_row(tables).mark_rect(color="#d62728").encode(
        x=alt.X("cell.key_lo:Q", title=layout.key_title, scale=x_scale),
        x2=alt.X2("cell.key_hi:Q"),
        y=alt.Y("weight:Q", title="α(x, x_i)"), y2=alt.Y2Datum(0),
        tooltip=[alt.Tooltip("cell.key_x:Q", title="key x_i", format=".3f"),
                 alt.Tooltip("weight:Q", title="weight α", format=".4f")])
    extent = _rows(tables).transform_calculate(
        top="datum.S > 0 ? datum.Kmax / datum.S : 0").transform_aggregate(
        top="max(top)").mark_point(opacity=0).encode(y=alt.Y("top:Q"))
    summary = _hovered_summary(tables).mark_text(align="right", baseline="top", dy=2).encode(
        x=alt.XValue(layout.width), y=alt.YValue(0), text=alt.Text("text:N"))
    return _layer(bars, extent, summary, width=layout.width, height=layout.profile_height,
                  title=alt.TitleParams("Weights of the hovered query over the keys",
                                        subtitle="hover a query on the fit or a heatmap row"))
