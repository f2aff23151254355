"""Learned scoring functions: analytic gradients, d2l's model, determinism, the divergence guard."""

import numpy as np
import pytest

import nwcore

PARAMETERS = {
    "d2l_width": {"log_width": np.array([1.2])},
    "region_widths": {"log_width": np.array([1.0, 2.0, 0.5, 1.5])},
    "additive": {"W_q": np.array([0.3, -1.0, 2.0]), "W_k": np.array([-0.5, 1.0, -2.0]),
                 "v": np.array([1.0, 0.4, -0.3])},
}


def _classic(seed=0):
    data = nwcore.generate_preset("d2l_classic", seed)
    return data["x"].to_numpy(), data["y"].to_numpy()


def _naive_loss(keys, values, scores, leave_one_out):
    """The pooling loss written densely from a full score matrix."""
    if leave_one_out:
        np.fill_diagonal(scores, -np.inf)
    attention = np.exp(scores - scores.max(axis=1, keepdims=True))
    attention /= attention.sum(axis=1, keepdims=True)
    return np.sum((attention @ values - values) ** 2)


def _naive_scores(form, parameters, keys):
    if form == "additive":
        z = (keys - keys.mean()) / keys.std()
        hidden = np.tanh(z[:, None, None] * parameters["W_q"]
                         + z[None, :, None] * parameters["W_k"])
        return hidden @ parameters["v"]
    theta = parameters["log_width"]
    knots = np.linspace(keys.min(), keys.max(), theta.size)
    log_width = np.interp(keys, knots, theta) if theta.size > 1 else np.full(keys.size, theta[0])
    return -0.5 * ((keys[:, None] - keys[None, :]) * np.exp(log_width)[:, None]) ** 2


@pytest.mark.parametrize("form", list(PARAMETERS))
@pytest.mark.parametrize("leave_one_out", [True, False])
@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_gradients_match_central_finite_differences(form, leave_one_out, loss):
    keys, values = _classic()
    parameters = PARAMETERS[form]
    value, gradient = nwcore.scoring_loss_and_gradient(keys, values, parameters, form=form,
                                                       leave_one_out=leave_one_out, loss=loss)
    naive = _naive_loss(keys, values, _naive_scores(form, parameters, keys), leave_one_out)
    assert value == pytest.approx(naive / (keys.size if loss == "mean" else 1), rel=1e-12)
    assert set(gradient) == set(parameters)
    for name, array in parameters.items():
        for index in range(array.size):
            step = 1e-6
            shifted = [{key: item.copy() for key, item in parameters.items()} for _ in range(2)]
            shifted[0][name][index] += step
            shifted[1][name][index] -= step
            plus, minus = (nwcore.scoring_loss_and_gradient(
                keys, values, p, form=form, leave_one_out=leave_one_out, loss=loss)[0]
                for p in shifted)
            assert gradient[name][index] == pytest.approx((plus - minus) / (2 * step),
                                                          rel=1e-6, abs=1e-8)


def test_d2l_width_is_d2l_model_in_log_w():
    keys, values = _classic(2)
    for w in (0.5, 3.0, 12.0):
        value, gradient = nwcore.scoring_loss_and_gradient(
            keys, values, {"log_width": np.array([np.log(w)])}, form="d2l_width")
        d2l_value, d2l_gradient = nwcore.loss_and_gradient(keys, values, w)
        assert value == pytest.approx(d2l_value, rel=1e-12)
        assert gradient["log_width"][0] == pytest.approx(w * d2l_gradient, rel=1e-10)  # chain rule


def test_training_is_deterministic_and_lowers_the_loss():
    keys, values = _classic(1)
    first = nwcore.train_scoring(keys, values, form="additive", hidden=6, epochs=60, seed=3)
    again = nwcore.train_scoring(keys, values, form="additive", hidden=6, epochs=60, seed=3)
    other = nwcore.train_scoring(keys, values, form="additive", hidden=6, epochs=60, seed=4)
    np.testing.assert_array_equal(first.loss, again.loss)
    for name in first.parameters:
        np.testing.assert_array_equal(first.parameters[name], again.parameters[name])
    assert not np.array_equal(first.parameters["v"], other.parameters["v"])
    assert first.status == "completed" and first.message == ""
    assert first.loss.shape == (61,) and first.loss[-1] < first.loss[0]
    assert first.parameters["W_q"].shape == (6,)


