"""Learned scoring functions: attention pooling whose score a(q, k) is trained by leave-one-out.

Every form pools as in d2l's parametric Nadaraya–Watson (:mod:`nwcore.learning`),

    α_ij = softmax_j a(x_i, x_j),   ŷ_i = Σ_j α_ij y_j,

trained on the 1-D training points themselves (queries = keys) with the self-pair masked
(α_ii = 0): without that mask every form learns to copy y_i and the loss goes to 0. Forms:

* ``"d2l_width"``: d2l's a(q, k) = -((q - k) w)² / 2 with one learned w = e^θ (the model of
  :func:`nwcore.train_parametric`, parametrised in log w so that w stays > 0).
* ``"region_widths"``: a width per region, a(q, k) = -((q - k) w(q))² / 2 with log w(q) linear
  between R knots spread evenly over the keys' range (θ_r = log w at knot r; constant beyond the
  end knots). Chosen because d2l says one global width may not be ideal: the learned w(x) shows
  where the data ask for a narrow window (where f bends) and where for a wide one (where f is
  flat or the keys are sparse), it is a variable-bandwidth NW, and with R = 1 it is d2l's w.
* ``"additive"``: additive attention (d2l §11.3) a(q, k) = vᵀ tanh(W_q q + W_k k), hidden size
  H, on standardised inputs z = (x - mean) / std. It has no built-in notion of distance: it
  must learn from 3H free parameters that nearby keys matter, which is what a width form gets
  for free, and it can fit shapes a kernel cannot (or overfit them).

Loss: L = Σ_i (ŷ_i - y_i)² ("sum", d2l's) or the same / n ("mean"). Gradient: with
r_i = ŷ_i - y_i, the softmax gives ∂L/∂a_ij = G_ij = 2 r_i α_ij (y_j - ŷ_i) (÷ n for "mean";
0 on the masked diagonal), and ∂L/∂θ = Σ_ij G_ij ∂a_ij/∂θ with

    widths:    ∂a_ij/∂θ_r = 2 a_ij φ_r(x_i)                (φ_r: the knots' hat functions)
    additive:  ∂a_ij/∂v = t_ij,  ∂a_ij/∂W_q = (v ⊙ (1 - t_ij²)) z_i,
               ∂a_ij/∂W_k = (v ⊙ (1 - t_ij²)) z_j,         t_ij = tanh(W_q z_i + W_k z_j).

Training: full-batch Adam (default) or plain gradient descent, deterministic for a seed (only
the additive form draws its start). Guard: when the loss or its gradient is not finite, or the
loss rises above 10 × its lowest value so far, training stops and the result says so
(``status == "diverged"``), keeping the last good parameters. Each epoch costs O(n² H) in row
blocks (O(n H) memory per row), so n ≤ 2000.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from ._validation import as_finite_vector, check_seed
from .learning import _check_loss, _check_training_data, _positive_number

SCORING_FORMS = ("d2l_width", "region_widths", "additive")
OPTIMIZERS = ("adam", "gd")
#: Most training points (each epoch costs n² H score evaluations).
MAX_SCORING_POINTS = 2000
MAX_EPOCHS = 20_000
MAX_HIDDEN = 64
MAX_REGIONS = 32
#: Training stops when the loss exceeds this multiple of its lowest value so far.
DIVERGENCE_FACTOR = 10.0
#: Largest dense weight matrix that ``weights`` returns (cells).
MAX_WEIGHT_CELLS = 4_000_000
#: Scores held at once while computing the loss (doubles).
_BLOCK_ELEMENTS = 1 << 18
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-8


class ScoringFit:
    """A trained scoring function: its parameters, loss history and status.

    ``loss[k]`` is the training loss after k epochs (``loss[0]`` at the start); ``parameters``
    (name → array) gave ``loss[-1]``. ``status`` is "completed" or "diverged" (then
    ``message`` says when and why). ``weights(queries)`` gives the learned attention matrix
    (dense, for display) and ``predict(queries)`` the pooled predictions (no self-mask: new
    queries see every key).
    """

    def __init__(self, model, parameters, loss, status, message):
        self.form = model.form
        self.keys, self.values = model.keys, model.values
        self.parameters = {name: value.copy() for name, value in parameters.items()}
        self.loss = np.asarray(loss, dtype=np.float64)
        self.status, self.message = status, message
        self._model = model

    def weights(self, queries) -> np.ndarray:
        """Learned attention weights α(q, x_j) (m × n), rows summing to 1."""
        queries = _check_queries(queries)
        if queries.size * self.keys.size > MAX_WEIGHT_CELLS:
            raise ValueError(f"the weight matrix would have {queries.size * self.keys.size} "
                             f"cells (at most {MAX_WEIGHT_CELLS}); use fewer queries.")
        return _softmax(self._model.scores(self.parameters, queries)[0])

    def predict(self, queries) -> np.ndarray:
        """ŷ(q) = Σ_j α(q, x_j) y_j at each query (computed in row blocks)."""
        queries = _check_queries(queries)
        rows = self._model.rows_per_block()
        return np.concatenate([
            _softmax(self._model.scores(self.parameters, queries[start:start + rows])[0])
            @ self.values for start in range(0, queries.size, rows)] or [np.empty(0)])

    def bandwidths(self, queries) -> np.ndarray:
        """The learned Gaussian bandwidth h(q) = 1/w(q) at each query (width forms only)."""
        if self.form == "additive":
            raise ValueError("additive attention has no bandwidth; it learns a score.")
        return 1.0 / self._model.widths(self.parameters, _check_queries(queries))

    def __repr__(self) -> str:
        last = f"{self.loss[-1]:.6g}" if self.loss.size else "undefined"
        return (f"ScoringFit(form={self.form!r}, epochs={max(self.loss.size - 1, 0)}, "
                f"loss={last}, status={self.status!r})")


def train_scoring(keys, values, *, form: str = "additive", hidden: int = 8, regions: int = 5,
                  epochs: int = 300, lr: float = 0.05, optimizer: str = "adam", seed: int = 0,
                  w0: float = 1.0, leave_one_out: bool = True,
                  loss: str = "mean", on_epoch=None) -> ScoringFit:
    """Train a scoring form (see the module notes) by full-batch Adam or gradient descent.

    ``hidden`` (additive) is H; ``regions`` (region_widths) is R; ``w0`` starts the width forms
    at w = w0 everywhere (d2l's σ = 1 is w0 = 1). ``seed`` draws the additive start
    (W_q, W_k ~ N(0, 1), v ~ N(0, 1/H)). ``on_epoch(done, epochs)`` reports progress after
    each epoch (an exception it raises stops training and propagates).
    """
    model = _model(keys, values, form, hidden, regions, leave_one_out)
    epochs = _whole_number(epochs, "epochs", 0, MAX_EPOCHS)
    lr = _positive_number(lr, "lr")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
    loss = _check_loss(loss)
    seed = check_seed(seed)
    parameters = model.initial(_positive_number(w0, "w0"), np.random.default_rng(seed))
    names = list(parameters)
    flat = _flatten(parameters, names)
    moments = np.zeros_like(flat), np.zeros_like(flat)
    losses, status, message, previous = [], "completed", "", flat
    for epoch in range(epochs + 1):
        value, gradient = model.loss_and_gradient(_unflatten(flat, parameters, names),
                                                  leave_one_out, loss)
        flat_gradient = _flatten(gradient, names)
        problem = _divergence(value, flat_gradient, losses)
        if problem:
            advice = "lower lr" if epoch else "change the start (w0 or seed)"
            status, message = "diverged", f"stopped at epoch {epoch}: {problem}; {advice}."
            flat = previous
            break
        losses.append(value)
        if epoch == epochs:
            break
        previous = flat
        flat = flat - lr * _step(flat_gradient, moments, epoch + 1, optimizer)
        if on_epoch is not None:
            on_epoch(epoch + 1, epochs)
    return ScoringFit(model, _unflatten(flat, parameters, names), losses, status, message)


def scoring_loss_and_gradient(keys, values, parameters, *, form: str, leave_one_out: bool = True,
                              loss: str = "sum") -> tuple[float, dict]:
    """The training loss L and its analytic gradient (name → array, like ``parameters``).

    ``parameters`` as in :attr:`ScoringFit.parameters`: {"log_width": (1,)} for d2l_width,
    {"log_width": (R,)} for region_widths, {"W_q", "W_k", "v": (H,) each} for additive.
    """
    parameters = {name: np.asarray(value, dtype=np.float64) for name, value in
                  dict(parameters).items()}
    sizes = {name: value.size for name, value in parameters.items()}
    hidden = sizes.get("v", 1)
    model = _model(keys, values, form, hidden, sizes.get("log_width", 1), leave_one_out)
    expected = model.initial(1.0, np.random.default_rng(0))
    if {name: value.shape for name, value in expected.items()} != \
            {name: value.shape for name, value in parameters.items()}:
        raise ValueError(f"{form} parameters must have the shapes "
                         f"{ {name: value.shape for name, value in expected.items()} }.")
    return model.loss_and_gradient(parameters, leave_one_out, _check_loss(loss))


# --- models ----------------------------------------------------------------------------------

class _Model:
    """Shared loss loop: subclasses give scores(parameters, queries) → (a, cache) and
    score_gradient(parameters, G, cache, queries) → {name: Σ G ∂a/∂θ}."""

    def __init__(self, form, keys, values):
        self.form, self.keys, self.values = form, keys, values

    def rows_per_block(self):
        return max(1, _BLOCK_ELEMENTS // (self.keys.size * self.cells_per_pair))

    def loss_and_gradient(self, parameters, leave_one_out, loss):
        """L and {name: ∂L/∂θ}; overflow gives inf or NaN (the trainer's guard checks them)."""
        n = self.keys.size
        total = 0.0
        gradient = {name: np.zeros_like(value) for name, value in parameters.items()}
        rows = self.rows_per_block()
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n, rows):
                block = np.arange(start, min(n, start + rows))
                scores, cache = self.scores(parameters, self.keys[block])
                if leave_one_out:
                    scores[np.arange(block.size), block] = -np.inf
                attention = _softmax(scores)
                prediction = attention @ self.values
                residual = prediction - self.values[block]
                total += float(residual @ residual)
                pull = 2.0 * residual[:, None] * attention * (self.values[None, :]
                                                              - prediction[:, None])
                for name, part in self.score_gradient(parameters, pull, cache,
                                                      self.keys[block]).items():
                    gradient[name] += part
        if loss == "mean":
            total /= n
            gradient = {name: value / n for name, value in gradient.items()}
        return total, gradient


class _WidthModel(_Model):
    """a(q, k) = -((q - k) w(q))² / 2, log w piecewise linear through the knots."""

    cells_per_pair = 1

    def __init__(self, form, keys, values, regions):
        super().__init__(form, keys, values)
        low, high = float(keys.min()), float(keys.max())
        self.knots = np.linspace(low, high, regions) if regions > 1 else np.array([low])

    def initial(self, w0, rng):
        return {"log_width": np.full(self.knots.size, math.log(w0))}

    def hats(self, queries):
        """φ_r(q): linear interpolation weights of the knots (rows sum to 1)."""
        if self.knots.size == 1:
            return np.ones((queries.size, 1))
        return np.column_stack([np.interp(queries, self.knots, np.eye(self.knots.size)[r])
                                for r in range(self.knots.size)])

    def widths(self, parameters, queries):
        return np.exp(self.hats(queries) @ parameters["log_width"])

    def scores(self, parameters, queries):
        hats = self.hats(queries)
        widths = np.exp(hats @ parameters["log_width"])
        squares = np.square((queries[:, None] - self.keys[None, :]) * widths[:, None])
        return -0.5 * squares, (squares, hats)

    def score_gradient(self, parameters, pull, cache, queries):
        squares, hats = cache  # 2 a_ij = -squares
        return {"log_width": hats.T @ -np.einsum("ij,ij->i", pull, squares)}


class _AdditiveModel(_Model):
    """a(q, k) = vᵀ tanh(W_q z_q + W_k z_k), z = (x - mean) / std."""

    def __init__(self, form, keys, values, hidden):
        super().__init__(form, keys, values)
        self.hidden = hidden
        self.cells_per_pair = hidden
        self.mean = float(keys.mean())
        spread = float(keys.std())
        self.std = spread if spread > 0 else 1.0
        self.key_features = (keys - self.mean) / self.std

    def initial(self, w0, rng):
        return {"W_q": rng.normal(0.0, 1.0, self.hidden), "W_k": rng.normal(0.0, 1.0, self.hidden),
                "v": rng.normal(0.0, 1.0 / math.sqrt(self.hidden), self.hidden)}

    def scores(self, parameters, queries):
        features = (queries - self.mean) / self.std
        hidden = np.tanh(features[:, None, None] * parameters["W_q"]
                         + (self.key_features[:, None] * parameters["W_k"])[None, :, :])
        return hidden @ parameters["v"], (hidden, features)

    def score_gradient(self, parameters, pull, cache, queries):
        hidden, features = cache
        inner = pull[:, :, None] * (1.0 - hidden * hidden) * parameters["v"]
        return {"W_q": features @ inner.sum(axis=1),
                "W_k": self.key_features @ inner.sum(axis=0),
                "v": np.einsum("ij,ijh->h", pull, hidden)}


# --- helpers ---------------------------------------------------------------------------------

def _model(keys, values, form, hidden, regions, leave_one_out):
    if form not in SCORING_FORMS:
        raise ValueError(f"unknown form {form!r}; choose one of {', '.join(SCORING_FORMS)}.")
    keys, values = _check_training_data(keys, values, leave_one_out)
    if keys.size > MAX_SCORING_POINTS:
        raise ValueError(f"training scores all n² pairs, so n is capped at {MAX_SCORING_POINTS}; "
                         f"got {keys.size} points. Train on a random subsample.")
    if form == "additive":
        return _AdditiveModel(form, keys, values, _whole_number(hidden, "hidden", 1, MAX_HIDDEN))
    regions = 1 if form == "d2l_width" else _whole_number(regions, "regions", 1, MAX_REGIONS)
    return _WidthModel(form, keys, values, regions)


def _softmax(scores):
    """Row softmax with the max shift (a row of -inf but one entry gives that entry 1)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    weights = np.exp(shifted)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights


def _step(gradient, moments, t, optimizer):
    """The update direction: the gradient (gd) or Adam's bias-corrected m̂ / (√v̂ + ε)."""
    if optimizer == "gd":
        return gradient
    first, second = moments
    beta1, beta2 = ADAM_BETAS
    first *= beta1
    first += (1.0 - beta1) * gradient
    second *= beta2
    second += (1.0 - beta2) * gradient * gradient
    return (first / (1.0 - beta1 ** t)) / (np.sqrt(second / (1.0 - beta2 ** t)) + ADAM_EPSILON)


def _divergence(value, gradient, losses):
    """Why training must stop at this loss and gradient, or "" when it may go on."""
    if not (math.isfinite(value) and np.all(np.isfinite(gradient))):
        return "the loss or its gradient is not finite"
    if losses and value > DIVERGENCE_FACTOR * min(losses):
        return f"the loss rose to {value:.4g} from {min(losses):.4g}"
    return ""


def _flatten(parameters, names):
    return np.concatenate([np.ravel(parameters[name]) for name in names])


def _unflatten(flat, like, names):
    parameters, start = {}, 0
    for name in names:
        size = like[name].size
        parameters[name] = flat[start:start + size].reshape(like[name].shape)
        start += size
    return parameters


def _check_queries(queries):
    return as_finite_vector(queries, "queries", allow_empty=True)


def _whole_number(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number in [{low}, {high}]; got {value!r}.")
    return int(value)
