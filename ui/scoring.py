"""Learned scoring functions (the Learned pooling page and the lesson): which forms and their
training settings, the comparison trained with a progress bar and cached by the data and the
settings, and what it shows beside d2l's single w."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.scoring import SCORING_FORMS
from nwcore.scoringview import FORM_LABELS, MAX_SCORING_TRAINING, scoring_comparison
from nwcore.vector_charts import learned_widths_chart, scoring_loss_chart, scoring_panels_chart
from ui.charts import show_chart, show_table
from ui.controls import progress_bar
from ui.explore import cached_points
from ui.state import keep_widget, seed_widget

#: Each scoring setting and its widget on the page's form (the forms are a tuple in the state,
#: a list in the widget).
SCORING_WIDGETS = {"sc_forms": "scoring_forms", "sc_hidden": "scoring_hidden",
                   "sc_regions": "scoring_regions", "sc_epochs": "scoring_epochs",
                   "sc_lr": "scoring_lr", "sc_seed": "scoring_seed"}
HIDDEN_SIZES = [2, 4, 8, 16]
MAX_EPOCHS = 1000


def scoring_form() -> None:
    """The scoring functions' settings as a form (nothing trains until it is submitted)."""
    for name, key in SCORING_WIDGETS.items():
        seed_widget(name, key, list if name == "sc_forms" else lambda value: value)
    with st.form("scoring_form"):
        st.multiselect("Scoring functions", list(SCORING_FORMS), format_func=FORM_LABELS.get,
                       key="scoring_forms", placeholder="choose one or more")
        columns = st.columns(5)
        columns[0].select_slider("Hidden size H", HIDDEN_SIZES, key="scoring_hidden",
                                 help="Of additive attention, which has 3H parameters: W_q, "
                                      "W_k and v.")
        columns[1].number_input("Regions R", 2, 12, key="scoring_regions",
                                help="Of a width per region: R knots over the keys' range, a "
                                     "learned log w at each.")
        columns[2].number_input("Epochs", 10, MAX_EPOCHS, step=50, key="scoring_epochs")
        columns[3].number_input("Learning rate", 0.001, 1.0, step=0.01, format="%.3g",
                                key="scoring_lr", help="Adam's step size, in parameter units.")
        columns[4].number_input("Seed", 0, 2**32 - 1, step=1, key="scoring_seed",
                                help="Draws additive attention's starting weights.")
        st.form_submit_button("Train the scoring functions", type="primary",
                              on_click=_keep_scoring_settings)


def _keep_scoring_settings() -> None:
    for name, key in SCORING_WIDGETS.items():
        keep_widget(name, key, tuple if name == "sc_forms" else lambda value: value)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_comparison(dataset_key: str, _data: nwcore.Dataset, forms: tuple, hidden: int,
                      regions: int, epochs: int, lr: float, seed: int, leave_one_out: bool,
                      w0: float, standardise: bool):
    """The forms trained on the data, with a progress bar (emptied when done); a control
    changed meanwhile stops the run at the bar's next update and nothing is cached."""
    with progress_bar("Training the scoring functions…",
                      lambda fraction: f"Training the scoring functions: {fraction:.0%}") \
            as report:
        result = scoring_comparison(_data, forms=forms, hidden=hidden, regions=regions,
                                    epochs=epochs, lr=lr, seed=seed,
                                    leave_one_out=leave_one_out, w0=w0, standardise=standardise,
                                    progress=report)
    return result


def current_comparison(data: nwcore.Dataset):
    """The comparison for the current data and settings; None (with the reason shown) when
    no form is chosen or the data cannot be trained on."""
    state = st.session_state
    if not state.sc_forms:
        st.info("Choose one or more scoring functions above.", icon="ℹ️")
        return None
    try:
        return cached_comparison(data.key, data, tuple(state.sc_forms), int(state.sc_hidden),
                                 int(state.sc_regions), int(state.sc_epochs),
                                 float(state.sc_lr), int(state.sc_seed),
                                 bool(state.leave_one_out), float(state.w0),
                                 bool(state.standardise))
    except ValueError as error:  # nwcore's messages say what to change
        st.error(f"Cannot train the scoring functions on this data: {error}", icon="⚠️")
        return None


def show_comparison(data: nwcore.Dataset, comparison, *, width: int = 230) -> None:
    """The loss curves, the learned widths, the table of losses, any divergence, and each
    form's fit over its learned heatmap side by side (one colour scale; ``width`` per panel)."""
    loo = comparison.settings["leave_one_out"]
    left, right = st.columns(2)
    with left:
        show_chart(scoring_loss_chart(comparison.losses(), loss_title="mean (ŷ − y)², " + (
            "leave-one-out" if loo else "self included")),
                   alt_text="Training loss per epoch of each scoring function")
    widths = comparison.widths()
    if widths is not None:
        with right:
            show_chart(learned_widths_chart(widths, x_title=data.x_label),
                       alt_text="The learned bandwidth over x of the width forms")
    for score in comparison.scores:
        if score.fit.status == "diverged":
            st.warning(f"**{score.label}**: training {score.fit.message}", icon="⚠️")
    show_table(comparison.table())
    notes = ["The training loss is the mean squared error; the leave-one-out loss predicts "
             "each training point from the others with the learned score"
             + (" (with leave-one-out on, the two are the same)." if loo else
                ": without leave-one-out the training loss lets each point see itself, so it "
                "falls while this one shows the overfitting.")]
    if data.function is not None:
        notes.append("Truth MSE: the mean squared error against the noise-free f at the "
                     "queries.")
    if comparison.n_trained < len(data.frame):
        notes.append(f"Trained on a fixed random subsample of {comparison.n_trained:,} of the "
                     f"{len(data.frame):,} points (at most {MAX_SCORING_TRAINING}: an epoch "
                     "scores every pair of points).")
    st.caption(" ".join(notes))
    top = comparison.weight_top()
    show_chart(scoring_panels_chart(cached_points(data.key, data), comparison.scores,
                                    domain_max=top, width=width),
               alt_text="Each scoring function's fit over its learned attention heatmap")
    st.caption(f"Heatmap rows are queries, columns keys; the heatmaps share one colour scale, "
               f"up to the largest learned weight ({top:.3g}).")
