"""Credit records by spreadsheet and by API: the same form, the same service, the
same four-eyes rule for people and the same scoping."""

import pytest
from django.urls import reverse

from qualityhub.core.imports import get_spec
from qualityhub.core.imports.services import import_job_create
from qualityhub.core.models import ImportStatus
from qualityhub.core.tests.test_imports import upload, xlsx_bytes
from qualityhub.credit.choices import RecordStatus
from qualityhub.credit.models import CreditRecord
from qualityhub.credit.tests.conftest import add_record

HEADERS = [c.header for c in get_spec("credit-records").columns]


def row(uscc, reference, kind="监督抽查合格", **extra):
    values = {"信用主体统一社会信用代码": uscc, "记录类型": kind, "事实发生日期": "2026-03-02",
              "来源部门": "深圳市市场监督管理局", "文书编号": reference, "事实摘要": "电热水壶抽查"}
    values.update(extra)
    return [values.get(h, "") for h in HEADERS]


def run_import(person, rows):
    job = import_job_create(actor=person.actor, spec_key="credit-records",
                            uploaded_file=upload("records.xlsx", xlsx_bytes(HEADERS, rows)))
    job.refresh_from_db()
    return job


def test_import_puts_negative_rows_up_for_review_and_positive_ones_in_effect(actors):
    uscc = actors.enterprise_a.uscc
    job = run_import(actors.regulator_same_city, [
        row(uscc, "深市监抽〔2026〕1号"),
        row(uscc, "深市监抽〔2026〕2号", kind="监督抽查不合格（一般不合格）"),
    ])
    assert job.status == ImportStatus.DONE, job.errors
    statuses = dict(CreditRecord.objects.values_list("reference", "status"))
    assert statuses == {"深市监抽〔2026〕1号": RecordStatus.ACTIVE, "深市监抽〔2026〕2号": RecordStatus.PENDING}
    assert set(CreditRecord.objects.values_list("channel", flat=True)) == {"import"}
    again = run_import(actors.regulator_same_city, [row(uscc, "深市监抽〔2026〕1号")])
    assert again.status == ImportStatus.DONE and again.unchanged_count == 1
    assert CreditRecord.objects.count() == 2


def test_one_bad_row_rejects_the_file_with_row_and_column_in_chinese(actors):
    job = run_import(actors.regulator_same_city, [
        row(actors.enterprise_a.uscc, "深市监抽〔2026〕1号"),
        row(actors.enterprise_c.uscc, "深市监抽〔2026〕2号"),  # Guangzhou: outside Shenzhen's jurisdiction
        row(actors.enterprise_a.uscc, "深市监抽〔2026〕3号", kind="行政处罚"),  # no amount
        row(actors.enterprise_a.uscc, "深市监抽〔2026〕1号"),  # duplicate key in the file
    ])
    assert job.status == ImportStatus.FAILED
    found = {(e["row"], e["column"]) for e in job.errors}
    assert (3, "信用主体统一社会信用代码") in found
    assert (4, "罚没金额（元）") in found
    assert any(e["row"] == 5 for e in job.errors)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in job.errors)
    assert CreditRecord.objects.count() == 0


def test_enterprises_cannot_import_records(actors):
    assert not get_spec("credit-records").allowed(actors.owner.actor)
    assert actors.owner.client().get(reverse("core:import-create", args=["credit-records"])).status_code == 404


API = "/api/v1/credit-records/"


def payload(uscc, **extra):
    data = {"subject_uscc": uscc, "kind": "sampling_fail_general", "fact_date": "2026-03-02",
            "source_department": "深圳市市场监督管理局", "reference": "深市监抽〔2026〕9号", "summary": "抽查不合格"}
    data.update(extra)
    return data


def test_api_report_takes_effect_and_is_idempotent(actors):
    client = actors.regulator_same_city.client()
    response = client.post(API, payload(actors.enterprise_a.uscc), content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == RecordStatus.ACTIVE and body["objection_deadline"]
    again = client.post(API, payload(actors.enterprise_a.uscc), content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert CreditRecord.objects.count() == 1


def test_api_errors_name_the_field_in_chinese(actors):
    client = actors.regulator_same_city.client()
    response = client.post(API, payload(actors.enterprise_a.uscc, kind="penalty"), content_type="application/json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "penalty_amount" in fields and "罚没金额" in fields["penalty_amount"][0]
    response = client.post(API, payload(actors.enterprise_c.uscc), content_type="application/json")
    assert response.status_code == 400 and "subject_uscc" in response.json()["error"]["fields"]
    assert CreditRecord.objects.count() == 0


def test_api_is_read_only_for_enterprises_and_scoped(actors):
    mine = add_record(actors.regulator_same_city, actors.enterprise_a, note="内部备注X")
    add_record(actors.regulator_same_city, actors.enterprise_b)
    owner = actors.owner.client()
    listed = owner.get(API).json()["results"]
    assert [r["id"] for r in listed] == [mine.pk]
    assert "internal_note" not in listed[0]
    assert owner.post(API, payload(actors.enterprise_a.uscc), content_type="application/json").status_code == 403
    assert owner.get(f"{API}{mine.pk + 1}/").status_code == 404
    assert actors.regulator_same_city.client().get(f"{API}{mine.pk}/").json()["internal_note"] == "内部备注X"
    assert owner.delete(f"{API}{mine.pk}/").status_code == 405
