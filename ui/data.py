"""Data-page actions: generating, and reading uploads without ever losing the current data."""

from __future__ import annotations

import hashlib

import streamlit as st

import nwcore
from nwcore.reading import UploadError, excel_sheets, extract_xy, read_table
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


UPLOAD_CHOICES = ("upload_sheet", "x_column", "x2_column", "y_column", "label_column", "x_dates")
#: The y picker's last option: y = the class codes of the label column (``extract_xy``'s None).
LABEL_CODES = None


def forget_upload_choices() -> None:
    """A new file: its sheet, columns and date format are chosen afresh (never carried over)."""
    for key in UPLOAD_CHOICES:
        st.session_state.pop(key, None)


@st.cache_data(max_entries=4, show_spinner=False, scope="session")
def _sheets(data: bytes) -> list[tuple[str, bool]]:
    try:
        return excel_sheets(data)
    except UploadError:
        return []


def read_upload(uploaded):
    """Read the uploaded file; on a bad file show why and return None (the data stays).

    A workbook with several sheets gets a sheet picker: hidden sheets are marked, and the default
    is the sheet the reader picks (the first visible one), with the reader's note on it."""
    sheet = None
    data = uploaded.getvalue()
    sheets = _sheets(data) if data[:2] == b"PK" else []
    if len(sheets) > 1:
        hidden = {name for name, is_hidden in sheets if is_hidden}
        names = [name for name, _ in sheets]
        default = next((i for i, name in enumerate(names) if name not in hidden), 0)
        chosen = st.selectbox("Sheet", names, key="upload_sheet", index=default,
                              format_func=lambda name: f"{name} (hidden)" if name in hidden
                              else name)
        sheet = None if chosen == names[default] else chosen
    table, error = _read_cached(data, uploaded.name, sheet)
    if error:
        st.error(f"Could not use **{plain_markdown(uploaded.name)}**: "
                 f"{plain_markdown(error)}  \nYour current dataset is unchanged.", icon="🚫")
        return None
    return table


def apply_upload(uploaded, table) -> None:
    """Column pickers and the button that makes the upload the current dataset."""
    st.caption(f"Read as {plain_markdown(table.source)}.")
    for note in table.notes:
        st.info(plain_markdown(note))
    numeric = list(table.numeric_columns)
    choices = numeric + [c for c in table.date_columns if c not in table.numeric_columns]
    y_options = numeric + [LABEL_CODES]
    first, second, values, classes = st.columns(4)
    x_column = first.selectbox("x column (keys)", choices, key="x_column",
                               index=_position(choices, table.default_x))
    x2_column = second.selectbox(
        "Second x column (optional)", [None, *numeric], key="x2_column", format_func=_or_none,
        help="Keys become points (x, x2) in the plane: the Vectors page fits y against both "
             "(the other pages use x alone). Rows with a bad x2 are dropped and counted.")
    y_column = values.selectbox(
        "y column (values)", y_options, key="y_column",
        index=_position(y_options, table.default_y),
        format_func=lambda c: "class codes of the label" if c is LABEL_CODES else c,
        help="y must be numeric. For a file of points and class names, choose the class codes "
             "of the label: 0, 1, … in the labels' sorted order.")
    label_column = classes.selectbox(
        "Label column (classes, optional)", [None, *table.frame.columns], key="label_column",
        format_func=_or_none,
        help="Class names or codes (at most 10 classes) for the Classify page. A row without a "
             "label is kept for regression; Classify leaves it out.")
    st.caption("Optional columns: a second x makes the keys points (x, x2) for the Vectors "
               "page (the other pages fit y against x alone); a label column gives the classes "
               "for the Classify page. y must be numeric: for a file of points and class names, "
               "choose y = “class codes of the label” (0, 1, … in the labels' sorted order).")
    x_dates = None
    if x_column in table.date_columns:
        x_dates = first.radio("x holds dates; read them as", ["iso", "day-first", "month-first"],
                              format_func={"iso": "ISO (2024-02-13)",
                                           "day-first": "day first (13/02/2024)",
                                           "month-first": "month first (02/13/2024)"}.get,
                              key="x_dates", index=None,
                              help="Converted to days since the first date. Never guessed: "
                                   "choose the format.")
    if st.button("Use this data", type="primary", key="use_upload"):
        try:
            xy = extract_xy(table, x_column, y_column, x_dates=x_dates, x2_column=x2_column,
                            label_column=label_column)
        except UploadError as error:
            st.error(f"{plain_markdown(str(error))}  \nYour current dataset is unchanged.",
                     icon="🚫")
            return
        digest = hashlib.sha1(uploaded.getvalue()).hexdigest()[:16]
        against = xy.x_label if x2_column is None else f"{xy.x_label} and {x2_column}"
        set_dataset(nwcore.Dataset(
            frame=xy.frame, label=f"{uploaded.name}: {xy.y_label} against {against}",
            source="uploaded", x_label=xy.x_label, y_label=xy.y_label,
            key=f"upload:{digest}:{table.source}:{x_column}:{x2_column}:{y_column}:"
                f"{label_column}:{x_dates}",
            x2_label=x2_column or "x2", label_column=label_column or "label"))
        show_upload_on_its_pages(x2_column is not None, label_column is not None)
        st.session_state.upload_report = {"summary": xy.summary(), "notes": list(xy.notes),
                                          "examples": xy.examples}


def show_upload_on_its_pages(plane: bool, labelled: bool) -> None:
    """An upload with a second x column is what the Vectors page shows next (in the plane), one
    with labels what the Classify page classifies."""
    state = st.session_state
    if plane:
        state.vec_source, state.vec_mode = "dataset", "plane"
    if labelled:
        state.cls_source = "dataset"


def _or_none(column: str | None) -> str:
    return "none" if column is None else column


def _position(options: list[str], name: str | None) -> int:
    return options.index(name) if name in options else 0
