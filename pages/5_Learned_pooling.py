"""Learned pooling page: d2l's parametric attention pooling, trained by gradient descent."""

import streamlit as st

from nwcore.charts import attention_heatmap, fit_chart, training_chart, w_path_chart
from ui.charts import show_chart
from ui.learning import TRAINING_DEFAULTS, train, trained_views
from ui.page import setup_page
from ui.state import dataset

setup_page("Learned pooling", icon="🎓")
st.title("Learned (parametric) attention pooling")
data = dataset()
st.caption(f"Data: {data.label}")
st.markdown(
    "d2l's parametric pooling puts one learnable number w in the kernel, "
    "α(x, x_i) = softmax(−((x − x_i)·w)² / 2), so **w = 1/h**, and trains it by gradient "
    "descent on the squared error of predicting each training point from the others "
    "(leave-one-out). Defaults are d2l classic's: learning rate 0.5, 5 epochs, summed loss.")

with st.form("train_form"):
    columns = st.columns(5)
    lr = columns[0].number_input("Learning rate", 1e-4, 10.0, TRAINING_DEFAULTS["lr"], step=0.1,
                                 format="%.4g", key="train_lr")
    epochs = columns[1].number_input("Epochs", 1, 200, TRAINING_DEFAULTS["epochs"],
                                     key="train_epochs")
    w0 = columns[2].number_input("Initial w", 0.01, 100.0, TRAINING_DEFAULTS["w0"], step=0.1,
                                 key="train_w0")
    loo = columns[3].toggle("Leave-one-out", TRAINING_DEFAULTS["leave_one_out"], key="train_loo")
    loss = columns[4].radio("Loss", ["sum", "mean"], horizontal=True, key="train_loss",
                            format_func={"sum": "summed", "mean": "averaged"}.get)
    submitted = st.form_submit_button("Train", type="primary")

if submitted or "training" not in st.session_state:
    try:
        st.session_state.training = train(data, lr=lr, epochs=int(epochs), w0=w0,
                                          leave_one_out=loo, loss=loss)
    except ValueError as error:  # nwcore's messages say what to change
        st.error(f"Cannot train on this data: {error}", icon="⚠️")
        st.stop()
result = st.session_state.training
if result.dataset_key != data.key:
    st.info("The dataset changed since this training run; press Train to train on it.")
elif result.n_trained < len(data.frame):
    st.caption(f"Trained on a fixed random subsample of {result.n_trained:,} of the "
               f"{len(data.frame):,} points (training compares every pair of points).")

left, right = st.columns(2)
with left:
    show_chart(training_chart(result.history), alt_text="Training loss per step")
with right:
    show_chart(w_path_chart(result.loo_curve, result.history),
               alt_text="Path of w over the leave-one-out error curve")
first, last = result.history.iloc[0], result.history.iloc[-1]
st.markdown(f"w went from **{first.w:.3g}** to **{last.w:.3g}** (h = 1/w = {1 / last.w:.3g}); "
            f"the leave-one-out optimum is at w ≈ **{result.best_w:.3g}**.")

with st.expander("What you are seeing", expanded=True):
    st.markdown(
        "- **The first step overshoots.** With the loss *summed* over all points the first "
        "gradient is large, so one step of lr 0.5 throws w far past the leave-one-out optimum; "
        "the following steps drift back slowly. The sharper heatmap d2l shows after training is "
        "mostly this overshoot. Try the averaged loss, or a smaller learning rate.\n"
        "- **Without leave-one-out, w grows without bound.** Each training point can then "
        "attend to itself: the larger w, the more it copies its own y, and the loss falls "
        "towards 0 while the model memorises the noise. Switch leave-one-out off and train "
        "for more epochs to see it.")

st.subheader("Learned versus nonparametric pooling")
views = trained_views(data, result)
columns = st.columns(2)
for column, (title, view) in zip(columns, views.items()):
    with column:
        show_chart(fit_chart(view.points, view.curves, width=320, height=200, title=title),
                   alt_text=f"Fit: {title}")
        show_chart(attention_heatmap(view.cells, width=320, height=200,
                                     title=f"Attention weights: {title}"),
                   alt_text=f"Attention heatmap: {title}")
