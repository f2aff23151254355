"""The d2l attention-pooling chapter as a lesson: ordered steps, each setting the whole app state.

The steps follow the chapter's argument: attention cues → queries, keys and values → average
pooling → Nadaraya–Watson → kernels and widths → learned pooling → exercises. They cover every
figure and code output of d2l classic §10.1–10.2 and new edition §11.1–11.2 and one step per
exercise the app can show; ``docs/lesson-map.md`` lists each book item and the step showing it.

A step's ``state`` is complete: every key below, so opening a step (``?step=<id>``) or pressing
"Reset to the book" leaves nothing from an earlier view behind. ``book`` holds the book's own
settings for the figure a step mirrors; ``changes`` what the step sets on top (an exercise's
larger n, say), so ``state = book | changes`` and Reset restores ``book``.

State keys:

* Link keys (``nwcore.params.VIEW_PARAMS``, the app's URL state): preset, fn, n, noise, seed,
  kernel (the pooling: average, gaussian, boxcar, triangular, epanechnikov), h, widths ("raw" /
  "equal"), ll, nq, q.
* Training keys (the Learned pooling page): lr, epochs, w0, leave_one_out, and loss: "sum",
  "mean" or "half_sum" = ½ Σ (ŷ − y)² (MXNet's L2Loss; see :mod:`nwcore.book`).
* New view keys, introduced by the lesson:

  - ``orientation``: "queries_rows" (show_heatmaps and the classic edition: rows are queries,
    each row sums to 1) or "keys_rows" (the new edition's transposed heatmaps).
  - ``book_view``: draw the figure as the book of the step's preset does. Classic: fit in data
    units with xlim [0, 5], ylim [−1, 5], lines "Truth" and "Pred", heatmap with index axes
    labelled "Sorted training inputs" / "Sorted testing inputs". New: 1 × 4 panels with lines
    "y_hat" and "y" (dashed), heatmaps with bare index axes, the book's names as panel labels.
  - ``panel_kernels``: the poolings of a panel figure, in order ("average" is the book's
    "Constant" kernel); ``panel_widths``: its bandwidths; ``panel_layout``: "kernels_rows"
    (each kernel a row of widths, as Compare lays them out) or "kernels_columns" (each kernel a
    column: the book's 1 × 4 kernel row).

* Page keys (:data:`PAGE_KEYS`), the settings of the pages beyond the chapter, carried only by
  the exercise steps those pages show (in ``book``, so that Reset restores them; other steps
  leave these pages as they are): Classify (``cls_``: data source, preset, n, noise, seed,
  kernel, bandwidth mode and h), Vectors (``vec_``: mode, keys on the circle, seed, h, query
  direction), the learned scoring functions (``sc_``: forms, hidden size, regions, epochs,
  learning rate, seed) and Consistency (``con_``: largest n, repetitions, leave-one-out, seed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .book import KERNEL_ROW, LOSS_FORMS, WIDTH_STUDY_SIGMAS
from .data import PRESETS
from .labelled import CLASS_PRESETS, MAX_PRESET_POINTS
from .params import (
    DISPLAY_PARAMS,
    H_MAX,
    H_MIN,
    POOLINGS,
    SEED_MAX,
    SEED_MIN,
    VIEW_PARAMS,
    Choice,
    Flag,
    Number,
    format_view_params,
    parse_view_params,
)
from .scoring import SCORING_FORMS

#: The URL parameter that opens a step.
STEP_PARAM = "step"

#: What each figure kind shows; the Lesson page dispatches on these names.
FIGURE_KINDS = {
    "cues_diagram": "the coffee-cup and book pictures of nonvolitional and volitional cues",
    "qkv_diagram": "queries and keys give attention weights that pool the values (qkv.svg)",
    "heatmaps_identity": "show_heatmaps of eye(10) as (1, 1, 10, 10), its 4-D layout explained",
    "heatmaps_random_softmax": "show_heatmaps of a row-softmaxed random 10 × 10 matrix",
    "dataset": "the training points, the true function and the query grid",
    "fit_and_heatmap": "the fit and the attention heatmap of the state's pooling and h",
    "kernel_shapes": "the four kernels in a 1 × 4 row on arange(-2.5, 2.5, 0.1)",
    "kernel_row": "fits and heatmaps of the panel kernels, one kernel per column",
    "width_study": "fits and heatmaps of the Gaussian at the panel widths, 1 × 4",
    "batch_matmul": "the two batch matrix multiplication code outputs",
    "learned": "training loss, the path of w over the loss minimised, the fit and heatmap",
    "bandwidth_landscape": "leave-one-out CV and GCV over h with the chosen widths marked",
    "learned_scoring": "learned scoring functions (a width per region, additive attention) "
                       "trained beside d2l's w: losses, fits and heatmaps",
    "classify": "Nadaraya–Watson classification with one-hot values: class probabilities and "
                "the attention heatmap",
    "vectors_sphere": "directions on the unit circle: Gaussian and dot-product attention give "
                      "the same weights",
    "consistency": "the error against n on log-log axes, with the fitted and theoretical "
                   "slopes, in 1-D and 2-D",
}

#: The parts of the lesson, in order.
PARTS = ("Attention cues", "Pooling", "Kernels and widths", "Learned pooling", "Exercises")

#: Link keys (carried by URLs and validated by nwcore.params).
LINK_KEYS = tuple(name for name in VIEW_PARAMS if name not in DISPLAY_PARAMS)
#: Training keys of the Learned pooling page.
TRAINING_KEYS = ("lr", "epochs", "w0", "leave_one_out", "loss")
#: View keys the lesson introduces.
VIEW_KEYS = ("orientation", "book_view", "panel_kernels", "panel_widths", "panel_layout")
#: Settings of the pages beyond the chapter, set by the exercises they show (optional in a
#: state: see the module notes).
PAGE_KEYS = ("cls_source", "cls_preset", "cls_n", "cls_noise", "cls_seed", "cls_kernel",
             "cls_h_mode", "cls_h",
             "vec_mode", "vec_circle_n", "vec_seed", "vec_h", "vec_angle",
             "sc_forms", "sc_hidden", "sc_regions", "sc_epochs", "sc_lr", "sc_seed",
             "con_largest", "con_repetitions", "con_loo", "con_seed")


@dataclass(frozen=True)
class Several:
    """A tuple of 1 to ``most`` items, each accepted by ``item``."""

    item: Choice | Number
    most: int


#: Accepted values of the training and view keys (the link keys follow VIEW_PARAMS).
STATE_KEYS: dict[str, Choice | Number | Flag | Several] = {
    "lr": Number(1e-4, 10.0),
    "epochs": Number(1, 200, integer=True),
    "w0": Number(0.01, 100.0),
    "leave_one_out": Flag(),
    "loss": Choice(tuple(LOSS_FORMS)),
    "orientation": Choice(("queries_rows", "keys_rows")),
    "book_view": Flag(),
    "panel_kernels": Several(Choice(POOLINGS), 4),
    "panel_widths": Several(Number(H_MIN, H_MAX), 6),
    "panel_layout": Choice(("kernels_rows", "kernels_columns")),
    "cls_source": Choice(("preset", "dataset")),
    "cls_preset": Choice(tuple(CLASS_PRESETS)),
    "cls_n": Number(4, MAX_PRESET_POINTS, integer=True),
    "cls_noise": Number(0.05, 5.0),
    "cls_seed": Number(SEED_MIN, SEED_MAX, integer=True),
    "cls_kernel": Choice(tuple(pooling for pooling in POOLINGS if pooling != "average")),
    "cls_h_mode": Choice(("slider", "log_loss", "error_rate")),
    "cls_h": Number(1e-3, 100.0),
    "vec_mode": Choice(("plane", "circle")),
    "vec_circle_n": Number(2, 500, integer=True),
    "vec_seed": Number(SEED_MIN, SEED_MAX, integer=True),
    "vec_h": Number(0.05, 10.0),
    "vec_angle": Number(0.0, 359.0),
    "sc_forms": Several(Choice(SCORING_FORMS), len(SCORING_FORMS)),
    "sc_hidden": Number(1, 64, integer=True),
    "sc_regions": Number(2, 12, integer=True),
    "sc_epochs": Number(10, 1000, integer=True),
    "sc_lr": Number(0.001, 1.0),
    "sc_seed": Number(SEED_MIN, SEED_MAX, integer=True),
    "con_largest": Number(2_000, 100_000, integer=True),
    "con_repetitions": Number(1, 10, integer=True),
    "con_loo": Flag(),
    "con_seed": Number(SEED_MIN, SEED_MAX, integer=True),
}


@dataclass(frozen=True)
class Erratum:
    """A known slip of the book: what it does, what is right, why it matters."""

    title: str
    book: str
    correct: str
    why: str


@dataclass(frozen=True)
class Check:
    """A multiple-choice question aimed at a common misconception."""

    question: str
    options: tuple[str, ...]
    answer: int  # index into options
    explanation: str


@dataclass(frozen=True)
class Step:
    """One step of the lesson (see the module notes for ``book``, ``changes`` and ``state``)."""

    id: str
    title: str
    part: str
    classic: tuple[str, ...]  # sections of d2l classic it mirrors, e.g. ("§10.2.3",)
    new: tuple[str, ...]      # sections of the new edition, e.g. ("§11.2.2",)
    text: str                 # Markdown, maths as $…$
    figure: str               # a key of FIGURE_KINDS
    book: Mapping[str, object] = field(hash=False)
    changes: Mapping[str, object] = field(default_factory=dict, hash=False)
    shows: tuple[str, ...] = ()  # items of docs/lesson-map.md
    erratum: Erratum | None = None
    check: Check | None = None

    def __post_init__(self):
        object.__setattr__(self, "book", _frozen(self.book))
        object.__setattr__(self, "changes", _frozen(self.changes))

    @property
    def state(self) -> dict[str, object]:
        """Every app setting this step sets: the book's, then the step's changes."""
        return {**self.book, **self.changes}

    @property
    def sections(self) -> str:
        """Both editions' numbering, e.g. "classic §10.2.3 · new §11.2.2"."""
        return " · ".join(f"{edition} {', '.join(numbers) if numbers else '—'}"
                          for edition, numbers in (("classic", self.classic), ("new", self.new)))


