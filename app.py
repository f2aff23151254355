"""Attention Pooling Lab: home page (run with `streamlit run app.py`)."""

import streamlit as st

from ui.nav import PAGES
from ui.page import setup_page

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
PAGE_GUIDE = {
    "pages/1_Data.py": "generate the d2l data (classic or new edition) or upload your own",
    "pages/2_Explore.py": "the fit and the attention heatmap, linked: hover or pin a query",
    "pages/3_Compare.py": "kernels × widths side by side, as d2l's show_heatmaps",
    "pages/4_Bandwidth.py": "leave-one-out CV, GCV and the true error over h",
    "pages/5_Learned_pooling.py": "d2l's parametric pooling: train w = 1/h by gradient descent",
    "pages/6_Theory.py": "attention cues, the equations, and h² as a temperature",
}
for path, label, icon in PAGES[1:]:
    st.page_link(path, label=f"{label} — {PAGE_GUIDE[path]}", icon=icon)
st.caption(f"Current dataset: {st.session_state.dataset.label}")
