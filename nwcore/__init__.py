"""nwcore: attention pooling as Nadaraya–Watson kernel regression (no Streamlit inside).

Keys x_i are the training inputs, values y_i the training outputs and queries x the points where
we predict: f(x) = Σ_i α(x, x_i) y_i with attention weights α that sum to 1 over the keys.

Importing nwcore loads numpy and pandas only; the chart builders (:mod:`nwcore.charts`, Altair)
load when a chart is first asked for, and scipy when a bandwidth is searched or data binned.
"""

import importlib

from .data import (
    FUNCTIONS,
    PRESETS,
    Dataset,
    d2l_queries,
    generate,
    generate_preset,
    generated_dataset,
    query_grid,
    true_function,
)
from .kernels import (
    KERNELS,
    POOLING_LABELS,
    POOLINGS,
    REGISTRY,
    Kernel,
    equivalent_bandwidth,
    kernel_std,
    kernel_values,
    pooling_kernel,
)
from .pooling import (
    attention_weights,
    average_pooling,
    effective_keys,
    empty_windows,
    local_linear,
    nadaraya_watson,
)
from .reading import Table, UploadError, XYData, excel_sheet_names, extract_xy, read_table
from .params import VIEW_PARAMS, format_view_params, parse_view_params
from .export import csv_bytes, json_bytes
from .bandwidth import (
    gcv_curve,
    loo_cv_curve,
    scott_bandwidth,
    select_bandwidth,
    silverman_bandwidth,
)
from .learning import TrainingHistory, loss_and_gradient, train_parametric, training_subsample
from .estimator import LocalLinear, NadarayaWatson
from .vectors import (
    dot_product_attention,
    dot_product_weights,
    select_vector_bandwidth,
    vector_attention_weights,
    vector_empty_windows,
    vector_gcv_curve,
    vector_loo_cv_curve,
    vector_nadaraya_watson,
)
from .classification import (
    ClassificationCriteria,
    class_probabilities,
    labels_from_probabilities,
    loo_classification_curves,
    one_hot,
    select_classification_bandwidth,
    select_classification_bandwidths,
)
from .scoring import SCORING_FORMS, ScoringFit, scoring_loss_and_gradient, train_scoring
from .consistency import (
    ConsistencyResult,
    consistency_experiment,
    consistency_lines,
    fit_log_slope,
    slope_table,
)
from .labelled import CLASS_PRESETS, LabelledData, generate_labelled, labelled_from_dataset
from .classview import (
    ClassificationView,
    class_query_detail,
    classification_criteria,
    classification_view,
)
from .planeview import (
    PlaneView,
    off_sphere_comparison,
    plane_view,
    softmax_saturation,
    sphere_comparison,
    weight_table,
)
from .views import (
    Landscape,
    TrainingRun,
    bandwidth_landscape,
    dense_attention_cells,
    learned_pooling_run,
)
from .scoringview import LearnedScore, ScoringComparison, scoring_comparison


def __getattr__(name):
    """``nwcore.show_heatmaps`` and ``nwcore.charts`` import Altair on first use."""
    if name in ("show_heatmaps", "charts"):
        charts = importlib.import_module(".charts", __name__)
        return charts if name == "charts" else charts.show_heatmaps
    raise AttributeError(f"module 'nwcore' has no attribute {name!r}")


__all__ = [
    "attention_weights",
    "average_pooling",
    "bandwidth_landscape",
    "CLASS_PRESETS",
    "class_probabilities",
    "class_query_detail",
    "classification_criteria",
    "classification_view",
    "ClassificationCriteria",
    "ClassificationView",
    "consistency_experiment",
    "consistency_lines",
    "ConsistencyResult",
    "csv_bytes",
    "d2l_queries",
    "Dataset",
    "dense_attention_cells",
    "dot_product_attention",
    "dot_product_weights",
    "effective_keys",
    "empty_windows",
    "equivalent_bandwidth",
    "excel_sheet_names",
    "extract_xy",
    "fit_log_slope",
    "format_view_params",
    "FUNCTIONS",
    "gcv_curve",
    "generate",
    "generate_labelled",
    "generate_preset",
    "generated_dataset",
    "json_bytes",
    "Kernel",
    "kernel_std",
    "kernel_values",
    "KERNELS",
    "labelled_from_dataset",
    "LabelledData",
    "labels_from_probabilities",
    "Landscape",
    "learned_pooling_run",
    "LearnedScore",
    "local_linear",
    "LocalLinear",
    "loo_classification_curves",
    "loo_cv_curve",
    "loss_and_gradient",
    "nadaraya_watson",
    "NadarayaWatson",
    "off_sphere_comparison",
    "one_hot",
    "parse_view_params",
    "plane_view",
    "PlaneView",
    "pooling_kernel",
    "POOLING_LABELS",
    "POOLINGS",
    "PRESETS",
    "query_grid",
    "read_table",
    "REGISTRY",
    "scoring_comparison",
    "SCORING_FORMS",
    "scoring_loss_and_gradient",
    "ScoringComparison",
    "ScoringFit",
    "scott_bandwidth",
    "select_bandwidth",
    "select_classification_bandwidth",
    "select_classification_bandwidths",
    "select_vector_bandwidth",
    "show_heatmaps",
    "silverman_bandwidth",
    "slope_table",
    "softmax_saturation",
    "sphere_comparison",
    "Table",
    "train_parametric",
    "train_scoring",
    "training_subsample",
    "TrainingHistory",
    "TrainingRun",
    "true_function",
    "UploadError",
    "vector_attention_weights",
    "vector_empty_windows",
    "vector_gcv_curve",
    "vector_loo_cv_curve",
    "vector_nadaraya_watson",
    "VIEW_PARAMS",
    "weight_table",
    "XYData",
]
