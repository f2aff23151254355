"""Learned pooling as the pages show it: standardised training, the loss minimised, its exact
minimum, readable step labels, and the diagnosis of a run."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import nwcore
from nwcore import book, charts, views
from nwcore.learning import standardised

CLASSIC = nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)
NEW = nwcore.generated_dataset("2sin_x", 40, 1.0, 0)


def motorcycle_like(seed: int = 7) -> nwcore.Dataset:
    """Times 2.4–57.6 ms and accelerations of about −150…100 g, like MASS's mcycle."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(2.4, 57.6, 133)).round(1)
    y = (-130 * np.exp(-((x - 21) / 4) ** 2) + 60 * np.exp(-((x - 31) / 6) ** 2)
         + rng.normal(0, 1, 133) * np.where(x < 14, 2, 22)).round(1)
    return nwcore.Dataset(frame=pd.DataFrame({"x": x, "y": y}), label="motorcycle-like",
                          source="uploaded", key=f"moto:{seed}")


def run(data, **settings_):
    options = {"lr": 0.5, "epochs": 5, "w0": 0.5, "leave_one_out": True, "loss": "sum",
               **settings_}
    return views.learned_pooling_run(data, **options)


# --- standardised training ---------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(x_scale=st.floats(1e-3, 1e3), x_shift=st.floats(-1e3, 1e3),
       y_scale=st.floats(1e-3, 1e3), y_shift=st.floats(-1e3, 1e3))
def test_standardised_training_does_not_depend_on_the_units(x_scale, x_shift, y_scale, y_shift):
    keys, values = CLASSIC.keys, CLASSIC.values
    base = nwcore.train_parametric(keys, values, w0=0.5, lr=0.5, epochs=4, standardise=True)
    moved = nwcore.train_parametric(keys * x_scale + x_shift, values * y_scale + y_shift,
                                    w0=0.5, lr=0.5, epochs=4, standardise=True)
    np.testing.assert_allclose(moved.w * x_scale, base.w, rtol=1e-7)
    np.testing.assert_allclose(moved.loss, base.loss, rtol=1e-7)
    np.testing.assert_allclose(moved.gradient / x_scale, base.gradient, rtol=1e-6, atol=1e-9)


def test_standardised_training_is_plain_training_on_z_scores():
    keys, values = CLASSIC.keys, CLASSIC.values
    z_keys, z_values, x_scale = standardised(keys, values)
    assert x_scale == pytest.approx(keys.std())
    assert z_keys.mean() == pytest.approx(0, abs=1e-12) and z_values.std() == pytest.approx(1)
    plain = nwcore.train_parametric(z_keys, z_values, w0=0.5, lr=0.5, epochs=3)
    scaled = nwcore.train_parametric(keys, values, w0=0.5, lr=0.5, epochs=3, standardise=True)
    np.testing.assert_allclose(scaled.w, plain.w / x_scale, rtol=1e-12)
    np.testing.assert_allclose(scaled.loss, plain.loss, rtol=1e-12)
    constant = standardised(np.full(5, 3.0), np.arange(5.0))
    assert constant[2] == 1.0 and np.all(constant[0] == 0)


def test_loss_curve_is_the_loss_training_reports():
    for data, options in ((CLASSIC, {}), (NEW, {"leave_one_out": False, "loss": "half_sum"}),
                          (motorcycle_like(), {"standardise": True, "loss": "mean"})):
        history = book.train_with_loss_form(data.keys, data.values, w0=0.5, lr=0.5, epochs=3,
                                            **options)
        curve = book.loss_curve(data.keys, data.values, history.w, **options)
        np.testing.assert_allclose(curve, history.loss, rtol=1e-12)


# --- the run the page shows --------------------------------------------------------------------

