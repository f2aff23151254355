"""The Explore page's panel: controls, the linked chart, diagnostics and the pinned query."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.charts import display_points, explorer_chart
from nwcore.views import explorer_view, pinned_index, query_detail
from ui.charts import show_chart
from ui.controls import bandwidth_control, pooling_control
from ui.state import dataset, store, sync_url, widget_key


@st.cache_data(max_entries=128, show_spinner=False)
def cached_view(dataset_key: str, _data: nwcore.Dataset, pooling: str, h: float, n_queries: int,
                equal_widths: bool):
    """The view's tables, cached by the dataset's key and the controls."""
    return explorer_view(_data, pooling=pooling, bandwidth=h, n_queries=n_queries,
                         equal_widths=equal_widths)


def explorer_panel() -> None:
    data = dataset()
    state = st.session_state
    left, middle, right = st.columns([2, 3, 2])
    with left:
        pooling = pooling_control()
    with middle:
        h = bandwidth_control(data, disabled=pooling == "average")
    with right:
        if data.source == "uploaded":
            st.number_input("Number of queries", 2, 500, step=10, key=widget_key("nq"),
                            on_change=store, args=("nq",))
    view = cached_view(data.key, data, pooling, h, int(state.nq), state.widths == "equal")
    _diagnostics(view, pooling)
    event = show_chart(
        explorer_chart(display_points(data.keys, data.values), view.curves, view.fit,
                       view.cells.frame),
        alt_text="Regression fit, attention heatmap and weight profile, linked by query",
        on_select="rerun", selection_mode=["pin"], key=f"explorer:{data.key}")
    pinned = pinned_index(event.selection, len(view.queries))
    if pinned is not None:
        _pinned_query(view, pinned, data, pooling)
    sync_url()


def _diagnostics(view, pooling: str) -> None:
    """Say what the heatmap shows and warn about empty or one-key windows."""
    notes = [f"Rows = {len(view.queries)} queries, columns = keys; each row sums to 1."]
    if view.cells.binned:
        bins = view.cells.frame["key_x"].nunique()
        notes.append(f"{view.cells.n_keys:,} keys are grouped into {bins} bins of x: a cell is "
                     "the total weight of its bin's keys. The fit uses every key.")
    st.caption(" ".join(notes))
    if view.empty_queries:
        st.warning(f"{view.empty_queries} of {len(view.queries)} queries see no key at this "
                   "width: their prediction is undefined (gaps in the curve, empty rows).")
    if pooling != "average" and view.dominated_queries:
        st.info(f"{view.dominated_queries} of {len(view.queries)} queries give nearly all their "
                "weight to one key (effective keys < 1.1): the fit follows single points.")


def _pinned_query(view, index: int, data: nwcore.Dataset, pooling: str) -> None:
    """The decomposition ŷ(x) = Σ α_i y_i for the clicked query."""
    query = float(view.queries[index])
    detail = query_detail(query, data.keys, data.values, kernel=pooling,
                          bandwidth=view.kernel_bandwidth)
    prediction = detail["contribution"].sum()
    st.subheader(f"Pinned query x = {query:.3f}: ŷ(x) = {prediction:.4f}")
    st.caption("Each row is one key: its weight α_i and its share α_i·y_i of the prediction; "
               "the shares add up to ŷ(x). Largest weights first.")
    st.dataframe(detail.head(200), height=260, width="stretch",
                 column_config={"key_x": "key x_i", "value_y": "value y_i",
                                "weight": st.column_config.NumberColumn("α_i", format="%.5f"),
                                "contribution": st.column_config.NumberColumn(
                                    "α_i·y_i", format="%.5f")})
