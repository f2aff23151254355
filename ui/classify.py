"""The Classify page's panel: data, kernel and bandwidth controls, the linked class chart and
heatmap, the leave-one-out criteria, and the pinned query's p̂(q) = Σ α_i one_hot(y_i)."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.classview import (
    CRITERION_LABELS,
    class_query_detail,
    classification_criteria,
    classification_view,
)
from nwcore.labelled import CLASS_PRESETS, MAX_PRESET_POINTS, generate_labelled, \
    labelled_from_dataset
from nwcore.planeview import point_text
from nwcore.vector_charts import (
    classification_chart,
    classification_criteria_chart,
    classification_tables,
)
from ui.charts import show_chart, show_table, templated
from ui.controls import bandwidth_options, kernel_choices, log_slider, source_choice
from ui.explore import pinned_index
from ui.state import dataset, store, widget_key
from ui.text import plain_markdown

BANDWIDTH_MODES = {"slider": "the slider", **CRITERION_LABELS}
SOURCES = {"preset": "a preset", "dataset": "the current dataset"}
#: With the slider, the leave-one-out curves are drawn up to this many keys (≈ 1 s).
EAGER_CRITERIA_POINTS = 1000


@st.cache_data(max_entries=32, show_spinner=False)
def cached_preset(preset: str, n: int, noise: float, seed: int) -> nwcore.LabelledData:
    return generate_labelled(preset, n, noise, seed)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_dataset_labels(dataset_key: str, _data: nwcore.Dataset):
    """The current dataset's points and labels (None when it has no labels)."""
    return labelled_from_dataset(_data)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_view(data_key: str, _data: nwcore.LabelledData, kernel: str, h: float):
    return classification_view(_data, kernel=kernel, bandwidth=h)


@st.cache_data(max_entries=16, show_spinner="Leave-one-out over h…")
def cached_criteria(data_key: str, _data: nwcore.LabelledData, kernel: str):
    return classification_criteria(_data, kernel=kernel)


def select_preset() -> None:
    """Preset chosen: its n and noise become the inputs' values."""
    store("cls_preset")
    spec = CLASS_PRESETS[st.session_state.cls_preset]
    st.session_state.cls_n, st.session_state.cls_noise = spec.n, spec.noise


def pin_from_chart(chart_key: str, n_queries: int) -> None:
    """Chart callback: the clicked query becomes the inspected one (empty space unpins)."""
    st.session_state.cls_query = pinned_index(st.session_state[chart_key].selection, n_queries)


def classify_panel() -> None:
    state = st.session_state
    left, right = st.columns([2, 3])
    with left:
        data = data_controls()
        kernel = st.selectbox("Kernel", kernel_choices(), format_func=nwcore.POOLING_LABELS.get,
                              key=widget_key("cls_kernel"), on_change=store,
                              args=("cls_kernel",))
    with right:
        try:
            h, criteria = bandwidth_controls(data, kernel)
        except ValueError as error:  # nwcore's messages say what to change
            st.error(f"Cannot compute the leave-one-out criteria: {error}", icon="⚠️")
            return
    view = cached_view(data.key, data, kernel, h)
    if state.get("_cls_pinned_for") != data.key or (
            state.cls_query is not None and state.cls_query >= len(view.queries)):
        state.cls_query, state._cls_pinned_for = None, data.key
    notes = [f"{data.n:,} keys of {data.classes.size} classes. The heatmap's colours saturate "
             f"at α = {view.colour_top:.3g} (the 99.5th percentile of its cells)."]
    if view.empty_queries:
        notes.append(f"{view.empty_queries} points of the picture see no key within h: no "
                     "decision there (grey).")
    st.caption(" ".join(notes))
    chart_key = f"classify:{data.key}"
    show_class_chart(data, view, pinned=state.cls_query,
                     on_select=lambda: pin_from_chart(chart_key, len(view.queries)),
                     selection_mode=["pin"], key=chart_key)
    inspector(view, data, kernel, h)
    criteria_panel(criteria, h, data.n)


def show_class_chart(data: nwcore.LabelledData, view, *, pinned: int | None = None,
                     **kwargs) -> None:
    """The class probabilities (1-D) or decision regions (2-D) linked with the attention
    heatmap; keyword arguments go to :func:`ui.charts.show_chart` (the pin's callback)."""
    tables = classification_tables(view, pinned=pinned,
                                   truth=data.truth(view.grid_x) if view.grid_x is not None
                                   else None)
    classes = [str(c) for c in data.classes]
    show_chart(templated(f"classify:{data.key}:{data.dimension}:{'truth' in tables}",
                         lambda parts: classification_chart(parts, classes,
                                                            axis_names=data.axis_names),
                         tables),
               alt_text="Class probabilities or decision regions of Parzen-window "
                        "classification, linked with its attention heatmap", **kwargs)


def classification_figure() -> None:
    """The Classify page's chart for the session's settings, without its controls (the
    lesson's figure): the preset, or the current dataset when chosen and labelled."""
    state = st.session_state
    own = cached_dataset_labels(dataset().key, dataset()) \
        if state.cls_source == "dataset" else None
    data = own or cached_preset(state.cls_preset, int(state.cls_n), float(state.cls_noise),
                                int(state.cls_seed))
    h = state.cls_h if state.cls_h_mode == "slider" else \
        cached_criteria(data.key, data, state.cls_kernel).chosen[state.cls_h_mode]
    view = cached_view(data.key, data, state.cls_kernel, h)
    st.caption(f"{data.label}; {nwcore.POOLING_LABELS[state.cls_kernel]} kernel, h = {h:.3g}. "
               "Hover a query to see the keys it attends to.")
    show_class_chart(data, view)


