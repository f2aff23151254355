"""Reading uploads: the bad-upload corpus, row accounting, hostile files, and a fuzz test."""

from __future__ import annotations

import io
import os
import tomllib
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.make_bad_uploads import Upload, as_params, bad_upload_cases, measure_read
from nwcore.reading import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    Table,
    UploadError,
    XYData,
    UPLOAD_EXTENSIONS,
    excel_sheet_names,
    excel_sheets,
    extract_xy,
    read_table,
)
from tests.make_bad_uploads import _sheet, _xlsx, _xlsx_parts

CASES = bad_upload_cases()
HOSTILE = [case for case in CASES if case.hostile]
#: Hostile files must be answered in ≤ 0.1 s; the assertion allows for a loaded 2-core machine
#: (benchmarks/hostile_uploads.py reports the medians).
HOSTILE_SECONDS = 0.5
HOSTILE_PEAK_BYTES = 50 * 2**20


def read_case(case: Upload) -> tuple[Table, XYData]:
    """Read a case the way the Data page does: the table, then the chosen (or default) columns."""
    table = read_table(case.data, case.filename, sheet=case.sheet)
    x_column, y_column = case.columns or (table.default_x, table.default_y)
    return table, extract_xy(table, x_column, y_column, x_dates=case.x_dates)


def check_accounting(xy: XYData) -> None:
    assert xy.rows_read == xy.rows_used + sum(xy.dropped.values())
    assert set(xy.dropped) == set(xy.examples)
    assert all(1 <= len(values) <= 3 and all(isinstance(v, str) for v in values)
               for values in xy.examples.values())
    assert list(xy.frame.columns) == ["x", "y"] and len(xy.frame) == xy.rows_used
    assert (xy.frame.dtypes == np.float64).all()
    assert np.isfinite(xy.frame.to_numpy()).all()
    assert xy.frame["x"].is_monotonic_increasing


def test_corpus_is_big_and_covers_the_catalogue():
    assert len(CASES) >= 55
    assert len({case.name for case in CASES}) == len(CASES)
    assert {case.catalogue for case in CASES} >= set(range(1, 51))
    assert all(case.filename.rsplit(".", 1)[-1] in UPLOAD_EXTENSIONS for case in CASES)


def test_corpus_covers_every_risk_and_states_the_numbers():
    risks = Counter(case.risk for case in CASES if case.risk)
    print(dict(risks))
    assert sum(risks.values()) >= 40
    assert risks["misread"] >= 20 and risks["denial of service"] >= 15 and risks["markdown"] >= 3
    unstated = [case.name for case in CASES
                if case.expect == "accept" and (case.x is None or case.y is None)]
    assert not unstated, unstated


@pytest.mark.parametrize("case", as_params(CASES))
def test_upload_case(case: Upload):
    if case.expect == "reject":
        with pytest.raises(UploadError) as refused:
            read_case(case)
        assert case.message in str(refused.value)
        return
    table, xy = read_case(case)
    check_accounting(xy)
    assert (xy.rows_read, xy.rows_used) == (case.rows_read, case.rows_used)
    assert xy.dropped == case.dropped
    if case.x is not None:
        np.testing.assert_allclose(xy.frame["x"], case.x, rtol=1e-12)
    if case.y is not None:
        np.testing.assert_allclose(xy.frame["y"], case.y, rtol=1e-12)
    if case.numeric_columns is not None:
        assert table.numeric_columns == case.numeric_columns
    if case.message:
        assert any(case.message in note for note in table.notes + xy.notes), \
            (table.notes, xy.notes)
    assert len(set(table.frame.columns)) == table.frame.shape[1]
    assert all(isinstance(name, str) for name in table.frame.columns)


@pytest.fixture(scope="module")
def warm_reader():
    """Imports and compiled patterns are loaded once, before the forked measurements."""
    for case in CASES:
        if case.name in ("xlsx", "parquet", "json columns", "comment lines"):
            read_table(case.data, case.filename)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="measured in a forked child (POSIX)")
