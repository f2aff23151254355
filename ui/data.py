"""Data-page actions: generating, and reading uploads without ever losing the current data."""

from __future__ import annotations

import hashlib

import streamlit as st

import nwcore
from nwcore.reading import UploadError, excel_sheet_names, extract_xy, read_table
from ui.state import load_generated, preset_defaults, set_dataset, store
from ui.text import plain_markdown


def select_preset() -> None:
    """Preset chosen: its function, n and noise become the form's values."""
    store("preset")
    defaults = preset_defaults(st.session_state.preset)
    for name in ("fn", "n", "noise"):
        st.session_state[name] = defaults[name]


def regenerate() -> None:
    """Form submitted: keep its values and generate the dataset."""
    for name in ("fn", "n", "noise", "seed"):
        store(name)
    state = st.session_state
    set_dataset(load_generated(state.fn, int(state.n), float(state.noise), int(state.seed)))
    state.upload_report = None


@st.cache_data(max_entries=4, show_spinner="Reading the file…", scope="session")
def _read_cached(data: bytes, filename: str, sheet: str | None):
    try:
        return read_table(data, filename, sheet=sheet), None
    except UploadError as error:
        return None, str(error)


UPLOAD_CHOICES = ("upload_sheet", "x_column", "y_column", "x_dates")


def forget_upload_choices() -> None:
    """A new file: its sheet, columns and date format are chosen afresh (never carried over)."""
    for key in UPLOAD_CHOICES:
        st.session_state.pop(key, None)


@st.cache_data(max_entries=4, show_spinner=False, scope="session")
def _sheet_names(data: bytes) -> list[str]:
    try:
        return excel_sheet_names(data)
    except UploadError:
        return []


def read_upload(uploaded):
    """Read the uploaded file; on a bad file show why and return None (the data stays).

    A workbook with several sheets gets a sheet picker (the first sheet by default)."""
    sheet = None
    if uploaded.name.lower().endswith(".xlsx"):
        sheets = _sheet_names(uploaded.getvalue())
        if len(sheets) > 1:
            sheet = st.selectbox("Sheet", sheets, key="upload_sheet")
    table, error = _read_cached(uploaded.getvalue(), uploaded.name, sheet)
    if error:
        st.error(f"Could not use **{plain_markdown(uploaded.name)}**: {error}  \n"
                 "Your current dataset is unchanged.", icon="🚫")
        return None
    return table


def apply_upload(uploaded, table) -> None:
    """Column pickers and the button that makes the upload the current dataset."""
    st.caption(f"Read as {table.source}.")
    for note in table.notes:
        st.info(note)
    choices = list(table.numeric_columns) + [c for c in table.date_columns
                                             if c not in table.numeric_columns]
    left, middle, right = st.columns([2, 2, 2])
    x_column = left.selectbox("x column (keys)", choices, index=0, key="x_column")
    y_options = list(table.numeric_columns)
    y_default = next((i for i, c in enumerate(y_options) if c != x_column), 0)
    y_column = middle.selectbox("y column (values)", y_options, index=y_default, key="y_column")
    x_dates = None
    if x_column in table.date_columns:
        x_dates = right.radio("x holds dates; read them as", ["iso", "day-first", "month-first"],
                              format_func={"iso": "ISO (2024-02-13)",
                                           "day-first": "day first (13/02/2024)",
                                           "month-first": "month first (02/13/2024)"}.get,
                              key="x_dates", index=None,
                              help="Converted to days since the first date. Never guessed: "
                                   "choose the format.")
    if st.button("Use this data", type="primary", key="use_upload"):
        try:
            xy = extract_xy(table, x_column, y_column, x_dates=x_dates)
        except UploadError as error:
            st.error(f"{error}  \nYour current dataset is unchanged.", icon="🚫")
            return
        digest = hashlib.sha1(uploaded.getvalue()).hexdigest()[:16]
        set_dataset(nwcore.Dataset(
            frame=xy.frame, label=f"{uploaded.name}: {xy.y_label} against {xy.x_label}",
            source="uploaded", x_label=xy.x_label, y_label=xy.y_label,
            key=f"upload:{digest}:{table.source}:{x_column}:{y_column}:{x_dates}"))
        st.session_state.upload_report = {"summary": xy.summary(), "notes": list(xy.notes),
                                          "examples": xy.examples}
