"""AppTest of every control of the Vectors page, and what a click on the plane does."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

import nwcore
from ui.text import plain_markdown
from ui.vectors import clicked_query

from .test_pages import chart_content, charts, run_page

PAGE = "pages/8_Vectors.py"


def no_exception(app):
    assert not app.exception, [e.value for e in app.exception]


def query_heading(app):
    return next(h.value for h in app.header if h.value.startswith("Query q = "))


def test_plane_mode_query_inputs_bandwidth_keys_and_seed():
    app = run_page(PAGE)
    no_exception(app)
    assert query_heading(app).startswith("Query q = (2.500, 2.500)")
    assert any(h.value.startswith("Off the unit circle") for h in app.header)
    table = app.dataframe[0].value
    assert table["key"].iloc[-1] == "total: ŷ(q)" and table["α_i"].iloc[-1] == pytest.approx(1)
    assert query_heading(app).endswith(f"ŷ(q) = {table['α_i·v_i'].iloc[-1]:.4f}")
    before = chart_content(charts(app)[0])
    app.number_input(key="_w_vec_q1").set_value(1.0).run()
    app.number_input(key="_w_vec_q2").set_value(4.0).run()
    no_exception(app)
    assert query_heading(app).startswith("Query q = (1.000, 4.000)")
    assert chart_content(charts(app)[0]) != before
    app.select_slider(key="_w_vec_h").set_value(2.0).run()
    no_exception(app)
    assert any("τ = h² = 4" in m.value for m in app.markdown)
    for key, value in (("_w_vec_n", 80), ("_w_vec_seed", 9)):
        app.number_input(key=key).set_value(value).run()
        no_exception(app)
    assert "of 80" in " ".join(c.value for c in app.caption)
    app.number_input(key="_w_vec_q1").set_value(40.0).run()  # far outside the keys
    no_exception(app)
    assert query_heading(app).startswith("Query q = (40.000, 4.000)")


def test_circle_mode_shows_the_two_attentions_agree():
    app = run_page(PAGE)
    app.radio(key="_w_vec_mode").set_value("circle").run()
    no_exception(app)
    assert any(h.value.startswith("On the unit circle") for h in app.header)
    assert float(app.metric[0].value) <= 1e-12
    before = chart_content(charts(app)[0])
    app.slider(key="_w_vec_angle").set_value(200.0).run()
    no_exception(app)
    direction = f"({math.cos(math.radians(200)):.3f}, {math.sin(math.radians(200)):.3f})"
    assert query_heading(app).startswith(f"Query q = {direction}")
    assert chart_content(charts(app)[0]) != before
    app.select_slider(key="_w_vec_h").set_value(0.1).run()
    app.number_input(key="_w_vec_circle_n").set_value(40).run()
    no_exception(app)
    assert float(app.metric[0].value) <= 1e-12
    comparison = app.dataframe[1].value
    assert len(comparison) == 40
    title = json.loads(charts(app)[2].proto.spec)["title"]
    assert title == "Dot-product attention, scale 1/h² = 100"


@pytest.mark.slow
def test_a_dataset_with_two_x_columns_and_the_saturation_control():
    app = run_page(PAGE)
    for keys in (4, 64):
        app.select_slider(key="_w_vec_sat_keys").set_value(keys).run()
        no_exception(app)
        assert any(f"uniform weight 1/{keys}" in c.value for c in app.caption)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.random(60), "x2": rng.random(60), "y": rng.random(60)})
    app.session_state["dataset"] = nwcore.Dataset(frame=frame, label="two.csv",
                                                  source="uploaded", key="two")
    app.run()
    app.radio(key="_w_vec_source").set_value("dataset").run()
    no_exception(app)
    # the file name reaches the caption escaped (it is rendered as Markdown)
    assert any(f"{plain_markdown('two.csv')}: 60 points" in c.value for c in app.caption)
    app.radio(key="_w_vec_mode").set_value("circle").run()  # directions use their own keys
    no_exception(app)


def test_a_click_on_a_cell_moves_the_query_there():
    cells = np.array([[0.5, 0.5], [1.5, -0.5], [-2.0, 0.0]])
    assert clicked_query({"pin": [{"qi": 1}]}, cells, False) == {"vec_q1": 1.5,
                                                                 "vec_q2": -0.5}
    assert clicked_query({"pin": [{"qi": 2}]}, cells, True) == {"vec_angle": 180.0}
    assert clicked_query({"pin": [{"qi": 0}]}, cells, True) == {"vec_angle": 45.0}
    for nothing in ({"pin": []}, {}, {"pin": [{"qi": 7}]}, None):
        assert clicked_query(nothing, cells, False) is None
    assert re.match(r"vec_", next(iter(clicked_query({"pin": [{"qi": 0}]}, cells, False))))
