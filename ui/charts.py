"""Showing Altair charts the same way everywhere, fast on reruns.

Charts go to the browser as Vega-Lite specs whose tables have stable names (``table_0``, …):
when only the numbers change between reruns, the spec stays the same and the browser updates the
chart's data instead of rebuilding it. Specs are built without Altair's schema validation (the
builders are tested), under one lock because Altair's data-transformer setting is global.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import altair as alt
import streamlit as st

if TYPE_CHECKING:
    import pandas as pd

_ALTAIR_GLOBALS = threading.Lock()


@dataclass(frozen=True)
class ChartSpec:
    """A Vega-Lite spec without its data, and the tables it refers to by name."""

    spec: dict
    tables: dict[str, pd.DataFrame]


def to_spec(chart, *, stretch: bool = False) -> ChartSpec:
    """Convert an Altair chart. Without ``stretch`` width and height are the plot's own, with
    axes, legends and titles added around it (Vega's "pad"; "fit" would squeeze the plot)."""
    tables: dict[str, pd.DataFrame] = {}
    names: dict[int, str] = {}

    def name_table(data):
        if id(data) not in names:
            names[id(data)] = f"table_{len(names)}"
            tables[names[id(data)]] = data
        return {"name": names[id(data)]}

    if not stretch:
        chart = chart.properties(autosize=alt.AutoSizeParams(type="pad"))
    with _ALTAIR_GLOBALS:
        alt.data_transformers.register("named_tables", name_table)
        with alt.data_transformers.enable("named_tables"), alt.theme.enable("none"):
            spec = chart.to_dict(validate=False)
    spec.pop("datasets", None)
    # Canvas draws thousands of heatmap cells much faster than SVG (Streamlit only switches by
    # itself when one table feeds > 2000 marks, which the compact heatmap tables do not).
    spec["usermeta"] = {"embedOptions": {"renderer": "canvas"}}
    return ChartSpec(spec=spec, tables=tables)


def show_chart(chart, *, alt_text: str, stretch: bool = False, **kwargs):
    """Show an Altair chart (or a prepared :class:`ChartSpec`) with an accessible name.

    ``stretch`` makes a single view fill the container's width; keyword arguments go to
    ``st.vega_lite_chart`` (``on_select``, ``selection_mode``, ``key``).
    """
    prepared = chart if isinstance(chart, ChartSpec) else to_spec(chart, stretch=stretch)
    # Vega-Lite's description is the chart's accessible name (Streamlit's ``alt`` would replace
    # it, with a logged warning on every run).
    spec = {**prepared.spec, "description": alt_text, "datasets": dict(prepared.tables)}
    return st.vega_lite_chart(spec=spec, width="stretch" if stretch else "content",
                              **kwargs)