@pytest.mark.parametrize("case", HOSTILE, ids=[case.name for case in HOSTILE])
def test_hostile_files_are_answered_fast_and_small(warm_reader, case: Upload):
    figures = measure_read(case)
    for _ in range(2):  # a busy machine can stall one read: the fastest of three counts
        if figures["seconds"] > HOSTILE_SECONDS:
            figures = min(figures, measure_read(case), key=lambda run: run["seconds"])
    print(f"{case.name}: {figures['outcome']} in {figures['seconds'] * 1000:.1f} ms, "
          f"RSS +{figures['rss'] / 2**20:.1f} MB, traced peak {figures['traced'] / 2**20:.1f} MB")
    assert figures["outcome"] == ("reject" if case.expect == "reject" and not case.columns
                                  else "accept")
    assert figures["seconds"] <= HOSTILE_SECONDS
    assert figures["rss"] <= HOSTILE_PEAK_BYTES
    assert figures["traced"] <= HOSTILE_PEAK_BYTES


def test_summary_wording():
    table = read_table(b"x,y\n1,2\n2,abc\n3,\n4,5\n", "s.csv")
    xy = extract_xy(table, "x", "y")
    assert xy.summary() == "read 4 rows, used 2, dropped 2: 1 non-numeric, 1 missing"
    assert xy.examples == {"non-numeric": ["abc"], "missing": [""]}
    clean = extract_xy(read_table(b"x,y\n1,2\n", "c.csv"), "x", "y")
    assert clean.summary() == "read 1 rows, used 1"


def test_source_describes_the_detection():
    table = read_table("x;y\n1,5;2\n".encode("utf-8"), "e.csv")
    assert table.source == "CSV (delimiter ';', decimal ',', UTF-8)"


def test_sorting_is_stable_and_keeps_pairs():
    table = read_table(b"x,y\n2,1\n1,2\n2,3\n1,4\n", "s.csv")
    xy = extract_xy(table, "x", "y")
    assert xy.frame.to_numpy().tolist() == [[1, 2], [1, 4], [2, 1], [2, 3]]


def test_upload_limit_is_stated_once():
    """The server's cap (.streamlit/config.toml, in MB) is the reader's, counted in bytes as the
    browser counts them (1 MB = 1,000,000 bytes; the uploader is given MAX_UPLOAD_MB)."""
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert MAX_UPLOAD_BYTES == MAX_UPLOAD_MB * 1_000_000
    with pytest.raises(UploadError, match="PNG"):  # at the limit: past the size check
        read_table(b"\x89PNG" + bytes(MAX_UPLOAD_BYTES - 4), "edge.csv")
    with pytest.raises(UploadError, match=f"{MAX_UPLOAD_MB} MB limit"):
        read_table(b"\x89PNG" + bytes(MAX_UPLOAD_BYTES - 3), "over.csv")


def test_excel_sheet_names():
    data = _xlsx([["x", "y"], [1, 2]], sheets={"second": [["a"]]}, title="first",
                 states={"first": "hidden"})
    assert excel_sheet_names(data) == ["first", "second"]
    assert excel_sheets(data) == [("first", True), ("second", False)]
    with pytest.raises(UploadError, match="damaged"):
        excel_sheet_names(b"PK garbage")
    with pytest.raises(UploadError, match="not an Excel workbook"):
        excel_sheet_names(b"x,y\n1,2\n")


def test_bad_arguments_raise_upload_error():
    table = read_table(b"x,y\n1,2\n", "a.csv")
    with pytest.raises(UploadError, match="no column 'z'"):
        extract_xy(table, "z", "y")
    with pytest.raises(UploadError, match="Unknown date order"):
        extract_xy(table, "x", "y", x_dates="guess")
    with pytest.raises(UploadError):
        read_table("not bytes", "a.csv")
    with pytest.raises(UploadError):
        extract_xy("not a table", "x", "y")
    with pytest.raises(UploadError, match="Only Excel"):
        read_table(b"x,y\n1,2\n", "a.csv", sheet="data")