def test_learned_d2l_width_reaches_the_leave_one_out_optimum():
    """Classic data, seed 0: the LOO sum of squares is lowest near w ≈ 5 (h ≈ 0.2)."""
    keys, values = _classic(0)
    fit = nwcore.train_scoring(keys, values, form="d2l_width", epochs=300, lr=0.05)
    bandwidths = np.geomspace(0.05, 1.0, 400)
    curve = nwcore.loo_cv_curve(keys, values, bandwidths)
    h = fit.bandwidths([2.0])[0]
    assert h == pytest.approx(bandwidths[np.argmin(curve)], rel=0.02)
    assert 3.0 < 1.0 / h < 7.0


def test_region_widths_learn_different_widths_and_overfit_without_leave_one_out():
    keys, values = _classic(0)
    fit = nwcore.train_scoring(keys, values, form="region_widths", regions=5, epochs=300)
    widths = fit.bandwidths(np.linspace(0.0, 5.0, 5))
    assert widths.max() / widths.min() > 2.0
    copying = nwcore.train_scoring(keys, values, form="region_widths", regions=5, epochs=300,
                                   lr=0.1, leave_one_out=False)
    assert copying.loss[-1] < 1e-3 * fit.loss[-1]  # every point attends to itself
    assert np.all(copying.bandwidths(keys) < 0.02)


def test_weights_and_predictions():
    keys, values = _classic(0)
    queries = nwcore.d2l_queries()
    for form in nwcore.SCORING_FORMS:
        fit = nwcore.train_scoring(keys, values, form=form, epochs=20)
        weights = fit.weights(queries)
        assert weights.shape == (queries.size, keys.size)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
        np.testing.assert_allclose(fit.predict(queries), weights @ values, atol=1e-12)
        assert fit.predict([]).shape == (0,)
    with pytest.raises(ValueError, match="no bandwidth"):
        fit.bandwidths(queries)
    with pytest.raises(ValueError, match="cells"):
        fit.weights(np.zeros(100_000))


@pytest.mark.parametrize("form", ["d2l_width", "region_widths"])
def test_divergence_stops_training_and_keeps_the_last_good_parameters(form):
    keys, values = _classic(0)
    fit = nwcore.train_scoring(keys, values, form=form, optimizer="gd", lr=1e6, epochs=50,
                               loss="sum")
    assert fit.status == "diverged" and "lower lr" in fit.message
    assert 1 <= fit.loss.size < 51 and np.all(np.isfinite(fit.loss))
    assert np.all(fit.loss <= 10 * fit.loss.min())
    for array in fit.parameters.values():
        assert np.all(np.isfinite(array))
    value, _ = nwcore.scoring_loss_and_gradient(keys, values, fit.parameters, form=form)
    assert value == pytest.approx(fit.loss[-1])
    start = nwcore.train_scoring(keys, values, form="d2l_width", w0=1e200, epochs=5)
    assert start.status == "diverged" and start.loss.size == 0 and "w0" in start.message


def test_progress_is_reported_each_epoch_and_can_stop_training():
    keys, values = _classic(0)
    seen = []
    nwcore.train_scoring(keys, values, form="additive", epochs=7,
                         on_epoch=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 7) for k in range(1, 8)]

    class Stop(Exception):
        pass

    def stop_at_three(done, total):
        if done == 3:
            raise Stop

    with pytest.raises(Stop):
        nwcore.train_scoring(keys, values, form="d2l_width", epochs=10, on_epoch=stop_at_three)


def test_additive_scores_saturate_instead_of_overflowing():
    """tanh bounds the hidden units: a huge step makes the softmax hard, the loss stays finite."""
    keys, values = _classic(0)
    fit = nwcore.train_scoring(keys, values, form="additive", optimizer="gd", lr=1e6, epochs=50,
                               loss="sum")
    assert np.all(np.isfinite(fit.loss)) and np.all(np.isfinite(fit.predict(keys)))


def test_bad_arguments_are_rejected():
    keys, values = _classic(0)
    for arguments, message in (({"form": "bilinear"}, "unknown form"),
                               ({"hidden": 0}, "hidden"),
                               ({"form": "region_widths", "regions": 99}, "regions"),
                               ({"lr": -1.0}, "lr"), ({"epochs": 1.5}, "epochs"),
                               ({"optimizer": "sgd"}, "optimizer"), ({"seed": -1}, "seed"),
                               ({"loss": "max"}, "loss")):
        with pytest.raises(ValueError, match=message):
            nwcore.train_scoring(keys, values, **arguments)
    with pytest.raises(ValueError, match="capped"):
        nwcore.train_scoring(np.arange(2001.0), np.arange(2001.0))
    with pytest.raises(ValueError, match="shapes"):
        nwcore.scoring_loss_and_gradient(keys, values, {"v": np.ones(2)}, form="additive")
