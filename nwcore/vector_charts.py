"""Altair charts beyond the chapter: classification, the plane of keys and queries, dot-product
attention, the consistency experiment and the learned scoring functions' losses and widths.
Typed channels only (they build several times faster).

Linked charts follow the explorer's design (:mod:`nwcore.charts`): one ``alt.vconcat`` whose
views share the ``hover`` (pointer over a query, client-side only) and ``pin`` (a click, read
back by the app) selections on the query index ``qi``. Hovering a query sizes the keys by their
weight for it and highlights its heatmap row; a table of the drawn keys carries one weight
column ``w<qi>`` per query, so the browser only picks a column. Dense pictures (decision
regions, fitted surfaces, heatmaps) are single PNG images in data units.
"""

from __future__ import annotations

import warnings

import altair as alt
import numpy as np
import pandas as pd

from .charts import (
    HOVERED_WEIGHT,
    _hover_and_pin,
    attention_heatmap,
    fit_chart,
    hex_rgb,
    scheme_colours,
    weight_colours,
    weight_scale,
)
from .planeview import point_text
from .png import png_data_url
from .scoringview import FORM_LABELS

#: Class colours (Tableau 10, as Vega's "tableau10").
CLASS_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2",
                 "#ff9da6", "#9d755d", "#bab0ac")
#: Decision regions are the class colours mixed with this much white (points stay visible).
REGION_WHITE = 0.6
NO_DECISION = (225, 225, 225)
#: Fitted values: Vega's "blueorange" stops, low to high.
VALUE_STOPS = ("#134b85", "#2f78b3", "#5da2cb", "#9cc9e0", "#d2e5ef", "#f2f0eb", "#fce0ba",
               "#fbbf74", "#e8932f", "#c5690d", "#904a12")
PLANE_SIZE = 420
HEATMAP_WIDTH = 640
#: Largest drawn key (area in px², for weight 1).
MAX_POINT_AREA = 1200
#: The weight a drawn key shows: the hovered query's, else the pinned query's.
SHOWN_WEIGHT = f"isValid(hover.qi) ? {HOVERED_WEIGHT} : datum.pinned"


def class_colour_scale(classes) -> alt.Scale:
    names = [str(c) for c in classes]
    return alt.Scale(domain=names, range=[CLASS_COLOURS[i % len(CLASS_COLOURS)]
                                          for i in range(len(names))])


def region_image(probabilities: np.ndarray, per_side: int) -> str:
    """Decision regions as a PNG data URL: each pixel the class colours mixed by p̂(c | pixel)
    (a blend where the classes overlap), lightened; grey where no key is in the window.
    ``probabilities`` (per_side² × C) run row by row from the top."""
    colours = hex_rgb(CLASS_COLOURS[:probabilities.shape[1]])
    undefined = np.any(np.isnan(probabilities), axis=1)
    mixed = np.nan_to_num(probabilities) @ colours
    mixed = (1.0 - REGION_WHITE) * mixed + REGION_WHITE * 255.0
    mixed[undefined] = NO_DECISION
    return png_data_url(mixed.round().astype(np.uint8).reshape(per_side, per_side, 3))


def value_image(values: np.ndarray, per_side: int, domain: tuple[float, float]) -> str:
    """A fitted surface as a PNG data URL on the :data:`VALUE_STOPS` scale over ``domain``."""
    low, high = domain
    fraction = (values - low) / (high - low) if high > low else np.full(values.shape, 0.5)
    rgb = scheme_colours(np.nan_to_num(fraction, nan=0.5), VALUE_STOPS)
    return png_data_url(rgb.reshape(per_side, per_side, 3))


def matrix_image(matrix: np.ndarray, width: int, height: int, top: float | None = None) -> str:
    """An attention matrix (rows × columns) as a width × height PNG on the weights' red scale,
    each pixel the cell that covers it, from 0 to ``top`` (default: the largest weight; above
    it the colour saturates)."""
    rows, columns = matrix.shape
    if top is None:
        top = max(float(np.nanmax(matrix)), 1e-12) if matrix.size else 1.0
    row_of = (np.arange(height) * rows) // height
    column_of = (np.arange(width) * columns) // width
    return png_data_url(weight_colours(matrix[np.ix_(row_of, column_of)] / top))


# --- the plane: a picture, hoverable query cells and keys sized by weight ----------------------

