"""Column rules of the registry's imports: enterprises (natural key: the credit code)
and products (natural key: the enterprise and the model).

Each refused row names its row and column in Chinese, and the file then writes
nothing at all (counts before == after).
"""

import datetime
import io

import pytest
from openpyxl import Workbook

from qualityhub.accounts.models import Organisation
from qualityhub.core.imports.services import ImportRejected
from qualityhub.core.models import AuditEntry, ImportStatus
from qualityhub.core.testing.factories import unique_uscc
from qualityhub.core.tests.test_imports import (
    ENTERPRISE_HEADERS,
    PRODUCT_HEADERS,
    csv_bytes,
    db_counts,
    enterprise_row,
    enterprise_rows,
    error_cells,
    product_row,
    run_import,
    xlsx_bytes,
)
from qualityhub.core.validators import uscc_check_character
from qualityhub.registry.models import Product

E = ENTERPRISE_HEADERS.index
P = PRODUCT_HEADERS.index


def wrong_check_character(code):
    expected = uscc_check_character(code[:17])
    return code[:17] + ("1" if expected != "1" else "2")


def import_enterprises(person, rows, name="企业.xlsx"):
    build = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
    return run_import(person.actor, "enterprises", name, build(ENTERPRISE_HEADERS, rows))


def import_products(person, rows, name="产品.xlsx"):
    build = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
    return run_import(person.actor, "products", name, build(PRODUCT_HEADERS, rows))


def refused_row(job, before, row, column):
    """The job failed on exactly (row, column), wrote nothing; returns the message."""
    assert job.status == ImportStatus.FAILED, (job.status, job.message)
    assert [(r, c) for r, c, _ in error_cells(job)] == [(row, column)], job.errors
    assert db_counts() == before
    message = job.errors[0]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    return message


@pytest.fixture
def regulator(actors):
    return actors.regulator_same_city


# --- enterprises: the credit code --------------------------------------------------------

def test_enterprise_with_a_wrong_check_character_is_refused(regulator):
    rows = enterprise_rows(3)
    good = rows[1][0]
    rows[1][0] = wrong_check_character(good)
    before = db_counts()

    message = refused_row(import_enterprises(regulator, rows), before, 3, "统一社会信用代码")

    assert message == f"统一社会信用代码校验位错误：末位应为 {good[17]}。"


@pytest.mark.parametrize("code, expected", [
    ("91440300MA5FUW2X3", "应为18位，实际为17位"),
    ("91440300MA5FUW2X3BB", "应为18位，实际为19位"),
    ("91440300MA5FUW2XIO", "不允许的字符"),
    ("9144AB00MA5FUW2X3B", "第3-8位应为行政区划代码"),
])
def test_enterprise_with_a_malformed_credit_code_is_refused(regulator, code, expected):
    rows = [enterprise_row(), enterprise_row(code)]
    before = db_counts()

    message = refused_row(import_enterprises(regulator, rows), before, 3, "统一社会信用代码")

    assert expected in message


def test_enterprise_credit_code_is_normalised_before_it_is_checked_and_stored(regulator):
    code = unique_uscc("440305")
    spaced = f" {code[:6].lower()} {code[6:12]}-{code[12:].lower()} "

    job = import_enterprises(regulator, [enterprise_row(spaced)], name="企业.csv")

    assert job.status == ImportStatus.DONE, job.errors
    assert Organisation.objects.filter(uscc=code).count() == 1


def test_same_credit_code_twice_in_one_file_is_refused(regulator):
    code = unique_uscc("440305")
    # The second spelling differs only in case and spacing: still the same enterprise.
    rows = [enterprise_row(code), enterprise_row(), enterprise_row(code[:9] + " " + code[9:].lower(), name="另一家公司")]
    before = db_counts()

    message = refused_row(import_enterprises(regulator, rows), before, 4, "统一社会信用代码")

    assert message == "与第 2 行重复（统一社会信用代码相同）。"


def test_credit_code_of_a_non_enterprise_organisation_is_refused(actors, regulator):
    # The lab's code is taken by a lab: an enterprise import must not rewrite it.
    rows = [enterprise_row(actors.lab.uscc, name="冒名企业有限公司", region="福田区")]
    before = db_counts()
    lab_name = actors.lab.name

    message = refused_row(import_enterprises(regulator, rows), before, 2, "统一社会信用代码")

    assert "不在您的管辖范围内" in message
    actors.lab.refresh_from_db()
    assert actors.lab.name == lab_name


