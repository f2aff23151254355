"""The Explore page's panel: controls, the linked chart, diagnostics and the pinned query."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.charts import explorer_chart_from_tables, explorer_tables, pinned_query_chart
from nwcore.kernels import COMPACT_KERNELS
from nwcore.views import (
    decomposition_table,
    display_points,
    explorer_view,
    kernel_curve_at,
    query_detail,
    view_summary,
)
from ui.charts import ChartSpec, show_chart, to_spec
from ui.controls import bandwidth_control, pooling_control, set_bandwidth
from ui.share import share_and_export
from ui.state import dataset, store, sync_url, widget_key


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
    """The view's tables, and the tables its linked chart draws, cached by the controls."""
    view = explorer_view(_data, pooling=pooling, bandwidth=h, n_queries=n_queries,
                         equal_widths=equal_widths, local_linear=local_linear,
                         summary=cached_summary(dataset_key, _data, n_queries))
    tables = explorer_tables(cached_points(dataset_key, _data), view.curves, view.fit,
                             view.cells)
    return view, tables


@st.cache_data(max_entries=16, show_spinner=False)
def chart_template(dataset_key: str, n_queries: int, local_linear: bool,
                   _tables: dict) -> tuple[ChartSpec, dict[str, str]]:
    """The linked chart's spec, built once per dataset, query grid and set of curves (what its
    structure depends on), and which of its table names holds which role's table."""
    built = to_spec(explorer_chart_from_tables(_tables))
    roles = {name: role for name, table in built.tables.items()
             for role, candidate in _tables.items() if candidate is table}
    return ChartSpec(spec=built.spec, tables={}), roles


def explorer_spec(data: nwcore.Dataset, n_queries: int, local_linear: bool,
                  tables: dict) -> ChartSpec:
    """The cached chart structure filled with this view's tables (no Altair work per move)."""
    template, roles = chart_template(data.key, n_queries, local_linear, tables)
    return ChartSpec(spec=template.spec, tables={name: tables[role]
                                                  for name, role in roles.items()})


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
    data = dataset()
    state = st.session_state
    left, middle, right = st.columns([2, 3, 2])
    with left:
        pooling = pooling_control()
        if pooling in COMPACT_KERNELS:
            st.radio("Kernel widths", ["raw", "equal"], horizontal=True, key=widget_key("widths"),
                     on_change=store, args=("widths",),
                     format_func={"raw": "d2l raw widths", "equal": "equal widths"}.get,
                     help="d2l's compact kernels have radius h, so at the same h they are "
                          "narrower than the Gaussian (std h/√3, h/√6, h/√5). Equal widths "
                          "stretches them to the Gaussian's standard deviation h.")
    with middle:
        h = bandwidth_control(data, disabled=pooling == "average")
        one, two = st.columns(2)
        one.button("Silverman's rule", key="h_silverman", on_click=use_rule,
                   args=("silverman", pooling), disabled=pooling == "average", width="stretch")
        two.button("Best by leave-one-out CV", key="h_loo_cv", on_click=use_rule,
                   args=("loo_cv", pooling), disabled=pooling == "average", width="stretch")
    with right:
        st.toggle("Local linear overlay", key=widget_key("ll"), on_change=store, args=("ll",),
                  disabled=pooling == "average",
                  help="Local linear regression fits a line in each window; it removes NW's "
                       "bias at the edges of the data.")
        if data.source == "uploaded":
            st.number_input("Number of queries", 2, 500, step=10, key=widget_key("nq"),
                            on_change=store, args=("nq",))
    equal_widths = state.widths == "equal"
    try:
        local_linear = bool(state.ll) and pooling != "average"
        view, tables = cached_view(data.key, data, pooling, h, int(state.nq), equal_widths,
                                   local_linear)
    except ValueError as error:  # nwcore's messages say what to change
        st.error(f"Cannot compute this view: {error}", icon="⚠️")
        return
    _diagnostics(view, pooling)
    event = show_chart(
        explorer_spec(data, int(state.nq), local_linear, tables),
        alt_text="Regression fit, attention heatmap and weight profile, linked by query",
        on_select="rerun", selection_mode=["pin"], key=f"explorer:{data.key}")
    pinned = _pinned_query_index(pinned_index(event.selection, len(view.queries)),
                                 len(view.queries), data)
    if pinned is not None:
        _pinned_query(view, pinned, data, pooling)
    share_and_export(data, view, pooling)
    sync_url()


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


def _diagnostics(view, pooling: str) -> None:
    """Say what the heatmap shows and warn about empty or one-key windows."""
    notes = [f"Rows = {len(view.queries)} queries, columns = keys; each row sums to 1."]
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
               "Σ α_i y_i = ŷ(x). Then the keys, largest weights first. Click the chart elsewhere to pin "
               "another query.")
    curve = kernel_curve_at(query, data.keys, kernel=pooling, bandwidth=view.kernel_bandwidth,
                            peak=float(detail["weight"].max()))
    show_chart(pinned_query_chart(detail.head(MAX_STEMS), curve, query),
               alt_text="Kernel at the pinned query and the weight of each key")
    st.dataframe(decomposition_table(detail), height=260, width="stretch",
                 column_config={"key_x": "key x_i", "value_y": "value y_i",
                                "weight": st.column_config.NumberColumn("α_i", format="%.5f"),
                                "contribution": st.column_config.NumberColumn(
                                    "α_i·y_i", format="%.5f")})
