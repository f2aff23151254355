"""The learned scoring functions as the Learned pooling page shows them: dense attention matrices
as heatmap cells, each form's fit, losses and heatmap, and the charts."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nwcore
from nwcore import vector_charts, views
from nwcore.scoringview import MAX_SCORING_TRAINING, scoring_comparison

DATA = nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)


# --- dense attention matrices as heatmap cells -----------------------------------------------

@settings(max_examples=40, deadline=None)
@given(keys=st.lists(st.floats(-50, 50), min_size=1, max_size=160),
       h=st.floats(0.05, 20), bins=st.integers(1, 100))
def test_dense_cells_equal_the_engines_cells_of_the_same_weights(keys, h, bins):
    """Oracle: Gaussian NW weights computed densely, as cells, are the cells the engine makes
    itself (columns per key, or bin totals with more keys than bins), keys given unsorted."""
    keys = np.array(keys)
    values = np.cos(keys)
    queries = np.linspace(keys.min() - 1, keys.max() + 1, 9)
    dense = nwcore.attention_weights(queries, keys, bandwidth=h)
    got = views.dense_attention_cells(queries, keys, values, dense, max_key_bins=bins)
    want = views.attention_cells(queries, keys, values, bandwidth=h, max_key_bins=bins)
    np.testing.assert_allclose(got.weights, want.weights, atol=1e-12)
    for name in ("centres", "lo", "hi"):
        np.testing.assert_array_equal(getattr(got.key_axis, name), getattr(want.key_axis, name))
        np.testing.assert_array_equal(getattr(got.query_axis, name),
                                      getattr(want.query_axis, name))
    np.testing.assert_array_equal(got.key_counts, want.key_counts)
    assert got.binned == want.binned and got.n_keys == keys.size
    np.testing.assert_allclose(got.weights.sum(axis=1), 1.0, atol=1e-12)


def test_dense_cells_follow_each_key_to_its_sorted_column():
    keys = np.array([3.0, 1.0, 2.0])
    weights = np.array([[0.7, 0.2, 0.1]])  # for keys 3, 1, 2 as given
    cells = views.dense_attention_cells([2.0], keys, [30.0, 10.0, 20.0], weights)
    np.testing.assert_array_equal(cells.key_axis.centres, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(cells.weights, [[0.2, 0.1, 0.7]])
    np.testing.assert_array_equal(cells.key_values, [10.0, 20.0, 30.0])
    with pytest.raises(ValueError, match=r"weights must be \(queries × keys\) = \(1, 3\)"):
        views.dense_attention_cells([2.0], keys, [1.0, 2.0, 3.0], weights.T)


# --- the comparison ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def comparison():
    return scoring_comparison(DATA, epochs=60, w0=0.5)


def test_each_form_is_trained_and_evaluated_as_the_page_says(comparison):
    queries = DATA.queries()
    truth = nwcore.true_function(DATA.function, queries)
    assert [score.form for score in comparison.scores] == list(nwcore.SCORING_FORMS)
    assert [score.parameters for score in comparison.scores] == [1, 5, 24]
    for score in comparison.scores:
        fit = score.fit
        prediction = fit.predict(queries)
        assert score.truth_mse == pytest.approx(np.mean((prediction - truth) ** 2), rel=1e-12)
        # with leave-one-out the training loss is the leave-one-out loss
        assert score.loo_loss == pytest.approx(fit.loss[-1], rel=1e-12)
        fitted = score.curves[score.curves["series"] == "attention pooling ŷ(x)"]
        np.testing.assert_allclose(fitted["y"], prediction)
        assert "truth f(x)" in set(score.curves["series"])
        np.testing.assert_allclose(score.cells.weights, fit.weights(queries), atol=1e-12)
        assert (score.widths is None) == (score.form == "additive")
    widths = comparison.scores[0].widths["h"]
    assert np.ptp(widths) == 0 and widths[0] == pytest.approx(
        1 / np.exp(comparison.scores[0].fit.parameters["log_width"][0]))
    assert comparison.weight_top() == max(s.cells.weights.max() for s in comparison.scores)


def test_tables_for_the_charts(comparison):
    losses = comparison.losses()
    assert list(losses.columns) == ["epoch", "loss", "form"] and len(losses) == 3 * 61
    assert set(comparison.widths()["form"]) == {score.label for score in comparison.scores[:2]}
    table = comparison.table()
    assert list(table.columns) == ["form", "status", "training loss", "leave-one-out loss",
                                   "truth MSE"]
    assert table["form"].tolist()[2] == "additive attention (24 parameters)"
    uploaded = nwcore.Dataset(frame=DATA.frame[["x", "y"]], label="u", source="uploaded",
                              key="u")
    assert "truth MSE" not in scoring_comparison(uploaded, forms=("d2l_width",),
                                                 epochs=5).table()


def test_without_leave_one_out_the_widths_overfit_and_the_page_can_tell():
    """Self-attention lets the width forms copy each point's y: the training loss falls far
    below the leave-one-out loss, and the truth MSE rises."""
    fair = scoring_comparison(DATA, forms=("d2l_width", "region_widths"), w0=0.5)
    copied = scoring_comparison(DATA, forms=("d2l_width", "region_widths"), w0=0.5,
                                leave_one_out=False)
    for honest, cheat in zip(fair.scores, copied.scores):
        assert cheat.fit.loss[-1] < 0.1 * cheat.loo_loss
        assert cheat.truth_mse > 5 * honest.truth_mse


def test_the_same_settings_give_the_same_numbers_and_progress_reaches_one():
    fractions = []
    first = scoring_comparison(DATA, forms=("additive", "region_widths"), epochs=20, seed=3,
                               progress=fractions.append)
    second = scoring_comparison(DATA, forms=("additive", "region_widths"), epochs=20, seed=3)
    pd.testing.assert_frame_equal(first.losses(), second.losses())
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) == 40


def test_large_data_train_on_a_subsample_and_standardised_starts_in_z_units():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 1000, 5000))
    big = nwcore.Dataset(frame=pd.DataFrame({"x": x, "y": np.sin(x / 100)}), label="big",
                         source="uploaded", key="big")
    result = scoring_comparison(big, forms=("d2l_width",), epochs=0, w0=0.5, standardise=True)
    assert result.n_trained == MAX_SCORING_TRAINING
    fit = result.scores[0].fit
    start = 0.5 / np.std(fit.keys)
    assert fit.parameters["log_width"][0] == pytest.approx(np.log(start))


def test_bad_forms_are_refused():
    for forms in ((), ("softmax",)):
        with pytest.raises(ValueError, match="forms must be one or more of"):
            scoring_comparison(DATA, forms=forms)


def test_charts_of_the_losses_and_the_widths(comparison):
    for chart in (vector_charts.scoring_loss_chart(comparison.losses(), loss_title="loss"),
                  vector_charts.learned_widths_chart(comparison.widths(), x_title="x")):
        spec = chart.to_dict()
        assert spec["encoding"]["y"]["scale"]["type"] == "log"
        assert spec["encoding"]["color"]["field"] == "form"
    panels = vector_charts.scoring_panels_chart(
        nwcore.views.display_points(DATA.keys, DATA.values), comparison.scores,
        domain_max=0.5).to_dict()
    fits, heatmaps = panels["vconcat"]
    assert [fit["title"] for fit in fits["hconcat"]] == [
        "Fit: d2l's width w", "Fit: a width per region", "Fit: additive attention"]
    assert {json.dumps(heatmap["encoding"]["color"]["scale"]["domain"])
            for heatmap in heatmaps["hconcat"]} == {"[0, 0.5]"}
