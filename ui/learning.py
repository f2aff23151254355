"""Learned-pooling page: training with a progress bar and the views it compares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import nwcore
from nwcore.charts import display_points
from nwcore.views import explorer_view

TRAINING_DEFAULTS = {"lr": 0.5, "epochs": 5, "w0": 0.5, "leave_one_out": True, "loss": "sum"}
#: Training uses every pair of points (n × n); larger datasets train on a fixed subsample.
MAX_TRAINING_POINTS = 2000


@dataclass(frozen=True)
class TrainingResult:
    dataset_key: str
    n_trained: int              # points used (a fixed subsample of large datasets)
    history: pd.DataFrame       # step, w, loss, loo_error
    loo_curve: pd.DataFrame     # w, error
    best_w: float


@dataclass(frozen=True)
class PanelView:
    points: pd.DataFrame
    curves: pd.DataFrame
    cells: pd.DataFrame


def _training_data(data: nwcore.Dataset):
    keys, values = data.keys, data.values
    if keys.size > MAX_TRAINING_POINTS:
        pick = np.sort(np.random.default_rng(0).choice(keys.size, MAX_TRAINING_POINTS,
                                                       replace=False))
        keys, values = keys[pick], values[pick]
    return keys, values


def train(data: nwcore.Dataset, *, lr: float, epochs: int, w0: float, leave_one_out: bool,
          loss: str) -> TrainingResult:
    """Train epoch by epoch (full batch), showing progress; LOO error at every w for the path."""
    keys, values = _training_data(data)
    progress = st.progress(0.0, text="Training…")
    ws, losses = [float(w0)], []
    for epoch in range(epochs):
        step = nwcore.train_parametric(keys, values, w0=ws[-1], lr=lr, epochs=1,
                                       leave_one_out=leave_one_out, loss=loss)
        if epoch == 0:
            losses.append(float(step.loss[0]))
        ws.append(float(step.w[-1]))
        losses.append(float(step.loss[-1]))
        progress.progress((epoch + 1) / epochs, text=f"Epoch {epoch + 1} of {epochs}")
    progress.empty()
    w = np.asarray(ws)
    loo_at_w = nwcore.loo_cv_curve(keys, values, 1.0 / w)
    grid_w = np.geomspace(min(0.1, w.min() / 2), max(200.0, w.max() * 2), 80)
    curve_error = nwcore.loo_cv_curve(keys, values, 1.0 / grid_w)
    history = pd.DataFrame({"step": np.arange(w.size), "w": w, "loss": losses,
                            "loo_error": loo_at_w})
    return TrainingResult(dataset_key=data.key, n_trained=int(keys.size), history=history,
                          loo_curve=pd.DataFrame({"w": grid_w, "error": curve_error}),
                          best_w=float(grid_w[np.nanargmin(curve_error)]))


def trained_views(data: nwcore.Dataset, result: TrainingResult) -> dict[str, PanelView]:
    """The learned model (h = 1/w) next to d2l's nonparametric pooling (h = 1)."""
    return _panel_views(data.key, data, 1.0 / float(result.history["w"].iloc[-1]))


@st.cache_data(max_entries=16, show_spinner=False)
def _panel_views(dataset_key: str, _data: nwcore.Dataset, learned_h: float):
    points = display_points(_data.keys, _data.values)
    views = {}
    for title, h in ((f"learned, h = 1/w = {learned_h:.3g}", learned_h),
                     ("nonparametric, h = 1", 1.0)):
        view = explorer_view(_data, pooling="gaussian", bandwidth=h)
        views[title] = PanelView(points=points, curves=view.curves, cells=view.cells.frame)
    return views
