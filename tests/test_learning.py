"""Learned (parametric) attention pooling: gradient, d2l's behaviour, guards."""

import numpy as np
import pytest

import nwcore
from nwcore.learning import MAX_TRAINING_POINTS


def _classic(seed):
    data = nwcore.generate_preset("d2l_classic", seed)
    return data["x"].to_numpy(), data["y"].to_numpy()


def _naive_loss(keys, values, w, leave_one_out, loss):
    """d2l's model written densely: softmax(-((x_i - x_j) w)² / 2) with the diagonal masked."""
    logits = -0.5 * ((keys[:, None] - keys[None, :]) * w) ** 2
    if leave_one_out:
        np.fill_diagonal(logits, -np.inf)
    attention = np.exp(logits - logits.max(axis=1, keepdims=True))
    attention /= attention.sum(axis=1, keepdims=True)
    squares = (attention @ values - values) ** 2
    return squares.sum() if loss == "sum" else squares.mean()


@pytest.mark.parametrize("leave_one_out", [True, False])
@pytest.mark.parametrize("loss", ["sum", "mean"])
@pytest.mark.parametrize("w", [0.3, 1.0, 5.0, 25.0])
def test_gradient_matches_central_finite_differences(leave_one_out, loss, w):
    keys, values = _classic(0)
    value, gradient = nwcore.loss_and_gradient(keys, values, w, leave_one_out=leave_one_out,
                                               loss=loss)
    assert value == pytest.approx(_naive_loss(keys, values, w, leave_one_out, loss), rel=1e-12)
    step = 1e-5 * w
    plus = nwcore.loss_and_gradient(keys, values, w + step, leave_one_out=leave_one_out,
                                    loss=loss)[0]
    minus = nwcore.loss_and_gradient(keys, values, w - step, leave_one_out=leave_one_out,
                                     loss=loss)[0]
    assert gradient == pytest.approx((plus - minus) / (2 * step), rel=1e-6, abs=1e-9)


def test_history_has_every_step():
    keys, values = _classic(1)
    history = nwcore.train_parametric(keys, values, w0=0.5, lr=0.5, epochs=3)
    assert history.w.shape == history.loss.shape == history.gradient.shape == (4,)
    assert history.w[0] == 0.5
    np.testing.assert_allclose(history.w[1:], np.abs(history.w[:-1] - 0.5 * history.gradient[:-1]))
    assert history.bandwidth == pytest.approx(1.0 / history.w[-1])
    mean = nwcore.train_parametric(keys, values, w0=0.5, lr=0.5, epochs=0, loss="mean")
    assert mean.loss[0] == pytest.approx(history.loss[0] / keys.size)


@pytest.mark.parametrize("seed", range(5))
def test_d2l_classic_recipe_overshoots_then_drifts(seed):
    """LOO, summed loss, lr 0.5, 5 epochs, w0 = 0.5: one step to w ≈ 15–30, loss falls."""
    keys, values = _classic(seed)
    history = nwcore.train_parametric(keys, values, w0=0.5, lr=0.5, epochs=5)
    assert 10.0 < history.w[1] < 40.0
    assert history.loss[-1] < history.loss[0]
    assert np.all(history.w > 0) and np.all(np.isfinite(history.loss))


def test_without_leave_one_out_w_keeps_growing_and_the_loss_vanishes():
    keys, values = _classic(0)
    history = nwcore.train_parametric(keys, values, w0=0.5, lr=0.5, epochs=50,
                                      leave_one_out=False)
    assert np.all(np.diff(history.w) > 0)
    assert np.all(np.diff(history.loss) < 0)
    assert history.loss[-1] < 0.1 * history.loss[0]
    # In the limit every point attends to itself: the loss tends to 0.
    assert nwcore.loss_and_gradient(keys, values, 1e4, leave_one_out=False)[0] < 1e-12


def test_a_step_past_zero_continues_from_the_mirror_image():
    keys, values = _classic(2)
    _, gradient = nwcore.loss_and_gradient(keys, values, 40.0)
    assert gradient > 0  # beyond the LOO optimum the loss rises with w
    lr = 2.0 * 40.0 / gradient  # lands on w = -40: the same model as +40
    history = nwcore.train_parametric(keys, values, w0=40.0, lr=lr, epochs=1)
    assert history.w[1] == pytest.approx(40.0)


def test_training_is_nan_free_for_extreme_widths():
    keys, values = _classic(3)
    for w in (1e-8, 1e6):
        value, gradient = nwcore.loss_and_gradient(keys, values, w)
        assert np.isfinite(value) and np.isfinite(gradient)


@pytest.mark.parametrize("arguments, message", [
    ({"w0": 0.0}, "w0"),
    ({"w0": -1.0}, "w0"),
    ({"w0": float("nan")}, "w0"),
    ({"lr": 0.0}, "lr"),
    ({"lr": "fast"}, "lr"),
    ({"epochs": -1}, "epochs"),
    ({"epochs": 2.5}, "epochs"),
    ({"loss": "half"}, "unknown loss"),
])
def test_bad_arguments_raise_value_error(arguments, message):
    keys, values = _classic(0)
    settings = {"w0": 0.5, "lr": 0.5, "epochs": 2, **arguments}
    with pytest.raises(ValueError, match=message):
        nwcore.train_parametric(keys, values, **settings)


def test_data_limits():
    with pytest.raises(ValueError, match="capped"):
        nwcore.train_parametric(np.zeros(MAX_TRAINING_POINTS + 1),
                                np.zeros(MAX_TRAINING_POINTS + 1), w0=1.0, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="at least 2"):
        nwcore.train_parametric([1.0], [2.0], w0=1.0, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="same length"):
        nwcore.train_parametric([1.0, 2.0], [2.0], w0=1.0, lr=0.1, epochs=1)
