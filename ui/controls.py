"""Controls shared by the pages. Each keeps its value in session state across pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

import nwcore
from nwcore.stops import bandwidth_options, nearest_option
from ui.state import store, widget_key


def bandwidth_stops(dataset: nwcore.Dataset) -> list[float]:
    """Slider stops over this dataset's bandwidth range."""
    return bandwidth_options(*dataset.bandwidth_range())


def pooling_control() -> str:
    """Which pooling: average or one of the kernels."""
    st.selectbox("Pooling", nwcore.POOLINGS, format_func=nwcore.POOLING_LABELS.get,
                 key=widget_key("kernel"), on_change=store, args=("kernel",))
    return st.session_state.kernel


def kernel_choices() -> list[str]:
    """The poolings that have a bandwidth (every kernel but average pooling's constant)."""
    return [pooling for pooling in nwcore.POOLINGS
            if nwcore.pooling_kernel(pooling) != "constant"]


def bandwidth_control(dataset: nwcore.Dataset, *, disabled: bool = False) -> float:
    """Bandwidth h on a log scale (select slider over nice stops)."""
    return log_slider("Bandwidth h (log scale)", "h", bandwidth_stops(dataset),
                      disabled=disabled,
                      help="Width of the kernel in x units. Small h: each query attends to its "
                           "nearest keys; large h: every key gets the same weight "
                           "(average pooling).")


def log_slider(label: str, name: str, stops: list[float], **kwargs) -> float:
    """A select slider over log-spaced ``stops`` kept in the persistent key ``name`` (snapped to
    the nearest stop first); keyword arguments go to ``st.select_slider``."""
    st.session_state[name] = nearest_option(st.session_state[name], stops)
    st.select_slider(label, options=stops, format_func=lambda v: f"{v:g}",
                     key=widget_key(name), on_change=store, args=(name,), **kwargs)
    return st.session_state[name]


def set_bandwidth(value: float, dataset: nwcore.Dataset) -> None:
    """Move the slider to the stop nearest ``value`` (used by one-click choices)."""
    st.session_state.h = nearest_option(value, bandwidth_stops(dataset))


def source_choice(label: str, name: str, sources: dict[str, str], *, available: bool) -> str:
    """Where a page's data comes from: a radio over ``sources`` (value → label) when the
    current dataset can serve (``available``), else the first source; kept in ``name``."""
    if not available:
        st.session_state[name] = next(iter(sources))
    else:
        st.radio(label, list(sources), format_func=sources.get, horizontal=True,
                 key=widget_key(name), on_change=store, args=(name,))
    return st.session_state[name]


#: A progress bar moves in steps of this fraction (a cache hit replays its updates).
PROGRESS_STEP = 0.05


@contextmanager
def progress_bar(first_text: str, text_for: Callable[[float], str]) -> Iterator[Callable]:
    """A progress bar, emptied when the work is done; yields ``report(fraction)``, which moves
    it in steps of :data:`PROGRESS_STEP` with ``text_for(fraction)``. A control changed
    meanwhile makes Streamlit stop the run at the bar's next update (the bar then stays until
    the rerun replaces it)."""
    bar = st.progress(0.0, text=first_text)
    shown = [0.0]

    def report(fraction: float) -> None:
        if fraction >= 1.0 or fraction - shown[0] >= PROGRESS_STEP:
            shown[0] = fraction
            bar.progress(fraction, text=text_for(fraction))

    yield report
    bar.empty()
