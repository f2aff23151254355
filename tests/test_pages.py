"""AppTest runs of every page: no exceptions, and the main flows work."""

import json
import re
from pathlib import Path

import pyarrow.ipc
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


def run_page(path: str, query: dict | None = None) -> AppTest:
    """A fresh session opened directly on ``path`` (as a deep link does): app.py is the
    entry point, but only the page's script runs."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in (query or {}).items():
        app.query_params[name] = value
    if path != "app.py":
        app.switch_page(path)
    return app.run()


def charts(app: AppTest):
    return app.get("vega_lite_chart")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_runs_on_a_fresh_session(path):
    app = run_page(path)
    assert not app.exception, app.exception
    assert app.title, "each page has a title"


def plain(markdown: str) -> str:
    """Markdown source with its backslash escapes removed (what the reader sees)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def set_bandwidth(app: AppTest, h: float) -> AppTest:
    """Set Explore's h the way a rule button, a link or another page does (the live chart's
    own slider runs in the browser: AppTest cannot drag it), and rerun."""
    app.session_state["h"] = h
    return app.run()


def shown_bandwidth(app: AppTest) -> float:
    """The h Explore's chart shows: where its bandwidth slider starts (live chart) or the
    server slider's value."""
    from ui.controls import bandwidth_stops

    try:
        return app.select_slider(key="_w_h").value
    except KeyError:
        spec = json.loads(charts(app)[0].proto.spec)
        start = next(p for p in spec["params"] if p["name"] == "bandwidth")["value"][0]
        return bandwidth_stops(app.session_state["dataset"])[start["h_stop"]]


def chart_content(chart):
    """A chart's spec and the contents of each of its datasets (decoded: the same table can
    be serialised to different bytes)."""
    return chart.proto.spec, [pyarrow.ipc.open_stream(dataset.data.data).read_all().to_pydict()
                              for dataset in chart.proto.datasets]


def test_home_explains_queries_keys_values():
    text = " ".join(m.value for m in run_page("app.py").markdown)
    for word in ("queries", "keys", "values"):
        assert word in text


def test_generate_then_explore_then_change_h():
    app = run_page("pages/1_Data.py")
    app.selectbox(key="_w_preset").select("d2l_new").run()
    app.number_input(key="_w_seed").set_value(7)
    app.form_submit_button[0].click().run()
    assert not app.exception
    data = app.session_state["dataset"]
    assert len(data.frame) == 40 and data.function == "2sin_x"
    app.switch_page("pages/2_Explore.py").run()
    assert not app.exception
    first = chart_content(charts(app)[0])
    set_bandwidth(app, 0.2)
    assert not app.exception
    assert app.session_state["h"] == 0.2
    assert chart_content(charts(app)[0]) != first, "the chart shows the new bandwidth"
    assert app.session_state["dataset"] is not None and len(app.session_state["dataset"].frame) == 40


def test_same_seed_same_data():
    first = run_page("pages/1_Data.py")
    second = run_page("pages/1_Data.py")
    assert first.session_state["dataset"].frame.equals(second.session_state["dataset"].frame)


def test_dataset_survives_switching_pages():
    app = run_page("pages/1_Data.py")
    app.number_input(key="_w_n").set_value(123)
    app.form_submit_button[0].click().run()
    app.switch_page("pages/2_Explore.py").run()
    app.switch_page("app.py").run()
    app.switch_page("pages/2_Explore.py").run()
    assert len(app.session_state["dataset"].frame) == 123
    assert not app.exception


def test_explore_pooling_switch_updates_both_charts():
    app = run_page("pages/2_Explore.py")
    before = chart_content(charts(app)[0])
    app.selectbox(key="_w_kernel").select("average").run()
    assert not app.exception
    assert chart_content(charts(app)[0]) != before


