"""User-provided strings (file and column names) never reach Markdown as typed, on any page.

A file whose name and column names hold Markdown (an image that would fetch a URL: a tracking
pixel in a shared classroom app; bold; maths; Streamlit's colour directive; a link) is uploaded
through the real Data page, becomes the dataset, and every page is then visited: each element
rendered as Markdown may show the names only escaped.
"""

import pytest

from .test_pages import PAGES, run_page

IMAGE = "![t](http://127.0.0.1:9/t.png)"
HOSTILE = (IMAGE, "**bold**", "$x^2$", ":red[r]", "[link](http://x.example)", "<img src=x>")
FILE_NAME = f"{IMAGE} **bold**.csv"
X_NAME = f"{IMAGE} $x^2$"
Y_NAME = ":red[r] [link](http://x.example) **bold** <img src=x>"
#: Streamlit elements whose text (or label) is rendered as Markdown.
MARKDOWN_KINDS = ("markdown", "caption", "info", "error", "success", "warning", "title",
                  "header", "subheader", "expander", "tabs")


def markdown_sources(app):
    for kind in MARKDOWN_KINDS:
        for element in app.get(kind):
            for text in (getattr(element, "value", None), getattr(element, "label", None)):
                if isinstance(text, str):
                    yield kind, text


@pytest.fixture(scope="module")
def hostile_app():
    app = run_page("pages/1_Data.py")
    app.radio(key="data_source").set_value("Upload a file").run()
    rows = "\n".join(f"{i},{i * i}" for i in range(1, 30))
    data = f'"{X_NAME}","{Y_NAME}"\n{rows}\n'.encode()
    app.file_uploader(key="upload").upload(FILE_NAME, data, "text/csv").run()
    app.button(key="use_upload").click().run()
    assert app.session_state["dataset"].source == "uploaded", "the hostile file is used"
    return app


@pytest.mark.parametrize("page", PAGES)
def test_every_page_escapes_user_strings(hostile_app, page):
    app = hostile_app
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    for kind, text in markdown_sources(app):
        for fragment in HOSTILE:
            assert fragment not in text, (page, kind, text)