# --- enterprises: regions, lookups and types ------------------------------------------------

@pytest.mark.parametrize("region", ["449999", "火星区", "440000"])
def test_enterprise_with_an_unknown_region_is_refused(regulator, region):
    # 440000 is the province itself, not a place an enterprise is registered in.
    rows = [enterprise_row(), enterprise_row(region=region)]
    before = db_counts()

    message = refused_row(import_enterprises(regulator, rows), before, 3, "所在区县")

    assert message == f"未知的地区“{region}”，请填写区县名称或6位区划代码。"


@pytest.mark.parametrize("region", ["南山区", "深圳市南山区", "广东省深圳市南山区", "440305"])
def test_enterprise_region_may_be_a_name_full_name_or_code(regulator, region):
    code = unique_uscc("440305")
    job = import_enterprises(regulator, [enterprise_row(code, region=region)])
    assert job.status == ImportStatus.DONE, job.errors
    assert Organisation.objects.get(uscc=code).region.code == "440305"


def test_enterprise_in_a_city_without_districts_is_placed_in_the_city(actors):
    code = unique_uscc("441900")
    job = import_enterprises(actors.regulator_province, [enterprise_row(code, name="东莞市示例电子有限公司", region="东莞市")])
    assert job.status == ImportStatus.DONE, job.errors
    organisation = Organisation.objects.get(uscc=code)
    assert organisation.region.code == "441900" and organisation.city.code == "441900"


@pytest.mark.parametrize("column, value, expected", [
    ("行业代码", "99", "未知的行业“99”"),
    ("行业代码", "ZZ", "未知的行业"),
    ("企业规模", "巨型", "巨型"),
    ("荣誉称号", "诺贝尔奖", "诺贝尔奖"),
    ("成立日期", "去年", "日期格式不正确，应如 2023-05-01。"),
    ("成立日期", "2015-13-45", "日期格式不正确"),
    ("登记状态", "休眠", "休眠"),
    ("企业名称", "", "必填"),
    ("企业名称", "名" * 201, "200"),
])
def test_enterprise_column_with_a_wrong_value_is_refused(regulator, column, value, expected):
    rows = enterprise_rows(2)
    rows[1][E(column)] = value
    before = db_counts()

    message = refused_row(import_enterprises(regulator, rows, name="企业.csv"), before, 3, column)

    assert expected in message
    assert rows[1][0] not in set(Organisation.objects.values_list("uscc", flat=True))


def test_enterprise_lookup_columns_accept_codes_labels_and_lists(regulator):
    code = unique_uscc("440305")
    row = enterprise_row(code, 行业代码="C", 企业规模="micro", 荣誉称号="专精特新中小企业、高新技术企业", 成立日期="2015年3月1日", 登记状态="")

    job = import_enterprises(regulator, [row])

    assert job.status == ImportStatus.DONE, job.errors
    organisation = Organisation.objects.get(uscc=code)
    profile = organisation.profile
    assert (profile.industry.code, profile.size, profile.established_on) == ("C", "micro", datetime.date(2015, 3, 1))
    assert sorted(profile.honours.values_list("name", flat=True)) == ["专精特新中小企业", "高新技术企业"]
    assert organisation.status == "active"


def test_enterprise_xlsx_date_and_number_cells_are_read_as_typed(regulator):
    """Excel stores dates and numbers as typed cells, not text: both must be understood."""
    code = unique_uscc("440305")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ENTERPRISE_HEADERS)
    row = enterprise_row(code)
    row[E("成立日期")] = datetime.date(2012, 7, 9)
    row[E("行业代码")] = 38
    row[E("所在区县")] = 440305
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", buffer.getvalue())

    assert job.status == ImportStatus.DONE, job.errors
    profile = Organisation.objects.get(uscc=code).profile
    assert profile.established_on == datetime.date(2012, 7, 9)
    assert profile.industry.code == "38"


def test_enterprise_number_fed_into_a_date_column_is_refused(regulator):
    rows = enterprise_rows(2)
    rows[0][E("成立日期")] = 12345.5
    before = db_counts()

    message = refused_row(import_enterprises(regulator, rows), before, 2, "成立日期")

    assert message == "日期格式不正确，应如 2023-05-01。"


