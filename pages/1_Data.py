"""Data page: generate the d2l data (or another law) or upload a file."""

import streamlit as st

import nwcore
from nwcore.charts import scatter_chart
from nwcore.labelled import LABEL_COLUMN, SECOND_KEY_COLUMN
from nwcore.reading import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    UPLOAD_EXTENSIONS,
)
from nwcore.views import display_points
from ui.charts import show_chart
from ui.data import (
    apply_upload,
    forget_upload_choices,
    read_upload,
    regenerate,
    select_preset,
)
from ui.page import setup_page
from ui.state import dataset, widget_key
from ui.text import plain_markdown

setup_page("Data", icon="📊")
st.title("Data")
st.caption("Keys x_i and values y_i: the training examples that attention pooling averages.")

source = st.radio("Source", ["Generate", "Upload a file"], horizontal=True, key="data_source")

if source == "Generate":
    st.selectbox("Preset", list(nwcore.PRESETS), format_func=lambda p: nwcore.PRESETS[p].label,
                 key=widget_key("preset"), on_change=select_preset)
    with st.form("generate"):
        st.selectbox("Function f(x)", list(nwcore.FUNCTIONS),
                     format_func=lambda f: nwcore.FUNCTIONS[f][0], key=widget_key("fn"))
        left, middle, right = st.columns(3)
        left.number_input("Number of points n", 1, nwcore.data.MAX_GENERATED_POINTS, step=10,
                          key=widget_key("n"))
        middle.number_input("Noise standard deviation σ", 0.0, 5.0, step=0.1, format="%.2f",
                            key=widget_key("noise"))
        right.number_input("Seed", 0, 2**32 - 1, step=1, key=widget_key("seed"),
                           help="The same seed gives the same data.")
        st.form_submit_button("Generate", type="primary", on_click=regenerate)
else:
    uploaded = st.file_uploader(
        "A table with a header row: CSV, TSV or TXT (delimiter and decimal mark are detected), "
        "Excel, Parquet or JSON", type=list(UPLOAD_EXTENSIONS), max_upload_size=MAX_UPLOAD_MB,
        help=f"At most {MAX_UPLOAD_MB} MB ({MAX_UPLOAD_BYTES:,} bytes), {MAX_ROWS:,} rows and "
             f"{MAX_COLUMNS} columns.",
        key="upload", on_change=forget_upload_choices)
    if uploaded is not None:
        table = read_upload(uploaded)
        if table is not None:
            apply_upload(uploaded, table)

report = st.session_state.get("upload_report")
if report and dataset().source == "uploaded":
    st.success(report["summary"])
    for reason, examples in report["examples"].items():
        if examples:
            st.caption(f"Dropped as {reason}, for example: "
                       + plain_markdown(", ".join(map(repr, examples))))
    for note in report["notes"]:
        st.info(plain_markdown(note))

current = dataset()
st.subheader("Current dataset")
st.markdown(f"**{plain_markdown(current.label)}** — {len(current.frame):,} points")
if SECOND_KEY_COLUMN in current.frame:
    st.page_link("pages/8_Vectors.py", icon=":material/scatter_plot:",
                 label=f"y against the points ({plain_markdown(current.x_label)}, "
                       f"{plain_markdown(current.x2_label)}): the Vectors page")
if LABEL_COLUMN in current.frame:
    st.page_link("pages/7_Classify.py", icon=":material/category:",
                 label=f"Classes from {plain_markdown(current.label_column)}: the Classify page")
left, right = st.columns([2, 3])
left.dataframe(current.frame.head(500), height=300, width="stretch")
with right:
    show_chart(scatter_chart(display_points(current.keys, current.values),
                             x_title=current.x_label, y_title=current.y_label),
               alt_text="Scatter plot of the current dataset", stretch=True)
