"""Checks every uploaded attachment (evidence, reports, certificates) before it is
stored: the size, and that the bytes are what the name claims. Shared by every app
that accepts files."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Extension -> (content type, how the file must begin). Office files are zip containers.
ALLOWED_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def check_attachment(uploaded):
    """Return the content type of an acceptable upload, or raise ValidationError
    naming the file and what is wrong with it."""
    name = uploaded.name or ""
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)d MB。") % {"name": name, "limit": limit // (1024 * 1024)}
        )
    if uploaded.size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": name})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("文件“%(name)s”的类型不受支持，请上传 PDF、JPG、PNG、DOCX 或 XLSX 文件。") % {"name": name}
        )
    content_type, magics = ALLOWED_TYPES[extension]
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(_("文件“%(name)s”的内容与扩展名不符。") % {"name": name})
    return content_type
