"""A corpus of bad and tricky uploads, generated in memory, with the outcome each must have.

Covers every row (1–50) of the bad-input catalogue in the reference notes, the big files scaled
down so tests stay fast, plus extras, plus files that used to be misread silently, files that
cost far more than they weigh, and user strings that Markdown would interpret (``risk`` names
the class). ``bad_upload_cases()`` is shared by the library tests (tests/test_reading.py), the
page tests (Streamlit AppTest with the file uploader) and benchmarks/hostile_uploads.py.

An ``Upload`` either must be refused (``expect="reject"``: ``message`` is a stable substring of
the ``UploadError`` raised by ``read_table`` or ``extract_xy``) or accepted (``expect="accept"``:
row counts, drop counts by reason and the x / y values read; ``message`` is then a substring of
one of the notes, if given). Without ``columns``, x and y are the table's default columns.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import pickle
import random
import tempfile
import time
import tracemalloc
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from nwcore.reading import MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES, UploadError, read_table


@dataclass(frozen=True)
class Upload:
    """One file and what reading it must give."""

    name: str
    data: bytes
    filename: str
    expect: str                               # "reject" or "accept"
    message: str = ""                         # reject: error substring; accept: note substring
    rows_read: int | None = None
    rows_used: int | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    x: tuple[float, ...] | None = None        # expected x (sorted), when given
    y: tuple[float, ...] | None = None        # expected y in x order, when given
    columns: tuple[str, str] | None = None    # x and y columns (default: the table's defaults)
    x_dates: str | None = None
    sheet: str | None = None
    numeric_columns: tuple[str, ...] | None = None
    hostile: bool = False                     # must be answered fast and without much memory
    catalogue: int | None = None              # row of the bad-input catalogue
    risk: str | None = None                   # "misread", "denial of service" or "markdown"
    markdown: str | None = None               # a user string the Data page must not render


def _reject(name, data, filename, message, **extra) -> Upload:
    return Upload(name, data, filename, "reject", message, **extra)


def _accept(name, data, filename, rows_read, rows_used=None, **extra) -> Upload:
    return Upload(name, data, filename, "accept", rows_read=rows_read,
                  rows_used=rows_read if rows_used is None else rows_used, **extra)


# ---------------------------------------------------------------------------------------------
# File makers


def _xlsx(rows, *, sheets: dict | None = None, title: str = "Sheet1",
          states: dict[str, str] | None = None, epoch: datetime | None = None) -> bytes:
    """A real workbook written by openpyxl (formulas get no cached value); ``states`` hides
    sheets ("hidden" or "veryHidden"), ``epoch`` sets the date system."""
    from openpyxl import Workbook

    book = Workbook()
    if epoch is not None:
        book.epoch = epoch
    book.active.title = title
    for row in rows:
        book.active.append(row)
    for name, sheet_rows in (sheets or {}).items():
        sheet = book.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    for name, state in (states or {}).items():
        book[name].sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_parts(parts: dict[str, bytes], *, level: int = 6) -> bytes:
    """A small openpyxl workbook with some of its parts replaced or added (raw XML)."""
    original = zipfile.ZipFile(io.BytesIO(_xlsx([["x", "y"], [1, 2]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        for member in original.infolist():
            if member.filename not in parts:
                book.writestr(member, original.read(member.filename))
        for name, content in parts.items():
            book.writestr(name, content)
    return buffer.getvalue()


_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet(rows: bytes, *, dimension: bytes | None = None) -> dict[str, bytes]:
    """The first worksheet part, with these ``<row>`` elements."""
    head = b'<?xml version="1.0"?><worksheet xmlns="' + _MAIN + b'">'
    if dimension:
        head += b'<dimension ref="' + dimension + b'"/>'
    return {"xl/worksheets/sheet1.xml": head + b"<sheetData>" + rows + b"</sheetData></worksheet>"}


def _numbers_row(row: int, *values: float) -> bytes:
    """A sheet row of number cells from column A."""
    return b'<row r="%d">' % row + b"".join(
        b'<c r="%s%d"><v>%r</v></c>' % (bytes([65 + i]), row, value)
        for i, value in enumerate(values)) + b"</row>"


_HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
               b'<c r="B1" t="inlineStr"><is><t>y</t></is></c></row>')


def _xlsx_with_sheet_xml(head: bytes, body: bytes, tail: bytes, repeat: int) -> bytes:
    """A small workbook whose first sheet is ``head + body * repeat + tail`` (a zip bomb)."""
    original = zipfile.ZipFile(io.BytesIO(_xlsx([["x", "y"], [1, 2]])))
    batch = max(1, 1_000_000 // len(body))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in original.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, original.read(member.filename))
                continue
            with bomb.open(member.filename, "w") as stream:
                stream.write(head)
                for start in range(0, repeat, batch):
                    stream.write(body * min(batch, repeat - start))
                stream.write(tail)
    return buffer.getvalue()


_SHEET_HEAD = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>')


def _sheet_rows_bomb(rows: int) -> bytes:
    body = b'<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'
    return _xlsx_with_sheet_xml(_SHEET_HEAD, body, b"</sheetData></worksheet>", rows)


def _sheet_string_bomb(megabytes: int) -> bytes:
    head = _SHEET_HEAD + b'<row><c t="inlineStr"><is><t>'
    tail = b"</t></is></c></row></sheetData></worksheet>"
    return _xlsx_with_sheet_xml(head, b"A" * 1024, tail, megabytes * 1024)


def _sheet_wide_bomb(rows: int, columns: int) -> bytes:
    body = b"<row>" + b'<c t="n"><v>1</v></c>' * columns + b"</row>"
    return _xlsx_with_sheet_xml(_SHEET_HEAD, body, b"</sheetData></worksheet>", rows)


def _parquet(columns: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def _parquet_of_frame(frame) -> bytes:
    """A pandas frame written by pandas, index and all."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def _parquet_repeated(table, times: int) -> bytes:
    """``table`` written ``times`` times into one file (one row group each)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    if table.num_rows == 1:  # many tiny row groups: one call, not one per group
        pq.write_table(pa.concat_tables([table] * times), buffer, row_group_size=1)
        return buffer.getvalue()
    with pq.ParquetWriter(buffer, table.schema, write_statistics=False) as writer:
        for _ in range(times):
            writer.write_table(table)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _rows(*lines: str, end: str = "\n") -> bytes:
    return (end.join(lines) + end).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The corpus


#: Cases of a million rows, which take a second or more each: they run with the slow tests.
HEAVY_CASES = frozenset({"more rows than the cap", "million rows of short strings"})


def as_params(cases):
    """pytest parameters for the cases, named after them, the heavy ones marked slow."""
    import pytest

    return [pytest.param(case, id=case.name,
                         marks=[pytest.mark.slow] if case.name in HEAVY_CASES else [])
            for case in cases]


@lru_cache(maxsize=1)
def bad_upload_cases() -> tuple[Upload, ...]:
    """Every case. Building them takes seconds, so they are kept in the temporary directory,
    under the hash of this file (a change to it builds them again); each test process (pytest
    and its xdist workers) then loads them in a fraction of a second."""
    source = Path(__file__).read_bytes()
    cache = Path(tempfile.gettempdir()) / f"nw-upload-corpus-{hashlib.sha1(source).hexdigest()}"
    if cache.exists():
        with open(cache, "rb") as stored:
            return pickle.load(stored)  # written below by this function: trusted
    cases = (_catalogue_cases() + _misread_cases() + _denial_of_service_cases()
             + _markdown_cases())
    partial = cache.with_suffix(f".{os.getpid()}")
    with open(partial, "wb") as stored:
        pickle.dump(cases, stored, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, cache)  # atomic: a concurrent worker sees the whole file or none
    return cases


def _catalogue_cases() -> tuple[Upload, ...]:
    """The rows of the bad-input catalogue, and extras."""
    rng = random.Random(20240213)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    na_tokens = ["nan", "NaN", "NA", "N/A", "n/a", "null", "NULL", "None", "#N/A", ""]
    inf_tokens = ["inf", "-inf", "+inf", "Inf", "INF", "Infinity", "infinity"]
    text_tokens = ["-", ".", "1.#INF", "#DIV/0!", "0x10", "1_000", "1d3", "nan(0x1)", "١٢"]
    tokens = ["1", "2", "3"] + na_tokens + inf_tokens + text_tokens
    token_file = _rows("x,y", *(f"{i},{t}" for i, t in enumerate(tokens)))
    wide_header = ",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join(["1"] * 100_000)
    huge_header = ",".join(f"c{i}" for i in range(1_000_000)) + "\n"
    many_rows = b"x,y\n" + b"1,2\n3,4\n" * ((MAX_ROWS + 10) // 2)
    short_strings = b"x,y\n" + b"ab,cd\n" * 1_000_000
    return (
        # 1-3: nothing to read
        _reject("empty", b"", "empty.csv", "The file is empty", catalogue=1),
        _reject("blank lines", b"  \n\n \t \r\n\n", "blank.csv", "only blank lines", catalogue=2),
        _reject("header only", b"x,y\n", "header.csv", "no data rows", catalogue=3),
        _reject("header only, no newline", b"x,y", "header.csv", "no data rows", catalogue=3),
        # 4-5: binary
        _reject("png", b"\x89PNG\r\n\x1a\n" + noise, "image.csv", "PNG image", hostile=True,
                catalogue=4),
        _reject("random bytes", noise, "noise.csv", "binary", hostile=True, catalogue=4),
        _reject("gzip", b"\x1f\x8b\x08\x00" + noise, "data.csv", "gzip", hostile=True,
                catalogue=4),
        _reject("old xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise, "old.xlsx",
                "old-style Excel", hostile=True, catalogue=4),
        _reject("nul bytes", b"x,y\n1,2\x00\n3,4\n", "nul.csv", "NUL bytes", hostile=True,
                catalogue=5),
        _reject("control characters", b"x,y\n" + bytes(range(1, 9)) * 200, "ctrl.csv",
                "binary", hostile=True),
        # 6-8: encodings
        _accept("windows-1252", "café,“y”\n1,2\n3,4\n".encode("cp1252"), "cp1252.csv", 2,
                message="Windows-1252", x=(1, 3), columns=("café", "“y”"), catalogue=6,
                y=(2, 4)),
        _accept("mixed encodings",
                "name,x,y\ncafé,1,2\n".encode() + "naïve,3,4\n".encode("cp1252"), "mixed.csv", 2,
                message="Windows-1252", x=(1, 3), columns=("x", "y"), y=(2, 4)),
        _accept("utf-8 bom", b"\xef\xbb\xbfx,y\n1,2\n3,4\n", "bom.csv", 2, x=(1, 3),
                columns=("x", "y"), catalogue=7, y=(2, 4)),
        _accept("utf-16 le bom, tabs", "x\ty\n1.5\t2\n3.5\t4\n".encode("utf-16"), "unicode.txt",
                2, x=(1.5, 3.5), message="tabs", catalogue=8, y=(2, 4)),
        _accept("utf-16 be bom", b"\xfe\xff" + "x,y\n1,2\n3,4\n".encode("utf-16-be"), "be.csv", 2,
                x=(1, 3), y=(2, 4)),
        _reject("utf-16 without bom", "x,y\n1,2\n".encode("utf-16-le"), "nobom.csv", "UTF-16",
                hostile=True),
        # 9-13: delimiters, decimal marks, thousands, quoting
        _accept("semicolon decimal comma", b"x;y\n1,5;2,25\n3,5;4\n0,5;1\n", "euro.csv", 3,
                x=(0.5, 1.5, 3.5), y=(1, 2.25, 4), message="decimal commas", catalogue=9),
        _accept("tab separated", b"x\ty\n1\t2\n3\t4\n", "tabs.tsv", 2, x=(1, 3), catalogue=10,
                y=(2, 4)),
        _accept("pipe separated", b"x|y\n1|2\n3|4\n", "pipes.txt", 2, x=(1, 3), y=(2, 4)),
        _accept("tab decimal comma", b"x\ty\n1,5\t2\n2,5\t3\n", "tabs.txt", 2, x=(1.5, 2.5),
                y=(2, 3)),
        _accept("quoted thousands", b'x,y\n"1,000",2\n"2,500",3\n"12,345,678.5",4\n',
                "thousands.csv", 3, x=(1000, 2500, 12345678.5), message="thousands separators",
                catalogue=11, y=(2, 3, 4)),
        _reject("unquoted thousands", b"x,y\n1,000,2\n2,500,3\n", "thousands.csv",
                "fields but the header has 2", catalogue=12),
        _accept("quoted comma, newline, quotes",
                b'name,x,y\n"a, b",1,2\n"line\nbreak",3,4\n"say ""hi""",5,6\n', "quotes.csv", 3,
                x=(1, 3, 5), columns=("x", "y"), catalogue=13, y=(2, 4, 6)),
        _reject("unterminated quote", b'x,y\n"1,2\n3,4\n', "quote.csv", "never closed",
                catalogue=14),
        _accept("quoted decimal comma", b'x,y\n"1,5","2,25"\n"3,5","4"\n', "quoted.csv", 2,
                x=(1.5, 3.5), y=(2.25, 4)),
        _accept("semicolon, three-digit decimals", b"x;y\n1,500;2\n2,250;3\n", "euro.csv", 2,
                x=(1.5, 2.25), message="a decimal comma, as usual", y=(2, 3)),
        _accept("headerless semicolon decimal comma", b"1,5;2,5\n3,5;4,5\n", "euro.csv", 2,
                x=(1.5, 3.5), y=(2.5, 4.5), message="no header row"),
        _accept("semicolon, dot groups", b"x;y\n1.000;2\n3.000;4\n", "dots.csv", 2, x=(1, 3),
                message="If the dots separate thousands", y=(2, 4)),
        _reject("one column of decimal commas", b"y\n1,5\n2,5\n", "one.csv",
                "separate the columns with ';'"),
        _accept("german thousands", b"x;y\n1.234,5;2\n2,5;3\n", "de.csv", 2, x=(2.5, 1234.5),
                y=(3, 2)),
        _reject("mixed decimal marks", b"x,y\n\"1,5\",2\n2.5,3\n", "mixed.csv", "decimal comma"),
        # 15-19: cell values
        _accept("na and inf tokens", token_file, "tokens.csv", len(tokens), 3,
                dropped={"missing": 10, "infinite or out of range": 7, "non-numeric": 9},
                x=(0, 1, 2), catalogue=15, y=(1, 2, 3)),
        _accept("out of range", _rows("x,y", "1,1e400", "2,-1e400", "3,1e-400", "4,4e492493924924",
                                      "5,1e-320", "6,1e200", "7,2", "8,3"), "range.csv", 8, 2,
                dropped={"infinite or out of range": 6}, x=(7, 8), catalogue=16, y=(2, 3)),
        _accept("integer beyond int64", _rows("x,y", "123456789012345678901234,1", "2,3"),
                "bigint.csv", 2, message="more than 15 digits", x=(2, 1.2345678901234568e23),
                catalogue=17, y=(3, 1)),
        _accept("numbers and text", _rows("x,y", "1,1", "2,abc", "3,3", "4,n.a."), "mixed.csv",
                4, 2, dropped={"non-numeric": 2}, x=(1, 3), catalogue=18, y=(1, 3)),
        _accept("spaces and units", _rows("x,y", " 1 , 2 ", "2,3 kg", "3,  4"), "units.csv", 3, 2,
                dropped={"non-numeric": 1}, x=(1, 3), y=(2, 4), catalogue=19),
        # 20-25: shape of the table
        _accept("duplicate column names", _rows("x,x,y", "1,10,2", "3,30,4"), "dup.csv", 2,
                message="renamed", columns=("x (2)", "y"), x=(10, 30),
                numeric_columns=("x", "x (2)", "y"), catalogue=20, y=(2, 4)),
        _accept("trailing comma", _rows("x,y,", "1,2,", "3,4,"), "trailing.csv", 2,
                numeric_columns=("x", "y"), catalogue=21, x=(1, 3), y=(2, 4)),
        _accept("saved index column", _rows(",x,y", "0,1.5,2", "1,2.5,3", "2,3.5,4"), "index.csv",
                3, x=(1.5, 2.5, 3.5), message="saved row index", numeric_columns=("x", "y"),
                catalogue=22, y=(2, 3, 4)),
        _accept("headerless numbers", _rows("1.5,2.5", "3.5,4.5", "5.5,6.5"), "noheader.csv", 3,
                x=(1.5, 3.5, 5.5), message="no header row", numeric_columns=("col1", "col2"),
                catalogue=23, y=(2.5, 4.5, 6.5)),
        _accept("headerless with text column", _rows("1.5,2.5,red", "3.5,4.5,blue"),
                "noheader.csv", 2, x=(1.5, 3.5), message="no header row", y=(2.5, 4.5)),
        _reject("too many fields", _rows("x,y", "1,2", "3,4,5"), "extra.csv", "Line 3 has 3 fields",
                catalogue=24),
        _accept("too few fields", _rows("x,y", "1,2", "3", "5,6"), "short.csv", 3, 2,
                dropped={"missing": 1}, catalogue=25, x=(1, 5), y=(2, 6)),
        # 26-31: degenerate or unusual x
        _accept("single row", _rows("x,y", "1,2"), "one.csv", 1, message="Only one row",
                catalogue=26, x=(1,), y=(2,)),
        _accept("constant x", _rows("x,y", "2,1", "2,3", "2,5"), "constant.csv", 3,
                message="no spread", catalogue=27, x=(2, 2, 2), y=(1, 3, 5)),
        _accept("duplicate x", _rows("x,y", "1,1", "1,3", "2,5"), "dupx.csv", 3,
                message="duplicate x", x=(1, 1, 2), y=(1, 3, 5), catalogue=28),
        _accept("iso dates", _rows("date,y", "2024-01-01,1", "2024-01-03,2", "2024-01-02,3"),
                "dates.csv", 3, x=(0, 1, 2), y=(1, 3, 2), columns=("date", "y"), x_dates="iso",
                message="days since", catalogue=29),
        _reject("dates without a choice", _rows("date,y", "2024-01-01,1", "2024-01-03,2"),
                "dates.csv", "holds dates", columns=("date", "y"), catalogue=29),
        _accept("day-first dates", _rows("date,y", "13/02/2024,1", "14/02/2024,2", "01/03/2024,3"),
                "dmy.csv", 3, x=(0, 1, 17), columns=("date", "y"), x_dates="day-first",
                catalogue=30, y=(1, 2, 3)),
        _accept("day-first read as month-first",
                _rows("date,y", "13/02/2024,1", "14/02/2024,2", "01/03/2024,3"), "dmy.csv", 3, 1,
                dropped={"non-numeric": 2}, columns=("date", "y"), x_dates="month-first",
                message="are they day-first", catalogue=30, x=(0,), y=(3,)),
        _accept("two-digit year dotted dates", _rows("date,y", "13.02.24,1", "15.02.24,2"),
                "dots.csv", 2, x=(0, 2), columns=("date", "y"), x_dates="day-first", y=(1, 2)),
        _accept("true and false", _rows("x,y", "1,True", "2,False", "3,5"), "bool.csv", 3, 1,
                dropped={"non-numeric": 2}, catalogue=31, x=(3,), y=(5,)),
        # 32-36: text that looks like numbers, line ends, formulas, HTML, preambles
        _accept("hex percent currency", _rows("x,y", "1,0x1F", "2,12%", "3,$5", "4,€3", "5,5"),
                "money.csv", 5, 1, dropped={"non-numeric": 4}, catalogue=32, x=(5,), y=(5,)),
        _accept("arabic-indic and fullwidth digits", _rows("x,y", "1,١٢", "2,１２", "3,3"),
                "digits.csv", 3, 1, dropped={"non-numeric": 2}, x=(3,), y=(3,)),
        _accept("cr line ends", _rows("x,y", "1,2", "3,4", end="\r"), "cr.csv", 2, x=(1, 3),
                catalogue=33, y=(2, 4)),
        _accept("crlf line ends", _rows("x,y", "1,2", "3,4", end="\r\n"), "crlf.csv", 2, x=(1, 3),
                catalogue=33, y=(2, 4)),
        _accept("formula cells", _rows("label,x,y", "=1+2,1,2", "@SUM(A1),2,3",
                                       "+cmd|' /C calc'!A0,3,4", "-2+3,4,5"), "formulas.csv", 4,
                x=(1, 2, 3, 4), numeric_columns=("x", "y"), catalogue=34, y=(2, 3, 4, 5)),
        _accept("html in header", _rows("<img src=x onerror=alert(1)>,<script>alert(1)</script>",
                                        "1,2", "3,4"), "html.csv", 2, x=(1, 3),
                numeric_columns=("<img src=x onerror=alert(1)>", "<script>alert(1)</script>"),
                catalogue=35, y=(2, 4)),
        _accept("comment lines",
                _rows("# exported by a logger", "# units: cm", "x,y", "1,2", "3,4"), "comments.csv",
                2, x=(1, 3), message="starting with '#'", catalogue=36, y=(2, 4)),
        _reject("title line", _rows("Measurements from lab 3", "x,y", "1,2"), "title.csv",
                "starts with a title", catalogue=36),
        _accept("blank lines between rows", _rows("x,y", "1,2", "", "", "3,4"), "gaps.csv", 2,
                x=(1, 3), y=(2, 4)),
        _accept("padded header names", _rows(" x , y ", "1,2"), "pad.csv", 1,
                numeric_columns=("x", "y"), x=(1,), y=(2,)),
        # 37-42: big and hostile text files (scaled)
        _accept("more rows than the cap", many_rows, "many.csv", MAX_ROWS,
                message=f"only the first {MAX_ROWS:,} rows", catalogue=37,
                x=(1,) * (MAX_ROWS // 2) + (3,) * (MAX_ROWS // 2),
                y=(2,) * (MAX_ROWS // 2) + (4,) * (MAX_ROWS // 2)),
        _reject("100 000 columns", wide_header.encode(), "wide.csv", f"at most {MAX_COLUMNS}",
                hostile=True, catalogue=38),
        _reject("1 000 000 columns", huge_header.encode(), "huge.csv", f"at most {MAX_COLUMNS}",
                hostile=True, catalogue=39),
        _reject("over the size cap", b"7" * (MAX_UPLOAD_BYTES + 1), "big.csv", "10 MB limit",
                hostile=True, catalogue=40),
        _reject("huge quoted field", b'x,y\n"' + b"a" * 5_000_000 + b'",1\n', "field.csv",
                "longer than", hostile=True, catalogue=40),
        _reject("digits without newline", b"1" * 5_000_000, "digits.csv", "longer than",
                hostile=True, catalogue=41),
        _reject("million rows of short strings", short_strings, "strings.csv",
                "No column holds numbers", catalogue=42),
        _reject("space separated", _rows("1.5 2.5", "3 4"), "spaces.txt", "separated by spaces"),
        # 43-48: Excel
        _accept("csv named xlsx", b"x,y\n1,2\n3,4\n", "data.xlsx", 2, message="holds text",
                catalogue=43, x=(1, 3), y=(2, 4)),
        _accept("xlsx", _xlsx([["x", "y"], [1, 2.5], [3, 4.5], [2, None]]), "book.xlsx", 3, 2,
                dropped={"missing": 1}, x=(1, 3), y=(2.5, 4.5)),
        _accept("xlsx named sheet", _xlsx([["a"]], sheets={"data": [["x", "y"], [5, 6], [7, 8]]}),
                "book.xlsx", 2, x=(5, 7), sheet="data", y=(6, 8)),
        _accept("xlsx several sheets", _xlsx([["x", "y"], [1, 2]], sheets={"other": [["z"]]}),
                "book.xlsx", 1, message="2 sheets", x=(1,), y=(2,)),
        _reject("xlsx missing sheet", _xlsx([["x", "y"], [1, 2]]), "book.xlsx", "no sheet named",
                sheet="nope"),
        _reject("xlsx empty sheet", _xlsx([]), "empty.xlsx", "is empty"),
        _accept("xlsx headerless", _xlsx([[1.5, 2], [2.5, 3]]), "noheader.xlsx", 2, x=(1.5, 2.5),
                message="no header row", y=(2, 3)),
        _accept("xlsx dates",
                _xlsx([["when", "y"], [datetime(2024, 1, 1), 1], [datetime(2024, 1, 11), 2]]),
                "dates.xlsx", 2, x=(0, 10), columns=("when", "y"), x_dates="iso", y=(1, 2)),
        _accept("xlsx formulas without cached values", _xlsx([["x", "y"], [1, "=A2*2"], [2, 3]]),
                "formulas.xlsx", 2, 1, dropped={"missing": 1}, message="not recalculated",
                catalogue=44, x=(2,), y=(3,)),
        _reject("xlsx too many columns", _xlsx([[f"c{i}" for i in range(250)], list(range(250))]),
                "wide.xlsx", f"at most {MAX_COLUMNS}"),
        _reject("xlsx string bomb", _sheet_string_bomb(60), "bomb.xlsx", "unpacks to",
                hostile=True, catalogue=45),
        _reject("xlsx row bomb", _sheet_rows_bomb(300_000), "rows.xlsx", "unpacks to",
                hostile=True, catalogue=46),
        _reject("xlsx wide bomb", _sheet_wide_bomb(101, 16_384), "widebomb.xlsx", "unpacks to",
                hostile=True, catalogue=47),
        _reject("garbage after PK", b"PK" + noise, "broken.xlsx", "damaged", hostile=True,
                catalogue=48),
        _reject("zip that is not a workbook", _zip({"readme.txt": b"hello"}), "archive.xlsx",
                "not an Excel", hostile=True),
        _reject("opendocument spreadsheet", _zip({"content.xml": b"<x/>", "mimetype": b"ods"}),
                "sheet.xlsx", "OpenDocument"),
        # 49: Parquet
        _accept("parquet", _parquet({"x": [3.0, 1.0, 2.0], "y": [1.0, None, 2.0],
                                     "label": ["a", "b", "c"]}), "data.parquet", 3, 2,
                dropped={"missing": 1}, x=(2, 3), numeric_columns=("x", "y"), y=(2, 1)),
        _reject("parquet garbage", b"PAR1" + noise, "broken.parquet", "Parquet but is damaged",
                hostile=True, catalogue=49),
        _accept("csv named parquet", b"x,y\n1,2\n", "data.parquet", 1, message="holds text",
                catalogue=49, x=(1,), y=(2,)),
        # 50: JSON
        _accept("json records", json.dumps([{"x": 2, "y": 1.5}, {"x": 1, "y": None},
                                            {"x": 3, "y": "abc"}]).encode(), "records.json", 3,
                1, dropped={"missing": 1, "non-numeric": 1}, x=(2,), y=(1.5,)),
        _accept("json columns", json.dumps({"x": [1, 2, 3], "y": [4, 5, 6]}).encode(),
                "columns.json", 3, x=(1, 2, 3), y=(4, 5, 6)),
        _accept("json pandas columns orient", json.dumps({"x": {"0": 1, "1": 2},
                                                          "y": {"0": 3, "1": 4}}).encode(),
                "pandas.json", 2, x=(1, 2), y=(3, 4)),
        _reject("json that is csv", b"x,y\n1,2\n", "data.json", "not valid JSON", catalogue=50),
        _reject("json scalar", b"42", "number.json", "not a table", catalogue=50),
        _reject("json nested", json.dumps({"a": {"b": {"c": 1}}}).encode(), "nested.json",
                "nested", catalogue=50),
        _reject("json list of lists", b"[[1, 2], [3, 4]]", "lists.json", "not a table"),
        _reject("json ragged columns", json.dumps({"x": [1, 2], "y": [1]}).encode(), "ragged.json",
                "different lengths"),
        _reject("json too many fields", json.dumps([{f"k{i}": i for i in range(300)}]).encode(),
                "fields.json", f"at most {MAX_COLUMNS}"),
        _reject("json 50 000 deep", b"[" * 50_000, "deep.json", "nested too deeply", hostile=True,
                catalogue=50),
        _reject("json 100 000 deep", b"[" * 100_000, "deeper.json", "nested too deeply",
                hostile=True, catalogue=50),
        _accept("json on one long line", json.dumps([{"x": i, "y": i % 7} for i in range(20_000)],
                                                    separators=(",", ":")).encode(), "long.json",
                20_000, x=tuple(range(20_000)), y=tuple(i % 7 for i in range(20_000))),
        # choices of columns
        _accept("same column twice", _rows("x,y", "1,2", "3,4"), "same.csv", 2,
                columns=("x", "x"), message="same column", x=(1, 3), y=(1, 3)),
        _reject("no usable rows", _rows("x,y", "1,a", "b,2"), "none.csv", "No row has usable",
                columns=("x", "y")),
    )


def _misread(name, data, filename, *args, **extra) -> Upload:
    """A file that used to be misread without a word (or that is a sibling of one)."""
    make = _reject if isinstance(args[0], str) else _accept
    return make(name, data, filename, *args, risk="misread", **extra)


def _costly(name, data, filename, *args, **extra) -> Upload:
    """A file that costs (or used to cost) far more to read than it weighs."""
    make = _reject if isinstance(args[0], str) else _accept
    return make(name, data, filename, *args, risk="denial of service", hostile=True, **extra)


def _misread_cases() -> tuple[Upload, ...]:
    import pandas as pd
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    hidden_first = {"old": [["a", "b"], [9, 9], [8, 7]], "data": [["x", "y"], [1, 2], [3, 5]]}
    indexed = pd.DataFrame({"y": [1.0, 4.0, 9.0]}, index=pd.Index([0.5, 1.5, 2.5], name="x"))
    filtered = (_HEADER_ROW + _numbers_row(2, 1, 2)
                + _numbers_row(3, 2, 9).replace(b'<row r="3">', b'<row r="3" hidden="1">')
                + _numbers_row(4, 3, 4))
    hidden_column = (b'<?xml version="1.0"?><worksheet xmlns="' + _MAIN + b'"><cols>'
                     b'<col min="3" max="3" width="0" hidden="1"/></cols><sheetData>'
                     + _HEADER_ROW.replace(b"</row>", b'<c r="C1" t="inlineStr"><is><t>z</t>'
                                                     b"</is></c></row>")
                     + _numbers_row(2, 1, 2, 5) + _numbers_row(3, 3, 4, 6)
                     + b"</sheetData></worksheet>")
    shared = (b'<sst xmlns="' + _MAIN + b'" count="5" uniqueCount="5">'
              b"<si><t>x</t></si>"
              b'<si><r><rPr><b/></rPr><t xml:space="preserve">y</t></r><r><t></t></r>'
              b'<rPh sb="0" eb="1"><t>WAI</t></rPh></si>'
              b"<si><t>2.5</t></si><si><t>a &amp; b &lt;c&gt;</t></si><si/></sst>")
    shared_sheet = (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
                    + _numbers_row(2, 1, 1.0)
                    + b'<row r="3"><c r="A3"><v>2</v></c><c r="B3" t="s"><v>2</v></c>'
                      b'<c r="C3" t="s"><v>3</v></c></row>'
                    + _numbers_row(4, 3, 3))
    prefixed = (b'<?xml version="1.0"?><x:worksheet xmlns:x="' + _MAIN + b'"><x:sheetData>'
                b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>'
                b'<x:c r="B1" t="inlineStr"><x:is><x:t>y</x:t></x:is></x:c></x:row>'
                b'<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><x:c r="B2"><x:v>3</x:v></x:c></x:row>'
                b'<x:row r="3"><x:c r="A3"><x:v>2</x:v></x:c><x:c r="B3"><x:v>4</x:v></x:c></x:row>'
                b"</x:sheetData></x:worksheet>")
    offset = (b'<row r="3"><c r="C3" t="inlineStr"><is><t>x</t></is></c>'
              b'<c r="D3" t="inlineStr"><is><t>y</t></is></c></row>'
              b'<row r="4"><c r="C4"><v>1</v></c><c r="D4"><v>3</v></c></row>'
              b'<row r="5"><c r="C5" t="inlineStr"><is><t></t></is></c></row>'
              b'<row r="6"><c r="C6"><v>2</v></c><c r="D6"><v>4</v></c></row>')
    return (
        # Excel: numeric cells are numbers; only text cells are parsed with the decimal mark
        _misread("xlsx text decimal comma among numbers",
                 _xlsx([["x", "y"], [1, 0.125], [2, 2.125], [3, "1,5"], [4, 3.5]]), "comma.xlsx",
                 4, x=(1, 2, 3, 4), y=(0.125, 2.125, 1.5, 3.5), message="decimal comma"),
        _misread("xlsx text decimal comma in another column",
                 _xlsx([["x", "y", "z"], [1, 0.125, "1,5"], [2, 2.125, 2], [3, 3.5, 3]]),
                 "other.xlsx", 3, x=(1, 2, 3), y=(0.125, 2.125, 3.5), message="decimal comma"),
        _misread("xlsx text thousands among numbers",
                 _xlsx([["x", "y"], [0.5, 0.125], [1.5, "1,000"], [2.5, 3.25]]), "grouped.xlsx",
                 3, x=(0.5, 1.5, 2.5), y=(0.125, 1000, 3.25), message="thousands separators"),
        _misread("xlsx text cells mixing 1.500 and 2,5",
                 _xlsx([["x", "y"], [1, "1.500"], [2, "2,5"]]), "ambiguous.xlsx",
                 "without guessing"),
        _misread("xlsx numbers stored as text", _xlsx([["x", "y"], [1, "3.25"], [2, 4.5],
                                                       [3, " 5 "]]), "text.xlsx", 3,
                 x=(1, 2, 3), y=(3.25, 4.5, 5)),
        _misread("xlsx date and bool cells among numbers",
                 _xlsx([["x", "y"], [1, 2.5], [2, True], [3, datetime(2024, 1, 1)], [4, 4.5]]),
                 "kinds.xlsx", 4, 2, dropped={"non-numeric": 2}, x=(1, 4), y=(2.5, 4.5)),
        _misread("xlsx shared and rich-text strings",
                 _xlsx_parts({**_sheet(shared_sheet), "xl/sharedStrings.xml": shared}),
                 "shared.xlsx", 3, x=(1, 2, 3), y=(1, 2.5, 3), numeric_columns=("x", "y")),
        _misread("xlsx with prefixed XML tags", _xlsx_parts({"xl/worksheets/sheet1.xml": prefixed}),
                 "prefixed.xlsx", 2, x=(1, 2), y=(3, 4)),
        _misread("xlsx 1904 date system",
                 _xlsx([["when", "y"], [datetime(2024, 1, 1), 1], [datetime(2024, 1, 3), 2]],
                       epoch=CALENDAR_MAC_1904), "mac.xlsx", 2, x=(0, 2), y=(1, 2),
                 x_dates="iso", message="2024-01-01"),
        _misread("xlsx table starting at C3", _xlsx_parts(_sheet(offset)), "offset.xlsx", 2,
                 x=(1, 2), y=(3, 4), message="Blank rows were skipped"),
        _misread("xlsx filtered (hidden) row", _xlsx_parts(_sheet(filtered)), "filtered.xlsx", 3,
                 x=(1, 2, 3), y=(2, 9, 4), message="Excel hides 1 row(s)"),
        _misread("xlsx hidden column",
                 _xlsx_parts({"xl/worksheets/sheet1.xml": hidden_column}), "hidden-col.xlsx", 2,
                 x=(1, 3), y=(2, 4), message="column(s) C", numeric_columns=("x", "y", "z")),
        # JSON: numbers are numbers; strings share one decimal mark or are refused
        _misread("json numbers and decimal-comma strings",
                 json.dumps([{"x": 1, "y": 1.25}, {"x": 2, "y": "2,5"}, {"x": 3, "y": 3}]).encode(),
                 "mixed.json", 3, x=(1, 2, 3), y=(1.25, 2.5, 3), message="decimal comma"),
        _misread("json strings mixing 1.500 and 2,5",
                 json.dumps([{"x": "1.500", "y": 1}, {"x": "2,5", "y": 2}]).encode(),
                 "marks.json", "without guessing"),
        _misread("json integer beyond float64 among text",
                 b'[{"x": 1, "y": 1' + b"0" * 400 + b'}, {"x": 2, "y": "3"}, {"x": 3, "y": 4}]',
                 "huge.json", 3, 2, dropped={"infinite or out of range": 1}, x=(2, 3), y=(3, 4)),
        _misread("csv quoted decimal comma and dotted thousands", b'x,y\n"2,5",1\n1.500,2\n',
                 "marks.csv", "without guessing"),
        *(_misread(f"json pandas orient={orient} with the x as index",
                   indexed.to_json(orient=orient).encode(), f"{orient}.json", 3,
                   x=(0.5, 1.5, 2.5), y=(1, 4, 9), message=message)
          for orient, message in (("columns", "offered as the column 'index'"),
                                  ("index", "offered as the column 'index'"),
                                  ("split", "orient='split'"), ("table", "orient='table'"))),
        # headerless files whose first row is numbers out of range
        _misread("headerless first row with inf", b"1,inf\n2,3\n4,5\n", "inf.csv", 3, 2,
                 dropped={"infinite or out of range": 1}, x=(2, 4), y=(3, 5),
                 message="no header row", numeric_columns=("col1", "col2")),
        _misread("headerless first row with nan", b"nan,1\n2,3\n4,5\n", "nan.csv", 3, 2,
                 dropped={"missing": 1}, x=(2, 4), y=(3, 5), message="no header row"),
        _misread("headerless first row with 1e400", b"1e400,1\n2,3\n4,5\n", "big.csv", 3, 2,
                 dropped={"infinite or out of range": 1}, x=(2, 4), y=(3, 5),
                 message="no header row"),
        _misread("headerless first row with -0", b"-0,1\n2,3\n4,5\n", "zero.csv", 3,
                 x=(0, 2, 4), y=(1, 3, 5), message="no header row"),
        _misread("headerless tabs, -inf and NA", b"-inf\tNA\n2\t3\n4\t5\n", "tabs.tsv", 3, 2,
                 dropped={"infinite or out of range": 1}, x=(2, 4), y=(3, 5),
                 message="no header row"),
        _misread("headerless semicolons, 1e400 and a decimal comma", b"1e400;2,5\n3;4,5\n",
                 "euro.csv", 2, 1, dropped={"infinite or out of range": 1}, x=(3,), y=(4.5,),
                 message="no header row"),
        # Parquet: a pandas index is a column
        _misread("parquet whose x is the index",
                 _parquet_of_frame(pd.DataFrame({"y": [1.0, 4.0, 9.0]},
                                                index=pd.Index([1.5, 2.5, 3.5], name="x"))),
                 "indexed.parquet", 3, x=(1.5, 2.5, 3.5), y=(1, 4, 9), message="row index",
                 numeric_columns=("x", "y")),
        _misread("parquet with an unnamed index",
                 _parquet_of_frame(pd.DataFrame({"y": [5.0, 6.0, 7.0]}, index=[10, 20, 30])),
                 "unnamed.parquet", 3, x=(10, 20, 30), y=(5, 6, 7), message="'index'"),
        _misread("parquet with a two-level index",
                 _parquet_of_frame(pd.DataFrame(
                     {"v": [2.0, 4.0, 8.0]}, index=pd.MultiIndex.from_tuples(
                         [("a", 1.0), ("a", 2.0), ("b", 3.0)], names=["group", "t"]))),
                 "multi.parquet", 3, x=(1, 2, 3), y=(2, 4, 8), numeric_columns=("t", "v")),
        _misread("parquet with a range index",
                 _parquet_of_frame(pd.DataFrame({"x": [2.0, 1.0], "y": [3.0, 4.0]})),
                 "range.parquet", 2, x=(1, 2), y=(4, 3), numeric_columns=("x", "y")),
        # fewer than two usable columns: said at once
        _misread("one numeric column", b"x,y\n1,a\n2,b\n", "one.csv", "Only one column, 'x'"),
        _misread("y column all missing", b"x,y\n1,\n2,\n3,\n", "empty-y.csv", "'y' is empty"),
        _misread("a single column", b"y\n1\n2\n3\n", "single.csv", "has no other column"),
        _misread("json with one numeric field", b'[{"y": 1}, {"y": 2}]', "one.json",
                 "Only one column, 'y'"),
        _misread("xlsx with one column", _xlsx([["y"], [1], [2]]), "one.xlsx",
                 "Only one column, 'y'"),
        _misread("one numeric column and a date column",
                 b"when,y\n2024-01-01,1\n2024-01-03,2\n", "dated.csv", 2, x=(0, 2), y=(1, 2),
                 x_dates="iso"),
        # row numbers in the first column: not pre-selected (and said so)
        _misread("R write.csv export",
                 b'"","speed","dist"\n"1",4,2\n"2",4,10\n"3",7,4\n"4",7,22\n', "cars.csv", 4,
                 x=(4, 4, 7, 7), y=(2, 10, 4, 22), numeric_columns=("speed", "dist"),
                 message="saved row index"),
        _misread("Rdatasets rownames column",
                 b'"rownames","speed","dist"\n1,4,2\n2,4,10\n3,7,4\n', "cars.csv", 3,
                 x=(4, 4, 7), y=(2, 10, 4), numeric_columns=("rownames", "speed", "dist"),
                 message="'rownames', counts 1, 2, 3, …"),
        _misread("rownames that are names",
                 b'"rownames","mpg","wt"\n"Mazda RX4",21,2.62\n"Datsun 710",22.8,2.32\n'
                 b'"Valiant",18.1,3.46\n', "mtcars.csv", 3, x=(18.1, 21, 22.8),
                 y=(3.46, 2.62, 2.32)),
        _misread("pandas reset_index column", b"index,a,b\n5,1,2\n9,3,4\n12,5,7\n", "reset.csv",
                 3, x=(1, 3, 5), y=(2, 4, 7), message="is named like row numbers"),
        _misread("id column counting rows", b"id,t,v\n1,0.5,3\n2,1.5,1\n3,2.5,2\n", "ids.csv", 3,
                 x=(0.5, 1.5, 2.5), y=(3, 1, 2), message="counts 1, 2, 3"),
        _misread("row numbers and one other column", b"rownames,y\n1,5\n2,6\n3,7\n", "rn.csv", 3,
                 x=(1, 2, 3), y=(5, 6, 7), numeric_columns=("rownames", "y")),
        _misread("unnamed row numbers and one other column", b",y\n1,5\n2,6\n3,7\n", "rn.csv", 3,
                 x=(1, 2, 3), y=(5, 6, 7), numeric_columns=("Unnamed: 0", "y")),
        _misread("readr row numbers", b"...1,a,b\n1,2,3\n2,4,5\n", "readr.csv", 2, x=(2, 4),
                 y=(3, 5), message="'...1'"),
        _misread("xlsx rownames column",
                 _xlsx([["rownames", "x", "y"], [1, 0.5, 1], [2, 1.5, 4], [3, 2.5, 9]]),
                 "rn.xlsx", 3, x=(0.5, 1.5, 2.5), y=(1, 4, 9), message="'rownames'"),
        # encodings
        _misread("utf-32 le with bom", "x,y\n1,2\n".encode("utf-32"), "u32.csv", "UTF-32"),
        _misread("utf-32 be with bom", b"\x00\x00\xfe\xff" + "x,y\n1,2\n".encode("utf-32-be"),
                 "u32be.csv", "UTF-32"),
        _misread("utf-32 without bom", "x,y\n1,2\n".encode("utf-32-le"), "u32.txt", "UTF-32"),
        _misread("latin-1 with byte 0x81", b"x,y\x81\n1,2\n3,4\n", "latin1.csv", 2, x=(1, 3),
                 y=(2, 4), message="Windows-1252"),
        _misread("undefined windows-1252 bytes in text", b"name,x,y\nA\x8d\x8f,1,2\nB\x90\x9d,3,4\n",
                 "undefined.csv", 2, x=(1, 3), y=(2, 4), message="Windows-1252"),
        _misread("dos code page 850", "Größe,Wert\n1,2\n3,4\n".encode("cp850"), "dos.csv", 2,
                 x=(1, 3), y=(2, 4), message="Windows-1252"),
        # hidden sheets
        _misread("xlsx hidden first sheet",
                 _xlsx(hidden_first["old"], sheets={"data": hidden_first["data"]}, title="old",
                       states={"old": "hidden"}), "hidden.xlsx", 2, x=(1, 3), y=(2, 5),
                 message="'old', hidden"),
        _misread("xlsx very hidden first sheet",
                 _xlsx(hidden_first["old"], sheets={"data": hidden_first["data"]}, title="old",
                       states={"old": "veryHidden"}), "hidden.xlsx", 2, x=(1, 3), y=(2, 5),
                 message="first visible one, 'data'"),
        _misread("xlsx hidden sheet chosen",
                 _xlsx(hidden_first["old"], sheets={"data": hidden_first["data"]}, title="old",
                       states={"old": "hidden"}), "hidden.xlsx", 2, x=(8, 9), y=(7, 9),
                 sheet="old", message="'old' is hidden"),
    )


def _denial_of_service_cases() -> tuple[Upload, ...]:
    import numpy as np
    import pyarrow as pa

    rng = random.Random(7)
    million = pa.table({"x": np.zeros(1_000_000), "y": np.ones(1_000_000)})
    wide = pa.table({f"c{i}": np.zeros(15_000) for i in range(200)})
    label = pa.DictionaryArray.from_arrays(np.zeros(1_000_000, dtype=np.int32), ["a" * 1_000])
    blank_rows = b"".join(b'<row r="%d"/>' % row for row in range(5, 1_000_000))
    styled = b"".join(b'<row r="%d"><c r="A%d" s="1"/><c r="B%d" s="1"/></row>' % (r, r, r)
                      for r in range(5, 500_000))
    unclosed = b"".join(b'<row r="%d"><c r="A%d"><v>%d' % (r, r, r) for r in range(1, 200_000))
    no_bracket = b"".join(b'<c r="A%d" ' % row for row in range(1, 300_000))
    unused = b"".join(b"<si><t>s%d</t></si>" % i for i in range(1_000_000))
    data_rows = _HEADER_ROW + b"".join(_numbers_row(r, r, 2 * r) for r in (2, 3, 4))
    repeated = b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>' * 500_000
    letters = np.random.default_rng(9).integers(ord("a"), ord("k"), 2_000_000,
                                                dtype=np.uint8).tobytes()
    wide_header = lambda columns: ",".join(f"c{i}" for i in range(columns))  # noqa: E731
    numbers_line = lambda columns: ",".join(["1"] * columns)  # noqa: E731
    return (
        # Parquet: the metadata and the dictionary say what reading would cost
        _costly("parquet 30 million rows", _parquet_repeated(million, 30), "rows.parquet",
                f"at most {MAX_ROWS:,} can be used"),
        _costly("parquet 60 million rows", _parquet_repeated(million, 60), "rows.parquet",
                "60,000,000 rows"),
        _costly("parquet one row over the cap",
                _parquet({"x": np.zeros(MAX_ROWS + 1), "y": np.ones(MAX_ROWS + 1)}),
                "over.parquet", f"{MAX_ROWS + 1:,} rows"),
        _costly("parquet 1.5 million cells in 200 columns x 300,000 rows",
                _parquet_repeated(wide, 20), "wide.parquet", "unpacks to more than"),
        _costly("parquet 250 columns", _parquet({f"c{i}": [1.0] for i in range(250)}),
                "columns.parquet", f"at most {MAX_COLUMNS}"),
        _costly("parquet text that decodes to a gigabyte",
                _parquet({"label": label, "y": np.ones(1_000_000)}), "text.parquet",
                "unpacks to more than"),
        _costly("parquet 200 kB text cell", _parquet({"label": ["a" * 200_000], "y": [1.0]}),
                "cell.parquet", "longer than"),
        _costly("parquet list column", _parquet({"x": [[1.0, 2.0]], "y": [1.0]}),
                "nested.parquet", "nested columns"),
        _costly("parquet 20,000 row groups",
                _parquet_repeated(pa.table({"x": [1.0], "y": [2.0]}), 20_000), "groups.parquet",
                "metadata alone"),
        _costly("parquet 1,001 row groups",
                _parquet_repeated(pa.table({"x": [1.0], "y": [2.0]}), 1_001), "groups.parquet",
                "1,001 row groups"),
        # Excel: only cells that hold a value cost anything
        _costly("xlsx one cell at row 1,000,000",
                _xlsx_parts(_sheet(data_rows + b'<row r="1000000"><c r="A1000000"><v>7</v></c>'
                                   b"</row>", dimension=b"A1:B1000000")),
                "far.xlsx", 4, 3, dropped={"missing": 1}, x=(2, 3, 4), y=(4, 6, 8),
                message="the last in row 1,000,000"),
        _costly("xlsx declared as A1:XFD1048576",
                _xlsx_parts(_sheet(data_rows, dimension=b"A1:XFD1048576")), "declared.xlsx", 3,
                x=(2, 3, 4), y=(4, 6, 8), message="declares the range A1:XFD1048576"),
        _costly("xlsx 1 million blank rows", _xlsx_parts(_sheet(data_rows + blank_rows)),
                "blank.xlsx", 3, x=(2, 3, 4), y=(4, 6, 8)),
        _costly("xlsx 1 million empty styled cells", _xlsx_parts(_sheet(data_rows + styled)),
                "styled.xlsx", 3, x=(2, 3, 4), y=(4, 6, 8)),
        _costly("xlsx a value in column XFD",
                _xlsx_parts(_sheet(data_rows[:-6] + b'<c r="XFD4"><v>9</v></c></row>')),
                "far-right.xlsx", 3, x=(2, 3, 4), y=(4, 6, 8),
                numeric_columns=("x", "y", "Unnamed: 2")),
        _costly("xlsx 201 used columns",
                _xlsx_parts(_sheet(b'<row r="1">' + b"".join(
                    b'<c r="%s1"><v>1</v></c>' % _column_letters(i) for i in range(1, 202))
                    + b"</row>")), "columns.xlsx", f"at most {MAX_COLUMNS}"),
        _costly("xlsx 200,000 unclosed cells", _xlsx_parts(_sheet(unclosed)), "unclosed.xlsx",
                "is empty"),
        _costly("xlsx 300,000 tags without a closing bracket", _xlsx_parts(_sheet(no_bracket)),
                "brackets.xlsx", "is empty"),
        _costly("xlsx 1 million unused shared strings",
                _xlsx_parts({**_sheet(data_rows), "xl/sharedStrings.xml":
                             b'<sst xmlns="' + _MAIN + b'">' + unused + b"</sst>"}),
                "strings.xlsx", 3, x=(2, 3, 4), y=(4, 6, 8)),
        _costly("xlsx shared string number 999,999",
                _xlsx_parts({**_sheet(data_rows.replace(b'<c r="B4"><v>8</v></c>',
                                                         b'<c r="B4" t="s"><v>999999</v></c>')),
                             "xl/sharedStrings.xml": b'<sst xmlns="' + _MAIN + b'">'
                             + unused[:-len(b"<si><t>s999999</t></si>")]
                             + b"<si><t>7</t></si></sst>"}),
                "string.xlsx", 3, x=(2, 3, 4), y=(4, 6, 7)),
        _costly("xlsx 60,000 cell styles",
                _xlsx_parts({**_sheet(data_rows), "xl/styles.xml": b'<styleSheet xmlns="' + _MAIN
                             + b'"><cellXfs>' + b"".join(
                                 b'<xf numFmtId="%d" fontId="%d" fillId="%d"/>'
                                 % (rng.randrange(50), rng.randrange(999), rng.randrange(999))
                                 for _ in range(60_000)) + b"</cellXfs></styleSheet>"}),
                "styles.xlsx", 3, x=(2, 3, 4), y=(4, 6, 8)),
        _costly("xlsx workbook listing 5,000 sheets",
                _xlsx_parts({"xl/workbook.xml": b'<workbook xmlns="' + _MAIN + b'" xmlns:r="r">'
                             b"<sheets>" + b"".join(b'<sheet name="s%d" sheetId="%d" r:id="rId1"/>'
                                                    % (i, i) for i in range(5_000))
                             + b"</sheets></workbook>"}), "sheets.xlsx", "more than 1,000 sheets"),
        _costly("xlsx 150,000 relationships",
                _xlsx_parts({"xl/_rels/workbook.xml.rels":
                             b'<Relationships xmlns="r">' + b"".join(
                                 b'<Relationship Id="x%d" Target="worksheets/s%d.xml"/>'
                                 % (rng.randrange(10**9), i) for i in range(150_000))
                             + b'<Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
                             b"</Relationships>"}), "rels.xlsx", 1, x=(1,), y=(2,)),
        _costly("xlsx one part packed 1000 to 1",
                _xlsx_parts({**_sheet(_HEADER_ROW + repeated),
                             "xl/media/noise.bin": bytes(rng.randrange(256)
                                                         for _ in range(600_000))}),
                "packed.xlsx", "unpacks to"),
        _costly("xlsx 2 MB text cell",
                _xlsx_parts(_sheet(_HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
                                   + letters + b"</t></is></c></row>")), "cell.xlsx",
                "holds more than"),
        # text: the width check looks at the first line that holds data
        _costly("csv blank line before 3,000 columns",
                ("\n" + wide_header(3_000) + "\n" + numbers_line(3_000) + "\n").encode(),
                "blank.csv", f"at most {MAX_COLUMNS}"),
        _costly("csv comment before 20,000 columns",
                ("# exported\n" + wide_header(20_000) + "\n" + numbers_line(20_000) + "\n"
                 ).encode(), "comment.csv", f"at most {MAX_COLUMNS}"),
        _costly("csv 30,000 columns x 100 rows after a blank line",
                ("\n" + wide_header(30_000) + "\n" + (numbers_line(30_000) + "\n") * 100
                 ).encode(), "wide.csv", f"at most {MAX_COLUMNS}"),
        _costly("csv 1 million blank lines before a wide header",
                b"\n" * 1_000_000 + wide_header(5_000).encode() + b"\n", "blanks.csv",
                f"at most {MAX_COLUMNS}"),
        _costly("utf-16 csv blank line before a wide header",
                ("\n" + wide_header(3_000) + "\n1,2\n").encode("utf-16"), "u16.csv",
                f"at most {MAX_COLUMNS}"),
        _costly("tab separated, whitespace lines before a wide header",
                b" \t \n\t\n" + "\t".join(f"c{i}" for i in range(3_000)).encode() + b"\n",
                "tabs.tsv", f"at most {MAX_COLUMNS}"),
        _costly("csv a 1,000,000-field line after the header",
                b"x,y\n1,2\n" + b"1," * 999_999 + b"1\n", "long.csv", "Line 3"),
        _costly("10 MiB file, over the 10 MB limit", b"x,y\n" + b"1,2\n" * (10 * 2**20 // 4 - 1),
                "mib.csv", "10 MB limit"),
        # JSON: the shape is checked before parsing
        _costly("json 1.1 million empty records", b"[" + b"{}," * 1_100_000 + b"{}]",
                "records.json", "objects and lists"),
        _costly("json 2.4 million numbers", b"[" + b"1.5," * 2_400_000 + b"1.5]", "numbers.json",
                "not a table"),
        _costly("json 1.1 million empty lists", b"[" + b"[]," * 1_100_000 + b"[]]", "lists.json",
                "objects and lists"),
    )


def _markdown_cases() -> tuple[Upload, ...]:
    image = "![t](http://127.0.0.1:9/t.png)"
    return (
        _accept("markdown image in column names", f"{image},{image},y\n1,2,3\n4,5,6\n".encode(),
                "names.csv", 2, x=(1, 4), y=(2, 5), message="renamed", markdown=image,
                risk="markdown"),
        _accept("markdown math in a hidden sheet name",
                _xlsx([["a"]], sheets={"data": [["x", "y"], [1, 2], [3, 4]]}, title="$x^2$",
                      states={"$x^2$": "hidden"}), "sheets.xlsx", 2, x=(1, 3), y=(2, 4),
                message="hidden", markdown="$x^2$", risk="markdown"),
        _accept("markdown in the file name", b"x,y\n1,2\n3,4\n", "**x** :red[y].csv", 2,
                x=(1, 3), y=(2, 4), markdown="**x**", risk="markdown"),
        _reject("markdown math in a refused file's column", b"$x^2$,y\n1,a\n2,b\n", "math.csv",
                "Only one column", markdown="$x^2$", risk="markdown"),
        _accept("markdown colour in a dropped cell", b"x,y\n1,2\n2,:red[boom]\n3,4\n", "cells.csv",
                3, 2, dropped={"non-numeric": 1}, x=(1, 3), y=(2, 4), markdown=":red[boom]",
                risk="markdown"),
        _accept("markdown bold in a row-number column name",
                b"**bold**,a,b\n1,5,6\n2,7,8\n3,9,1\n", "bold.csv", 3, x=(5, 7, 9), y=(6, 8, 1),
                message="counts 1, 2, 3", markdown="**bold**", risk="markdown"),
    )


def _column_letters(number: int) -> bytes:
    letters = b""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = bytes([65 + remainder]) + letters
    return letters


def measure_read(case: Upload) -> dict:
    """Read ``case`` as the Data page does, in a forked child: see :func:`measure_in_child`."""
    def read() -> str:
        try:
            read_table(case.data, case.filename, sheet=case.sheet)
            return "accept"
        except UploadError:
            return "reject"

    return measure_in_child(read)


def measure_in_child(call, *, timeout: float = 60.0, traced: bool = True) -> dict:
    """Run ``call()`` in a forked child (POSIX), so that its peak memory is its own: the seconds
    it took (wall clock, and CPU time of all its threads), its peak RSS growth, what it returned
    ("outcome") and — from a second, traced run unless ``traced`` is false — the peak of Python
    (tracemalloc) plus Arrow allocations. A child
    still running after ``timeout`` seconds is killed and reported as {"outcome": "timeout"}."""
    import resource
    import select
    import signal

    import pyarrow as pa

    reader, writer = os.pipe()
    gc.freeze()  # the child's collections must not touch (and so copy) the parent's objects
    child = os.fork()
    gc.unfreeze()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            start, cpu = time.perf_counter(), time.process_time()
            outcome = call()
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
            figures = {"seconds": seconds, "cpu": cpu, "rss": rss, "outcome": str(outcome)}
            if traced:
                pool = pa.proxy_memory_pool(pa.default_memory_pool())
                pa.set_memory_pool(pool)
                tracemalloc.start()
                call()
                figures["traced"] = tracemalloc.get_traced_memory()[1] + pool.max_memory()
            os.write(writer, json.dumps(figures).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as stream:
        if select.select([stream], [], [], timeout)[0]:
            text = stream.read()
        else:
            os.kill(child, signal.SIGKILL)
            text = json.dumps({"outcome": "timeout", "seconds": timeout})
    os.waitpid(child, 0)
    return json.loads(text) if text else {"outcome": "crashed"}

if __name__ == "__main__":
    for case in bad_upload_cases():
        print(f"{case.expect:6} {len(case.data):>10,} B  {case.name}")