def plane_tables(image_url: str, extent, cells: np.ndarray, keys: pd.DataFrame,
                 query=None, cell_fields: dict | None = None) -> dict[str, pd.DataFrame]:
    """The tables of :func:`plane_layers`: the background image over ``extent`` (lo1, hi1, lo2,
    hi2), the query cells (lo1, hi1, lo2, hi2 per row; ``cell_fields`` adds columns for their
    tooltips), the keys drawn (k1, k2, pinned, w<qi>, …) and the pinned query (q1, q2)."""
    lo1, hi1, lo2, hi2 = cells.T
    cell_table = pd.DataFrame({"qi": np.arange(cells.shape[0]), "lo1": lo1, "hi1": hi1,
                               "lo2": lo2, "hi2": hi2, "q1": 0.5 * (lo1 + hi1),
                               "q2": 0.5 * (lo2 + hi2), **(cell_fields or {})})
    pinned = _query_table(query)
    image = pd.DataFrame({"x": [extent[0]], "x2": [extent[1]], "y": [extent[2]],
                          "y2": [extent[3]], "url": [image_url]})
    return {"image": image, "cells": cell_table, "keys": keys, "query": pinned}


def plane_layers(tables, *, hover, pin, axis_names=("x₁", "x₂"), key_colour, key_tooltip,
                 cell_tooltip, title, size: int = PLANE_SIZE, on_circle: bool = False):
    """Background picture, hoverable query cells, keys (outlined, filled by ``key_colour``) with
    a disc of area ∝ the shown weight, and the pinned query as a cross."""
    extent = tables["image"].iloc[0]
    x = alt.Scale(domain=[float(extent["x"]), float(extent["x2"])], nice=False, zero=False)
    y = alt.Scale(domain=[float(extent["y"]), float(extent["y2"])], nice=False, zero=False)
    image = alt.Chart(tables["image"]).mark_image(
        width=size, height=size, align="left", baseline="top", aspect=False,
        smooth=True).encode(x=alt.X("x:Q", title=axis_names[0], scale=x),
                             y=alt.Y("y2:Q", title=axis_names[1], scale=y), url=alt.Url("url:N"))
    cells = alt.Chart(tables["cells"]).mark_rect(fill="white", stroke="black",
                                                 strokeWidth=1.5).encode(
        x=alt.X("lo1:Q", scale=x), x2=alt.X2("hi1:Q"), y=alt.Y("lo2:Q", scale=y),
        y2=alt.Y2("hi2:Q"),
        fillOpacity=alt.FillOpacityValue(0.001, condition={"param": "hover", "empty": False,
                                                            "value": 0.3}),
        strokeOpacity=alt.StrokeOpacityValue(0, condition={"param": "hover", "empty": False,
                                                           "value": 0.8}),
        tooltip=cell_tooltip).add_params(hover, pin)
    keys = alt.Chart(tables["keys"])
    outlines = keys.mark_point(filled=True, size=40, stroke="black", strokeWidth=0.8,
                               opacity=0.9).encode(
        x=alt.X("k1:Q", scale=x), y=alt.Y("k2:Q", scale=y), color=key_colour,
        tooltip=key_tooltip)
    discs = _weight_discs(keys, x=alt.X("k1:Q", scale=x), y=alt.Y("k2:Q", scale=y))
    marker = alt.Chart(tables["query"]).mark_point(shape="cross", size=260, filled=True,
                                                   color="black", stroke="white",
                                                   strokeWidth=1).encode(
        x=alt.X("q1:Q", scale=x), y=alt.Y("q2:Q", scale=y))
    layers = [image, cells, discs, outlines, marker]
    if on_circle:
        circle = _unit_circle("#333333", x=alt.X("c1:Q", scale=x), y=alt.Y("c2:Q", scale=y))
        arrow = _arrow(tables["query"], x, y, color="black", strokeWidth=2)
        layers[1:1] = [circle, arrow]
    return alt.layer(*layers).resolve_scale(color="independent").properties(
        width=size, height=size, title=title)


def _query_table(query) -> pd.DataFrame:
    """The query (q1, q2) and the origin (o1, o2) its arrow starts from; no row for None."""
    rows = [] if query is None else [(0.0, 0.0, float(query[0]), float(query[1]))]
    return pd.DataFrame(rows, columns=["o1", "o2", "q1", "q2"], dtype=float)


