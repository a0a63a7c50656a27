"""Reading uploaded spreadsheets safely.

Uploads are checked before any parser sees them: size, type by content (not by name),
and for .xlsx (a zip archive) the total uncompressed size and compression ratio, so a
decompression bomb is refused instead of exhausting memory.
"""

import csv
import io
import logging
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class FileRejected(Exception):
    """The file cannot be imported at all; the message says why, for the user."""


XLSX_MAGIC = b"PK\x03\x04"


def _mb(n):
    return f"{n / 1024 / 1024:.1f}"


def check_upload(name, size, head):
    """Validate an upload's name, size and first bytes. Returns "xlsx" or "csv"."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise FileRejected(
            _("文件大小 %(size)s MB 超过上限 %(limit)s MB，请拆分后分批导入。") % {"size": _mb(size), "limit": _mb(limit)}
        )
    if size == 0:
        raise FileRejected(_("文件是空的。"))
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        if not head.startswith(XLSX_MAGIC):
            raise FileRejected(_("文件扩展名为 .xlsx，但内容不是 Excel 工作簿。请用 Excel 或 WPS 另存为 .xlsx 后重新上传。"))
        return "xlsx"
    if lower.endswith(".csv"):
        if b"\x00" in head or head.startswith(XLSX_MAGIC):
            raise FileRejected(_("文件扩展名为 .csv，但内容不是文本。请另存为 CSV（UTF-8）后重新上传。"))
        return "csv"
    if lower.endswith(".xls"):
        raise FileRejected(_("不支持旧版 .xls 格式，请另存为 .xlsx 后重新上传。"))
    raise FileRejected(_("不支持的文件类型，只接受 .xlsx 和 .csv 文件。"))


def _check_zip(fileobj):
    try:
        archive = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile:
        raise FileRejected(_("Excel 文件已损坏，无法打开。"))
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
            raise FileRejected(_("文件不是 Excel 工作簿（缺少工作簿结构）。"))
        total = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES or total / packed > settings.IMPORT_MAX_COMPRESSION_RATIO:
            raise FileRejected(
                _("文件解压后过大（%(size)s MB，压缩比 %(ratio)d:1），疑似压缩炸弹，已拒绝。")
                % {"size": _mb(total), "ratio": total // packed}
            )


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if not hasattr(value, "hour") or not (value.hour or value.minute) else value.isoformat()
    return str(value).strip()


def read_rows(path, kind):
    """Return a list of rows (lists of cell text), header first."""
    if kind == "xlsx":
        with open(path, "rb") as fh:
            _check_zip(fh)
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            sheet = workbook.get_sheet_by_index(0)
            raw = sheet.to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises its own error types for corrupt parts
            # calamine's own words are English and technical: log them, tell the user what to do.
            logger.info("unreadable workbook %s: %s", path, exc)
            raise FileRejected(_("无法读取 Excel 文件：文件已损坏或不是有效的 .xlsx 工作簿。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。"))
        rows = [[_cell_text(v) for v in row] for row in raw]
    else:
        with open(path, "rb") as fh:
            data = fh.read()
        if b"\x00" in data:
            raise FileRejected(_("CSV 文件含有二进制内容，不是文本文件。"))
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FileRejected(_("无法识别 CSV 文件的编码，请另存为 UTF-8 编码。"))
        try:
            rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise FileRejected(_("CSV 格式错误：%(reason)s") % {"reason": exc})
    # Trailing empty rows are common in spreadsheets; they are not data.
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) - 1 > settings.IMPORT_MAX_ROWS:
        raise FileRejected(_("文件有 %(n)d 行数据，超过单次导入上限 %(max)d 行。") % {"n": len(rows) - 1, "max": settings.IMPORT_MAX_ROWS})
    return rows
