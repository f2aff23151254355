"""Parametric attention pooling: d2l's learned Gaussian width, trained without a framework.

The model has one scalar w (an inverse bandwidth, h = 1/w). With d_ij = x_i - x_j,

    a_ij = -(d_ij w)² / 2,   α_ij = softmax_j(a_ij),   ŷ_i = Σ_j α_ij y_j,

trained by full-batch gradient descent on the training points themselves (queries = keys).
With ``leave_one_out`` the self-pair is masked (α_ii = 0), as in d2l's classic recipe; without it
every point can attend to itself, so w grows without bound and the loss goes to 0 (the fit
interpolates the noise). Losses: "sum" = Σ_i (ŷ_i - y_i)² (d2l's PyTorch code since Dec 2021, no
½) and "mean" = the same / n.

Gradient. ∂a_ij/∂w = -d_ij² w =: g_ij and the softmax Jacobian gives ∂α_ij/∂w = α_ij (g_ij - ḡ_i),
ḡ_i = Σ_k α_ik g_ik, so

    ∂ŷ_i/∂w = Σ_j α_ij y_j (g_ij - ḡ_i) = -w (Σ_j α_ij d_ij² y_j - ŷ_i Σ_j α_ij d_ij²),
    ∂L/∂w = Σ_i 2 (ŷ_i - y_i) ∂ŷ_i/∂w   (÷ n for "mean").

Scale. The gradient grows with the squared scale of y and the summed loss with n, so d2l's
"lr 0.5" means something only on data like d2l's (x in [0, 5], y of order 1). With
``standardise`` the model is trained on z-scores of x and y (:func:`standardised`): w0 and lr then
act in those units, whatever the data's units, and the history reports w back in data units
(w = w_z / sd(x)) with the loss of the z-scores (what was minimised) and its derivative with
respect to that w.

Guard. The model depends on w² only, so a step that lands on w ≤ 0 continues from |w| (the same
model); a step that lands exactly on 0 keeps the previous w. Training is O(n²) per epoch (in
row blocks, O(n) memory), so n is capped at ``MAX_TRAINING_POINTS``; larger data is trained on
a fixed random subsample (:func:`training_subsample`, ``TRAINING_SUBSAMPLE`` points).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from ._validation import as_finite_vector, check_same_length

#: Most training points (each epoch costs n² kernel evaluations).
MAX_TRAINING_POINTS = 5000
#: Points the app trains on when a dataset has more (a fixed random subsample).
TRAINING_SUBSAMPLE = 2000
LOSSES = ("sum", "mean")
#: Rows of the n × n attention matrix held at once.
_ROW_BLOCK_ELEMENTS = 1 << 16


@dataclass(frozen=True)
class TrainingHistory:
    """w, loss and dL/dw at every step: index 0 is w0, index k the value after k epochs."""

    w: np.ndarray
    loss: np.ndarray
    gradient: np.ndarray

    @property
    def bandwidth(self) -> float:
        """The learned Gaussian bandwidth h = 1/w."""
        return 1.0 / float(self.w[-1])


def train_parametric(keys, values, *, w0: float, lr: float, epochs: int,
                     leave_one_out: bool = True, loss: str = "sum",
                     on_epoch=None, standardise: bool = False) -> TrainingHistory:
    """Full-batch gradient descent on w from ``w0``: w ← |w - lr · dL/dw|, ``epochs`` times.

    ``on_epoch(done, epochs)``, if given, is called after each step (for a progress bar).
    ``standardise`` trains on z-scores of keys and values (see the module notes).
    """
    keys, values = _check_training_data(keys, values, leave_one_out)
    x_scale = 1.0
    if standardise:
        keys, values, x_scale = standardised(keys, values)
    w = _positive_number(w0, "w0")
    lr = _positive_number(lr, "lr")
    if isinstance(epochs, bool) or not isinstance(epochs, Integral) or epochs < 0:
        raise ValueError(f"epochs must be a whole number ≥ 0; got {epochs!r}.")
    loss = _check_loss(loss)
    ws, losses, gradients = [], [], []
    for epoch in range(int(epochs) + 1):
        value, gradient = _loss_and_gradient(keys, values, w, leave_one_out, loss)
        if not (math.isfinite(value) and math.isfinite(gradient)):
            raise ValueError(f"training diverged at epoch {epoch} (w = {w / x_scale:g}); "
                             "lower lr.")
        ws.append(w)
        losses.append(value)
        gradients.append(gradient)
        if epoch < epochs:
            stepped = abs(w - lr * gradient)
            if not math.isfinite(stepped):
                raise ValueError(f"training diverged after epoch {epoch}; lower lr.")
            w = stepped if stepped > 0 else w
            if on_epoch is not None:
                on_epoch(epoch + 1, int(epochs))
    return TrainingHistory(w=np.array(ws) / x_scale, loss=np.array(losses),
                           gradient=np.array(gradients) * x_scale)


def standardised(keys, values) -> tuple[np.ndarray, np.ndarray, float]:
    """(z-scores of the keys, z-scores of the values, sd of the keys): z = (v - mean) / sd.

    A constant column keeps sd 1 (it is only centred). Nadaraya–Watson weights depend on
    (x - x_i) · w only, so a model with w_z on the z-scores is the model w = w_z / sd(x) on x.
    """
    keys = np.asarray(keys, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    x_scale, y_scale = (float(column.std()) or 1.0 for column in (keys, values))
    return (keys - keys.mean()) / x_scale, (values - values.mean()) / y_scale, x_scale


def training_subsample(keys, values, size: int = TRAINING_SUBSAMPLE, seed: int = 0):
    """The keys and values themselves, or a fixed random subsample of ``size`` of them (in
    their order) when there are more."""
    keys = np.asarray(keys, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if keys.size <= size:
        return keys, values
    pick = subsample_indices(keys.size, size, seed)
    return keys[pick], values[pick]


def subsample_indices(n: int, size: int, seed: int = 0) -> np.ndarray:
    """All n row indices, or a fixed random ``size`` of them in increasing order when n > size
    (the same rows for the same n, size and seed)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def loss_and_gradient(keys, values, w: float, *, leave_one_out: bool = True,
                      loss: str = "sum") -> tuple[float, float]:
    """The training loss L(w) and its analytic derivative dL/dw (see the module notes)."""
    keys, values = _check_training_data(keys, values, leave_one_out)
    return _loss_and_gradient(keys, values, _positive_number(w, "w"), leave_one_out,
                              _check_loss(loss))


