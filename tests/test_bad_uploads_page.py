"""Every case of the bad-upload corpus driven through the real Data page with AppTest.

0 uncaught exceptions; a rejected file shows its message and keeps the current dataset; an
accepted file shows its row accounting and becomes the dataset.
"""

import pytest

from .make_bad_uploads import bad_upload_cases
from .test_pages import run_page

CASES = bad_upload_cases()
MIME = {"csv": "text/csv", "tsv": "text/tab-separated-values", "txt": "text/plain",
        "json": "application/json", "parquet": "application/octet-stream",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_corpus_is_large_enough():
    assert len(CASES) >= 50


@pytest.fixture(scope="module")
def data_page():
    """One Data-page session, reused: each case uploads into it (as a student would)."""
    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    return app


def offered(app, key):
    try:
        return app.selectbox(key=key).options
    except KeyError:
        return []


def texts(elements):
    return " ".join(e.value for e in elements)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_upload_case_through_data_page(data_page, case):
    app = data_page
    before = app.session_state["dataset"]
    mime = MIME[case.filename.rsplit(".", 1)[-1]]
    app.file_uploader(key="upload").upload(case.filename, case.data, mime).run()
    assert not app.exception, [e.value for e in app.exception]
    if case.sheet:
        if case.sheet not in offered(app, "upload_sheet"):
            pytest.skip("the page only offers the workbook's own sheets")
        app.selectbox(key="upload_sheet").select(case.sheet).run()
    if case.expect == "reject" and app.error:
        assert case.message.lower() in texts(app.error).lower()
        assert app.session_state["dataset"] is before, "a rejected upload must keep the data"
        return
    if case.columns:
        if case.columns[0] not in offered(app, "x_column") or \
                case.columns[1] not in offered(app, "y_column"):
            pytest.skip("the page only offers numeric (or date) columns")
        app.selectbox(key="x_column").select(case.columns[0]).run()
        app.selectbox(key="y_column").select(case.columns[1]).run()
    if case.x_dates:
        app.radio(key="x_dates").set_value(case.x_dates).run()
    app.button(key="use_upload").click().run()
    assert not app.exception, [e.value for e in app.exception]
    if case.expect == "reject":
        assert case.message.lower() in texts(app.error).lower()
        assert app.session_state["dataset"] is before, "a rejected upload must keep the data"
        return
    summary = texts(app.success)
    assert f"read {case.rows_read:,} rows" in summary
    if case.rows_used is not None:
        assert f"used {case.rows_used:,}" in summary
        assert len(app.session_state["dataset"].frame) == case.rows_used
    assert app.session_state["dataset"].source == "uploaded"