def bandwidth_controls(data: nwcore.LabelledData, kernel: str):
    """h from the slider or a leave-one-out criterion; returns (h, the criteria or None).

    The criteria cost n² kernel evaluations per bandwidth: with the slider they are computed
    for small data only (a criterion chosen computes them whatever n)."""
    mode = st.radio("Bandwidth h from", list(BANDWIDTH_MODES), format_func=BANDWIDTH_MODES.get,
                    horizontal=True, key=widget_key("cls_h_mode"), on_change=store,
                    args=("cls_h_mode",))
    slider_h = log_slider("Bandwidth h (log scale)", "cls_h",
                          bandwidth_options(*data.bandwidth_range()), disabled=mode != "slider",
                          help="Width of the Gaussian (or radius of a compact kernel) in the "
                               "units of x. Small h: a query takes the class of its nearest "
                               "keys; large h: the overall class shares.")
    criteria = cached_criteria(data.key, data, kernel) \
        if mode != "slider" or data.n <= EAGER_CRITERIA_POINTS else None
    if mode == "slider":
        st.caption(f"h = **{slider_h:g}**.")
        return slider_h, criteria
    h = criteria.chosen[mode]
    st.caption(f"h = **{h:.4g}** (the slider moves in stops; leave-one-out picks any h).")
    return h, criteria


def criteria_panel(criteria, h: float, n: int) -> None:
    """The leave-one-out log-loss and error rate over h, with the current and chosen h."""
    with st.expander("Leave-one-out criteria over h", expanded=st.session_state.cls_h_mode
                     != "slider"):
        if criteria is None:
            st.caption(f"With {n:,} keys the curves take a few seconds: choose a leave-one-out "
                       "criterion above to compute them.")
            return
        markers = {"current h": h, **{f"{label} minimum": criteria.chosen[name]
                                      for name, label in CRITERION_LABELS.items()}}
        show_chart(classification_criteria_chart(criteria.curves, markers),
                   alt_text="Leave-one-out log-loss and error rate against the bandwidth")
        st.caption("Each point is predicted from all the others (its own weight set to 0). "
                   "The log-loss, −mean log p̂(y_i | x_i), rewards confident right answers and "
                   "punishes confident wrong ones; the error rate only counts wrong argmaxes, "
                   "so it is a step function of h and ties over wide ranges.")


def data_controls() -> nwcore.LabelledData:
    """The labelled data: a preset (n, noise, seed) or the current dataset when it has
    labels."""
    state = st.session_state
    own = cached_dataset_labels(dataset().key, dataset())
    if source_choice("Data from", "cls_source", SOURCES, available=own is not None) \
            == "dataset":
        note = f" (a fixed random subsample of {own.n:,} of {own.total:,})" \
            if own.total > own.n else ""
        st.caption(f"{plain_markdown(own.label)}{note}")
        return own
    st.selectbox("Preset", list(CLASS_PRESETS), format_func=lambda p: CLASS_PRESETS[p].label,
                 key=widget_key("cls_preset"), on_change=select_preset)
    spec = CLASS_PRESETS[state.cls_preset]
    size, noise, seed = st.columns(3)
    size.number_input("Points n", 2 * spec.classes, MAX_PRESET_POINTS, step=10,
                      key=widget_key("cls_n"), on_change=store, args=("cls_n",))
    noise.number_input("Noise σ", 0.05, 5.0, step=0.05, format="%.2f",
                       key=widget_key("cls_noise"), on_change=store, args=("cls_noise",),
                       help="How much the classes overlap.")
    seed.number_input("Seed", 0, 2**32 - 1, step=1, key=widget_key("cls_seed"),
                      on_change=store, args=("cls_seed",))
    if own is None:
        st.caption("Uploads: a dataset whose y holds 2 to 10 whole numbers (class codes) can be "
                   "classified here too.")
    return cached_preset(state.cls_preset, int(state.cls_n), float(state.cls_noise),
                         int(state.cls_seed))


def inspector(view, data: nwcore.LabelledData, kernel: str, h: float) -> None:
    """The pinned query's p̂(q) = Σ α_i one_hot(y_i), as a table whose last row is the total."""
    st.selectbox("Inspect a query (or click one on the chart)", [None, *range(len(view.queries))],
                 format_func=lambda i: "none" if i is None else point_text(view.queries[i]),
                 placeholder="none: click a query on the chart, or choose one here",
                 key=widget_key("cls_query"), on_change=store, args=("cls_query",))
    index = st.session_state.cls_query
    if index is None:
        st.caption("Pin a query to see its class probabilities as a sum over the keys: "
                   "p̂(q) = Σ_i α_i(q) · one_hot(y_i).")
        return
    query = view.queries[index]
    detail = class_query_detail(query, data, kernel=kernel, bandwidth=h)
    total = detail.iloc[-1]
    shares = ", ".join(f"{c}: {total.iloc[3 + j]:.3f}" for j, c in enumerate(data.classes))
    st.header(f"Pinned query q = {point_text(query)}: p̂ = ({shares})")
    st.caption("Each row is a key: its weight α_i and that weight placed in its class's column "
               "(α_i · one_hot(y_i)). Largest weights first; the last two rows add the other "
               "keys and the total, whose class columns are p̂(c | q). The keys' disc sizes on "
               "the chart are these weights.")
    show_table(detail, number_format="%.5f")