def test_upload_csv_reports_accounting_and_bad_file_keeps_data():
    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    rows = "\n".join(f"{i},{i * 0.5}" for i in range(117))
    csv = ("x,y\n" + rows + "\nfoo,1\n2,bar\n3,\n").encode()
    app.file_uploader(key="upload").upload("good.csv", csv, "text/csv").run()
    assert not app.exception
    app.button(key="use_upload").click().run()
    assert not app.exception
    assert any("read 120 rows, used 117, dropped 3" in s.value for s in app.success)
    kept = app.session_state["dataset"]
    assert kept.source == "uploaded" and len(kept.frame) == 117
    app.file_uploader(key="upload").upload("bad.csv", b"\x89PNG\r\n\x1a\n\x00\x00garbage",
                                            "text/csv").run()
    assert not app.exception
    assert app.error, "a bad file shows an error message"
    assert app.session_state["dataset"] is kept


@pytest.mark.slow
def test_uploaded_data_explore_uses_query_grid():
    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    csv = ("a,b\n" + "\n".join(f"{i / 10},{(i % 7) / 3}" for i in range(300))).encode()
    app.file_uploader(key="upload").upload("grid.csv", csv, "text/csv").run()
    app.button(key="use_upload").click().run()
    app.switch_page("pages/2_Explore.py").run()
    assert not app.exception
    app.number_input(key="_w_nq").set_value(80).run()
    assert not app.exception
    assert app.session_state["nq"] == 80


def test_a_link_with_a_pinned_query_shows_its_decomposition():
    app = run_page("pages/2_Explore.py", {"q": "10"})
    assert not app.exception
    assert [h.value for h in app.subheader if h.value.startswith("Pinned query x = 1.000")]
    assert app.query_params["q"] in ("10", ["10"])  # kept, so the link still reproduces the view
    out_of_range = run_page("pages/2_Explore.py", {"q": "200"})  # the grid has 50 queries
    assert not out_of_range.exception
    assert not [h for h in out_of_range.subheader if h.value.startswith("Pinned query")]
    assert any("pins query 200" in box.value for box in out_of_range.info)
    assert "q" not in out_of_range.query_params


def test_many_keys_heatmap_is_binned():
    app = run_page("pages/1_Data.py")
    app.number_input(key="_w_n").set_value(2000)
    app.form_submit_button[0].click().run()
    app.switch_page("pages/2_Explore.py").run()
    assert not app.exception
    assert any("bins of x" in c.value for c in app.caption)


def test_sessions_do_not_share_uploaded_data():
    sessions = []
    for name, slope in (("first.csv", 1.0), ("second.csv", -3.0)):
        app = run_page("pages/1_Data.py")
        app.radio(key="data_source").set_value("Upload a file").run()
        csv = ("x,y\n" + "\n".join(f"{i},{slope * i}" for i in range(30))).encode()
        app.file_uploader(key="upload").upload(name, csv, "text/csv").run()
        app.button(key="use_upload").click().run()
        sessions.append(app)
    first, second = (s.session_state["dataset"] for s in sessions)
    assert first.label.startswith("first.csv") and second.label.startswith("second.csv")
    assert first.frame["y"].iloc[-1] == 29 and second.frame["y"].iloc[-1] == -87
    fresh = run_page("pages/1_Data.py")
    assert fresh.session_state["dataset"].source == "generated"


EDGE_UPLOADS = {
    "single row": b"x,y\n1.5,2\n",
    "constant x": b"x,y\n" + b"".join(b"3,%d\n" % i for i in range(20)),
    "duplicate x": b"x,y\n" + b"".join(b"%d,%d\n" % (i % 3, i) for i in range(30)),
    "huge spread": b"x,y\n" + b"".join(b"%de9,%d\n" % (i, i % 5) for i in range(40)),
    "many rows": b"x,y\n" + b"".join(b"%d,%d\n" % (i, (i * 7) % 11) for i in range(50_000)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", EDGE_UPLOADS)
def test_every_page_copes_with_edge_datasets(name):
    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    app.file_uploader(key="upload").upload(f"{name}.csv", EDGE_UPLOADS[name], "text/csv").run()
    app.button(key="use_upload").click().run()
    assert app.session_state["dataset"].source == "uploaded"
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, [e.value for e in app.exception])