def test_row_cap_keeps_the_first_rows():
    data = b"x,y\n" + b"".join(b"%d,1\n" % i for i in range(MAX_ROWS + 3))
    table = read_table(data, "big.csv")
    assert len(table.frame) == MAX_ROWS
    assert table.frame["x"].iloc[-1] == str(MAX_ROWS - 1)


def test_parquet_roundtrip_of_a_pandas_frame():
    buffer = io.BytesIO()
    pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}).to_parquet(buffer)
    xy = extract_xy(read_table(buffer.getvalue(), "f.parquet"), "x", "y")
    assert xy.frame.to_numpy().tolist() == [[1, 3], [2, 4]]


# ---------------------------------------------------------------------------------------------
# A second x column and a label column

POINTS_CSV = (b"a,b,c,species\n"
              b"1,2,3,setosa\n"        # kept
              b"0.5,x,4,virginica\n"   # bad x2: non-numeric
              b"2,1,,setosa\n"         # bad y: missing
              b"3,3,3,\n"              # no label: kept, unlabelled
              b"4,,5,versicolor\n"     # bad x2: missing
              b"-1,7,1,virginica\n")   # kept (sorted first)


def test_a_second_x_column_and_labels_keep_every_row_accounted_for():
    xy = extract_xy(read_table(POINTS_CSV, "p.csv"), "a", "c", x2_column="b",
                    label_column="species")
    assert list(xy.frame.columns) == ["x", "x2", "y", "label"]
    assert xy.frame[["x", "x2", "y"]].to_numpy().tolist() == [[-1, 7, 1], [1, 2, 3], [3, 3, 3]]
    assert xy.frame["label"].tolist()[:2] == ["virginica", "setosa"]
    assert pd.isna(xy.frame["label"].iloc[2])
    assert (xy.rows_read, xy.rows_used, xy.dropped) == (6, 3, {"non-numeric": 1, "missing": 2})
    assert xy.examples == {"non-numeric": ["x"], "missing": [""]}
    assert xy.summary() == ("read 6 rows, used 3, dropped 3 (a bad x, x2 or y): 1 non-numeric, "
                            "2 missing; 1 row used has no label (Classify leaves it out)")
    assert (xy.x2_label, xy.label_column, xy.classes, xy.unlabelled) == (
        "b", "species", ("setosa", "virginica"), 1)
    assert any("2 classes (setosa, virginica)" in note for note in xy.notes)


def test_the_worst_cell_of_a_row_names_its_reason_x_before_x2_before_y():
    table = read_table(b"x,x2,y\n1,abc,\n2,,zz\n,,\n4,5,6\n", "w.csv")
    xy = extract_xy(table, "x", "y", x2_column="x2")
    assert xy.dropped == {"non-numeric": 2, "missing": 1}
    assert xy.examples == {"non-numeric": ["abc", "zz"], "missing": [""]}


def test_y_can_be_the_class_codes_of_the_labels():
    table = read_table(POINTS_CSV, "p.csv")
    xy = extract_xy(table, "a", None, x2_column="b", label_column="species")
    # codes over the column's sorted labels: setosa 0, versicolor 1, virginica 2; no label: no
    # y (dropped as missing); column c is not used
    assert xy.frame[["x", "y"]].to_numpy().tolist() == [[-1, 2], [1, 0], [2, 0]]
    assert xy.y_label == "class code of species"
    assert xy.dropped == {"non-numeric": 1, "missing": 2} and xy.unlabelled == 0
    with pytest.raises(UploadError, match="Choose a y column"):
        extract_xy(table, "a", None)


