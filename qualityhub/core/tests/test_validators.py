"""Identifier validators: USCC (GB 32100-2015), HS codes, standard codes, mobiles."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qualityhub.core.validators import (
    USCC_ALPHABET,
    normalise_standard_code,
    uscc_check_character,
    validate_hs_code,
    validate_mobile,
    validate_standard_code,
    validate_uscc,
)

REFERENCE = Path("/work/shared/reference/uscc/uscc_codes.txt")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _reference_codes():
    valid, invalid = [], []
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("# INVALID "):
            invalid.append(line.split()[2])
        elif not line.startswith("#"):
            valid.append(line)
    return valid, invalid


VALID_CODES, INVALID_CODES = _reference_codes()


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _message(exc_info):
    return " ".join(exc_info.value.messages)


def test_the_reference_file_holds_valid_and_invalid_codes():
    assert len(VALID_CODES) >= 200
    assert len(INVALID_CODES) == 4


def test_every_valid_reference_code_passes():
    rejected = []
    for code in VALID_CODES:
        try:
            assert validate_uscc(code) == code
        except ValidationError as exc:
            rejected.append((code, exc.messages))
    assert rejected == []


@pytest.mark.parametrize("code", INVALID_CODES)
def test_every_invalid_reference_code_fails(code):
    with pytest.raises(ValidationError):
        validate_uscc(code)


@pytest.mark.parametrize("prefix", ["Y1440300", "A1440300", "N2440300", "51440300"])
def test_a_code_whose_first_characters_are_letters_is_accepted_when_its_check_character_is_right(prefix):
    first17 = prefix + "MA5FUW2X3"
    code = first17 + uscc_check_character(first17)
    assert validate_uscc(code) == code


def test_a_letter_first_code_with_a_wrong_check_character_is_rejected():
    first17 = "Y1440300MA5FUW2X3"
    right = uscc_check_character(first17)
    wrong = next(ch for ch in USCC_ALPHABET if ch != right)
    with pytest.raises(ValidationError) as exc:
        validate_uscc(first17 + wrong)
    assert exc.value.code == "uscc_check"
    assert f"末位应为 {right}" in _message(exc)


def test_spaces_dashes_and_lower_case_are_normalised():
    code = VALID_CODES[0]
    assert validate_uscc(f" {code[:8].lower()}-{code[8:]} ") == code.upper()


@pytest.mark.parametrize("value, length", [("91440300MA5FUW2X3", 17), ("91440300MA5FUW2X3BB", 19), ("", 0)])
def test_a_wrong_length_is_explained_in_chinese(value, length):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == "uscc_length"
    assert f"应为18位，实际为{length}位" in _message(exc)


def test_letters_outside_the_31_symbol_set_are_named_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("9111000060003IOZSV")
    assert exc.value.code == "uscc_charset"
    message = _message(exc)
    assert CJK.search(message)
    for ch in "IOSVZ":
        assert ch in message


def test_a_non_numeric_division_code_is_explained_in_chinese():
    first17 = "91A40300MA5FUW2X3"
    with pytest.raises(ValidationError) as exc:
        validate_uscc(first17 + uscc_check_character(first17))
    assert exc.value.code == "uscc_division"
    assert "行政区划代码" in _message(exc)


def test_a_wrong_check_character_names_the_expected_one_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91110000600037341N")
    assert exc.value.code == "uscc_check"
    assert _message(exc) == "统一社会信用代码校验位错误：末位应为 L。"


@pytest.mark.parametrize("value, expected", [
    ("851650", "851650"),
    ("8516500000", "8516500000"),
    ("8516.50.00", "85165000"),
    (" 85165000 ", "85165000"),
])
def test_hs_codes_of_six_to_ten_digits_are_accepted(value, expected):
    assert validate_hs_code(value) == expected


@pytest.mark.parametrize("value", ["85165", "85165000001", "8516A0", "", "八五一六五零"])
def test_hs_codes_outside_six_to_ten_digits_are_rejected_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        validate_hs_code(value)
    assert "HS编码应为6至10位数字" in _message(exc)


@pytest.mark.parametrize("value, expected", [
    ("GB 4706.1-2005", "GB 4706.1-2005"),
    ("GB/T 19001-2016", "GB/T 19001-2016"),
    ("T/GDAQI 001-2021", "T/GDAQI 001-2021"),
    ("Q/ABC 002-2023", "Q/ABC 002-2023"),
    ("GB/T19001-2016", "GB/T 19001-2016"),
    ("gb／t 19001－2016", "GB/T 19001-2016"),
    ("DB44/T 1234-2020", "DB44/T 1234-2020"),
    ("DB44/T1234-2020", "DB44/T 1234-2020"),
    ("QB/T1234-2020", "QB/T 1234-2020"),
    ("ISO 9001:2015", "ISO 9001:2015"),
    ("GB 4943.1", "GB 4943.1"),
])
def test_well_formed_standard_codes_are_accepted_and_normalised(value, expected):
    assert normalise_standard_code(value) == expected
    assert validate_standard_code(value) == expected


@pytest.mark.parametrize("value", ["", "4706.1-2005", "GB", "国标 4706", "GBT 19001-2016 extra", "G 1-2005"])
def test_malformed_standard_codes_are_rejected_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        validate_standard_code(value)
    message = _message(exc)
    assert "格式不正确" in message
    assert "GB/T 19001-2016" in message


@pytest.mark.parametrize("value", ["13800138000", "19912345678"])
def test_mainland_mobile_numbers_are_accepted(value):
    assert validate_mobile(value) == value


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "138001380001", "+8613800138000", ""])
def test_other_mobile_numbers_are_rejected_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert "手机号码应为11位" in _message(exc)
