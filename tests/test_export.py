"""Downloads: formula-neutral CSV and finite-only JSON."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from nwcore.export import FORMULA_STARTS, csv_bytes, json_bytes, starts_like_formula


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_formula_cells_and_names_are_neutralised():
    frame = pd.DataFrame({
        "=HYPERLINK(\"x\")": ["=1+2", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "\tz", "\rz"],
        "label": ["ok", "a=b", None, "", "'quoted", "–dash"],
        "value": [-1.5, -2.0, 0.0, np.nan, 3.25, -1e-9],
    })
    table = rows(csv_bytes(frame))
    assert table[0] == ["'=HYPERLINK(\"x\")", "label", "value"]
    assert [row[0] for row in table[1:]] == ["'=1+2", "'@SUM(A1)", "'+cmd|' /C calc'!A0", "'-2+3",
                                             "'\tz", "'\rz"]
    assert [row[1] for row in table[1:]] == ["ok", "a=b", "", "", "'quoted", "–dash"]
    assert [row[2] for row in table[1:]] == ["-1.5", "-2.0", "0.0", "", "3.25", "-1e-09"]


def test_full_width_and_hidden_formula_starts_are_neutralised():
    cells = ["＝1+2", "＋cmd", "－2+3", "＠SUM(A1)", "﹦1", " =1+2", "  @x", "\u00a0=1",
             "\u200b=1", "\ufeff+1", "\u2060-1", "\u3000＝1", " \u200b \u00a0＠x", "\n=1"]
    table = rows(csv_bytes(pd.DataFrame({"＝name": cells})))
    assert table[0] == ["'＝name"]
    assert [row[0] for row in table[1:]] == ["'" + cell for cell in cells]
    harmless = ["a=b", " x", "\u00a0note", "\u200b", " ", "1+1", "'=quoted", "−2 (minus sign)"]
    table = rows(csv_bytes(pd.DataFrame({"ok": harmless})))
    assert [row[0] for row in table[1:]] == harmless


def test_numbers_in_text_columns_stay_numbers_and_input_is_unchanged():
    frame = pd.DataFrame({"mixed": pd.Series([-1, "-x", 2.5], dtype=object),
                          "n": pd.Series([-3, 4, -5], dtype="int64")})
    before = frame.copy()
    table = rows(csv_bytes(frame))
    assert table[1:] == [["-1", "-3"], ["'-x", "4"], ["2.5", "-5"]]
    pd.testing.assert_frame_equal(frame, before)


def test_csv_is_utf8_without_index():
    data = csv_bytes(pd.DataFrame({"café": ["naïve"]}, index=[7]))
    assert data.decode("utf-8") == "café\r\nnaïve\r\n"


FORMULA_LIKE = st.text(alphabet=st.sampled_from(
    list("=+-@＝＋－＠﹦﹢﹣﹫ \t\r\n\u00a0\u200b\u200d\u2060\ufeff\u3000a1'")), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), FORMULA_LIKE), min_size=1, max_size=6),
       st.one_of(st.text(max_size=6), FORMULA_LIKE))
def test_no_text_cell_starts_a_formula(cells, name):
    table = rows(csv_bytes(pd.DataFrame({name: cells})))
    for cell in [table[0][0]] + [row[0] for row in table[1:] if row]:
        assert not cell.startswith(FORMULA_STARTS)
        assert not starts_like_formula(cell)


def test_json_is_pretty_sorted_and_finite():
    settings_ = {"b": float("nan"), "a": [1, float("inf"), -np.inf], "c": np.float64(0.25),
                 "d": {"z": np.int64(3), "y": np.array([1.0, np.nan])}, "e": "=x"}
    text = json_bytes(settings_).decode("utf-8")
    parsed = json.loads(text, parse_constant=lambda token: pytest_fail(token))
    assert parsed == {"a": [1, None, None], "b": None, "c": 0.25,
                      "d": {"y": [1.0, None], "z": 3}, "e": "=x"}
    assert text.index('"a"') < text.index('"b"') < text.index('"c"')
    assert "\n  " in text


def pytest_fail(token):
    raise AssertionError(f"non-finite JSON constant {token}")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=5), st.one_of(st.floats(), st.integers(), st.text(),
                                                      st.lists(st.floats(), max_size=3))))
def test_json_always_parses_strictly(settings_):
    json.loads(json_bytes(settings_), parse_constant=pytest_fail)