def test_whole_number_labels_stay_numbers_and_sort_as_numbers():
    table = read_table(b"x,y,k\n1,2,10\n2,3,2\n3,4,1\n4,5,\n5,6,2.0\n", "k.csv")
    xy = extract_xy(table, "x", "y", label_column="k")
    assert str(xy.frame["label"].dtype) == "Int64" and xy.classes == (1, 2, 10)
    codes = extract_xy(table, "x", None, label_column="k").frame["y"].tolist()
    assert codes == [2, 1, 0, 1]
    text = extract_xy(read_table(b"x,y,k\n1,2,1.5\n2,3, a \n3,4,NA\n4,5,\n", "t.csv"), "x",
                      "y", label_column="k")
    assert text.frame["label"].tolist()[:2] == ["1.5", "a"]
    assert text.summary() == ("read 4 rows, used 4; 2 rows used have no label (Classify leaves "
                              "them out)")


def test_bad_column_choices_are_refused_with_what_to_do():
    table = read_table(POINTS_CSV, "p.csv")
    with pytest.raises(UploadError, match="'a' is already x"):
        extract_xy(table, "a", "c", x2_column="a")
    with pytest.raises(UploadError, match="no column 'z' to use as second x"):
        extract_xy(table, "a", "c", x2_column="z")
    with pytest.raises(UploadError, match="no column 'z' to use as label"):
        extract_xy(table, "a", "c", label_column="z")
    many = b"x,y\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(40))
    with pytest.raises(UploadError, match=r"'y' holds 40 distinct values .* at most 10"):
        extract_xy(read_table(many, "m.csv"), "x", "y", label_column="y")
    with pytest.raises(UploadError, match="No row has usable numbers in all of 'a', 'b' and "
                                          "'c'"):
        extract_xy(read_table(b"a,b,c\n1,,3\nq,2,3\n", "n.csv"), "a", "c", x2_column="b")


def test_no_spread_and_duplicates_are_judged_on_the_points():
    table = read_table(b"x,x2,y\n1,1,1\n1,2,2\n1,1,3\n", "d.csv")
    notes = " ".join(extract_xy(table, "x", "y", x2_column="x2").notes)
    assert "1 duplicate (x, x2) value(s)" in notes and "no spread" not in notes
    flat = " ".join(extract_xy(read_table(b"x,x2,y\n1,2,1\n1,2,2\n", "f.csv"), "x", "y",
                               x2_column="x2").notes)
    assert "(x, x2) has no spread (every (x, x2) is (1, 2))" in flat


CELLS = st.sampled_from(["1", "2.5", "-3", "", "NA", "abc", "1e999", "7", "0"])


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(CELLS, CELLS, CELLS, st.sampled_from(["", "p", "q", "1"])),
                     min_size=1, max_size=25))
def test_points_and_labels_match_a_row_by_row_oracle(rows):
    """Every row is used or dropped; a used row is one whose x, x2 and y all parse to finite
    numbers, and it keeps its own x2, y and label (sorted by x, stably)."""
    text = "x,x2,y,k\n" + "\n".join(",".join(row) for row in rows) + "\n"
    try:
        table = read_table(text.encode(), "r.csv")
        xy = extract_xy(table, "x", "y", x2_column="x2", label_column="k")
    except UploadError as error:
        assert str(error)
        return
    assert xy.rows_read == len(rows) == xy.rows_used + sum(xy.dropped.values())
    expected = []
    for x, x2, y, label in rows:
        numbers = [float(cell) if cell not in ("", "NA", "abc") else None for cell in (x, x2, y)]
        if all(number is not None and np.isfinite(number) for number in numbers):
            expected.append((*numbers, label or None))
    expected.sort(key=lambda row: row[0])
    got = [(x, x2, y, None if pd.isna(label) else str(label)) for x, x2, y, label in
           xy.frame[["x", "x2", "y", "label"]].itertuples(index=False)]
    assert got == expected
    assert xy.unlabelled == sum(row[3] is None for row in expected)


# ---------------------------------------------------------------------------------------------
# The streaming Excel reader against openpyxl


EXCEL_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**9, 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(alphabet=st.sampled_from(list("ab <>&'\"é😀 1,.-=\t")), min_size=1, max_size=8),
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda moment: moment.replace(microsecond=0)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(EXCEL_CELLS, max_size=5), min_size=1, max_size=8),
       epoch_1904=st.booleans())
