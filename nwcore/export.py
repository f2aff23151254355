"""Downloads: CSV that spreadsheets will not execute, and JSON with finite numbers only.

Uploaded text (labels, column names) can start with ``= + - @``, a tab or a carriage return, which
Excel and LibreOffice run as a formula (CSV injection, CWE-1236), also in their full-width forms
(＝＋－＠, which spreadsheets fold to ASCII) and after leading spaces, no-break spaces or invisible
characters (which they trim). :func:`csv_bytes` prefixes such texts with ``'`` (the OWASP rule);
numeric columns are left alone, so negative numbers stay numbers.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: A text starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula: it starts with one of
    FORMULA_STARTS, or, after any whitespace (no-break and ideographic spaces included) and
    invisible format characters (zero-width space, joiners, BOM), with = + - @ in any width
    (compared after NFKC folding, so ＝ ＋ － ＠ and the small forms count)."""
    if text.startswith(FORMULA_STARTS):
        return True
    start = 0
    while start < len(text) and (text[start].isspace()
                                 or unicodedata.category(text[start]) == "Cf"):
        start += 1
    return start < len(text) and unicodedata.normalize("NFKC", text[start])[:1] in "=+-@"


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if starts_like_formula(text) else text


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (CRLF, no index); formula-like texts and names neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(str(name)) for name in frame.columns]
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not (pd.api.types.is_numeric_dtype(column.dtype)
                or pd.api.types.is_datetime64_any_dtype(column.dtype)):
            safe.isetitem(position, column.map(
                lambda cell: neutralise(cell) if isinstance(cell, str) else cell))
    # CRLF line ends (RFC 4180) also make the writer quote cells holding a lone CR.
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def json_bytes(settings: Mapping) -> bytes:
    """Settings as pretty, key-sorted UTF-8 JSON; NaN and ±inf become null."""
    return json.dumps(_finite(settings), indent=2, sort_keys=True, ensure_ascii=False,
                      allow_nan=False, default=str).encode("utf-8")


def _finite(value):
    """A copy of nested settings with non-finite floats as None and numpy scalars as Python."""
    if isinstance(value, Mapping):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if isinstance(value, np.ndarray):
        return [_finite(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
