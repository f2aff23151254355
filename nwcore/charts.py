"""Altair chart builders. Typed channels only (``alt.X(...)``): they build several times faster.

The explorer is one ``alt.vconcat`` (fit, heatmap, weight profile) sharing two selections on the
query index ``qi``: ``hover`` (pointer over a query, client-side only) and ``pin`` (a click, which
the app may read back). Hovering highlights the heatmap row, sizes the training points by their
weight for that query, draws α(x, ·) over the keys and marks ŷ(x) on the fit, with no server
round trip.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from .kernels import KERNELS, equivalent_bandwidth, kernel_values
from .png import png_data_url

SERIES_COLOURS = {
    "truth f(x)": "#2ca02c",
    "attention pooling ŷ(x)": "#d62728",
    "average pooling": "#7f7f7f",
    "local linear": "#1f77b4",
    "learned pooling": "#9467bd",
}
#: Stops of the "reds" colour scheme (d3 / Vega), from weight 0 to the largest weight.
REDS = ("#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d",
        "#a50f15", "#67000d")
AXIS_TITLES = {"query": "query x", "key": "key x_i"}
CRITERION_COLOURS = {"leave-one-out CV": "#1f77b4", "GCV": "#ff7f0e",
                     "true error (vs f)": "#2ca02c"}


def weight_scale(domain_max: float | None = None) -> alt.Scale:
    """Weights from 0 (near white) to ``domain_max`` (dark red) through the :data:`REDS` stops:
    the same colours as :func:`weight_colours`, whatever theme the chart is shown with."""
    domain = alt.Undefined if domain_max is None else [0, domain_max]
    return alt.Scale(domain=domain, domainMin=0 if domain_max is None else alt.Undefined,
                     range=list(REDS), interpolate="rgb")


def _hover_and_pin():
    hover = alt.selection_point(name="hover", fields=["qi"], on="pointerover", nearest=True,
                                clear="pointerout", empty=False)
    pin = alt.selection_point(name="pin", fields=["qi"], on="click", empty=False)
    return hover, pin


def _curves_layer(curves: pd.DataFrame, x_title: str, x_scale=alt.Undefined, *,
                  y_title: str = "y", line_width: float = 2.5, y_scale=alt.Undefined,
                  legend_columns: int = 0):
    """Lines in long format (x, y, series) with a legend; dashed truth."""
    series = [s for s in SERIES_COLOURS if s in set(curves["series"])]
    return alt.Chart(curves).mark_line(strokeWidth=line_width).encode(
        x=alt.X("x:Q", title=x_title, scale=x_scale),
        y=alt.Y("y:Q", title=y_title, scale=y_scale),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=series,
                                        range=[SERIES_COLOURS[s] for s in series]),
                        legend=alt.Legend(orient="top", columns=legend_columns or alt.Undefined)),
        strokeDash=alt.StrokeDash("series:N", legend=None,
                                  scale=alt.Scale(domain=series,
                                                  range=[[6, 3] if s == "truth f(x)" else [1, 0]
                                                         for s in series])),
        detail=alt.Detail("series:N"),
    )


def _points_layer(points: pd.DataFrame, x_scale=alt.Undefined):
    return alt.Chart(points).mark_circle(color="#555555", opacity=0.45, size=28).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q"),
        tooltip=[alt.Tooltip("x:Q", title="key x_i", format=".3f"),
                 alt.Tooltip("y:Q", title="value y_i", format=".3f")],
    )


def fit_chart(points: pd.DataFrame, curves: pd.DataFrame, *, width: int = 640,
              height: int = 300, title: str = "Regression fit") -> alt.LayerChart:
    """Training points and curves (prediction, truth, average pooling, …) without linking."""
    return alt.layer(_points_layer(points), _curves_layer(curves, "x")).properties(
        width=width, height=height, title=title)


#: The hovered query's weight in a :func:`hovered_weights_table` row (Vega expression).
HOVERED_WEIGHT = "datum['w' + hover.qi[0]]"


def hovered_weights_table(cells) -> pd.DataFrame:
    """One row per key (or bin) of an attention matrix (:class:`nwcore.views.AttentionCells`):
    key_x, key_lo, key_hi, key_y, keys, and ``w<qi>`` = its weight for query qi."""
    axis = cells.key_axis
    table = pd.DataFrame({"key_x": axis.centres, "key_lo": axis.lo, "key_hi": axis.hi,
                          "key_y": cells.key_values, "keys": cells.key_counts})
    return pd.concat([table, pd.DataFrame(cells.weights.T, columns=[
        f"w{q}" for q in range(cells.weights.shape[0])])], axis=1)


def attention_heatmap(cells, *, width: int = 640, height: int = 320,
                      title: str = "Attention weights (rows = queries, columns = keys)",
                      transposed: bool = False, domain_max: float | None = None):
    """Heatmap of an attention matrix (:class:`nwcore.views.AttentionCells`) in data units:
    x = key x_i (or its bin), y = query x, colour = weight.

    ``transposed`` shows d2l new edition's orientation (rows = keys, columns = queries);
    ``domain_max`` fixes the top of the colour scale (to share it between panels).
    """
    # Rows run down the y axis (reversed, as in d2l's imshow); columns along x.
    row_field, column_field = ("key", "query") if transposed else ("query", "key")
    return alt.Chart(cells.frame).mark_rect().encode(
        x=alt.X(f"{column_field}_lo:Q", title=AXIS_TITLES[column_field],
                scale=alt.Scale(zero=False, nice=False)),
        x2=alt.X2(f"{column_field}_hi:Q"),
        y=alt.Y(f"{row_field}_lo:Q", title=AXIS_TITLES[row_field],
                scale=alt.Scale(zero=False, nice=False, reverse=True)),
        y2=alt.Y2(f"{row_field}_hi:Q"),
        color=alt.Color("weight:Q", title="weight α", scale=weight_scale(domain_max)),
        tooltip=[alt.Tooltip("query_x:Q", title="query x", format=".3f"),
                 alt.Tooltip("key_x:Q", title="key x_i (bin centre if binned)", format=".3f"),
                 alt.Tooltip("keys:Q", title="keys in cell"),
                 alt.Tooltip("weight:Q", title="weight α", format=".4f")],
    ).properties(width=width, height=height, title=title)


EXPLORER_WIDTH = 640
HEATMAP_HEIGHT = 320
HEATMAP_TITLE = alt.TitleParams("Attention weights α(x, x_i)",
                                subtitle="rows = queries, columns = keys")


@dataclass(frozen=True)
class ExplorerLayout:
    """How the explorer's fit, heatmap and weight profile are arranged, sized and lettered.

    ``side_by_side``: the fit (with the profile under it) beside the heatmap, for windows of
    projector width; else the three stacked. ``width``: each view's plot width in pixels.
    ``presenter``: text and lines big enough for the back row of a classroom (axis labels ≥ 16
    px). ``x_title``/``y_title``: the data's own names for x and y.
    """

    side_by_side: bool = False
    width: int = EXPLORER_WIDTH
    fit_height: int = 300
    heatmap_height: int = HEATMAP_HEIGHT
    profile_height: int = 110
    presenter: bool = False
    x_title: str = "x"
    y_title: str = "y"

    @classmethod
    def for_page(cls, column: int, height: int, *, side_by_side: bool, presenter: bool = False,
                 x_title: str = "x", y_title: str = "y") -> "ExplorerLayout":
        """The layout that fits a page column ``column`` pixels wide in a window ``height``
        pixels high: side by side, each view gets half the column less the axes and legends
        around the plots, and the plots are as tall as the window leaves room for below the
        page's title and controls (≈ 430 px: a 1280 × 720 projector shows both charts whole);
        stacked, each view gets the whole column."""
        margin = 150 if presenter else 120
        if side_by_side:
            width = max(240, (column - 2 * margin - 70) // 2)
            room = height - (510 if presenter else 455)  # above: title, controls, slider
            fit = int(min(max(room - 60, 150), 0.8 * width))  # and its title, legend, axis
            # The heatmap (no legend above it) ends with the fit; the profile goes below both.
            return cls(True, width, fit_height=fit, heatmap_height=fit + 25,
                       profile_height=70, presenter=presenter, x_title=x_title, y_title=y_title)
        width = max(220, min(column - margin - 60, 900))
        plot = int(min(300, max(200, 0.6 * width)))
        return cls(False, width, fit_height=plot, heatmap_height=plot, profile_height=100,
                   presenter=presenter, x_title=x_title, y_title=y_title)

    @property
    def legend_below(self) -> bool:
        """Whether the heatmap's colour legend goes under it (a narrow column: phones)."""
        return not self.side_by_side and self.width < 300

    def weight_legend(self) -> alt.Legend:
        """The heatmap's colour legend: at the right, or below a narrow plot."""
        if self.legend_below:
            return alt.Legend(orient="bottom", direction="horizontal", gradientLength=160)
        return alt.Legend()

    @property
    def legend_columns(self) -> int:
        """Legend entries per row above the fit (0: all in one row; narrow plots wrap them)."""
        return 0 if self.width >= 300 else 2

    @property
    def line_width(self) -> float:
        return 4.0 if self.presenter else 2.5

    @property
    def fit_x_title(self) -> str:
        return "x (queries and keys)" if self.x_title == "x" else self.x_title

    @property
    def key_title(self) -> str:
        return "key x_i" if self.x_title == "x" else f"key: {self.x_title}"

    @property
    def query_title(self) -> str:
        return "query x" if self.x_title == "x" else f"query: {self.x_title}"

    def arrange(self, fit, heat, profile, **concat):
        """The three views, stacked or side by side (the profile under the fit: they share the
        x axis), with ``concat``'s properties (e.g. the data they share)."""
        if self.side_by_side:
            return alt.hconcat(alt.vconcat(fit, profile, spacing=10), heat, spacing=24,
                               **concat)
        return alt.vconcat(fit, heat, profile, spacing=12, **concat)

    def lettering(self, chart):
        """Presenter mode's text sizes (a no-op otherwise)."""
        if not self.presenter:
            return chart
        return chart.configure_axis(labelFontSize=16, titleFontSize=18).configure_legend(
            labelFontSize=16, titleFontSize=16, symbolSize=200).configure_title(
            fontSize=20, subtitleFontSize=16)


