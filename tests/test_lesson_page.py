"""AppTest runs of the Lesson page and of the controls it sets: every step sets the state it
claims and renders, reset restores the book, links open steps, the pages follow the state."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nwcore import lesson
from ui.lesson import FIGURES

from .test_pages import (chart_content, charts, plain, run_page, set_bandwidth,
                         shown_bandwidth)

LESSON = "pages/0_Lesson.py"


def no_exception(app):
    assert not app.exception, [e.value for e in app.exception]


def settings_of(app, names):
    return {name: app.session_state[name] for name in names}


def assert_step_state(app, state):
    """Every setting of ``state`` is the app's, and the dataset is the one they generate."""
    assert settings_of(app, state) == dict(state)
    data = app.session_state["dataset"]
    assert data.source == "generated"
    assert data.key == f"gen:{state['fn']}:{state['n']}:{float(state['noise'])!r}:{state['seed']}"


def figure_elements(app, step):
    """What the step's figure put on the page: charts, diagrams or code."""
    kind = step.figure
    if kind in ("cues_diagram", "qkv_diagram"):
        return app.get("graphviz_chart")
    if kind == "batch_matmul":
        return [code for code in app.code if "(2, 1, 6)" in code.value and "14.5" in code.value]
    return charts(app)


def test_figures_cover_every_figure_kind():
    assert set(FIGURES) == set(lesson.FIGURE_KINDS)
    assert all(callable(figure.draw) for figure in FIGURES.values())
    assert {kind: FIGURES[kind].page for kind in (
        "learned_scoring", "classify", "vectors_sphere", "consistency")} == {
        "learned_scoring": "pages/5_Learned_pooling.py", "classify": "pages/7_Classify.py",
        "vectors_sphere": "pages/8_Vectors.py", "consistency": "pages/9_Consistency.py"}


#: Each exercise beyond the chapter: its step, the page its figure opens, what the figure
#: draws, and how that page shows the step's settings.
BEYOND = {
    "ex-another-pooling": ("Learned (parametric) attention pooling", 3),
    "ex-parzen-classification": ("Classify: attention pooling with one-hot values", 1),
    "ex-unit-sphere": ("Vectors: keys and queries in the plane", 2),
    "ex-consistency": ("Consistency: how fast must the width shrink?", 2),
}


#: Settings unlike every step's, of each page beyond the chapter.
OTHER_PAGE_SETTINGS = {"cls_preset": "blobs", "cls_h": 0.5, "vec_mode": "plane",
                       "vec_angle": 90.0, "sc_forms": ("additive",), "sc_epochs": 50,
                       "con_largest": 2_000, "con_repetitions": 1}


@pytest.mark.parametrize("step_id", list(BEYOND))
def test_an_exercise_beyond_the_chapter_draws_in_place_and_opens_its_page(step_id):
    """The step's figure is drawn from the step's settings; "Open in …" sets them and the page
    shows them in its controls, without changing any (the lesson then sees no difference)."""
    title, figure_charts = BEYOND[step_id]
    step = lesson.step_by_id(step_id)
    app = run_page(LESSON, {"step": step_id})
    no_exception(app)
    assert_step_state(app, step.state)
    assert len(charts(app)) == figure_charts
    for name, value in OTHER_PAGE_SETTINGS.items():  # "Open in …" sets the step's again
        app.session_state[name] = value
    app.button(key="lesson_open_page").click().run()
    no_exception(app)
    assert app.title[0].value == title
    assert_step_state(app, step.state)
    state = step.state
    if step_id == "ex-another-pooling":
        assert app.multiselect(key="scoring_forms").value == list(state["sc_forms"])
        assert app.number_input(key="scoring_epochs").value == state["sc_epochs"]
        table = app.dataframe[-1].value
        assert table["leave-one-out loss"].round(3).tolist() == [0.317, 0.294, 0.259]
    elif step_id == "ex-parzen-classification":
        assert app.selectbox(key="_w_cls_preset").value == "threshold"
        assert app.select_slider(key="_w_cls_h").value == state["cls_h"]
        assert "probabilit" in charts(app)[0].proto.spec
    elif step_id == "ex-unit-sphere":
        assert app.radio(key="_w_vec_mode").value == "circle"
        assert app.slider(key="_w_vec_angle").value == state["vec_angle"]
        assert app.select_slider(key="_w_vec_h").value == state["vec_h"]
    else:
        assert app.select_slider(key="_w_con_largest").value == state["con_largest"]
        assert app.slider(key="_w_con_repetitions").value == state["con_repetitions"]
    app.switch_page(LESSON).run()
    no_exception(app)
    assert not [box for box in app.info if "differ" in box.value]