def _data(preset: str) -> dict[str, object]:
    spec = PRESETS[preset]
    return {"preset": preset, "fn": spec.function, "n": spec.n, "noise": spec.noise}


def _frozen(settings: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(settings))


#: d2l classic §10.2: its data law, Gaussian pooling at h = 1, its training recipe (w0 = 0.5 is
#: the mean of PyTorch's U(0, 1) start), its views.
CLASSIC = _frozen({
    **_data("d2l_classic"), "seed": 0, "kernel": "gaussian", "h": 1.0, "widths": "raw",
    "ll": False, "nq": 50, "q": None,
    "lr": 0.5, "epochs": 5, "w0": 0.5, "leave_one_out": True, "loss": "sum",
    "orientation": "queries_rows", "book_view": True,
    "panel_kernels": ("gaussian",), "panel_widths": (1.0,), "panel_layout": "kernels_rows",
})
#: d2l new edition §11.2: its data law and its 1 × 4 kernel row, transposed heatmaps.
NEW = _frozen({
    **CLASSIC, **_data("d2l_new"), "orientation": "keys_rows",
    "panel_kernels": tuple(panel.pooling for panel in KERNEL_ROW), "panel_widths": (1.0,),
    "panel_layout": "kernels_columns",
})
#: The new edition's width study: the Gaussian at σ ∈ (0.1, 0.2, 0.5, 1) in a row.
WIDTH_STUDY_BOOK = _frozen({**NEW, "panel_kernels": ("gaussian",),
                            "panel_widths": WIDTH_STUDY_SIGMAS, "panel_layout": "kernels_rows"})
