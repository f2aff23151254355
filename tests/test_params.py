"""URL view parameters: garbage never raises, values stay in their schema, corrections are told."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nwcore.params import (
    H_MAX,
    N_MAX,
    VIEW_PARAMS,
    Choice,
    Flag,
    Number,
    format_view_params,
    parse_view_params,
)

#: Values no parameter may take as they are (each parameter gets every one of them).
GARBAGE = [
    "", " ", "nan", "NaN", "inf", "-inf", "+inf", "1e999", "-1e999", "1e-320", "abc", "<script>",
    "１２", "١٢", "0x10", "1_000", "9" * 400, "x" * 10_000, "1,5", "1d3", "\x00", "\u202e12",
    "true1", "None", "[1]", "1 2", "--1", "e5", "-1", "0",
]
#: Values a number parameter must drop rather than clamp.
NOT_NUMBERS = [value for value in GARBAGE if value not in ("1e-320", "-1", "0")]


def check_value(name: str, value: object) -> None:
    """``value`` is a legal value of parameter ``name``."""
    spec = VIEW_PARAMS[name]
    if isinstance(spec, Choice):
        assert isinstance(value, str) and value in spec.options
    elif isinstance(spec, Flag):
        assert isinstance(value, bool)
    else:
        assert type(value) is (int if spec.integer else float)
        assert math.isfinite(value) and spec.low <= value <= spec.high
        assert value == 0 or abs(value) >= sys.float_info.min


def check_parse(name: str, raw) -> tuple[dict, list[str]]:
    """Parse one parameter and check the schema and the notice rules."""
    clean, notices = parse_view_params({name: raw})
    assert set(clean) <= {name} and len(notices) <= 1
    assert all(notice.startswith(name) for notice in notices)
    if name not in clean:
        assert notices, f"{name}={raw!r} dropped without a notice"
        return clean, notices
    check_value(name, clean[name])
    if not notices:  # taken as given: the text means exactly this value
        text = (raw if isinstance(raw, str) else raw[-1]).strip()
        spec = VIEW_PARAMS[name]
        if isinstance(spec, Number):
            assert float(text) == clean[name]
        elif isinstance(spec, Choice):
            assert text == clean[name]
    return clean, notices


@pytest.mark.parametrize("name", list(VIEW_PARAMS))
@pytest.mark.parametrize("raw", GARBAGE, ids=[repr(v[:12]) for v in GARBAGE])
def test_garbage_is_dropped_or_corrected_with_a_notice(name: str, raw: str):
    clean, notices = check_parse(name, raw)
    if isinstance(VIEW_PARAMS[name], Number) and raw in NOT_NUMBERS:
        assert name not in clean and notices


@pytest.mark.parametrize("name", list(VIEW_PARAMS))
def test_repeated_values_keep_the_last(name: str):
    good = format_view_params({name: _example_value(name)})[name]
    assert parse_view_params({name: ["abc", good]}) == ({name: _example_value(name)}, [])
    clean, notices = check_parse(name, [good, "abc"])
    assert name not in clean and notices
    clean, notices = check_parse(name, [])
    assert name not in clean and notices


def _example_value(name: str):
    spec = VIEW_PARAMS[name]
    if isinstance(spec, Choice):
        return spec.options[-1]
    if isinstance(spec, Flag):
        return True
    return int(spec.high) if spec.integer else spec.high / 2


@pytest.mark.parametrize(("raw", "value", "notice"), [
    ("55", 55, None),
    ("55.0", 55, None),
    (" 55 ", 55, None),
    ("55.5", 56, "n=55.5 is not a whole number; using 56"),
    ("1e12", N_MAX, f"n=1e12 is outside 1…{N_MAX}; using {N_MAX}"),
    ("-5", 1, f"n=-5 is outside 1…{N_MAX}; using 1"),
    ("0", 1, f"n=0 is outside 1…{N_MAX}; using 1"),
    ("abc", None, "n=abc is not a number; using the default"),
    ("nan", None, "n=nan is not a number; using the default"),
    ("1e999", None, "n=1e999 is not a finite number; using the default"),
])
def test_n(raw, value, notice):
    clean, notices = parse_view_params({"n": raw})
    assert clean.get("n") == value
    assert notices == ([notice] if notice else [])


def test_spec_examples():
    assert parse_view_params({"h": "99"}) == ({"h": H_MAX}, ["h=99 is outside 0.01…50; using 50"])
    assert parse_view_params({"h": "0.001"})[0] == {"h": 0.01}
    assert parse_view_params({"h": "1e-320"})[0] == {}
    assert parse_view_params({"seed": "1e30"})[0] == {}
    assert parse_view_params({"seed": str(2**32 - 1)})[0] == {"seed": 2**32 - 1}
    assert parse_view_params({"noise": "7"}) == ({"noise": 5.0},
                                                 ["noise=7 is outside 0…5; using 5"])
    assert parse_view_params({"ll": "TRUE", "q": "3"}) == ({"ll": True, "q": 3}, [])
    assert parse_view_params({"kernel": "average", "widths": "equal", "preset": "d2l_new"})[0] \
        == {"kernel": "average", "widths": "equal", "preset": "d2l_new"}
    assert parse_view_params({"nq": "1"})[0] == {"nq": 2}


def test_unknown_names_are_ignored_silently():
    assert parse_view_params({"zoom": "3", "": "1", "H": "2"}) == ({}, [])


def test_notices_do_not_echo_long_or_invisible_text():
    notice = parse_view_params({"kernel": "a" * 1000 + "\x07"})[1][0]
    assert len(notice) < 120
    notice = parse_view_params({"fn": "\x1b[31mred"})[1][0]
    assert "\x1b" not in notice


def test_format_is_compact():
    assert format_view_params({"h": 1.0, "noise": 0.25, "ll": True, "n": 50, "kernel": "boxcar",
                               "q": 0}) == {"h": "1", "noise": "0.25", "ll": "1", "n": "50",
                                            "kernel": "boxcar", "q": "0"}
    assert format_view_params({"ll": False, "h": 0.1}) == {"ll": "0", "h": "0.1"}


# ---------------------------------------------------------------------------------------------
# Properties

TEXTS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(GARBAGE),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(width=16).map(str),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.from_regex(r"\A[+-]?\d{0,6}(\.\d{0,6})?([eE][+-]?\d{1,4})?\Z"),
    st.sampled_from(["gaussian", "average", "raw", "equal", "d2l_classic", "step", "1", "0",
                     "true", "false", "Gaussian", " boxcar "]),
)
RAW_VALUES = st.one_of(TEXTS, st.lists(TEXTS, max_size=3))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(list(VIEW_PARAMS)), raw=RAW_VALUES)
def test_any_text_gives_a_legal_value_or_a_notice(name, raw):
    check_parse(name, raw)


@settings(max_examples=100, deadline=None)
@given(raw=st.dictionaries(st.one_of(st.sampled_from(list(VIEW_PARAMS)), st.text(max_size=5)),
                           RAW_VALUES, max_size=15))
def test_many_parameters_at_once(raw):
    clean, notices = parse_view_params(raw)
    assert set(clean) <= set(VIEW_PARAMS) & set(raw)
    for name, value in clean.items():
        check_value(name, value)
    assert len(notices) <= len(set(VIEW_PARAMS) & set(raw))


def _values(spec):
    if isinstance(spec, Choice):
        return st.sampled_from(spec.options)
    if isinstance(spec, Flag):
        return st.booleans()
    if spec.integer:
        return st.integers(int(spec.low), int(spec.high))
    return st.floats(spec.low, spec.high, allow_subnormal=False)


VALID = st.fixed_dictionaries({}, optional={name: _values(spec)
                                            for name, spec in VIEW_PARAMS.items()})


@settings(max_examples=300, deadline=None)
@given(values=VALID)
def test_valid_values_round_trip(values):
    texts = format_view_params(values)
    assert all(isinstance(text, str) and len(text) <= 24 for text in texts.values())
    assert parse_view_params(texts) == (values, [])
