"""Share and export: the link that reproduces the view, and CSV/JSON downloads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import nwcore
from nwcore.export import csv_bytes, json_bytes
from ui.controls import H_RANGE_FACTORS
from ui.state import DEFAULTS


@st.cache_data(max_entries=32, show_spinner=False)
def _cv_curve(dataset_key: str, _data: nwcore.Dataset, kernel: str) -> pd.DataFrame:
    span = _data.x_span if _data.x_span > 0 else 1.0
    grid = np.geomspace(H_RANGE_FACTORS[0] * span, H_RANGE_FACTORS[1] * span, 60)
    return pd.DataFrame({"h": grid, "loo_cv_mse": nwcore.loo_cv_curve(
        _data.keys, _data.values, grid, kernel=kernel)})


def share_and_export(data: nwcore.Dataset, view, pooling: str) -> None:
    """Downloads of the dataset, fit, weights, CV curve and settings; how links work."""
    state = st.session_state
    with st.expander("Share and export", icon=":material/share:"):
        if data.source == "generated":
            st.markdown("This page's address (in the browser's address bar) reproduces the view: "
                        "preset, n, noise, seed, pooling, kernel widths and h. Share it with "
                        "the class.")
        else:
            st.markdown("Links carry the pooling and h but **not uploaded data**: share the "
                        "dataset file as well.")
        settings = {name: state[name] for name in DEFAULTS}
        settings.update(dataset=data.label, source=data.source,
                        kernel_bandwidth=view.kernel_bandwidth)
        kernel = nwcore.views.pooling_kernel(pooling)
        cv_kernel = "gaussian" if kernel == "constant" else kernel
        # Files are made when clicked (callables), not on every rerun.
        downloads = [
            ("Dataset (CSV)", lambda: csv_bytes(data.frame), "dataset.csv", "text/csv"),
            ("Fit (CSV)", lambda: csv_bytes(view.fit), "fit.csv", "text/csv"),
            ("Attention weights, long format (CSV)",
             lambda: csv_bytes(view.cells.frame[["qi", "query_x", "key_x", "key_lo", "key_hi",
                                                 "keys", "weight"]]),
             "attention_weights.csv", "text/csv"),
        ]
        if len(data.frame) >= 2:  # leave-one-out needs a point to leave out
            downloads.append(("Leave-one-out CV curve (CSV)",
                              lambda: csv_bytes(_cv_curve(data.key, data, cv_kernel)),
                              "cv_curve.csv", "text/csv"))
        downloads.append(("Settings (JSON)", lambda: json_bytes(settings), "settings.json",
                          "application/json"))
        columns = st.columns(len(downloads))
        for column, (label, payload, file_name, mime) in zip(columns, downloads):
            column.download_button(label, payload, file_name=file_name, mime=mime,
                                   on_click="ignore", key=f"download_{file_name}",
                                   width="stretch")
        st.caption("Charts: use the ⋯ menu on a chart to save it as PNG or SVG.")
