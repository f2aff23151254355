"""Explore page: pooling and bandwidth controls, the linked fit and attention heatmap."""

import streamlit as st

from ui.viewport import report_viewport

# First, before the imports below (numpy, pandas, Altair: ~0.7 s on a fresh server): the browser
# reports the window's size and loads the chart library while they run.
report_viewport()

from nwcore.labelled import SECOND_KEY_COLUMN  # noqa: E402
from ui.explore import explorer_panel  # noqa: E402
from ui.page import setup_page  # noqa: E402
from ui.state import dataset  # noqa: E402
from ui.text import plain_markdown  # noqa: E402

setup_page("Explore", icon="🔍")
st.title("Explore attention pooling")
st.caption(f"Data: {plain_markdown(dataset().label)} — change it on the Data page.")
if SECOND_KEY_COLUMN in dataset().frame:
    st.info(f"These data have a second x column, {plain_markdown(dataset().x2_label)}: Explore "
            f"fits y against x ({plain_markdown(dataset().x_label)}) alone. The Vectors page "
            "fits y against both.", icon="🧭")
    st.page_link("pages/8_Vectors.py", label="Fit y against both x columns on Vectors",
                 icon=":material/scatter_plot:")


@st.fragment
def explorer() -> None:
    """Controls and charts rerun together, without rerunning the page."""
    explorer_panel()


explorer()