def _arrow(query: pd.DataFrame, x_scale, y_scale, **mark) -> alt.Chart:
    """The query as an arrow from the origin (a :func:`_query_table`)."""
    return alt.Chart(query).mark_rule(**mark).encode(
        x=alt.X("o1:Q", scale=x_scale), y=alt.Y("o2:Q", scale=y_scale), x2=alt.X2("q1:Q"),
        y2=alt.Y2("q2:Q"))


def _unit_circle(colour: str, *, x: alt.X, y: alt.Y) -> alt.Chart:
    """The unit circle, dashed, on the (c1, c2) channels ``x`` and ``y``."""
    angle = np.linspace(0.0, 2.0 * np.pi, 181)
    return alt.Chart(pd.DataFrame({"c1": np.cos(angle), "c2": np.sin(angle),
                                   "order": np.arange(angle.size)})).mark_line(
        color=colour, strokeDash=[4, 3]).encode(x=x, y=y, order=alt.Order("order:Q"))


def _weight_discs(keys: alt.Chart, *, x: alt.X, y) -> alt.Chart:
    """The keys as discs whose area is the hovered (else pinned) query's weight."""
    return keys.transform_calculate(shown_weight=SHOWN_WEIGHT).mark_circle(
        color="#d62728", opacity=0.55, stroke="#67000d", strokeWidth=1).encode(
        x=x, y=y, size=alt.Size("shown_weight:Q", legend=None,
                                scale=alt.Scale(domain=[0, 1], range=[0, MAX_POINT_AREA])))


# --- Classify -----------------------------------------------------------------------------------

def classification_tables(view, *, pinned: int | None = None,
                          truth: np.ndarray | None = None) -> dict[str, pd.DataFrame]:
    """The tables of :func:`classification_chart` from a
    :class:`nwcore.classview.ClassificationView`; ``pinned`` is the pinned query's index and
    ``truth`` (1-D) the true class probabilities at ``view.grid_x``, drawn dashed."""
    classes = [str(c) for c in view.classes]
    keys = view.shown.copy()
    keys["pinned"] = keys[f"w{pinned}"] if pinned is not None else 0.0
    decided = view.decisions
    fields = {"decision": np.where(decided >= 0, np.array(classes, dtype=object)[decided],
                                   "none (empty window)")}
    fields.update({f"p{c}": view.probabilities[:, c] for c in range(len(classes))})
    heat = view.heat
    blocks = pd.DataFrame({"code": view.column_codes, "column": np.arange(heat.shape[1])})
    blocks = blocks.groupby("code", sort=True)["column"].agg(["min", "max"]).reset_index()
    strip = pd.DataFrame({"class": np.array(classes)[blocks["code"]], "lo": blocks["min"],
                          "hi": blocks["max"] + 1})
    strip["middle"] = 0.5 * (strip["lo"] + strip["hi"])
    tables = {"strip": strip,
              "heat": pd.DataFrame({"x": [0.0], "x2": [float(heat.shape[1])], "y": [0.0],
                                    "y2": [float(heat.shape[0])],
                                    "url": [matrix_image(heat, HEATMAP_WIDTH, 280,
                                                         view.colour_top)]}),
              "rows": pd.DataFrame({"qi": np.arange(heat.shape[0]),
                                    "lo": np.arange(heat.shape[0], dtype=float),
                                    "hi": np.arange(1, heat.shape[0] + 1, dtype=float),
                                    "query": [point_text(q) for q in view.queries]}),
              "weight_range": pd.DataFrame({"weight": [0.0, view.colour_top]})}
    if view.queries.shape[1] == 1:
        edges = view.query_edges
        bands = pd.DataFrame({"qi": np.arange(edges.shape[0]), "lo1": edges[:, 0],
                              "hi1": edges[:, 1], "q1": view.queries[:, 0], **fields})
        tables.update(bands=bands, curves=_long_curves(view.grid_x, view.grid, classes),
                      keys=keys, query=pd.DataFrame(
                          {"q1": [] if pinned is None else [float(view.queries[pinned, 0])]},
                          dtype=float))
        if truth is not None:
            tables["truth"] = _long_curves(view.grid_x, truth, classes)
        return tables
    image = region_image(view.grid, int(round(np.sqrt(view.grid.shape[0]))))
    query = None if pinned is None else view.queries[pinned]
    tables.update(plane_tables(image, view.extent, view.query_edges, keys, query, fields))
    return tables