def explorer_tables(points: pd.DataFrame, curves: pd.DataFrame, fit: pd.DataFrame,
                    cells, *, layout: ExplorerLayout = ExplorerLayout()) -> dict[str, pd.DataFrame]:
    """Every table the explorer chart draws, by role, from the fit and the attention matrix
    (:class:`nwcore.views.AttentionCells`); the ``pinned`` table marks no query (a page swaps in
    a link's, :func:`pinned_table`).

    The chart built from them depends on the numbers only through these tables (plus the x and
    y extents and which curves there are), so one chart can be refilled with the tables of
    another bandwidth or pooling.
    """
    weights, rows, columns = cells.weights, cells.query_axis, cells.key_axis
    width, height = layout.width, layout.heatmap_height
    top = max(float(weights.max()), 1e-12)
    x_lo, x_hi = float(columns.lo[0]), float(columns.hi[-1])
    y_lo, y_hi = float(rows.lo[0]), float(rows.hi[-1])
    # Pixel centres in data units -> the cell that covers each pixel.
    pixel_x = x_lo + (np.arange(width) + 0.5) * (x_hi - x_lo) / width
    pixel_y = y_lo + (np.arange(height) + 0.5) * (y_hi - y_lo) / height
    column_of = np.minimum(np.searchsorted(columns.hi, pixel_x, "right"), weights.shape[1] - 1)
    row_of = np.minimum(np.searchsorted(rows.hi, pixel_y, "right"), weights.shape[0] - 1)
    picture = weight_colours(weights[np.ix_(row_of, column_of)] / top)
    image = pd.DataFrame({"x": [x_lo], "x2": [x_hi], "y": [y_lo], "y2": [y_hi],
                          "url": [png_data_url(picture)]})
    queries = pd.DataFrame({"qi": np.arange(weights.shape[0]), "query_x": rows.centres,
                            "query_lo": rows.lo, "query_hi": rows.hi})
    return {"points": points, "curves": curves, "fit": fit, "image": image,
            "queries": queries, "hovered": hovered_weights_table(cells),
            "weight_range": pd.DataFrame({"weight": [0.0, top]}),
            "pinned": pinned_table(None)}