#: Exercises go beyond the book's figures: the app's own view (data units, rows = queries).
APP_VIEW = {"book_view": False, "orientation": "queries_rows"}
#: d2l's learned-width recipe on the new data (an exercise there): w0 = 1 as d2l's intermediate
#: edition, lr 0.5, 50 epochs, the summed loss.
NEW_TRAINING = {**APP_VIEW, "lr": 0.5, "w0": 1.0, "epochs": 50, "loss": "sum"}
_THRESHOLD = CLASS_PRESETS["threshold"]
#: The exercises beyond the chapter set up their pages (page keys). Parzen windows on the 1-D
#: threshold problem: two classes whose true P(y = 1 | x) is known.
PARZEN_SETUP = {"cls_source": "preset", "cls_preset": "threshold", "cls_n": _THRESHOLD.n,
                "cls_noise": _THRESHOLD.noise, "cls_seed": 0, "cls_kernel": "gaussian",
                "cls_h_mode": "slider", "cls_h": 0.3}
#: Twelve directions on the unit circle, the query at 45°, h = 0.5 (temperature 0.25).
SPHERE_SETUP = {"vec_mode": "circle", "vec_circle_n": 12, "vec_seed": 0, "vec_h": 0.5,
                "vec_angle": 45.0}
#: Every learned scoring form, trained by Adam (step 0.05, 300 epochs).
SCORING_SETUP = {"sc_forms": SCORING_FORMS, "sc_hidden": 8, "sc_regions": 5, "sc_epochs": 300,
                 "sc_lr": 0.05, "sc_seed": 0}
#: The consistency experiment up to n = 20 000, five samples per n, h by the rate only.
CONSISTENCY_SETUP = {"con_largest": 20_000, "con_repetitions": 5, "con_loo": False,
                     "con_seed": 0}

_OVERSHOOT = Erratum(
    title="The sharper heatmap is mostly overshoot",
    book="Classic §10.2.4.3 says the learned fit is less smooth and its heatmap sharper because "
         "the model fits the noisy training data.",
    correct="With the summed loss the first step throws w from 0.5 to about 21 (h ≈ 0.05); the "
            "leave-one-out loss is smallest near w ≈ 4.9 (h ≈ 0.2), and later steps drift back "
            "slowly (w ≈ 11 after 50 epochs, 4.93 after 200; the app's classic data, seed 0).",
    why="The book's 5 epochs stop right after the jump, so the sharp heatmap shows the "
        "optimiser's overshoot, not the width leave-one-out training prefers; the often "
        "repeated claim that the learned w is small is wrong too.")

