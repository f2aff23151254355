"""Showing Altair charts the same way everywhere."""

import altair as alt
import streamlit as st


def show_chart(chart, *, alt_text: str, stretch: bool = False, **kwargs):
    """st.altair_chart with an accessible name.

    By default the chart keeps its own size: width and height are the plot's, with axes, legends
    and titles added around it (Vega's "pad"; Streamlit's default "fit" squeezes the plot to make
    room for them). With ``stretch`` a single view fills the container's width.
    """
    if stretch:
        return st.altair_chart(chart, width="stretch", alt=alt_text, **kwargs)
    chart = chart.properties(autosize=alt.AutoSizeParams(type="pad"))
    return st.altair_chart(chart, width="content", alt=alt_text, **kwargs)