def marked_query(chart: alt.Chart, x_scale, y_scale) -> alt.Chart:
    """The link-pinned query's point on the fit (rows of ``chart`` that :data:`MARKED` keeps)."""
    return chart.mark_point(size=160, filled=True, color="#d62728", stroke="black",
                            strokeWidth=1.5).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("prediction:Q", scale=y_scale),
    ).transform_filter(MARKED)


def query_bands(queries: pd.DataFrame, x_scale, y_scale, x_lo: float, x_hi: float) -> alt.Chart:
    """One band per heatmap row (query), across the keys: hovered, the others fade."""
    return alt.Chart(queries).mark_rect(fill="white", strokeWidth=0).encode(
        x=alt.XDatum(x_lo, scale=x_scale), x2=alt.X2Datum(x_hi),
        y=alt.Y("query_lo:Q", scale=y_scale), y2=alt.Y2("query_hi:Q"),
        opacity=alt.OpacityValue(0.55, condition={"param": "hover", "empty": True,
                                                   "value": 0.001}),
        tooltip=[alt.Tooltip("query_x:Q", title="query x", format=".3f")])


def pinned_table(query: int | None) -> pd.DataFrame:
    """The query a link pins (one row, or none): the chart marks it on the fit and outlines its
    heatmap row (a selection cannot start with a value in Streamlit 1.67)."""
    return pd.DataFrame({"qi": [] if query is None else [int(query)],
                         "pinned": [] if query is None else [True]}).astype(
        {"qi": "int64", "pinned": "bool"})


#: A query is marked on the fit when hovered, clicked or pinned by a link.
MARKED = {"or": [{"param": "hover", "empty": False}, {"param": "pin", "empty": False},
                 "datum.pinned === true"]}


def pinned_lookup(chart, pinned: pd.DataFrame):
    """Adds ``pinned`` (true for the link's query) to per-query rows."""
    return chart.transform_lookup(lookup="qi", from_=alt.LookupData(pinned, key="qi",
                                                                    fields=["pinned"]))


def pinned_outline(pinned: pd.DataFrame, queries: pd.DataFrame, x_scale, y_scale, x_lo, x_hi):
    """The link-pinned query's heatmap row, outlined."""
    return alt.Chart(pinned).transform_lookup(lookup="qi", from_=alt.LookupData(
        queries, key="qi", fields=["query_lo", "query_hi"])).mark_rect(
        fillOpacity=0, stroke="#111111", strokeWidth=2).encode(
        x=alt.XDatum(x_lo, scale=x_scale), x2=alt.X2Datum(x_hi),
        y=alt.Y("query_lo:Q", scale=y_scale), y2=alt.Y2("query_hi:Q"))


def explorer_chart(points: pd.DataFrame, curves: pd.DataFrame, fit: pd.DataFrame,
                   cells, *, layout: ExplorerLayout = ExplorerLayout(),
                   heatmap_title: str | None = None):
    """Linked fit + heatmap + weight profile (shared hover and pin selections).

    All three share one x axis in data units, so a key's heatmap column sits under (or beside)
    its point. The heatmap is drawn as one image (thousands of cells redraw far faster that way)
    with a transparent band per query on top that carries the hover, the click and the tooltip.
    """
    return explorer_chart_from_tables(explorer_tables(points, curves, fit, cells, layout=layout),
                                      layout=layout, heatmap_title=heatmap_title)


