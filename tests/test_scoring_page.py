"""AppTest runs of the Learned pooling page's scoring functions: every control, leave-one-out
from d2l's form, the table and charts, and the divergence guard's message."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from .test_pages import charts, run_page

PAGE = "pages/5_Learned_pooling.py"


def no_exception(app):
    assert not app.exception, [e.value for e in app.exception]


def scoring_table(app):
    return app.dataframe[-1].value


def test_every_form_trains_beside_d2ls_with_its_loss_fit_and_heatmap():
    app = run_page(PAGE)
    no_exception(app)
    assert any(h.value.startswith("Other scoring functions") for h in app.header)
    table = scoring_table(app)
    assert table["form"].tolist() == ["d2l's width w (1 parameter)",
                                      "a width per region (5 parameters)",
                                      "additive attention (24 parameters)"]
    assert (table["training loss"] == table["leave-one-out loss"]).all()
    assert table["truth MSE"].notna().all()
    specs = [chart.proto.spec for chart in charts(app)]
    assert sum("Training loss per epoch" in spec for spec in specs) == 1
    assert sum("Learned width over x" in spec for spec in specs) == 1
    panels = [json.loads(spec) for spec in specs if "Weights: additive attention" in spec]
    assert len(panels) == 1
    fits, heatmaps = panels[0]["vconcat"]
    assert len(fits["hconcat"]) == len(heatmaps["hconcat"]) == 3
    tops = {json.dumps(heatmap["encoding"]["color"]["scale"]["domain"])
            for heatmap in heatmaps["hconcat"]}
    assert len(tops) == 1, "one colour scale for every learned heatmap"


def test_the_scoring_controls_choose_forms_sizes_and_training():
    app = run_page(PAGE)
    app.multiselect(key="scoring_forms").set_value(["region_widths", "additive"])
    app.select_slider(key="scoring_hidden").set_value(4)
    app.number_input(key="scoring_regions").set_value(3)
    app.number_input(key="scoring_epochs").set_value(40)
    app.number_input(key="scoring_lr").set_value(0.1)
    app.number_input(key="scoring_seed").set_value(2)
    app.button(key="FormSubmitter:scoring_form-Train the scoring functions").click().run()
    no_exception(app)
    state = {name: app.session_state[name] for name in (
        "sc_forms", "sc_hidden", "sc_regions", "sc_epochs", "sc_lr", "sc_seed")}
    assert state == {"sc_forms": ("region_widths", "additive"), "sc_hidden": 4,
                     "sc_regions": 3, "sc_epochs": 40, "sc_lr": 0.1, "sc_seed": 2}
    table = scoring_table(app)
    assert table["form"].tolist() == ["a width per region (3 parameters)",
                                      "additive attention (12 parameters)"]
    losses = json.loads(next(c.proto.spec for c in charts(app)
                             if "Training loss per epoch" in c.proto.spec))
    assert losses["title"] == "Training loss per epoch"
    app.multiselect(key="scoring_forms").set_value([])
    app.button(key="FormSubmitter:scoring_form-Train the scoring functions").click().run()
    no_exception(app)
    assert any("Choose one or more scoring functions" in box.value for box in app.info)


def test_leave_one_out_comes_from_d2ls_form_and_shows_the_overfitting():
    app = run_page(PAGE)
    app.toggle(key="train_loo").set_value(False)
    app.button(key="FormSubmitter:train_form-Train").click().run()
    no_exception(app)
    assert app.session_state["leave_one_out"] is False
    table = scoring_table(app)
    widths = table.iloc[:2]
    assert (widths["training loss"] < 0.1 * widths["leave-one-out loss"]).all()
    assert any("without leave-one-out the training loss lets each point see itself" in c.value
               for c in app.caption)


def _diverged_page():
    from dataclasses import replace

    import nwcore
    from nwcore.scoring import ScoringFit
    from nwcore.scoringview import ScoringComparison, scoring_comparison
    from ui.scoring import show_comparison
    from ui.state import init_state

    init_state()
    data = nwcore.generated_dataset("2sin_x08", 50, 0.5, 0)
    result = scoring_comparison(data, forms=("additive",), epochs=5)
    score = result.scores[0]
    stopped = ScoringFit(score.fit._model, score.fit.parameters, score.fit.loss, "diverged",
                         "stopped at epoch 5: the loss rose to 9 from 0.3; lower lr.")
    show_comparison(data, ScoringComparison(scores=(replace(score, fit=stopped),), n_trained=50,
                                            settings=result.settings))


def test_a_diverged_form_says_when_and_what_to_do():
    app = AppTest.from_function(_diverged_page, default_timeout=60).run()
    no_exception(app)
    assert any("additive attention (24 parameters)" in w.value
               and "stopped at epoch 5" in w.value and "lower lr" in w.value
               for w in app.warning)
    assert scoring_table(app)["status"].tolist() == ["diverged"]
