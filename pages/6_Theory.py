"""Theory page: attention cues, the equations, kernel shapes and the bridge to attention."""

import streamlit as st

from nwcore import book
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
left, right = st.columns(2)
left.graphviz_chart(book.COFFEE_CUP_DIAGRAM)
left.caption("Nonvolitional cue: the red coffee cup stands out by itself.")
right.graphviz_chart(book.BOOK_DIAGRAM)
right.caption("Volitional cue: wanting to read a book, we look at the book.")
st.graphviz_chart(book.QKV_DIAGRAM)

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
st.latex(r"K(u) = \exp\!\left(-\frac{u^2}{2}\right) \quad\Rightarrow\quad "
         r"\alpha(x, x_i) = \operatorname{softmax}_i\!\left(-\frac{(x - x_i)^2}{2h^2}\right)")
st.caption("d2l writes the Gaussian density, with a factor 1/√(2π) in front. A constant factor "
           "appears in every K of the numerator and of the denominator and cancels, so the "
           "weights do not depend on it: the lab (and the plot below) uses K(0) = 1.")
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
    "The Gaussian weights are a softmax of the **attention scores** s_i = −(x − x_i)²/2, each "
    "divided by h². A softmax of scores divided by a number T, softmax(s_i / T), is called a "
    "softmax with **temperature** T, and T controls how peaked it is: as T → 0 all the weight "
    "goes to the largest score (here the nearest key), as T → ∞ every key gets the same "
    "weight 1/n (average pooling). So **h² plays the role of the temperature**. For example, "
    "two keys at distances 0.5 and 1 from the query have scores −0.125 and −0.5: at h = 1 "
    "their weights are 0.59 and 0.41, at h = 0.25 (T = 1/16) they are 0.998 and 0.002.")
st.latex(r"\alpha(x, x_i) = \operatorname{softmax}_i\!\left(\frac{s_i}{T}\right),\qquad "
         r"s_i = -\tfrac12 (x - x_i)^2,\quad T = h^2")
st.markdown("For unit vectors, ‖q − k‖² = 2 − 2 q·k, so the Gaussian score is a scaled "
            "**dot product** plus a constant that the softmax cancels: Gaussian attention "
            "pooling becomes dot-product attention with temperature h².")
st.latex(r"-\frac{\lVert q - k_i \rVert^2}{2h^2} = \frac{q^\top k_i}{h^2} - \frac{1}{h^2}")