def test_run_draws_the_loss_minimised_and_its_exact_minimum():
    result = run(CLASSIC)
    exact = minimize_scalar(lambda w: nwcore.loss_and_gradient(CLASSIC.keys, CLASSIC.values,
                                                               w)[0],
                            bounds=(1.0, 20.0), method="bounded", options={"xatol": 1e-10}).x
    assert result.optimum_w == result.best_w == pytest.approx(exact, rel=2e-3)
    assert round(result.optimum_w, 2) == 4.93
    curve = result.loss_curve
    assert curve["w"].min() < result.optimum_w < curve["w"].max()
    assert curve["w"].max() >= result.history["w"].max() * 2
    np.testing.assert_allclose(curve["loss"], book.loss_curve(CLASSIC.keys, CLASSIC.values,
                                                              curve["w"]), rtol=1e-12)
    assert result.first_steps == pytest.approx(book.first_steps(CLASSIC.keys, CLASSIC.values,
                                                                w0=0.5, lr=0.5))
    without = run(CLASSIC, leave_one_out=False)
    assert without.optimum_w is None
    np.testing.assert_allclose(without.loss_curve["loss"],
                               book.loss_curve(CLASSIC.keys, CLASSIC.values,
                                               without.loss_curve["w"], leave_one_out=False))


@pytest.mark.parametrize("epochs", [5, 50, 200])
def test_step_labels_stay_readable_at_any_epoch_count(epochs):
    result = run(CLASSIC, epochs=epochs)
    chart = charts.w_path_chart(result.loss_curve, result.history, curve_field="loss",
                                path_field="loss", optimum_w=result.optimum_w)
    spec = json.loads(chart.to_json())
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    labelled = pd.DataFrame(spec["datasets"][texts[0]["data"]["name"]])
    assert {0, epochs} <= set(labelled["step"])
    x_domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    y_domain = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    px = 320 * np.log(labelled["w"] / x_domain[0]) / np.log(x_domain[1] / x_domain[0])
    py = 240 * np.log(labelled["loss"] / y_domain[0]) / np.log(y_domain[1] / y_domain[0])
    distances = np.hypot(px.to_numpy()[:, None] - px.to_numpy(),
                         py.to_numpy()[:, None] - py.to_numpy())
    assert distances[np.triu_indices(len(labelled), 1)].min() >= 18


def test_readable_labels_keeps_the_ends_and_spaces_the_rest():
    x = np.geomspace(1, 100, 50)
    keep = charts.readable_labels(x, np.ones(50), x_domain=[1, 100], y_domain=[0.5, 2],
                                  width=200, height=100, min_distance=20)
    assert keep[0] and keep[-1] and 5 <= keep.sum() <= 11
    same = charts.readable_labels(np.full(7, 3.0), np.full(7, 2.0), x_domain=[1, 10],
                                  y_domain=[1, 10], width=300, height=200)
    assert same.tolist() == [True] + [False] * 6


def test_describe_training_says_what_the_steps_did():
    text = views.describe_training(run(CLASSIC))
    assert text.startswith("The first step moved w from 0.5 to 21.3")
    assert "moved it to 20.6, 2 % of the way back towards the minimum of the loss" in text
    assert "drift" not in text
    assert "to 4.93, the minimum of the loss" in views.describe_training(run(CLASSIC, epochs=200))
    assert "on up" in views.describe_training(run(CLASSIC, epochs=20, leave_one_out=False))
    raw = views.describe_training(run(motorcycle_like()))
    assert "away from the minimum" in raw or "The loss went from 5.71e+04 to 8.55e+04" in raw


def test_check_training_flags_what_went_wrong_and_says_what_to_try():
    problems, remedies = views.check_training(run(CLASSIC), CLASSIC)
    assert any("narrower than the typical gap" in p for p in problems)
    assert any("4.19 × the minimum" in p for p in problems)
    assert any("lr ≈ 0.106" in r for r in remedies)
    assert views.check_training(run(CLASSIC, epochs=200), CLASSIC) == ([], [])
    data = motorcycle_like()
    problems, remedies = views.check_training(run(data), data)
    assert problems[0].startswith("The loss rose")
    assert any("standardised" in r for r in remedies)
    good = run(data, standardise=True)
    assert good.history["loss"].is_monotonic_decreasing
    assert views.check_training(good, data) == ([], [])
    problems, remedies = views.check_training(run(CLASSIC, epochs=30, leave_one_out=False),
                                              CLASSIC)
    assert problems and any("Switch leave-one-out on" in r for r in remedies)
    wide = run(CLASSIC, w0=0.01, lr=1e-4, epochs=1)
    assert any("wider than the data's whole x range" in p
               for p in views.check_training(wide, CLASSIC)[0])


@pytest.mark.parametrize("data, standardise", [(CLASSIC, False), (CLASSIC, True),
                                               (motorcycle_like(3), True)])
