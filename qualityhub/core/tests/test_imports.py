"""The import framework (``core/imports``), exercised through its two first users: the
registry's "enterprises" and "products" specs.

Every refused file or row must leave the database as it was: the helpers below count
the registry's rows and the audit trail before and after.
"""

import io
import os
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from qualityhub.accounts.models import Organisation
from qualityhub.core.imports import get_spec
from qualityhub.core.imports.services import ImportRejected, import_job_create
from qualityhub.core.models import AuditEntry, ImportJob, ImportStatus
from qualityhub.core.testing.factories import unique_uscc
from qualityhub.registry.models import EnterpriseProfile, Product, ProductStandard

ENTERPRISE_HEADERS = ["统一社会信用代码", "企业名称", "所在区县", "行业代码", "企业规模", "荣誉称号", "法定代表人", "成立日期", "地址", "登记状态"]
PRODUCT_HEADERS = ["生产企业统一社会信用代码", "产品名称", "品牌", "型号规格", "产品类别", "HS编码", "执行标准", "出口市场", "是否公开"]


# --- helpers (also used by registry/tests/test_importers.py) ----------------------

def xlsx_bytes(headers, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, encoding="utf-8-sig"):
    lines = [",".join(headers)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(name, content):
    return SimpleUploadedFile(name, content)


def run_import(actor, spec_key, name, content):
    """Upload ``content`` as ``name`` through the service and return the job, reloaded."""
    job = import_job_create(actor=actor, spec_key=spec_key, uploaded_file=upload(name, content))
    job.refresh_from_db()
    return job


def enterprise_row(uscc=None, name="深圳市导入测试电器有限公司", region="南山区", **extra):
    values = {
        "统一社会信用代码": uscc or unique_uscc("440305"),
        "企业名称": name,
        "所在区县": region,
        "行业代码": "38",
        "企业规模": "小型",
        "荣誉称号": "高新技术企业",
        "法定代表人": "张三",
        "成立日期": "2015-03-01",
        "地址": "深圳市南山区科技园",
        "登记状态": "存续",
    }
    values.update(extra)
    return [values[h] for h in ENTERPRISE_HEADERS]


def enterprise_rows(count, region="南山区", region_code="440305"):
    return [enterprise_row(unique_uscc(region_code), name=f"深圳市导入{i}号电器有限公司", region=region) for i in range(count)]


def product_row(enterprise_uscc="", model="IMP-1", **extra):
    values = {
        "生产企业统一社会信用代码": enterprise_uscc,
        "产品名称": "电热水壶",
        "品牌": "示例",
        "型号规格": model,
        "产品类别": "家用电器",
        "HS编码": "8516109000",
        "执行标准": "GB 4706.1-2005；GB 4706.19-2008",
        "出口市场": "美国、德国",
        "是否公开": "是",
    }
    values.update(extra)
    return [values[h] for h in PRODUCT_HEADERS]


def db_counts():
    """What an import may write: a refused file must leave all of these unchanged."""
    return {
        "organisations": Organisation.objects.count(),
        "profiles": EnterpriseProfile.objects.count(),
        "products": Product.objects.count(),
        "standards": ProductStandard.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def error_cells(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def xlsx_zip(members):
    """A zip archive shaped like an .xlsx workbook: {name: bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


WORKBOOK_SKELETON = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
}


@pytest.fixture
def regulator(actors):
    """The Shenzhen bureau: may register enterprises anywhere in Shenzhen."""
    return actors.regulator_same_city


# --- templates -----------------------------------------------------------------------

@pytest.mark.parametrize("spec_key, headers", [("enterprises", ENTERPRISE_HEADERS), ("products", PRODUCT_HEADERS)])
def test_template_is_an_xlsx_with_the_specs_chinese_headers(regulator, spec_key, headers):
    response = regulator.client().get(reverse("core:import-template", args=[spec_key]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    data_sheet, notes_sheet = workbook.worksheets
    header_row = [c.value for c in next(data_sheet.iter_rows(min_row=1, max_row=1))]
    spec = get_spec(spec_key)
    assert [h.rstrip("*") for h in header_row] == headers
    # Required columns are starred; the data sheet holds no example row that would be imported.
    assert header_row == [c.header + ("*" if c.required else "") for c in spec.columns]
    assert data_sheet.max_row == 1
    assert notes_sheet.title == "填写说明"
    assert [r[0] for r in notes_sheet.iter_rows(min_row=2, values_only=True)] == headers


def test_a_filled_in_template_imports(regulator):
    """The downloaded template, with rows appended, is accepted as it is (starred headers)."""
    response = regulator.client().get(reverse("core:import-template", args=["enterprises"]))
    workbook = load_workbook(io.BytesIO(response.content))
    for row in enterprise_rows(2):
        workbook.worksheets[0].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = run_import(regulator.actor, "enterprises", "模板.xlsx", buffer.getvalue())

    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert job.created_count == 2


def test_template_of_a_spec_the_actor_may_not_import_answers_404(actors):
    # Enterprises do not register other enterprises.
    response = actors.owner.client().get(reverse("core:import-template", args=["enterprises"]))
    assert response.status_code == 404
    assert actors.owner.client().get(reverse("core:import-template", args=["no-such-spec"])).status_code == 404


def test_an_actor_without_the_right_is_refused_in_chinese_and_nothing_is_stored(actors):
    before = db_counts(), ImportJob.objects.count()
    with pytest.raises(ImportRejected, match="无权导入此类数据"):
        import_job_create(
            actor=actors.owner.actor, spec_key="enterprises",
            uploaded_file=upload("e.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(1))),
        )
    assert (db_counts(), ImportJob.objects.count()) == before


# --- happy paths ------------------------------------------------------------------------

def test_xlsx_import_creates_every_row_with_audit_via_import(regulator):
    rows = enterprise_rows(3)
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))

    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_count) == (3, 0, 0, 0)
    assert job.total_rows == 3 and job.percent == 100 and not job.in_background
    after = db_counts()
    assert after["organisations"] == before["organisations"] + 3
    assert after["profiles"] == before["profiles"] + 3
    codes = [r[0] for r in rows]
    created = Organisation.objects.filter(uscc__in=codes)
    assert created.count() == 3
    org = created.get(uscc=codes[0])
    assert org.region.code == "440305" and org.city.code == "440300"
    assert org.profile.industry.code == "38" and org.profile.size == "small"
    assert list(org.profile.honours.values_list("name", flat=True)) == ["高新技术企业"]
    entries = AuditEntry.objects.filter(object_id__in=[str(pk) for pk in created.values_list("pk", flat=True)])
    assert entries.exists()
    assert set(entries.values_list("via", flat=True)) == {"import"}
    assert set(entries.values_list("user", flat=True)) == {regulator.user.pk}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_import_accepts_utf8_with_bom_and_gb18030(regulator, encoding):
    rows = enterprise_rows(2)
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.csv", csv_bytes(ENTERPRISE_HEADERS, rows, encoding))

    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert job.created_count == 2
    assert db_counts()["organisations"] == before["organisations"] + 2
    # The Chinese text arrived intact, whatever the encoding.
    assert Organisation.objects.get(uscc=rows[0][0]).name == rows[0][1]


def test_products_import_from_xlsx_creates_products_and_standards(actors):
    owner = actors.owner
    before = db_counts()

    job = run_import(owner.actor, "products", "产品.xlsx", xlsx_bytes(PRODUCT_HEADERS, [product_row(model="IMP-1"), product_row(model="IMP-2")]))

    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert job.created_count == 2
    after = db_counts()
    assert after["products"] == before["products"] + 2
    assert after["standards"] == before["standards"] + 4
    product = Product.objects.get(enterprise=actors.enterprise_a, model="IMP-1")
    assert sorted(product.standards.values_list("code", flat=True)) == ["GB 4706.1-2005", "GB 4706.19-2008"]
    assert product.export_markets == ["US", "DE"]


# --- idempotence ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, build", [
    ("企业.xlsx", lambda rows: xlsx_bytes(ENTERPRISE_HEADERS, rows)),
    ("企业.csv", lambda rows: csv_bytes(ENTERPRISE_HEADERS, rows)),
])
def test_reimporting_the_same_enterprise_file_changes_nothing(regulator, name, build):
    content = build(enterprise_rows(3))
    first = run_import(regulator.actor, "enterprises", name, content)
    assert first.status == ImportStatus.DONE, first.errors or first.message
    before = db_counts()

    second = run_import(regulator.actor, "enterprises", name, content)

    assert second.status == ImportStatus.DONE, second.errors or second.message
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 3)
    assert db_counts() == before  # no new rows and no audit entries for unchanged rows


def test_reimporting_the_same_product_file_changes_nothing(actors):
    content = xlsx_bytes(PRODUCT_HEADERS, [product_row(model="IMP-1"), product_row(model="IMP-2", 是否公开="否")])
    first = run_import(actors.owner.actor, "products", "产品.xlsx", content)
    assert first.status == ImportStatus.DONE, first.errors or first.message
    before = db_counts()

    second = run_import(actors.owner.actor, "products", "产品.xlsx", content)

    assert second.status == ImportStatus.DONE, second.errors or second.message
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 2)
    assert db_counts() == before


def test_reimporting_with_one_changed_row_updates_only_that_row(regulator):
    rows = enterprise_rows(3)
    run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))
    audit_before = AuditEntry.objects.count()
    rows[1][ENTERPRISE_HEADERS.index("地址")] = "深圳市南山区粤海街道1号"

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 2)
    assert Organisation.objects.get(uscc=rows[1][0]).profile.address == "深圳市南山区粤海街道1号"
    assert AuditEntry.objects.count() > audit_before


# --- columns ------------------------------------------------------------------------------

def test_missing_required_column_is_named_and_nothing_is_written(regulator):
    headers = [h for h in ENTERPRISE_HEADERS if h != "所在区县"]
    rows = [[v for h, v in zip(ENTERPRISE_HEADERS, r) if h != "所在区县"] for r in enterprise_rows(2)]
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(headers, rows))

    assert job.status == ImportStatus.FAILED
    assert error_cells(job) == [(1, "所在区县", "缺少必填列“所在区县”。")]
    assert db_counts() == before


def test_unknown_extra_column_is_refused_and_nothing_is_written(regulator):
    headers = ENTERPRISE_HEADERS + ["备注"]
    rows = [r + ["随便写写"] for r in enterprise_rows(2)]
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.csv", csv_bytes(headers, rows))

    assert job.status == ImportStatus.FAILED
    assert error_cells(job) == [(1, "备注", "无法识别的列“备注”，请使用下载的模板。")]
    assert db_counts() == before


def test_a_column_given_twice_is_refused(regulator):
    headers = ENTERPRISE_HEADERS + ["企业名称"]
    rows = [r + ["另一个名称"] for r in enterprise_rows(1)]
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(headers, rows))

    assert job.status == ImportStatus.FAILED
    assert error_cells(job) == [(1, "企业名称", "列“企业名称”重复出现。")]
    assert db_counts() == before


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(regulator):
    code = unique_uscc("440305")
    job = run_import(
        regulator.actor, "enterprises", "企业.xlsx",
        xlsx_bytes(["企业名称", "所在区县", "统一社会信用代码"], [["深圳市乱序电器有限公司", "440305", code]]),
    )
    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert Organisation.objects.get(uscc=code).name == "深圳市乱序电器有限公司"


# --- rows ---------------------------------------------------------------------------------------

def test_one_bad_row_among_good_rows_commits_nothing(regulator):
    rows = enterprise_rows(4)
    bad = rows[2][0][:17] + ("1" if rows[2][0][17] != "1" else "2")  # wrong check character
    rows[2][0] = bad
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))

    assert job.status == ImportStatus.FAILED
    assert job.error_count == 1
    [(row, column, message)] = error_cells(job)
    assert (row, column) == (4, "统一社会信用代码")  # the header is row 1, so the third data row is row 4
    assert "校验位错误" in message
    assert job.errors[0]["value"] == bad
    assert db_counts() == before
    assert not Organisation.objects.filter(uscc__in=[r[0] for r in rows]).exists()


def test_every_bad_row_is_listed_not_only_the_first(regulator):
    rows = enterprise_rows(3)
    rows[0][ENTERPRISE_HEADERS.index("所在区县")] = "449999"
    rows[2][ENTERPRISE_HEADERS.index("成立日期")] = "去年春天"
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))

    assert job.status == ImportStatus.FAILED
    assert [(row, column) for row, column, _ in error_cells(job)] == [(2, "所在区县"), (4, "成立日期")]
    assert "449999" in job.errors[0]["message"]
    assert job.errors[1]["message"] == "日期格式不正确，应如 2023-05-01。"
    assert db_counts() == before


def test_a_failure_while_committing_rolls_back_every_row(regulator, monkeypatch):
    spec = get_spec("enterprises")
    real_save = spec.save
    calls = []

    def save_then_fail(actor, form, existing):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("磁盘已满")
        return real_save(actor, form, existing)

    monkeypatch.setattr(spec, "save", save_then_fail)
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(4)))

    assert len(calls) == 3  # two rows were saved before the failure ...
    assert job.status == ImportStatus.ERROR
    assert "已全部回滚" in job.message and "磁盘已满" in job.message
    assert db_counts() == before  # ... and rolled back with it


def test_blank_rows_between_data_are_skipped(regulator):
    rows = enterprise_rows(2)
    job = run_import(regulator.actor, "enterprises", "企业.csv", csv_bytes(ENTERPRISE_HEADERS, [rows[0], [""] * 10, rows[1]]))
    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert job.created_count == 2


def test_a_file_with_only_the_header_says_there_is_no_data(regulator):
    before = db_counts()
    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, []))
    assert job.status == ImportStatus.FAILED
    assert error_cells(job) == [(2, "", "文件只有表头，没有数据行。")]
    assert db_counts() == before


# --- files refused before any row is read --------------------------------------------------

def _refused(actor, name, content, expected, spec_key="enterprises"):
    """The file must be refused with ``expected`` in the message, writing no data. A
    refusal may come before a job is stored (ImportRejected) or end the job in error."""
    before = db_counts()
    try:
        job = run_import(actor, spec_key, name, content)
    except ImportRejected as exc:
        message = str(exc)
    else:
        assert job.status == ImportStatus.ERROR, (job.status, job.errors)
        message = job.message
    assert expected in message, message
    assert db_counts() == before
    return message


def test_oversized_file_is_refused_with_the_limit(regulator, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    content = csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(30))
    assert len(content) > 1024
    jobs_before = ImportJob.objects.count()

    message = _refused(regulator.actor, "企业.csv", content, "超过上限")

    assert "请拆分后分批导入" in message
    assert ImportJob.objects.count() == jobs_before  # refused before it was stored


def test_decompression_bomb_by_compression_ratio_is_refused(regulator):
    # 30 MB of zeros packs into a few KB: far beyond the allowed ratio.
    members = dict(WORKBOOK_SKELETON)
    members["xl/worksheets/sheet1.xml"] = b"\0" * (30 * 1024 * 1024)
    content = xlsx_zip(members)
    assert len(content) < 200_000

    _refused(regulator.actor, "企业.xlsx", content, "疑似压缩炸弹")


def test_decompression_bomb_by_total_size_is_refused(regulator, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 64 * 1024
    members = dict(WORKBOOK_SKELETON)
    members["xl/worksheets/sheet1.xml"] = os.urandom(100 * 1024)  # incompressible, ratio ~1:1
    content = xlsx_zip(members)

    _refused(regulator.actor, "企业.xlsx", content, "疑似压缩炸弹")


def test_zip_member_that_lies_about_its_size_is_refused(regulator):
    """A bomb whose directory declares a small size but whose data expands to 30 MB
    passes the declared-size check; the reader must still stop at the declared size."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(1))))
    members = {name: source.read(name) for name in source.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    at = sheet.index(b"<sheetData>")
    members["xl/worksheets/sheet1.xml"] = sheet[:at] + b"<!--" + b" " * (30 * 1024 * 1024) + b"-->" + sheet[at:]
    content = xlsx_zip(members)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    real, fake = info.file_size.to_bytes(4, "little"), (2048).to_bytes(4, "little")
    assert content.count(real) == 2  # the local header and the central directory
    content = content.replace(real, fake)
    assert zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml").file_size == 2048

    _refused(regulator.actor, "企业.xlsx", content, "无法读取 Excel 文件")


@pytest.mark.parametrize("name, content, expected", [
    ("企业.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" * 10, "内容不是 Excel 工作簿"),
    ("企业.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "内容不是 Excel 工作簿"),
    ("企业.xlsx", os.urandom(4096).replace(b"PK", b"QQ"), "内容不是 Excel 工作簿"),
    ("企业.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "只接受 .xlsx 和 .csv"),
    ("企业.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "不是文本"),
    ("企业.csv", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "不是文本"),
    ("企业.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "只接受 .xlsx 和 .csv"),
    ("企业.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "不支持旧版 .xls 格式"),
    ("企业.pdf", b"%PDF-1.7\n" * 10, "只接受 .xlsx 和 .csv"),
])
def test_wrong_file_types_are_refused_by_content_not_name(regulator, name, content, expected):
    _refused(regulator.actor, name, content, expected)


def test_truncated_xlsx_is_refused_as_damaged(regulator):
    content = xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(5))
    _refused(regulator.actor, "企业.xlsx", content[: len(content) // 2], "已损坏")


def test_a_zip_without_a_workbook_is_refused(regulator):
    # A .docx (or any zip) renamed .xlsx starts with the zip magic but holds no workbook.
    content = xlsx_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    _refused(regulator.actor, "企业.xlsx", content, "缺少工作簿结构")


def test_a_workbook_with_a_corrupt_part_is_refused(regulator):
    members = dict(WORKBOOK_SKELETON)
    members["xl/worksheets/sheet1.xml"] = b"<not really xml"
    _refused(regulator.actor, "企业.xlsx", xlsx_zip(members), "无法读取 Excel 文件")


@pytest.mark.parametrize("name", ["企业.xlsx", "企业.csv"])
def test_empty_file_is_refused(regulator, name):
    _refused(regulator.actor, name, b"", "文件是空的")


def test_a_csv_with_only_a_byte_order_mark_has_no_header(regulator):
    before = db_counts()
    job = run_import(regulator.actor, "enterprises", "企业.csv", b"\xef\xbb\xbf")
    assert job.status == ImportStatus.FAILED
    assert error_cells(job) == [(1, "", "文件没有表头和数据。")]
    assert db_counts() == before


def test_too_many_rows_are_refused_with_the_limit(regulator, settings):
    settings.IMPORT_MAX_ROWS = 3
    message = _refused(regulator.actor, "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(4)), "超过单次导入上限 3 行")
    assert "4 行数据" in message


# --- errors as a spreadsheet -----------------------------------------------------------------

def test_errors_download_as_a_spreadsheet_listing_row_column_and_reason(regulator):
    rows = enterprise_rows(3)
    rows[1][0] = "=1+2"  # a formula typed into the file must not run in the report
    rows[2][ENTERPRISE_HEADERS.index("所在区县")] = "火星区"
    job = run_import(regulator.actor, "enterprises", "企业.csv", csv_bytes(ENTERPRISE_HEADERS, rows))
    assert job.status == ImportStatus.FAILED

    response = regulator.client().get(reverse("core:import-errors", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("行号", "列", "单元格内容", "错误原因")
    by_row = {r[0]: r for r in table[1:]}
    assert set(by_row) == {3, 4}
    assert by_row[3][1] == "统一社会信用代码"
    assert by_row[3][2] == "'=1+2"
    assert "统一社会信用代码" in by_row[3][3]
    assert by_row[4][1:3] == ("所在区县", "火星区")
    assert "火星区" in by_row[4][3]


# --- background runs with the database task backend -----------------------------------------

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


@pytest.fixture
def worker_db(transactional_db, settings):
    """A database the worker (same process, autocommit) sees committed. Flushing between
    transactional tests also removes the regions and industries the data migration
    loaded, so they are loaded again when missing."""
    import importlib

    from django.apps import apps

    from qualityhub.registry.models import Region

    if not Region.objects.exists():
        importlib.import_module("qualityhub.registry.migrations.0002_reference_data").load(apps, None)
    settings.TASKS = DB_TASKS
    settings.IMPORT_BACKGROUND_THRESHOLD = 3


def _run_worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0.1, verbosity=0)


def test_a_large_import_runs_in_the_worker_and_ends_done(worker_db):
    from django_tasks_db.models import DBTaskResult

    from qualityhub.core.testing.actors import Actors

    regulator = Actors().regulator_same_city
    client = regulator.client()
    before = db_counts()
    content = xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(6))

    response = client.post(reverse("core:import-create", args=["enterprises"]), {"file": upload("大文件.xlsx", content)})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:import-detail", args=[job.pk])
    assert job.in_background and job.status == ImportStatus.QUEUED and job.total_rows == 6
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert db_counts() == before  # nothing is written until the worker runs
    page = client.get(reverse("core:import-detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert "正在后台处理" in page.content.decode() and 'hx-trigger="every 1s"' in page.content.decode()

    _run_worker()

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert job.percent == 100 and job.processed_rows == 6
    assert job.created_count == 6
    assert db_counts()["organisations"] == before["organisations"] + 6
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # The worker acts for the uploader: the audit trail names them.
    created = Organisation.objects.filter(name__startswith="深圳市导入").values_list("pk", flat=True)
    entries = AuditEntry.objects.filter(object_id__in=[str(pk) for pk in created])
    assert entries.exists() and set(entries.values_list("user", "via")) == {(regulator.user.pk, "import")}
    page = client.get(reverse("core:import-detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert "导入完成：新增 6 条" in page.content.decode()
    assert 'hx-trigger' not in page.content.decode()  # the progress bar stops polling


def test_a_large_import_with_a_bad_row_fails_in_the_worker_and_commits_nothing(worker_db):
    from qualityhub.core.testing.actors import Actors

    regulator = Actors().regulator_same_city
    rows = enterprise_rows(6)
    rows[5][ENTERPRISE_HEADERS.index("企业规模")] = "巨型"
    before = db_counts()

    job = run_import(regulator.actor, "enterprises", "大文件.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))
    assert job.status == ImportStatus.QUEUED
    _run_worker()

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(7, "企业规模")]
    assert db_counts() == before


# --- resume -----------------------------------------------------------------------------------

@pytest.fixture
def interrupted_job(regulator, settings, django_capture_on_commit_callbacks):
    """Makes a background job of the Shenzhen bureau whose worker stopped mid-way: its
    task was enqueued but never ran to the end, and the job was last touched long ago."""

    def make(rows=None, status=ImportStatus.VALIDATING):
        settings.IMPORT_BACKGROUND_THRESHOLD = 1
        content = xlsx_bytes(ENTERPRISE_HEADERS, rows if rows is not None else enterprise_rows(2))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            job = run_import(regulator.actor, "enterprises", "大文件.xlsx", content)
        assert len(callbacks) == 1 and job.status == ImportStatus.QUEUED  # enqueued, never run
        long_ago = timezone.now() - timedelta(minutes=10)
        ImportJob.objects.filter(pk=job.pk).update(status=status, processed_rows=1, started_at=long_ago, updated_at=long_ago)
        return job

    return make


@pytest.mark.parametrize("status", [ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.COMMITTING])
def test_an_interrupted_job_is_resumed_from_the_history_and_commits_whole(
    regulator, interrupted_job, django_capture_on_commit_callbacks, status
):
    rows = enterprise_rows(3)
    before = db_counts()
    job = interrupted_job(rows, status)
    client = regulator.client()

    history = client.get(reverse("core:import-list")).content.decode()
    assert reverse("core:import-detail", args=[job.pk]) in history
    detail = client.get(reverse("core:import-detail", args=[job.pk])).content.decode()
    assert "处理似乎已中断" in detail and reverse("core:import-resume", args=[job.pk]) in detail
    assert db_counts() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import-resume", args=[job.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("core:import-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert (job.created_count, job.percent, job.processed_rows) == (3, 100, 3)
    assert db_counts()["organisations"] == before["organisations"] + 3
    assert "处理似乎已中断" not in client.get(reverse("core:import-detail", args=[job.pk])).content.decode()


def test_a_recently_active_job_offers_no_resume_button(regulator, interrupted_job):
    job = interrupted_job()
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now())
    detail = regulator.client().get(reverse("core:import-detail", args=[job.pk])).content.decode()
    assert "处理似乎已中断" not in detail


def test_resuming_a_job_still_being_worked_on_starts_no_second_run(regulator, interrupted_job, django_capture_on_commit_callbacks):
    """A POST to resume (a second tab, a double click) while the worker is still
    active must not run the same file twice."""
    job = interrupted_job()
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=1, updated_at=timezone.now())  # the worker is alive
    before = db_counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = regulator.client().post(reverse("core:import-resume", args=[job.pk]))

    assert response.status_code == 302
    assert callbacks == []  # nothing was queued
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == (ImportStatus.VALIDATING, 1)
    assert db_counts() == before


def test_a_second_resume_of_the_same_stale_job_queues_it_once(regulator, interrupted_job, django_capture_on_commit_callbacks):
    from qualityhub.core.imports.services import import_job_resume

    job = interrupted_job()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_job_resume(actor=regulator.actor, job=job)
        import_job_resume(actor=regulator.actor, job=job)
    assert len(callbacks) == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED


def test_a_job_already_claimed_by_another_run_is_not_run_again(interrupted_job):
    """The task may be delivered twice (or a resumed job's first worker wakes up): only
    the run that claims the queued job works on it."""
    from qualityhub.core.imports.services import import_job_run

    job = interrupted_job()
    before = db_counts()

    import_job_run(job_id=job.pk)  # status "validating": another run holds it

    job.refresh_from_db()
    assert (job.status, job.processed_rows) == (ImportStatus.VALIDATING, 1)
    assert db_counts() == before
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)


def test_resuming_a_finished_job_changes_nothing(regulator):
    rows = enterprise_rows(2)
    rows[0][0] = "123"
    job = run_import(regulator.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))
    assert job.status == ImportStatus.FAILED
    before = db_counts()

    response = regulator.client().post(reverse("core:import-resume", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error_count == 1
    assert db_counts() == before


# --- access ------------------------------------------------------------------------------------

def test_another_organisations_import_job_answers_404(actors, interrupted_job):
    regulator = actors.regulator_same_city
    job = interrupted_job()
    urls = [
        ("get", reverse("core:import-detail", args=[job.pk])),
        ("get", reverse("core:import-errors", args=[job.pk])),
        ("post", reverse("core:import-resume", args=[job.pk])),
    ]
    for person in (actors.regulator_other_city, actors.regulator_province, actors.owner, actors.provider):
        client = person.client()
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (person.organisation, url)
        assert reverse("core:import-detail", args=[job.pk]) not in client.get(reverse("core:import-list")).content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATING  # the refused resume queued nothing
    own = regulator.client()
    assert own.get(urls[0][1]).status_code == 200
    assert own.get(urls[1][1]).status_code == 200
    assert actors.platform_admin.client().get(urls[0][1]).status_code == 200


def test_a_user_without_an_organisation_sees_no_ones_import_history(actors):
    from qualityhub.core.testing.factories import UserFactory

    admin_job = run_import(actors.platform_admin.actor, "enterprises", "管理员导入.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)))
    assert admin_job.status == ImportStatus.DONE and admin_job.organisation is None
    client = actors.anonymous.client()
    client.force_login(UserFactory())

    history = client.get(reverse("core:import-list"))

    assert history.status_code == 200
    assert "管理员导入.xlsx" not in history.content.decode()
    assert client.get(reverse("core:import-detail", args=[admin_job.pk])).status_code == 404
    assert "管理员导入.xlsx" in actors.platform_admin.client().get(reverse("core:import-list")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(actors):
    client = actors.anonymous.client()
    for url in (reverse("core:import-list"), reverse("core:import-create", args=["products"]),
                reverse("core:import-template", args=["products"])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- the pages ----------------------------------------------------------------------------------

def test_upload_page_shows_the_chinese_error_for_a_bad_file(regulator):
    client = regulator.client()
    before = db_counts(), ImportJob.objects.count()

    response = client.post(reverse("core:import-create", args=["enterprises"]), {"file": upload("企业.xlsx", b"%PDF-1.4 fake")})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="upload-error"' in page
    assert "文件扩展名为 .xlsx，但内容不是 Excel 工作簿" in page
    assert (db_counts(), ImportJob.objects.count()) == before


def _bomb():
    members = dict(WORKBOOK_SKELETON)
    members["xl/worksheets/sheet1.xml"] = b"\0" * (30 * 1024 * 1024)
    return xlsx_zip(members)


@pytest.mark.parametrize("name, content, expected", [
    ("企业.csv", b"", "文件是空的。"),
    ("企业.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不支持的文件类型，只接受 .xlsx 和 .csv 文件。"),
    ("企业.xlsx", b"\x00garbage" * 50, "内容不是 Excel 工作簿"),
    ("企业.csv", b"x" * 100_000, "超过上限"),
    ("企业.xlsx", _bomb, "疑似压缩炸弹"),  # built when the test runs, not at collection
])
def test_upload_page_shows_why_a_file_is_refused(regulator, settings, name, content, expected):
    """Whether the file is refused at once (form error) or once opened (the job's
    page), the user reads the reason in Chinese and nothing is imported."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 64 * 1024  # above the bomb's packed size
    content = content() if callable(content) else content
    client = regulator.client()
    before = db_counts()

    response = client.post(reverse("core:import-create", args=["enterprises"]), {"file": upload(name, content)})

    if response.status_code == 302:
        response = client.get(response["Location"])
        assert 'id="import-error"' in response.content.decode()
    else:
        assert response.status_code == 400 and 'id="upload-error"' in response.content.decode()
    assert expected in response.content.decode()
    assert db_counts() == before


def test_upload_page_without_a_file_asks_for_one(regulator):
    response = regulator.client().post(reverse("core:import-create", args=["enterprises"]), {})
    assert response.status_code == 400
    assert "请选择要上传的文件。" in response.content.decode()


def test_upload_page_for_a_file_with_a_bad_row_shows_the_rows_errors(regulator):
    client = regulator.client()
    rows = enterprise_rows(2)
    rows[1][ENTERPRISE_HEADERS.index("所在区县")] = "449999"
    before = db_counts()

    response = client.post(reverse("core:import-create", args=["enterprises"]), {"file": upload("企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "校验未通过，共 1 处错误，未导入任何数据" in page
    assert "449999" in page and "所在区县" in page
    job = ImportJob.objects.get()
    assert reverse("core:import-errors", args=[job.pk]) in page
    assert db_counts() == before


def test_upload_page_for_a_good_file_reports_the_counts(regulator):
    client = regulator.client()
    assert client.get(reverse("core:import-create", args=["enterprises"])).status_code == 200

    response = client.post(reverse("core:import-create", args=["enterprises"]), {"file": upload("企业.csv", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2)))})

    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 2 条，更新 0 条，未变化 0 条。" in page
    history = client.get(reverse("core:import-list")).content.decode()
    assert "企业.csv" in history


def test_import_pages_offer_only_the_specs_the_actor_may_use(actors):
    owner_page = actors.owner.client().get(reverse("core:import-list")).content.decode()
    assert reverse("core:import-create", args=["products"]) in owner_page
    assert reverse("core:import-create", args=["enterprises"]) not in owner_page
    assert actors.owner.client().get(reverse("core:import-create", args=["enterprises"])).status_code == 404
    regulator_page = actors.regulator_same_city.client().get(reverse("core:import-list")).content.decode()
    assert reverse("core:import-create", args=["enterprises"]) in regulator_page


@pytest.mark.parametrize("bad", [False, True], ids=["done", "failed"])
def test_a_finished_job_does_not_keep_the_uploaded_file(actors, settings, tmp_path, bad, django_capture_on_commit_callbacks):
    """Uploads hold an organisation's business data; once the job ends nothing reads them."""
    settings.MEDIA_ROOT = str(tmp_path)
    rows = enterprise_rows(2)
    if bad:
        rows[1][0] = "not-a-credit-code"
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(actors.regulator_same_city.actor, "enterprises", "企业.xlsx", xlsx_bytes(ENTERPRISE_HEADERS, rows))
    assert job.status == (ImportStatus.FAILED if bad else ImportStatus.DONE)
    assert job.file.name == "" and job.original_name == "企业.xlsx"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
