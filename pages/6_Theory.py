"""Theory page: attention cues, the equations, kernel shapes and the bridge to attention."""

import streamlit as st

from nwcore.charts import kernel_shapes_chart
from ui.charts import show_chart
from ui.page import setup_page

setup_page("Theory", icon="📐")
st.title("Theory: attention pooling is kernel regression")

st.header("Attention cues")
st.markdown(
    "d2l's picture of attention: what stands out on its own (**nonvolitional cues**) plays the "
    "role of the **keys**, what we are looking for (**volitional cues**) is the **query**, and "
    "what we take in (**sensory inputs**) are the **values**. Attention pooling compares the "
    "query with every key and pools the values with the resulting weights.")
st.graphviz_chart("""
digraph cues {
  rankdir=LR; node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=12];
  q [label="volitional cue\\n= query x", fillcolor="#fde0dd"];
  k [label="nonvolitional cues\\n= keys x_i", fillcolor="#deebf7"];
  v [label="sensory inputs\\n= values y_i", fillcolor="#e5f5e0"];
  a [label="attention weights\\nα(x, x_i)", shape=ellipse, fillcolor="#fff7bc"];
  p [label="attention pooling\\nŷ(x) = Σ α(x, x_i) y_i", fillcolor="#f0f0f0"];
  q -> a; k -> a; a -> p; v -> p;
}
""")

st.header("The equations")
st.markdown("**Average pooling** ignores the query: every value gets the same weight.")
st.latex(r"f(x) = \frac{1}{n} \sum_{i=1}^{n} y_i")
st.markdown("**Nadaraya–Watson kernel regression** weights each value by a kernel K of the "
            "distance between the query and its key:")
st.latex(r"f(x) = \sum_{i=1}^{n} \frac{K\!\left(\frac{x - x_i}{h}\right)}"
         r"{\sum_{j=1}^{n} K\!\left(\frac{x - x_j}{h}\right)}\, y_i")
st.markdown("This is **attention pooling**: a weighted average with weights that sum to 1.")
st.latex(r"f(x) = \sum_{i=1}^{n} \alpha(x, x_i)\, y_i, \qquad \alpha(x, x_i) \ge 0,\quad "
         r"\sum_i \alpha(x, x_i) = 1")
st.markdown("With the **Gaussian kernel** the weights are a **softmax** over the keys:")
st.latex(r"K(u) = \frac{1}{\sqrt{2\pi}} \exp\!\left(-\frac{u^2}{2}\right) \quad\Rightarrow\quad "
         r"\alpha(x, x_i) = \operatorname{softmax}_i\!\left(-\frac{(x - x_i)^2}{2h^2}\right)")
st.markdown("The lab computes this softmax with the max-shift (log-sum-exp): a tiny h gives "
            "the nearest key's value instead of 0/0.")

st.header("Kernel shapes")
equal = st.toggle("Equal widths (same standard deviation as the Gaussian)", value=False,
                  key="theory_equal_widths")
show_chart(kernel_shapes_chart(equal_widths=equal), alt_text="Kernel shapes")
st.caption("d2l's kernels all have radius 1, so their widths differ: the boxcar's standard "
           "deviation is 1/√3 ≈ 0.58, the triangular's 1/√6 ≈ 0.41, the Epanechnikov's "
           "1/√5 ≈ 0.45. d2l calls the triangular kernel “Epanechikov”; the real Epanechnikov "
           "kernel is quadratic, max(0, 1 − u²).")

st.header("From kernels to modern attention")
st.markdown(
    "The Gaussian weights are a softmax of the **attention scores** "
    "a(x, x_i) = −(x − x_i)²/2h². Dividing scores by a number before a softmax is what a "
    "**temperature** does, so **h² acts as a temperature**: a large h flattens the weights "
    "towards average pooling, a small h sharpens them towards the nearest key.")
st.latex(r"\alpha(x, x_i) = \operatorname{softmax}_i\!\left(\frac{-\tfrac12 (x - x_i)^2}"
         r"{h^2}\right)")
st.markdown("For unit vectors, ‖q − k‖² = 2 − 2 q·k, so the Gaussian score is a scaled "
            "**dot product** plus a constant that the softmax cancels: Gaussian attention "
            "pooling becomes dot-product attention with temperature h².")
st.latex(r"-\frac{\lVert q - k_i \rVert^2}{2h^2} = \frac{q^\top k_i}{h^2} - \frac{1}{h^2}")
