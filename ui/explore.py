"""The Explore page's panel: controls, the linked chart, diagnostics and the pinned query."""

from __future__ import annotations

from functools import partial

import streamlit as st

import nwcore
from nwcore.charts import (
    ExplorerLayout,
    explorer_chart_from_tables,
    explorer_tables,
    pinned_query_chart,
    pinned_table,
)
from nwcore.kernels import COMPACT_KERNELS
from nwcore.stops import nearest_option
from nwcore.live_chart import (
    LIVE_MAX_CELLS,
    SLIDER_CSS,
    committed_bandwidth,
    fits_live,
    live_explorer_chart,
    starting_at,
)
from nwcore.views import (
    decomposition_table,
    display_points,
    explorer_view,
    kernel_curve_at,
    query_detail,
    view_summary,
)
from ui.charts import ChartSpec, arrow_bytes, show_chart, templated, to_spec
from ui.controls import bandwidth_control, bandwidth_stops, pooling_control, set_bandwidth
from ui.share import share_and_export
from ui.state import dataset, store, sync_url, widget_key
from ui.viewport import viewport


@st.cache_resource(max_entries=8, show_spinner=False)
def cached_summary(dataset_key: str, _data: nwcore.Dataset, n_queries: int):
    """The keys as the views sum over them, made once per dataset (binned when very many);
    shared read-only, so not copied on every move."""
    return view_summary(_data, n_queries=n_queries)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_points(dataset_key: str, _data: nwcore.Dataset):
    """The training points the charts draw (a fixed subset of very large data)."""
    return display_points(_data.keys, _data.values)


@st.cache_data(max_entries=96, show_spinner=False)
def cached_view(dataset_key: str, _data: nwcore.Dataset, pooling: str, h: float, n_queries: int,
                equal_widths: bool, local_linear: bool):
    """The view at one setting of the controls (its fit, attention matrix and diagnostics)."""
    return explorer_view(_data, pooling=pooling, bandwidth=h, n_queries=n_queries,
                         equal_widths=equal_widths, local_linear=local_linear,
                         summary=cached_summary(dataset_key, _data, n_queries))


@st.cache_data(max_entries=96, show_spinner=False)
def cached_tables(dataset_key: str, _data: nwcore.Dataset, pooling: str, h: float,
                  n_queries: int, equal_widths: bool, local_linear: bool,
                  layout: ExplorerLayout) -> dict:
    """The tables the server-computed chart draws (its heatmap image is sized by the layout)."""
    view = cached_view(dataset_key, _data, pooling, h, n_queries, equal_widths, local_linear)
    return explorer_tables(cached_points(dataset_key, _data), view.curves, view.fit,
                           view.cells, layout=layout)


