"""The consistency experiment: determinism, progress and cancelling, slopes against theory."""

import numpy as np
import pytest

import nwcore
from nwcore.consistency import LOO_SLOPE, truth

SMALL = [60, 120, 240]


def test_fit_log_slope_recovers_a_power_law_and_skips_unusable_points():
    sizes = np.array([10, 100, 1000, 10_000, 100_000])
    errors = 3.0 * sizes ** -0.8
    slope, intercept = nwcore.fit_log_slope(sizes, errors)
    assert slope == pytest.approx(-0.8, abs=1e-12)
    assert intercept == pytest.approx(np.log(3.0), abs=1e-12)
    errors[1], errors[3] = np.nan, 0.0
    assert nwcore.fit_log_slope(sizes, errors)[0] == pytest.approx(-0.8, abs=1e-12)
    with pytest.raises(ValueError, match="two or more"):
        nwcore.fit_log_slope([10, 20], [1.0, np.nan])


@pytest.mark.parametrize("dimension", [1, 2])
def test_same_seed_same_numbers_and_the_result_shapes(dimension):
    first = nwcore.consistency_experiment(dimension, sizes=SMALL, repetitions=2, seed=5)
    again = nwcore.consistency_experiment(dimension, sizes=SMALL, repetitions=2, seed=5)
    other = nwcore.consistency_experiment(dimension, sizes=SMALL, repetitions=2, seed=6)
    np.testing.assert_array_equal(first.mse_runs, again.mse_runs)
    assert not np.array_equal(first.mse_runs, other.mse_runs)
    assert first.mse_runs.shape == (3, 2) and np.all(first.mse_runs > 0)
    np.testing.assert_allclose(first.bandwidths,
                               first.constant * np.array(SMALL) ** (-1 / (4 + dimension)))
    assert first.theoretical_slope == pytest.approx(-4 / (4 + dimension))
    assert first.loo_mse is None
    frame = first.frame()
    assert list(frame.columns) == ["n", "bandwidth_choice", "repetition", "h", "mse"]
    assert len(frame) == 6 and set(frame["bandwidth_choice"]) == {"rate"}


def test_the_error_is_measured_against_the_truth():
    """The error against f falls with n and is small at n = 20 000."""
    result = nwcore.consistency_experiment(1, sizes=[200, 20_000], repetitions=1)
    assert result.mse[1] < result.mse[0] < 0.05
    x = np.array([[1.0, 2.0], [3.0, 0.0]])
    np.testing.assert_allclose(truth(2, x), 2 * np.sin(x[:, 0]) * np.cos(x[:, 1] / 2)
                               + x[:, 1] / 2)
    np.testing.assert_allclose(truth(1, [1.0]), 2 * np.sin(1.0) + 1.0)


def test_leave_one_out_bandwidths_are_chosen_per_sample_up_to_the_cap(monkeypatch):
    monkeypatch.setattr("nwcore.consistency.MAX_LOO_SIZE", 150)
    result = nwcore.consistency_experiment(1, sizes=SMALL, repetitions=2, loo_cv=True)
    assert np.all(np.isfinite(result.loo_bandwidths[:2])) and np.all(np.isnan(
        result.loo_bandwidths[2]))
    keys_seeded = result.loo_bandwidths[0]
    assert keys_seeded[0] != keys_seeded[1]  # each repetition draws its own sample
    assert set(result.frame()["bandwidth_choice"]) == {"rate", "loo_cv"}
    assert len(result.frame()) == 6 + 4  # NaN rows dropped


def test_progress_reaches_one_and_an_exception_cancels():
    fractions = []
    nwcore.consistency_experiment(2, sizes=SMALL, repetitions=2, progress=fractions.append)
    assert fractions[0] == 0.0 and fractions[-1] == pytest.approx(1.0)
    assert np.all(np.diff(fractions) > 0) and len(fractions) == 1 + 3 * 2

    class Cancelled(Exception):
        pass

    calls = []

    def cancel_at_half(fraction):
        calls.append(fraction)
        if fraction >= 0.5:
            raise Cancelled

    with pytest.raises(Cancelled):
        nwcore.consistency_experiment(1, sizes=SMALL, repetitions=2, progress=cancel_at_half)
    assert calls[-1] < 1.0


@pytest.mark.parametrize("arguments, message", [
    ({"dimension": 3}, "dimension"), ({"sizes": [100]}, "sizes"),
    ({"sizes": [5, 100]}, "sizes"), ({"sizes": [100, 10**6]}, "sizes"),
    ({"sizes": [10.5, 100.0]}, "sizes"), ({"repetitions": 0}, "repetitions"),
    ({"repetitions": 50}, "repetitions"), ({"constant": 0.0}, "constant"),
    ({"seed": -3}, "seed")])
def test_bad_arguments_are_rejected(arguments, message):
    with pytest.raises(ValueError, match=message):
        nwcore.consistency_experiment(**arguments)


@pytest.mark.slow
@pytest.mark.parametrize("dimension", [1, 2])
def test_measured_slope_is_close_to_the_theory(dimension):
    """-4/(4+d): -0.8 in 1-D, -0.667 in 2-D (measured -0.82 and -0.66 with 10 repetitions)."""
    result = nwcore.consistency_experiment(dimension, repetitions=10)
    assert result.slope() == pytest.approx(result.theoretical_slope, abs=0.08)


def test_plot_lines_fit_the_means_and_draw_the_theory_through_them():
    from nwcore.consistency import consistency_lines, log_sizes

    sizes = log_sizes(2000, count=4)
    assert sizes.tolist() == [100, 271, 737, 2000]
    result = nwcore.consistency_experiment(1, sizes=sizes[:3], repetitions=2, loo_cv=True)
    lines = consistency_lines(result)
    series = list(dict.fromkeys(lines["series"]))
    assert series[0].startswith("mean") and series[1].startswith("fitted")
    assert series[2] == "theory: slope -4/(4+1) = -0.800"
    assert series[3].startswith("leave-one-out")
    mean, fitted, theory = (lines[lines["series"] == name] for name in series[:3])
    np.testing.assert_allclose(mean["mse"], result.mse)
    slope, intercept = nwcore.fit_log_slope(result.sizes, result.mse)
    np.testing.assert_allclose(np.log(fitted["mse"]), intercept + slope * np.log(fitted["n"]))
    theory_slope = np.diff(np.log(theory["mse"])) / np.diff(np.log(theory["n"]))
    np.testing.assert_allclose(theory_slope, -0.8)
    centre = np.exp(np.mean(np.log(result.sizes)))  # both lines pass through the centre
    at_centre = [np.interp(np.log(centre), np.log(line["n"]), np.log(line["mse"]))
                 for line in (fitted, theory)]
    assert at_centre[0] == pytest.approx(at_centre[1], abs=1e-12)


def test_the_slope_table_has_a_row_per_dimension_and_the_loo_column_when_run():
    rate_only = [nwcore.consistency_experiment(d, sizes=SMALL, repetitions=1) for d in (1, 2)]
    table = nwcore.slope_table(rate_only)
    assert list(table["d"]) == [1, 2]
    np.testing.assert_allclose(table["fitted slope"], [r.slope() for r in rate_only])
    np.testing.assert_allclose(table["theory −4/(4+d)"], [-0.8, -4 / 6])
    assert LOO_SLOPE not in table
    with_loo = nwcore.consistency_experiment(1, sizes=SMALL, repetitions=1, loo_cv=True)
    row = nwcore.slope_table([with_loo]).iloc[0]
    assert row[LOO_SLOPE] == nwcore.fit_log_slope(with_loo.sizes, with_loo.loo_mse)[0]
