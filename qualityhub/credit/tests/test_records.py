"""The credit record lifecycle: one entry point, four eyes, objections within 15 days
counted as the Civil Code counts periods, credit repair after the minimum period,
withdrawal, expiry; and who sees what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualityhub.core.models import Notification
from qualityhub.core.testing.actors import Person
from qualityhub.core.testing.factories import MembershipFactory
from qualityhub.core.workdays import deadline_after
from qualityhub.credit import services
from qualityhub.credit.choices import DecisionStatus, RecordChannel, RecordKind, RecordStatus
from qualityhub.credit.models import CreditRecord, Evidence
from qualityhub.credit.signals import record_changed
from qualityhub.credit.tests.conftest import add_record, record_data

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def pdf(name="证据.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def second_regulator(actors):
    membership = MembershipFactory(organisation=actors.shenzhen, role="staff")
    return Person(membership.user, actors.shenzhen, "staff")


def submit_by_hand(actors, kind=RecordKind.SAMPLING_FAIL_GENERAL, **kwargs):
    return services.record_submit(
        actor=actors.regulator_same_city.actor, data=record_data(actors.enterprise_a, kind=kind, **kwargs),
        channel=RecordChannel.WEB,
    )[0]


# --- deadlines ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "start, expected",
    [
        ("2026-03-02", "2026-03-17"),  # Monday + 15 days: a Tuesday, a working day
        ("2026-03-06", "2026-03-23"),  # ends on Saturday 21 March: moves to Monday
        ("2026-09-20", "2026-10-08"),  # ends on 5 October, in the National Day holiday
        ("2026-09-05", "2026-09-20"),  # ends on Sunday 20 September, a make-up working day
    ],
)
def test_objection_deadline_counts_from_the_next_day_and_skips_rest_days(start, expected):
    assert deadline_after(datetime.date.fromisoformat(start), 15) == datetime.date.fromisoformat(expected)


def test_a_year_the_holiday_package_does_not_know_falls_back_to_weekends():
    # 2030 is past the package's data: Saturday 5 January + 15 -> Sunday 20 -> Monday 21.
    assert deadline_after(datetime.date(2030, 1, 5), 15) == datetime.date(2030, 1, 21)


# --- four eyes --------------------------------------------------------------------------

def test_a_negative_record_entered_by_hand_waits_for_a_second_regulator(actors, second_regulator):
    record = submit_by_hand(actors)
    assert record.status == RecordStatus.PENDING and record.effective_on is None
    assert not Notification.objects.filter(organisation=actors.enterprise_a).exists()
    assert Notification.objects.filter(organisation=actors.shenzhen, title__contains="待复核").exists()

    with pytest.raises(PermissionDenied):
        services.record_approve(actor=actors.regulator_same_city.actor, record=record)  # the one who entered it
    with pytest.raises(PermissionDenied):
        services.record_approve(actor=actors.regulator_other_city.actor, record=record)  # not over the subject
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING

    services.record_approve(actor=second_regulator.actor, record=record)
    record.refresh_from_db()
    assert record.status == RecordStatus.ACTIVE
    assert record.approved_by == second_regulator.user
    assert record.effective_on is not None
    assert record.objection_deadline == deadline_after(record.effective_on, 15)
    assert record.publicity_until == record.effective_on + datetime.timedelta(days=365)
    note = Notification.objects.get(organisation=actors.enterprise_a)
    assert record.objection_deadline.isoformat() in note.body


def test_a_rejected_record_needs_a_reason_and_never_reaches_the_subject(actors, second_regulator):
    record = submit_by_hand(actors)
    with pytest.raises(ValidationError):
        services.record_reject(actor=second_regulator.actor, record=record, reason="  ")
    services.record_reject(actor=second_regulator.actor, record=record, reason="文号有误")
    record.refresh_from_db()
    assert record.status == RecordStatus.REJECTED
    owner = actors.owner.client()
    assert owner.get(reverse("credit:record-detail", args=[record.pk])).status_code == 404


def test_positive_and_system_reported_records_take_effect_at_once(actors):
    passed = submit_by_hand(actors, kind=RecordKind.SAMPLING_PASS)
    assert passed.status == RecordStatus.ACTIVE and passed.objection_deadline is None
    reported = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.PENALTY, amount=5000)
    assert reported.status == RecordStatus.ACTIVE and reported.objection_deadline is not None


def test_record_changed_is_sent_after_commit_with_the_subject(actors, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, subject_ids, **kwargs):
        received.append(subject_ids)

    record_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            add_record(actors.regulator_same_city, actors.enterprise_a)
        assert received == [[actors.enterprise_a.pk]]
    finally:
        record_changed.disconnect(listener)


def test_resubmitting_the_same_reference_does_not_duplicate(actors):
    first = add_record(actors.regulator_same_city, actors.enterprise_a, reference="深市监抽〔2026〕1号")
    again, outcome = services.record_submit(
        actor=actors.regulator_same_city.actor,
        data=record_data(actors.enterprise_a, reference="深市监抽〔2026〕1号"), channel=RecordChannel.API,
    )
    assert again.pk == first.pk and outcome == services.UNCHANGED
    with pytest.raises(ValidationError):
        services.record_submit(
            actor=actors.regulator_same_city.actor,
            data=record_data(actors.enterprise_b, reference="深市监抽〔2026〕1号"), channel=RecordChannel.API,
        )
    assert CreditRecord.objects.count() == 1


def test_a_module_reports_through_the_same_function_with_its_own_key(actors):
    record, outcome = services.record_submit(
        actor=actors.regulator_same_city.actor, data=record_data(actors.enterprise_a, kind=RecordKind.COMPLAINT),
        channel=RecordChannel.MODULE, source_module="complaints", source_key="C-1",
    )
    assert outcome == services.CREATED and record.status == RecordStatus.ACTIVE
    again, outcome = services.record_submit(
        actor=actors.regulator_same_city.actor, data=record_data(actors.enterprise_a, kind=RecordKind.COMPLAINT),
        channel=RecordChannel.MODULE, source_module="complaints", source_key="C-1",
    )
    assert again.pk == record.pk and outcome == services.UNCHANGED


# --- objections -------------------------------------------------------------------------

def test_objection_within_the_deadline_then_accepted_withdraws_the_record(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_GENERAL)
    with pytest.raises(PermissionDenied):
        services.objection_lodge(actor=actors.outsider.actor, record=record, reason="不是我们")
    objection = services.objection_lodge(actor=actors.owner.actor, record=record, reason="样品非我司生产", files=[pdf()])
    record.refresh_from_db()
    assert record.status == RecordStatus.OBJECTED
    assert Evidence.objects.get(objection=objection).original_name == "证据.pdf"
    with pytest.raises(ValidationError):
        services.objection_lodge(actor=actors.owner.actor, record=record, reason="再次")
    with pytest.raises(PermissionDenied):
        services.objection_decide(actor=actors.regulator_other_city.actor, objection=objection, accept=True, reason="x")
    services.objection_decide(actor=actors.regulator_same_city.actor, objection=objection, accept=True, reason="经核实样品非该企业生产")
    record.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == DecisionStatus.ACCEPTED
    assert record.status == RecordStatus.WITHDRAWN


def test_refused_objection_restores_the_record(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.PENALTY, amount=1000)
    objection = services.objection_lodge(actor=actors.owner.actor, record=record, reason="金额有误")
    services.objection_decide(actor=actors.regulator_same_city.actor, objection=objection, accept=False, reason="金额无误")
    record.refresh_from_db()
    assert record.status == RecordStatus.ACTIVE


def test_no_objection_after_the_deadline_or_to_a_positive_record(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_GENERAL)
    late = record.objection_deadline + datetime.timedelta(days=1)
    assert services.objection_open(record, today=record.objection_deadline)
    assert not services.objection_open(record, today=late)
    with pytest.raises(ValidationError, match="异议期已于"):
        services.objection_lodge(actor=actors.owner.actor, record=record, reason="迟到", today=late)
    positive = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.SAMPLING_PASS)
    with pytest.raises(ValidationError):
        services.objection_lodge(actor=actors.owner.actor, record=positive, reason="?")


# --- repair -----------------------------------------------------------------------------

def test_repair_only_after_the_minimum_period_with_evidence_then_leaves_counting(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_GENERAL)
    available = services.repair_available_on(record)
    assert available == record.effective_on + datetime.timedelta(days=90)
    with pytest.raises(ValidationError, match="最短公示期未满"):
        services.repair_apply(actor=actors.owner.actor, record=record, statement="已整改", files=[pdf()],
                              today=available - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.repair_apply(actor=actors.owner.actor, record=record, statement="已整改", files=[], today=available)
    application = services.repair_apply(actor=actors.owner.actor, record=record, statement="已整改并复检合格",
                                        files=[pdf("复检报告.pdf")], today=available)
    with pytest.raises(ValidationError):
        services.repair_decide(actor=actors.regulator_same_city.actor, application=application, accept=False, reason="")
    services.repair_decide(actor=actors.regulator_same_city.actor, application=application, accept=True, reason="整改到位")
    record.refresh_from_db()
    assert record.status == RecordStatus.REPAIRED
    # Repaired: kept in the archive, out of public view.
    assert CreditRecord.objects.filter(pk=record.pk).exists()
    from qualityhub.core.scoping import ANONYMOUS, visible

    assert not visible(CreditRecord, ANONYMOUS).filter(pk=record.pk).exists()


def test_refused_repair_keeps_the_record_and_says_why(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.COMPLAINT)
    day = services.repair_available_on(record)
    application = services.repair_apply(actor=actors.owner.actor, record=record, statement="已整改", files=[pdf()], today=day)
    services.repair_decide(actor=actors.regulator_same_city.actor, application=application, accept=False, reason="证明材料不足")
    record.refresh_from_db()
    assert record.status == RecordStatus.ACTIVE
    assert Notification.objects.filter(organisation=actors.enterprise_a, body="证明材料不足").exists()


def test_positive_records_cannot_be_repaired(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.AWARD_CITY)
    assert services.repair_available_on(record) is None
    with pytest.raises(ValidationError):
        services.repair_apply(actor=actors.owner.actor, record=record, statement="?", files=[pdf()])


def test_records_expire_after_their_publicity_period(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_GENERAL)
    assert services.records_expire(today=record.publicity_until) == 0
    assert services.records_expire(today=record.publicity_until + datetime.timedelta(days=1)) == 1
    record.refresh_from_db()
    assert record.status == RecordStatus.EXPIRED


def test_withdraw_needs_a_reason_and_a_regulator_over_the_subject(actors):
    record = add_record(actors.regulator_same_city, actors.enterprise_a)
    with pytest.raises(PermissionDenied):
        services.record_withdraw(actor=actors.regulator_other_city.actor, record=record, reason="错录")
    with pytest.raises(ValidationError):
        services.record_withdraw(actor=actors.regulator_same_city.actor, record=record, reason="")
    services.record_withdraw(actor=actors.regulator_same_city.actor, record=record, reason="错录")
    record.refresh_from_db()
    assert record.status == RecordStatus.WITHDRAWN and "错录" in record.internal_note


# --- the form ---------------------------------------------------------------------------

def post_record(person, **overrides):
    data = {
        "subject_uscc": overrides.pop("uscc", None) or "", "kind": "监督抽查不合格（一般不合格）", "fact_date": "2026-03-02",
        "source_department": "深圳市市场监督管理局", "reference": "深市监抽〔2026〕88号", "summary": "电热水壶抽查不合格",
    }
    data.update(overrides)
    return person.client().post(reverse("credit:record-create"), data)


def test_the_form_reports_bad_input_in_chinese_and_stores_nothing(actors):
    uscc = actors.enterprise_a.uscc
    cases = [
        ({"uscc": "91440300MA5FUW2X3A"}, "subject_uscc", "校验"),
        ({"uscc": actors.enterprise_c.uscc}, "subject_uscc", "管辖范围"),
        ({"uscc": uscc, "fact_date": "2999-01-01"}, "fact_date", "不能晚于今天"),
        ({"uscc": uscc, "kind": "不存在的类型"}, "kind", "未知的记录类型"),
        ({"uscc": uscc, "kind": "行政处罚"}, "penalty_amount", "罚没金额"),
        ({"uscc": uscc, "penalty_amount": "100"}, "penalty_amount", "只有行政处罚"),
        ({"uscc": uscc, "kind": "出具虚假检测数据"}, "kind", "只适用于检验检测机构"),
        ({"uscc": uscc, "product_model": "NOPE"}, "product_model", "没有型号"),
        ({"uscc": uscc, "penalty_amount": "-1", "kind": "行政处罚"}, "penalty_amount", ""),
        ({"uscc": uscc, "evidence": SimpleUploadedFile("a.pdf", b"MZ\x90\x00", content_type="application/pdf")}, "evidence", "不符"),
    ]
    for overrides, field, text in cases:
        response = post_record(actors.regulator_same_city, **overrides)
        assert response.status_code == 400, overrides
        errors = response.context["form"].errors
        assert field in errors, (overrides, errors)
        assert text in " ".join(errors[field]), (overrides, errors)
    assert CreditRecord.objects.count() == 0


def test_only_regulators_reach_the_entry_form(actors):
    for name in ("owner", "provider", "bank"):
        assert getattr(actors, name).client().get(reverse("credit:record-create")).status_code == 404
    assert actors.regulator_same_city.client().get(reverse("credit:record-create")).status_code == 200


def test_entry_with_evidence_then_approval_then_objection_through_the_pages(actors, second_regulator):
    response = post_record(actors.regulator_same_city, uscc=actors.enterprise_a.uscc, evidence=pdf("抽查报告.pdf"))
    record = CreditRecord.objects.get()
    assert response.status_code == 302 and record.status == RecordStatus.PENDING
    evidence = record.evidence.get()
    # The subject sees neither the pending record nor its evidence.
    assert actors.owner.client().get(reverse("credit:record-detail", args=[record.pk])).status_code == 404
    assert actors.owner.client().get(reverse("credit:evidence-download", args=[evidence.pk])).status_code == 404
    # The person who entered it is not offered the approval, and is refused if they try.
    page = actors.regulator_same_city.client().get(reverse("credit:record-detail", args=[record.pk]))
    assert b"approve-record" not in page.content
    assert actors.regulator_same_city.client().post(reverse("credit:record-approve", args=[record.pk])).status_code == 400
    reviewer = second_regulator.client()
    assert b"approve-record" in reviewer.get(reverse("credit:record-detail", args=[record.pk])).content
    assert reviewer.post(reverse("credit:record-approve", args=[record.pk])).status_code == 302
    owner = actors.owner.client()
    page = owner.get(reverse("credit:record-detail", args=[record.pk]))
    assert page.status_code == 200 and b"lodge-objection" in page.content
    download = owner.get(reverse("credit:evidence-download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    response = owner.post(reverse("credit:objection-lodge", args=[record.pk]), {"reason": "样品来源存疑"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.OBJECTED


# --- who sees what ----------------------------------------------------------------------

def test_lists_and_details_are_scoped(actors):
    mine = add_record(actors.regulator_same_city, actors.enterprise_a, note="内部：抽样人员张三")
    theirs = add_record(actors.regulator_same_city, actors.enterprise_b)
    far = add_record(actors.regulator_other_city, actors.enterprise_c, department="广州市市场监督管理局")
    expectations = {
        "owner": {mine}, "outsider": {theirs}, "far_enterprise": {far},
        "regulator_same_city": {mine, theirs}, "regulator_other_city": {far}, "regulator_district": {mine},
        "regulator_province": {mine, theirs, far}, "provider": set(), "bank": set(),
    }
    for name, expected in expectations.items():
        client = getattr(actors, name).client()
        response = client.get(reverse("credit:record-list"))
        assert response.status_code == 200, name
        shown = {r.pk for r in response.context["table"].data.data}
        assert shown == {r.pk for r in expected}, name
        for record in (mine, theirs, far):
            status = client.get(reverse("credit:record-detail", args=[record.pk])).status_code
            assert status == (200 if record in expected else 404), (name, record)
    # The internal note is for regulators only.
    assert "抽样人员张三" not in actors.owner.client().get(reverse("credit:record-detail", args=[mine.pk])).content.decode()
    assert "抽样人员张三" in actors.regulator_same_city.client().get(reverse("credit:record-detail", args=[mine.pk])).content.decode()
    assert actors.anonymous.client().get(reverse("credit:record-list")).status_code == 302


def test_record_list_query_count_does_not_grow_with_rows(actors):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = actors.regulator_province.client()
    for _ in range(5):
        add_record(actors.regulator_same_city, actors.enterprise_a)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("credit:record-list"))
    for _ in range(25):
        add_record(actors.regulator_same_city, actors.enterprise_b)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("credit:record-list"))
    assert len(response.context["table"].page.object_list) == 25
    assert len(many) == len(few)
