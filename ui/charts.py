"""Showing Altair charts the same way everywhere."""

import warnings

import streamlit as st


def show_chart(chart, *, alt_text: str, **kwargs):
    """st.altair_chart with stretch width and an accessible name."""
    with warnings.catch_warnings():
        # Altair notes when it merges the one selection shared by several views; that is intended.
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection")
        return st.altair_chart(chart, width="stretch", alt=alt_text, **kwargs)