def explorer_chart_from_tables(tables: dict[str, pd.DataFrame], *,
                               layout: ExplorerLayout = ExplorerLayout(),
                               heatmap_title: str | None = None):
    """:func:`explorer_chart` from :func:`explorer_tables`."""
    hover, pin = _hover_and_pin()
    width = layout.width
    image_row = tables["image"].iloc[0]
    x = alt.Scale(domain=[float(image_row["x"]), float(image_row["x2"])], nice=False,
                  zero=False)
    y = alt.Scale(zero=False)  # the fit's y axis fits the data
    fit = tables["fit"]
    query_points = alt.Chart(fit).mark_circle(size=70, opacity=0.0).encode(
        x=alt.X("x:Q", scale=x), y=alt.Y("prediction:Q", scale=y),
        tooltip=[alt.Tooltip("x:Q", title="query x", format=".3f"),
                 alt.Tooltip("prediction:Q", title="ŷ(x)", format=".4f"),
                 alt.Tooltip("effective_keys:Q", title="effective keys 1/Σα²", format=".1f")],
    ).add_params(hover, pin)
    marked = marked_query(pinned_lookup(alt.Chart(fit), tables["pinned"]), x, y)
    # One row per key with a weight column per query: hovering picks the column in the
    # browser, so the weighted points and the profile process n_keys rows, not n_q × n_keys.
    source = alt.Chart(tables["hovered"]).transform_filter(
        "isValid(hover.qi)").transform_calculate(weight=HOVERED_WEIGHT)
    weighted = source.mark_circle(color="#d62728", opacity=0.7, stroke="black",
                                  strokeWidth=0.5).encode(
        x=alt.X("key_x:Q", scale=x), y=alt.Y("key_y:Q", scale=y),
        size=alt.Size("weight:Q", scale=alt.Scale(range=[0, 600], domainMin=0), legend=None),
    )
    fit_layers = alt.layer(
        _points_layer(tables["points"], x),
        _curves_layer(tables["curves"], layout.fit_x_title, x, y_title=layout.y_title,
                      line_width=layout.line_width, y_scale=y,
                      legend_columns=layout.legend_columns),
        weighted, marked, query_points).resolve_scale(color="independent")
    fit_layers = fit_layers.properties(width=width, height=layout.fit_height,
                                       title=alt.TitleParams(
                                           "Regression fit",
                                           subtitle="hover a query, click to pin it"))
    heat = _heatmap_image(tables, x, layout=layout, hover=hover, pin=pin,
                          title=heatmap_title or HEATMAP_TITLE)
    bars = source.mark_rect(color="#d62728").encode(
        x=alt.X("key_lo:Q", title=layout.key_title, scale=x), x2=alt.X2("key_hi:Q"),
        y=alt.Y("weight:Q", title="α(x, x_i)"), y2=alt.Y2Datum(0),
        tooltip=[alt.Tooltip("key_x:Q", title="key x_i", format=".3f"),
                 alt.Tooltip("weight:Q", title="weight α", format=".4f")])
    # The weight range keeps the axis fixed (0 … largest weight) whichever query is hovered.
    extent = alt.Chart(tables["weight_range"]).mark_point(opacity=0).encode(
        y=alt.Y("weight:Q"))
    profile = alt.layer(bars, extent).properties(
        width=width, height=layout.profile_height,
        title=alt.TitleParams("Weights of the hovered query over the keys",
                              subtitle="hover a query on the fit or a heatmap row"))
    with warnings.catch_warnings():
        # Altair notes that it merges the selections shared by several views: that is the point.
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection")
        chart = layout.arrange(fit_layers, heat, profile).resolve_scale(
            x="shared", color="independent", size="independent")
    return layout.lettering(chart)


def _heatmap_image(tables, x_scale, *, layout, hover, pin, title):
    """The heatmap as one PNG in data units, a colour legend, one hover band per query and the
    link-pinned query's outline."""
    width, height = layout.width, layout.heatmap_height
    image_row = tables["image"].iloc[0]
    x_lo, x_hi = float(image_row["x"]), float(image_row["x2"])
    y = alt.Scale(domain=[float(image_row["y"]), float(image_row["y2"])], nice=False,
                  zero=False, reverse=True)
    image = alt.Chart(tables["image"]).mark_image(
        width=width, height=height, align="left", baseline="top", aspect=False,
        smooth=False).encode(x=alt.X("x:Q", title=layout.key_title, scale=x_scale),
                             y=alt.Y("y:Q", title=layout.query_title, scale=y),
                             url=alt.Url("url:N"))
    legend = alt.Chart(tables["weight_range"]).mark_point(opacity=0).encode(
        color=alt.Color("weight:Q", title="weight α", scale=weight_scale(),
                        legend=layout.weight_legend()))
    bands = query_bands(tables["queries"], x_scale, y, x_lo, x_hi).add_params(hover, pin)
    outline = pinned_outline(tables["pinned"], tables["queries"], x_scale, y, x_lo, x_hi)
    return alt.layer(image, legend, bands, outline).properties(width=width, height=height,
                                                                title=title)


def weight_colours(fraction: np.ndarray) -> np.ndarray:
    """RGB bytes (… × 3) for weights as a fraction of the largest, on the "reds" scheme."""
    return scheme_colours(fraction, REDS)


def scheme_colours(fraction: np.ndarray, stops) -> np.ndarray:
    """RGB bytes (… × 3) for fractions in [0, 1] interpolated through hex colour stops."""
    rgb = hex_rgb(stops)
    position = np.clip(fraction, 0.0, 1.0) * (len(stops) - 1)
    return np.stack([np.interp(position, np.arange(len(stops)), rgb[:, channel])
                     for channel in range(3)], axis=-1).round().astype(np.uint8)


def hex_rgb(colours) -> np.ndarray:
    """(k × 3) float RGB of "#rrggbb" colours."""
    return np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=float)


def scatter_chart(frame: pd.DataFrame, *, width: int | str = "container", height: int = 260,
                  x_title: str = "x", y_title: str = "y"):
    """Small scatter of a dataset (columns x, y), axes labelled with the data's own names."""
    return alt.Chart(frame).mark_circle(color="#555555", opacity=0.6, size=28).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("x:Q", title=x_title, format=".4g"),
                 alt.Tooltip("y:Q", title=y_title, format=".4g")],
    ).properties(width=width, height=height, title="Current dataset")