def test_excel_reader_agrees_with_openpyxl(rows, epoch_1904):
    """Every non-blank row, in order, with the values openpyxl reads (strings as stored)."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from nwcore import _xlsx as reader

    rows = [[cell or "x" if isinstance(cell, str) else cell for cell in row]
            for row in rows]
    data = _xlsx(rows, epoch=CALENDAR_MAC_1904 if epoch_1904 else None)
    expected = [list(row) for row in load_workbook(io.BytesIO(data), data_only=True).active
                .iter_rows(values_only=True) if any(value is not None for value in row)]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = reader.sheets(archive)[0]
        columns = reader.read_sheet(archive, sheet, max_rows=100, max_columns=100,
                                   max_cell_bytes=10**6).columns
    used = [i for i in range(max(map(len, expected), default=0))
            if any(i < len(row) and row[i] is not None for row in expected)]
    assert len(columns) == len(used)
    got = [list(row) for row in zip(*columns)]
    want = [[row[i] if i < len(row) else None for i in used] for row in expected]
    assert got == want


def test_excel_shared_strings_keep_their_text():
    """Shared and rich-text strings are joined, phonetic hints left out, entities decoded."""
    case = next(case for case in CASES if case.name == "xlsx shared and rich-text strings")
    table = read_table(case.data, case.filename)
    assert list(table.frame.columns) == ["x", "y", "Unnamed: 2"]
    assert table.frame["Unnamed: 2"].tolist()[1] == "a & b <c>"


# ---------------------------------------------------------------------------------------------
# Fuzz: nothing but UploadError escapes, and accepted data always balances

FILENAMES = st.sampled_from(["a.csv", "a.txt", "a.tsv", "a.json", "a.xlsx", "a.parquet"])
PREFIXES = st.sampled_from([b"", b"PK\x03\x04", b"PAR1", b"\xff\xfe", b"\xef\xbb\xbf", b"x,y\n"])
CSV_TEXT = st.text(alphabet=st.sampled_from(list("0123456789.,;\t|\"'\n\r -+eExyNaif#%$ é١")),
                   max_size=300)


def _read_or_refuse(data: bytes, filename: str) -> None:
    try:
        table = read_table(data, filename)
    except UploadError as error:
        assert str(error)
        return
    assert isinstance(table, Table)
    assert set(table.numeric_columns) <= set(table.frame.columns)
    columns = table.numeric_columns
    try:
        xy = extract_xy(table, columns[0], columns[min(1, len(columns) - 1)])
    except UploadError as error:
        assert str(error)
        return
    check_accounting(xy)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIXES, body=st.binary(max_size=600), filename=FILENAMES)
def test_fuzz_arbitrary_bytes(prefix: bytes, body: bytes, filename: str):
    _read_or_refuse(prefix + body, filename)


SHEET_TOKENS = st.lists(st.sampled_from([
    b'<row r="1">', b'<row r="3">', b"</row>", b'<c r="A1">', b'<c r="B2" t="s">',
    b'<c r="C3" t="inlineStr">', b'<c r="A4" t="b" s="1">', b'<c t="n">', b"</c>", b'<c r="D5"/>',
    b"<v>", b"</v>", b"1.5", b"-2e3", b"0", b"abc", b"<is><t>", b"</t></is>", b"<f>A1*2</f>",
    b"&amp;", b"&#x41;", b"<", b">", b'"', b" ", b"</sheetData>"]), max_size=40)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=SHEET_TOKENS)
def test_fuzz_excel_sheet_xml(tokens):
    _read_or_refuse(_xlsx_parts(_sheet(b"".join(tokens))), "a.xlsx")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=CSV_TEXT, filename=st.sampled_from(["a.csv", "a.txt", "a.json"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_fuzz_table_like_text(text: str, filename: str, encoding: str):
    _read_or_refuse(text.encode(encoding, errors="replace"), filename)
