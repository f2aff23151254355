"""A corpus of bad and tricky uploads, generated in memory, with the outcome each must have.

Covers every row (1–50) of the bad-input catalogue in the reference notes, the big files scaled
down so tests stay fast, plus extras. ``bad_upload_cases()`` is shared by the library tests
(tests/test_reading.py) and the page tests (Streamlit AppTest with the file uploader).

An ``Upload`` either must be refused (``expect="reject"``: ``message`` is a stable substring of
the ``UploadError`` raised by ``read_table`` or ``extract_xy``) or accepted (``expect="accept"``:
row counts, drop counts by reason and, for silent-corruption cases, the x / y values; ``message``
is then a substring of one of the notes, if given).
"""

from __future__ import annotations

import io
import json
import random
from datetime import datetime
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from nwcore.reading import MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES


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
    columns: tuple[str, str] | None = None    # x and y columns (default: first two numeric)
    x_dates: str | None = None
    sheet: str | None = None
    numeric_columns: tuple[str, ...] | None = None
    hostile: bool = False                     # must be refused fast and without much memory
    catalogue: int | None = None              # row of the bad-input catalogue


def _reject(name, data, filename, message, **extra) -> Upload:
    return Upload(name, data, filename, "reject", message, **extra)


def _accept(name, data, filename, rows_read, rows_used=None, **extra) -> Upload:
    return Upload(name, data, filename, "accept", rows_read=rows_read,
                  rows_used=rows_read if rows_used is None else rows_used, **extra)


# ---------------------------------------------------------------------------------------------
# File makers


