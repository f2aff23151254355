"""Compare page: d2l's show_heatmaps, kernel row and width study as interactive small multiples."""

import streamlit as st

from ui.compare import panel_controls, panel_figure
from ui.page import setup_page
from ui.state import dataset
from ui.text import plain_markdown

setup_page("Compare", icon="🧮")
st.title("Compare kernels and widths")
data = dataset()
st.caption(f"Data: {plain_markdown(data.label)}")
panel_controls()
panel_figure(data)
