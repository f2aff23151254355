"""Lesson steps are valid app states that match the book map; the book figure data are right."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import nwcore
from nwcore import book, lesson
from nwcore.lesson import (
    FIGURE_KINDS,
    LINK_KEYS,
    PAGE_KEYS,
    PARTS,
    STATE_KEYS,
    STEPS,
    TRAINING_KEYS,
    VIEW_KEYS,
)
from nwcore.params import format_view_params, parse_view_params

LESSON_MAP = Path(__file__).resolve().parents[1] / "docs" / "lesson-map.md"
SECTION = re.compile(r"§1[01]\.\d+(?:\.\d+)*(?: ex\. \d+[ab]?)?")


def classic_data():
    data = nwcore.generate_preset("d2l_classic", 0)
    return data["x"].to_numpy(), data["y"].to_numpy()


def new_data():
    data = nwcore.generate_preset("d2l_new", 0)
    return data["x"].to_numpy(), data["y"].to_numpy()


def map_rows():
    """(item, edition, section, kind, step or None) for each row of docs/lesson-map.md."""
    rows = []
    for line in LESSON_MAP.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        edition, section = cells[1].split(" ", 1)
        step = re.fullmatch(r"`([a-z0-9-]+)`", cells[-1])
        rows.append((cells[0].strip("`"), edition, section, cells[2],
                     step.group(1) if step else None))
    return rows


# --- the steps ---------------------------------------------------------------------------------

def test_ids_are_unique_url_safe_slugs():
    ids = [step.id for step in STEPS]
    assert len(ids) == len(set(ids))
    for step_id in ids:
        assert lesson.is_slug(step_id) and quote(step_id, safe="") == step_id
    assert not lesson.is_slug("Bad id") and not lesson.is_slug("-x") and not lesson.is_slug("")


def test_figure_kinds_and_parts_come_from_the_documented_sets_in_order():
    assert {step.figure for step in STEPS} <= set(FIGURE_KINDS)
    assert {"learned_scoring", "classify", "vectors_sphere", "consistency"} <= {
        step.figure for step in STEPS}
    positions = [PARTS.index(step.part) for step in STEPS]
    assert positions == sorted(positions) and set(positions) == set(range(len(PARTS)))


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.id)
def test_every_state_uses_known_keys_and_valid_values(step):
    chapter_keys = set(LINK_KEYS) | set(TRAINING_KEYS) | set(VIEW_KEYS)
    for state in (step.state, step.book):
        assert lesson.state_problems(state) == []
        assert chapter_keys <= set(state) <= chapter_keys | set(PAGE_KEYS)
        link = {name: state[name] for name in LINK_KEYS if state[name] is not None}
        clean, notices = parse_view_params(format_view_params(link))
        assert notices == [] and clean == link
    assert set(step.changes) <= set(step.book)


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.id)
def test_every_step_has_text_sections_and_sound_notes(step):
    assert step.title and 2 <= len(re.findall(r"[.!?](?:\s|$)", step.text)) <= 3
    assert step.text.count("$") % 2 == 0
    assert step.classic or step.new
    assert all(SECTION.fullmatch(s) and s.startswith("§10.") for s in step.classic)
    assert all(SECTION.fullmatch(s) and s.startswith("§11.") for s in step.new)
    assert step.sections.startswith("classic ") and " · new " in step.sections
    if step.erratum:
        assert all((step.erratum.title, step.erratum.book, step.erratum.correct,
                    step.erratum.why))
    if step.check:
        options = step.check.options
        assert len(options) >= 2 and len(set(options)) == len(options)
        assert 0 <= step.check.answer < len(options) and step.check.explanation


def test_book_states_follow_the_presets_and_the_figures():
    for step in STEPS:
        spec = nwcore.PRESETS[step.book["preset"]]
        assert (step.book["fn"], step.book["n"], step.book["noise"]) == (
            spec.function, spec.n, spec.noise)
    nw = lesson.book_settings("nadaraya-watson")
    assert (nw["preset"], nw["kernel"], nw["h"], nw["orientation"]) == (
        "d2l_classic", "gaussian", 1.0, "queries_rows")
    assert lesson.book_settings("average-pooling")["kernel"] == "average"
    row = lesson.book_settings("four-kernels")
    assert row["panel_kernels"] == ("gaussian", "boxcar", "average", "triangular")
    assert (row["preset"], row["orientation"], row["panel_layout"]) == (
        "d2l_new", "keys_rows", "kernels_columns")
    assert lesson.book_settings("width-study")["panel_widths"] == (0.1, 0.2, 0.5, 1.0)
    learned = lesson.book_settings("learned-pooling")
    assert {name: learned[name] for name in TRAINING_KEYS} == {
        "lr": 0.5, "epochs": 5, "w0": 0.5, "leave_one_out": True, "loss": "sum"}
    assert lesson.book_settings("loss-scale")["loss"] == "half_sum"


def test_training_keys_are_the_trainers_arguments():
    arguments = inspect.signature(nwcore.train_parametric).parameters
    assert set(TRAINING_KEYS) <= set(arguments)
    assert set(STATE_KEYS) == set(TRAINING_KEYS) | set(VIEW_KEYS) | set(PAGE_KEYS)


def test_link_keys_are_the_apps_state_keys():
    from ui.state import DEFAULTS

    assert set(LINK_KEYS) == set(DEFAULTS)


def test_state_problems_finds_bad_states():
    good = STEPS[0].state
    assert lesson.state_problems(good) == []
    bad_values = {"n": 0, "kernel": "cosine", "h": 0.0, "loss": "l1", "epochs": 2.5,
                  "book_view": "yes", "panel_widths": (), "panel_kernels": ("gaussian",) * 5,
                  "orientation": "diagonal", "lr": True, "w0": 1000.0}
    for name, value in bad_values.items():
        assert lesson.state_problems({**good, name: value}), name
    assert lesson.state_problems({**good, "colour": "red"}) == ["unknown key 'colour'"]
    missing = dict(good)
    del missing["loss"]
    assert lesson.state_problems(missing) == ["missing key 'loss'"]


def test_page_keys_are_optional_but_checked():
    good = STEPS[0].state
    assert not set(PAGE_KEYS) & set(good), "a chapter step leaves the other pages alone"
    assert lesson.state_problems({**good, "cls_preset": "blobs", "sc_forms": ("additive",),
                                  "con_loo": True, "vec_angle": 90.0}) == []
    bad_values = {"cls_preset": "spirals", "cls_h_mode": "guess", "cls_n": 2.5,
                  "vec_mode": "sphere", "vec_angle": 400.0, "sc_forms": (),
                  "sc_epochs": 0, "con_loo": "no", "con_largest": 10}
    for name, value in bad_values.items():
        assert lesson.state_problems({**good, name: value}), name


def test_each_exercise_beyond_the_chapter_sets_up_its_page():
    """The steps of the Classify, Vectors, learned-scoring and Consistency exercises carry
    every setting their figure reads, in ``book`` (Reset restores them), and the app's
    session defaults start the scoring and consistency settings where the lesson does."""
    from ui.state import SESSION_DEFAULTS

    prefixes = {"classify": "cls_", "vectors_sphere": "vec_", "learned_scoring": "sc_",
                "consistency": "con_"}
    for step in STEPS:
        page_keys = set(PAGE_KEYS) & set(step.state)
        if step.figure not in prefixes:
            assert not page_keys, step.id
            continue
        wanted = {name for name in PAGE_KEYS if name.startswith(prefixes[step.figure])}
        assert page_keys == wanted and page_keys <= set(step.book), step.id
    assert set(PAGE_KEYS) <= set(SESSION_DEFAULTS)
    for setup in (lesson.SCORING_SETUP, lesson.CONSISTENCY_SETUP):
        assert {name: SESSION_DEFAULTS[name] for name in setup} == setup
    parzen = lesson.step_by_id("ex-parzen-classification").state
    assert (parzen["cls_preset"], parzen["cls_source"], parzen["cls_h_mode"]) == (
        "threshold", "preset", "slider")
    assert lesson.step_by_id("ex-unit-sphere").state["vec_mode"] == "circle"
    assert lesson.step_by_id("ex-another-pooling").state["sc_forms"] == nwcore.SCORING_FORMS


def test_steps_are_read_only_and_reset_returns_a_copy():
    step = lesson.step_by_id("ex-more-data")
    with pytest.raises(TypeError):
        step.book["n"] = 5
    settings_ = lesson.book_settings("ex-more-data")
    settings_["n"] = 5
    assert step.book["n"] == 50 and step.state["n"] == 1000
    assert step.state == {**step.book, **step.changes}


# --- navigation --------------------------------------------------------------------------------

def test_lookup_previous_next_and_progress():
    first, last = STEPS[0].id, STEPS[-1].id
    assert lesson.previous_step(first) is None and lesson.next_step(last) is None
    for before, after in zip(STEPS, STEPS[1:]):
        assert lesson.next_step(before.id) is after
        assert lesson.previous_step(after.id) is before
    fractions = [lesson.progress(step.id) for step in STEPS]
    assert fractions[0] == pytest.approx(1 / len(STEPS)) and fractions[-1] == 1.0
    assert all(a < b for a, b in zip(fractions, fractions[1:]))
    assert lesson.step_by_id("nadaraya-watson").figure == "fit_and_heatmap"


@pytest.mark.parametrize("function", [lesson.step_by_id, lesson.step_index,
                                      lesson.previous_step, lesson.next_step, lesson.progress,
                                      lesson.book_settings])
def test_unknown_step_ids_are_told_clearly(function):
    with pytest.raises(ValueError, match=r"unknown lesson step 'nope'; choose one of "
                                         r"attention-cues, "):
        function("nope")


# --- the book map ------------------------------------------------------------------------------

def test_every_book_item_is_mapped_to_the_step_that_shows_it():
    rows = map_rows()
    items = [row[0] for row in rows]
    assert len(items) == len(set(items))
    kinds = [row[3] for row in rows]
    assert kinds.count("exercise") == 2 + 4 + 4 + 5
    assert kinds.count("figure") + kinds.count("code output") == 4 + 10 + 2 + 5
    for item, edition, section, kind, step_id in rows:
        if kind != "exercise":
            assert step_id is not None, f"{item} has no step"
        if step_id is None:
            continue
        step = lesson.step_by_id(step_id)
        assert item in step.shows
        assert section in (step.classic if edition == "classic" else step.new), item
    shown = {item for step in STEPS for item in step.shows}
    assert shown == {row[0] for row in rows if row[4] is not None}


# --- the book's figure data --------------------------------------------------------------------

def test_identity_heatmap_is_eye_in_four_dimensions():
    matrices = book.identity_heatmap()
    assert matrices.shape == (1, 1, 10, 10)
    np.testing.assert_array_equal(matrices[0, 0], np.eye(10))


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 30))
def test_random_softmax_rows_are_distributions(seed, size):
    matrices = book.random_softmax_heatmap(seed, size)
    assert matrices.shape == (1, 1, size, size)
    assert np.all(matrices > 0)
    np.testing.assert_allclose(matrices.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(matrices, book.random_softmax_heatmap(seed, size))


def test_random_softmax_default_seed_and_the_wrong_axis():
    default = book.random_softmax_heatmap()
    np.testing.assert_array_equal(default, book.random_softmax_heatmap(book.RANDOM_SOFTMAX_SEED))
    assert not np.allclose(default, book.random_softmax_heatmap(1))
    logits = np.random.default_rng(0).standard_normal((10, 10))
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(default[0, 0], expected, rtol=1e-12)
    slip = book.random_softmax_heatmap(over="queries")[0, 0]
    np.testing.assert_allclose(slip.sum(axis=0), 1.0, rtol=1e-12)
    assert not np.allclose(slip.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="over must be"):
        book.random_softmax_heatmap(over="rows")


def test_kernel_figure_matches_the_books_formulas():
    frame = book.book_kernel_shapes()
    x = np.arange(-2.5, 2.5, 0.1)
    formulas = {"Gaussian": np.exp(-x**2 / 2), "Boxcar": (np.abs(x) < 1.0).astype(float),
                "Constant": 1.0 + 0 * x, "Epanechikov": np.maximum(1 - np.abs(x), 0)}
    assert list(frame["title"].unique()) == list(formulas)
    for title, expected in formulas.items():
        panel = frame[frame["title"] == title]
        np.testing.assert_array_equal(panel["x"].to_numpy(), x)
        np.testing.assert_array_equal(panel["K"].to_numpy(), expected)
    assert [panel.kernel for panel in book.KERNEL_ROW] == [
        "gaussian", "boxcar", "constant", "triangular"]


def test_width_study_setup():
    assert [panel.title for panel in book.WIDTH_STUDY] == [
        "Sigma 0.1", "Sigma 0.2", "Sigma 0.5", "Sigma 1"]
    assert [panel.bandwidth for panel in book.WIDTH_STUDY] == [0.1, 0.2, 0.5, 1.0]
    assert {panel.pooling for panel in book.WIDTH_STUDY} == {"gaussian"}


def test_batch_matmul_outputs():
    shape, averages = book.batch_matmul_outputs()
    assert shape == (2, 1, 6)
    np.testing.assert_allclose(averages, [[[4.5]], [[14.5]]], rtol=1e-15)


# --- loss forms and the numbers the texts quote ------------------------------------------------

def test_loss_forms_scale_the_summed_loss():
    keys, values = classic_data()
    total = nwcore.loss_and_gradient(keys, values, 2.0, loss="sum")
    half = book.loss_form_and_gradient(keys, values, 2.0, loss="half_sum")
    mean = book.loss_form_and_gradient(keys, values, 2.0, loss="mean")
    assert half == pytest.approx((total[0] / 2, total[1] / 2), rel=1e-14)
    assert mean == pytest.approx((total[0] / 50, total[1] / 50), rel=1e-14)
    with pytest.raises(ValueError, match="unknown loss form 'l1'"):
        book.loss_form_and_gradient(keys, values, 2.0, loss="l1")


def test_half_sum_training_is_sum_training_at_half_the_rate():
    keys, values = classic_data()
    half = book.train_with_loss_form(keys, values, w0=0.5, lr=0.5, epochs=5, loss="half_sum")
    plain = nwcore.train_parametric(keys, values, w0=0.5, lr=0.25, epochs=5, loss="sum")
    np.testing.assert_array_equal(half.w, plain.w)
    np.testing.assert_allclose(half.loss, plain.loss / 2, rtol=1e-14)
    np.testing.assert_allclose(half.gradient, plain.gradient / 2, rtol=1e-14)


def test_first_steps_on_the_classic_preset():
    keys, values = classic_data()
    steps = book.first_steps(keys, values, w0=0.5, lr=0.5)
    _, gradient = nwcore.loss_and_gradient(keys, values, 0.5)
    assert steps["sum"] == pytest.approx(abs(0.5 - 0.5 * gradient), rel=1e-14)
    assert steps["half_sum"] == pytest.approx(abs(0.5 - 0.25 * gradient), rel=1e-14)
    assert steps["mean"] == pytest.approx(abs(0.5 - 0.5 * gradient / 50), rel=1e-14)
    assert round(steps["sum"], 1) == 21.3 and round(steps["half_sum"], 1) == 10.9


def test_loss_curve_is_the_loss_minimised():
    keys, values = classic_data()
    ws = [0.5, 5.0, 50.0]
    for leave_one_out in (True, False):
        curve = book.loss_curve(keys, values, ws, leave_one_out=leave_one_out, loss="half_sum")
        expected = [nwcore.loss_and_gradient(keys, values, w, leave_one_out=leave_one_out)[0] / 2
                    for w in ws]
        np.testing.assert_allclose(curve, expected, rtol=1e-14)


@pytest.mark.parametrize("data, quoted", [(classic_data, 4.93), (new_data, 2.27)])
def test_loo_optimum_is_the_minimiser_of_the_training_loss(data, quoted):
    keys, values = data()
    best = book.loo_optimum_w(keys, values)
    exact = minimize_scalar(lambda w: nwcore.loss_and_gradient(keys, values, w)[0],
                            bounds=(0.5, 50.0), method="bounded", options={"xatol": 1e-9}).x
    assert best == pytest.approx(exact, rel=2e-3)
    assert round(best, 2) == quoted


def test_training_numbers_quoted_by_the_steps():
    keys, values = classic_data()
    for step_id, epochs, final in (("learned-pooling", 5, 20.6), ("ex-learned-w", 200, 4.93)):
        state = lesson.step_by_id(step_id).state
        assert state["epochs"] == epochs
        history = book.train_with_loss_form(
            keys, values, w0=state["w0"], lr=state["lr"], epochs=state["epochs"],
            leave_one_out=state["leave_one_out"], loss=state["loss"])
        assert round(float(history.w[-1]), 2 if final < 5 else 1) == final
    keys, values = new_data()
    runs = {}
    for step_id in ("ex-learn-width-no-loo", "ex-learn-width-loo"):
        state = lesson.step_by_id(step_id).state
        runs[step_id] = book.train_with_loss_form(
            keys, values, w0=state["w0"], lr=state["lr"], epochs=state["epochs"],
            leave_one_out=state["leave_one_out"], loss=state["loss"])
    no_loo = runs["ex-learn-width-no-loo"]
    assert no_loo.w[-1] > 20 and np.all(np.diff(no_loo.w[1:]) > 0)
    assert np.all(np.diff(no_loo.loss) < 0)
    assert runs["ex-learn-width-loo"].w[-1] == pytest.approx(book.loo_optimum_w(keys, values),
                                                             rel=0.01)


def test_numbers_quoted_beyond_the_chapter():
    """The exercises' pages, at each step's settings, give the numbers the step and the map
    quote."""
    import math

    from nwcore.consistency import log_sizes
    from nwcore.planeview import circle_keys, sphere_comparison
    from nwcore.scoringview import scoring_comparison

    state = lesson.step_by_id("ex-another-pooling").state
    data = nwcore.generated_dataset(state["fn"], state["n"], state["noise"], state["seed"])
    table = scoring_comparison(
        data, forms=state["sc_forms"], hidden=state["sc_hidden"], regions=state["sc_regions"],
        epochs=state["sc_epochs"], lr=state["sc_lr"], seed=state["sc_seed"],
        leave_one_out=state["leave_one_out"], w0=state["w0"]).table()
    assert table["leave-one-out loss"].round(3).tolist() == [0.317, 0.294, 0.259]
    assert table["truth MSE"].round(3).tolist() == [0.028, 0.046, 0.028]
    text = lesson.step_by_id("ex-another-pooling").text
    assert "0.317 → 0.294 → 0.259" in text and "0.028, 0.046, 0.028" in text

    state = lesson.step_by_id("ex-parzen-classification").state
    labelled = nwcore.generate_labelled(state["cls_preset"], state["cls_n"],
                                        state["cls_noise"], state["cls_seed"])
    view = nwcore.classification_view(labelled, kernel=state["cls_kernel"],
                                      bandwidth=state["cls_h"])
    assert round(float(np.abs(view.grid - labelled.truth(view.grid_x)).max()), 3) == 0.094

    state = lesson.step_by_id("ex-unit-sphere").state
    angles, _ = circle_keys(state["vec_circle_n"], state["vec_seed"])
    comparison = sphere_comparison(angles, math.radians(state["vec_angle"]),
                                   bandwidth=state["vec_h"])
    assert comparison["|difference|"].max() < 1e-15

    state = lesson.step_by_id("ex-consistency").state
    slopes = [nwcore.consistency_experiment(
        d, sizes=log_sizes(state["con_largest"]), repetitions=state["con_repetitions"],
        loo_cv=state["con_loo"], seed=state["con_seed"]).slope() for d in (1, 2)]
    assert [round(slope, 2) for slope in slopes] == [-0.79, -0.66]
    quoted = LESSON_MAP.read_text(encoding="utf-8")
    for number in ("0.317 → 0.294 → 0.259", "within 0.094", "less than 1e-15",
                   "−0.79 in 1-D and −0.66 in 2-D"):
        assert number in quoted


def mean_error(function, n, noise, kernel, bandwidth, seeds):
    queries = nwcore.d2l_queries()
    truth = nwcore.true_function(function, queries)
    errors = []
    for seed in seeds:
        data = nwcore.generate(function, n, noise, seed)
        fit = nwcore.nadaraya_watson(queries, data["x"], data["y"], kernel=kernel,
                                     bandwidth=bandwidth)
        errors.append(np.mean((fit - truth) ** 2))
    return round(float(np.mean(errors)), 2)


def test_error_numbers_quoted_by_the_steps():
    seeds = range(20)
    assert [mean_error("2sin_x08", n, 0.5, "gaussian", 1.0, seeds) for n in (50, 1000)] == [
        0.42, 0.39]
    assert [mean_error("2sin_x08", n, 0.5, "gaussian", 0.2, seeds) for n in (50, 1000)] == [
        0.07, 0.01]
    seeds = range(200)
    kernels = ("gaussian", "boxcar", "triangular")
    assert [mean_error("2sin_x", 40, 1.0, k, 1.0, seeds) for k in kernels] == [0.47, 0.28, 0.18]
    assert [mean_error("2sin_x", 40, 1.0, k, nwcore.equivalent_bandwidth(k, 1.0), seeds)
            for k in kernels] == [0.47, 0.63, 0.51]


@pytest.mark.parametrize("step", [s for s in STEPS if s.figure in ("fit_and_heatmap", "kernel_row",
                                                                  "width_study")],
                         ids=lambda step: step.id)
def test_pooling_steps_give_finite_fits(step):
    state = step.state
    data = nwcore.generated_dataset(state["fn"], state["n"], state["noise"], state["seed"])
    kernels = (state["kernel"],) if step.figure == "fit_and_heatmap" else state["panel_kernels"]
    widths = (state["h"],) if step.figure == "fit_and_heatmap" else state["panel_widths"]
    for pooling in kernels:
        kernel = "constant" if pooling == "average" else pooling
        for h in widths:
            if state["widths"] == "equal":
                h = nwcore.equivalent_bandwidth(kernel, h)
            fit = nwcore.nadaraya_watson(data.queries(), data.keys, data.values, kernel=kernel,
                                         bandwidth=h)
            assert np.all(np.isfinite(fit)), (pooling, h)


# --- what the Lesson page draws from nwcore ----------------------------------------------------

def test_layout_example_and_sums_summary():
    matrices, titles = book.layout_example()
    assert matrices.shape == (1, 3, 10, 10) and len(titles) == 3
    np.testing.assert_allclose(matrices.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(matrices[0, 0], np.eye(10))
    assert book.sums_summary(book.identity_heatmap()) == \
        "Row sums 1.000 … 1.000; column sums 1.000 … 1.000."
    assert book.sums_summary(book.random_softmax_heatmap()).startswith("Row sums 1.000 … 1.000;")
    assert not book.sums_summary(book.random_softmax_heatmap(over="queries")).startswith(
        "Row sums 1.000 … 1.000;")


def test_cue_diagrams_point_the_eye_at_their_cue():
    assert 'eye -> "coffee cup" [color="#cb181d"' in book.COFFEE_CUP_DIAGRAM
    assert 'eye -> "book" [color="#cb181d"' in book.BOOK_DIAGRAM
    assert 'eye -> "coffee cup" [color="#bdbdbd"' in book.BOOK_DIAGRAM
    for dot in (book.COFFEE_CUP_DIAGRAM, book.BOOK_DIAGRAM, book.QKV_DIAGRAM):
        assert dot.count("{") == dot.count("}")
    assert "query" in book.QKV_DIAGRAM and "keys" in book.QKV_DIAGRAM


def test_differences_name_each_setting_that_is_not_the_steps():
    state = lesson.step_by_id("width-study").state
    assert lesson.differences(state, state) == []
    changed = {**state, "h": 0.3, "panel_widths": (1.0,), "q": 4}
    assert lesson.differences(changed, state) == [
        "h = 0.3 (step: 1)", "q = 4 (step: none)", "panel_widths = 1 (step: 0.1, 0.2, 0.5, 1)"]


def test_every_erratum_the_issue_names_is_next_to_its_figure():
    titles = {step.id: step.erratum.title for step in STEPS if step.erratum}
    assert "TensorFlow" in titles["nadaraya-watson"]
    assert "loss scale" in titles["loss-scale"]
    assert "triangular" in titles["kernel-shapes"]
    assert "transposed" in titles["four-kernels"]
    assert "overshoot" in titles["learned-pooling"] and "overshoot" in titles["ex-learned-w"]


def test_the_map_counts_the_clicks_to_every_figure():
    """Every item with a step is at most 2 clicks from Home: the Lesson page, then the step."""
    lines = [line for line in LESSON_MAP.read_text(encoding="utf-8").splitlines()
             if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip().strip("|").split(" | ")]
    clicks_column = header.index("Clicks from Home")
    assert header[-1] == "Step"
    first_step = f"`{STEPS[0].id}`"
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        clicks, step = cells[clicks_column], cells[-1]
        if step == "—":
            assert clicks == "—", cells[0]
        else:
            assert clicks == ("1 (Lesson)" if step == first_step else "2 (Lesson, step)"), cells[0]