def kernel_shapes_chart(*, equal_widths: bool = False, width: int = 560, height: int = 260):
    """K(u) of every kernel on u ∈ [-2.5, 2.5]; with ``equal_widths`` all have the std of a
    standard Gaussian (compact kernels stretched by 1/std)."""
    u = np.linspace(-2.5, 2.5, 401)
    rows = []
    for kernel in KERNELS:
        scale = equivalent_bandwidth(kernel, 1.0) if equal_widths else 1.0
        rows.append(pd.DataFrame({"u": u, "K": kernel_values(kernel, u / scale),
                                  "kernel": kernel}))
    frame = pd.concat(rows, ignore_index=True)
    return alt.Chart(frame).mark_line(strokeWidth=2.5).encode(
        x=alt.X("u:Q", title="u = (x − x_i) / h"),
        y=alt.Y("K:Q", title="K(u)"),
        color=alt.Color("kernel:N", title="kernel", sort=list(KERNELS)),
        tooltip=[alt.Tooltip("kernel:N"), alt.Tooltip("u:Q", format=".2f"),
                 alt.Tooltip("K:Q", format=".3f")],
    ).properties(width=width, height=height,
                 title="Kernel shapes (equal widths)" if equal_widths
                 else "Kernel shapes (d2l's raw widths: radius 1)")


def show_heatmaps(matrices, *, xlabel: str | None = "Keys", ylabel: str | None = "Queries",
                  titles=None, row_titles=None, panel_size: int = 160,
                  index_ticks: int | None = None, transposed: bool = False,
                  domain_max: float | None = None):
    """d2l's ``show_heatmaps`` as one Altair chart: a grid of attention matrices.

    ``matrices`` has shape (panel rows, panel columns, queries, keys) — 4-D as in d2l; one shared
    colour scale (up to ``domain_max``, else the largest weight); ``titles`` label the columns
    and ``row_titles`` the rows. ``index_ticks`` labels every that many indices (None: bare
    axes); ``transposed`` draws each panel with keys on rows, as the new edition's ``imshow``.
    """
    matrices = np.asarray(matrices, dtype=np.float64)
    if matrices.ndim != 4:
        raise ValueError(f"matrices must be 4-D (rows, columns, queries, keys); got shape "
                         f"{matrices.shape}.")
    n_rows, n_cols, n_q, n_k = matrices.shape
    if domain_max is None:
        domain_max = float(np.nanmax(matrices)) if matrices.size else 1.0
    row_field, column_field = ("key", "query") if transposed else ("query", "key")
    sizes = {"query": n_q, "key": n_k}

    def axis(field):
        if index_ticks is None:
            return alt.Axis(labels=False, ticks=False)
        return alt.Axis(values=list(range(0, sizes[field], index_ticks)), labelAngle=0)

    grid_rows = []
    for r in range(n_rows):
        panels = []
        for c in range(n_cols):
            frame = pd.DataFrame({
                "query": np.repeat(np.arange(n_q), n_k), "key": np.tile(np.arange(n_k), n_q),
                "weight": matrices[r, c].ravel()})
            title = titles[c] if titles is not None and r == 0 else ""
            if row_titles is not None and c == 0:
                title = f"{row_titles[r]}  {title}".strip()
            panels.append(alt.Chart(frame).mark_rect().encode(
                x=alt.X(f"{column_field}:O", title=xlabel if r == n_rows - 1 else None,
                        axis=axis(column_field)),
                y=alt.Y(f"{row_field}:O", title=ylabel if c == 0 else None,
                        axis=axis(row_field)),
                color=alt.Color("weight:Q", title="weight",
                                scale=weight_scale(domain_max)),
                tooltip=[alt.Tooltip("query:O"), alt.Tooltip("key:O"),
                         alt.Tooltip("weight:Q", format=".4f")],
            ).properties(width=panel_size, height=panel_size, title=title))
        grid_rows.append(alt.hconcat(*panels))
    return alt.vconcat(*grid_rows).resolve_scale(color="shared")


#: The book's line labels, colours and dashes: classic ``plot_kernel_reg`` (Truth '-', Pred
#: 'm--') and the new edition's panels (y_hat '-', y 'm--').
BOOK_LINES = {
    "classic": {"truth f(x)": ("Truth", "#1f77b4", [1, 0]),
                "attention pooling ŷ(x)": ("Pred", "#bf00bf", [6, 3])},
    "new": {"attention pooling ŷ(x)": ("y_hat", "#1f77b4", [1, 0]),
            "truth f(x)": ("y", "#bf00bf", [6, 3])},
}
#: The classic edition's axis limits (``xlim=[0, 5], ylim=[-1, 5]``).
CLASSIC_LIMITS = ((0.0, 5.0), (-1.0, 5.0))


