"""Share and export: the link that reproduces the view, and CSV/JSON downloads."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.export import csv_bytes, json_bytes
from ui.bandwidth import cached_landscape
from ui.state import DEFAULTS


def _cv_curve_csv(data: nwcore.Dataset, kernel: str) -> bytes:
    """The leave-one-out curve of the Bandwidth page (same cache) as CSV."""
    curves = cached_landscape(data.key, data, kernel).curves
    curve = curves[curves["criterion"] == "leave-one-out CV"][["h", "error"]]
    return csv_bytes(curve.rename(columns={"error": "loo_cv_mse"}))


def share_and_export(data: nwcore.Dataset, view, pooling: str) -> None:
    """Downloads of the dataset, fit, weights, CV curve and settings; how links work."""
    state = st.session_state
    with st.expander("Share and export", icon=":material/share:"):
        if data.source == "generated":
            st.markdown("This page's address (in the browser's address bar) reproduces the view: "
                        "preset, n, noise, seed, pooling, kernel widths, h and the pinned "
                        "query. Share it with the class.")
        else:
            st.markdown("Links carry the pooling, h and the pinned query but **not uploaded "
                        "data**: share the dataset file as well.")
        settings = {name: state[name] for name in DEFAULTS}
        settings.update(dataset=data.label, source=data.source,
                        kernel_bandwidth=view.kernel_bandwidth)
        kernel = nwcore.pooling_kernel(pooling)
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
                              lambda: _cv_curve_csv(data, cv_kernel),
                              "cv_curve.csv", "text/csv"))
        downloads.append(("Settings (JSON)", lambda: json_bytes(settings), "settings.json",
                          "application/json"))
        columns = st.columns(len(downloads))
        for column, (label, payload, file_name, mime) in zip(columns, downloads):
            column.download_button(label, payload, file_name=file_name, mime=mime,
                                   on_click="ignore", key=f"download_{file_name}",
                                   width="stretch")
        st.caption("Charts: use the ⋯ menu on a chart to save it as PNG or SVG.")