def test_the_suggested_learning_rate_lands_the_first_step_at_the_minimum(data, standardise):
    overshooting = run(data, lr=5.0, standardise=standardise)
    tips = " ".join(views.check_training(overshooting, data)[1])
    lr = float(re.search(r"lr ≈ ([0-9.e+-]+) would land", tips).group(1))
    landed = run(data, lr=lr, epochs=1, standardise=standardise)
    assert landed.history["w"].iloc[1] == pytest.approx(landed.optimum_w, rel=0.01)


# --- panels and tables -------------------------------------------------------------------------

def test_panel_grid_layouts_and_titles():
    kernels, widths = ("gaussian", "average"), (0.2, 1.0)
    rows = views.panel_grid(NEW, kernels, widths)
    columns = views.panel_grid(NEW, kernels, widths, layout="kernels_columns")
    assert rows.titles == [["gaussian · h = 0.2", "gaussian · h = 1"],
                           ["average · h = 0.2", "average · h = 1"]]
    assert columns.titles == [list(column) for column in zip(*rows.titles)]
    np.testing.assert_array_equal(columns.matrices(), rows.matrices().transpose(1, 0, 2, 3))
    assert rows.matrices().shape == (2, 2, 50, 40)
    np.testing.assert_allclose(rows.matrices()[1, 0], 1 / 40)
    row = views.panel_grid(NEW, ("gaussian", "boxcar", "average", "triangular"), (1.0,),
                           layout="kernels_columns", book_names=True)
    assert row.titles == [["Gaussian", "Boxcar", "Constant", "Epanechikov"]]
    study = views.panel_grid(NEW, ("gaussian",), book.WIDTH_STUDY_SIGMAS, book_names=True)
    assert study.titles == [["Sigma 0.1", "Sigma 0.2", "Sigma 0.5", "Sigma 1"]]
    with pytest.raises(ValueError, match="unknown layout"):
        views.panel_grid(NEW, kernels, widths, layout="diagonal")
    for transposed in (True, False):
        assert json.loads(charts.book_panel_grid(row, transposed=transposed).to_json())


def test_decomposition_table_total_is_the_prediction():
    detail = views.query_detail(2.0, CLASSIC.keys, CLASSIC.values, bandwidth=0.3)
    table = views.decomposition_table(detail, rows=5)
    assert list(table.index) == ["Σ over all 50 keys = ŷ(x)", "1", "2", "3", "4", "5"]
    expected = nwcore.nadaraya_watson([2.0], CLASSIC.keys, CLASSIC.values, bandwidth=0.3)[0]
    assert table["contribution"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert table["weight"].iloc[0] == pytest.approx(1.0, abs=1e-12)
    assert table["contribution"].iloc[0] != pytest.approx(table["contribution"].iloc[1:].sum())


def test_book_charts_use_the_books_axes_and_labels():
    view = views.explorer_view(CLASSIC, pooling="gaussian", bandwidth=1.0)
    points = views.display_points(CLASSIC.keys, CLASSIC.values)
    classic = json.loads(charts.book_fit_and_heatmap(points, view.curves, view.cells).to_json())
    text = json.dumps(classic)
    assert "Sorted training inputs" in text and "Sorted testing inputs" in text
    assert '"domain": [-1.0, 5.0]' in text and '"domain": [0.0, 5.0]' in text
    series = {row["series"] for data in classic["datasets"].values() for row in data
              if "series" in row}
    assert series == {"Truth", "Pred"}
    new = json.dumps(json.loads(charts.book_fit_chart(points, view.curves,
                                                      edition="new").to_json()))
    assert '"y_hat"' in new and '"y"' in new and "-1.0" not in new
    transposed = json.loads(charts.show_heatmaps(view.cells.weights[None, None],
                                                 transposed=True, index_ticks=10).to_json())
    encoding = transposed["vconcat"][0]["hconcat"][0]["encoding"]
    assert encoding["y"]["field"] == "key" and encoding["x"]["field"] == "query"
    assert encoding["x"]["axis"]["values"] == [0, 10, 20, 30, 40]
    shapes = json.loads(charts.book_kernel_shapes_chart(book.book_kernel_shapes()).to_json())
    assert [panel["encoding"]["x"]["title"] for panel in shapes["hconcat"]] == [
        "Gaussian", "Boxcar", "Constant", "Epanechikov"]
