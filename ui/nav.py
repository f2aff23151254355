"""The page menu (the built-in one is hidden by client.showSidebarNavigation = false)."""

import streamlit as st

PAGES = (
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Data.py", "Data", ":material/table_chart:"),
    ("pages/2_Explore.py", "Explore", ":material/insights:"),
    ("pages/3_Compare.py", "Compare", ":material/grid_view:"),
    ("pages/4_Bandwidth.py", "Bandwidth", ":material/show_chart:"),
    ("pages/5_Learned_pooling.py", "Learned pooling", ":material/model_training:"),
    ("pages/6_Theory.py", "Theory", ":material/school:"),
)


def sidebar_nav() -> None:
    """Links to every page, in the sidebar."""
    with st.sidebar:
        st.markdown("### Attention Pooling Lab")
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
