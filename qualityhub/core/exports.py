"""Spreadsheet output shared by list exports, import templates and error reports.

Every text cell is escaped against formula injection (CSV/Excel injection, OWASP):
a value a user typed that starts with = + - @ or a control character is written as
text with a leading apostrophe, so opening an export never runs a formula.
"""

import io

from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def workbook_bytes(sheets):
    """``sheets``: iterable of (title, headers, rows, widths or None)."""
    workbook = Workbook(write_only=True)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="206BC4")
    for title, headers, rows, widths in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for index, width in enumerate(widths or [18] * len(headers), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        from openpyxl.cell import WriteOnlyCell

        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=safe_cell(header))
            cell.font = header_font
            cell.fill = header_fill
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename, sheets):
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def table_sheet(title, table, exclude=()):
    """One sheet from a django-tables2 table: the same columns as the HTML list (one
    table, two formatters). ``value_<column>`` methods give the exported text."""
    values = table.as_values(exclude_columns=exclude)
    headers = [str(h) for h in next(values)]
    return (title, headers, values, [22] * len(headers))