def book_fit_chart(points: pd.DataFrame, curves: pd.DataFrame, *, edition: str = "classic",
                   title: str = "", width: int = 320, height: int = 230):
    """A fit drawn as the book draws it (:data:`BOOK_LINES`): classic with its axis limits,
    the new edition without; training points as translucent circles."""
    lines = BOOK_LINES[edition]
    drawn = curves[curves["series"].isin(list(lines))].assign(
        series=lambda frame: frame["series"].map(lambda s: lines[s][0]))
    names = [label for label, _, _ in lines.values()]
    x_scale, y_scale = (alt.Scale(domain=list(limits), nice=False) for limits in CLASSIC_LIMITS) \
        if edition == "classic" else (alt.Scale(zero=False), alt.Scale(zero=False))
    dots = alt.Chart(points).mark_circle(color="#ff7f0e", opacity=0.5, size=24, clip=True).encode(
        x=alt.X("x:Q", scale=x_scale, title="x"), y=alt.Y("y:Q", scale=y_scale, title="y"))
    curve = alt.Chart(drawn).mark_line(strokeWidth=2, clip=True).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=names,
                                        range=[colour for _, colour, _ in lines.values()])),
        strokeDash=alt.StrokeDash("series:N", legend=None,
                                  scale=alt.Scale(domain=names,
                                                  range=[dash for _, _, dash in lines.values()])))
    return alt.layer(dots, curve).properties(width=width, height=height, title=title)


def fit_and_heatmap(points: pd.DataFrame, curves: pd.DataFrame, cells, *, title: str = "",
                    transposed: bool = False, width: int = 320):
    """One fit over its attention heatmap, in data units (the app's view)."""
    return alt.vconcat(
        fit_chart(points, curves, width=width, height=int(width * 0.6), title=f"Fit: {title}"),
        attention_heatmap(cells, width=width, height=int(width * 0.6), transposed=transposed,
                          title=f"Attention weights: {title}")).resolve_scale(color="independent")


def book_fit_and_heatmap(points: pd.DataFrame, curves: pd.DataFrame, cells, *,
                         edition: str = "classic", title: str = "", transposed: bool = False,
                         width: int = 320):
    """One fit over its attention matrix as the book draws them: classic ``plot_kernel_reg``
    and ``show_heatmaps`` with index axes labelled "Sorted training inputs" (keys) and "Sorted
    testing inputs" (queries); the new edition's y_hat / y and a bare-index ``imshow``."""
    labels = ("Sorted training inputs", "Sorted testing inputs") if edition == "classic" \
        else (None, None)
    if transposed:
        labels = labels[::-1]
    return alt.vconcat(
        book_fit_chart(points, curves, edition=edition, title=title, width=width,
                       height=int(width * 0.7)),
        show_heatmaps(cells.weights[None, None], xlabel=labels[0], ylabel=labels[1],
                      panel_size=int(width * 0.8), index_ticks=10, transposed=transposed),
    ).resolve_scale(color="independent")


def book_panel_grid(grid, *, transposed: bool = True, panel_size: int = 140):
    """A :class:`nwcore.views.PanelGrid` as the new edition draws it: per row of panels, the
    fits (y_hat, y) above their attention matrices with bare index axes (keys on rows when
    ``transposed``, as its ``imshow``), one colour scale for all."""
    matrices = grid.matrices()
    domain_max = float(np.nanmax(matrices)) if matrices.size else 1.0
    rows = []
    for r, row in enumerate(grid.panels):
        fits = [book_fit_chart(grid.points, curves, edition="new", title=grid.titles[r][c],
                               width=panel_size, height=int(panel_size * 0.75))
                for c, (_, curves) in enumerate(row)]
        rows.append(alt.hconcat(*fits).resolve_scale(color="shared", strokeDash="shared"))
        rows.append(show_heatmaps(matrices[r:r + 1], xlabel=None, ylabel=None,
                                  titles=grid.titles[r], panel_size=panel_size,
                                  index_ticks=10, transposed=transposed, domain_max=domain_max))
    return alt.vconcat(*rows, spacing=12).resolve_scale(color="independent")


def book_kernel_shapes_chart(shapes: pd.DataFrame, *, panel_width: int = 170,
                             panel_height: int = 130):
    """The new edition's kernel figure: one panel per kernel in a row, the book's name as the
    x label (``shapes``: x, K, title from :func:`nwcore.book.book_kernel_shapes`)."""
    panels = [alt.Chart(shapes[shapes["title"] == title]).mark_line(strokeWidth=2).encode(
        x=alt.X("x:Q", title=title), y=alt.Y("K:Q", title="K(x)" if i == 0 else None,
                                             scale=alt.Scale(domain=[0, 1.05])))
        .properties(width=panel_width, height=panel_height)
        for i, title in enumerate(dict.fromkeys(shapes["title"]))]
    return alt.hconcat(*panels)


def dataset_chart(points: pd.DataFrame, truth: pd.DataFrame | None, queries, *,
                  width: int = 560, height: int = 260):
    """The training points (keys, values), the true function when known (dashed), and the
    queries as ticks along a strip below."""
    layers = [alt.Chart(points).mark_circle(color="#555555", opacity=0.6, size=30).encode(
        x=alt.X("x:Q", title="x", scale=alt.Scale(zero=False)), y=alt.Y("y:Q", title="y"),
        tooltip=[alt.Tooltip("x:Q", title="key x_i", format=".3f"),
                 alt.Tooltip("y:Q", title="value y_i", format=".3f")])]
    if truth is not None:
        layers.append(alt.Chart(truth).mark_line(color=SERIES_COLOURS["truth f(x)"],
                                                 strokeDash=[6, 3], strokeWidth=2).encode(
            x=alt.X("x:Q"), y=alt.Y("truth:Q")))
    top = alt.layer(*layers).properties(width=width, height=height,
                                        title="Keys x_i and values y_i (points), truth f (dashed)")
    strip = alt.Chart(pd.DataFrame({"x": np.asarray(queries, dtype=np.float64)})).mark_tick(
        color="#d62728", thickness=2, size=14).encode(
        x=alt.X("x:Q", title=f"the {len(queries)} queries x"),
        tooltip=[alt.Tooltip("x:Q", title="query x", format=".2f")]).properties(
        width=width, height=20)
    return alt.vconcat(top, strip, spacing=6).resolve_scale(x="shared")


