"""Read an uploaded file into a clean numeric (x, y) dataset, accounting for every row.

:func:`read_table` turns the bytes of a CSV/TSV/TXT, XLSX, Parquet or flat JSON file into a
:class:`Table`; :func:`extract_xy` picks two columns and makes the float (x, y) pairs (with, when
chosen, a second key coordinate x2 and a class label per row), saying how many rows were dropped
and why. Both raise only :class:`UploadError`, whose text is meant for the
user. Hostile files (too big, too wide, zip bombs, Parquet files that decode to far more than
they weigh, binary data, absurd lines) are refused by cheap checks before any parsing, and Excel
sheets are streamed (blank rows cost nothing). Nothing is guessed silently: a detected delimiter,
decimal comma, missing header, encoding fallback, hidden sheet, skipped row-number column or
truncation is reported in ``notes``. Cells that a format stores as numbers (Excel, JSON, Parquet)
stay numbers: the decimal mark detected from text cells applies to text cells only.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _xlsx
from ._validation import MAX_ABS_COORDINATE
from .labelled import LABEL_COLUMN, MAX_CLASS_CODES, SECOND_KEY_COLUMN

#: Largest upload, in megabytes of 1,000,000 bytes as the browser counts them (the uploader is
#: given this number; ``server.maxUploadSize`` in .streamlit/config.toml must be the same).
MAX_UPLOAD_MB = 10
#: Largest upload accepted, in bytes.
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
#: File extensions the uploader accepts (every format :func:`read_table` reads).
UPLOAD_EXTENSIONS = ("csv", "tsv", "txt", "xlsx", "parquet", "json")
#: Most columns a table may have.
MAX_COLUMNS = 200
#: Most data rows used; later rows are ignored (with a note).
MAX_ROWS = 1_000_000
#: A text line longer than this is refused (checked in blocks: any line ≥ 2× this is caught).
MAX_LINE_BYTES = 100_000
#: Zip (XLSX) limits: total uncompressed size and uncompressed/compressed ratio (of the whole
#: file and of each part bigger than a megabyte); also the most a Parquet file may decode to.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_RATIO = 100
#: Parquet metadata (footer) and row-group limits: a few hundred kilobytes and a few groups are
#: usual; a footer of megabytes cut into thousands of groups costs more than the data.
_MAX_PARQUET_FOOTER_BYTES = 2**20
_MAX_ROW_GROUPS = 1_000
#: Most JSON objects and arrays a file may hold (one per record, plus the enclosing list).
MAX_JSON_CONTAINERS = MAX_ROWS + 2
#: First-column names that mark saved row numbers (R, Rdatasets, readr, pandas), in lower case.
INDEX_NAMES = frozenset({"", "rownames", "row.names", "row_names", "...1", "index", "unnamed: 0"})
#: Candidate delimiters of text tables, preferred in this order when several fit every line
#: (commas come last: they also appear inside values as decimal or thousands marks).
DELIMITERS = ("\t", ";", "|", ",")
#: Ways to read a date column as x (converted to days since the first date).
DATE_ORDERS = ("iso", "day-first", "month-first")

#: Most distinct labels a label column may hold (the classes Classify draws).
MAX_LABEL_CLASSES = MAX_CLASS_CODES

#: Reason codes of cells; a row with several bad cells counts under the most informative reason
#: (x's, then x2's, then y's when they tie).
_OK, _MISSING, _NON_NUMERIC, _OUT_OF_RANGE = 0, 1, 2, 3
_REASONS = {_NON_NUMERIC: "non-numeric", _OUT_OF_RANGE: "infinite or out of range",
            _MISSING: "missing"}
#: Why a row was dropped, most informative first.
REASONS = tuple(_REASONS.values())
_SEVERITY = np.array([0, 1, 3, 2])  # by code: OK < missing < out of range < non-numeric
#: Cell texts that mean "no value" (compared in lower case; pandas' default NA strings).
NA_TOKENS = frozenset({
    "", "nan", "-nan", "na", "n/a", "#n/a", "#n/a n/a", "#na", "null", "none", "<na>", "nat",
    "1.#ind", "-1.#ind", "1.#qnan", "-1.#qnan",
})
_SAMPLE_CHARS = 65_536
_SAMPLE_VALUES = 1_000
#: Number texts: "1,5" / "1.234,5" (decimal comma), "2.5" / "1,234.5" (decimal point), and the
#: ambiguous groups "1,500" / "1.500" (thousands separator or a decimal mark?).
_COMMA_DECIMAL = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+(?:[eE][+-]?\d+)?"
_DOT_DECIMAL = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+(?:[eE][+-]?\d+)?"
_COMMA_GROUPS = r"[+-]?\d{1,3}(?:,\d{3})+"
_DOT_GROUPS = r"[+-]?\d{1,3}(?:\.\d{3})+"
#: Numbers with thousands separators, by decimal mark ("1,234.5" for '.', "1.234,5" for ',').
_GROUPED = {".": r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?",
            ",": r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"}
_ZERO_TEXT = r"[+-]?0*\.?0*(?:[eE][+-]?\d+)?"
_LONG_INTEGER = r"[+-]?\d{16,}"
_DATE_TEXT = (r"\d{4}-\d{1,2}-\d{1,2}"                                 # ISO date
              r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"  # time
              r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")                           # 13/02/2024
_BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"%PDF": "a PDF document", b"\x1f\x8b": "a gzip archive", b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive", b"\x7fELF": "a program", b"MZ": "a Windows program",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or Office file",
    b"SQLite format 3": "an SQLite database",
}
_SAVE_AS_CSV = "Save it as CSV (UTF-8) with a header row and upload that."


class UploadError(ValueError):
    """A file we refuse; str(error) is the message shown to the user: what was wrong and what
    to do."""


@dataclass(frozen=True)
class Table:
    """A table as read: unique str column names and what the column pickers should offer.

    A table read by :func:`read_table` always offers two different columns to pre-select
    (``default_x``, ``default_y``): a row-number first column is skipped when there are others,
    and a file without two usable columns is refused instead."""

    frame: pd.DataFrame                 # columns as read, names unique str
    numeric_columns: tuple[str, ...]    # candidates for x / y (≥ 1 numeric value)
    date_columns: tuple[str, ...]       # columns that look like dates (explicit conversion only)
    notes: tuple[str, ...]              # what the user must be told
    source: str                         # e.g. "CSV (delimiter ';', decimal ',', UTF-8)"
    decimal: str = "."                  # decimal mark of the text cells ('.' or ',')
    default_x: str | None = None        # the x column to pre-select (numeric or date column)
    default_y: str | None = None        # the y column to pre-select (numeric, never default_x)


@dataclass(frozen=True)
class XYData:
    """Clean (x, y) pairs sorted by x, with the account of the rows dropped.

    With a second x column the frame has ``x2`` too (a row with a bad x2 is dropped and counted
    as one with a bad x or y is); with a label column it has ``label`` (whole numbers as Int64,
    anything else as text, missing where the row has none: such rows are kept, and counted in
    ``unlabelled``).
    """

    frame: pd.DataFrame                 # columns "x", "y" float64, all finite, sorted by x (stable)
    x_label: str
    y_label: str
    rows_read: int
    rows_used: int
    dropped: dict[str, int] = field(default_factory=dict)         # reason -> count
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> ≤ 3 raw values
    notes: tuple[str, ...] = ()
    x2_label: str | None = None         # the second x column, when chosen
    label_column: str | None = None     # the label column, when chosen
    classes: tuple = ()                 # the distinct labels of the rows used, sorted
    unlabelled: int = 0                 # rows used that have no label

    def summary(self) -> str:
        """E.g. "read 120 rows, used 117, dropped 3: 2 non-numeric, 1 missing"; with a second
        x column "dropped 3 (a bad x, x2 or y): …"; with labels "; 2 rows used have no
        label (Classify leaves them out)"."""
        text = f"read {self.rows_read:,} rows, used {self.rows_used:,}"
        if self.dropped:
            reasons = ", ".join(f"{count:,} {reason}" for reason, count in self.dropped.items())
            which = " (a bad x, x2 or y)" if self.x2_label is not None else ""
            text += f", dropped {self.rows_read - self.rows_used:,}{which}: {reasons}"
        if self.unlabelled:
            rows, have, them = ("rows", "have", "them") if self.unlabelled > 1 else \
                ("row", "has", "it")
            text += f"; {self.unlabelled:,} {rows} used {have} no label (Classify leaves " \
                    f"{them} out)"
        return text


