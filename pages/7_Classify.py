"""Classify page: Parzen-window classification is attention pooling with one-hot values."""

import streamlit as st

from ui.classify import classify_panel
from ui.page import setup_page

setup_page("Classify", icon="🏷️")
st.title("Classify: attention pooling with one-hot values")
st.markdown(
    "Give each key the **one-hot vector** of its class as its value, and attention pooling "
    "returns **class probabilities**: p̂(c | q) = Σ_i α_i(q) [y_i = c], the kernel-weighted "
    "share of class c among the keys near q. This is the Parzen-window classifier (d2l's new "
    "edition, exercise 1); its decision is the most probable class.")


@st.fragment
def classify() -> None:
    """Controls, charts and the inspector rerun together, without rerunning the page."""
    classify_panel()


classify()