STEPS: tuple[Step, ...] = (
    Step(
        id="attention-cues", title="Attention cues", part="Attention cues",
        classic=("§10.1.1",), new=(), figure="cues_diagram", book=CLASSIC,
        shows=("c-cues-coffee", "c-cues-book"),
        text="Our eyes take in far more than the brain can process, so attention selects. A "
             "*nonvolitional* cue is what stands out by itself (a red coffee cup among black "
             "and white papers); a *volitional* cue is what we are looking for (wanting to read "
             "a book).",
        check=Check(
            question="In the coffee-and-book example, which cue plays the role of the query?",
            options=("The red coffee cup, because it stands out",
                     "Wanting to read a book",
                     "The light that reaches the eye"),
            answer=1,
            explanation="The query is the volitional cue, what we are looking for. Salient "
                        "objects are keys (nonvolitional cues); what we take in are values.")),
    Step(
        id="queries-keys-values", title="Queries, keys and values", part="Attention cues",
        classic=("§10.1.2",), new=("§11.1",), figure="qkv_diagram", book=CLASSIC,
        shows=("c-qkv", "n-qkv"),
        text="Attention pooling compares a query (the volitional cue) with every key (the "
             "nonvolitional cues) and uses the resulting weights to pool the values (the sensory "
             "inputs). The new edition tells it as a soft database lookup, "
             r"$\mathrm{Attention}(q, \mathcal{D}) = \sum_i \alpha(q, k_i)\, v_i$: one weight "
             "of 1 is an exact lookup and equal weights are average pooling. In regression the "
             "keys are the training inputs $x_i$, the values the outputs $y_i$ and the query "
             "the point $x$ where we predict.",
        check=Check(
            question="In Nadaraya–Watson regression, what are the keys?",
            options=("The training inputs x_i", "The training outputs y_i",
                     "The points x where we predict"),
            answer=0,
            explanation="Keys are the training inputs, values the training outputs paired "
                        "with them, and queries the points where we predict.")),
    Step(
        id="show-heatmaps", title="Reading attention weights: show_heatmaps",
        part="Attention cues", classic=("§10.1.3",), new=("§11.1.1",),
        figure="heatmaps_identity", book=CLASSIC, shows=("c-eye", "n-eye"),
        text="The book draws attention weights with `show_heatmaps`, whose input is 4-D: "
             "(rows of panels, columns of panels, queries, keys). Its first example is the "
             "identity matrix as a (1, 1, 10, 10) array, where each query puts all its weight "
             "on the key with the same index: an exact lookup. Rows are queries and columns "
             "keys, so every row sums to 1.",
        check=Check(
            question="One panel of 50 queries and 40 keys: which array does show_heatmaps take?",
            options=("shape (1, 1, 50, 40)", "shape (50, 40)", "shape (1, 1, 40, 50)",
                     "shape (50, 40, 1, 1)"),
            answer=0,
            explanation="Panel rows and columns come first, then queries (rows of each "
                        "panel), then keys (its columns). The new edition unpacks four axes, "
                        "so a 2-D matrix fails.")),
    Step(
        id="the-data", title="The data", part="Pooling",
        classic=("§10.2.1",), new=("§11.2.1",), figure="dataset", book=CLASSIC,
        shows=("c-n-test",),
        text="The classic edition draws 50 sorted inputs $x_i = 5\\,U(0, 1)$ with outputs "
             r"$y_i = 2\sin x_i + x_i^{0.8} + \epsilon$, $\epsilon \sim N(0, 0.5^2)$, and "
             "predicts at the 50 queries `arange(0, 5, 0.1)`; the new edition uses "
             r"$2\sin x + x$, 40 points and unit noise. The inputs are sorted only so that the "
             "heatmaps show a clear band. The app draws the data with NumPy's generator "
             "(seed 0), so the points differ from the book's while the behaviour matches.",
        check=Check(
            question="Why does the book sort the training inputs?",
            options=("Nadaraya–Watson needs sorted keys",
                     "So that the heatmap shows a band along the diagonal",
                     "Sorting removes noise"),
            answer=1,
            explanation="The weights do not depend on the order of the keys; sorting only "
                        "puts near keys next to each other in the picture.")),
    Step(
        id="average-pooling", title="Average pooling", part="Pooling",
        classic=("§10.2.2",), new=("§11.1",), figure="fit_and_heatmap",
        book={**CLASSIC, "kernel": "average"}, shows=("c-average",),
        text="The “dumbest” estimator ignores the query: "
             r"$f(x) = \frac{1}{n}\sum_i y_i$, a flat line at the mean output. As attention it "
             "gives every key the same weight $1/n$, so its heatmap is one uniform colour.",
        check=Check(
            question="What does average pooling predict at x = 0 and at x = 5?",
            options=("The same number: the mean of all y_i",
                     "The y of the nearest training point",
                     "The true function's value"),
            answer=0,
            explanation="Equal weights ignore the query, so every query gets the mean.")),
    Step(
        id="nadaraya-watson", title="Nadaraya–Watson: attention by distance", part="Pooling",
        classic=("§10.2.3",), new=("§11.2.2",), figure="fit_and_heatmap", book=CLASSIC,
        shows=("c-nw-fit", "c-nw-heatmap"),
        text="Nadaraya and Watson (1964) weight each value by a kernel of the query–key "
             "distance; with the Gaussian kernel the weights are a softmax, "
             r"$\alpha(x, x_i) = \mathrm{softmax}_i\big(-\tfrac{1}{2}(x - x_i)^2\big)$. Near "
             "keys get large weights, so the fit follows the data and the heatmap shows a band "
             "along the diagonal. The classic edition fixes the width at $h = 1$.",
        erratum=Erratum(
            title="The classic TensorFlow cell uses the wrong queries",
            book="Its nonparametric cell builds X_repeat from x_train, so the 50 queries are "
                 "the training inputs, not x_test = arange(0, 5, 0.1).",
            correct="Repeat x_test, as the MXNet and PyTorch cells do: queries are the points "
                    "where we predict.",
            why="Nothing fails because both have 50 points, but the TensorFlow curve is "
                "computed at the sorted random inputs and drawn at x_test."),
        check=Check(
            question="The scores −(x − x_i)²/2 are all negative. Do farther keys get more "
                     "weight?",
            options=("Yes: their scores are larger in magnitude",
                     "No: the weight is exp(score), and a farther key has a more negative "
                     "score, so a smaller weight",
                     "Only when h is small"),
            answer=1,
            explanation="exp is increasing: the nearest key has the score closest to 0 and "
                        "the largest weight.")),
    Step(
        id="kernel-shapes", title="Kernel shapes", part="Kernels and widths",
        classic=("§10.2.3",), new=("§11.2.1",), figure="kernel_shapes", book=NEW,
        shows=("n-kernels",),
        text="A kernel $K(u)$ scores a key at distance $u$ from the query. The new edition "
             "plots four at radius 1: Gaussian $e^{-u^2/2}$, boxcar $1\\{|u| < 1\\}$, constant "
             "$1$ and $\\max(0, 1 - |u|)$. The constant kernel is average pooling; the compact "
             "ones give no weight beyond distance 1.",
        erratum=Erratum(
            title="“Epanechikov” is the triangular kernel",
            book="The new edition names max(0, 1 − |u|) “Epanechikov”.",
            correct="That is the triangular kernel; the Epanechnikov kernel is "
                    "¾ · max(0, 1 − u²) (d2l issue #2440).",
            why="The shapes and widths differ (standard deviation 1/√6 ≈ 0.41 against "
                "1/√5 ≈ 0.45); the app offers both under their right names."),
        check=Check(
            question="Which kernel does the new edition call “Epanechikov”?",
            options=("max(0, 1 − |u|), the triangular kernel",
                     "¾ · max(0, 1 − u²)", "exp(−u²/2)"),
            answer=0,
            explanation="The code is max(0, 1 − |u|): a triangle. Epanechnikov's kernel is a "
                        "parabola.")),
    Step(
        id="four-kernels", title="Four kernels side by side", part="Kernels and widths",
        classic=(), new=("§11.2.2",), figure="kernel_row", book=NEW,
        shows=("n-kernel-fits", "n-kernel-heatmaps"),
        text="On the new edition's data ($2\\sin x + x$, $n = 40$, unit noise) the book fits the "
             "four kernels in a 1 × 4 row and then draws their weights. The three nonconstant "
             "kernels give workable fits; the constant kernel gives the flat mean.",
        erratum=Erratum(
            title="The new edition's heatmaps are transposed",
            book="Its nadaraya_watson builds a keys × queries matrix, normalises each column "
                 "and draws it as it is: rows are keys, columns queries, bare indices. Each "
                 "panel has its own colour scale, yet one colour bar (the last panel's) is "
                 "drawn.",
            correct="show_heatmaps and the classic edition put queries on rows and keys on "
                    "columns, so each row sums to 1; the app shares one colour scale.",
            why="Reading a row of the book's figure as one query's weights is wrong, and the "
                "Constant panel (every weight 1/40) looks blank because its colour scale has "
                "no range."),
        check=Check(
            question="In the new edition's heatmap, what sums to 1?",
            options=("Each row", "Each column", "The whole matrix"),
            answer=1,
            explanation="Columns are queries there; each query's weights over the keys sum "
                        "to 1.")),
    Step(
        id="equal-widths", title="Are the kernels really alike?", part="Kernels and widths",
        classic=(), new=("§11.2.2",), figure="kernel_row", book=NEW,
        changes={"widths": "equal", **APP_VIEW},
        text="The book concludes that the Gaussian, boxcar and triangular fits agree because "
             "their weights are alike. At radius 1 their standard deviations are 1, 0.58 and "
             "0.41, so much of the difference is width, not shape: scaled to equal widths the "
             "ranking flips (mean squared error against the truth over 200 draws: 0.47, 0.28, "
             "0.18 at radius 1; 0.47, 0.63, 0.51 at equal widths).",
        erratum=Erratum(
            title="Radius 1 is not the same width",
            book="The new edition compares kernels at the same radius and reads the "
                 "differences as differences of shape.",
            correct="Compare kernels at the same standard deviation (the app's “equal "
                    "widths”): a compact kernel of radius 1 is narrower than a Gaussian of "
                    "σ = 1.",
            why="The narrowest kernel wins at radius 1 only because the book's σ = 1 is far "
                "too wide for this data.")),
    Step(
        id="width-study", title="The width study", part="Kernels and widths",
        classic=(), new=("§11.2.3",), figure="width_study", book=WIDTH_STUDY_BOOK,
        shows=("n-width-fits", "n-width-heatmaps"),
        text="Replacing $e^{-u^2/2}$ by $e^{-u^2/(2\\sigma^2)}$ adds a width; the book tries "
             r"$\sigma = 0.1, 0.2, 0.5, 1$. The narrower the kernel, the fewer keys share the "
             "weight: the fit gets rougher but follows local changes, and the heatmap's band "
             "narrows. One width for every query may not be ideal, which is why the width is "
             "chosen or learned next.",
        check=Check(
            question="What happens as σ shrinks?",
            options=("The fit gets smoother",
                     "Fewer keys share the weight: rougher but more local",
                     "The weights stop summing to 1"),
            answer=1,
            explanation="σ² acts as a softmax temperature: small σ sharpens the weights "
                        "towards the nearest key.")),
    Step(
        id="batch-matmul", title="Batch matrix multiplication", part="Learned pooling",
        classic=("§10.2.4.1",), new=(), figure="batch_matmul", book=CLASSIC,
        shows=("c-bmm-shape", "c-bmm-average"),
        text="To pool many queries at once the classic edition uses batch matrix "
             "multiplication: shapes $(n, a, b)$ and $(n, b, c)$ give $(n, a, c)$. Its two "
             "outputs: ones of shapes (2, 1, 4) and (2, 4, 6) multiply to shape (2, 1, 6), and "
             "weights 0.1 on the values `arange(20)` reshaped to (2, 10) give the means 4.5 and "
             "14.5."),
    Step(
        id="learned-pooling", title="Learned (parametric) pooling", part="Learned pooling",
        classic=("§10.2.4.2", "§10.2.4.3"), new=(), figure="learned", book=CLASSIC,
        shows=("c-train-log", "c-loss-curve", "c-learned-fit", "c-learned-heatmap"),
        erratum=_OVERSHOOT,
        text="The classic edition multiplies the distance by a learnable $w$: "
             r"$\alpha(x, x_i) = \mathrm{softmax}_i\big(-\tfrac{1}{2}((x - x_i)w)^2\big)$, a "
             "Gaussian of width $h = 1/w$. It trains $w$ by gradient descent on the squared "
             "error of predicting each training point from the other 49 (leave-one-out), with "
             "learning rate 0.5 for 5 epochs, and finds a rougher fit and a sharper heatmap.",
        check=Check(
            question="Why is each training point predicted from the others only?",
            options=("To save computation",
                     "Otherwise w grows without bound: each point copies its own y and the "
                     "loss goes to 0",
                     "Softmax needs n − 1 inputs"),
            answer=1,
            explanation="With itself among the keys, a narrower kernel always fits a training "
                        "point better; only leaving it out makes the loss measure prediction.")),
    Step(
        id="loss-scale", title="The loss scale sets the step", part="Learned pooling",
        classic=("§10.2.4.3",), new=(), figure="learned",
        book={**CLASSIC, "loss": "half_sum"}, shows=(),
        text="The same recipe minimises $\\sum_i(\\hat y_i - y_i)^2$ in PyTorch and TensorFlow "
             r"but $\tfrac12\sum_i(\hat y_i - y_i)^2$ in MXNet. Scaling the loss scales the "
             "gradient, so at the same learning rate the first step is half as long: from "
             "$w_0 = 0.5$ on the app's classic data it lands at $w \\approx 10.9$ instead of "
             "$w \\approx 21.3$.",
        erratum=Erratum(
            title="The loss scale changed in December 2021",
            book="d2l 0.17.1 dropped the ½ from the PyTorch and TensorFlow losses (commits "
                 "c03c69b6, 46e0528f); MXNet's L2Loss keeps it. All use learning rate 0.5, "
                 "and MXNet starts from w0 ~ U(−0.07, 0.07), where the gradient is nearly 0.",
            correct="Both losses have the same minimiser, but a learning rate means something "
                    "only with its loss scale: ½·Σ at lr 0.5 is Σ at lr 0.25.",
            why="The “learned w” the book reports depends on the framework tab (≈ 21 or "
                "≈ 11 after one step here), and from MXNet's tiny start w can stay near 0.")),
    Step(
        id="ex-random-softmax", title="Exercise: a random attention matrix", part="Exercises",
        classic=("§10.1.5 ex. 2",), new=(), figure="heatmaps_random_softmax", book=CLASSIC,
        shows=("c-ex10.1.2",),
        text="Generate a random 10 × 10 matrix and apply a softmax to each row, so that every "
             "row is a probability distribution over the keys. The heatmap has no structure, "
             "but every row sums to 1; a softmax over the wrong axis (dim 0) makes the columns "
             "sum to 1 instead.",
        check=Check(
            question="A posted answer uses Softmax(dim=0) on the (queries × keys) matrix. What "
                     "goes wrong?",
            options=("Nothing: softmax is symmetric",
                     "Each key's weights over the queries sum to 1; the rows are no longer "
                     "distributions",
                     "The values become negative"),
            answer=1,
            explanation="Attention normalises over the keys of one query: the last axis. "
                        "Check the row sums.")),
    Step(
        id="ex-approximate-match", title="Exercise: approximate matches", part="Exercises",
        classic=(), new=("§11.1.3 ex. 1",), figure="fit_and_heatmap", book=CLASSIC,
        changes={"h": 0.01, **APP_VIEW}, shows=("n-ex11.1.1",),
        text="Which attention function returns the closest key's value, like a database's "
             "approximate match? A very narrow Gaussian: as $h \\to 0$ the softmax puts all the "
             "weight on the nearest key, so at $h = 0.01$ the fit steps from one training point "
             "to the next.",
        check=Check(
            question="At h = 0.01 every kernel value far from a key underflows to 0. What does "
                     "the lab predict there?",
            options=("NaN (0/0)", "The value of the nearest key", "0"),
            answer=1,
            explanation="The softmax is computed after subtracting the largest score "
                        "(log-sum-exp), so the nearest key keeps weight 1.")),
    Step(
        id="ex-more-data", title="Exercise: more training examples", part="Exercises",
        classic=("§10.2.6 ex. 1",), new=(), figure="fit_and_heatmap", book=CLASSIC,
        changes={"n": 1000, **APP_VIEW}, shows=("c-ex10.2.1",),
        text="With 1000 training examples instead of 50 and the width still $h = 1$, the fit "
             "barely improves (mean squared error against the truth 0.42 → 0.39): a window this "
             "wide averages over the curve's bends, and that bias does not shrink with $n$. "
             "At $h = 0.2$ the same data give 0.07 → 0.01.",
        check=Check(
            question="With h fixed at 1, does n = 1000 remove the error at the peak near "
                     "x = 1.5?",
            options=("Yes: more data always helps",
                     "No: the error is bias from a wide window; h must shrink as n grows",
                     "Only with noise 0"),
            answer=1,
            explanation="More data lowers the variance; the bias of a fixed window stays "
                        "(see the consistency exercise).")),
    Step(
        id="ex-learned-w", title="Exercise: what is the learned w?", part="Exercises",
        classic=("§10.2.6 ex. 2",), new=(), figure="learned", book=CLASSIC,
        changes={"epochs": 200, **APP_VIEW}, shows=("c-ex10.2.2",), erratum=_OVERSHOOT,
        text="After the book's 5 epochs $w \\approx 20.6$ ($h \\approx 0.05$): the first step "
             "jumps from 0.5 to 21.3 and the next ones drift back slowly. Over 200 epochs $w$ "
             "comes down to the leave-one-out optimum, $w \\approx 4.93$ ($h \\approx 0.2$).",
        check=Check(
            question="A widely copied note says the learned w is small. Is it?",
            options=("Yes, about 1", "No: about 21 after 5 epochs, four times the "
                     "leave-one-out optimum near 5", "It is negative"),
            answer=1,
            explanation="The summed loss makes the first gradient large (≈ −42), so one step "
                        "of lr 0.5 overshoots.")),
    Step(
        id="ex-hyperparameters", title="Exercise: a width hyperparameter", part="Exercises",
        classic=("§10.2.6 ex. 3",), new=(), figure="bandwidth_landscape", book=CLASSIC,
        changes=APP_VIEW, shows=("c-ex10.2.3",),
        text="The natural hyperparameter of nonparametric Nadaraya–Watson is the width $h$. "
             "Leave-one-out cross-validation picks it without knowing the truth: predict each "
             "point from the others and minimise the squared error over $h$. On the classic "
             "data the minimum is near $h \\approx 0.2$, far narrower than the book's 1."),
    Step(
        id="ex-another-pooling", title="Exercise: another parametric pooling",
        part="Exercises", classic=("§10.2.6 ex. 4",), new=(), figure="learned_scoring",
        book={**CLASSIC, **SCORING_SETUP}, changes=APP_VIEW, shows=("c-ex10.2.4",),
        text="Design another parametric attention pooling, for instance a learned scoring "
             "function of the query and the key, train it and compare its weights with the "
             "Gaussian's. One candidate is the additive score "
             r"$a(q, k) = w_v^\top \tanh(W_q q + W_k k)$ that the book's next section "
             "introduces. Trained beside d2l's $w$ with leave-one-out on the classic data, a "
             "width per region and additive attention lower the loss they are trained on "
             "(0.317 → 0.294 → 0.259) but not the error against the truth (0.028, 0.046, "
             "0.028): more parameters fit the noisy criterion too.",
        check=Check(
            question="Why does the book learn one w, not one per key?",
            options=("Frameworks allow only scalar parameters",
                     "One shared width has one degree of freedom; a width per key can fit the "
                     "noise unless it is trained leave-one-out and regularised",
                     "Per-key widths break the softmax"),
            answer=1,
            explanation="Per-key (adaptive) widths exist (Silverman's local-density rule), "
                        "but every extra parameter is another way to overfit.")),
    Step(
        id="ex-parzen-classification", title="Exercise: classification by Parzen windows",
        part="Exercises", classic=(), new=("§11.2.5 ex. 1",), figure="classify",
        book={**NEW, **PARZEN_SETUP}, changes=APP_VIEW, shows=("n-ex11.2.1",),
        text="With one-hot values, attention pooling returns class probabilities: "
             r"$f(x) = \sum_i \alpha(x, x_i)\,\mathrm{onehot}(y_i)$. For two classes the "
             r"Parzen-window difference $\hat p(x, y{=}1) - \hat p(x, y{=}{-1})$ is "
             r"$\frac{1}{n}\sum_i K(x - x_i)\, y_i$ with labels $y_i = \pm 1$: the "
             r"Nadaraya–Watson estimate times the density estimate $\hat p(x) > 0$, so both "
             "decide alike."),
    Step(
        id="ex-learn-width-no-loo", title="Exercise: learning the width, self included",
        part="Exercises", classic=(), new=("§11.2.5 ex. 2a",), figure="learned", book=NEW,
        changes={**NEW_TRAINING, "leave_one_out": False}, shows=("n-ex11.2.2a",),
        text="Train the width on the new edition's data with every point allowed to attend to "
             "itself. The loss keeps falling as $w$ grows: each point copies more of its own "
             "$y_i$, so the fit interpolates the noise and there is no finite optimum.",
        check=Check(
            question="Without removing (x_i, y_i), what does gradient descent do to w?",
            options=("It converges to the best width",
                     "It keeps growing while the loss falls towards 0",
                     "It shrinks to 0"),
            answer=1,
            explanation="y_i is part of the terms used to compute f(x_i): the narrowest "
                        "kernel reproduces it exactly.")),
    Step(
        id="ex-learn-width-loo", title="Exercise: learning the width, leaving one out",
        part="Exercises", classic=(), new=("§11.2.5 ex. 2b",), figure="learned", book=NEW,
        changes={**NEW_TRAINING, "leave_one_out": True}, shows=("n-ex11.2.2b",),
        text="Remove $(x_i, y_i)$ from the estimate of $f(x_i)$ and train again. Now the loss "
             "has its minimum at a finite width ($w \\approx 2.27$, $h \\approx 0.44$ on the "
             "app's new-edition data) and training settles there: leaving one out stops the "
             "overfitting."),
    Step(
        id="ex-unit-sphere", title="Exercise: keys on the unit sphere", part="Exercises",
        classic=(), new=("§11.2.5 ex. 3",), figure="vectors_sphere",
        book={**NEW, **SPHERE_SETUP}, changes=APP_VIEW, shows=("n-ex11.2.3",),
        text=r"If $\|q\| = \|k_i\| = 1$ then $\|q - k_i\|^2 = 2 - 2\,q^\top k_i$, so the "
             r"Gaussian weights become $\mathrm{softmax}_i(q^\top k_i / \sigma^2)$: dot-product "
             r"attention with temperature $\sigma^2$. The constant 2 is the same for every "
             "key and cancels in the softmax.",
        check=Check(
            question="On the unit sphere, ‖q − k‖² equals…",
            options=("2 − 2 qᵀk", "1 − qᵀk", "qᵀk"),
            answer=0,
            explanation="‖q − k‖² = ‖q‖² + ‖k‖² − 2 qᵀk = 2 − 2 qᵀk; the constant 2 cancels "
                        "in the softmax.")),
    Step(
        id="ex-consistency", title="Exercise: how fast should the width shrink?",
        part="Exercises", classic=(), new=("§11.2.5 ex. 4",), figure="consistency",
        book={**NEW, **CONSISTENCY_SETUP}, changes=APP_VIEW, shows=("n-ex11.2.4",),
        text="Nadaraya–Watson is consistent if $h \\to 0$ and $n h^d \\to \\infty$: the window "
             "must shrink, but slowly enough to keep many keys inside. Balancing squared bias "
             r"$\propto h^4$ against variance $\propto 1/(n h^d)$ gives "
             r"$h \propto n^{-1/(d+4)}$, so in more dimensions the width shrinks more slowly "
             "and far more data are needed.",
        check=Check(
            question="For the mean squared error, how should h shrink with n in d dimensions?",
            options=("h ∝ 1/n", "h ∝ n^(−1/(d+4))", "It should not shrink"),
            answer=1,
            explanation="Squared bias grows like h⁴, variance like 1/(n h^d); their sum is "
                        "smallest at h ∝ n^(−1/(d+4)).")),
)