# --- enterprises: who may import what ---------------------------------------------------------

def test_district_regulator_is_refused_row_by_row_outside_its_jurisdiction(actors):
    nanshan = actors.regulator_district
    rows = [
        enterprise_row(region="南山区"),
        enterprise_row(unique_uscc("440304"), region="福田区"),
        enterprise_row(region="南山区"),
        enterprise_row(unique_uscc("440106"), region="天河区"),
    ]
    before = db_counts()

    job = import_enterprises(nanshan, rows)

    assert job.status == ImportStatus.FAILED
    assert error_cells(job) == [
        (3, "所在区县", "“深圳市福田区”不在本部门的管辖范围内。"),
        (5, "所在区县", "“广州市天河区”不在本部门的管辖范围内。"),
    ]
    assert db_counts() == before


def test_city_regulator_may_not_touch_an_existing_enterprise_of_another_city(actors):
    guangzhou = actors.regulator_other_city
    shenzhen_firm = actors.enterprise_a
    rows = [enterprise_row(region="天河区"), enterprise_row(shenzhen_firm.uscc, name="改名企业", region="天河区")]
    before = db_counts()

    message = refused_row(import_enterprises(guangzhou, rows), before, 3, "统一社会信用代码")

    assert message == "该企业不在您的管辖范围内，不能修改。"
    shenzhen_firm.refresh_from_db()
    assert shenzhen_firm.name == "深圳市甲电器有限公司" and shenzhen_firm.region.code == "440305"


def test_province_regulator_imports_enterprises_anywhere_in_the_province(actors):
    rows = [enterprise_row(unique_uscc("440305"), region="南山区"), enterprise_row(unique_uscc("440106"), region="天河区")]
    job = import_enterprises(actors.regulator_province, rows)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.created_count == 2


def test_regulator_updates_an_enterprise_in_its_jurisdiction_with_an_audit_entry(actors, regulator):
    firm = actors.enterprise_a
    row = enterprise_row(firm.uscc, name="深圳市甲电器股份有限公司", region="南山区")
    audit_before = AuditEntry.objects.filter(object_id=str(firm.pk)).count()

    job = import_enterprises(regulator, [row])

    assert (job.status, job.created_count, job.updated_count) == (ImportStatus.DONE, 0, 1)
    firm.refresh_from_db()
    assert firm.name == "深圳市甲电器股份有限公司"
    entries = AuditEntry.objects.filter(object_id=str(firm.pk))
    assert entries.count() > audit_before
    assert entries.filter(via="import", user=regulator.user).exists()


@pytest.mark.parametrize("who", ["owner", "provider", "bank"])
def test_only_regulators_import_enterprises(actors, who):
    before = db_counts()
    with pytest.raises(ImportRejected, match="无权导入此类数据"):
        import_enterprises(getattr(actors, who), enterprise_rows(1))
    assert db_counts() == before


# --- products -------------------------------------------------------------------------------------

def test_regulator_imports_products_of_enterprises_in_its_jurisdiction(actors, regulator):
    rows = [product_row(actors.enterprise_a.uscc, "NEW-1"), product_row(actors.enterprise_b.uscc, "NEW-1")]

    job = import_products(regulator, rows)

    assert job.status == ImportStatus.DONE, job.errors
    assert Product.objects.filter(model="NEW-1").count() == 2


def test_enterprise_imports_its_own_products_leaving_the_code_blank(actors):
    job = import_products(actors.owner, [product_row("", "OWN-1"), product_row(actors.enterprise_a.uscc, "OWN-2")])
    assert job.status == ImportStatus.DONE, job.errors
    assert set(Product.objects.filter(model__startswith="OWN-").values_list("enterprise", flat=True)) == {actors.enterprise_a.pk}


def test_same_enterprise_and_model_twice_in_one_file_is_refused(actors, regulator):
    code = actors.enterprise_a.uscc
    rows = [product_row(code, "DUP-1"), product_row(actors.enterprise_b.uscc, "DUP-1"), product_row(code.lower(), "DUP-1", 品牌="别的")]
    before = db_counts()

    message = refused_row(import_products(regulator, rows), before, 4, "企业代码和型号")

    assert message == "与第 2 行重复（企业代码和型号相同）。"