def _xlsx(rows, *, sheets: dict | None = None, title: str = "Sheet1") -> bytes:
    """A real workbook written by openpyxl (formulas get no cached value)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    for name, sheet_rows in (sheets or {}).items():
        sheet = book.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


@lru_cache(maxsize=1)
def bad_upload_cases() -> tuple[Upload, ...]:
    """Every case, built once (a few seconds at most)."""
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
                message="Windows-1252", x=(1, 3), columns=("café", "“y”"), catalogue=6),
        _accept("mixed encodings",
                "name,x,y\ncafé,1,2\n".encode() + "naïve,3,4\n".encode("cp1252"), "mixed.csv", 2,
                message="Windows-1252", x=(1, 3), columns=("x", "y")),
        _accept("utf-8 bom", b"\xef\xbb\xbfx,y\n1,2\n3,4\n", "bom.csv", 2, x=(1, 3),
                columns=("x", "y"), catalogue=7),
        _accept("utf-16 le bom, tabs", "x\ty\n1.5\t2\n3.5\t4\n".encode("utf-16"), "unicode.txt",
                2, x=(1.5, 3.5), message="tabs", catalogue=8),
        _accept("utf-16 be bom", b"\xfe\xff" + "x,y\n1,2\n3,4\n".encode("utf-16-be"), "be.csv", 2,
                x=(1, 3)),
        _reject("utf-16 without bom", "x,y\n1,2\n".encode("utf-16-le"), "nobom.csv", "UTF-16",
                hostile=True),
        # 9-13: delimiters, decimal marks, thousands, quoting
        _accept("semicolon decimal comma", b"x;y\n1,5;2,25\n3,5;4\n0,5;1\n", "euro.csv", 3,
                x=(0.5, 1.5, 3.5), y=(1, 2.25, 4), message="decimal commas", catalogue=9),
        _accept("tab separated", b"x\ty\n1\t2\n3\t4\n", "tabs.tsv", 2, x=(1, 3), catalogue=10),
        _accept("pipe separated", b"x|y\n1|2\n3|4\n", "pipes.txt", 2, x=(1, 3)),
        _accept("tab decimal comma", b"x\ty\n1,5\t2\n2,5\t3\n", "tabs.txt", 2, x=(1.5, 2.5)),
        _accept("quoted thousands", b'x,y\n"1,000",2\n"2,500",3\n"12,345,678.5",4\n',
                "thousands.csv", 3, x=(1000, 2500, 12345678.5), message="thousands separators",
                catalogue=11),
        _reject("unquoted thousands", b"x,y\n1,000,2\n2,500,3\n", "thousands.csv",
                "fields but the header has 2", catalogue=12),
        _accept("quoted comma, newline, quotes",
                b'name,x,y\n"a, b",1,2\n"line\nbreak",3,4\n"say ""hi""",5,6\n', "quotes.csv", 3,
                x=(1, 3, 5), columns=("x", "y"), catalogue=13),
        _reject("unterminated quote", b'x,y\n"1,2\n3,4\n', "quote.csv", "never closed",
                catalogue=14),
        _accept("quoted decimal comma", b'x,y\n"1,5","2,25"\n"3,5","4"\n', "quoted.csv", 2,
                x=(1.5, 3.5), y=(2.25, 4)),
        _accept("semicolon, three-digit decimals", b"x;y\n1,500;2\n2,250;3\n", "euro.csv", 2,
                x=(1.5, 2.25), message="a decimal comma, as usual"),
        _accept("headerless semicolon decimal comma", b"1,5;2,5\n3,5;4,5\n", "euro.csv", 2,
                x=(1.5, 3.5), y=(2.5, 4.5), message="no header row"),
        _accept("semicolon, dot groups", b"x;y\n1.000;2\n3.000;4\n", "dots.csv", 2, x=(1, 3),
                message="If the dots separate thousands"),
        _reject("one column of decimal commas", b"y\n1,5\n2,5\n", "one.csv",
                "separate the columns with ';'"),
        _accept("german thousands", b"x;y\n1.234,5;2\n2,5;3\n", "de.csv", 2, x=(2.5, 1234.5)),
        _reject("mixed decimal marks", b"x,y\n\"1,5\",2\n2.5,3\n", "mixed.csv", "decimal comma"),
        # 15-19: cell values
        _accept("na and inf tokens", token_file, "tokens.csv", len(tokens), 3,
                dropped={"missing": 10, "infinite or out of range": 7, "non-numeric": 9},
                x=(0, 1, 2), catalogue=15),
        _accept("out of range", _rows("x,y", "1,1e400", "2,-1e400", "3,1e-400", "4,4e492493924924",
                                      "5,1e-320", "6,1e200", "7,2", "8,3"), "range.csv", 8, 2,
                dropped={"infinite or out of range": 6}, x=(7, 8), catalogue=16),
        _accept("integer beyond int64", _rows("x,y", "123456789012345678901234,1", "2,3"),
                "bigint.csv", 2, message="more than 15 digits", x=(2, 1.2345678901234568e23),
                catalogue=17),
        _accept("numbers and text", _rows("x,y", "1,1", "2,abc", "3,3", "4,n.a."), "mixed.csv",
                4, 2, dropped={"non-numeric": 2}, x=(1, 3), catalogue=18),
        _accept("spaces and units", _rows("x,y", " 1 , 2 ", "2,3 kg", "3,  4"), "units.csv", 3, 2,
                dropped={"non-numeric": 1}, x=(1, 3), y=(2, 4), catalogue=19),
        # 20-25: shape of the table
        _accept("duplicate column names", _rows("x,x,y", "1,10,2", "3,30,4"), "dup.csv", 2,
                message="renamed", columns=("x (2)", "y"), x=(10, 30),
                numeric_columns=("x", "x (2)", "y"), catalogue=20),
        _accept("trailing comma", _rows("x,y,", "1,2,", "3,4,"), "trailing.csv", 2,
                numeric_columns=("x", "y"), catalogue=21),
        _accept("saved index column", _rows(",x,y", "0,1.5,2", "1,2.5,3", "2,3.5,4"), "index.csv",
                3, x=(1.5, 2.5, 3.5), message="saved row index", numeric_columns=("x", "y"),
                catalogue=22),
        _accept("headerless numbers", _rows("1.5,2.5", "3.5,4.5", "5.5,6.5"), "noheader.csv", 3,
                x=(1.5, 3.5, 5.5), message="no header row", numeric_columns=("col1", "col2"),
                catalogue=23),
        _accept("headerless with text column", _rows("1.5,2.5,red", "3.5,4.5,blue"),
                "noheader.csv", 2, x=(1.5, 3.5), message="no header row"),
        _reject("too many fields", _rows("x,y", "1,2", "3,4,5"), "extra.csv", "Line 3 has 3 fields",
                catalogue=24),
        _accept("too few fields", _rows("x,y", "1,2", "3", "5,6"), "short.csv", 3, 2,
                dropped={"missing": 1}, catalogue=25),
        # 26-31: degenerate or unusual x
        _accept("single row", _rows("x,y", "1,2"), "one.csv", 1, message="Only one row",
                catalogue=26),
        _accept("constant x", _rows("x,y", "2,1", "2,3", "2,5"), "constant.csv", 3,
                message="no spread", catalogue=27),
        _accept("duplicate x", _rows("x,y", "1,1", "1,3", "2,5"), "dupx.csv", 3,
                message="duplicate x", x=(1, 1, 2), y=(1, 3, 5), catalogue=28),
        _accept("iso dates", _rows("date,y", "2024-01-01,1", "2024-01-03,2", "2024-01-02,3"),
                "dates.csv", 3, x=(0, 1, 2), y=(1, 3, 2), columns=("date", "y"), x_dates="iso",
                message="days since", catalogue=29),
        _reject("dates without a choice", _rows("date,y", "2024-01-01,1", "2024-01-03,2"),
                "dates.csv", "holds dates", columns=("date", "y"), catalogue=29),
        _accept("day-first dates", _rows("date,y", "13/02/2024,1", "14/02/2024,2", "01/03/2024,3"),
                "dmy.csv", 3, x=(0, 1, 17), columns=("date", "y"), x_dates="day-first",
                catalogue=30),
        _accept("day-first read as month-first",
                _rows("date,y", "13/02/2024,1", "14/02/2024,2", "01/03/2024,3"), "dmy.csv", 3, 1,
                dropped={"non-numeric": 2}, columns=("date", "y"), x_dates="month-first",
                message="are they day-first", catalogue=30),
        _accept("two-digit year dotted dates", _rows("date,y", "13.02.24,1", "15.02.24,2"),
                "dots.csv", 2, x=(0, 2), columns=("date", "y"), x_dates="day-first"),
        _accept("true and false", _rows("x,y", "1,True", "2,False", "3,5"), "bool.csv", 3, 1,
                dropped={"non-numeric": 2}, catalogue=31),
        # 32-36: text that looks like numbers, line ends, formulas, HTML, preambles
        _accept("hex percent currency", _rows("x,y", "1,0x1F", "2,12%", "3,$5", "4,€3", "5,5"),
                "money.csv", 5, 1, dropped={"non-numeric": 4}, catalogue=32),
        _accept("arabic-indic and fullwidth digits", _rows("x,y", "1,١٢", "2,１２", "3,3"),
                "digits.csv", 3, 1, dropped={"non-numeric": 2}),
        _accept("cr line ends", _rows("x,y", "1,2", "3,4", end="\r"), "cr.csv", 2, x=(1, 3),
                catalogue=33),
        _accept("crlf line ends", _rows("x,y", "1,2", "3,4", end="\r\n"), "crlf.csv", 2, x=(1, 3),
                catalogue=33),
        _accept("formula cells", _rows("label,x,y", "=1+2,1,2", "@SUM(A1),2,3",
                                       "+cmd|' /C calc'!A0,3,4", "-2+3,4,5"), "formulas.csv", 4,
                x=(1, 2, 3, 4), numeric_columns=("x", "y"), catalogue=34),
        _accept("html in header", _rows("<img src=x onerror=alert(1)>,<script>alert(1)</script>",
                                        "1,2", "3,4"), "html.csv", 2, x=(1, 3),
                numeric_columns=("<img src=x onerror=alert(1)>", "<script>alert(1)</script>"),
                catalogue=35),
        _accept("comment lines",
                _rows("# exported by a logger", "# units: cm", "x,y", "1,2", "3,4"), "comments.csv",
                2, x=(1, 3), message="starting with '#'", catalogue=36),
        _reject("title line", _rows("Measurements from lab 3", "x,y", "1,2"), "title.csv",
                "starts with a title", catalogue=36),
        _accept("blank lines between rows", _rows("x,y", "1,2", "", "", "3,4"), "gaps.csv", 2),
        _accept("padded header names", _rows(" x , y ", "1,2"), "pad.csv", 1,
                numeric_columns=("x", "y")),
        # 37-42: big and hostile text files (scaled)
        _accept("more rows than the cap", many_rows, "many.csv", MAX_ROWS,
                message=f"only the first {MAX_ROWS:,} rows", catalogue=37),
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
                catalogue=43),
        _accept("xlsx", _xlsx([["x", "y"], [1, 2.5], [3, 4.5], [2, None]]), "book.xlsx", 3, 2,
                dropped={"missing": 1}, x=(1, 3)),
        _accept("xlsx named sheet", _xlsx([["a"]], sheets={"data": [["x", "y"], [5, 6], [7, 8]]}),
                "book.xlsx", 2, x=(5, 7), sheet="data"),
        _accept("xlsx several sheets", _xlsx([["x", "y"], [1, 2]], sheets={"other": [["z"]]}),
                "book.xlsx", 1, message="2 sheets"),
        _reject("xlsx missing sheet", _xlsx([["x", "y"], [1, 2]]), "book.xlsx", "no sheet named",
                sheet="nope"),
        _reject("xlsx empty sheet", _xlsx([]), "empty.xlsx", "is empty"),
        _accept("xlsx headerless", _xlsx([[1.5, 2], [2.5, 3]]), "noheader.xlsx", 2, x=(1.5, 2.5),
                message="no header row"),
        _accept("xlsx dates",
                _xlsx([["when", "y"], [datetime(2024, 1, 1), 1], [datetime(2024, 1, 11), 2]]),
                "dates.xlsx", 2, x=(0, 10), columns=("when", "y"), x_dates="iso"),
        _accept("xlsx formulas without cached values", _xlsx([["x", "y"], [1, "=A2*2"], [2, 3]]),
                "formulas.xlsx", 2, 1, dropped={"missing": 1}, message="not recalculated",
                catalogue=44),
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
                dropped={"missing": 1}, x=(2, 3), numeric_columns=("x", "y")),
        _reject("parquet garbage", b"PAR1" + noise, "broken.parquet", "Parquet but is damaged",
                hostile=True, catalogue=49),
        _accept("csv named parquet", b"x,y\n1,2\n", "data.parquet", 1, message="holds text",
                catalogue=49),
        # 50: JSON
        _accept("json records", json.dumps([{"x": 2, "y": 1.5}, {"x": 1, "y": None},
                                            {"x": 3, "y": "abc"}]).encode(), "records.json", 3,
                1, dropped={"missing": 1, "non-numeric": 1}, x=(2,)),
        _accept("json columns", json.dumps({"x": [1, 2, 3], "y": [4, 5, 6]}).encode(),
                "columns.json", 3, x=(1, 2, 3)),
        _accept("json pandas columns orient", json.dumps({"x": {"0": 1, "1": 2},
                                                          "y": {"0": 3, "1": 4}}).encode(),
                "pandas.json", 2, x=(1, 2)),
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
                20_000),
        # choices of columns
        _accept("same column twice", _rows("x,y", "1,2", "3,4"), "same.csv", 2,
                columns=("x", "x"), message="same column"),
        _reject("no usable rows", _rows("x,y", "1,a", "2,b"), "none.csv", "No row has usable",
                columns=("x", "y")),
    )


if __name__ == "__main__":
    for case in bad_upload_cases():
        print(f"{case.expect:6} {len(case.data):>10,} B  {case.name}")