def test_a_chapter_step_leaves_the_other_pages_settings_alone():
    app = run_page("pages/7_Classify.py")
    app.selectbox(key="_w_cls_preset").select("blobs").run()
    app.switch_page(LESSON).run()
    app.button(key=f"goto_{lesson.STEPS[3].id}").click().run()
    no_exception(app)
    assert app.session_state["cls_preset"] == "blobs"
    assert not [box for box in app.info if "differ" in box.value]
    app.button(key="goto_ex-parzen-classification").click().run()
    assert app.session_state["cls_preset"] == "threshold"
    app.session_state["cls_h"] = 0.5
    app.run()
    assert any("cls_h = 0.5 (step: 0.3)" in box.value for box in app.info)
    app.button(key="lesson_reset").click().run()
    assert app.session_state["cls_h"] == 0.3


@pytest.mark.slow
def test_walking_the_lesson_sets_every_step_and_reset_restores_the_book():
    """Next from the first step to the last: each step sets its state, draws its figure and
    shows its erratum; after changing settings, Reset to the book restores the book's."""
    app = run_page(LESSON)
    no_exception(app)
    app.button(key=f"goto_{lesson.STEPS[0].id}").click().run()
    for number, step in enumerate(lesson.STEPS, 1):
        no_exception(app)
        assert app.session_state["lesson_step"] == step.id
        assert_step_state(app, step.state)
        assert app.header[0].value == f"{number}. {step.title}"
        assert any(step.sections in caption.value for caption in app.caption)
        assert figure_elements(app, step), step.id
        if step.erratum:
            assert any(step.erratum.title in md.value for md in app.markdown)
        assert app.query_params["step"] in (step.id, [step.id])
        # Change the data, the pooling, the view and the training, then reset.
        app.session_state["h"] = 0.3
        app.session_state["kernel"] = "boxcar"
        app.session_state["lr"] = 0.01
        app.session_state["book_view"] = not step.book["book_view"]
        app.session_state["orientation"] = "keys_rows"
        app.button(key="lesson_reset").click().run()
        no_exception(app)
        assert_step_state(app, step.book)
        if step is not lesson.STEPS[-1]:
            app.button(key="lesson_next").click().run()
    assert app.button(key="lesson_next").disabled


@pytest.mark.parametrize("step", [lesson.step_by_id(step_id) for step_id in (
    "ex-more-data", "width-study", "loss-scale", "ex-learn-width-no-loo")],
    ids=lambda step: step.id)
def test_a_step_link_opens_the_step_on_a_fresh_session(step):
    app = run_page(LESSON, {"step": step.id})
    no_exception(app)
    assert app.session_state["lesson_step"] == step.id
    assert_step_state(app, step.state)
    assert figure_elements(app, step)
    assert not [box for box in app.info if "differ" in box.value]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["single row", "constant x", "huge spread"])
def test_every_figure_copes_with_an_uploaded_edge_dataset(name):
    """A step shown while an upload is the data (before "Set up this step") draws from it."""
    from .test_pages import EDGE_UPLOADS

    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    app.file_uploader(key="upload").upload(f"{name}.csv", EDGE_UPLOADS[name], "text/csv").run()
    app.button(key="use_upload").click().run()
    app.switch_page(LESSON)
    for kind in FIGURES:
        step = next(step for step in lesson.STEPS if step.figure == kind)
        app.session_state["lesson_step"] = step.id
        app.run()
        no_exception(app)
        assert app.session_state["dataset"].source == "uploaded"
        assert any("uploaded file" in box.value for box in app.info), kind


def test_a_step_link_with_more_parameters_applies_them_on_top():
    app = run_page(LESSON, {"step": "nadaraya-watson", "h": "0.5"})
    no_exception(app)
    assert app.session_state["h"] == 0.5
    assert app.session_state["kernel"] == "gaussian" and app.session_state["n"] == 50
    assert dict(app.query_params) in ({"step": ["nadaraya-watson"], "h": ["0.5"]},
                                      {"step": "nadaraya-watson", "h": "0.5"})
    assert any("differ" in box.value and "h = 0.5" in box.value for box in app.info)
    app.button(key="lesson_setup").click().run()
    assert app.session_state["h"] == 1.0
    assert not [box for box in app.info if "differ" in box.value]


