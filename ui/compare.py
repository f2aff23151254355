"""Panel figures (the Compare page and the lesson): kernels × widths in either layout, in data
units or as the book draws them. Every choice is kept in session state (see ui.state)."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.charts import book_panel_grid, comparison_grid
from nwcore.views import PANEL_LAYOUTS, PanelGrid, panel_grid
from ui.charts import show_chart
from ui.state import bound

#: The widths offered (d2l new edition's σ ∈ {0.1, 0.2, 0.5, 1} and two more).
WIDTH_OPTIONS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
LAYOUT_LABELS = {"kernels_rows": "each kernel a row of widths",
                 "kernels_columns": "each kernel a column (the book's 1 × 4 row)"}


@st.cache_data(max_entries=32, show_spinner="Computing the panels…")
def cached_grid(dataset_key: str, _data: nwcore.Dataset, kernels: tuple[str, ...],
                widths: tuple[float, ...], layout: str, equal_widths: bool,
                book_names: bool) -> PanelGrid:
    return panel_grid(_data, kernels, widths, layout=layout, equal_widths=equal_widths,
                      book_names=book_names)


def panel_controls(*, choose_panels: bool = True) -> None:
    """The kernels and widths (with ``choose_panels``), the layout, equal widths, the heatmaps'
    orientation and the book's view."""
    state = st.session_state
    if choose_panels:
        left, right = st.columns(2)
        left.multiselect("Kernels (“Average pooling” is the book's Constant kernel)",
                         nwcore.POOLINGS, format_func=nwcore.POOLING_LABELS.get,
                         max_selections=4,
                         **bound("panel_kernels", "compare_kernels", shown=list, kept=tuple))
        right.multiselect("Widths h", sorted(set(WIDTH_OPTIONS) | set(state.panel_widths)),
                          max_selections=6, help="d2l new edition's σ ∈ {0.1, 0.2, 0.5, 1} by "
                                                 "default.",
                          **bound("panel_widths", "compare_widths", shown=list,
                                  kept=lambda widths: tuple(sorted(widths))))
    layout, equal, transposed, book = st.columns([3, 2, 2, 2])
    layout.radio("Layout", PANEL_LAYOUTS, format_func=LAYOUT_LABELS.get,
                 **bound("panel_layout", "compare_layout"))
    equal.toggle("Equal widths", help="Compact kernels scaled to the Gaussian's standard "
                                      "deviation h (d2l's raw widths: radius h).",
                 **bound("widths", "compare_equal", shown=lambda widths: widths == "equal",
                         kept=lambda on: "equal" if on else "raw"))
    transposed.toggle("Rows = keys", help="d2l new edition's orientation: rows = keys, "
                                          "columns = queries (each column sums to 1).",
                      **bound("orientation", "compare_transposed",
                              shown=lambda orientation: orientation == "keys_rows",
                              kept=lambda on: "keys_rows" if on else "queries_rows"))
    book.toggle("The book's view", help="Draw the panels as the new edition does: lines "
                                        "“y_hat” and “y” (dashed), heatmaps with bare index "
                                        "axes, the book's kernel names. Off: data units.",
                **bound("book_view", "compare_book_view"))


def panel_figure(data: nwcore.Dataset) -> None:
    """The panels chosen in :func:`panel_controls`, with what the orientation means."""
    state = st.session_state
    transposed = state.orientation == "keys_rows"
    if transposed:
        st.info("Transposed view: **rows = keys, columns = queries**, as d2l's new edition "
                "draws it (its code builds a keys × queries matrix and normalises over axis 0). "
                "Each *column* then sums to 1. The classic edition and the rest of this lab use "
                "rows = queries.")
    else:
        st.caption("Rows = queries, columns = keys; each row sums to 1. One colour scale is "
                   "shared by every panel, so a wide kernel's small weights look pale.")
    if not state.panel_kernels or not state.panel_widths:
        st.warning("Choose at least one kernel and one width.")
        return
    grid = cached_grid(data.key, data, tuple(state.panel_kernels), tuple(state.panel_widths),
                       state.panel_layout, state.widths == "equal", bool(state.book_view))
    chart = book_panel_grid(grid, transposed=transposed) if state.book_view else \
        comparison_grid(grid.panels, titles=grid.titles, transposed=transposed)
    show_chart(chart, alt_text="Attention heatmaps and fits for each kernel and width")
