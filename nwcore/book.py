"""The d2l book's own figure data: what the lesson shows that the rest of nwcore does not make.

* ``show_heatmaps`` inputs are 4-D: (panel rows, panel columns, queries, keys). The book's first
  example is eye(10) as (1, 1, 10, 10); its classic exercise row-softmaxes a random 10 × 10
  matrix (here standard normal logits from ``numpy.random.default_rng(RANDOM_SOFTMAX_SEED)``).
* The new edition's 1 × 4 kernel figure plots Gaussian, Boxcar, Constant and "Epanechikov"
  (really the triangular kernel) on arange(-2.5, 2.5, 0.1), then fits the same four kernels at
  radius 1, then the Gaussian at σ ∈ (0.1, 0.2, 0.5, 1) ("Sigma 0.1", …).
* The classic learned pooling minimises a squared loss whose scale differs between frameworks:
  Σ (ŷ_i - y_i)² (PyTorch and TensorFlow since Dec 2021), ½ Σ (ŷ_i - y_i)² (MXNet's L2Loss) or
  the mean. A loss scaled by c has gradient c · dL/dw, so one step of learning rate lr on c · L
  is one step of lr · c on L: the half sum lands half as far as the sum from the same w0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import as_finite_vector, check_same_length
from .bandwidth import loo_cv_curve, select_bandwidth
from .kernels import kernel_values
from .learning import TrainingHistory, loss_and_gradient, standardised, train_parametric
from .pooling import nadaraya_watson

#: Side of the book's identity and random-softmax heatmaps.
HEATMAP_SIZE = 10
#: Seed of the random-softmax heatmap (standard normal logits).
RANDOM_SOFTMAX_SEED = 0
#: The new edition's kernel grid: arange(-2.5, 2.5, 0.1), 50 points -2.5 … 2.4.
KERNEL_GRID = (-2.5, 2.5, 0.1)
#: The new edition's width study: Gaussian standard deviations.
WIDTH_STUDY_SIGMAS = (0.1, 0.2, 0.5, 1.0)
#: Loss forms of the learned pooling: nwcore.learning's loss and the factor applied to it.
LOSS_FORMS = {"sum": ("sum", 1.0), "half_sum": ("sum", 0.5), "mean": ("mean", 1.0)}


@dataclass(frozen=True)
class BookPanel:
    """One panel of a 1 × 4 figure: the book's label, the app's pooling and its bandwidth."""

    title: str
    pooling: str
    kernel: str
    bandwidth: float


#: The new edition's four kernels in its order (Constant is average pooling).
KERNEL_ROW = (
    BookPanel("Gaussian", "gaussian", "gaussian", 1.0),
    BookPanel("Boxcar", "boxcar", "boxcar", 1.0),
    BookPanel("Constant", "average", "constant", 1.0),
    BookPanel("Epanechikov", "triangular", "triangular", 1.0),
)
#: The new edition's width study, titled as in the book.
WIDTH_STUDY = tuple(BookPanel(f"Sigma {sigma:g}", "gaussian", "gaussian", sigma)
                    for sigma in WIDTH_STUDY_SIGMAS)


def identity_heatmap(size: int = HEATMAP_SIZE) -> np.ndarray:
    """eye(size) as a (1, 1, size, size) ``show_heatmaps`` input: each query attends to one key."""
    return np.eye(size).reshape(1, 1, size, size)


def random_softmax_heatmap(seed: int = RANDOM_SOFTMAX_SEED, size: int = HEATMAP_SIZE, *,
                           over: str = "keys") -> np.ndarray:
    """softmax of a seeded standard normal (size × size) matrix, shape (1, 1, size, size).

    ``over="keys"`` normalises each row (query), as attention does; ``over="queries"`` is the
    common slip (softmax over dim 0): then the columns sum to 1 and the rows do not.
    """
    if over not in ("keys", "queries"):
        raise ValueError(f"over must be 'keys' or 'queries'; got {over!r}.")
    logits = np.random.default_rng(seed).standard_normal((size, size))
    axis = 1 if over == "keys" else 0
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return (shifted / shifted.sum(axis=axis, keepdims=True)).reshape(1, 1, size, size)


def layout_example(size: int = HEATMAP_SIZE) -> tuple[np.ndarray, list[str]]:
    """A (1, 3, size, size) ``show_heatmaps`` input that shows its layout (one row of panels,
    three columns, each panel queries × keys) and its panel titles: an exact lookup (eye),
    average pooling (every weight 1/size) and the row-softmaxed random matrix."""
    return (np.array([[np.eye(size), np.full((size, size), 1.0 / size),
                       random_softmax_heatmap(size=size)[0, 0]]]),
            ["eye: exact lookup", "uniform: average pooling", "random softmax"])


def sums_summary(matrices) -> str:
    """The smallest and largest row and column sums of each panel, in words."""
    matrices = np.asarray(matrices, dtype=np.float64)
    rows, columns = matrices.sum(axis=-1), matrices.sum(axis=-2)
    return (f"Row sums {rows.min():.3f} … {rows.max():.3f}; "
            f"column sums {columns.min():.3f} … {columns.max():.3f}.")


def book_kernel_shapes() -> pd.DataFrame:
    """The new edition's kernel figure data: columns x, K, title (book label), kernel.

    x = arange(-2.5, 2.5, 0.1). The book's boxcar is |x| < 1, the app's |x| ≤ 1: no grid point
    is exactly ±1 (they are -0.9999999999999987 and 1.000000000000003), so both agree here.
    """
    x = np.arange(*KERNEL_GRID)
    return pd.concat([pd.DataFrame({"x": x, "K": kernel_values(panel.kernel, x),
                                    "title": panel.title, "kernel": panel.kernel})
                      for panel in KERNEL_ROW], ignore_index=True)


def batch_matmul_outputs() -> tuple[tuple[int, ...], np.ndarray]:
    """The classic §10.2.4.1 code outputs: (the batch product's shape, a batch of averages).

    ones((2, 1, 4)) @ ones((2, 4, 6)) has shape (2, 1, 6); weights 0.1 · ones((2, 10)) applied to
    values arange(20).reshape(2, 10) give the row means [[[4.5]], [[14.5]]].
    """
    product = np.matmul(np.ones((2, 1, 4)), np.ones((2, 4, 6)))
    weights = np.full((2, 10), 0.1)
    values = np.arange(20.0).reshape(2, 10)
    averages = np.matmul(weights[:, None, :], values[:, :, None])
    return product.shape, averages


def _loss_form(loss: str) -> tuple[str, float]:
    if loss not in LOSS_FORMS:
        raise ValueError(f"unknown loss form {loss!r}; choose one of {', '.join(LOSS_FORMS)}.")
    return LOSS_FORMS[loss]


def loss_form_and_gradient(keys, values, w: float, *, leave_one_out: bool = True,
                           loss: str = "sum") -> tuple[float, float]:
    """L(w) and dL/dw for a loss form of :data:`LOSS_FORMS` (the half sum is ½ × "sum")."""
    base, factor = _loss_form(loss)
    value, gradient = loss_and_gradient(keys, values, w, leave_one_out=leave_one_out, loss=base)
    return factor * value, factor * gradient


def train_with_loss_form(keys, values, *, w0: float, lr: float, epochs: int,
                         leave_one_out: bool = True, loss: str = "sum", on_epoch=None,
                         standardise: bool = False) -> TrainingHistory:
    """:func:`nwcore.train_parametric` for any loss form: c · L at lr is L at lr · c."""
    base, factor = _loss_form(loss)
    history = train_parametric(keys, values, w0=w0, lr=lr * factor, epochs=epochs,
                               leave_one_out=leave_one_out, loss=base, on_epoch=on_epoch,
                               standardise=standardise)
    return TrainingHistory(w=history.w, loss=factor * history.loss,
                           gradient=factor * history.gradient)


def first_steps(keys, values, *, w0: float, lr: float, leave_one_out: bool = True,
                standardise: bool = False) -> dict[str, float]:
    """Where one gradient step from ``w0`` lands, for every loss form (w in data units)."""
    return {loss: float(train_with_loss_form(keys, values, w0=w0, lr=lr, epochs=1,
                                             leave_one_out=leave_one_out, loss=loss,
                                             standardise=standardise).w[-1])
            for loss in LOSS_FORMS}


def loss_curve(keys, values, ws, *, leave_one_out: bool = True, loss: str = "sum",
               standardise: bool = False) -> np.ndarray:
    """The training loss actually minimised (with or without leave-one-out) at each w (in data
    units; of the z-scores with ``standardise``, as :func:`nwcore.train_parametric` trains).

    Σ (ŷ_i - y_i)² is n × the leave-one-out CV error at h = 1/w with the self-pair masked, and
    n × the in-sample error of Nadaraya–Watson without: both come from the tiled sums, so the
    curve costs no n × n matrix.
    """
    base, factor = _loss_form(loss)
    keys = as_finite_vector(keys, "keys")
    values = as_finite_vector(values, "values")
    check_same_length(keys, values)
    ws = np.asarray(ws, dtype=np.float64)
    if standardise:
        keys, values, x_scale = standardised(keys, values)
        ws = ws * x_scale
    if leave_one_out:
        mean_squares = loo_cv_curve(keys, values, 1.0 / ws)
    else:
        mean_squares = np.array([np.mean((nadaraya_watson(keys, keys, values,
                                                          bandwidth=1.0 / w) - values) ** 2)
                                 for w in ws])
    return factor * mean_squares * (keys.size if base == "sum" else 1.0)


def loo_optimum_w(keys, values) -> float:
    """The w that minimises the leave-one-out training loss, to 0.1 %.

    With the self-pair masked, L(w) = Σ_i (ŷ_{-i} - y_i)² = n · LOO-CV(h = 1/w) for the Gaussian
    kernel, so the minimiser is 1 / (the leave-one-out CV bandwidth); every loss form shares it.
    Without leave-one-out the loss falls towards 0 as w grows: there is no finite optimum.
    """
    return 1.0 / select_bandwidth(keys, values, method="loo_cv", kernel="gaussian")


#: The book's name of each pooling in its kernel figures (new edition).
BOOK_NAMES = {panel.pooling: panel.title for panel in KERNEL_ROW}


def _cue_diagram(name: str, cue: str, target: str) -> str:
    """The five objects of d2l's figure, the red cup salient, the eye's attention on ``target``."""
    lines = []
    for item in ("newspaper", "research paper", "coffee cup", "notebook", "book"):
        fill = "#fc9272" if item == "coffee cup" else "#f0f0f0"
        edge = 'color="#cb181d", penwidth=2.5' if item == target else \
            'color="#bdbdbd", style=dotted'
        lines.append(f'  "{item}" [fillcolor="{fill}"];\n  eye -> "{item}" [{edge}];')
    body = "\n".join(lines)
    return f"""digraph {name} {{
  rankdir=LR; node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];
  eye [label="eye\\n({cue})", shape=ellipse, fillcolor="#ffffff"];
{body}
}}"""


#: Fig. 10.1.1 (classic): the red coffee cup stands out by itself (a nonvolitional cue).
COFFEE_CUP_DIAGRAM = _cue_diagram("coffee", "drawn by saliency", "coffee cup")
#: Fig. 10.1.2 (classic): wanting to read, we look at the book (a volitional cue).
BOOK_DIAGRAM = _cue_diagram("book", "wanting to read a book", "book")
#: Fig. 10.1.3 / 11.1.1 (qkv.svg): the query and the keys give attention weights that pool the
#: values.
QKV_DIAGRAM = """digraph qkv {
  rankdir=LR; node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=12];
  q [label="volitional cue\\n= query x", fillcolor="#fde0dd"];
  k [label="nonvolitional cues\\n= keys x_i", fillcolor="#deebf7"];
  v [label="sensory inputs\\n= values y_i", fillcolor="#e5f5e0"];
  a [label="attention weights\\nα(x, x_i)", shape=ellipse, fillcolor="#fff7bc"];
  p [label="attention pooling\\nŷ(x) = Σ α(x, x_i) y_i", fillcolor="#f0f0f0"];
  q -> a; k -> a; a -> p; v -> p;
  k -> v [style=dashed, arrowhead=none, label=" paired", fontsize=10];
}"""
