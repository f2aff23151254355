"""What the Learned pooling page shows of the learned scoring functions (:mod:`nwcore.scoring`):
each chosen form trained on the same data, its loss per epoch, its fit and attention heatmap,
and what its extra parameters buy or cost.

Two numbers judge a form beside its training loss: the **leave-one-out loss**
mean_i (ŷ₋ᵢ(x_i) − y_i)², each training point predicted by the learned score from the others
(what the form is trained on with leave-one-out; without it the training loss lets each point
see itself and falls towards 0 while this one rises), and, when the data's law f is known, the
**truth MSE** mean_q (ŷ(q) − f(q))² over the queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from .data import Dataset, true_function
from .learning import training_subsample
from .scoring import SCORING_FORMS, ScoringFit, scoring_loss_and_gradient, train_scoring
from .views import AttentionCells, curves_frame, dense_attention_cells

#: What each form is called on the page.
FORM_LABELS = {"d2l_width": "d2l's width w", "region_widths": "a width per region",
               "additive": "additive attention"}
#: Most training points the forms use (a fixed random subsample above): an epoch scores every
#: pair of points, H times for additive attention (200 points, H = 16, 1000 epochs: 11 s here).
MAX_SCORING_TRAINING = 200


@dataclass(frozen=True, eq=False)
class LearnedScore:
    """One trained form and what the page draws of it.

    ``curves`` are the fit's lines (x, y, series) with the truth when known; ``cells`` the
    learned attention matrix at the queries; ``widths`` (x, h) the learned bandwidth
    h(x) = 1/w(x) at the queries (width forms; None for additive attention)."""

    form: str
    fit: ScoringFit
    parameters: int
    curves: pd.DataFrame
    cells: AttentionCells
    loo_loss: float
    truth_mse: float | None
    widths: pd.DataFrame | None

    @property
    def label(self) -> str:
        return f"{FORM_LABELS[self.form]} ({self.parameters} parameter" \
               f"{'s' if self.parameters > 1 else ''})"


@dataclass(frozen=True, eq=False)
class ScoringComparison:
    """The chosen forms trained on the same points with the same settings."""

    scores: tuple[LearnedScore, ...]
    n_trained: int
    settings: Mapping[str, object] = field(default_factory=dict)

    def losses(self) -> pd.DataFrame:
        """The training loss after each epoch: epoch, loss, form (its label)."""
        return pd.concat([pd.DataFrame({"epoch": np.arange(score.fit.loss.size),
                                        "loss": score.fit.loss, "form": score.label})
                          for score in self.scores], ignore_index=True)

    def widths(self) -> pd.DataFrame | None:
        """The width forms' learned h(x): x, h, form (its label); None without one."""
        parts = [score.widths.assign(form=score.label) for score in self.scores
                 if score.widths is not None]
        return pd.concat(parts, ignore_index=True) if parts else None

    def weight_top(self) -> float:
        """The largest learned weight of every form's heatmap (one colour scale for all)."""
        return float(max(score.cells.weights.max() for score in self.scores))

    def table(self) -> pd.DataFrame:
        """One row per form: its parameters, status, final training loss, leave-one-out loss
        and (when the truth is known) truth MSE."""
        rows = [{"form": score.label, "status": score.fit.status,
                 "training loss": score.fit.loss[-1] if score.fit.loss.size else np.nan,
                 "leave-one-out loss": score.loo_loss, "truth MSE": score.truth_mse}
                for score in self.scores]
        frame = pd.DataFrame(rows)
        return frame if frame["truth MSE"].notna().any() else frame.drop(columns="truth MSE")


def scoring_comparison(dataset: Dataset, *, forms=SCORING_FORMS, hidden: int = 8,
                       regions: int = 5, epochs: int = 300, lr: float = 0.05, seed: int = 0,
                       leave_one_out: bool = True, w0: float = 1.0, standardise: bool = False,
                       progress=None) -> ScoringComparison:
    """Train each form of ``forms`` (:func:`nwcore.train_scoring`, Adam, the mean squared
    error) on the dataset's points (a fixed subsample of MAX_SCORING_TRAINING above) and
    evaluate it at the dataset's queries.

    The width forms start at w = ``w0``, read as the d2l run reads it: in data units, or with
    ``standardise`` in z-score units (w = w0 / sd(x) in data units). ``progress(fraction)``, if
    given, is called with the share of the epochs done (an exception it raises stops training).
    """
    forms = tuple(forms)
    if not forms or any(form not in SCORING_FORMS for form in forms):
        raise ValueError(f"forms must be one or more of {', '.join(SCORING_FORMS)}; got "
                         f"{forms!r}.")
    keys, values = training_subsample(dataset.keys, dataset.values, MAX_SCORING_TRAINING)
    start = w0 / (float(np.std(keys)) or 1.0) if standardise else w0
    queries = dataset.queries()
    truth = true_function(dataset.function, queries) if dataset.function else None
    scores = []
    for position, form in enumerate(forms):
        def report(done, total, position=position):
            if progress is not None:
                progress((position + done / max(total, 1)) / len(forms))

        fit = train_scoring(keys, values, form=form, hidden=hidden, regions=regions,
                            epochs=epochs, lr=lr, seed=seed, w0=start,
                            leave_one_out=leave_one_out, loss="mean", on_epoch=report)
        scores.append(_learned_score(fit, dataset, queries, truth))
    settings = {"forms": forms, "hidden": hidden, "regions": regions, "epochs": epochs,
                "lr": lr, "seed": seed, "leave_one_out": leave_one_out, "w0": w0,
                "standardise": standardise}
    return ScoringComparison(scores=tuple(scores), n_trained=int(keys.size), settings=settings)


def _learned_score(fit: ScoringFit, dataset: Dataset, queries, truth) -> LearnedScore:
    prediction = fit.predict(queries)
    fit_table = pd.DataFrame({"qi": np.arange(queries.size), "x": queries,
                              "prediction": prediction})
    loo_loss = scoring_loss_and_gradient(fit.keys, fit.values, fit.parameters, form=fit.form,
                                         leave_one_out=True, loss="mean")[0] \
        if fit.keys.size > 1 else float("nan")
    widths = None if fit.form == "additive" else \
        pd.DataFrame({"x": queries, "h": fit.bandwidths(queries)})
    return LearnedScore(
        form=fit.form, fit=fit,
        parameters=int(sum(value.size for value in fit.parameters.values())),
        curves=curves_frame(fit_table, truth=dataset.truth_curve(), average=None),
        cells=dense_attention_cells(queries, fit.keys, fit.values, fit.weights(queries)),
        loo_loss=float(loo_loss),
        truth_mse=float(np.mean((prediction - truth) ** 2)) if truth is not None else None,
        widths=widths)
