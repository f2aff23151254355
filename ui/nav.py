"""The page menu (the built-in one is hidden by client.showSidebarNavigation = false)."""

import streamlit as st

PAGES = (
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Data.py", "Data", ":material/table_chart:"),
    ("pages/2_Explore.py", "Explore", ":material/insights:"),
)


def sidebar_nav() -> None:
    """Links to every page, in the sidebar."""
    with st.sidebar:
        st.markdown("### Attention Pooling Lab")
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
