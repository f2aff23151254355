"""The Vectors page's panels: keys and a query in the plane (or directions on the unit circle),
Gaussian attention beside dot-product attention, and why dot products need a scale."""

from __future__ import annotations

import math

import streamlit as st

import nwcore
from nwcore.planeview import (
    angle_of,
    circle_keys,
    dataset_plane,
    directions,
    off_sphere_comparison,
    plane_keys,
    plane_view,
    point_text,
    softmax_saturation,
    sphere_comparison,
    weight_table,
)
from nwcore.vector_charts import (
    circle_weights_chart,
    off_sphere_chart,
    off_sphere_tables,
    saturation_chart,
    vectors_chart,
    vectors_tables,
)
from ui.charts import show_chart, show_table, templated
from ui.controls import bandwidth_options, log_slider, source_choice
from ui.explore import pinned_index
from ui.state import dataset, store, widget_key
from ui.text import plain_markdown

MODES = {"plane": "points in the plane", "circle": "directions (the unit circle)"}
SOURCES = {"preset": "random keys", "dataset": "the current dataset (x, x2 → y)"}
#: The slider's bandwidths in each mode (keys on [0, 5]² or on the unit circle).
BANDWIDTH_RANGES = {"plane": (0.05, 10.0), "circle": (0.05, 5.0)}


@st.cache_data(max_entries=32, show_spinner=False)
def cached_keys(mode: str, n: int, seed: int):
    """(keys (n × 2), values, angles or None) of a preset."""
    if mode == "circle":
        angles, values = circle_keys(n, seed)
        return directions(angles), values, angles
    keys, values = plane_keys(n, seed)
    return keys, values, None


@st.cache_data(max_entries=8, show_spinner=False)
def cached_dataset_plane(dataset_key: str, _data: nwcore.Dataset):
    return dataset_plane(_data)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_view(data_key: str, _keys, _values, query: tuple[float, float], h: float,
                on_circle: bool):
    return plane_view(_keys, _values, query, bandwidth=h, on_circle=on_circle)


@st.cache_data(max_entries=8, show_spinner="Sampling random queries and keys…")
def cached_saturation(n_keys: int):
    return softmax_saturation(n_keys=n_keys)


def clicked_query(selection, cell_queries, on_circle: bool) -> dict | None:
    """The session values a click on the plane sets: the clicked cell's centre as the query
    (its direction, in degrees, on the circle); None when nothing valid was clicked."""
    index = pinned_index(selection, len(cell_queries))
    if index is None:
        return None
    point = cell_queries[index]
    if on_circle:
        return {"vec_angle": round(angle_of(point), 1)}
    return {"vec_q1": round(float(point[0]), 3), "vec_q2": round(float(point[1]), 3)}


def pin_from_chart(chart_key: str, cell_queries, on_circle: bool) -> None:
    """Chart callback: a click moves the query (clicking empty space keeps it)."""
    st.session_state.update(clicked_query(st.session_state[chart_key].selection, cell_queries,
                                          on_circle) or {})


