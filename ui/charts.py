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
from streamlit import dataframe_util

if TYPE_CHECKING:
    import pandas as pd

_ALTAIR_GLOBALS = threading.Lock()


@dataclass(frozen=True)
class ChartSpec:
    """A Vega-Lite spec without its data, and the tables it refers to by name (DataFrames, or
    the Arrow IPC bytes Streamlit sends for them: see :func:`arrow_bytes`)."""

    spec: dict
    tables: dict[str, pd.DataFrame | bytes]


def arrow_bytes(table: pd.DataFrame) -> bytes:
    """A chart's table as the Arrow IPC bytes Streamlit sends (its own conversion), which
    ``st.vega_lite_chart`` takes as they are. A table shown on many reruns is converted once
    (keep the bytes in a cache) instead of on every run: the live chart's tables took a third
    of a rerun's CPU time."""
    return dataframe_util.convert_anything_to_arrow_bytes(table)


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

    with _ALTAIR_GLOBALS:
        alt.data_transformers.register("named_tables", name_table)
        with alt.data_transformers.enable("named_tables"), alt.theme.enable("none"):
            spec = chart.to_dict(validate=False)
    spec.pop("datasets", None)
    if not stretch:  # set here: ``chart.properties`` would copy the whole chart
        spec["autosize"] = {"type": "pad"}
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


#: Pixels per table row in st.dataframe (the header takes one row too).
ROW_HEIGHT = 35


def show_table(frame: pd.DataFrame, *, number_format: str = "%.4f",
               formats: dict[str, str] | None = None) -> None:
    """A table with every row visible, its numbers in ``number_format`` (``formats``
    overrides it per column) and missing values blank."""
    formats = formats or {}
    numeric = frame.select_dtypes("number").columns
    config = {name: st.column_config.NumberColumn(name, format=formats.get(name, number_format))
              for name in numeric}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config,
                 height=ROW_HEIGHT * (len(frame) + 1) + 3, placeholder="")


@st.cache_data(max_entries=32, show_spinner=False)
def _template(structure: str, _build, _tables: dict) -> tuple[ChartSpec, dict[str, str]]:
    """The spec built once per ``structure``, without the tables that ``_tables`` supplies
    (tables the builder makes itself stay in it), and which of its table names holds which
    role's table."""
    built = to_spec(_build(_tables))
    roles = {name: role for name, table in built.tables.items()
             for role, candidate in _tables.items() if candidate is table}
    constants = {name: table for name, table in built.tables.items() if name not in roles}
    return ChartSpec(spec=built.spec, tables=constants), roles


def templated(structure: str, build, tables: dict) -> ChartSpec:
    """``build(tables)`` as a :class:`ChartSpec`, its Altair work done once per ``structure``
    (a string naming everything the spec depends on besides the tables) and refilled with
    these ``tables`` (a dict of role → DataFrame) on every other call."""
    template, roles = _template(structure, build, tables)
    return ChartSpec(spec=template.spec, tables={
        **template.tables, **{name: tables[role] for name, role in roles.items()}})
