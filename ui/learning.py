"""Learned pooling (the Learned pooling page and the lesson): the training settings, the run
for the current settings, and what it shows."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.book import LOSS_FORMS
from nwcore.charts import book_fit_and_heatmap, fit_and_heatmap, training_chart, w_path_chart
from nwcore.views import check_training, describe_training
from ui.charts import show_chart
from ui.explore import cached_points, cached_view
from ui.state import keep_widget, seed_widget

#: Each training setting and its widget on the Learned pooling page's form.
TRAINING_WIDGETS = {"lr": "train_lr", "epochs": "train_epochs", "w0": "train_w0",
                    "leave_one_out": "train_loo", "loss": "train_loss",
                    "standardise": "train_standardise"}
LOSS_LABELS = {"sum": "summed Σ (PyTorch, TF)", "half_sum": "½·Σ (MXNet's L2Loss)",
               "mean": "averaged (mean)"}
#: The loss minimised, as the charts' axis names it.
LOSS_FORMULAS = {"sum": "Σ (ŷ − y)²", "half_sum": "½ Σ (ŷ − y)²", "mean": "mean (ŷ − y)²"}


def training_form() -> None:
    """The training settings as a form (nothing trains until "Train")."""
    for name, key in TRAINING_WIDGETS.items():
        seed_widget(name, key)
    with st.form("train_form"):
        columns = st.columns([1, 1, 1, 1.4, 2, 2])
        columns[0].number_input("Learning rate", 1e-4, 10.0, step=0.1, format="%.4g",
                                key="train_lr")
        columns[1].number_input("Epochs", 1, 200, key="train_epochs")
        columns[2].number_input("Initial w", 0.01, 100.0, step=0.1, key="train_w0")
        columns[3].toggle("Leave-one-out", key="train_loo")
        columns[4].radio("Loss", list(LOSS_FORMS), format_func=LOSS_LABELS.get, key="train_loss")
        columns[5].toggle("Standardise x and y", key="train_standardise",
                          help="Train on z-scores (x − mean)/sd: the learning rate and the "
                               "initial w then mean the same whatever the data's units; w is "
                               "reported back in data units. On by default for uploaded data, "
                               "off for d2l's (the book's numbers).")
        st.form_submit_button("Train", type="primary", on_click=_keep_training_settings)


def _keep_training_settings() -> None:
    for name, key in TRAINING_WIDGETS.items():
        keep_widget(name, key)


def train(data: nwcore.Dataset, *, lr: float, epochs: int, w0: float, leave_one_out: bool,
          loss: str, standardise: bool = False) -> nwcore.TrainingRun:
    """Train epoch by epoch (full batch), showing progress."""
    progress = st.progress(0.0, text="Training…")

    def report(done: int, total: int) -> None:
        progress.progress(done / total, text=f"Epoch {done} of {total}")

    run = nwcore.learned_pooling_run(data, lr=lr, epochs=epochs, w0=w0,
                                     leave_one_out=leave_one_out, loss=loss, on_epoch=report,
                                     standardise=standardise)
    progress.empty()
    return run


def current_run(data: nwcore.Dataset) -> nwcore.TrainingRun | None:
    """The run for the current data and training settings (trained when either changed);
    None, with the reason shown, when the data cannot be trained on."""
    state = st.session_state
    settings = {name: state[name] for name in TRAINING_WIDGETS}
    settings["epochs"] = int(settings["epochs"])
    run = state.get("training")
    if run is None or run.dataset_key != data.key or dict(run.settings) != settings:
        try:
            state.training = train(data, **settings)
        except ValueError as error:  # nwcore's messages say what to change
            st.error(f"Cannot train on this data: {error}", icon="⚠️")
            return None
    return state.training


def show_run(data: nwcore.Dataset, run: nwcore.TrainingRun, *, book_view: bool = False,
             edition: str = "classic") -> None:
    """The loss per step, the path of w over the loss minimised, what happened (and what to try
    when it went wrong), and the learned fit and heatmap beside the nonparametric ones."""
    settings = run.settings
    history = run.history
    loss_name = (f"{LOSS_FORMULAS[settings['loss']]}, "
                 f"{'leave-one-out' if settings['leave_one_out'] else 'self included'}"
                 f"{', z-scores' if settings['standardise'] else ''}")
    left, right = st.columns(2)
    with left:
        show_chart(training_chart(history), alt_text="Training loss per step")
    with right:
        show_chart(w_path_chart(run.loss_curve, history, curve_field="loss", path_field="loss",
                                y_title=loss_name, optimum_w=run.optimum_w,
                                title="Path of w over the loss minimised"),
                   alt_text="Path of w over the training loss, with the loss's minimum")
    st.markdown(describe_training(run))
    steps = ", ".join(f"{_g(w)} with the {LOSS_LABELS[loss].split(' (')[0]} loss"
                      for loss, w in run.first_steps.items())
    st.caption(f"From w0 = {_g(history['w'].iloc[0])} at lr {settings['lr']:g}, one step lands "
               f"at w = {steps}: scaling the loss scales the step.")
    problems, remedies = check_training(run, data)
    if problems:
        st.warning("\n".join(f"- {problem}" for problem in problems)
                   + ("\n\n**What to try:**\n" + "\n".join(f"- {tip}" for tip in remedies)
                      if remedies else ""), icon="⚠️")
    notes = []
    if settings["standardise"]:
        notes.append(f"Trained on standardised x and y (z-scores): w0 = {settings['w0']:g} and "
                     f"lr = {settings['lr']:g} act in those units, w is shown in data units "
                     "(w = w_z / sd(x)) and the loss is that of the z-scores.")
    if data.source == "generated":
        notes.append("The data come from NumPy's generator (seed "
                     f"{st.session_state.seed}), not the book's, so the numbers differ from "
                     "the book's figure; the behaviour is the same.")
    if run.n_trained < len(data.frame):
        notes.append(f"Trained on a fixed random subsample of {run.n_trained:,} of the "
                     f"{len(data.frame):,} points (training compares every pair of points).")
    for note in notes:
        st.caption(note)
    st.subheader("Learned versus nonparametric pooling")
    learned_h = 1.0 / float(history["w"].iloc[-1])
    points = cached_points(data.key, data)
    for column, (title, h) in zip(st.columns(2), ((f"learned, h = 1/w = {learned_h:.3g}",
                                                   learned_h), ("nonparametric, h = 1", 1.0))):
        view = cached_view(data.key, data, "gaussian", h, 50, False, False)  # Explore's cache
        with column:
            chart = book_fit_and_heatmap(points, view.curves, view.cells, edition=edition,
                                         title=title) if book_view else \
                fit_and_heatmap(points, view.curves, view.cells, title=title)
            show_chart(chart, alt_text=f"Fit and attention heatmap: {title}")


def _g(value: float) -> str:
    return f"{value:.3g}"
