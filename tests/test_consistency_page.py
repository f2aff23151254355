"""AppTest of the Consistency page: the controls, the slopes table, and cached reruns."""

import json

import pytest

import nwcore
from nwcore.consistency import log_sizes
from nwcore.consistency import LOO_SLOPE

from .test_pages import charts, run_page

PAGE = "pages/9_Consistency.py"


def no_exception(app):
    assert not app.exception, [e.value for e in app.exception]


def slopes(app):
    return app.dataframe[0].value


def test_default_experiment_draws_both_dimensions_with_their_slopes():
    app = run_page(PAGE)
    no_exception(app)
    drawn = charts(app)
    assert len(drawn) == 2
    for chart, dimension in zip(drawn, (1, 2)):
        text = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        assert f"theory: slope -4/(4+{dimension})" in text and "fitted slope" in text
    table = slopes(app)
    assert table["d"].tolist() == [1, 2]
    assert table["theory −4/(4+d)"].tolist() == pytest.approx([-0.8, -4 / 6])
    expected = nwcore.consistency_experiment(1, sizes=log_sizes(20_000), repetitions=5, seed=0)
    assert table["fitted slope"].iloc[0] == pytest.approx(expected.slope())
    assert abs(table["fitted slope"].iloc[0] + 0.8) < 0.08
    assert abs(table["fitted slope"].iloc[1] + 4 / 6) < 0.08
    app.run()  # the same controls: both results come from the cache (progress replayed)
    no_exception(app)
    assert slopes(app).equals(table)


def test_controls_change_the_experiment():
    app = run_page(PAGE)
    first = slopes(app)
    app.select_slider(key="_w_con_largest").set_value(2_000).run()
    app.slider(key="_w_con_repetitions").set_value(2).run()
    no_exception(app)
    changed = slopes(app)
    assert not changed.equals(first)
    app.number_input(key="_w_con_seed").set_value(3).run()
    no_exception(app)
    assert not slopes(app).equals(changed)


@pytest.mark.slow
def test_leave_one_out_adds_its_own_line_and_slope():
    app = run_page(PAGE)
    app.select_slider(key="_w_con_largest").set_value(2_000).run()
    app.slider(key="_w_con_repetitions").set_value(1).run()
    app.toggle(key="_w_con_loo").set_value(True).run()
    no_exception(app)
    table = slopes(app)
    assert LOO_SLOPE in table.columns and table[LOO_SLOPE].notna().all()
    assert "leave-one-out h: mean error" in json.dumps(json.loads(charts(app)[0].proto.spec))
