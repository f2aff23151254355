"""Attention Pooling Lab: home page (run with `streamlit run app.py`)."""

import streamlit as st

from ui.nav import PAGES
from ui.page import setup_page
from ui.text import plain_markdown

setup_page("Home", icon="🏠")

st.title("Attention Pooling Lab")
st.markdown(
    """
Attention pooling predicts a value at a **query** x by averaging the **values** y_i of the
training examples, weighting each by how similar its **key** x_i is to the query:

* **queries** x — where we predict,
* **keys** x_i — the training inputs,
* **values** y_i — the training outputs.
"""
)
st.latex(r"f(x) = \sum_i \alpha(x, x_i)\, y_i, \qquad "
         r"\alpha(x, x_i) = \operatorname{softmax}_i\!\Big(-\frac{(x - x_i)^2}{2h^2}\Big)")
st.markdown(
    """
With equal weights this is **average pooling**; with the Gaussian weights above it is
**Nadaraya–Watson kernel regression**, the example the *Dive into Deep Learning* attention chapter
starts from. The bandwidth h sets how local the attention is.
"""
)
st.subheader("Pages")
for page in PAGES[1:]:
    st.page_link(page.path, label=f"{page.label} — {page.summary}", icon=page.icon)
st.markdown(
    "**Beyond the chapter.** Classify, Vectors and Consistency take up the questions the "
    "chapter's exercises leave open: one-hot values turn attention pooling into a classifier; "
    "on the unit circle the Gaussian kernel *is* dot-product attention with temperature h²; and "
    "the error falls like n^(−4/(4+d)) when h shrinks at the right rate.")
st.caption(f"Current dataset: {plain_markdown(st.session_state.dataset.label)}")