_INDEX = {step.id: position for position, step in enumerate(STEPS)}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def step_index(step_id: str) -> int:
    """Position of a step in :data:`STEPS`; ``ValueError`` naming the steps for an unknown id."""
    if step_id not in _INDEX:
        raise ValueError(f"unknown lesson step {step_id!r}; choose one of {', '.join(_INDEX)}.")
    return _INDEX[step_id]


def step_by_id(step_id: str) -> Step:
    """The step with this id (as in ``?step=<id>``); ``ValueError`` for an unknown id."""
    return STEPS[step_index(step_id)]


def previous_step(step_id: str) -> Step | None:
    """The step before, or None on the first."""
    position = step_index(step_id)
    return STEPS[position - 1] if position > 0 else None


def next_step(step_id: str) -> Step | None:
    """The step after, or None on the last."""
    position = step_index(step_id)
    return STEPS[position + 1] if position + 1 < len(STEPS) else None


def progress(step_id: str) -> float:
    """Fraction of the lesson done on reaching this step: 1/len(STEPS) … 1."""
    return (step_index(step_id) + 1) / len(STEPS)


def book_settings(step_id: str) -> dict[str, object]:
    """What "Reset to the book" restores on this step: the book's settings, data included."""
    return dict(step_by_id(step_id).book)


