"""Compare-page computations, cached by dataset and choices (not redone on every rerun)."""

import streamlit as st

import nwcore
from nwcore.views import comparison_panels


@st.cache_data(max_entries=32, show_spinner="Computing the panels…")
def cached_panels(dataset_key: str, _data: nwcore.Dataset, kernels: tuple[str, ...],
                  widths: tuple[float, ...], equal_widths: bool):
    return comparison_panels(_data, kernels, widths, equal_widths=equal_widths)