def _loss_and_gradient(keys, values, w, leave_one_out, loss):
    n = keys.size
    rows_per_block = max(1, _ROW_BLOCK_ELEMENTS // n)
    total, gradient = 0.0, 0.0
    for start in range(0, n, rows_per_block):
        rows = np.arange(start, min(n, start + rows_per_block))
        distances = keys[rows, None] - keys[None, :]
        squared = np.square(distances)
        logits = -0.5 * np.square(w * distances)
        if leave_one_out:
            logits[np.arange(rows.size), rows] = -np.inf
        logits -= logits.max(axis=1, keepdims=True)
        attention = np.exp(logits)
        attention /= attention.sum(axis=1, keepdims=True)
        prediction = attention @ values
        weighted_squares = attention * squared
        spread_y = weighted_squares @ values
        spread = weighted_squares.sum(axis=1)
        residual = prediction - values[rows]
        total += float(np.sum(residual * residual))
        gradient += float(np.sum(2.0 * residual * (-w) * (spread_y - prediction * spread)))
    if loss == "mean":
        return total / n, gradient / n
    return total, gradient


def _check_training_data(keys, values, leave_one_out):
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    if keys.size > MAX_TRAINING_POINTS:
        raise ValueError(f"training uses all n² pairs, so n is capped at {MAX_TRAINING_POINTS}; "
                         f"got {keys.size} points. Train on a random subsample.")
    if leave_one_out and keys.size < 2:
        raise ValueError("leave-one-out training needs at least 2 points.")
    return keys, values


def _check_loss(loss):
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}.")
    return loss


def _positive_number(value, name):
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a positive number; got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}.")
    return value