def differences(current: Mapping[str, object], wanted: Mapping[str, object]) -> list[str]:
    """Each setting of ``wanted`` that ``current`` lacks, as "name = current (step: wanted)"."""
    return [f"{name} = {_shown(current.get(name))} (step: {_shown(value)})"
            for name, value in wanted.items() if current.get(name) != value]


def _shown(value) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(_shown, value))
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)


def is_slug(text: str) -> bool:
    """Lower-case letters and digits in hyphen-separated words: safe in ``?step=`` links."""
    return bool(_SLUG.fullmatch(text))


def state_problems(state: Mapping[str, object]) -> list[str]:
    """What is wrong with a lesson state (empty when every key is known and every value valid).

    Link keys must survive ``format_view_params`` → ``parse_view_params`` unchanged and without
    notices (``q`` may be None: no pinned query); the others must match :data:`STATE_KEYS`.
    Every key but the page keys is required.
    """
    known = set(LINK_KEYS) | set(STATE_KEYS)
    problems = [f"unknown key {name!r}" for name in state if name not in known]
    required = known - set(PAGE_KEYS)
    problems += [f"missing key {name!r}" for name in sorted(required - set(state))]
    link = {name: state[name] for name in LINK_KEYS if state.get(name) is not None}
    clean, notices = parse_view_params(format_view_params(link))
    problems += notices
    problems += [f"{name}={value!r} does not survive a link"
                 for name, value in link.items() if clean.get(name) != value]
    for name, spec in STATE_KEYS.items():
        if name in state and not _valid(state[name], spec):
            problems.append(f"{name}={state[name]!r} is not a valid value")
    return problems


def _valid(value, spec) -> bool:
    if isinstance(spec, Several):
        return (isinstance(value, tuple) and 1 <= len(value) <= spec.most
                and all(_valid(item, spec.item) for item in value))
    if isinstance(spec, Choice):
        return isinstance(value, str) and value in spec.options
    if isinstance(spec, Flag):
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if spec.integer and not float(value).is_integer():
        return False
    return spec.low <= value <= spec.high
