"""Showing Altair charts the same way everywhere."""

import streamlit as st


def show_chart(chart, *, alt_text: str, stretch: bool = False, **kwargs):
    """st.altair_chart with an accessible name, at the chart's own width (concatenated charts do
    not stretch well) or, for single views with ``stretch``, the container's."""
    return st.altair_chart(chart, width="stretch" if stretch else "content", alt=alt_text,
                           **kwargs)
