"""Learned-pooling page: training with a progress bar, and the cached panels it compares."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import nwcore
from ui.explore import cached_points, cached_view

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


@dataclass(frozen=True)
class Panel:
    """What one learned-pooling panel draws: the points, the fit curves, the attention matrix."""

    points: object
    curves: object
    cells: object


def trained_views(data: nwcore.Dataset, run: nwcore.TrainingRun) -> dict[str, Panel]:
    """The learned model (Gaussian, h = 1/w) next to d2l's nonparametric pooling (h = 1), from
    the Explore page's cached views."""
    learned_h = 1.0 / float(run.history["w"].iloc[-1])
    points = cached_points(data.key, data)
    panels = {}
    for title, h in ((f"learned, h = 1/w = {learned_h:.3g}", learned_h),
                     ("nonparametric, h = 1", 1.0)):
        view, _ = cached_view(data.key, data, "gaussian", h, 50, False, False)
        panels[title] = Panel(points=points, curves=view.curves, cells=view.cells)
    return panels
