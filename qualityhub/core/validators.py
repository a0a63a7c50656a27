"""Validators for identifiers that appear throughout the platform.

Messages are user-facing and say what is expected, in the active language.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015: 31 symbols (digits and capitals without I, O, S, V, Z); the value of
# a symbol is its index. Weights are 3^(i-1) mod 31 for positions 1..17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_uscc(value):
    return re.sub(r"[\s-]", "", str(value or "")).upper()


def uscc_check_character(first17):
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value):
    """Validate a Unified Social Credit Code by the GB 32100-2015 check character.

    The registration-authority and type codes (positions 1-2) may be letters (for
    example "Y" for other authorities), so only the division code (3-8) must be
    digits; every position must come from the 31-symbol set.
    """
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为%(length)d位。") % {"length": len(code)}, code="uscc_length"
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。") % {"chars": "".join(bad)},
            code="uscc_charset",
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3-8位应为行政区划代码（数字）。"), code="uscc_division")
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：末位应为 %(expected)s。") % {"expected": expected}, code="uscc_check"
        )
    return code


HS_CODE_RE = re.compile(r"^\d{6,10}$")


def normalise_hs_code(value):
    return re.sub(r"[\s.]", "", str(value or ""))


def validate_hs_code(value):
    """HS codes: the 6-digit international heading plus up to 4 national digits."""
    code = normalise_hs_code(value)
    if not HS_CODE_RE.match(code):
        raise ValidationError(_("HS编码应为6至10位数字，例如 8516500000。"), code="hs_code")
    return code


# Standard codes: national (GB, GB/T, GB/Z), sector (e.g. QB/T, SN/T), local (DB44/T),
# association (T/GDAQI), enterprise (Q/ABC), and international (ISO, IEC, EN ...).
STANDARD_CODE_RE = re.compile(
    r"^(?P<prefix>"
    r"GB(?:/[TZ])?"
    r"|[A-Z]{2}(?:/[TZ])?"
    r"|DB\d{2}(?:/T)?"
    r"|T/[A-Z0-9]{2,12}"
    r"|Q/[A-Z0-9]{1,12}"
    r"|ISO(?:/IEC)?|IEC|EN|ASTM|UL|JIS|ANSI|BS|DIN|IEEE"
    r")\s+(?P<number>[A-Z]?\d+(?:[.\-]\d+)*)"
    r"(?:[-—:](?P<year>(?:19|20)\d{2}))?$"
)


def normalise_standard_code(value):
    code = str(value or "").strip().upper()
    code = code.replace("／", "/").replace("－", "-").replace("—", "-").replace("：", ":")
    code = re.sub(r"\s+", " ", code)
    # "GB/T19001-2016" is a common way of writing "GB/T 19001-2016".
    # Local standards ("DB44/T") are tried first: the generic two-letter sector prefix
    # would otherwise split "DB44/T 1234-2020" into "DB 44/T ...", which no longer matches.
    code = re.sub(r"^((?:DB\d{2}|GB|(?!DB\d)[A-Z]{2})(?:/[TZ])?|T/[A-Z0-9]+|Q/[A-Z0-9]+)(?=\d)", r"\1 ", code)
    return code


def validate_standard_code(value):
    code = normalise_standard_code(value)
    if not STANDARD_CODE_RE.match(code):
        raise ValidationError(
            _("标准编号“%(code)s”格式不正确，应如 GB 4706.1-2005、GB/T 19001-2016、T/GDAQI 001-2021、Q/ABC 002-2023。")
            % {"code": value},
            code="standard_code",
        )
    return code


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value):
    if not MOBILE_RE.match(str(value or "")):
        raise ValidationError(_("手机号码应为11位，以1开头。"), code="mobile")
    return value