@st.cache_resource(max_entries=32, show_spinner="Preparing the live chart…")
def cached_live(dataset_key: str, _data: nwcore.Dataset, pooling: str, equal_widths: bool,
                local_linear: bool, n_queries: int, layout: ExplorerLayout):
    """The live chart's spec and tables (as Arrow bytes), built once per dataset and structure
    (a build costs ~0.04 s), its selections, stops and the name of its link-pinned table;
    shared read-only."""
    stops = bandwidth_stops(_data)
    live = live_explorer_chart(_data.keys, _data.values, _data.queries(n_queries), stops=stops,
                               h=stops[len(stops) // 2], pooling=pooling,
                               truth=_data.truth_curve(), equal_widths=equal_widths,
                               local_linear=local_linear, layout=layout)
    built = to_spec(live.chart)
    pinned_name = next(name for name, table in built.tables.items() if table is live.pinned)
    tables = {name: arrow_bytes(table) for name, table in built.tables.items()}
    return ChartSpec(built.spec, tables), live.selection_mode, live.stops, pinned_name


@st.cache_resource(max_entries=512, show_spinner=False)
def pinned_arrow(query: int | None) -> bytes:
    """The table that marks the link-pinned query on the chart, as Arrow bytes (made once per
    query: the page shows it on every run)."""
    return arrow_bytes(pinned_table(query))


def use_rule(method: str, pooling: str) -> None:
    """Button callback: move h to Silverman's rule or the leave-one-out CV optimum."""
    data = dataset()
    kernel = nwcore.pooling_kernel(pooling)
    value = nwcore.select_bandwidth(data.keys, data.values, method=method, kernel=kernel)
    if st.session_state.widths == "equal" and kernel in COMPACT_KERNELS:
        value *= nwcore.kernel_std(kernel)  # the slider shows the Gaussian-equivalent h
    set_bandwidth(value, data)


#: Keys drawn as stems under the pinned query's kernel (the largest weights).
MAX_STEMS = 2000


def explorer_panel() -> None:
    """Controls, the linked chart (computed in the browser while h is dragged when the data are
    small enough, else on the server), diagnostics, the pinned query and the downloads."""
    data = dataset()
    state = st.session_state
    page = viewport()
    pooling = _controls(data)
    if page is None:
        st.caption("Laying out the charts for this window…")
        return
    n_queries = int(state.nq)
    equal_widths = state.widths == "equal"
    local_linear = bool(state.ll) and pooling != "average"
    layout = ExplorerLayout.for_page(page.column, page.height, side_by_side=page.wide,
                                     presenter=bool(state.present), x_title=data.x_label,
                                     y_title=data.y_label)
    live = fits_live(data.keys.size, n_queries)
    if live:
        structure = (data.key, pooling, equal_widths, local_linear, n_queries, layout)
        chart_key = _live_chart_key(data, structure)
    else:
        bandwidth_control(data, disabled=pooling == "average")
        chart_key = f"explorer:{data.key}"
    try:
        view = cached_view(data.key, data, pooling, state.h, n_queries, equal_widths,
                           local_linear)
    except ValueError as error:  # nwcore's messages say what to change
        st.error(f"Cannot compute this view: {error}", icon="⚠️")
        return
    pinned = _pinned_query_index(pinned_index(_selection(state.get(chart_key)),
                                              len(view.queries)), len(view.queries), data)
    _diagnostics(view, pooling, live)
    if live:
        spec, selection_mode, stops, pinned_name = cached_live(
            data.key, data, pooling, equal_widths, local_linear, n_queries, layout)
        chart = ChartSpec(starting_at(spec.spec, stops, state._live_start),
                          {**spec.tables, pinned_name: pinned_arrow(pinned)})
        st.html(f"<style>{SLIDER_CSS}</style>")
        show_chart(chart, alt_text="Regression fit, attention heatmap and weight profile "
                                   "computed in the browser for the bandwidth slider's h, "
                                   "linked by query",
                   on_select="rerun", selection_mode=list(selection_mode), key=chart_key)
    else:
        tables = {**cached_tables(data.key, data, pooling, state.h, n_queries, equal_widths,
                                  local_linear, layout), "pinned": pinned_table(pinned)}
        structure = f"explorer:{data.key}:{n_queries}:{local_linear}:{layout}"
        build = partial(explorer_chart_from_tables, layout=layout)
        show_chart(templated(structure, build, tables),
                   alt_text="Regression fit, attention heatmap and weight profile, linked by "
                            "query", on_select="rerun", selection_mode=["pin"], key=chart_key)
    if pinned is not None:
        _pinned_query(view, pinned, data, pooling)
    share_and_export(data, view, pooling)
    sync_url()


def _controls(data: nwcore.Dataset) -> str:
    """Pooling, kernel widths, the rules for h, local linear and (uploads) the number of queries,
    in a row that wraps rather than truncates (narrow windows, zoom)."""
    state = st.session_state
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        pooling = pooling_control()
        if pooling in COMPACT_KERNELS:
            st.radio("Kernel widths", ["raw", "equal"], horizontal=True, key=widget_key("widths"),
                     on_change=store, args=("widths",), width="content",
                     format_func={"raw": "d2l raw widths", "equal": "equal widths"}.get,
                     help="d2l's compact kernels have radius h, so at the same h they are "
                          "narrower than the Gaussian (std h/√3, h/√6, h/√5). Equal widths "
                          "stretches them to the Gaussian's standard deviation h.")
        average = pooling == "average"
        st.button("Silverman's rule", key="h_silverman", on_click=use_rule,
                  args=("silverman", pooling), disabled=average, width="content")
        st.button("Best by leave-one-out CV", key="h_loo_cv", on_click=use_rule,
                  args=("loo_cv", pooling), disabled=average, width="content")
        st.toggle("Local linear overlay", key=widget_key("ll"), on_change=store, args=("ll",),
                  disabled=average, width="content",
                  help="Local linear regression fits a line in each window; it removes NW's "
                       "bias at the edges of the data.")
        if data.source == "uploaded":
            st.number_input("Number of queries", 2, 500, step=10, key=widget_key("nq"),
                            on_change=store, args=("nq",), width=160)
    return state.kernel


def _live_chart_key(data: nwcore.Dataset, structure: tuple) -> str:
    """The live chart's key, and h kept in step with its slider.

    The slider commits h when a drag ends (:func:`committed_bandwidth`): that becomes the app's
    h. When h changes any other way (a rule button, a link, another page) or the chart's
    structure changes, the chart starts again at the app's h under a new key (a remount: a
    started chart cannot be moved by the server)."""
    state = st.session_state
    stops = bandwidth_stops(data)
    state.h = nearest_option(state.h, stops)
    if state.get("_live_structure") != structure or state.get("_live_start") is None:
        state._live_structure, state._live_start, state._live_h = structure, state.h, state.h
    key = f"live:{hash(structure)}:{state._live_start}"
    committed = committed_bandwidth(_selection(state.get(key)), stops)
    if committed is not None and committed != state._live_h:
        state.h = state._live_h = committed
    elif state.h != state._live_h:
        state._live_start = state._live_h = state.h
        key = f"live:{hash(structure)}:{state._live_start}"
    return key


def _selection(chart_state) -> dict:
    """The selections in a chart's widget state (``{"selection": {...}}``), or none."""
    try:
        return chart_state["selection"] or {}
    except (KeyError, TypeError):
        return {}


def pinned_index(selection, n_queries: int) -> int | None:
    """The query index clicked on the explorer chart, from Streamlit's selection state.

    ``selection`` maps the parameter name to a list of points, e.g. ``{"pin": [{"qi": 17}]}``;
    anything else (no click, a stale index) gives None.
    """
    try:
        points = selection.get("pin") or []
        index = int(points[-1]["qi"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    return index if 0 <= index < n_queries else None


def _diagnostics(view, pooling: str, live: bool) -> None:
    """Say where the chart is computed and what the heatmap shows; warn about empty or one-key
    windows."""
    notes = [f"Rows = {len(view.queries)} queries, columns = keys; each row sums to 1."]
    if live:
        notes.append("Drag h: your browser recomputes the chart as it moves.")
    elif pooling != "average":
        notes.append(f"With {view.cells.n_keys:,} keys × {len(view.queries)} queries (more than "
                     f"{LIVE_MAX_CELLS:,}) the server computes each setting of the slider.")
    if view.cells.binned:
        bins = view.cells.weights.shape[1]
        notes.append(f"{view.cells.n_keys:,} keys are grouped into {bins} bins of x: a cell is "
                     "the total weight of its bin's keys. The fit uses every key.")
    st.caption(" ".join(notes))
    if view.empty_queries:
        st.warning(f"{view.empty_queries} of {len(view.queries)} queries see no key at this "
                   "width: their prediction is undefined (gaps in the curve, empty rows).")
    if pooling != "average" and view.dominated_queries:
        st.info(f"{view.dominated_queries} of {len(view.queries)} queries give nearly all their "
                "weight to one key (effective keys < 1.1): the fit follows single points.")


def _pinned_query_index(clicked: int | None, n_queries: int, data: nwcore.Dataset) -> int | None:
    """The pinned query: the one clicked on the chart, else the link's ``q`` until the chart
    has been clicked for this dataset (clicking empty space there then unpins)."""
    state = st.session_state
    clicked_key = f"_pin_clicked:{data.key}"
    if clicked is not None:
        state.q, state[clicked_key] = clicked, True
    elif state.get(clicked_key):
        state.q = None
    if state.q is not None and state.q >= n_queries:
        st.info(f"The link pins query {state.q}, but this view has {n_queries} queries "
                f"(0…{n_queries - 1}); nothing is pinned.", icon="🔗")
        state.q = None
    return state.q


def _pinned_query(view, index: int, data: nwcore.Dataset, pooling: str) -> None:
    """The decomposition ŷ(x) = Σ α_i y_i for the clicked query."""
    query = float(view.queries[index])
    detail = query_detail(query, data.keys, data.values, kernel=pooling,
                          bandwidth=view.kernel_bandwidth)
    prediction = detail["contribution"].sum()
    n_effective = float(view.fit["effective_keys"].iloc[index])
    st.subheader(f"Pinned query x = {query:.3f}: ŷ(x) = {prediction:.4f}")
    st.caption(f"Effective number of keys 1/Σα² = {n_effective:.1f} of {len(detail):,}. "
               "Each row below is one key: its weight α_i and its share α_i·y_i of the "
               "prediction; the first row adds them up over every key: Σ α_i = 1 and "
               "Σ α_i y_i = ŷ(x). Then the keys, largest weights first. Click the chart "
               "elsewhere to pin another query.")
    curve = kernel_curve_at(query, data.keys, kernel=pooling, bandwidth=view.kernel_bandwidth,
                            peak=float(detail["weight"].max()))
    show_chart(pinned_query_chart(detail.head(MAX_STEMS), curve, query),
               alt_text="Kernel at the pinned query and the weight of each key")
    st.dataframe(decomposition_table(detail), height=260, width="stretch",
                 column_config={"key_x": "key x_i", "value_y": "value y_i",
                                "weight": st.column_config.NumberColumn("α_i", format="%.5f"),
                                "contribution": st.column_config.NumberColumn(
                                    "α_i·y_i", format="%.5f")})