def vectors_panel() -> None:
    state = st.session_state
    left, right = st.columns([2, 3])
    with left:
        st.radio("Keys and queries are", list(MODES), format_func=MODES.get,
                 key=widget_key("vec_mode"), on_change=store, args=("vec_mode",))
        on_circle = state.vec_mode == "circle"
        keys, values, angles, data_key = key_controls(on_circle)
        h = log_slider("Bandwidth h (log scale)", "vec_h",
                       bandwidth_options(*BANDWIDTH_RANGES[state.vec_mode]),
                       help="The softmax's temperature is τ = h².")
        st.markdown(f"Temperature **τ = h² = {h * h:.4g}**: α_i = softmax_i(s_i / τ) with "
                    "s_i = −‖q − k_i‖²/2. Higher τ spreads the weight over more keys.")
        if on_circle:
            st.slider("Query direction θ (degrees)", 0.0, 359.0, step=1.0, format="%.0f°",
                      key=widget_key("vec_angle"), on_change=store, args=("vec_angle",))
            query = tuple(float(v) for v in directions([math.radians(state.vec_angle)])[0])
        else:
            one, two = st.columns(2)
            one.number_input("Query x₁", step=0.1, format="%.3f", key=widget_key("vec_q1"),
                             on_change=store, args=("vec_q1",))
            two.number_input("Query x₂", step=0.1, format="%.3f", key=widget_key("vec_q2"),
                             on_change=store, args=("vec_q2",))
            query = (float(state.vec_q1), float(state.vec_q2))
    view = cached_view(data_key, keys, values, query, h, on_circle)
    domain = (float(values.min()), float(values.max()))
    chart_key = f"vectors:{data_key}"
    with right:
        structure = f"vectors:{data_key}:{on_circle}:{view.extent}:{domain}"
        show_chart(templated(structure, lambda parts: vectors_chart(
            parts, values_domain=domain, on_circle=on_circle, title=plane_title(on_circle)),
            vectors_tables(view, domain)),
                   alt_text="Keys in the plane sized by their attention weight for the query, "
                            "over the fitted surface",
                   on_select=lambda: pin_from_chart(chart_key, view.cell_queries, on_circle),
                   selection_mode=["pin"], key=chart_key)
    st.header(f"Query q = {point_text(view.query)}: ŷ(q) = {view.prediction:.4f}")
    st.caption(f"Effective number of keys 1/Σα² = {view.effective_keys:.2f} of "
               f"{keys.shape[0]:,}. Each row is a key: its score s_i, the score over the "
               "temperature, its weight and its share of ŷ(q); the last rows add the other keys "
               "and the total.")
    show_table(weight_table(view.query, keys, values, bandwidth=h))
    if on_circle:
        sphere_panel(angles, math.radians(state.vec_angle), h)
    else:
        off_sphere_panel(keys, view.query, h)


def plane_title(on_circle: bool) -> dict:
    what = "ŷ for each direction" if on_circle else "the fitted surface ŷ(q)"
    return {"text": f"Keys coloured by value over {what}",
            "subtitle": "disc area = weight of the hovered cell (else of the query); click a "
                        "cell to move the query there"}


def key_controls(on_circle: bool):
    """The keys and values: a preset (n, seed) or, in the plane, the current dataset when it
    has two x columns. Returns (keys, values, angles or None, a key for caching)."""
    state = st.session_state
    own = None if on_circle else cached_dataset_plane(dataset().key, dataset())
    if source_choice("Keys from", "vec_source", SOURCES, available=own is not None) \
            == "dataset":
        st.caption(f"{plain_markdown(dataset().label)}: {own[0].shape[0]:,} points")
        return *own, None, f"{dataset().key}:plane"
    name = "vec_circle_n" if on_circle else "vec_n"
    size, seed = st.columns(2)
    size.number_input("Keys n", 2, 500, step=1, key=widget_key(name), on_change=store,
                      args=(name,))
    seed.number_input("Seed", 0, 2**32 - 1, step=1, key=widget_key("vec_seed"),
                      on_change=store, args=("vec_seed",))
    mode = "circle" if on_circle else "plane"
    keys, values, angles = cached_keys(mode, int(state[name]), int(state.vec_seed))
    return keys, values, angles, f"{mode}:{state[name]}:{state.vec_seed}"


def sphere_panel(angles, query_angle: float, h: float) -> None:
    """Gaussian attention and dot-product attention (scale 1/h²) on unit vectors: the same."""
    st.header("On the unit circle, Gaussian attention is dot-product attention")
    st.latex(r"-\frac{\lVert q - k_i\rVert^2}{2h^2} = \frac{q\cdot k_i}{h^2} - \frac{1}{h^2}"
             r"\quad (\lVert q\rVert = \lVert k_i\rVert = 1)\quad\Rightarrow\quad"
             r"\operatorname{softmax}_i\Big(-\frac{\lVert q - k_i\rVert^2}{2h^2}\Big) = "
             r"\operatorname{softmax}_i\Big(\frac{q\cdot k_i}{h^2}\Big)")
    comparison = sphere_charts(angles, query_angle, h)
    show_table(comparison, number_format="%.6f",
               formats={"θ_i (°)": "%.1f", "|difference|": "%.1e"})
    st.caption("The scaled dot-product attention of transformers uses scale 1/√d: on unit "
               "vectors that is this Gaussian attention with h² = √d.")


