"""A streaming reader for the cell values of one XLSX worksheet, at regular-expression speed.

openpyxl (and pandas through it) builds a Python object per XML element and pads the gaps up to
the sheet's declared dimension, so a 5 KB workbook with one cell at row 1,000,000 costs seconds and
reports a million rows. Here the sheet XML is decompressed in blocks and only cells that hold a
value are matched (by one regular expression, in C): blank rows, empty styled cells and padding
cost nothing, and rows that hold no value are not rows. Values keep their type: numbers are
floats, text is str, booleans are bool, and numbers with a date format are datetimes (openpyxl's
own date-format test and serial-date conversion are used).

Every limit is a parameter; :class:`WorkbookError` carries a message meant for the user.
"""

from __future__ import annotations

import bisect
import html
import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache


#: Decompressed bytes read at a time.
_BLOCK = 1 << 20
#: Largest workbook part (workbook.xml, its relationships, styles) parsed whole.
_MAX_PART_BYTES = 10 * 2**20
#: Most worksheets a workbook may list.
_MAX_SHEETS = 1_000


class WorkbookError(ValueError):
    """A workbook we refuse; str(error) is the message for the user."""


@dataclass(frozen=True)
class Sheet:
    """A worksheet of a workbook: its name and whether Excel hides it."""

    name: str
    hidden: bool
    part: str          # path of its XML inside the zip


@dataclass(frozen=True)
class SheetValues:
    """The non-blank rows of a sheet, as columns of Python values (None where a cell is empty)."""

    columns: list[list]         # one list per used column, left to right, all the same length
    last_row: int               # the sheet row number of the last non-blank row read
    dimension: str | None       # the sheet's declared extent, e.g. "A1:B1000000"
    has_formulas: bool
    hidden_rows: int            # rows read that Excel hides (filtered out, or hidden)
    hidden_columns: list[str]   # letters of the columns read that Excel hides


def sheets(archive: zipfile.ZipFile) -> list[Sheet]:
    """The worksheets, in workbook order (chart sheets and dialogs are not worksheets)."""
    book = _part(archive, "xl/workbook.xml")
    listed = []
    for match in _tag_pattern(b"sheet", (b"name", rb"[\w.-]+:id", b"state")).finditer(book):
        if len(listed) == _MAX_SHEETS:
            raise WorkbookError(f"The workbook lists more than {_MAX_SHEETS:,} sheets. Save the "
                                "sheet you need as CSV.")
        listed.append(match.groups())
    relations = _relations(archive, "xl/_rels/workbook.xml.rels",
                           {relation for _, relation, _ in listed if relation})
    found = []
    for name, relation, state in listed:
        part = relations.get(relation)
        if name and part in archive.NameToInfo:
            found.append(Sheet(_unescape(name), (state or b"visible") != b"visible", part))
    return found


