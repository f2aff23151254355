"""Compare page: d2l's show_heatmaps and width study as interactive small multiples."""

import streamlit as st

import nwcore
from nwcore.charts import comparison_grid
from ui.charts import show_chart
from ui.compare import cached_panels
from ui.controls import kernel_choices
from ui.page import setup_page
from ui.state import dataset

setup_page("Compare", icon="🧮")
st.title("Compare kernels and widths")
data = dataset()
st.caption(f"Data: {data.label}")

left, right = st.columns(2)
kernels = left.multiselect("Kernels (panel rows)", kernel_choices(),
                           default=["gaussian"], format_func=nwcore.POOLING_LABELS.get,
                           key="compare_kernels", max_selections=4)
widths = right.multiselect("Widths h (panel columns)", [0.05, 0.1, 0.2, 0.5, 1.0, 2.0],
                           default=[0.1, 0.2, 0.5, 1.0], key="compare_widths", max_selections=6,
                           help="d2l new edition's σ ∈ {0.1, 0.2, 0.5, 1} by default.")
left, right = st.columns(2)
equal = left.toggle("Equal widths (compact kernels scaled to the Gaussian's std)",
                    key="compare_equal")
transposed = right.toggle("d2l new edition's orientation (rows = keys, columns = queries)",
                          key="compare_transposed")

if transposed:
    st.info("Transposed view: **rows = keys, columns = queries**, as d2l's new edition draws it "
            "(its code builds a keys × queries matrix and normalises over axis 0). Each "
            "*column* then sums to 1. The classic edition and the rest of this lab use rows = "
            "queries.")
else:
    st.caption("Rows = queries, columns = keys, in data units; each row sums to 1. One colour "
               "scale is shared by every panel, so a wide kernel's small weights look pale.")

if not kernels or not widths:
    st.warning("Choose at least one kernel and one width.")
else:
    widths = sorted(widths)
    panels = cached_panels(data.key, data, tuple(kernels), tuple(widths), equal)
    show_chart(comparison_grid(panels, column_titles=[f"h = {w:g}" for w in widths],
                               row_titles=[k for k in kernels], transposed=transposed),
               alt_text="Attention heatmaps and fits for each kernel and width")
