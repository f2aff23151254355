"""Every case of the bad-upload corpus driven through the real Data page with AppTest.

0 uncaught exceptions; a rejected file shows its message (at once, when the file itself is the
problem) and keeps the current dataset; an accepted file shows its row accounting, becomes the
dataset with exactly the x and y values expected, and then every other page runs on it. User
strings that Markdown would interpret are shown escaped on the Data page.
"""


import numpy as np
import pytest

from nwcore.reading import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, UPLOAD_EXTENSIONS, UploadError, read_table

from .make_bad_uploads import as_params, bad_upload_cases
from .test_pages import PAGES, plain, run_page

CASES = bad_upload_cases()
MIME = {"csv": "text/csv", "tsv": "text/tab-separated-values", "txt": "text/plain",
        "json": "application/json", "parquet": "application/octet-stream",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DATA_PAGE = "pages/1_Data.py"
#: Elements whose text is rendered as Markdown.
MARKDOWN_ELEMENTS = ("markdown", "caption", "info", "error", "success", "warning", "title",
                     "subheader")


def test_corpus_is_large_enough():
    assert len(CASES) >= 50


@pytest.fixture(scope="module")
def data_page():
    """One Data-page session, reused: each case uploads into it (as a student would)."""
    app = run_page(DATA_PAGE)
    app.radio(key="data_source").set_value("Upload a file").run()
    return app


def test_uploader_takes_the_reader_limit_and_formats(data_page):
    uploader = data_page.file_uploader(key="upload").proto
    assert list(uploader.type) == [f".{extension}" for extension in UPLOAD_EXTENSIONS]
    assert uploader.max_upload_size_mb == MAX_UPLOAD_MB
    assert f"{MAX_UPLOAD_MB} MB ({MAX_UPLOAD_BYTES:,} bytes)" in uploader.help


def offered(app, key):
    try:
        return app.selectbox(key=key).options
    except KeyError:
        return []


def texts(elements):
    return " ".join(plain(e.value) for e in elements)


def refused_on_reading(case) -> bool:
    try:
        read_table(case.data, case.filename, sheet=case.sheet)
    except UploadError:
        return True
    return False


def check_markdown_is_escaped(app, case):
    """The hostile string never reaches the page's Markdown as typed (only escaped)."""
    for kind in MARKDOWN_ELEMENTS:
        for element in app.get(kind):
            assert case.markdown not in element.value, (kind, element.value)
    shown = " ".join(plain(element.value) for kind in MARKDOWN_ELEMENTS
                     for element in app.get(kind))
    assert case.markdown in shown, "the string is shown, escaped"


def visit_every_other_page(app, case):
    for page in PAGES:
        if page != DATA_PAGE:
            app.switch_page(page).run()
            assert not app.exception, (case.name, page, [e.value for e in app.exception])
    app.switch_page(DATA_PAGE).run()
    app.radio(key="data_source").set_value("Upload a file").run()


@pytest.mark.parametrize("case", as_params(CASES))
def test_upload_case_through_data_page(data_page, case):
    check_upload(data_page, case)


ACCEPTED = [case for case in CASES if case.expect == "accept"]


@pytest.mark.slow
@pytest.mark.parametrize("case", ACCEPTED, ids=[c.name for c in ACCEPTED])
def test_accepted_upload_then_every_other_page(data_page, case):
    check_upload(data_page, case)
    visit_every_other_page(data_page, case)


def check_upload(app, case):
    """Upload the case on the Data page and check what it must give (see the module notes)."""
    before = app.session_state["dataset"]
    mime = MIME[case.filename.rsplit(".", 1)[-1]]
    app.file_uploader(key="upload").upload(case.filename, case.data, mime).run()
    assert not app.exception, [e.value for e in app.exception]
    if case.sheet:
        if not {case.sheet, f"{case.sheet} (hidden)"} & set(offered(app, "upload_sheet")):
            pytest.skip("the page only offers the workbook's own sheets")
        app.selectbox(key="upload_sheet").select(case.sheet).run()
    if case.expect == "reject" and refused_on_reading(case):
        assert case.message.lower() in texts(app.error).lower(), "said at once, on upload"
        assert app.session_state["dataset"] is before, "a rejected upload must keep the data"
        if case.markdown:
            check_markdown_is_escaped(app, case)
        return
    if case.columns:
        if case.columns[0] not in offered(app, "x_column") or \
                case.columns[1] not in offered(app, "y_column"):
            pytest.skip("the page only offers numeric (or date) columns")
        app.selectbox(key="x_column").select(case.columns[0]).run()
        app.selectbox(key="y_column").select(case.columns[1]).run()
    else:
        assert app.selectbox(key="x_column").value != app.selectbox(key="y_column").value
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
    assert f"used {case.rows_used:,}" in summary
    dataset = app.session_state["dataset"]
    assert dataset.source == "uploaded"
    np.testing.assert_allclose(dataset.frame["x"], case.x, rtol=1e-12)
    np.testing.assert_allclose(dataset.frame["y"], case.y, rtol=1e-12)
    if case.markdown:
        check_markdown_is_escaped(app, case)