def test_an_unknown_step_link_is_told_and_the_lesson_starts_at_the_beginning():
    app = run_page(LESSON, {"step": "no-such-step"})
    no_exception(app)
    assert any("is not a lesson step" in box.value for box in app.warning)
    assert app.header[0].value == f"1. {lesson.STEPS[0].title}"
    assert app.session_state["lesson_step"] is None


def test_reset_without_a_step_restores_d2l_classic_on_any_page():
    app = run_page("pages/1_Data.py")
    app.selectbox(key="_w_preset").select("d2l_new").run()
    app.number_input(key="_w_seed").set_value(7)
    app.form_submit_button[0].click().run()
    app.switch_page("pages/2_Explore.py").run()
    set_bandwidth(app, 0.2)
    app.selectbox(key="_w_kernel").select("triangular").run()
    app.button(key="reset_to_book").click().run()
    no_exception(app)
    assert_step_state(app, lesson.CLASSIC)
    assert shown_bandwidth(app) == 1.0


def test_the_open_button_sets_the_step_and_opens_its_page():
    app = run_page(LESSON, {"step": "four-kernels"})
    app.session_state["panel_layout"] = "kernels_rows"
    app.button(key="lesson_open_page").click().run()
    no_exception(app)
    assert app.title[0].value == "Compare kernels and widths"
    assert app.session_state["panel_layout"] == "kernels_columns"
    assert app.multiselect(key="compare_kernels").value == [
        "gaussian", "boxcar", "average", "triangular"]
    assert app.radio(key="compare_layout").value == "kernels_columns"
    assert app.toggle(key="compare_transposed").value and app.toggle(key="compare_book_view").value


def test_book_view_toggle_redraws_the_figure_with_the_books_axes():
    app = run_page(LESSON, {"step": "nadaraya-watson"})
    book, tables = chart_content(charts(app)[0])
    assert "Sorted training inputs" in book and "Sorted testing inputs" in book
    assert {"Truth", "Pred"} <= {series for table in tables for series in table.get("series", [])}
    app.toggle(key="lesson_book_view").set_value(False).run()
    no_exception(app)
    assert app.session_state["book_view"] is False
    app_view = charts(app)[0].proto.spec
    assert "Sorted training inputs" not in app_view and "key x_i" in app_view


def test_random_softmax_over_either_axis_and_the_check_question():
    app = run_page(LESSON, {"step": "ex-random-softmax"})
    assert any("Row sums 1.000 … 1.000" in c.value for c in app.caption)
    app.radio(key="lesson_softmax_over").set_value("queries").run()
    no_exception(app)
    assert any("column sums 1.000 … 1.000" in c.value for c in app.caption)
    check = lesson.step_by_id("ex-random-softmax").check
    app.radio(key="check_ex-random-softmax").set_value(check.options[0]).run()
    assert app.error and check.explanation in app.error[0].value
    app.radio(key="check_ex-random-softmax").set_value(check.options[check.answer]).run()
    assert app.success and app.success[0].value.startswith("Right.")


@pytest.mark.slow
def test_panel_controls_in_the_lesson_and_on_compare():
    app = run_page(LESSON, {"step": "four-kernels"})
    book = charts(app)[0].proto.spec
    assert "Constant" in book and "Epanechikov" in book
    app.radio(key="compare_layout").set_value("kernels_rows").run()
    app.toggle(key="compare_book_view").set_value(False).run()
    app.toggle(key="compare_transposed").set_value(False).run()
    app.toggle(key="compare_equal").set_value(True).run()
    no_exception(app)
    assert settings_of(app, ["panel_layout", "book_view", "orientation", "widths"]) == {
        "panel_layout": "kernels_rows", "book_view": False, "orientation": "queries_rows",
        "widths": "equal"}
    spec = json.loads(charts(app)[0].proto.spec)
    assert len(spec["vconcat"]) == 4, "four kernels, one row each"
    app.switch_page("pages/3_Compare.py").run()
    assert app.toggle(key="compare_equal").value is True
    app.multiselect(key="compare_kernels").set_value(["average", "gaussian"]).run()
    app.multiselect(key="compare_widths").set_value([1.0, 0.2]).run()
    app.radio(key="compare_layout").set_value("kernels_columns").run()
    no_exception(app)
    assert app.session_state["panel_widths"] == (0.2, 1.0)
    spec = json.loads(charts(app)[0].proto.spec)
    assert len(spec["vconcat"]) == 2 and len(spec["vconcat"][0]["hconcat"]) == 2
    assert "average · h = 0.2" in json.dumps(spec, ensure_ascii=False)


