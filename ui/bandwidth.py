"""Bandwidth-page computations, cached per dataset and kernel."""

from __future__ import annotations

import streamlit as st

import nwcore
from ui.controls import set_bandwidth
from ui.state import dataset


@st.cache_data(max_entries=32, show_spinner="Computing the landscape…")
def cached_landscape(dataset_key: str, _data: nwcore.Dataset, kernel: str) -> nwcore.Landscape:
    return nwcore.bandwidth_landscape(_data, kernel)


def landscape(data: nwcore.Dataset, kernel: str) -> nwcore.Landscape:
    """The cached landscape plus a marker for the Explore page's current h."""
    return cached_landscape(data.key, data, kernel).with_current(st.session_state.h)


def use_bandwidth(value: float) -> None:
    """Button callback: the Explore page's slider moves to this h."""
    set_bandwidth(value, dataset())