# ---------------------------------------------------------------------------------------------
# Public entry points


def read_table(data: bytes, filename: str, *, sheet: str | None = None) -> Table:
    """Read an uploaded file (CSV/TSV/TXT, XLSX, Parquet, flat JSON) into a :class:`Table`."""
    with _only_upload_errors("read this file"):
        return _read_table(data, str(filename), sheet)


def excel_sheet_names(data: bytes) -> list[str]:
    """The sheet names of an XLSX workbook, in order."""
    return [name for name, _ in excel_sheets(data)]


def excel_sheets(data: bytes) -> list[tuple[str, bool]]:
    """(name, hidden) of each worksheet of an XLSX workbook, in order."""
    with _only_upload_errors("read this workbook"):
        _check_size(data)
        if not bytes(data[:2]) == b"PK":
            raise UploadError("This is not an Excel workbook (.xlsx).")
        _check_workbook_zip(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(sheet.name, sheet.hidden) for sheet in _worksheets(archive)]


def extract_xy(table: Table, x_column: str, y_column: str | None, *,
               x_dates: str | None = None, x2_column: str | None = None,
               label_column: str | None = None) -> XYData:
    """Numeric (x, y) pairs from two columns; rows with a bad x or y are dropped and counted.

    ``x_dates`` ("iso", "day-first" or "month-first") converts a date column x to days since the
    first date; without it, dates are not numbers. ``x2_column`` adds a second key coordinate
    (frame column ``x2``; a row with a bad x2 is dropped and counted like one with a bad x).
    ``label_column`` adds each row's class (frame column ``label``, at most
    :data:`MAX_LABEL_CLASSES` distinct values; a row without a label is kept and counted).
    ``y_column=None`` (with a label column) makes y the class code of each row's label: 0, 1, …
    in the labels' sorted order (a row without a label then has no y and is dropped as missing).
    """
    with _only_upload_errors("use these columns"):
        return _extract_xy(table, x_column, y_column, x_dates, x2_column, label_column)


@contextmanager
def _only_upload_errors(action: str):
    """Let :class:`UploadError` through; turn any other exception into one, plainly worded."""
    try:
        yield
    except UploadError:
        raise
    except _xlsx.WorkbookError as error:
        raise UploadError(str(error)) from None
    except RecursionError:
        raise UploadError(f"Could not {action}: it is nested too deeply. "
                          f"{_SAVE_AS_CSV}") from None
    except MemoryError:
        raise UploadError(f"Could not {action}: it needs too much memory. "
                          f"{_SAVE_AS_CSV}") from None
    except Exception as error:
        lines = str(error).strip().splitlines()
        detail = f": {lines[0][:200]}" if lines else ""
        raise UploadError(f"Could not {action} ({type(error).__name__}{detail}). "
                          f"{_SAVE_AS_CSV}") from error


# ---------------------------------------------------------------------------------------------
# Format detection and pre-parse checks


def _read_table(data: bytes, filename: str, sheet: str | None) -> Table:
    _check_size(data)
    data = bytes(data)
    if not data:
        raise UploadError("The file is empty. Choose a file with a header row and data rows.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK"):
        return _read_excel(data, sheet)
    if sheet is not None:
        raise UploadError("Only Excel workbooks have sheets; this file is not one.")
    if data.startswith(b"PAR1"):
        return _read_parquet(data)
    _check_binary(data)
    text, encoding, notes = _decode(data)
    if not re.search(r"\S", text):
        raise UploadError("The file has only blank lines. Choose a file with a header row and "
                          "data rows.")
    if extension == "json" or (extension not in ("csv", "tsv", "txt")
                               and re.match(r"[\ufeff \t\r\n]*[\[{]", text)):
        return _read_json(text, encoding, notes)  # JSON often sits on one line
    if extension in ("xlsx", "xlsm", "parquet"):
        notes.append(f"The file is named .{extension} but holds text, so it was read as CSV.")
    return _read_text(text, encoding, notes, extension)