def _long_curves(x, probabilities, classes) -> pd.DataFrame:
    """Long format (x, probability, class) of a probability matrix (points × classes)."""
    return pd.DataFrame({"x": np.repeat(x, len(classes)), "probability": probabilities.ravel(),
                         "class": np.tile(classes, x.size)})


def classification_chart(tables, classes, *, axis_names):
    """Class probabilities (1-D curves with the keys below) or decision regions (2-D) linked
    with the attention heatmap whose columns are the keys grouped by class."""
    hover, pin = _hover_and_pin()
    colours = class_colour_scale(classes)
    key_colour = alt.Color("class:N", title="class", scale=colours,
                           legend=alt.Legend(orient="top"))
    key_tooltip = [alt.Tooltip(f"k{j + 1}:Q", title=name, format=".3f")
                   for j, name in enumerate(axis_names)] + [alt.Tooltip("class:N")]
    cell_tooltip = [alt.Tooltip("decision:N", title="decision")] + [
        alt.Tooltip(f"p{c}:Q", title=f"p̂({name} | q)", format=".3f")
        for c, name in enumerate(classes)]
    if "curves" in tables:
        top = _class_curves(tables, hover, pin, key_colour, key_tooltip, cell_tooltip,
                            axis_names[0], tables.get("truth"))
    else:
        top = plane_layers(tables, hover=hover, pin=pin, axis_names=axis_names,
                           key_colour=key_colour, key_tooltip=key_tooltip,
                           cell_tooltip=[alt.Tooltip("q1:Q", title=f"query {axis_names[0]}",
                                                     format=".2f"),
                                         alt.Tooltip("q2:Q", title=f"query {axis_names[1]}",
                                                     format=".2f")] + cell_tooltip,
                           title=alt.TitleParams(
                               "Decision regions: colours mixed by p̂(class | x)",
                               subtitle="hover a cell: its weights on the keys; click to pin"))
    heat = _class_heatmap(tables, hover, pin, colours)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection")
        return alt.vconcat(top, heat, spacing=16).resolve_scale(
            x="independent", y="independent", color="independent", size="independent")


def _class_curves(tables, hover, pin, key_colour, key_tooltip, cell_tooltip, x_name, truth):
    """1-D: p̂(c | x) per class (dashed: the true law, when known) over hoverable query bands,
    and a strip of the keys by class sized by the shown weight."""
    bands_table = tables["bands"]
    x = alt.Scale(domain=[float(bands_table["lo1"].min()), float(bands_table["hi1"].max())],
                  nice=False, zero=False)
    bands = alt.Chart(bands_table).mark_rect(fill="#888888").encode(
        x=alt.X("lo1:Q", scale=x), x2=alt.X2("hi1:Q"), y=alt.YDatum(0.0), y2=alt.Y2Datum(1.0),
        opacity=alt.OpacityValue(0.001, condition={"param": "hover", "empty": False,
                                                   "value": 0.25}),
        tooltip=[alt.Tooltip("q1:Q", title=f"query {x_name}", format=".3f")] + cell_tooltip,
    ).add_params(hover, pin)
    curves = alt.Chart(tables["curves"]).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title=x_name, scale=x),
        y=alt.Y("probability:Q", title="p̂(class | x)", scale=alt.Scale(domain=[0, 1])),
        color=key_colour, detail=alt.Detail("class:N"))
    pinned = alt.Chart(tables["query"]).mark_rule(color="black", strokeDash=[4, 3],
                                                  strokeWidth=1.5).encode(
        x=alt.X("q1:Q", scale=x))
    layers = [bands, pinned, curves]
    if truth is not None:
        layers.append(alt.Chart(truth).mark_line(strokeWidth=1.5, strokeDash=[5, 4]).encode(
            x=alt.X("x:Q", scale=x), y=alt.Y("probability:Q"), color=key_colour,
            detail=alt.Detail("class:N")))
    top = alt.layer(*layers).properties(
        width=HEATMAP_WIDTH, height=240,
        title=alt.TitleParams("Class probabilities p̂(class | x) = Σ α_i [y_i = class]",
                              subtitle="dashed curves: the true probabilities; hover a query: "
                                       "its weights below; click to pin it (dashed rule)"))
    keys = alt.Chart(tables["keys"])
    y = alt.Y("class:N", title="keys by class", sort=None)
    outlines = keys.mark_point(filled=True, size=30, opacity=0.8).encode(
        x=alt.X("k1:Q", title=x_name, scale=x), y=y, color=key_colour, tooltip=key_tooltip)
    discs = _weight_discs(keys, x=alt.X("k1:Q", scale=x), y=y)
    strip = alt.layer(discs, outlines).properties(
        width=HEATMAP_WIDTH, height=36 * tables["strip"].shape[0],
        title=alt.TitleParams("Keys, sized by the weight of the hovered (or pinned) query",
                              fontSize=12))
    return alt.vconcat(top, strip, spacing=6).resolve_scale(x="shared")