def test_enterprise_repeating_a_model_with_and_without_its_code_is_refused(actors):
    """For an enterprise, a blank code means its own: both rows are the same product."""
    rows = [product_row("", "DUP-2"), product_row(actors.enterprise_a.uscc, "DUP-2")]
    before = db_counts()

    job = import_products(actors.owner, rows)

    assert job.status == ImportStatus.FAILED, (job.status, job.message)
    assert [(r, c) for r, c, _ in error_cells(job)] == [(3, "企业代码和型号")]
    assert job.errors[0]["message"] == "与第 2 行重复（企业代码和型号相同）。"
    assert db_counts() == before


def test_enterprise_may_not_import_products_of_another_enterprise(actors):
    rows = [product_row("", "OWN-3"), product_row(actors.enterprise_b.uscc, "OWN-4")]
    before = db_counts()

    message = refused_row(import_products(actors.owner, rows), before, 3, "生产企业统一社会信用代码")

    assert message == f"只能登记本企业的产品（本企业代码为 {actors.enterprise_a.uscc}）。"


def test_regulator_is_refused_products_of_enterprises_outside_its_jurisdiction(actors):
    nanshan = actors.regulator_district
    rows = [product_row(actors.enterprise_a.uscc, "J-1"), product_row(actors.enterprise_b.uscc, "J-2")]
    before = db_counts()

    message = refused_row(import_products(nanshan, rows), before, 3, "生产企业统一社会信用代码")

    assert message == f"未找到代码为 {actors.enterprise_b.uscc} 的企业，或该企业不在您的管辖范围内。"


@pytest.mark.parametrize("make_code, expected", [
    (lambda a: "", "请填写生产企业的统一社会信用代码。"),
    (lambda a: wrong_check_character(a.enterprise_a.uscc), "校验位错误"),
    (lambda a: unique_uscc("440305"), "未找到代码为"),
])
def test_regulator_product_row_needs_a_valid_known_enterprise_code(actors, regulator, make_code, expected):
    rows = [product_row(actors.enterprise_a.uscc, "K-1"), product_row(make_code(actors), "K-2")]
    before = db_counts()

    message = refused_row(import_products(regulator, rows), before, 3, "生产企业统一社会信用代码")

    assert expected in message


@pytest.mark.parametrize("column, value, expected", [
    ("HS编码", "abc", "HS编码应为6至10位数字"),
    ("HS编码", "12345", "HS编码应为6至10位数字"),
    ("执行标准", "GB 4706.1-2005；国标第一号", "标准编号“国标第一号”格式不正确"),
    ("出口市场", "美国、火星", "无法识别的国家或地区：火星"),
    ("是否公开", "也许", "请填写“是”或“否”。"),
    ("产品名称", "", "必填"),
    ("型号规格", "X" * 101, "100"),
])
def test_product_column_with_a_wrong_value_is_refused(actors, column, value, expected):
    rows = [product_row("", "T-1"), product_row("", "T-2")]
    rows[1][P(column)] = value
    before = db_counts()

    message = refused_row(import_products(actors.owner, rows, name="产品.csv"), before, 3, column)

    assert expected in message


def test_product_missing_its_model_is_refused_on_the_model_column(actors):
    rows = [product_row("", "T-3"), product_row("", "")]
    before = db_counts()

    message = refused_row(import_products(actors.owner, rows), before, 3, "型号规格")

    assert "必填" in message


def test_product_yes_no_and_list_columns_accept_spreadsheet_spellings(actors):
    rows = [
        product_row("", "Y-1", 是否公开="否", 出口市场="DE, 日本", 执行标准="GB/T 19001-2016"),
        product_row("", "Y-2", 是否公开="", 出口市场="", 执行标准=""),
    ]

    job = import_products(actors.owner, rows)

    assert job.status == ImportStatus.DONE, job.errors
    private = Product.objects.get(enterprise=actors.enterprise_a, model="Y-1")
    assert (private.is_public, private.export_markets) == (False, ["DE", "JP"])
    assert list(private.standards.values_list("code", flat=True)) == ["GB/T 19001-2016"]
    blank = Product.objects.get(enterprise=actors.enterprise_a, model="Y-2")
    assert blank.is_public is True and blank.export_markets == [] and not blank.standards.exists()


