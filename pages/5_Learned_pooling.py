"""Learned pooling page: d2l's parametric attention pooling, trained by gradient descent."""

import streamlit as st

from ui.learning import current_run, show_run, training_form
from ui.page import setup_page
from ui.scoring import current_comparison, scoring_form, show_comparison
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
if run is not None:
    show_run(data, run)
    with st.expander("What you are seeing", expanded=True):
        st.markdown(
            "- **A step's length is the learning rate times the gradient, and the gradient "
            "scales with the loss.** The summed loss adds up every point, so on d2l's data the "
            "first step from w = 0.5 lands near w ≈ 21, far past the minimum; the ½·sum form "
            "(MXNet) lands half as far and the averaged loss 1/n as far. The text under the "
            "charts says where this run's steps went; the warning box appears when the loss "
            "rose or w left the sensible range, with what to try.\n"
            "- **Without leave-one-out, w grows without bound.** Each training point can then "
            "attend to itself: the larger w, the more it copies its own y, and the loss falls "
            "towards 0 while the model memorises the noise. Switch leave-one-out off and train "
            "for more epochs to see it.\n"
            "- **On your own data**, x and y are standardised for training (the toggle above), "
            "so that lr 0.5 means on any scale what it means on d2l's data.")

st.header("Other scoring functions: what more parameters buy")
st.markdown(
    r"d2l's score is $a(q, k) = -\tfrac12\big((q - k)\,w\big)^2$ with one number w. Two "
    r"richer scores train on the same points: **a width per region**, "
    r"$a(q, k) = -\tfrac12\big((q - k)\,w(q)\big)^2$ with $\log w$ linear between R knots "
    r"over the keys' range (a narrow window where f bends, a wide one where it is flat), and "
    r"**additive attention**, $a(q, k) = v^\top \tanh(W_q q + W_k k)$ with a hidden layer of "
    r"size H, which knows nothing of distance until it learns it. All three are trained "
    r"here by Adam on the mean squared error, from the initial w and with the leave-one-out "
    r"setting of the form above.")
scoring_form()
comparison = current_comparison(data)
if comparison is not None:
    show_comparison(data, comparison)
    st.markdown(
        "- **With leave-one-out**, extra parameters lower the loss they are trained on, but "
        "that loss is itself estimated from the noisy points: compare the truth MSE (known for "
        "generated data) to see whether the lower loss is a better fit or the criterion "
        "overfitted.\n"
        "- **Without leave-one-out**, every form may let a point attend to itself: the width "
        "forms narrow until each point copies its own y, the training loss falls towards 0 "
        "and the leave-one-out loss and the truth MSE rise. The heatmaps turn into a thin "
        "diagonal.")
