"""Altair chart builders. Typed channels only (``alt.X(...)``): they build several times faster.

The explorer is one ``alt.vconcat`` (fit, heatmap, weight profile) sharing two selections on the
query index ``qi``: ``hover`` (pointer over a query, client-side only) and ``pin`` (a click, which
the app may read back). Hovering highlights the heatmap row, sizes the training points by their
weight for that query, draws α(x, ·) over the keys and marks ŷ(x) on the fit, with no server
round trip.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

WEIGHT_SCHEME = "reds"
SERIES_COLOURS = {
    "truth f(x)": "#2ca02c",
    "attention pooling ŷ(x)": "#d62728",
    "average pooling": "#7f7f7f",
    "local linear": "#1f77b4",
    "learned pooling": "#9467bd",
}
MAX_POINTS_SHOWN = 5000


def _weight_color(legend_title="weight α"):
    return alt.Color("weight:Q", title=legend_title,
                     scale=alt.Scale(scheme=WEIGHT_SCHEME, domainMin=0))


def _hover_and_pin():
    hover = alt.selection_point(name="hover", fields=["qi"], on="pointerover", nearest=True,
                                clear="pointerout", empty=False)
    pin = alt.selection_point(name="pin", fields=["qi"], on="click", empty=False)
    return hover, pin


def _curves_layer(curves: pd.DataFrame, x_title: str):
    """Lines in long format (x, y, series) with a legend; dashed truth."""
    series = [s for s in SERIES_COLOURS if s in set(curves["series"])]
    return alt.Chart(curves).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title=x_title),
        y=alt.Y("y:Q", title="y"),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=series,
                                        range=[SERIES_COLOURS[s] for s in series]),
                        legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("series:N", legend=None,
                                  scale=alt.Scale(domain=series,
                                                  range=[[6, 3] if s == "truth f(x)" else [1, 0]
                                                         for s in series])),
        detail=alt.Detail("series:N"),
    )


def _points_layer(points: pd.DataFrame):
    return alt.Chart(points).mark_circle(color="#555555", opacity=0.45, size=28).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"),
        tooltip=[alt.Tooltip("x:Q", title="key x_i", format=".3f"),
                 alt.Tooltip("y:Q", title="value y_i", format=".3f")],
    )


def display_points(keys, values, *, limit: int = MAX_POINTS_SHOWN, seed: int = 0):
    """The training points to draw: all of them, or an even random subset of ``limit``."""
    frame = pd.DataFrame({"x": np.asarray(keys, float), "y": np.asarray(values, float)})
    if len(frame) <= limit:
        return frame
    return frame.sample(limit, random_state=seed).sort_values("x", kind="stable")


def fit_chart(points: pd.DataFrame, curves: pd.DataFrame, *, width: int = 640,
              height: int = 300, title: str = "Regression fit") -> alt.LayerChart:
    """Training points and curves (prediction, truth, average pooling, …) without linking."""
    return alt.layer(_points_layer(points), _curves_layer(curves, "x")).properties(
        width=width, height=height, title=title)


def attention_heatmap(cells: pd.DataFrame, *, width: int = 640, height: int = 320,
                      title: str = "Attention weights (rows = queries, columns = keys)",
                      hover=None, pin=None, color_domain_max: float | None = None):
    """Heatmap of α in data units: x = key x_i (or its bin), y = query x, colour = weight."""
    color = _weight_color()
    if color_domain_max is not None:
        color = alt.Color("weight:Q", title="weight α",
                          scale=alt.Scale(scheme=WEIGHT_SCHEME, domain=[0, color_domain_max]))
    encoding = dict(
        x=alt.X("key_lo:Q", title="key x_i", scale=alt.Scale(zero=False, nice=False)),
        x2=alt.X2("key_hi:Q"),
        y=alt.Y("query_lo:Q", title="query x", scale=alt.Scale(zero=False, nice=False,
                                                                reverse=True)),
        y2=alt.Y2("query_hi:Q"),
        color=color,
        tooltip=[alt.Tooltip("query_x:Q", title="query x", format=".3f"),
                 alt.Tooltip("key_x:Q", title="key x_i (bin centre if binned)", format=".3f"),
                 alt.Tooltip("keys:Q", title="keys in cell"),
                 alt.Tooltip("weight:Q", title="weight α", format=".4f")],
    )
    if hover is not None:
        encoding["opacity"] = alt.OpacityValue(
            0.35, condition={"param": "hover", "empty": True, "value": 1.0})
    chart = alt.Chart(cells).mark_rect().encode(**encoding).properties(
        width=width, height=height, title=title)
    if hover is not None:
        chart = chart.add_params(hover, pin)
    return chart


def explorer_chart(points: pd.DataFrame, curves: pd.DataFrame, fit: pd.DataFrame,
                   cells: pd.DataFrame, *, width: int = 640, heatmap_title: str | None = None):
    """Linked fit + heatmap + weight profile (one vconcat, shared hover and pin selections)."""
    hover, pin = _hover_and_pin()
    query_points = alt.Chart(fit).mark_circle(size=70, opacity=0.0).encode(
        x=alt.X("x:Q"), y=alt.Y("prediction:Q"),
        tooltip=[alt.Tooltip("x:Q", title="query x", format=".3f"),
                 alt.Tooltip("prediction:Q", title="ŷ(x)", format=".4f"),
                 alt.Tooltip("effective_keys:Q", title="effective keys 1/Σα²", format=".1f")],
    ).add_params(hover, pin)
    marked = alt.Chart(fit).mark_point(size=160, filled=True, color="#d62728",
                                       stroke="black", strokeWidth=1.5).encode(
        x=alt.X("x:Q"), y=alt.Y("prediction:Q"),
    ).transform_filter({"or": [{"param": "hover", "empty": False},
                               {"param": "pin", "empty": False}]})
    weighted = alt.Chart(cells).mark_circle(stroke="black", strokeWidth=0.5).encode(
        x=alt.X("key_x:Q"), y=alt.Y("key_y:Q"),
        size=alt.Size("weight:Q", scale=alt.Scale(range=[0, 600]), legend=None),
        color=_weight_color(),
    ).transform_filter({"param": "hover", "empty": False})
    fit_layers = alt.layer(_points_layer(points), _curves_layer(curves, "x (queries and keys)"),
                           weighted, marked, query_points).resolve_scale(color="independent")
    fit_layers = fit_layers.properties(width=width, height=300,
                                       title="Regression fit — hover a query, click to pin it")
    heat = attention_heatmap(cells, width=width, hover=hover, pin=pin,
                             title=heatmap_title or "Attention weights α(x, x_i): rows = "
                                                    "queries, columns = keys")
    profile = alt.Chart(cells).mark_rect(color="#d62728").encode(
        x=alt.X("key_lo:Q", title="key x_i"), x2=alt.X2("key_hi:Q"),
        y=alt.Y("weight:Q", title="α(x, x_i)"), y2=alt.Y2Datum(0),
        tooltip=[alt.Tooltip("key_x:Q", title="key x_i", format=".3f"),
                 alt.Tooltip("weight:Q", title="weight α", format=".4f")],
    ).transform_filter({"param": "hover", "empty": False}).properties(
        width=width, height=110, title="Weights of the hovered query over the keys")
    return alt.vconcat(fit_layers, heat, profile, spacing=12).resolve_scale(
        x="shared", color="independent", size="independent")


def scatter_chart(frame: pd.DataFrame, *, width: int = 640, height: int = 260):
    """Small scatter of a dataset (columns x, y)."""
    return _points_layer(frame).properties(width=width, height=height, title="Current dataset")