def test_product_already_stored_is_unchanged_when_its_row_says_the_same(actors):
    product = actors.product_a  # 电热水壶 / 示例 / 家用电器 / 8516719000 / US / GB 4706.1-2005
    row = product_row("", "A-100", HS编码="8516719000", 执行标准="GB 4706.1-2005", 出口市场="美国")
    before = db_counts()

    job = import_products(actors.owner, [row])

    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 1)
    assert db_counts() == before
    product.refresh_from_db()
    assert product.export_markets == ["US"]


def test_product_row_with_changed_standards_updates_the_stored_product(actors):
    product = actors.product_a
    row = product_row("", "A-100", HS编码="8516719000", 执行标准="GB 4706.19-2008", 出口市场="美国")

    job = import_products(actors.owner, [row])

    assert (job.status, job.updated_count) == (ImportStatus.DONE, 1), job.errors
    assert list(product.standards.values_list("code", flat=True)) == ["GB 4706.19-2008"]
    assert Product.objects.filter(enterprise=actors.enterprise_a, model="A-100").count() == 1


def test_provider_may_not_import_products(actors):
    before = db_counts()
    with pytest.raises(ImportRejected, match="无权导入此类数据"):
        import_products(actors.provider, [product_row(actors.enterprise_a.uscc, "P-1")])
    assert db_counts() == before



# --- columns a file leaves out -------------------------------------------------------------

def test_enterprise_columns_left_out_of_the_file_keep_their_stored_values(actors, regulator):
    firm = actors.enterprise_a
    honours = ["high-tech", "zhuanjingtexin"]
    import_enterprises(regulator, [enterprise_row(firm.uscc, name=firm.name, 荣誉称号="专精特新中小企业、高新技术企业")])
    firm.profile.refresh_from_db()
    stored = (firm.profile.address, firm.profile.legal_representative, firm.profile.size, firm.profile.industry.code,
              firm.profile.established_on, sorted(firm.profile.honours.values_list("code", flat=True)))
    assert stored[-1] == sorted(honours)
    audit_before = AuditEntry.objects.count()

    # Only the required columns: nothing else is said, so nothing else changes.
    same = run_import(regulator.actor, "enterprises", "简表.xlsx", xlsx_bytes(["统一社会信用代码", "企业名称", "所在区县"], [[firm.uscc, firm.name, "南山区"]]))
    renamed = run_import(regulator.actor, "enterprises", "简表.xlsx", xlsx_bytes(["统一社会信用代码", "企业名称", "所在区县"], [[firm.uscc, "深圳市甲电器集团有限公司", "南山区"]]))

    assert (same.status, same.unchanged_count, same.updated_count) == (ImportStatus.DONE, 1, 0), same.errors
    assert (renamed.status, renamed.updated_count) == (ImportStatus.DONE, 1), renamed.errors
    firm.refresh_from_db()
    firm.profile.refresh_from_db()
    assert firm.name == "深圳市甲电器集团有限公司"
    assert (firm.profile.address, firm.profile.legal_representative, firm.profile.size, firm.profile.industry.code,
            firm.profile.established_on, sorted(firm.profile.honours.values_list("code", flat=True))) == stored
    assert AuditEntry.objects.count() > audit_before


def test_product_columns_left_out_of_the_file_keep_their_stored_values(actors):
    """A private product re-imported from a file without the 是否公开 column stays
    private, and keeps its standards, markets and HS code."""
    product = actors.product_a_private
    before = db_counts()

    job = run_import(actors.owner.actor, "products", "简表.xlsx",
                     xlsx_bytes(["生产企业统一社会信用代码", "产品名称", "型号规格"], [["", product.name, product.model]]))

    assert (job.status, job.unchanged_count) == (ImportStatus.DONE, 1), job.errors
    assert db_counts() == before
    product.refresh_from_db()
    assert product.is_public is False
    assert list(product.standards.values_list("code", flat=True)) == ["GB 4706.1-2005"]
    assert (product.export_markets, product.hs_code) == (["US"], "8516719000")


def test_new_rows_get_blank_values_for_columns_left_out(actors):
    job = run_import(actors.owner.actor, "products", "简表.xlsx",
                     xlsx_bytes(["生产企业统一社会信用代码", "产品名称", "型号规格"], [["", "电饭煲", "RC-1"]]))
    assert job.status == ImportStatus.DONE, job.errors
    product = Product.objects.get(enterprise=actors.enterprise_a, model="RC-1")
    assert (product.is_public, product.hs_code, product.export_markets, product.standards.count()) == (True, "", [], 0)
