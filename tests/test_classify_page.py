"""AppTest of every control of the Classify page: presets, inputs, kernels, the bandwidth
choices, the query inspector and labelled uploads."""

import json

import pandas as pd
import pytest

import nwcore
from nwcore.labelled import CLASS_PRESETS

from .test_pages import chart_content, charts, run_page

PAGE = "pages/7_Classify.py"


def no_exception(app):
    assert not app.exception, [e.value for e in app.exception]


def captions(app):
    return " ".join(c.value for c in app.caption)


def test_every_preset_draws_its_view():
    app = run_page(PAGE)
    for preset, spec in reversed(CLASS_PRESETS.items()):
        app.selectbox(key="_w_cls_preset").select(preset).run()
        no_exception(app)
        assert app.session_state["cls_n"] == spec.n
        assert app.session_state["cls_noise"] == spec.noise
        assert f"{spec.n} keys of {spec.classes} classes" in captions(app)
        text = json.loads(charts(app)[0].proto.spec)
        title = "Class probabilities" if spec.dimension == 1 else "Decision regions"
        assert title in json.dumps(text, ensure_ascii=False)
        assert {p["name"] for p in text["params"]} >= {"hover", "pin"}


def test_n_noise_and_seed_change_the_data():
    app = run_page(PAGE)
    before = chart_content(charts(app)[0])
    for key, value in (("_w_cls_n", 120), ("_w_cls_noise", 0.35), ("_w_cls_seed", 4)):
        app.number_input(key=key).set_value(value).run()
        no_exception(app)
        after = chart_content(charts(app)[0])
        assert after != before, key
        before = after
    assert "120 keys" in captions(app)


def test_compact_kernels_and_empty_windows():
    app = run_page(PAGE)
    app.select_slider(key="_w_cls_h").set_value(0.01).run()
    for kernel in ("boxcar", "triangular", "epanechnikov"):
        app.selectbox(key="_w_cls_kernel").select(kernel).run()
        no_exception(app)
        assert "no decision there" in captions(app)
    app.selectbox(key="_w_cls_kernel").select("gaussian").run()
    assert "no decision there" not in captions(app)


def test_leave_one_out_chooses_the_bandwidth():
    app = run_page(PAGE)
    data = nwcore.generate_labelled("two_moons", 200, 0.2, 0)
    for mode in ("log_loss", "error_rate"):
        app.radio(key="_w_cls_h_mode").set_value(mode).run()
        no_exception(app)
        assert app.select_slider(key="_w_cls_h").disabled
        chosen = nwcore.select_classification_bandwidth(data.points, data.labels,
                                                        criterion=mode)
        assert f"h = **{chosen:.4g}**" in captions(app)
        assert len(charts(app)) == 2, "the criteria chart is shown"
    app.radio(key="_w_cls_h_mode").set_value("slider").run()
    assert not app.select_slider(key="_w_cls_h").disabled


def test_slider_moves_the_view():
    app = run_page(PAGE)
    before = chart_content(charts(app)[0])
    app.select_slider(key="_w_cls_h").set_value(0.5).run()
    no_exception(app)
    assert app.session_state["cls_h"] == 0.5
    assert chart_content(charts(app)[0]) != before


def test_inspecting_a_query_shows_its_probability_vector_with_a_total():
    app = run_page(PAGE)
    for preset, index in (("two_moons", 70), ("three_bands", 20)):
        app.selectbox(key="_w_cls_preset").select(preset).run()
        unpinned = chart_content(charts(app)[0])
        app.selectbox(key="_w_cls_query").set_value(index).run()
        no_exception(app)
        assert app.session_state["cls_query"] == index
        assert [h for h in app.header if h.value.startswith("Pinned query q = ")]
        total = app.dataframe[0].value.iloc[-1]
        assert total["key"] == "total: p̂(c | q)" and total["α_i"] == pytest.approx(1.0)
        assert total.iloc[3:].astype(float).sum() == pytest.approx(1.0)
        assert chart_content(charts(app)[0]) != unpinned, "the keys show the pinned weights"
        app.selectbox(key="_w_cls_query").set_value(None).run()
        assert not [h for h in app.header if h.value.startswith("Pinned query")]


def test_a_pin_that_no_longer_exists_is_dropped():
    app = run_page(PAGE)
    app.selectbox(key="_w_cls_query").set_value(120).run()  # 2-D: 144 queries
    app.selectbox(key="_w_cls_preset").select("threshold").run()  # 1-D: 50 queries
    no_exception(app)
    assert app.session_state["cls_query"] is None


def test_an_upload_with_class_codes_can_be_classified():
    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    rows = "\n".join(f"{i / 10},{int(i >= 40)}" for i in range(80))
    app.file_uploader(key="upload").upload("codes.csv", ("x,y\n" + rows).encode(),
                                           "text/csv").run()
    app.button(key="use_upload").click().run()
    app.switch_page(PAGE).run()
    no_exception(app)
    app.radio(key="_w_cls_source").set_value("dataset").run()
    no_exception(app)
    assert "classes from y" in captions(app) and "80 keys of 2 classes" in captions(app)


def test_a_dataset_with_a_label_column_and_two_x_columns():
    app = run_page(PAGE)
    frame = pd.DataFrame({"x": [0.0, 0.2, 0.4, 3.0, 3.2, 3.4], "x2": [0.0, 1, 0, 1, 0, 1],
                          "y": 0.0, "label": ["red", "red", "red", "blue", "blue", "blue"]})
    app.session_state["dataset"] = nwcore.Dataset(frame=frame, label="colours.csv",
                                                  source="uploaded", key="colours")
    app.run()
    app.radio(key="_w_cls_source").set_value("dataset").run()
    no_exception(app)
    assert "6 keys of 2 classes" in captions(app)
    assert "Decision regions" in charts(app)[0].proto.spec


@pytest.mark.slow
def test_large_labelled_data_computes_the_criteria_only_on_request():
    app = run_page(PAGE)
    app.number_input(key="_w_cls_n").set_value(1500).run()
    no_exception(app)
    assert len(charts(app)) == 1
    assert "choose a leave-one-out criterion above" in captions(app)
    app.radio(key="_w_cls_h_mode").set_value("error_rate").run()
    no_exception(app)
    assert len(charts(app)) == 2