def sphere_charts(angles, query_angle: float, h: float):
    """Gaussian attention beside dot-product attention with scale 1/h² on the circle, and
    their largest difference; returns the key-by-key comparison."""
    comparison = sphere_comparison(angles, query_angle, bandwidth=h)
    left, right = st.columns(2)
    with left:
        show_chart(circle_weights_chart(comparison, query_angle, column="α_i Gaussian",
                                        title=f"Gaussian attention, h = {h:g}"),
                   alt_text="Keys on the unit circle sized by their Gaussian attention weight")
    with right:
        show_chart(circle_weights_chart(comparison, query_angle, column="α_i dot product",
                                        title=f"Dot-product attention, scale 1/h² = "
                                              f"{1 / (h * h):.4g}"),
                   alt_text="Keys on the unit circle sized by their dot-product attention "
                            "weight")
    st.metric("Largest difference between the two weights",
              f"{comparison['|difference|'].max():.2e}",
              help="Rounding only: the two are the same function on unit vectors.")
    return comparison


def sphere_figure() -> None:
    """The unit-circle comparison for the session's settings, without the page's controls
    (the lesson's figure)."""
    state = st.session_state
    _, _, angles = cached_keys("circle", int(state.vec_circle_n), int(state.vec_seed))
    st.caption(f"{state.vec_circle_n} keys at random directions, the query at "
               f"θ = {state.vec_angle:g}°, h = {state.vec_h:g} (temperature τ = h² = "
               f"{state.vec_h ** 2:.4g}).")
    sphere_charts(angles, math.radians(state.vec_angle), float(state.vec_h))


def off_sphere_panel(keys, query, h: float) -> None:
    """Off the circle the key term ‖k_i‖²/2h² separates the two."""
    st.header("Off the unit circle, the two differ")
    st.latex(r"-\frac{\lVert q - k_i\rVert^2}{2h^2} = \frac{q\cdot k_i}{h^2} - "
             r"\frac{\lVert q\rVert^2}{2h^2} - \frac{\lVert k_i\rVert^2}{2h^2}")
    st.markdown("The softmax cancels the query's term, but the **key's length** stays: a dot "
                "product favours long keys that point along q, wherever they are, while the "
                "Gaussian favours the keys *near* q. Switch to directions to see the two "
                "agree.")
    comparison = off_sphere_comparison(keys, query, bandwidth=h)
    show_chart(templated("off_sphere", off_sphere_chart, off_sphere_tables(comparison, query)),
               alt_text="Keys sized by Gaussian and by dot-product attention weights")
    difference = (comparison["α_i Gaussian"] - comparison["α_i dot product"]).abs().max()
    st.caption(f"Largest difference between the two weights here: {difference:.3f}.")


def saturation_panel() -> None:
    """Why scaled dot-product attention divides by √d."""
    st.header("Why dot products need a scale")
    st.markdown(
        "With d-dimensional queries and keys whose entries are N(0, 1), q·k has standard "
        "deviation √d, so the scores spread more as d grows and the softmax **saturates**: one "
        "key takes nearly all the weight, and the gradients through the others vanish. "
        "Dividing by √d keeps the scores' spread at 1 whatever d (left). It does not help when "
        "the vectors themselves grow longer (right): then the scale must come from elsewhere "
        "(normalised vectors, or a learned temperature).")
    n_keys = st.select_slider("Keys per softmax", [4, 8, 16, 32, 64],
                              key=widget_key("vec_sat_keys"), on_change=store,
                              args=("vec_sat_keys",))
    show_chart(saturation_chart(cached_saturation(int(n_keys)), n_keys=int(n_keys)),
               alt_text="Largest softmax weight against the dimension and against the vector "
                        "length, without a scale and with 1/sqrt(d)")
    st.caption(f"Averages over 200 random queries, each with {n_keys} random keys. The dotted "
               f"line is the uniform weight 1/{n_keys}.")
