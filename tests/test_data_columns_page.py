"""AppTest runs of the Data page's column choices: two x columns and a label column, every row
accounted for, and the pages that then show the upload (Explore points to Vectors; Classify
and Vectors use it)."""

from __future__ import annotations

import json

from .test_pages import charts, plain, run_page

DATA = "pages/1_Data.py"
SPECIES = ("setosa", "versicolor", "virginica")


def no_exception(app):
    assert not app.exception, [e.value for e in app.exception]


def points_csv() -> bytes:
    """60 good rows of (a, b) → c with a species each, then a bad b, a bad c and no label."""
    rows = [f"{i / 10},{(i * 7) % 11},{(i % 5) / 2},{SPECIES[i % 3]}" for i in range(60)]
    rows += ["1.05,zz,2,setosa", "2.05,3,,virginica", "3.05,4,1,"]
    return ("a,b,c,species\n" + "\n".join(rows) + "\n").encode()


def upload(app, data: bytes, name: str = "points.csv"):
    app.radio(key="data_source").set_value("Upload a file").run()
    app.file_uploader(key="upload").upload(name, data, "text/csv").run()
    no_exception(app)
    return app


def captions(app) -> str:
    """The captions as the reader sees them (Markdown escapes removed)."""
    return " ".join(plain(caption.value) for caption in app.caption)


def test_two_x_columns_and_a_label_are_used_and_bad_cells_counted():
    app = upload(run_page(DATA), points_csv())
    assert [box.label for box in app.selectbox] == [
        "x column (keys)", "Second x column (optional)", "y column (values)",
        "Label column (classes, optional)"]
    assert app.selectbox(key="x2_column").value is None
    assert app.selectbox(key="label_column").value is None
    app.selectbox(key="x2_column").select("b").run()
    app.selectbox(key="y_column").select("c").run()
    app.selectbox(key="label_column").select("species").run()
    app.button(key="use_upload").click().run()
    no_exception(app)
    data = app.session_state["dataset"]
    assert list(data.frame.columns) == ["x", "x2", "y", "label"] and len(data.frame) == 61
    assert data.frame["x"].is_monotonic_increasing
    assert data.key.endswith(":a:b:c:species:None") and data.x2_label == "b"
    assert data.label == "points.csv: c against a and b" and data.label_column == "species"
    assert [box.value for box in app.success] == [
        "read 63 rows, used 61, dropped 2 (a bad x, x2 or y): 1 non-numeric, 1 missing; 1 row "
        "used has no label (Classify leaves it out)"]
    assert "Dropped as non-numeric, for example: 'zz'" in captions(app)
    notes = " ".join(box.value for box in app.info)
    assert "3 classes (setosa, versicolor, virginica)" in notes.replace("\\", "")
    links = {link.proto.label: link.proto.page for link in app.get("page_link")}
    assert links["y against the points (a, b): the Vectors page"] == "Vectors"
    assert links["Classes from species: the Classify page"] == "Classify"

    app.switch_page("pages/2_Explore.py").run()
    no_exception(app)
    assert any("second x column, b: Explore fits y against x (a) alone" in box.value
               for box in app.info)
    assert any(link.proto.label == "Fit y against both x columns on Vectors"
               for link in app.get("page_link"))

    app.switch_page("pages/8_Vectors.py").run()
    no_exception(app)
    assert app.radio(key="_w_vec_source").value == "dataset"
    assert "points.csv: c against a and b: 61 points" in captions(app)

    app.switch_page("pages/7_Classify.py").run()
    no_exception(app)
    assert app.radio(key="_w_cls_source").value == "dataset"
    assert "60 keys of 3 classes" in captions(app), "the unlabelled row is left out"
    spec = json.loads(charts(app)[0].proto.spec)
    assert "Decision regions" in json.dumps(spec) and '"b"' in json.dumps(spec)


def test_a_file_of_points_and_class_names_takes_the_class_codes_as_y():
    app = upload(run_page(DATA), points_csv())
    app.selectbox(key="x2_column").select("b").run()
    app.selectbox(key="label_column").select("species").run()
    y_box = app.selectbox(key="y_column")
    assert y_box.options[-1] == "class codes of the label"
    assert "choose the class codes of the label" in y_box.help
    y_box.select_index(len(y_box.options) - 1).run()
    app.button(key="use_upload").click().run()
    no_exception(app)
    data = app.session_state["dataset"]
    assert data.y_label == "class code of species" and sorted(set(data.frame["y"])) == [0, 1, 2]
    codes = dict(zip(SPECIES, range(3)))
    assert [codes[label] for label in data.frame["label"]] == data.frame["y"].tolist()
    assert any("dropped 2 (a bad x, x2 or y): 1 non-numeric, 1 missing" in box.value
               for box in app.success), "the unlabelled row has no y; the row without c is kept"
    app.switch_page("pages/7_Classify.py").run()
    no_exception(app)
    assert "61 keys of 3 classes" in captions(app)


def test_refused_choices_keep_the_data_and_a_new_file_forgets_them():
    app = upload(run_page(DATA), points_csv())
    kept = app.session_state["dataset"]
    app.selectbox(key="x2_column").select("a").run()
    app.button(key="use_upload").click().run()
    no_exception(app)
    assert "'a' is already x" in app.error[0].value
    app.selectbox(key="x2_column").select("b").run()
    app.selectbox(key="label_column").select("a").run()
    app.button(key="use_upload").click().run()
    assert "holds 63 distinct values" in app.error[0].value and "at most 10" in app.error[0].value
    assert app.session_state["dataset"] is kept
    upload(app, b"x,y\n1,2\n2,3\n", "other.csv")
    assert app.selectbox(key="x2_column").value is None
    assert app.selectbox(key="label_column").value is None