def test_learned_pooling_half_sum_and_the_first_step_of_each_form():
    app = run_page("pages/5_Learned_pooling.py")
    no_exception(app)
    assert app.latex, "the model is written as an equation"
    assert any("21.3 with the summed Σ loss, 10.9 with the ½·Σ loss" in c.value
               for c in app.caption)
    assert any("4.19 × the minimum" in w.value for w in app.warning), "the overshoot is flagged"
    app.radio(key="train_loss").set_value("half_sum")
    app.form_submit_button[0].click().run()
    no_exception(app)
    run = app.session_state["training"]
    assert run.settings["loss"] == "half_sum" and round(run.history["w"].iloc[1], 1) == 10.9
    assert "drift back slowly" not in " ".join(md.value for md in app.markdown)


@pytest.mark.slow
def test_learned_pooling_on_real_scale_data_is_standardised_and_its_loss_falls():
    """Motorcycle-like data (x 2.4–57.6, y −150…100): d2l's raw recipe sends w to ~2e4 and the
    loss up, and the page says so with what to try; standardised training (the default for
    uploads) makes the loss fall."""
    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(2.4, 57.6, 133)).round(1)
    y = (-130 * np.exp(-((x - 21) / 4) ** 2) + 60 * np.exp(-((x - 31) / 6) ** 2)
         + rng.normal(0, 1, 133) * np.where(x < 14, 2, 22)).round(1)
    csv = ("times,accel\n" + "\n".join(f"{a},{b}" for a, b in zip(x, y))).encode()
    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    app.file_uploader(key="upload").upload("mcycle_like.csv", csv, "text/csv").run()
    app.button(key="use_upload").click().run()
    app.switch_page("pages/5_Learned_pooling.py").run()
    no_exception(app)
    assert app.toggle(key="train_standardise").value is True
    loss = app.session_state["training"].history["loss"]
    assert loss.iloc[-1] < 0.5 * loss.iloc[0] and loss.is_monotonic_decreasing
    assert not app.warning
    assert any("standardised x and y" in c.value for c in app.caption)
    app.toggle(key="train_standardise").set_value(False)
    app.form_submit_button[0].click().run()
    no_exception(app)
    loss = app.session_state["training"].history["loss"]
    assert loss.iloc[-1] > loss.iloc[0]
    warning = app.warning[0].value
    assert "The loss rose" in warning and "What to try" in warning
    assert "train on standardised x and y" in warning


def test_explore_decomposition_has_a_total_row_and_one_notice_for_a_far_query():
    app = run_page("pages/2_Explore.py", {"q": "10"})
    no_exception(app)
    table = app.dataframe[0].value
    total = table.iloc[0]
    assert table.index[0] == "Σ over all 50 keys = ŷ(x)"
    assert total["weight"] == pytest.approx(1.0, abs=1e-12)
    assert total["contribution"] == pytest.approx(table["contribution"].iloc[1:].sum(), abs=1e-12)
    heading = [h.value for h in app.subheader if h.value.startswith("Pinned query")][0]
    assert heading.endswith(f"{total['contribution']:.4f}")
    far = run_page("pages/2_Explore.py", {"q": "999"})
    no_exception(far)
    notices = [plain(box.value) for box in far.warning] + [plain(box.value) for box in far.info]
    assert len(notices) == 1 and "q=999 is outside 0…499; nothing is pinned" in notices[0]


def test_theory_kernel_equation_matches_its_plot_and_the_temperature_is_explained():
    app = run_page("pages/6_Theory.py")
    no_exception(app)
    equations = " ".join(eq.value for eq in app.latex)
    assert r"\sqrt{2\pi}" not in equations and "T = h^2" in equations
    text = " ".join(md.value for md in app.markdown)
    assert "as T → 0 all the weight goes to the largest score" in text
    assert len(app.get("graphviz_chart")) == 3
