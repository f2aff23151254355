"""Vectors page: keys and queries as points in the plane, and the bridge to dot-product
attention."""

import streamlit as st

from ui.page import setup_page
from ui.vectors import saturation_panel, vectors_panel

setup_page("Vectors", icon="🧭")
st.title("Vectors: keys and queries in the plane")
st.markdown(
    "With vector keys the Gaussian weight compares distances in the plane: "
    "α_i(q) = softmax_i(−‖q − k_i‖² / 2h²). Hover the plane to see which keys a query attends "
    "to (disc area = weight); click to move the query there, or type it.")


@st.fragment
def plane() -> None:
    vectors_panel()


@st.fragment
def saturation() -> None:
    saturation_panel()


plane()
saturation()