def read_sheet(archive: zipfile.ZipFile, sheet: Sheet, *, max_rows: int, max_columns: int,
               max_cell_bytes: int) -> SheetValues:
    """The values of ``sheet``: at most ``max_rows`` non-blank rows and ``max_columns`` used
    columns; a cell's XML longer than ``max_cell_bytes`` is refused."""
    # openpyxl's date helpers load when a workbook is read (openpyxl costs 0.1 s to import).
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    book = _part(archive, "xl/workbook.xml")
    epoch = CALENDAR_MAC_1904 if re.search(
        rb'<(?:[\w.-]+:)?workbookPr\b[^<>]*?\sdate1904\s*=\s*["\'](?:1|true)["\']', book) \
        else CALENDAR_WINDOWS_1900
    date_styles = _date_styles(archive)
    reader = _CellReader(date_styles, epoch, max_rows, max_columns)
    with archive.open(sheet.part) as stream:
        head = stream.read(_BLOCK)
        prefix = _prefix(head)
        cell, end = _cell_pattern(prefix), b"</" + prefix + b"sheetData>"
        cell_end = b"</" + prefix + b"c>"
        dimension = re.search(rb'<' + re.escape(prefix) + rb'dimension\b[^<>]*?\sref\s*=\s*'
                              rb'["\']([A-Z0-9:]{1,40})["\']', head)
        hidden_columns = [(int(first), int(last)) for first, last, hidden in _tag_pattern(
            b"col", (b"min", b"max", b"hidden")).findall(head)
            if hidden in (b"1", b"true") and first.isdigit() and last.isdigit()]
        hidden_row = _tag_pattern(b"row", (b"hidden", b"r"))
        buffer, block = b"", head
        while block:
            searched = max(len(buffer) - len(end), 0)  # the carried part was searched already
            buffer += block
            block = stream.read(_BLOCK)
            stop = buffer.find(end, searched)
            if stop >= 0:
                buffer, block = buffer[:stop], b""
            # Whole cells are taken; a cell cut by the block's end waits for the next block. A
            # stretch without a closing cell tag (blank rows, empty styled cells) is not matched.
            last, cut = buffer.rfind(cell_end), 0
            if last >= 0:
                cut = len(buffer) if not block else last + len(cell_end)
                hidden = {row for flag, row in hidden_row.findall(buffer, 0, cut)
                          if flag in (b"1", b"true")} if buffer.find(b"hidden", 0, cut) >= 0 \
                    else ()
                if not reader.take(cell.findall(buffer, 0, cut), hidden):
                    break
            # Carried to the next block: the last row begun after the cut (with its hidden flag),
            # or else the cell that the next block may end.
            opened = buffer.rfind(b"<" + prefix + b"row", cut)
            if opened < 0:
                opened = buffer.rfind(b"<" + prefix + b"c", cut)
            buffer = buffer[opened if opened >= 0 else max(cut, len(buffer) - len(end)):]
            if len(buffer) > max_cell_bytes:
                raise WorkbookError(
                    f"A cell of the sheet '{sheet.name}' holds more than {max_cell_bytes:,} "
                    "bytes, which no table of numbers needs. Save the data you need as CSV.")
    shared = _shared_strings(archive, reader.shared_needed)
    used = sorted(reader.by_column, key=_column_number)
    return SheetValues(columns=reader.columns(shared), last_row=reader.last_row,
                       dimension=dimension.group(1).decode() if dimension else None,
                       has_formulas=reader.has_formulas, hidden_rows=reader.hidden_rows,
                       hidden_columns=[letters.decode() for letters in used if any(
                           first <= _column_number(letters) <= last
                           for first, last in hidden_columns)])


class _CellReader:
    """Collects matched cells into columns of non-blank rows."""

    def __init__(self, date_styles: frozenset[bytes], epoch: datetime, max_rows: int,
                 max_columns: int):
        self.date_styles, self.epoch = date_styles, epoch
        self.max_rows, self.max_columns = max_rows, max_columns
        self.by_column: dict[bytes, list] = {}   # column letters -> values, one per row
        self.rows = 0                 # non-blank rows so far
        self.last_row = 0             # sheet row number of the current non-blank row
        self.shared_needed: set[int] = set()
        self.has_formulas = False
        self.hidden_rows = 0

    def take(self, cells: list[tuple[bytes, ...]], hidden=()) -> bool:
        """Take matched cells (column letters, row, type, style, content) and count the rows
        that ``hidden`` (row numbers) names; False once the row cap is passed (stop reading)."""
        by_column, date_styles = self.by_column, self.date_styles
        current = str(self.last_row).encode()
        for letters, row, kind, style, content in cells:
            if kind in (b"", b"n") and content[:3] == b"<v>" and content[-4:] == b"</v>" \
                    and style not in date_styles:
                try:                                  # the common case: a plain number
                    value = float(content[3:-4])
                except ValueError:
                    value = self._value(kind, style, content)
            else:
                value = self._value(kind, style, content)
            if value is None:
                continue
            if not letters:
                raise WorkbookError("The workbook has cells without a reference (such as A1), "
                                    "which this reader cannot place. Open it in Excel and save "
                                    "it again, or save it as CSV.")
            if row != current:
                if self.rows == self.max_rows:
                    return False
                self.rows += 1
                self.last_row, current = int(row), row
                self.hidden_rows += row in hidden
            column = by_column.get(letters)
            if column is None:
                if len(by_column) == self.max_columns:
                    raise WorkbookError(f"The sheet uses more than {self.max_columns} columns; "
                                        f"at most {self.max_columns} are supported. Keep only "
                                        "the columns you need.")
                column = by_column[letters] = []
            if len(column) < self.rows - 1:
                column.extend([None] * (self.rows - 1 - len(column)))
            if len(column) == self.rows:
                column[-1] = value            # the same cell twice: the later one wins
            else:
                column.append(value)
        return True

    def _value(self, kind: bytes | None, style: bytes | None, content: bytes | None):
        """The cell's value (float, str, bool, datetime, or an int index into the shared
        strings), or None when it holds none."""
        if not content:
            return None
        if b"f" in content and _FORMULA.search(content):
            self.has_formulas = True
        kind = kind or b"n"
        style = style or None
        if kind == b"inlineStr":
            return _text(content) or None
        value = _VALUE.search(content)
        if value is None or not value.group(1):
            return None
        raw = value.group(1)
        if kind == b"n":
            try:
                number = float(raw)
            except ValueError:
                return _unescape(raw)
            if style in self.date_styles:
                from openpyxl.utils.datetime import from_excel

                try:
                    return from_excel(number, self.epoch)
                except (OverflowError, ValueError):
                    return number
            return number
        if kind == b"s":
            index = int(raw)
            self.shared_needed.add(index)
            return index
        if kind == b"b":
            return raw.strip() not in (b"0", b"false")
        return _unescape(raw) or None      # "str" (formula text), "e" (#DIV/0!), "d" (ISO date)

    def columns(self, shared: dict[int, str]) -> list[list]:
        result = []
        for _, column in sorted((_column_number(letters), column)
                                for letters, column in self.by_column.items()):
            column.extend([None] * (self.rows - len(column)))
            result.append([shared.get(value) if type(value) is int else value
                           for value in column] if self.shared_needed else column)
        return result


