"""Bandwidth-page computations, cached per dataset and kernel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import nwcore
from ui.controls import H_RANGE_FACTORS, set_bandwidth
from ui.state import dataset

D2L_NEW_WIDTHS = (0.1, 0.2, 0.5)


@dataclass(frozen=True)
class Landscape:
    curves: pd.DataFrame        # h, error (NaN where undefined), criterion
    markers: pd.DataFrame       # h, label
    choices: dict[str, float]   # label -> h, offered as "use this h"


@st.cache_data(max_entries=32, show_spinner="Computing the landscape…")
def cached_landscape(dataset_key: str, _data: nwcore.Dataset, kernel: str,
               points: int = 60) -> Landscape:
    keys, values = _data.keys, _data.values
    span = _data.x_span if _data.x_span > 0 else 1.0
    grid = np.geomspace(H_RANGE_FACTORS[0] * span, H_RANGE_FACTORS[1] * span, points)
    parts = [pd.DataFrame({"h": grid, "error": nwcore.loo_cv_curve(keys, values, grid,
                                                                   kernel=kernel),
                           "criterion": "leave-one-out CV"}),
             pd.DataFrame({"h": grid, "error": nwcore.gcv_curve(keys, values, grid, kernel=kernel),
                           "criterion": "GCV"})]
    if _data.function is not None:
        queries = _data.queries()
        truth = nwcore.true_function(_data.function, queries)
        true_error = [np.nanmean((nwcore.nadaraya_watson(queries, keys, values, kernel=kernel,
                                                          bandwidth=h) - truth) ** 2)
                      for h in grid]
        parts.append(pd.DataFrame({"h": grid, "error": true_error,
                                   "criterion": "true error (vs f)"}))
    curves = pd.concat(parts, ignore_index=True)  # NaN where a criterion is undefined
    choices = {
        "CV minimum": nwcore.select_bandwidth(keys, values, method="loo_cv", kernel=kernel),
        "GCV minimum": nwcore.select_bandwidth(keys, values, method="gcv", kernel=kernel),
        "Silverman": nwcore.silverman_bandwidth(keys),
        "Scott": nwcore.scott_bandwidth(keys),
        "d2l classic (h = 1)": 1.0,
    }
    marker_rows = list(choices.items()) + [(f"d2l new σ = {w:g}", w) for w in D2L_NEW_WIDTHS]
    markers = pd.DataFrame(marker_rows, columns=["label", "h"])
    return Landscape(curves=curves, markers=markers, choices=choices)


def landscape(data: nwcore.Dataset, kernel: str) -> Landscape:
    """The cached landscape plus a marker for the Explore page's current h."""
    result = cached_landscape(data.key, data, kernel)
    current = pd.DataFrame({"label": ["current h"], "h": [float(st.session_state.h)]})
    markers = pd.concat([current, result.markers], ignore_index=True)
    low, high = result.curves["h"].min(), result.curves["h"].max()
    markers = markers[(markers["h"] >= low) & (markers["h"] <= high)]
    return Landscape(curves=result.curves, markers=markers, choices=result.choices)


def use_bandwidth(value: float) -> None:
    """Button callback: the Explore page's slider moves to this h."""
    set_bandwidth(value, dataset())
