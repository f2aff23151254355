"""Learned pooling page: d2l's parametric attention pooling, trained by gradient descent."""

import streamlit as st

from ui.learning import current_run, show_run, training_form
from ui.page import setup_page
from ui.state import dataset
from ui.text import plain_markdown

setup_page("Learned pooling", icon="🎓")
st.title("Learned (parametric) attention pooling")
data = dataset()
st.caption(f"Data: {plain_markdown(data.label)}")
st.markdown("d2l's parametric pooling puts one learnable number w in the Gaussian kernel, so "
            "**w = 1/h**:")
st.latex(r"\alpha(x, x_i) = \operatorname{softmax}_i\!\Big(-\tfrac12\big((x - x_i)\,w\big)^2"
         r"\Big), \qquad \hat y(x) = \sum_i \alpha(x, x_i)\, y_i")
st.markdown("It trains w by gradient descent on the squared error of predicting each training "
            "point from the others (leave-one-out). Defaults are d2l classic's: learning rate "
            "0.5, 5 epochs, summed loss, w starting at 0.5.")

training_form()
run = current_run(data)
if run is None:
    st.stop()
show_run(data, run)

with st.expander("What you are seeing", expanded=True):
    st.markdown(
        "- **A step's length is the learning rate times the gradient, and the gradient scales "
        "with the loss.** The summed loss adds up every point, so on d2l's data the first step "
        "from w = 0.5 lands near w ≈ 21, far past the minimum; the ½·sum form (MXNet) lands "
        "half as far and the averaged loss 1/n as far. The text under the charts says where "
        "this run's steps went; the warning box appears when the loss rose or w left the "
        "sensible range, with what to try.\n"
        "- **Without leave-one-out, w grows without bound.** Each training point can then "
        "attend to itself: the larger w, the more it copies its own y, and the loss falls "
        "towards 0 while the model memorises the noise. Switch leave-one-out off and train "
        "for more epochs to see it.\n"
        "- **On your own data**, x and y are standardised for training (the toggle above), so "
        "that lr 0.5 means on any scale what it means on d2l's data.")