def _class_heatmap(tables, hover, pin, colours):
    """The attention matrix with its columns grouped by class (a labelled class strip on top)
    and one hoverable band per query row."""
    heat = tables["heat"].iloc[0]
    x = alt.Scale(domain=[0.0, float(heat["x2"])], nice=False, zero=False)
    y = alt.Scale(domain=[0.0, float(heat["y2"])], nice=False, zero=False, reverse=True)
    image = alt.Chart(tables["heat"]).mark_image(
        width=HEATMAP_WIDTH, height=280, align="left", baseline="top", aspect=False,
        smooth=False).encode(
        x=alt.X("x:Q", title="keys, grouped by class", scale=x,
                axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("y:Q", title="queries (top to bottom)", scale=y,
                axis=alt.Axis(labels=False, ticks=False)),
        url=alt.Url("url:N"))
    legend = alt.Chart(tables["weight_range"]).mark_point(opacity=0).encode(
        color=alt.Color("weight:Q", title="weight α", scale=weight_scale()))
    rows = alt.Chart(tables["rows"]).mark_rect(fill="white", stroke="black",
                                              strokeWidth=1).encode(
        x=alt.XDatum(0.0, scale=x), x2=alt.X2Datum(float(heat["x2"])),
        y=alt.Y("lo:Q", scale=y), y2=alt.Y2("hi:Q"),
        fillOpacity=alt.FillOpacityValue(0.001, condition={"param": "hover", "empty": False,
                                                            "value": 0.15}),
        strokeOpacity=alt.StrokeOpacityValue(0, condition={"param": "hover", "empty": False,
                                                           "value": 1}),
        tooltip=[alt.Tooltip("query:N", title="query")]).add_params(hover, pin)
    matrix = alt.layer(image, legend, rows).properties(width=HEATMAP_WIDTH, height=280)
    strip_scale = alt.Scale(domain=[0.0, float(heat["x2"])], nice=False, zero=False)
    blocks = alt.Chart(tables["strip"])
    band = blocks.mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("lo:Q", title=None, scale=strip_scale, axis=None), x2=alt.X2("hi:Q"),
        color=alt.Color("class:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("class:N")])
    names = blocks.mark_text(color="white", fontWeight="bold", fontSize=12).encode(
        x=alt.X("middle:Q", scale=strip_scale, axis=None), text=alt.Text("class:N"))
    strip = alt.layer(band, names).properties(width=HEATMAP_WIDTH, height=18)
    return alt.vconcat(strip, matrix, spacing=2, title=alt.TitleParams(
        "Attention weights: rows = queries, columns = keys by class",
        subtitle="a row's total weight in a class's block is p̂(class | query)")).resolve_scale(
        color="independent")


def classification_criteria_chart(curves: pd.DataFrame, markers: dict[str, float], *,
                                  width: int = 300, height: int = 200):
    """The leave-one-out log-loss and error rate against h (log axis), side by side, with
    vertical rules at ``markers`` (label → h)."""
    markers = pd.DataFrame({"label": list(markers), "h": list(markers.values())})
    panels = []
    for criterion, table in curves.groupby("criterion", sort=False):
        h = alt.X("h:Q", title="bandwidth h (log scale)", scale=alt.Scale(type="log"))
        line = alt.Chart(table.dropna()).mark_line(point=True, strokeWidth=2).encode(
            x=h, y=alt.Y("value:Q", title=criterion),
            tooltip=[alt.Tooltip("h:Q", format=".4g"),
                     alt.Tooltip("value:Q", title=criterion, format=".4f")])
        rules = alt.Chart(markers).mark_rule(strokeDash=[4, 3]).encode(
            x=alt.X("h:Q", scale=alt.Scale(type="log")),
            color=alt.Color("label:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("label:N"), alt.Tooltip("h:Q", format=".4g")])
        panels.append(alt.layer(line, rules).properties(width=width, height=height,
                                                        title=str(criterion)))
    return alt.hconcat(*panels).resolve_scale(color="shared")


# --- Vectors ------------------------------------------------------------------------------------

def vectors_tables(view, values_domain: tuple[float, float]) -> dict[str, pd.DataFrame]:
    """The tables of :func:`vectors_chart` from a :class:`nwcore.planeview.PlaneView`."""
    per_side = int(round(np.sqrt(view.surface.size)))
    return plane_tables(value_image(view.surface, per_side, values_domain), view.extent,
                        view.cells, view.shown, view.query)


def vectors_chart(tables, *, values_domain, title, on_circle: bool = False,
                  axis_names=("x₁", "x₂")):
    """The plane: the fitted surface ŷ(q), keys coloured by value and sized by the hovered (or
    pinned) query's weights, the pinned query as a cross (on the circle: an arrow)."""
    hover, pin = _hover_and_pin()
    key_colour = alt.Color("value:Q", title="value v_i / ŷ",
                           scale=alt.Scale(domain=list(values_domain), range=list(VALUE_STOPS),
                                           interpolate="rgb"))
    key_tooltip = [alt.Tooltip("k1:Q", title=axis_names[0], format=".3f"),
                   alt.Tooltip("k2:Q", title=axis_names[1], format=".3f"),
                   alt.Tooltip("value:Q", title="value v_i", format=".3f"),
                   alt.Tooltip("pinned:Q", title="weight for the pinned query", format=".4f")]
    cell_tooltip = [alt.Tooltip("q1:Q", title=f"query {axis_names[0]}", format=".2f"),
                    alt.Tooltip("q2:Q", title=f"query {axis_names[1]}", format=".2f")]
    return plane_layers(tables, hover=hover, pin=pin, axis_names=axis_names,
                        key_colour=key_colour, key_tooltip=key_tooltip,
                        cell_tooltip=cell_tooltip, title=title, on_circle=on_circle)


def circle_weights_chart(comparison: pd.DataFrame, query_angle: float, *, column: str,
                         title: str, size: int = 260):
    """Unit vectors k_i on the circle sized by one column of weights (see
    :func:`nwcore.planeview.sphere_comparison`), the query direction as an arrow."""
    radians = np.radians(comparison["θ_i (°)"].to_numpy())
    keys = pd.DataFrame({"k1": np.cos(radians), "k2": np.sin(radians),
                         "weight": comparison[column].to_numpy(),
                         "angle": comparison["θ_i (°)"].to_numpy()})
    scale = alt.Scale(domain=[-1.35, 1.35], nice=False)
    circle = _unit_circle("#888888", x=alt.X("c1:Q", title=None, scale=scale),
                          y=alt.Y("c2:Q", title=None, scale=scale))
    discs = alt.Chart(keys).mark_circle(color="#d62728", opacity=0.6, stroke="#67000d").encode(
        x=alt.X("k1:Q", scale=scale), y=alt.Y("k2:Q", scale=scale),
        size=alt.Size("weight:Q", legend=None,
                      scale=alt.Scale(domain=[0, 1], range=[10, MAX_POINT_AREA])),
        tooltip=[alt.Tooltip("angle:Q", title="θ_i (°)", format=".1f"),
                 alt.Tooltip("weight:Q", title=column, format=".6f")])
    query = _query_table([np.cos(query_angle), np.sin(query_angle)])
    arrow = _arrow(query, scale, scale, strokeWidth=2.5)
    return alt.layer(circle, arrow, discs).properties(width=size, height=size, title=title)


def off_sphere_tables(comparison: pd.DataFrame, query) -> dict[str, pd.DataFrame]:
    """The tables of :func:`off_sphere_chart`: the keys with both weights (see
    :func:`nwcore.planeview.off_sphere_comparison`) and the query."""
    return {"keys": comparison, "query": _query_table(query)}


def off_sphere_chart(tables, *, size: int = 300):
    """Keys of any length sized by Gaussian and by dot-product weights, side by side, the query
    as an arrow from the origin (:func:`off_sphere_tables`)."""
    x = alt.Scale(zero=True, nice=True, padding=24)  # room for a disc of weight 1
    panels = []
    for column, title in (("α_i Gaussian", "Gaussian: the nearest keys win"),
                          ("α_i dot product", "Dot product: long keys along q win")):
        keys = alt.Chart(tables["keys"]).mark_circle(color="#d62728", opacity=0.6,
                                                     stroke="#67000d").encode(
            x=alt.X("k1:Q", title="x₁", scale=x), y=alt.Y("k2:Q", title="x₂", scale=x),
            size=alt.Size(f"{column}:Q", legend=None,
                          scale=alt.Scale(domain=[0, 1], range=[10, MAX_POINT_AREA])),
            tooltip=[alt.Tooltip("‖k_i‖:Q", format=".3f"),
                     alt.Tooltip(f"{column}:Q", format=".4f")])
        arrow = _arrow(tables["query"], x, x, strokeWidth=2)
        marker = alt.Chart(tables["query"]).mark_point(shape="cross", size=200, filled=True,
                                                       color="black").encode(
            x=alt.X("q1:Q", scale=x), y=alt.Y("q2:Q", scale=x))
        panels.append(alt.layer(arrow, keys, marker).properties(width=size, height=size,
                                                                title=title))
    return alt.hconcat(*panels)


def saturation_chart(frame: pd.DataFrame, *, n_keys: int, width: int = 300, height: int = 220):
    """The largest softmax weight against d and against the vectors' length r, without a scale
    and with 1/√d (see :func:`nwcore.planeview.softmax_saturation`)."""
    colour = alt.Color("scaling:N", title=None, legend=alt.Legend(orient="top"))
    panels = []
    for sweep, title, axis in (
            ("dimension", "As d grows (entries N(0, 1))", alt.Scale(type="log", base=2)),
            ("length", "As the vectors grow (d = 64, entries N(0, r²))", alt.Scale(type="log"))):
        table = frame[frame["sweep"] == sweep]
        lines = alt.Chart(table).mark_line(point=True, strokeWidth=2.5).encode(
            x=alt.X("x:Q", title="dimension d" if sweep == "dimension" else "length scale r",
                    scale=axis),
            y=alt.Y("max_weight:Q", title="largest weight max α_i",
                    scale=alt.Scale(domain=[0, 1])),
            color=colour,
            tooltip=[alt.Tooltip("x:Q", title="d" if sweep == "dimension" else "r"),
                     alt.Tooltip("scaling:N"),
                     alt.Tooltip("max_weight:Q", title="largest weight", format=".3f"),
                     alt.Tooltip("effective_keys:Q", title="effective keys 1/Σα²",
                                 format=".2f"),
                     alt.Tooltip("score_std:Q", title="std of the scores", format=".2f")])
        uniform = alt.Chart(pd.DataFrame({"y": [1.0 / n_keys]})).mark_rule(
            strokeDash=[3, 3], color="#888888").encode(y=alt.Y("y:Q"))
        panels.append(alt.layer(lines, uniform).properties(width=width, height=height,
                                                           title=title))
    return alt.hconcat(*panels).resolve_scale(color="shared")


#: Line colours by the series' first word: the mean errors, the fitted and theoretical lines and
#: the mean errors with leave-one-out h.
CONSISTENCY_COLOURS = {"mean": "#1f77b4", "fitted": "#ff7f0e", "theory": "#d62728",
                       "leave-one-out": "#2ca02c"}


# --- Consistency --------------------------------------------------------------------------------

def consistency_chart(runs: pd.DataFrame, lines: pd.DataFrame, *, title: str,
                      width: int = 320, height: int = 260):
    """Error against n on log-log axes: each repetition (faint), the mean, the fitted line and
    the theoretical slope (see :func:`nwcore.consistency.consistency_lines`)."""
    log = alt.Scale(type="log")
    x = alt.X("n:Q", title="sample size n (log scale)", scale=log)
    series = list(dict.fromkeys(lines["series"]))
    colour = alt.Color("series:N", title=None, legend=alt.Legend(
        orient="bottom", columns=1, labelLimit=320), scale=alt.Scale(
        domain=series, range=[CONSISTENCY_COLOURS[name.split()[0].rstrip(":")] for name in series]))
    points = alt.Chart(runs).mark_circle(size=18, opacity=0.35, color="#555555").encode(
        x=x, y=alt.Y("mse:Q", title="mean squared error (log scale)", scale=log),
        tooltip=[alt.Tooltip("n:Q"), alt.Tooltip("bandwidth_choice:N", title="h by"),
                 alt.Tooltip("h:Q", format=".4f"), alt.Tooltip("mse:Q", format=".3g")])
    curves = alt.Chart(lines).mark_line(strokeWidth=2.5).encode(
        x=x, y=alt.Y("mse:Q", scale=log), color=colour,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(
            domain=series, range=[[6, 3] if name.startswith("fitted") else
                                  [2, 3] if name.startswith("theory") else [1, 0]
                                  for name in series])),
        detail=alt.Detail("series:N"),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("n:Q"), alt.Tooltip("mse:Q", format=".3g")])
    return alt.layer(points, curves).properties(width=width, height=height, title=title)


# --- Learned scoring functions ------------------------------------------------------------------

#: Each learned scoring form's colour (d2l's w as the fits' red).
FORM_COLOURS = {"d2l_width": "#d62728", "region_widths": "#1f77b4", "additive": "#2ca02c"}


def _form_colour(labels) -> alt.Color:
    """Colour by form label (a :data:`nwcore.scoringview.FORM_LABELS` name and its parameter
    count), in the order given, each form in its own colour."""
    names = list(dict.fromkeys(labels))
    colours = [next(FORM_COLOURS[form] for form, name in FORM_LABELS.items()
                    if label.startswith(name)) for label in names]
    return alt.Color("form:N", title=None, scale=alt.Scale(domain=names, range=colours),
                     legend=alt.Legend(orient="top", columns=1, labelLimit=320))


def scoring_loss_chart(losses: pd.DataFrame, *, loss_title: str, width: int = 420,
                       height: int = 240):
    """The training loss of each learned scoring form after every epoch (``losses``: epoch,
    loss, form; see :meth:`nwcore.scoringview.ScoringComparison.losses`), log y."""
    return alt.Chart(losses).mark_line(strokeWidth=2.5).encode(
        x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("loss:Q", title=loss_title, scale=alt.Scale(type="log")),
        color=_form_colour(losses["form"]),
        tooltip=[alt.Tooltip("form:N"), alt.Tooltip("epoch:Q"),
                 alt.Tooltip("loss:Q", format=".4g")],
    ).properties(width=width, height=height, title="Training loss per epoch")


def learned_widths_chart(widths: pd.DataFrame, *, x_title: str, width: int = 420,
                         height: int = 240):
    """The width forms' learned bandwidth h(x) = 1/w(x) over x (``widths``: x, h, form), log y:
    d2l's single w is a flat line, a width per region bends where the data ask."""
    return alt.Chart(widths).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title=x_title),
        y=alt.Y("h:Q", title="learned bandwidth h(x) = 1/w(x)", scale=alt.Scale(type="log")),
        color=_form_colour(widths["form"]),
        tooltip=[alt.Tooltip("form:N"), alt.Tooltip("x:Q", format=".3f"),
                 alt.Tooltip("h:Q", format=".4g")],
    ).properties(width=width, height=height, title="Learned width over x")


def scoring_panels_chart(points: pd.DataFrame, scores, *, domain_max: float, width: int = 230):
    """Each learned form's fit (top row) over its learned attention heatmap (bottom row), side
    by side (``scores``: the :class:`nwcore.scoringview.LearnedScore` of each form); the
    heatmaps share one colour scale up to ``domain_max``."""
    height = int(width * 0.7)
    fits = [fit_chart(points, score.curves, width=width, height=height,
                      title=f"Fit: {FORM_LABELS[score.form]}") for score in scores]
    heatmaps = [attention_heatmap(score.cells, width=width, height=height,
                                  domain_max=domain_max,
                                  title=f"Weights: {FORM_LABELS[score.form]}")
                for score in scores]
    return alt.vconcat(
        alt.hconcat(*fits).resolve_scale(color="shared", strokeDash="shared"),
        alt.hconcat(*heatmaps).resolve_scale(color="shared"),
    ).resolve_scale(color="independent")
