"""Controls shared by the pages. Each keeps its value in session state across pages."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.views import bandwidth_options, nearest_option
from ui.state import store, widget_key

POOLING_LABELS = {
    "average": "Average pooling (mean of y)",
    "gaussian": "Gaussian — Nadaraya–Watson attention",
    "boxcar": "Boxcar",
    "triangular": "Triangular (d2l's “Epanechikov”)",
    "epanechnikov": "Epanechnikov (quadratic)",
}
#: Bandwidth slider range as multiples of the x range (0.01 … 50 for the presets on [0, 5]).
H_RANGE_FACTORS = (0.002, 10.0)


def bandwidth_stops(dataset: nwcore.Dataset) -> list[float]:
    """Slider stops for this dataset's x range."""
    span = dataset.x_span if dataset.x_span > 0 else 1.0
    low, high = H_RANGE_FACTORS
    return bandwidth_options(low * span, high * span)


def pooling_control() -> str:
    """Which pooling: average or one of the kernels."""
    st.selectbox("Pooling", list(POOLING_LABELS), format_func=POOLING_LABELS.get,
                 key=widget_key("kernel"), on_change=store, args=("kernel",))
    return st.session_state.kernel


def bandwidth_control(dataset: nwcore.Dataset, *, disabled: bool = False) -> float:
    """Bandwidth h on a log scale (select slider over nice stops)."""
    stops = bandwidth_stops(dataset)
    st.session_state.h = nearest_option(st.session_state.h, stops)
    st.select_slider("Bandwidth h (log scale)", options=stops, format_func=lambda v: f"{v:g}",
                     key=widget_key("h"), on_change=store, args=("h",), disabled=disabled,
                     help="Width of the kernel in x units. Small h: each query attends to its "
                          "nearest keys; large h: every key gets the same weight "
                          "(average pooling).")
    return st.session_state.h


def set_bandwidth(value: float, dataset: nwcore.Dataset) -> None:
    """Move the slider to the stop nearest ``value`` (used by one-click choices)."""
    st.session_state.h = nearest_option(value, bandwidth_stops(dataset))