def _plain_curves(curves: pd.DataFrame):
    """Curves with fixed colours per series and no colour scale (for grids that share the
    weight colour scale)."""
    layers = [alt.Chart(curves[curves["series"] == name]).mark_line(
        color=colour, strokeWidth=2, strokeDash=[5, 3] if name == "truth f(x)" else [1, 0]).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y"))
        for name, colour in SERIES_COLOURS.items() if name in set(curves["series"])]
    return alt.layer(*layers)


def comparison_grid(panels, *, column_titles=None, row_titles=None, titles=None,
                    transposed: bool = False, panel_width: int = 150,
                    domain_max: float | None = None):
    """Small multiples of (heatmap over its fit) in data units, one shared colour scale.

    ``panels[r][c]`` is a pair (attention matrix, curves frame), see
    :func:`nwcore.views.comparison_panels`, titled ``titles[r][c]`` or "row · column" from
    ``row_titles`` and ``column_titles``. ``transposed`` shows d2l new edition's orientation:
    rows = keys, columns = queries.
    """
    if titles is None:
        titles = [[f"{row} · {column}" for column in column_titles] for row in row_titles]
    if domain_max is None:
        domain_max = max(float(cells.weights.max()) for row in panels for cells, _ in row)
    grid = []
    for r, row in enumerate(panels):
        columns = []
        for c, (cells, curves) in enumerate(row):
            heat = attention_heatmap(cells, width=panel_width, height=panel_width,
                                     title=titles[r][c],
                                     transposed=transposed, domain_max=domain_max)
            fit = _plain_curves(curves).properties(width=panel_width, height=110)
            columns.append(alt.vconcat(heat, fit, spacing=4))
        grid.append(alt.hconcat(*columns, spacing=16))
    return alt.vconcat(*grid, spacing=20).resolve_scale(color="shared")