_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_TEXT = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>([^<]*)</(?:[\w.-]+:)?t>")
#: A shared string; like a cell, its content stops at the next <si> tag (no quadratic search).
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si(?=[\s/>])[^<>]*?(?:/>|>((?:[^<]++|<(?!/?"
                            rb"(?:[\w.-]+:)?si[\s/>]))*+)</(?:[\w.-]+:)?si>)")
_PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh\b(?:[^<]++|<(?!/?(?:[\w.-]+:)?rPh\b))*+"
                       rb"</(?:[\w.-]+:)?rPh>")


@lru_cache(maxsize=8)
def _cell_pattern(prefix: bytes) -> re.Pattern:
    """A cell element that has content: reference, type and style attributes, and the content.

    Empty cells (``<c r="A1" s="2"/>``) do not match. Attributes stop at the next '<' and the
    content at the next cell tag, so unclosed tags cannot make the search quadratic."""
    tag = re.escape(prefix) + rb"c"
    return re.compile(
        rb"<" + tag + rb"(?=[\s>])(?=[^<>]*+(?<!/)>)"
        rb"""(?=[^<>]*?\sr\s*=\s*["']([A-Z]{1,3})(\d{1,7})["'])?"""
        rb"""(?=[^<>]*?\st\s*=\s*["'](\w+)["'])?"""
        rb"""(?=[^<>]*?\ss\s*=\s*["'](\d{1,9})["'])?"""
        rb"(?:[^<>/]|/(?!>))*+>"
        rb"((?:[^<]++|<(?!/?" + tag + rb"[\s/>]))++)"
        rb"</" + tag + rb">")


def _prefix(head: bytes) -> bytes:
    """The namespace prefix of the worksheet's elements (b"" or e.g. b"x:")."""
    root = re.search(rb"<(?:([\w.-]+):)?worksheet[\s>]", head)
    return root.group(1) + b":" if root and root.group(1) else b""


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _text(content: bytes) -> str:
    """The text of an inline or shared string: its runs joined, phonetic hints left out."""
    if b"rPh" in content:
        content = _PHONETIC.sub(b"", content)
    return _unescape(b"".join(_TEXT.findall(content)))


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return html.unescape(text) if "&" in text else text


def _shared_strings(archive: zipfile.ZipFile, needed: set[int]) -> dict[int, str]:
    """The shared strings whose index is in ``needed``. The part is streamed up to the highest
    index needed, and blocks of strings that are not needed are only counted (in C)."""
    if not needed or "xl/sharedStrings.xml" not in archive.NameToInfo:
        return {}
    wanted = sorted(needed)
    found, index = {}, 0
    with archive.open("xl/sharedStrings.xml") as stream:
        buffer, block = b"", stream.read(_BLOCK)
        root = re.search(rb"<(?:([\w.-]+):)?sst[\s>]", block)
        prefix = root.group(1) + b":" if root and root.group(1) else b""
        ends = (b"</" + prefix + b"si>", b"<" + prefix + b"si/>")  # an item ends with either
        while block and index <= wanted[-1]:
            buffer += block
            block = stream.read(_BLOCK)
            cut = len(buffer) if not block else max(
                (end_at + len(end) for end in ends if (end_at := buffer.rfind(end)) >= 0),
                default=0)
            count = sum(buffer.count(end, 0, cut) for end in ends)
            following = wanted[bisect.bisect_left(wanted, index)]
            if following < index + count:  # a needed string is in this stretch
                for match in _SHARED_STRING.finditer(buffer, 0, cut):
                    if index in needed:
                        found[index] = _text(match.group(1) or b"")
                    index += 1
            else:
                index += count
            buffer = buffer[cut:]
            if len(buffer) > _MAX_PART_BYTES:
                raise WorkbookError("A shared string of the workbook is too long for a table of "
                                    "numbers. Save the data you need as CSV.")
    return found


def _date_styles(archive: zipfile.ZipFile) -> frozenset[bytes]:
    """Indices (as the bytes of the ``s`` attribute) of the cell styles whose number format is
    a date or time."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if "xl/styles.xml" not in archive.NameToInfo:
        return frozenset()
    styles = _part(archive, "xl/styles.xml")
    codes = {int(number): _unescape(code) for number, code in
             _tag_pattern(b"numFmt", (b"numFmtId", b"formatCode")).findall(styles)
             if number.isdigit()}
    cell_styles = re.search(rb"<(?:[\w.-]+:)?cellXfs\b(?:[^<]++|<(?!/?(?:[\w.-]+:)?cellXfs\b))*+"
                            rb"</(?:[\w.-]+:)?cellXfs>", styles)
    if not cell_styles:
        return frozenset()
    formats = _tag_pattern(b"xf", (b"numFmtId",)).findall(cell_styles.group(0))
    dates = {number for number in set(formats) if number.isdigit() and is_date_format(
        codes.get(int(number), BUILTIN_FORMATS.get(int(number), "General")))}
    return frozenset(str(index).encode() for index, number in enumerate(formats)
                     if number in dates)


def _relations(archive: zipfile.ZipFile, path: str, wanted: set[bytes]) -> dict[bytes, str]:
    """Relationship id → path of the target part inside the zip, for the ``wanted`` ids. The
    part is searched for their Id attributes (a literal, fast to find), so one that lists a
    million relationships costs a scan, not a million matches."""
    if path not in archive.NameToInfo or not wanted:
        return {}
    part = _part(archive, path)
    base = posixpath.dirname(posixpath.dirname(path))
    targets = {}
    ids = re.compile(rb"""Id\s*=\s*["'](""" + b"|".join(map(re.escape, wanted)) + rb""")["']""")
    target = re.compile(rb"""\sTarget\s*=\s*["']([^"'<>]*)["']""")
    for match in ids.finditer(part):
        identifier = match.group(1)
        start = part.rfind(b"<", 0, match.start())
        found = target.search(part, start, part.find(b">", match.end()) + 1)
        if identifier in targets or found is None or not part[match.start() - 1:
                                                             match.start()].isspace() \
                or not re.match(rb"<(?:[\w.-]+:)?Relationship\s", part[start:start + 64]):
            continue
        name = _unescape(found.group(1))
        targets[identifier] = (name.lstrip("/") if name.startswith("/")
                               else posixpath.normpath(posixpath.join(base, name)))
        if len(targets) == len(wanted):
            break
    return targets


@lru_cache(maxsize=8)
def _tag_pattern(tag: bytes, attributes: tuple[bytes, ...]) -> re.Pattern:
    """Every ``<tag>`` element (any namespace prefix), with the values of ``attributes`` as
    groups (b"" when absent); attributes stop at the next '<' (no quadratic search)."""
    return re.compile(rb"<(?:[\w.-]+:)?" + tag + rb"(?=[\s/>])" + b"".join(
        rb"""(?:(?=[^<>]*?\s""" + name + rb"""\s*=\s*["']([^"'<>]*)["'])|)"""
        for name in attributes))


def _part(archive: zipfile.ZipFile, path: str) -> bytes:
    """A small part of the package, read whole (refused when it is not small)."""
    info = archive.NameToInfo.get(path)
    if info is None:
        raise WorkbookError(f"The workbook has no {posixpath.basename(path)}: it is damaged. "
                            "Open it in Excel and save it again, or save it as CSV.")
    if info.file_size > _MAX_PART_BYTES:
        raise WorkbookError(f"The workbook's {posixpath.basename(path)} is "
                            f"{info.file_size / 2**20:,.0f} MB, far more than a table needs. "
                            "Save the data you need as CSV.")
    return archive.read(path)


