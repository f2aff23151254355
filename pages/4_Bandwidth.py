"""Bandwidth page: the landscape of leave-one-out CV, GCV and (when known) the true error."""

import streamlit as st

import nwcore
from nwcore.charts import bandwidth_landscape_chart
from ui.bandwidth import landscape, use_bandwidth
from ui.charts import show_chart
from ui.controls import kernel_choices
from ui.page import setup_page
from ui.state import dataset, store, widget_key
from ui.text import plain_markdown

setup_page("Bandwidth", icon="📈")
st.title("Bandwidth landscape")
data = dataset()
st.caption(f"Data: {plain_markdown(data.label)}")
st.selectbox("Kernel", kernel_choices(), format_func=nwcore.POOLING_LABELS.get, key=widget_key("bw_kernel"), on_change=store,
             args=("bw_kernel",))

try:
    result = landscape(data, st.session_state.bw_kernel)
except ValueError as error:  # nwcore's messages say what to change
    st.error(f"Cannot compute the landscape: {error}", icon="⚠️")
    st.stop()
show_chart(bandwidth_landscape_chart(result.curves, result.markers),
           alt_text="Leave-one-out and generalised cross-validation error against bandwidth")
st.markdown(
    "**Leave-one-out CV** predicts each y_i from the other points (closed form: the self-weight "
    "is set to zero) and averages the squared errors. **GCV** approximates it from the trace "
    "of the attention matrix. Both are estimated from the data alone; the **true error** "
    "(generated data only) compares the fit with the noise-free function. Small h overfits "
    "the noise, large h flattens towards average pooling.")

st.subheader("Use a bandwidth on the Explore page")
columns = st.columns(len(result.choices))
for column, (label, value) in zip(columns, result.choices.items()):
    column.button(f"{label}: h = {value:.3g}", key=f"use_{label}", on_click=use_bandwidth,
                  args=(value,), width="stretch")
st.caption(f"The Explore page's bandwidth is h = {st.session_state.h:g} "
           "(it snaps to the nearest slider stop).")