def bandwidth_landscape_chart(curves: pd.DataFrame, markers: pd.DataFrame, *,
                              width: int = 680, height: int = 320):
    """Error criteria against h on a log axis (bottom: h, top: w = 1/h), with marked choices.

    ``curves``: long format (h, error, criterion); ``markers``: (h, label) vertical rules.
    Errors that are undefined (NaN) or 0 have no place on the log axis and are not drawn.
    """
    h_min, h_max = float(curves["h"].min()), float(curves["h"].max())
    h_scale = alt.Scale(type="log", domain=[h_min, h_max], nice=False)
    h_axis = alt.X("h:Q", title="bandwidth h (log scale)", scale=h_scale)
    drawable = curves[np.isfinite(curves["error"]) & (curves["error"] > 0)]
    shown = [c for c in CRITERION_COLOURS if c in set(curves["criterion"])]  # legend: what applies
    lines = alt.Chart(drawable).mark_line(strokeWidth=2.5).encode(
        x=h_axis,
        y=alt.Y("error:Q", title="mean squared error (log scale)", scale=alt.Scale(type="log")),
        color=alt.Color("criterion:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=shown, range=[CRITERION_COLOURS[c] for c in shown])),
        tooltip=[alt.Tooltip("criterion:N"), alt.Tooltip("h:Q", format=".4g"),
                 alt.Tooltip("error:Q", format=".4g")],
    )
    rules = alt.Chart(markers).mark_rule(strokeDash=[4, 3], color="#444444").encode(
        x=h_axis,
        tooltip=[alt.Tooltip("label:N", title="marker"), alt.Tooltip("h:Q", format=".4g")],
    )
    # Labels of neighbouring markers are staggered down the plot so that they do not overlap.
    staggered = markers.sort_values("h").assign(
        label_y=[4 + (height // 3) * (i % 3) for i in range(len(markers))])
    labels = alt.Chart(staggered).mark_text(angle=270, align="right", dx=-4, fontSize=11,
                                            baseline="bottom").encode(
        x=h_axis, y=alt.Y("label_y:Q", scale=None), text=alt.Text("label:N"))
    landscape = alt.layer(lines, rules, labels)
    w_axis = alt.Chart(pd.DataFrame({"w": [1.0 / h_max, 1.0 / h_min]})).mark_point(
        opacity=0).encode(
        x=alt.X("w:Q", title="w = 1/h (d2l's learnable parameter)",
                scale=alt.Scale(type="log", domain=[1.0 / h_max, 1.0 / h_min], nice=False,
                                reverse=True),
                axis=alt.Axis(orient="top")),
        y=alt.YValue(0))
    return alt.layer(landscape, w_axis).resolve_scale(x="independent").properties(
        width=width, height=height, title="Bandwidth landscape")


def training_chart(history: pd.DataFrame, *, width: int = 320, height: int = 220):
    """Loss at every gradient step (``history``: step, w, loss)."""
    return alt.Chart(history).mark_line(point=True).encode(
        x=alt.X("step:Q", title="step (epoch)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("loss:Q", title="training loss", scale=alt.Scale(type="log")),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("w:Q", format=".4g"),
                 alt.Tooltip("loss:Q", format=".4g")],
    ).properties(width=width, height=height, title="Loss per step")


def readable_labels(x, y, *, x_domain, y_domain, width: int, height: int,
                    min_distance: float = 18.0) -> np.ndarray:
    """Which points of a path on log-log axes to label so that no two labels are closer than
    ``min_distance`` pixels: the first and the last always, then each point in order if it is
    far enough from every label kept (a boolean mask)."""
    def pixels(values, domain, size):
        low, high = np.log(domain[0]), np.log(domain[1])
        return size * (np.log(np.asarray(values, dtype=np.float64)) - low) / (high - low or 1.0)

    px, py = pixels(x, x_domain, width), pixels(y, y_domain, height)
    keep = np.zeros(px.size, dtype=bool)
    for i in [0, px.size - 1, *range(1, px.size - 1)]:
        kept = np.flatnonzero(keep)
        if np.all(np.hypot(px[kept] - px[i], py[kept] - py[i]) >= min_distance):
            keep[i] = True
    return keep


def w_path_chart(curve: pd.DataFrame, history: pd.DataFrame, *, curve_field: str = "error",
                 path_field: str = "loo_error", y_title: str = "LOO-CV error",
                 optimum_w: float | None = None,
                 title: str = "Path of w over the LOO-CV curve", width: int = 320,
                 height: int = 240):
    """The path of w (history: step, w, ``path_field``) over a curve of w (``curve``: w,
    ``curve_field``), both axes logarithmic; steps labelled where the labels stay readable; a
    rule at ``optimum_w`` (the curve's minimum) when given.

    Values ≤ 0 have no place on the log axis, and curve points more than 100 times below the
    path's lowest are left out (without leave-one-out the loss falls towards 0).
    """
    path = history[history[path_field] > 0]
    floor = float(path[path_field].min()) / 100 if len(path) else 0.0
    curve = curve[curve[curve_field] > floor]
    ws = np.concatenate([curve["w"].to_numpy(), path["w"].to_numpy()])
    ys = np.concatenate([curve[curve_field].to_numpy(), path[path_field].to_numpy()])
    x_domain, y_domain = [float(ws.min()), float(ws.max())], [float(ys.min()), float(ys.max())]
    labelled = path[readable_labels(path["w"], path[path_field], x_domain=x_domain,
                                    y_domain=y_domain, width=width, height=height)]
    w_scale = alt.Scale(type="log", domain=x_domain, nice=False)
    y_scale = alt.Scale(type="log", domain=y_domain, nice=False)
    line = alt.Chart(curve).mark_line(color="#1f77b4", strokeWidth=2.5).encode(
        x=alt.X("w:Q", title="w = 1/h (log scale)", scale=w_scale),
        y=alt.Y(f"{curve_field}:Q", title=y_title, scale=y_scale))
    steps = alt.Chart(path).mark_line(color="#d62728", point=alt.OverlayMarkDef(
        color="#d62728", size=50)).encode(
        x=alt.X("w:Q", scale=w_scale), y=alt.Y(f"{path_field}:Q", scale=y_scale),
        order=alt.Order("step:Q"),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("w:Q", format=".4g"),
                 alt.Tooltip(f"{path_field}:Q", title=y_title, format=".4g")])
    labels = alt.Chart(labelled).mark_text(dy=-11, fontSize=11, fontWeight="bold").encode(
        x=alt.X("w:Q", scale=w_scale), y=alt.Y(f"{path_field}:Q", scale=y_scale),
        text=alt.Text("step:Q"))
    layers = [line, steps, labels]
    if optimum_w is not None:
        marker = pd.DataFrame({"w": [optimum_w], "label": [f"minimum w = {optimum_w:.3g}"]})
        rule = alt.Chart(marker).mark_rule(strokeDash=[4, 3], color="#444444").encode(
            x=alt.X("w:Q", scale=w_scale))
        text = alt.Chart(marker).mark_text(align="left", dx=4, dy=6, baseline="top",
                                           fontSize=11, color="#444444").encode(
            x=alt.X("w:Q", scale=w_scale), y=alt.YValue(0), text=alt.Text("label:N"))
        layers += [rule, text]
    return alt.layer(*layers).properties(width=width, height=height, title=title)


def pinned_query_chart(detail: pd.DataFrame, kernel_curve: pd.DataFrame, query: float, *,
                       width: int = 640, height: int = 200):
    """The kernel drawn at the pinned query x and each key's weight α_i as a stem.

    ``detail``: key_x, weight (from :func:`nwcore.views.query_detail`); ``kernel_curve``: (t, K)
    with K scaled so that its peak equals the largest weight.
    """
    curve = alt.Chart(kernel_curve).mark_area(opacity=0.25, color="#d62728", line=True).encode(
        x=alt.X("t:Q", title="x"), y=alt.Y("K:Q", title="weight α_i"))
    stems = alt.Chart(detail).mark_rule(color="#d62728", strokeWidth=2).encode(
        x=alt.X("key_x:Q"), y=alt.Y("weight:Q"), y2=alt.Y2Datum(0),
        tooltip=[alt.Tooltip("key_x:Q", title="key x_i", format=".3f"),
                 alt.Tooltip("weight:Q", title="α_i", format=".5f")])
    heads = alt.Chart(detail).mark_circle(color="#d62728", size=30).encode(
        x=alt.X("key_x:Q"), y=alt.Y("weight:Q"))
    marker = alt.Chart(pd.DataFrame({"t": [query]})).mark_rule(strokeDash=[4, 3]).encode(
        x=alt.X("t:Q"))
    return alt.layer(curve, stems, heads, marker).properties(
        width=width, height=height, title=f"Kernel centred at the pinned query x = {query:.3f}")