def _check_size(data) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UploadError("No file content was received; upload the file again.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"The file is larger than the {MAX_UPLOAD_MB} MB limit ({len(data):,} bytes; the "
            f"limit is {MAX_UPLOAD_BYTES:,} bytes). Upload fewer rows or columns (for example a "
            "sample of the data).")


def _check_binary(data: bytes) -> None:
    """Refuse known binary formats, UTF-32 text, and anything with NUL bytes (unless UTF-16 with
    a BOM)."""
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise UploadError(f"This is {kind}, not a table. {_SAVE_AS_CSV}")
    head = data[:8]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or re.fullmatch(
            rb"[^\x00]\x00{3}[^\x00]\x00{3}|\x00{3}[^\x00]\x00{3}[^\x00]", head):
        raise UploadError("The file is UTF-32 text, which is not supported: save it as UTF-8 (in "
                          "Excel: CSV UTF-8) and upload that.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    if b"\x00" in data:
        raise UploadError(
            "The file contains NUL bytes: it is binary, or UTF-16 text without a byte-order "
            f"mark. {_SAVE_AS_CSV}")


def _check_header_width(text: str, start: int) -> None:
    """Count the delimiters of the line the parser will size every row by (the first non-blank
    one from ``start``, after the comment preamble) before parsing: 10⁶ columns cost pandas a
    gigabyte. A wide line further down is a cheap parser error."""
    first = re.compile(r"\S").search(text, start)
    if first is None:
        return
    start = max(text.rfind("\n", 0, first.start()), text.rfind("\r", 0, first.start())) + 1
    end = _line_end(text, start)
    for delimiter in DELIMITERS:
        fields = text.count(delimiter, start, end) + 1
        if fields > MAX_COLUMNS:
            line = _line_number(text, start)
            raise UploadError(
                f"Line {line:,}, the first with data, has {fields:,} fields separated by "
                f"{_delimiter_name(delimiter)}; at most {MAX_COLUMNS} columns are supported. Keep "
                "only the columns you need.")


def _check_line_lengths(text: str) -> None:
    """Refuse absurd lines: any block of MAX_LINE_BYTES characters without a line break."""
    for start in range(0, len(text) - MAX_LINE_BYTES + 1, MAX_LINE_BYTES):
        stop = start + MAX_LINE_BYTES
        if text.find("\n", start, stop) < 0 and text.find("\r", start, stop) < 0:
            raise UploadError(
                f"Line {_line_number(text, start):,} is longer than {MAX_LINE_BYTES:,} "
                f"characters, which no table row needs. Is this really a table? {_SAVE_AS_CSV}")


def _line_end(text: str, start: int) -> int:
    ends = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    return min(ends) if ends else len(text)


def _line_number(text: str, position: int) -> int:
    newlines = text.count("\n", 0, position)
    return (newlines or text.count("\r", 0, position)) + 1


#: Windows-1252 for the bytes 0x80–0x9F it defines; the five it leaves undefined (0x81, 0x8D,
#: 0x8F, 0x90, 0x9D) stay the Latin-1 control characters they are, instead of failing the file.
_CP1252_FROM_LATIN1 = {byte: bytes([byte]).decode("cp1252") for byte in range(0x80, 0xA0)
                       if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text, encoding label and notes: UTF-8 (±BOM), UTF-16 with BOM, else Windows-1252."""
    notes = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UploadError("The file says it is UTF-16 text but is damaged. "
                              f"{_SAVE_AS_CSV}") from None
    else:
        bom = data.startswith(b"\xef\xbb\xbf")
        body = data[3:] if bom else data
        try:
            text, encoding = body.decode("utf-8"), "UTF-8 with BOM" if bom else "UTF-8"
        except UnicodeDecodeError:
            text = body.decode("latin-1").translate(_CP1252_FROM_LATIN1)
            encoding = "Windows-1252"
            notes.append("The file is not valid UTF-8, so it was read as Windows-1252 (Western "
                         "European). If accented letters look wrong, save it as CSV UTF-8.")
    head = text[:_SAMPLE_CHARS]
    controls = sum(head.count(chr(c)) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))
    if controls > max(2, len(head) // 100):
        raise UploadError(f"The file is full of control characters: it is binary, not text. "
                          f"{_SAVE_AS_CSV}")
    return text, encoding, notes


def _delimiter_name(delimiter: str) -> str:
    return "tabs" if delimiter == "\t" else f"'{delimiter}'"


# ---------------------------------------------------------------------------------------------
# Text tables


def _read_text(text: str, encoding: str, notes: list[str], extension: str) -> Table:
    lines = _head_lines(text)
    preamble = _comment_lines(lines)
    _check_header_width(text, sum(len(line) for line in lines[:preamble]))
    _check_line_lengths(text)
    if preamble:
        notes.append(f"Skipped {preamble} line(s) starting with '#' before the header.")
    delimiter = _sniff_delimiter("".join(lines[preamble:]))
    raw = _parse_csv(text, delimiter, preamble)
    decimal, decimal_notes = _detect_decimal(raw, delimiter)
    kind = {"tsv": "TSV", "txt": "TXT"}.get(extension, "CSV")
    source = f"{kind} (delimiter {_delimiter_name(delimiter)}, decimal '{decimal}', {encoding})"
    if delimiter != "," or decimal != ".":
        notes.append(f"Detected columns separated by {_delimiter_name(delimiter)} and "
                     + ("decimal commas (1,5 = 1.5)." if decimal == "," else "decimal points."))
    frame, header_notes = _apply_header(raw, decimal)
    return _build_table(frame, notes + decimal_notes + header_notes, source, decimal)


def _head_lines(text: str) -> list[str]:
    """The complete lines (with their ends) of the first ~64 k characters."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text[:_SAMPLE_CHARS])
    return lines if len(text) <= _SAMPLE_CHARS else lines[:-1]


def _comment_lines(lines: list[str]) -> int:
    """Number of leading lines that are blank or start with '#' (when at least one does)."""
    count, comments = 0, 0
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        count += 1
        comments += bool(stripped)
    return count if comments else 0


def _sniff_delimiter(sample: str) -> str:
    """The candidate with ≥ 2 fields on the first line whose field count agrees most with the
    rest (ties: the earlier in DELIMITERS)."""
    best, best_agreement = ",", -1.0
    for delimiter in DELIMITERS:
        counts = _field_counts(sample, delimiter)
        if not counts or counts[0] < 2:
            continue
        header, rows = counts[0], counts[1:]
        agreement = sum(count == header for count in rows) / len(rows) if rows else 1.0
        if agreement > best_agreement:
            best, best_agreement = delimiter, agreement
    return best


def _field_counts(sample: str, delimiter: str) -> list[int]:
    counts = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"')
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                counts.append(len(row))
    except csv.Error:
        pass
    return counts


def _parse_csv(text: str, delimiter: str, preamble: int) -> pd.DataFrame:
    """All cells as str, header row included (row 0); refuse ragged or broken files."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            raw = pd.read_csv(
                io.BytesIO(text.encode("utf-8")), encoding="utf-8", sep=delimiter, header=None,
                index_col=False, dtype=str, keep_default_na=False, na_filter=False,
                skiprows=preamble, nrows=MAX_ROWS + 2, on_bad_lines="error", engine="c")
    except pd.errors.EmptyDataError:
        raise UploadError("The file has no table in it. Choose a file with a header row and "
                          "data rows.") from None
    except pd.errors.ParserError as error:
        raise UploadError(_parser_message(str(error), delimiter)) from None
    parser_warnings = [w for w in caught if issubclass(w.category, pd.errors.ParserWarning)]
    if parser_warnings:
        raise UploadError(f"The file could not be read reliably ({parser_warnings[0].message}). "
                          f"{_SAVE_AS_CSV}")
    return raw


def _parser_message(error: str, delimiter: str) -> str:
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", error)
    if fields:
        expected, line, saw = (int(group) for group in fields.groups())
        if expected == 1:
            return (f"Line {line} has {saw} fields but the first line has only one. If the file "
                    "starts with a title or notes, delete the lines above the header row; if "
                    "numbers use decimal commas, separate the columns with ';'. Then upload "
                    "again.")
        return (f"Line {line} has {saw} fields but the header has {expected} (separated by "
                f"{_delimiter_name(delimiter)}). Check the delimiter, and numbers with thousands "
                "separators such as 1,000 that are not in quotes; fix that line and upload again.")
    quote = re.search(r"EOF inside string starting at row (\d+)", error)
    if quote:
        return (f"A quote mark (\") opened on row {int(quote.group(1)) + 1} is never closed. "
                "Fix the quoting there and upload again.")
    return f"The file could not be parsed as a table ({error.strip()[:200]}). {_SAVE_AS_CSV}"


def _detect_decimal(raw: pd.DataFrame, delimiter: str | None) -> tuple[str, list[str]]:
    """'.' or ',' from the text cells; refuse files that mix both; note every reading choice.

    ``delimiter`` is None for formats with typed cells (Excel, JSON, Parquet). "1,500" and
    "1.500" alone are ambiguous: in a file separated by ';' "1,500" is read as 1.5, and "1.500"
    next to "2,5" as 1500 (German style). Elsewhere "1.500" next to "2,5" is refused: it would be
    1.5 to the program that wrote the file and 1500 to the person who typed "2,5".
    """
    styles = {"decimal comma": (",", _COMMA_DECIMAL, _COMMA_GROUPS), "1,000": (",", _COMMA_GROUPS),
              "decimal point": (".", _DOT_DECIMAL, _DOT_GROUPS), "1.000": (".", _DOT_GROUPS)}
    cells = pd.concat([_text_cells(raw[position]) for position in raw.columns],
                      ignore_index=True).astype("str").str.strip()
    examples = {style: _first_match(cells, *spec) for style, spec in styles.items()}
    comma, point = examples["decimal comma"], examples["decimal point"]
    if comma and point:
        raise UploadError(
            f"Some numbers use a decimal comma (e.g. '{comma}') and others a decimal point (e.g. "
            f"'{point}'), so the file cannot be read without guessing. Use one decimal mark "
            "throughout and upload again.")
    dotted = examples["1.000"]
    if comma and dotted and delimiter in (None, ",") and not _first_match(cells, ".",
                                                                          _COMMA_DECIMAL):
        raise UploadError(
            f"Some numbers use a decimal comma (e.g. '{comma}') and others a dot (e.g. "
            f"'{dotted}'), which may be a decimal point ({_number_value(dotted, '.')}) or a "
            f"thousands separator ({_number_value(dotted, ',')}), so the file cannot be read "
            "without guessing. Use one decimal mark throughout and upload again.")
    by_delimiter = not comma and not point and examples["1,000"] and delimiter == ";"
    decimal = "," if comma or by_delimiter else "."
    notes = []
    if comma and delimiter is None:
        notes.append(f"Some cells hold numbers as text with a decimal comma (e.g. '{comma}' = "
                     f"{_number_value(comma, ',')}); they were read that way. Cells that hold "
                     "numbers (not text) are used as they are.")
    if by_delimiter:
        example = examples["1,000"]
        notes.append(f"Read '{example}' as {_number_value(example, decimal)}: a decimal comma, as "
                     "usual in files separated by ';'.")
    grouped = _first_match(cells, "," if decimal == "." else ".", _GROUPED[decimal])
    if grouped:
        notes.append(f"Numbers such as '{grouped}' have thousands separators; they were read "
                     f"without them ('{grouped}' = {_number_value(grouped, decimal)}).")
    if decimal == "." and delimiter == ";" and examples["1.000"] and not point:
        example = examples["1.000"]
        notes.append(f"Read '{example}' as {_number_value(example, decimal)} (decimal point). If "
                     "the dots separate thousands, remove them and upload again.")
    return decimal, notes


def _first_match(cells: pd.Series, mark: str, pattern: str,
                 unless: str | None = None) -> str | None:
    """The first cell containing ``mark`` that matches ``pattern`` (and not ``unless``)."""
    cells = cells[cells.str.contains(mark, regex=False)]
    matches = cells.str.fullmatch(pattern)
    if unless is not None:
        matches &= ~cells.str.fullmatch(unless)
    return cells[matches].iloc[0] if matches.any() else None


def _number_value(text: str, decimal: str) -> str:
    """How a number text is read, for notes ('1,500' → '1.5')."""
    normalised = _normalised_numbers(pd.Series([text], dtype="str"), decimal).iloc[0]
    return format(float(normalised), ".15g")


def _text_cells(column: pd.Series) -> pd.Series:
    """The cells that are text (numbers, bools and dates already have a type)."""
    if _is_text(column):
        return column.dropna()
    if pd.api.types.is_object_dtype(column.dtype):
        return column[[isinstance(value, str) for value in column]].astype("str")
    return pd.Series([], dtype="str")


def _apply_header(raw: pd.DataFrame, decimal: str) -> tuple[pd.DataFrame, list[str]]:
    """Row 0 becomes the column names, unless its cells over numeric columns are all numbers
    (missing, infinite and out-of-range numbers included: "1,inf" is a row, not a header)."""
    first = raw.iloc[0]
    rest = raw.iloc[1:]
    numeric_in_rest = [position for position, numeric in zip(raw.columns,
                                                             _has_numbers(rest, decimal))
                       if numeric]
    checked = numeric_in_rest or list(raw.columns)
    first_codes = _codes(pd.Series([first[p] for p in checked], dtype=object), decimal)[1]
    present = first_codes != _MISSING
    if present.any() and np.isin(first_codes[present], (_OK, _OUT_OF_RANGE)).all():
        frame = raw.set_axis([f"col{i + 1}" for i in range(raw.shape[1])], axis=1)
        return frame, [
            "The first row holds numbers, so the file has no header row: it was used as data and "
            "the columns are named col1, col2, …. If it is a header, give the columns names that "
            "are not numbers."]
    frame = rest.set_axis([_cell_text(name) for name in first], axis=1)
    return frame, []


# ---------------------------------------------------------------------------------------------
# Excel, Parquet, JSON


def _check_workbook_zip(data: bytes) -> None:
    """Refuse damaged zips and zip bombs from the central directory, before decompressing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise UploadError("The file starts like an Excel workbook (a ZIP archive) but is damaged. "
                          "Open it in Excel and save it again, or save it as CSV.") from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        kind = ("an OpenDocument spreadsheet (.ods)" if "content.xml" in names
                else "a ZIP archive")
        raise UploadError(f"This is {kind}, not an Excel .xlsx workbook. Save it as .xlsx or "
                          "CSV and upload that.")
    unzipped = sum(member.file_size for member in members)
    packed = max((member for member in members if member.file_size > 2**20),
                 key=lambda member: member.file_size / max(member.compress_size, 1), default=None)
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_ZIP_RATIO * len(data) or (
            packed and packed.file_size > MAX_ZIP_RATIO * max(packed.compress_size, 1)):
        raise UploadError(
            f"This workbook unpacks to {unzipped / 2**20:,.0f} MB from {len(data) / 2**20:.2f} MB "
            f"(limits: {MAX_UNZIPPED_BYTES / 2**20:g} MB, {MAX_ZIP_RATIO}× compression), which "
            "is far more than a table of numbers needs. Save only the data you need, as CSV.")


def _read_excel(data: bytes, sheet: str | None) -> Table:
    _check_workbook_zip(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        target, notes = _choose_sheet(_worksheets(archive), sheet)
        values = _xlsx.read_sheet(archive, target, max_rows=MAX_ROWS + 2,
                                  max_columns=MAX_COLUMNS, max_cell_bytes=10 * MAX_LINE_BYTES)
    if not values.columns:
        raise UploadError(f"The sheet '{target.name}' is empty. Choose the sheet with your data.")
    rows = len(values.columns[0])
    declared = re.search(r":[A-Z]*(\d+)$", values.dimension or "")
    declared_rows = int(declared.group(1)) if declared else 0
    if values.last_row > rows or declared_rows > values.last_row:
        extent = (f" (the sheet declares the range {values.dimension})"
                  if declared_rows > values.last_row else "")
        notes.append(f"Blank rows were skipped: {rows:,} rows of the sheet hold values, the last "
                     f"in row {values.last_row:,}{extent}.")
    hidden = ([f"{values.hidden_rows:,} row(s)"] if values.hidden_rows else []) + (
        ["column(s) " + ", ".join(values.hidden_columns)] if values.hidden_columns else [])
    if hidden:
        notes.append(f"Excel hides {' and '.join(hidden)} of this sheet (filtered out or "
                     "hidden); they were read like the others.")
    if values.has_formulas:
        notes.append("The workbook has formulas. They are not recalculated: the results Excel "
                     "last saved are used, and formulas without a saved result count as missing.")
    raw = pd.DataFrame({position: pd.Series(column, dtype=object)
                        for position, column in enumerate(values.columns)})
    decimal, decimal_notes = _detect_decimal(raw, None)
    frame, header_notes = _apply_header(raw, decimal)
    source = f"Excel workbook (sheet '{target.name}')"
    return _build_table(frame, notes + decimal_notes + header_notes, source, decimal)


def _worksheets(archive: zipfile.ZipFile) -> list[_xlsx.Sheet]:
    found = _xlsx.sheets(archive)
    if not found:
        raise UploadError("The workbook has no worksheets.")
    return found


def _choose_sheet(sheets: list[_xlsx.Sheet], name: str | None) -> tuple[_xlsx.Sheet, list[str]]:
    """The sheet asked for, or by default the first visible one; notes on hidden sheets."""
    if name is not None:
        chosen = next((sheet for sheet in sheets if sheet.name == name), None)
        if chosen is None:
            raise UploadError(f"There is no sheet named '{name}'; the sheets are "
                              + ", ".join(f"'{sheet.name}'" for sheet in sheets) + ".")
        return chosen, ([f"The sheet '{chosen.name}' is hidden in the workbook."]
                        if chosen.hidden else [])
    visible = [sheet for sheet in sheets if not sheet.hidden]
    chosen = (visible or sheets)[0]
    count = f"The workbook has {len(sheets)} sheets" if len(sheets) > 1 else "The workbook"
    if chosen is not sheets[0]:
        hidden = ", ".join(f"'{sheet.name}'" for sheet in sheets[:sheets.index(chosen)])
        return chosen, [f"{count}; the first visible one, '{chosen.name}', was read (before it: "
                        f"{hidden}, hidden)."]
    if chosen.hidden:
        return chosen, [f"{count}; every sheet is hidden, and the first, '{chosen.name}', was "
                        "read."]
    return chosen, ([f"{count}; the first, '{chosen.name}', was read."] if len(sheets) > 1
                    else [])


def _read_parquet(data: bytes) -> Table:
    """Read the file after checking from its metadata (and, for text, from the dictionary-encoded
    values, batch by batch) that it has at most MAX_ROWS rows and MAX_COLUMNS columns and decodes
    to at most MAX_UNZIPPED_BYTES: a 0.25 MB file can hold 30 million rows. Stored pandas index
    columns become ordinary columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    footer = int.from_bytes(data[-8:-4], "little") if data.endswith(b"PAR1") else 0
    if footer > _MAX_PARQUET_FOOTER_BYTES:
        raise UploadError(f"The file's Parquet metadata alone is {footer:,} bytes: it is cut into "
                          "far too many pieces (row groups or columns). Save it again in one "
                          "piece (for example with pandas' to_parquet) and upload that.")
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        metadata, schema = parquet.metadata, parquet.schema_arrow
    except Exception:
        raise UploadError(f"The file starts like Parquet but is damaged. "
                          f"{_SAVE_AS_CSV}") from None
    if metadata.num_row_groups > _MAX_ROW_GROUPS:
        raise UploadError(f"The file is cut into {metadata.num_row_groups:,} row groups (at most "
                          f"{_MAX_ROW_GROUPS:,}). Save it again in one piece (for example with "
                          "pandas' to_parquet) and upload that.")
    if metadata.num_columns > MAX_COLUMNS or len(schema) > MAX_COLUMNS:
        raise UploadError(f"The file has {metadata.num_columns:,} columns; at most {MAX_COLUMNS} "
                          "are supported. Keep only the columns you need.")
    if any(pa.types.is_nested(field.type) for field in schema):
        raise UploadError("The Parquet file has nested columns (lists or structs); only flat "
                          "columns of numbers and text can be read. Flatten it and upload again.")
    rows = metadata.num_rows
    if rows > MAX_ROWS:
        raise UploadError(f"The file has {rows:,} rows; at most {MAX_ROWS:,} can be used. Save "
                          "a sample of the rows (for example the first million) and upload that.")
    text = [field.name for field in schema if _is_arrow_text(field.type)]
    decoded = rows * sum(max(field.type.bit_width // 8, 1) for field in schema
                         if field.name not in text and _has_bit_width(field.type))
    _check_decoded_size(decoded, rows)
    parquet = pq.ParquetFile(io.BytesIO(data), read_dictionary=text)
    batches = []
    for batch in parquet.iter_batches(batch_size=16_384) if rows else ():
        decoded += _text_bytes(batch, text)  # dictionary-encoded: sized before decoding
        _check_decoded_size(decoded, rows)
        batches.append(batch)
    table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
    for name in text:
        position = table.schema.get_field_index(name)
        if pa.types.is_dictionary(table.schema.field(position).type):
            column = table.column(position)
            table = table.set_column(position, name, column.cast(column.type.value_type))
    frame = table.to_pandas(ignore_metadata=True)
    notes = []
    index = _parquet_index_columns(schema)
    if index:  # first, as pandas shows it (and as to_csv writes it)
        frame = frame[index + [name for name in frame.columns if name not in index]]
        frame.columns = ["index" if position < len(index) and name.startswith("__index_level_")
                         else name for position, name in enumerate(frame.columns)]
        notes.append("The file stores its row index as " + ", ".join(
            f"'{name}'" for name in frame.columns[:len(index)]) + "; it is offered as a column.")
    return _build_table(frame, notes, "Parquet", None)


def _text_bytes(batch, names: list[str]) -> int:
    """Decoded size of the text columns of a batch; a cell longer than MAX_LINE_BYTES is
    refused."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for name in names:
        column = batch.column(name)
        dictionary = pa.types.is_dictionary(column.type)
        lengths = pc.binary_length(column.dictionary if dictionary else column)
        if len(lengths) and (pc.max(lengths).as_py() or 0) > MAX_LINE_BYTES:
            raise UploadError(f"A text cell of the column '{name}' is longer than "
                              f"{MAX_LINE_BYTES:,} characters, which no table needs. "
                              f"{_SAVE_AS_CSV}")
        total += int(pc.sum(lengths.take(column.indices) if dictionary else lengths).as_py()
                     or 0)
    return total


def _is_arrow_text(kind) -> bool:
    import pyarrow as pa

    value = kind.value_type if pa.types.is_dictionary(kind) else kind
    return (pa.types.is_string(value) or pa.types.is_large_string(value)
            or pa.types.is_binary(value) or pa.types.is_large_binary(value)
            or pa.types.is_string_view(value) or pa.types.is_binary_view(value))


def _has_bit_width(kind) -> bool:
    try:
        return kind.bit_width > 0
    except ValueError:
        return False


def _check_decoded_size(decoded: int, rows: int) -> None:
    if decoded > MAX_UNZIPPED_BYTES:
        raise UploadError(
            f"This Parquet file ({rows:,} rows) unpacks to more than "
            f"{MAX_UNZIPPED_BYTES / 2**20:g} MB, far more than a table of numbers needs. Save "
            "fewer rows, or only the columns you need.")


def _parquet_index_columns(schema) -> list[str]:
    """Names of the stored columns that pandas wrote as its index."""
    try:
        pandas_metadata = json.loads((schema.metadata or {}).get(b"pandas", b"{}"))
        index = pandas_metadata.get("index_columns", [])
    except (ValueError, AttributeError):
        return []
    return [name for name in index if isinstance(name, str) and name in schema.names]


def _read_json(text: str, encoding: str, notes: list[str]) -> Table:
    layout = ("JSON must be a list of flat records like [{\"x\": 1, \"y\": 2}, …] or columns "
              "like {\"x\": [1, 2], \"y\": [3, 4]}.")
    if re.match(r"[\ufeff \t\r\n]*\[[ \t\r\n]*(?![{\[ \t\r\n])", text):
        raise UploadError(f"This JSON is not a table. {layout}")  # a list of anything but records
    containers = text.count("{") + text.count("[")
    if containers > MAX_JSON_CONTAINERS:
        raise UploadError(f"The JSON holds {containers:,} objects and lists; at most "
                          f"{MAX_ROWS:,} records can be read. Save fewer records and upload "
                          "again.")
    try:
        content = json.loads(text)
    except RecursionError:
        raise UploadError(f"The JSON is nested too deeply. {layout}") from None
    except json.JSONDecodeError as error:
        raise UploadError(f"The file is not valid JSON ({error.msg} at line {error.lineno}, "
                          f"column {error.colno}). {layout}") from None
    if isinstance(content, dict) and set(content) in ({"schema", "data"}, {"columns", "data"},
                                                      {"columns", "index", "data"}):
        kind = "table" if "schema" in content else "split"
        notes = notes + [f"Read as pandas' JSON layout orient='{kind}'; its row index, if any, "
                         "is offered as a column."]
        content = _json_pandas_layout(content, layout)
    if isinstance(content, list) and content and all(isinstance(row, dict) for row in content):
        rows = content[: MAX_ROWS + 1]
        _check_json_columns({key for row in rows for key in row}, layout)
        frame = pd.DataFrame.from_records(rows)
    elif isinstance(content, dict) and content and all(isinstance(column, list)
                                                       for column in content.values()):
        _check_json_columns(content, layout)
        if len({len(column) for column in content.values()}) > 1:
            raise UploadError(f"The JSON columns have different lengths. {layout}")
        frame = pd.DataFrame({name: pd.Series(column[: MAX_ROWS + 1], dtype=object)
                              for name, column in content.items()})
    elif isinstance(content, dict) and content and all(isinstance(column, dict)
                                                       for column in content.values()):
        frame, keyed_notes = _json_keyed(content, layout)
        notes = notes + keyed_notes
    else:
        raise UploadError(f"This JSON is not a table. {layout}")
    _check_flat(frame)
    return _build_table(frame, notes, f"JSON ({encoding})", None)


def _json_keyed(content: dict, layout: str) -> tuple[pd.DataFrame, list[str]]:
    """Objects of objects, as pandas writes them: {column: {row label: value}} (its default)
    or {row label: {column: value}} (orient="index"). Labels "0", "1", "2", … tell which; other
    row labels become a first column, 'index' (they may be the x), and a note says so."""
    outer = list(content)
    inner = list(dict.fromkeys(key for column in content.values() for key in column))
    if (_counts_from_zero(outer) and not _counts_from_zero(inner)) or (
            _all_numbers(outer) and not _all_numbers(inner)):
        _check_json_columns(inner, layout)
        frame = pd.DataFrame.from_records(list(content.values())[: MAX_ROWS + 1])
        note = (f"The JSON holds one object per row, keyed '{outer[0]}', …, as pandas writes "
                "orient='index': each object was read as a row")
        if _counts_from_zero(outer):
            return frame, [note + "."]
        frame.insert(0, "index", outer[: MAX_ROWS + 1])
        return frame, [note + ", and the keys are offered as the column 'index'."]
    _check_json_columns(outer, layout)
    if len({len(column) for column in content.values()}) > 1:
        raise UploadError(f"The JSON columns have different lengths. {layout}")
    frame = pd.DataFrame({name: pd.Series(column, dtype=object)
                          for name, column in content.items()}).iloc[: MAX_ROWS + 1]
    if _counts_from_zero(inner):
        return frame.reset_index(drop=True), []
    frame.insert(0, "index", frame.index)
    return frame.reset_index(drop=True), [
        f"The JSON's columns are keyed by row labels (e.g. '{inner[0]}'), as pandas writes "
        "its index; the labels are offered as the column 'index'."]


def _counts_from_zero(keys: list[str]) -> bool:
    return all(key == str(position) for position, key in enumerate(keys))


def _all_numbers(keys: list[str]) -> bool:
    return bool((_codes(pd.Series(keys, dtype="str"), ".")[1] == _OK).all())


def _json_pandas_layout(content: dict, layout: str) -> list[dict]:
    """pandas' orient='table' ({"schema", "data": records}) and orient='split' ({"columns",
    "index", "data": rows}) as records; the split index becomes the field 'index'."""
    if "schema" in content:
        return content["data"] if isinstance(content["data"], list) else []
    columns, data = content["columns"], content["data"]
    index = content.get("index")
    if not (isinstance(columns, list) and isinstance(data, list)
            and all(isinstance(row, list) and len(row) == len(columns) for row in data)
            and (index is None or (isinstance(index, list) and len(index) == len(data)))):
        raise UploadError(f"The JSON looks like pandas' orient='split' but its parts do not "
                          f"fit together. {layout}")
    names = [str(name) for name in columns]
    if index is not None and index != list(range(len(index))):
        names, data = ["index", *names], [[label, *row] for label, row in zip(index, data)]
    return [dict(zip(names, row)) for row in data]


def _check_json_columns(names, layout: str) -> None:
    if len(names) > MAX_COLUMNS:
        raise UploadError(f"The JSON has {len(names):,} fields; at most {MAX_COLUMNS} columns are "
                          "supported. Keep only the fields you need.")


def _check_flat(frame: pd.DataFrame) -> None:
    """Refuse cells holding lists or objects (only object columns can hold them)."""
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if pd.api.types.is_object_dtype(column.dtype) and any(
                isinstance(value, (list, dict)) for value in column):
            raise UploadError("The JSON has nested lists or objects inside records; only flat "
                              "records (numbers and text) can be read. Flatten it and upload "
                              "again.")


# ---------------------------------------------------------------------------------------------
# Building the table


def _build_table(frame: pd.DataFrame, notes: list[str], source: str,
                 decimal: str | None) -> Table:
    """Clean names, cap rows, find the numeric and date columns and the default x and y."""
    if frame.shape[1] == 0:
        raise UploadError("The file has no columns. Choose a file with a header row and data "
                          "rows.")
    if frame.shape[1] > MAX_COLUMNS:
        raise UploadError(f"The file has {frame.shape[1]:,} columns; at most {MAX_COLUMNS} are "
                          "supported. Keep only the columns you need.")
    names, name_notes = _unique_names(list(frame.columns))
    frame = pd.DataFrame({name: _tidy_column(frame.iloc[:, position].reset_index(drop=True))
                          for position, name in enumerate(names)})
    notes = notes + name_notes
    if len(frame) == 0:
        raise UploadError("The file has a header but no data rows. Add the data under the header "
                          "and upload again.")
    if len(frame) > MAX_ROWS:
        frame = frame.iloc[:MAX_ROWS]
        if not any("rows are used" in note for note in notes):
            notes.append(f"The file has more than {MAX_ROWS:,} rows; only the first "
                         f"{MAX_ROWS:,} rows are used.")
    if decimal is None:
        decimal, decimal_notes = _detect_decimal(frame, None)
        notes += decimal_notes
    numeric, dates = [], []
    for name, has_numbers in zip(frame.columns, _has_numbers(frame, decimal)):
        if has_numbers:
            numeric.append(name)
        elif _looks_like_dates(frame[name]):
            dates.append(name)
    if not numeric:
        raise UploadError("No column holds numbers, so there is nothing to use as y. If the "
                          "numbers are separated by spaces, save the file as CSV with commas; "
                          "otherwise check that the file holds numeric data.")
    numeric, default_x, default_y, default_notes = _default_columns(frame, numeric, dates,
                                                                    decimal)
    return Table(frame=frame, numeric_columns=tuple(numeric), date_columns=tuple(dates),
                 notes=tuple(notes + default_notes), source=source, decimal=decimal,
                 default_x=default_x, default_y=default_y)


def _default_columns(frame: pd.DataFrame, numeric: list[str], dates: list[str],
                     decimal: str) -> tuple[list[str], str, str, list[str]]:
    """The numeric columns to offer, the x and y to pre-select, and what to say about them.

    A first column of row numbers (named like one, or counting 1, 2, 3, … or 0, 1, 2, … unless it
    is called x) is not pre-selected while other columns can be; an unnamed one is not even
    offered. y is always a
    numeric column other than x; a file that cannot give two different columns is refused."""
    first = frame.columns[0]
    counts = (_counts_rows(frame[first], decimal)
              if first in numeric and first.lower() != "x" else None)
    index = first if first in numeric and (counts or first.lower() in INDEX_NAMES) else None
    others = [name for name in numeric if name != index]
    if not others:
        others, index = numeric, None
    if len(others) < 2 and not dates and index is None:
        raise UploadError(_one_column_message(frame, others[0], decimal))
    notes = []
    if index and counts and first.startswith("Unnamed: ") and (len(others) >= 2 or dates):
        notes.append(f"The first column ('{index}') has no name and counts {counts}: it looks "
                     "like a saved row index and is not offered as x or y.")
        numeric = others
    if len(others) >= 2:
        x, y = others[0], others[1]
    else:
        x, y = (dates[0] if dates else index), others[0]
    if index and index in numeric and x != index:
        pattern = f"counts {counts}" if counts else "is named like row numbers"
        notes.append(f"The first column, '{index}', {pattern}, so it is taken for row numbers: "
                     f"x is '{x}' and y is '{y}' to start with. Choose '{index}' as x if it is "
                     "data.")
    return numeric, x, y, notes


def _counts_rows(column: pd.Series, decimal: str) -> str | None:
    """"1, 2, 3, …" or "0, 1, 2, …" when the column numbers its (at least 3) rows in order."""
    if len(column) < 3:
        return None
    head = _codes(column.iloc[:3], decimal)[0]
    for start in (0, 1):
        if np.array_equal(head, np.arange(start, start + len(head))):
            values = (pd.to_numeric(column.str.strip(), errors="coerce") if _is_text(column)
                      else column).to_numpy(dtype=np.float64, na_value=np.nan)
            if np.array_equal(values, np.arange(start, start + len(values))):
                return ", ".join(str(start + i) for i in range(3)) + ", …"
    return None


def _one_column_message(frame: pd.DataFrame, column: str, decimal: str) -> str:
    """Why a file with a single usable column cannot be used, naming what the others hold."""
    described = []
    for name in [c for c in frame.columns if c != column][:5]:
        codes = _codes(frame[name], decimal)[1]
        if (codes == _MISSING).all():
            described.append(f"'{name}' is empty")
        else:
            example = _cell_text(frame[name].iloc[int(np.argmax(codes != _MISSING))]).strip()
            described.append(f"'{name}' holds no usable numbers (e.g. '{example[:40]}')")
    others = ("The other columns: " + "; ".join(described)
              + ("; …" if frame.shape[1] > 6 else "") + ".") if described else \
        "The file has no other column."
    return (f"Only one column, '{column}', holds numbers ({len(frame):,} rows), but attention "
            "pooling needs two: x (the keys) and y (the values). " + others + " Add a second "
            "numeric column (or fix the one above) and upload again.")


def _unique_names(raw_names: list) -> tuple[list[str], list[str]]:
    """Str names (blank ones 'Unnamed: i' as pandas does), duplicates renamed 'x (2)', noted."""
    names, renamed, seen = [], [], set()
    for position, raw in enumerate(raw_names):
        name = re.sub(r"\s+", " ", _cell_text(raw)).strip()[:100] or f"Unnamed: {position}"
        unique, copy = name, 2
        while unique in seen:
            unique, copy = f"{name} ({copy})", copy + 1
        if unique != name:
            renamed.append(f"'{name}' → '{unique}'")
        seen.add(unique)
        names.append(unique)
    notes = [f"Duplicate column names were renamed: {', '.join(renamed[:5])}"
             + (", …" if len(renamed) > 5 else "") + "."] if renamed else []
    return names, notes


def _tidy_column(column: pd.Series) -> pd.Series:
    """Numbers become float64, bools stay bools, text becomes str; a column that mixes numbers
    and text (Excel, JSON) keeps each cell's kind (object: float or str, None if missing), so
    a decimal mark detected from text cells is never applied to numeric cells."""
    if pd.api.types.is_bool_dtype(column) or _is_text(column):
        return column
    if _is_number(column):
        return column.astype("float64")
    cells = column.to_numpy(dtype=object)
    numbers = _real_numbers(cells)
    missing = pd.isna(cells) | (cells == "")
    if (numbers | missing).all():
        return pd.Series(_floats(cells, numbers), index=column.index)
    if not numbers.any():
        return pd.Series([_cell_text(value) for value in cells], index=column.index, dtype="str")
    tidy = np.empty(len(cells), dtype=object)
    tidy[numbers] = list(_floats(cells, numbers)[numbers])
    tidy[~numbers] = [None if _cell_text(value) == "" else _cell_text(value)
                      for value in cells[~numbers]]
    return pd.Series(tidy, index=column.index, dtype=object)


_TYPE_OF = np.frompyfunc(type, 1, 1)


def _real_numbers(cells: np.ndarray) -> np.ndarray:
    """Which cells are numbers (int or float, not bool) rather than text or other objects."""
    kinds = _TYPE_OF(cells) if len(cells) else np.array([], dtype=object)
    numbers = (kinds == float) | (kinds == int)
    other = ~numbers & (kinds != str) & (kinds != type(None))
    if other.any():
        numbers[other] = [isinstance(value, (np.integer, np.floating)) for value in cells[other]]
    return numbers


def _floats(cells: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """float64 of the number cells (NaN elsewhere); integers beyond float64 become ±inf."""
    values = np.full(len(cells), np.nan)
    try:
        values[numbers] = cells[numbers].astype(np.float64)
    except OverflowError:
        values[numbers] = [_float(value) for value in cells[numbers]]
    return values


def _float(number) -> float:
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def _cell_text(value) -> str:
    """A cell as text: missing → '', everything else str()."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT \
            or value is pd.NA:
        return ""
    return str(value)


def _has_numbers(frame: pd.DataFrame, decimal: str) -> list[bool]:
    """Per column: whether it holds a usable number (the first rows of all text columns are
    checked in one go; a column without one there is checked in full)."""
    head = frame.iloc[:_SAMPLE_VALUES]
    if head.empty:
        return [False] * frame.shape[1]
    text = [i for i in range(frame.shape[1]) if _is_text(head.iloc[:, i])]
    found = np.zeros(frame.shape[1], dtype=bool)
    if text:
        stacked = pd.concat([head.iloc[:, i].fillna("") for i in text], ignore_index=True)
        found[text] = (_codes(stacked, decimal)[1] == _OK).reshape(len(text), len(head)).any(
            axis=1)
    return [bool(found[i]) or _any_number(frame.iloc[:, i], decimal)
            for i in range(frame.shape[1])]


def _any_number(column: pd.Series, decimal: str) -> bool:
    """Whether any cell is a usable number (of text, only cells with a digit are parsed)."""
    if _is_text(column):
        column = column[column.str.contains("[0-9]", na=False)]
    return bool((_codes(column, decimal)[1] == _OK).any())


def _looks_like_dates(column: pd.Series) -> bool:
    if not _is_text(column):
        return False
    text = column.iloc[:_SAMPLE_VALUES].str.strip()
    text = text[~text.str.lower().isin(NA_TOKENS)]
    return len(text) > 0 and text.str.fullmatch(_DATE_TEXT).mean() >= 0.5


# ---------------------------------------------------------------------------------------------
# Numbers and row accounting


def _is_text(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.StringDtype)


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_object_dtype(
        column.dtype)


def _as_text(column: pd.Series) -> pd.Series:
    """Cells as a str Series, missing cells as ''."""
    if _is_text(column):
        return column.fillna("")
    return pd.Series([_cell_text(value) for value in column], index=column.index, dtype="str")


def _codes(column: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """float64 values and a reason code per cell (_OK, _MISSING, _NON_NUMERIC, _OUT_OF_RANGE)."""
    if pd.api.types.is_bool_dtype(column):
        missing = column.isna().to_numpy()
        values = np.full(len(column), np.nan)
        return values, np.where(missing, _MISSING, _NON_NUMERIC).astype(np.int8)
    if _is_number(column):
        return _number_codes(column.to_numpy(dtype=np.float64, na_value=np.nan))
    if not _is_text(column):  # typed cells: numbers as they are, only the text is parsed
        cells = column.to_numpy(dtype=object)
        numbers = _real_numbers(cells)
        values, codes = _number_codes(_floats(cells, numbers))
        if not numbers.all():
            text = pd.Series([_cell_text(value) for value in cells[~numbers]], dtype="str")
            values[~numbers], codes[~numbers] = _codes(text, decimal)
        return values, codes
    text = column.fillna("").str.strip()
    missing = text.str.lower().isin(NA_TOKENS).to_numpy()
    numbers = _normalised_numbers(text, decimal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = pd.to_numeric(numbers, errors="coerce").to_numpy(dtype=np.float64,
                                                                  na_value=np.nan)
    codes = np.where(missing, _MISSING, np.where(np.isnan(values), _NON_NUMERIC, _OK))
    codes = codes.astype(np.int8)
    underflow = (values == 0) & ~numbers.str.fullmatch(_ZERO_TEXT).to_numpy(dtype=bool)
    codes[(_out_of_range(values) | underflow) & (codes == _OK)] = _OUT_OF_RANGE
    return values, codes


def _number_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes = np.where(np.isnan(values), _MISSING, _OK).astype(np.int8)
    codes[_out_of_range(values) & (codes == _OK)] = _OUT_OF_RANGE
    return values, codes


def _normalised_numbers(text: pd.Series, decimal: str) -> pd.Series:
    """Cell texts with thousands separators removed and a decimal comma made a point."""
    grouped = text.str.fullmatch(_GROUPED[decimal])
    if decimal == ",":
        grouped |= text.str.fullmatch(_COMMA_DECIMAL)
        plain = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        plain = text.str.replace(",", "", regex=False)
    return text.where(~grouped, plain)


def _out_of_range(values: np.ndarray) -> np.ndarray:
    """Infinite, beyond ±MAX_ABS_COORDINATE, or subnormal (too close to 0 for float64)."""
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        return (~np.isfinite(values) & ~np.isnan(values)) | (magnitude > MAX_ABS_COORDINATE) | (
            (magnitude > 0) & (magnitude < np.finfo(np.float64).tiny))


def _date_codes(column: pd.Series, order: str) -> tuple[np.ndarray, np.ndarray, pd.Timestamp]:
    """Days since the first date, reason codes, and the first date."""
    text = _as_text(column).str.strip()
    missing = text.str.lower().isin(NA_TOKENS).to_numpy()
    if order == "iso":
        dates = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    else:
        parts = "%d/%m" if order == "day-first" else "%m/%d"
        slashed = text.str.replace(r"[.-]", "/", regex=True)
        dates = pd.to_datetime(slashed, format=f"{parts}/%Y", errors="coerce")
        short_year = pd.to_datetime(slashed, format=f"{parts}/%y", errors="coerce")
        dates = dates.where(dates.notna() | ~slashed.str.fullmatch(r"\d+/\d+/\d{2}"), short_year)
    valid = dates.notna().to_numpy()
    codes = np.where(missing, _MISSING, np.where(valid, _OK, _NON_NUMERIC)).astype(np.int8)
    if not valid.any():
        return np.full(len(column), np.nan), codes, pd.NaT
    first = dates[valid].min()
    days = ((dates - first) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64, na_value=np.nan)
    return days, codes, first


def _extract_xy(table: Table, x_column: str, y_column: str | None, x_dates: str | None,
                x2_column: str | None, label_column: str | None) -> XYData:
    if not isinstance(table, Table):
        raise UploadError("No table was read; upload the file again.")
    if y_column is None and label_column is None:
        raise UploadError("Choose a y column (or a label column, whose class codes can be y).")
    for role, name in (("x", x_column), ("second x", x2_column), ("y", y_column),
                       ("label", label_column)):
        if name is not None and name not in table.frame.columns:
            raise UploadError(f"There is no column '{name}' to use as {role}; choose one of "
                              + ", ".join(f"'{c}'" for c in table.numeric_columns) + ".")
    if x2_column is not None and x2_column == x_column:
        raise UploadError(f"'{x_column}' is already x; choose a different column as the second "
                          "x, or none.")
    if x_dates is not None and x_dates not in DATE_ORDERS:
        raise UploadError(f"Unknown date order '{x_dates}'; choose one of "
                          + ", ".join(DATE_ORDERS) + ".")
    notes = []
    x_raw = table.frame[x_column]
    x_label = x_column
    if x_dates is None:
        x, x_codes = _codes(x_raw, table.decimal)
    else:
        x, x_codes, first = _date_codes(x_raw, x_dates)
        if first is not pd.NaT:
            x_label = f"{x_column} (days since {first:%Y-%m-%d})"
            notes.append(f"x dates were read as {x_dates} and converted to days since the first "
                         f"date, {first:%Y-%m-%d}.")
    columns = [(x_raw, x, x_codes)]
    if x2_column is not None:
        x2_raw = table.frame[x2_column]
        columns.append((x2_raw, *_codes(x2_raw, table.decimal)))
    labels = None
    if label_column is not None:
        labels, classes, label_codes = _labels(table.frame[label_column], table.decimal)
    if y_column is None:
        y_raw, y_label = table.frame[label_column], f"class code of {label_column}"
        y = label_codes.astype(np.float64)
        y_codes = np.where(label_codes < 0, _MISSING, _OK).astype(np.int8)
        y[label_codes < 0] = np.nan
    else:
        y_raw, y_label = table.frame[y_column], y_column
        y, y_codes = _codes(y_raw, table.decimal)
    columns.append((y_raw, y, y_codes))
    rows_read = len(table.frame)
    severity = np.stack([_SEVERITY[codes] for _, _, codes in columns])
    culprit = np.argmax(severity, axis=0)  # the first column with the worst cell
    row_codes = np.stack([codes for _, _, codes in columns])[culprit, np.arange(rows_read)]
    used = row_codes == _OK
    raws = [raw for raw, _, _ in columns]
    dropped, examples = {}, {}
    for code, reason in _REASONS.items():
        rows = np.flatnonzero(row_codes == code)
        if rows.size:
            dropped[reason] = int(rows.size)
            examples[reason] = _examples(rows, culprit, raws)
    if not used.any():
        if x_dates is None and x_column in table.date_columns:
            raise UploadError(f"The x column '{x_column}' holds dates, not numbers. Choose how to "
                              "read the dates (ISO, day first or month first).")
        detail = "; ".join(
            f"{count:,} {reason} (e.g. {', '.join(repr(value) for value in examples[reason])})"
            for reason, count in dropped.items())
        names = [f"'{name}'" for name in (x_column, x2_column, y_column or label_column)
                 if name is not None]
        which = f"both {names[0]} and {names[1]}" if len(names) == 2 else \
            f"all of {', '.join(names[:-1])} and {names[-1]}"
        raise UploadError(f"No row has usable numbers in {which} ({detail}). Choose other "
                          "columns or fix the file.")
    order = np.argsort(x[used], kind="stable")
    frame = pd.DataFrame({"x": x[used][order], "y": y[used][order]})
    if x2_column is not None:
        frame.insert(1, SECOND_KEY_COLUMN, columns[1][1][used][order])
    unlabelled, used_classes = 0, ()
    if labels is not None:
        kept = labels[used].iloc[order].reset_index(drop=True)
        frame[LABEL_COLUMN] = kept
        unlabelled = int(kept.isna().sum())
        used_classes = tuple(classes[np.unique(label_codes[used & (label_codes >= 0)])])
        notes += _label_notes(label_column, used_classes)
    keys = frame[["x", SECOND_KEY_COLUMN]] if x2_column is not None else frame["x"]
    notes += _data_notes(keys.to_numpy(), x_column == y_column)
    if x_dates is None:
        notes += _precision_notes(x_raw[used], x_column)
    if x2_column is not None:
        notes += _precision_notes(x2_raw[used], x2_column)
    if y_column is not None:
        notes += _precision_notes(y_raw[used], y_column)
    if x_dates is not None:
        notes += _other_order_note(x_raw[row_codes == _NON_NUMERIC], x_dates)
    return XYData(frame=frame, x_label=x_label, y_label=y_label, rows_read=rows_read,
                  rows_used=int(used.sum()), dropped=dropped, examples=examples,
                  notes=tuple(notes), x2_label=x2_column, label_column=label_column,
                  classes=used_classes, unlabelled=unlabelled)


def _labels(column: pd.Series, decimal: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(labels, sorted distinct labels, each row's index among them or -1 when missing).

    A column of whole numbers keeps them (Int64: class codes sort as numbers); any other
    column is read as stripped text. Missing cells (NA tokens, blanks) have no label."""
    values, codes = _codes(column, decimal)
    present = codes != _MISSING
    numbers = values[present]
    if np.all(codes[present] == _OK) and np.all(numbers == np.round(numbers)) \
            and np.all(np.abs(numbers) < 2**53):
        labels = pd.Series(pd.array(np.where(present, values, 0).astype(np.int64),
                                    dtype="Int64")).mask(~present)
    else:
        labels = _as_text(column).str.strip().reset_index(drop=True).mask(~present)
    label_codes, classes = pd.factorize(labels, sort=True, use_na_sentinel=True)
    if classes.size > MAX_LABEL_CLASSES:
        shown = ", ".join(f"'{value}'" for value in classes[:5])
        raise UploadError(f"The label column '{column.name}' holds {classes.size:,} distinct "
                          f"values ({shown}, …); a label column holds classes, at most "
                          f"{MAX_LABEL_CLASSES}. Choose a column of class names or codes, or "
                          "none.")
    return labels, np.asarray(classes), np.asarray(label_codes)


def _label_notes(name: str, classes: tuple) -> list[str]:
    listed = ", ".join(str(value) for value in classes)
    if len(classes) >= 2:
        return [f"Labels from '{name}': {len(classes)} classes ({listed}). The Classify page "
                "uses them."]
    return [f"The label column '{name}' has {len(classes)} class{'' if classes else 'es'} in "
            f"the rows used{f' ({listed})' if classes else ''}; Classify needs at least two."]


def _examples(rows: np.ndarray, culprit: np.ndarray, raws: list[pd.Series]) -> list[str]:
    """Up to three distinct raw values (as text) that made these rows unusable."""
    found: list[str] = []
    for row in rows[:1000]:
        value = _cell_text(raws[culprit[row]].iloc[row])
        if value not in found:
            found.append(value)
            if len(found) == 3:
                break
    return found


def _data_notes(keys: np.ndarray, same_column: bool) -> list[str]:
    """What to say about the keys (x, or the (x, x2) rows): one row, no spread, duplicates."""
    notes = []
    if same_column:
        notes.append("x and y are the same column, so the data lie on the line y = x.")
    described = "x" if keys.ndim == 1 else "(x, x2)"
    if keys.shape[0] == 1:
        notes.append("Only one row: every prediction is its y value. Attention pooling needs at "
                     "least 2 points to show anything.")
    elif np.all(keys == keys[0]):
        shown = f"{keys[0]:g}" if keys.ndim == 1 else \
            "(" + ", ".join(f"{value:g}" for value in keys[0]) + ")"
        notes.append(f"{described} has no spread (every {described} is {shown}): every "
                     "prediction is mean(y).")
    else:
        duplicates = int(keys.shape[0] - np.unique(keys, axis=0).shape[0])
        if duplicates:
            notes.append(f"{duplicates:,} duplicate {described} value(s): fine for attention "
                         "pooling (tied keys share the weight).")
    return notes


def _precision_notes(raw: pd.Series, name: str) -> list[str]:
    """Integers longer than float64's ~15–16 digits are rounded; say so."""
    if not _is_text(raw):
        return []
    long = raw.str.strip().str.fullmatch(_LONG_INTEGER)
    if not long.any():
        return []
    return [f"Column '{name}' has integers with more than 15 digits (e.g. "
            f"'{raw[long].iloc[0]}'); they were rounded to about 16 significant digits."]


def _other_order_note(bad: pd.Series, order: str) -> list[str]:
    """If dates failed with the chosen order but parse with the other, suggest it."""
    if order == "iso" or bad.empty:
        return []
    other = "month-first" if order == "day-first" else "day-first"
    codes = _date_codes(bad, other)[1]
    if (codes == _OK).any():
        return [f"Some dates are not valid {order} dates (e.g. '{_cell_text(bad.iloc[0])}'); "
                f"are they {other}?"]
    return []
