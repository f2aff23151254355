"""Explore page: pooling and bandwidth controls, the linked fit and attention heatmap."""

import streamlit as st

from ui.explore import explorer_panel
from ui.page import setup_page
from ui.state import dataset
from ui.text import plain_markdown

setup_page("Explore", icon="🔍")
st.title("Explore attention pooling")
st.caption(f"Data: {plain_markdown(dataset().label)} — change it on the Data page.")


@st.fragment
def explorer() -> None:
    """Controls and charts rerun together, without rerunning the page."""
    explorer_panel()


explorer()
