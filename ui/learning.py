"""Learned-pooling page: training with a progress bar, and the cached panels it compares."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.views import learned_panels

TRAINING_DEFAULTS = {"lr": 0.5, "epochs": 5, "w0": 0.5, "leave_one_out": True, "loss": "sum"}


def train(data: nwcore.Dataset, *, lr: float, epochs: int, w0: float, leave_one_out: bool,
          loss: str) -> nwcore.TrainingRun:
    """Train epoch by epoch (full batch), showing progress."""
    progress = st.progress(0.0, text="Training…")

    def report(done: int, total: int) -> None:
        progress.progress(done / total, text=f"Epoch {done} of {total}")

    run = nwcore.learned_pooling_run(data, lr=lr, epochs=epochs, w0=w0,
                                     leave_one_out=leave_one_out, loss=loss, on_epoch=report)
    progress.empty()
    return run


def trained_views(data: nwcore.Dataset, run: nwcore.TrainingRun):
    """The learned model (h = 1/w) next to d2l's nonparametric pooling (h = 1)."""
    return _panels(data.key, data, 1.0 / float(run.history["w"].iloc[-1]))


@st.cache_data(max_entries=16, show_spinner=False)
def _panels(dataset_key: str, _data: nwcore.Dataset, learned_h: float):
    return learned_panels(_data, learned_h)
